"""A small brokerage world on top of the shared ``world`` fixture (made once per test, on demand)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from brokerage import services
from brokerage.models import Deployment, Provider, Specialism, SupportRequest
from partnership.models import Membership, Role
from tests import factories as f


def officer_of(partnership) -> Membership:
    """An officer membership (a fresh user) of ``partnership``."""
    user = f.UserFactory(email=f"broker-officer-{partnership.slug}@example.test")
    membership, _ = Membership.objects.get_or_create(
        user=user, partnership=partnership, defaults={"roles": [Role.OFFICER]}
    )
    return membership


def head_of(school, *, email: str | None = None) -> Membership:
    user = f.UserFactory(email=email or f"head-{school.urn}@example.test")
    membership, _ = Membership.objects.get_or_create(
        user=user, partnership=school.partnership, defaults={"roles": [Role.HEADTEACHER], "school": school}
    )
    return membership


def objectives() -> list[services.ObjectiveInput]:
    return [
        services.ObjectiveInput(
            text="Raise the quality of phonics teaching in Reception and Year 1",
            impact_measure="Phonics screening check pass rate",
            success_criteria="At least 80% pass the phonics check",
        )
    ]


def signed_but_for_officer(
    deployment: Deployment, provider_member: Membership, home_head: Membership, receiving_head: Membership
) -> None:
    """Three of the four signatures, so the officer's signature signs it."""
    services.deployment_sign(deployment=deployment, party="provider", by=provider_member)
    services.deployment_sign(deployment=deployment, party="home_head", by=home_head)
    services.deployment_sign(deployment=deployment, party="receiving_head", by=receiving_head)


