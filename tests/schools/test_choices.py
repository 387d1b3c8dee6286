"""The filter forms' option lists kept per version of a partnership's data (schools.choices, ADR 0028): read once
per version, and every change to what they list is seen by the next page, whichever way it was made."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clusters.models import Cluster
from clusters.services import alliance_create, alliance_update, cluster_create, cluster_update
from partnership.models import Membership, Partnership, Role
from schools.choices import choices_changed, register_choices
from schools.models import School
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory, UserFactory
from tests.paths import GIAS_2021
from tests.schools.conftest import import_gias

PAGES = ("schools:list", "risk:register")


def _fresh(partnership: Partnership) -> Partnership:
    return Partnership.objects.get(pk=partnership.pk)


def test_the_lists_are_read_once_per_version(world):
    home = _fresh(world.home)
    with CaptureQueriesContext(connection) as first:
        choices = register_choices(home)
    assert len(first) == 8  # six distinct columns, clusters, alliances
    assert ("Tandridge", "Tandridge") in choices.district
    assert [name for _, name in choices.clusters] == ["Esher Cluster", "Oxted Cluster"]
    assert choices.alliances == ((str(world.alliance.pk), "North Alliance"),)
    with CaptureQueriesContext(connection) as again:
        assert register_choices(home) is choices
    assert len(again) == 0
    choices_changed(partnership_id=home.pk)
    with CaptureQueriesContext(connection) as changed:
        assert register_choices(_fresh(world.home)) is not choices
    assert len(changed) == 1 + 8  # the partnership at its new version, then its lists afresh


def test_partnerships_never_share_lists(world):
    home, other = register_choices(_fresh(world.home)), register_choices(_fresh(world.other))
    assert [name for _, name in other.clusters] == ["Camden Cluster"]
    assert "Camden Cluster" not in {name for _, name in home.clusters}
    assert "Camden Alliance" not in {name for _, name in home.alliances}


def _archive(cluster: Cluster) -> None:
    cluster.archived_at = timezone.now()
    cluster.save()


# Each change: what it does to ``world``, then text the next page must show and text it must no longer show.
CHANGES: dict[str, Callable] = {
    "a cluster created": lambda w: (
        cluster_create(partnership=w.home, name="Weybridge Cluster", user=None),
        ["Weybridge Cluster"],
        [],
    ),
    "a cluster renamed": lambda w: (
        cluster_update(cluster=w.cluster, name="Cobham Cluster", description="", user=None),
        ["Cobham Cluster"],
        ["Esher Cluster"],
    ),
    "a cluster archived": lambda w: (_archive(w.other_cluster), [], ["Oxted Cluster"]),
    "a cluster deleted": lambda w: (Cluster.objects.get(pk=w.other_cluster.pk).delete(), [], ["Oxted Cluster"]),
    "an alliance created": lambda w: (
        alliance_create(partnership=w.home, name="South Alliance", user=None),
        ["South Alliance"],
        [],
    ),
    "an alliance renamed": lambda w: (
        alliance_update(alliance=w.alliance, name="Downs Alliance", description="", user=None),
        ["Downs Alliance"],
        ["North Alliance"],
    ),
    "a school in a new district": lambda w: (
        SchoolFactory(partnership=w.home, district="Mole Valley"),
        ["Mole Valley"],
        [],
    ),
    "a school with a new trust": lambda w: (
        SchoolFactory(partnership=w.home, trust_name="Hills Learning Trust"),
        ["Hills Learning Trust"],
        [],
    ),
    "the only school in a district deleted": lambda w: (
        School.objects.get(pk=w.outside_school.pk).delete(),
        [],
        ["Tandridge"],
    ),
}


@pytest.mark.parametrize(
    ("page", "change"),
    [(page, change) for page in PAGES for change in CHANGES if page == "schools:list" or "alliance" not in change],
)  # the register has no alliance filter
def test_every_change_is_in_the_next_pages_filters(world, change, page):
    officer = client_for(make_member(world, Role.OFFICER).user)
    before = officer.get(reverse(page)).content.decode()  # the lists are now kept by this process
    _, shown, gone = CHANGES[change](world)
    after = officer.get(reverse(page)).content.decode()
    for text in shown:
        assert text not in before and text in after, text
    for text in gone:
        assert text in before and text not in after, text


def test_an_import_changes_the_lists_in_its_own_transaction(db):
    surrey = Partnership.objects.create(slug="surrey", name="Surrey Partnership", la_codes=["936"])
    user = UserFactory()
    Membership.objects.create(user=user, partnership=surrey, roles=[Role.OFFICER])
    officer = client_for(user)
    before = officer.get(reverse("schools:list")).content.decode()
    assert "Woking" not in before
    version = _fresh(surrey).choices_version
    import_gias(GIAS_2021, surrey)  # schools written by COPY: no model signals
    assert _fresh(surrey).choices_version > version
    after = officer.get(reverse("schools:list")).content.decode()
    districts = set(School.objects.filter(partnership=surrey).values_list("district", flat=True)) - {""}
    assert districts and all(d in after for d in districts)
    assert "Woking" in after


def test_a_cluster_of_another_partnership_is_not_a_choice(world):
    officer = client_for(make_member(world, Role.OFFICER).user)
    response = officer.get(reverse("schools:list"), {"cluster": world.other_cluster_obj.pk})
    assert response.status_code == 200
    names = [s.name for s in response.context["page_obj"]]
    assert "Camden Secret School" not in names and "Camden Cluster" not in response.content.decode()
    assert response.context["filter"].form.errors["cluster"]


def test_saving_a_partnership_read_before_a_change_does_not_lower_its_version(world):
    stale = _fresh(world.home)
    choices_changed(partnership_id=world.home.pk)  # e.g. an import while an officer edits the vision
    stale.vision = "Every school good or better"
    stale.save()
    saved = _fresh(world.home)
    assert saved.vision == "Every school good or better"
    assert saved.choices_version == stale.choices_version + 1
