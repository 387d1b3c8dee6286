"""demo/brokerage.py on a small world: every state the demo promises, built through the services, idempotent."""

from __future__ import annotations

import pandas as pd
from django.urls import reverse
from django.utils import timezone

from brokerage.models import Deployment, LedgerEntry, Provider, SupportRequest
from demo.brokerage import build, delete
from demo.context import DemoContext
from partnership.models import Role
from schools.models import School
from tests import factories as f
from tests.conftest import client_for, make_member


def _ctx(world) -> DemoContext:
    f.SchoolFactory.create_batch(20, partnership=world.home, district="Waverley")
    f.SchoolFactory.create_batch(3, partnership=world.home, phase="Secondary", district="Guildford")
    plan = pd.DataFrame(
        [
            {
                "id": s.pk,
                "urn": s.urn,
                "name": s.name,
                "phase": s.phase,
                "district": s.district,
                "cluster": "Esher Cluster" if s.pk in (world.own_school.pk, world.cluster_school.pk) else "",
            }
            for s in School.objects.filter(partnership=world.home)
        ]
    )
    accounts = {role: make_member(world, role) for role in (Role.OFFICER, Role.HEADTEACHER, Role.SYSTEM_LEADER)}
    return DemoContext(
        partnership=world.home, accounts=accounts, clusters={}, alliances={}, plan=plan, today=timezone.localdate()
    )


def test_demo_brokerage(world):
    ctx = _ctx(world)
    lines = build(ctx)
    assert lines[0].startswith("Brokerage: ")
    states = set(SupportRequest.objects.filter(partnership=world.home).values_list("state", flat=True))
    assert {"new", "triaged", "shortlisted", "chosen", "agreed", "declined", "withdrawn"} <= states
    deployments = Deployment.objects.filter(partnership=world.home)
    assert deployments.filter(state="active").count() == 2
    assert all(d.visits.exists() for d in deployments.filter(state="active"))
    assert deployments.filter(state="evaluated").count() == 1 and deployments.filter(state="draft").count() == 1
    mine = deployments.get(school=world.own_school, state="active")
    assert mine.visits.exclude(head_response="").exists()
    leaders = deployments.get(provider__user=ctx.user(Role.SYSTEM_LEADER), state="active")
    assert LedgerEntry.objects.filter(partnership=world.home).count() >= 9
    assert all(p.name.endswith("(demo)") for p in Provider.objects.filter(partnership=world.home, kind="system_leader"))
    count = SupportRequest.objects.count()
    assert build(ctx) == lines and SupportRequest.objects.count() == count  # idempotent
    # each role finds their part
    head = client_for(ctx.accounts[Role.HEADTEACHER].user)
    assert (
        "Choose this provider"
        in head.get(
            reverse(
                "brokerage:request_detail",
                args=[SupportRequest.objects.get(school=world.own_school, state="shortlisted").pk],
            )
        ).content.decode()
    )
    leader = client_for(ctx.user(Role.SYSTEM_LEADER))
    assert "Record a visit" in leader.get(reverse("brokerage:deployment_detail", args=[leaders.pk])).content.decode()
    officer = client_for(ctx.accounts[Role.OFFICER].user)
    assert "Visit records overdue" in officer.get(reverse("brokerage:queue")).content.decode()
    assert delete(world.home) > 0
