"""demo/visits.py on a small world: every state the demo promises, built through the services, idempotent."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.urls import reverse
from django.utils import timezone

from demo.context import DemoContext
from demo.visits import build
from partnership.models import Role
from schools.models import School
from schools.risk.models import IntelligenceEntry, RiskRun
from schools.visits import selectors
from schools.visits.models import Visit, VisitPoint
from tests import factories as f
from tests.conftest import client_for, make_member
from tests.visits.helpers import agree_categories


def _ctx(world) -> DemoContext:
    f.SchoolFactory.create_batch(6, partnership=world.home)
    schools = list(School.objects.filter(partnership=world.home).order_by("pk"))
    agree_categories(world.home, {s.pk: 1 + i % 4 for i, s in enumerate(schools)})
    accounts = {role: make_member(world, role) for role in (Role.OFFICER, Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS)}
    # the risk part's entries: one amber entry recorded 130 days ago at a category 4 school, one too recent
    category_4 = schools[3]
    for days, summary in ((130, "Two governor vacancies since the spring"), (20, "Recent")):
        IntelligenceEntry.objects.create(
            partnership=world.home,
            school=category_4,
            kind="governance",
            rating="amber",
            recorded_on=timezone.localdate() - dt.timedelta(days=days),
            summary=summary,
            evidence="Invented",
        )
    return DemoContext(
        partnership=world.home,
        accounts=accounts,
        clusters={},
        alliances={},
        plan=pd.DataFrame(),
        today=timezone.localdate(),
    )


def test_demo_visits(world, django_capture_on_commit_callbacks):
    ctx = _ctx(world)
    lines = build(ctx)
    assert lines and "Notes of visit: 5" in lines[0]
    assert build(ctx) == ["Notes of visit: 5 (written now: 0), one overdue, one answered, one point linked"]

    own = Visit.objects.filter(school=world.own_school).order_by("visited_on")
    older, recent = list(own)
    assert older.state == Visit.State.RESPONDED
    assert [(r.role, r.accurate) for r in older.responses.order_by("pk")] == [
        ("Headteacher", False),
        ("Chair of governors", True),
    ]
    assert recent.state == Visit.State.SHARED and not recent.responses.exists()
    assert Visit.objects.filter(partnership=world.home, state=Visit.State.DRAFT).count() == 1
    point = VisitPoint.objects.get()
    assert point.entry.summary == "Two governor vacancies since the spring" and point.entry.school == point.visit.school
    assert point.visit.visited_on == point.entry.recorded_on and point.visit.state == Visit.State.SHARED
    assert not RiskRun.objects.filter(partnership=world.home, state=RiskRun.State.QUEUED).exists()
    assert all("Invented for the demo" in v.notes for v in Visit.objects.filter(partnership=world.home))

    officer = ctx.accounts[Role.OFFICER]
    overdue = selectors.visit_schedule(membership=officer, show="overdue")
    assert [r.school for r in overdue] == [point.visit.school]
    officer_home = client_for(officer.user).get(reverse("partnership:home")).content.decode()
    assert "school visits overdue" in officer_home
    assert "overdue visits to schools you are link adviser for" in officer_home
    assert [r.school for r in selectors.visit_schedule(membership=officer, show="all", mine=True)] == [
        point.visit.school,
        world.own_school,
    ]
    head_home = client_for(ctx.accounts[Role.HEADTEACHER].user).get(reverse("partnership:home")).content.decode()
    assert "notes of visit to read and respond to" in head_home
