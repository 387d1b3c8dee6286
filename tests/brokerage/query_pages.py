"""Brokerage pages for the query-count test: each call of an ``args`` function grows the brokerage data too
(providers, requests, deployments with visits, ledger entries), so the counts compare small and larger data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from brokerage import services
from brokerage.models import Provider, SupportRequest
from schools.models import School
from tests.brokerage.helpers import brokerage_world, head_of, objectives, signed_but_for_officer


def grown(w):
    """The brokerage world plus another batch of providers, requests and active deployments on each call."""
    b = brokerage_world(w)
    batch = getattr(w, "brokerage_batches", 0)
    w.brokerage_batches = batch + 1
    schools = list(School.objects.filter(partnership=w.home).exclude(pk=w.own_school.pk).order_by("pk")[:6])
    today = dt.date.today()
    for i, school in enumerate(schools[:3]):
        provider = services.provider_create(
            partnership=w.home,
            by=b.officer.user,
            kind=Provider.Kind.SYSTEM_LEADER,
            name=f"Grown {batch}-{i}",
            school=school,
            designation="lle",
            phases=["Primary"],
            days_offered=Decimal("10"),
            release_head_on=today,
            release_chair_on=today,
            specialisms=[b.reading, b.maths],
        )
        request = services.support_request_create(
            partnership=w.home,
            school=w.own_school,
            origin=SupportRequest.Origin.SCHOOL,
            by=None,
            need=f"Grown need {batch}-{i}",
            focus=b.maths,
        )
        services.support_request_transition(request=request, to="triaged", by=b.officer)
        deployment = services.deployment_create(
            partnership=w.home,
            provider=provider,
            school=w.own_school,
            by=b.officer.user,
            needs_analysis="x",
            start_on=today - dt.timedelta(days=3),
            end_on=today + dt.timedelta(days=30),
            days=Decimal("2"),
            objectives=objectives(),
            fund=b.fund,
        )
        signed_but_for_officer(deployment, b.officer, head_of(school), b.receiving_head)
        services.deployment_sign(deployment=deployment, party="officer", by=b.officer)
        services.visit_record(
            deployment=deployment,
            by=b.officer,
            visit_on=today - dt.timedelta(days=1),
            hours=Decimal("4"),
            activities="x",
            progress="y",
        )
    b.request.refresh_from_db()
    if b.request.state == "new":
        services.support_request_transition(request=b.request, to="triaged", by=b.officer)
    services.support_request_shortlist(request=b.request, by=b.officer)
    return b


BROKERAGE_PAGES = [
    ("brokerage:queue", lambda w: grown(w) and []),
    ("brokerage:mine", lambda w: grown(w) and []),
    ("brokerage:provider_list", lambda w: grown(w) and []),
    ("brokerage:provider_list?specialism=1&phase=Primary&available=on", lambda w: grown(w) and []),
    ("brokerage:provider_detail", lambda w: [grown(w).provider.pk]),
    ("brokerage:request_detail", lambda w: [grown(w).request.pk]),
    ("brokerage:deployment_list", lambda w: grown(w) and []),
    ("brokerage:deployment_detail", lambda w: [grown(w).deployment.pk]),
    ("brokerage:fund_list", lambda w: grown(w) and []),
    ("brokerage:ledger", lambda w: grown(w) and []),
    ("brokerage:summary", lambda w: grown(w) and []),
    ("brokerage:catalogue", lambda w: grown(w) and []),
    ("brokerage:deployment_create", lambda w: [grown(w).request.pk]),
    ("brokerage:export", lambda w: grown(w) and ["deployments", "xlsx"]),
]
BROKERAGE_OFFICER_ONLY = {
    "brokerage:queue",
    "brokerage:fund_list",
    "brokerage:ledger",
    "brokerage:summary",
    "brokerage:deployment_create",
    "brokerage:export",
}
