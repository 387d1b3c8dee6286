"""#14.5: a cluster sits in at most one alliance at a time (alliance totals would double-count it)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clusters import services
from clusters.models import AllianceMembership
from partnership.models import Role
from partnership.services import dated_membership_end
from tests import factories as f
from tests.conftest import client_for, make_member


def test_the_form_refuses_a_cluster_already_in_another_alliance_with_a_clear_error(world):
    south = f.AllianceFactory(partnership=world.home, name="South Alliance")
    officer = client_for(make_member(world, Role.OFFICER).user)
    response = officer.post(
        reverse("clusters:alliance_add_cluster", args=[south.pk]),
        {"cluster": world.cluster.pk, "joined_on": "2025-09-01"},
    )
    assert response.status_code == 200
    assert (
        "Esher Cluster is already in North Alliance: end that membership before adding it to another alliance"
        in response.content.decode()
    )
    assert not AllianceMembership.objects.filter(alliance=south).exists()


def test_a_cluster_may_move_once_it_has_left_and_never_overlaps(world):
    south = f.AllianceFactory(partnership=world.home, name="South Alliance")
    current = world.alliance_membership  # joined North on the factory's date, still current
    dated_membership_end(membership=current, left_on=dt.date(2025, 8, 31), user=None)
    with pytest.raises(services.ValidationError) as overlap:
        services.alliance_add_cluster(alliance=south, cluster=world.cluster, joined_on=dt.date(2025, 6, 1), user=None)
    assert "was in North Alliance until 31 August 2025" in str(overlap.value)
    moved = services.alliance_add_cluster(
        alliance=south, cluster=world.cluster, joined_on=dt.date(2025, 9, 1), user=None
    )
    assert moved.alliance == south


def test_the_database_refuses_two_current_alliances_for_one_cluster(world):
    south = f.AllianceFactory(partnership=world.home, name="South Alliance")
    with pytest.raises(IntegrityError), transaction.atomic():
        AllianceMembership.objects.create(alliance=south, cluster=world.cluster, joined_on=dt.date(2025, 9, 1))


def test_the_migration_refuses_existing_duplicates_and_names_them(world):
    migration = importlib.import_module("clusters.migrations.0003_one_current_alliance_per_cluster")
    rows = [
        {"cluster_id": 1, "cluster__name": "Esher Cluster", "alliance__name": "North Alliance"},
        {"cluster_id": 1, "cluster__name": "Esher Cluster", "alliance__name": "South Alliance"},
        {"cluster_id": 2, "cluster__name": "Woking Cluster", "alliance__name": "North Alliance"},
    ]
    assert migration.duplicates_report(rows) == [
        "Esher Cluster is in 2 alliances at once (North Alliance, South Alliance)"
    ]
    assert migration.duplicates_report(rows[1:]) == []
