"""demo/health.py on the small world: every state the demo promises, built through the services, idempotent."""

from __future__ import annotations

import pandas as pd
from django.utils import timezone

from clusters.health.models import ClusterAction, Framework, HealthCheck
from clusters.models import AllianceMembership
from demo.context import DemoContext
from demo.health import COPY_NAME, build
from partnership.models import Role
from tests import factories as f
from tests.conftest import make_member


def test_demo_health_checks(world):
    # A third cluster in the alliance, with schools, for the moderated check.
    third = f.ClusterFactory(partnership=world.home, name="Cobham Cluster")
    for name in ("Cobham Primary", "Stoke d'Abernon Infants"):
        f.ClusterMembershipFactory(cluster=third, school=f.SchoolFactory(partnership=world.home, name=name))
    f.ClusterMembershipFactory(
        cluster=world.other_cluster, school=f.SchoolFactory(partnership=world.home, name="Oxted Juniors")
    )
    for cluster in (world.other_cluster, third):
        AllianceMembership.objects.create(
            alliance=world.alliance, cluster=cluster, joined_on=world.alliance_membership.joined_on
        )
    accounts = {
        role: make_member(world, role)
        for role in (Role.ADMIN, Role.OFFICER, Role.HEADTEACHER, Role.CLUSTER_LEAD, Role.ALLIANCE_LEAD)
    }
    ctx = DemoContext(
        partnership=world.home,
        accounts=accounts,
        clusters={},
        alliances={},
        plan=pd.DataFrame(),
        today=timezone.localdate(),
    )
    lines = build(ctx)
    assert lines[0].startswith("Cluster health checks:")
    mine = HealthCheck.objects.filter(cluster=world.cluster).order_by("held_on")
    assert [c.state for c in mine] == ["actions", "actions"]
    assert (mine[1].held_on - mine[0].held_on).days >= 350
    assert mine[0].indicators["engagement"]["meetings"] >= 1 and mine[0].actions.filter(status="done").count() >= 2
    assert ClusterAction.objects.filter(check_obj=mine[0], status="open").count() == 1
    states = set(HealthCheck.objects.exclude(cluster=world.cluster).values_list("state", flat=True))
    assert states == {"rating", "moderated"}
    copy = Framework.objects.get(partnership=world.home, name=COPY_NAME)
    assert copy.versions.count() == 2
    assert HealthCheck.objects.get(state="rating").version.number == 1  # the check kept its version
    count = HealthCheck.objects.count()
    assert build(ctx) == lines and HealthCheck.objects.count() == count  # idempotent