def brokerage_world(w) -> SimpleNamespace:
    """Providers, requests, a fund and deployments in ``home`` (own school receives) and one of each in ``other``.

    The system leader's sign-in is ``system_leader@home.example.test``: ``make_member(world, "system_leader")``
    gets the same user, so the matrix's system leader is this provider.
    """
    if hasattr(w, "brokerage"):
        return w.brokerage
    b = SimpleNamespace()
    today = timezone.localdate()
    b.officer = officer_of(w.home)
    b.reading = Specialism.objects.create(partnership=w.home, name="Early reading")
    b.maths = Specialism.objects.create(partnership=w.home, name="Mathematics")
    leader_user = f.UserFactory(email="system_leader@home.example.test", full_name="Sam Leader (demo)")
    b.provider = services.provider_create(
        partnership=w.home,
        by=b.officer.user,
        kind=Provider.Kind.SYSTEM_LEADER,
        name="Sam Leader (demo)",
        user=leader_user,
        school=w.cluster_school,
        designation=Provider.Designation.SLE,
        designated_on=dt.date(2023, 9, 1),
        phases=["Primary"],
        days_offered=Decimal("20"),
        release_head_on=dt.date(2025, 9, 1),
        release_chair_on=dt.date(2025, 9, 2),
        specialisms=[b.reading],
    )
    # unsaved: the matrix's make_member(world, "system_leader") creates this user's real membership
    b.provider_member = Membership(user=leader_user, partnership=w.home, roles=[Role.SYSTEM_LEADER])
    b.home_head = head_of(w.cluster_school)
    b.receiving_head = head_of(w.own_school, email="receiving-head@example.test")
    b.fund = services.fund_create(
        partnership=w.home,
        by=b.officer.user,
        name="LA intervention budget",
        kind="la_intervention",
        year=services.academic_year(today),
        allocation=Decimal("20000"),
    )
    b.request = services.support_request_create(
        partnership=w.home,
        school=w.own_school,
        origin=SupportRequest.Origin.SCHOOL,
        by=b.receiving_head.user,
        need="Phonics outcomes fell two years running; we need help with early reading.",
        focus=b.reading,
        days_wanted=Decimal("4"),
    )
    b.deployment = services.deployment_create(
        partnership=w.home,
        provider=b.provider,
        school=w.own_school,
        by=b.officer.user,
        needs_analysis="Phonics results below national for two years.",
        start_on=today - dt.timedelta(days=30),
        end_on=today + dt.timedelta(days=120),
        days=Decimal("4"),
        objectives=objectives(),
        fund=b.fund,
    )
    signed_but_for_officer(b.deployment, b.provider_member, b.home_head, b.receiving_head)
    services.deployment_sign(deployment=b.deployment, party="officer", by=b.officer)
    b.visit = services.visit_record(
        deployment=b.deployment,
        by=b.provider_member,
        visit_on=today - dt.timedelta(days=1),
        hours=Decimal("5"),
        activities="Observed phonics sessions; met the English lead.",
        progress="Objective 1: baseline agreed.",
    )
    b.deployment.refresh_from_db()

    def own_request(need: str) -> SupportRequest:
        made = services.support_request_create(
            partnership=w.home,
            school=w.own_school,
            origin=SupportRequest.Origin.SCHOOL,
            by=b.receiving_head.user,
            need=need,
            focus=b.reading,
            days_wanted=Decimal("2"),
        )
        return services.support_request_transition(request=made, to="triaged", by=b.officer)

    b.triaged = own_request("Triaged need (test)")
    b.shortlisted = services.support_request_shortlist(request=own_request("Shortlisted need (test)"), by=b.officer)
    b.chosen = services.support_request_choose(
        request=services.support_request_shortlist(request=own_request("Chosen need (test)"), by=b.officer),
        provider=b.provider,
        by=b.officer,
    )
    b.invitation = Provider.objects.create(
        partnership=w.home,
        kind=Provider.Kind.SUPPORT_SCHOOL,
        name=w.own_school.name,
        school=w.own_school,
        status=Provider.Status.INVITED,
    )
    b.draft = services.deployment_create(
        partnership=w.home,
        provider=b.provider,
        school=w.own_school,
        by=b.officer.user,
        needs_analysis="A second piece of work.",
        start_on=today,
        end_on=today + dt.timedelta(days=60),
        days=Decimal("2"),
        objectives=objectives(),
    )
    # the other partnership
    other_officer = officer_of(w.other)
    b.other_provider = services.provider_create(
        partnership=w.other,
        by=other_officer.user,
        kind=Provider.Kind.TRUST,
        name="Camden Trust support",
        days_offered=Decimal("10"),
        phases=["Primary"],
    )
    b.other_request = services.support_request_create(
        partnership=w.other,
        school=w.other_school,
        origin=SupportRequest.Origin.OFFICER,
        by=other_officer.user,
        need="Governance review.",
    )
    b.other_fund = services.fund_create(
        partnership=w.other,
        by=other_officer.user,
        name="Camden fund",
        kind="national",
        year=services.academic_year(today),
        allocation=Decimal("5000"),
    )
    b.other_deployment = services.deployment_create(
        partnership=w.other,
        provider=b.other_provider,
        school=w.other_school,
        by=other_officer.user,
        needs_analysis="x",
        start_on=today,
        end_on=today,
        days=Decimal("1"),
        objectives=objectives(),
    )
    other_signers = [
        Membership(
            user=f.UserFactory(email=f"other-{n}@example.test"),
            partnership=w.other,
            roles=[Role.HEADTEACHER],
            school=w.other_school,
        )
        for n in range(2)
    ]
    services.deployment_sign(deployment=b.other_deployment, party="provider", by=other_officer)
    services.deployment_sign(deployment=b.other_deployment, party="home_head", by=other_officer)
    services.deployment_sign(deployment=b.other_deployment, party="receiving_head", by=other_signers[0])
    services.deployment_sign(deployment=b.other_deployment, party="officer", by=other_officer)
    b.other_visit = services.visit_record(
        deployment=b.other_deployment,
        by=other_officer,
        visit_on=today,
        hours=Decimal("3"),
        activities="x",
        progress="x",
    )
    w.brokerage = b
    return b
