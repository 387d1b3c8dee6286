"""Days are reserved at signing under a row lock: twenty simultaneous signatures, real concurrent sessions."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from brokerage import selectors, services
from brokerage.models import Deployment, Provider
from partnership.models import Membership, Role
from tests import factories as f
from tests.brokerage.helpers import head_of, objectives, officer_of, signed_but_for_officer

SESSIONS = 20


@pytest.fixture(autouse=True)
def slow_reads(monkeypatch):
    """Hold each session a moment between reading what is committed and writing its signature, so that without
    the row lock the sessions would overlap and overcommit (checked: without ``select_for_update`` this fails)."""
    import time

    for name in ("provider_days_committed", "fund_committed"):
        real = getattr(selectors, name)

        def slow(*args, _real=real, **kwargs):
            value = _real(*args, **kwargs)
            time.sleep(0.05)
            return value

        monkeypatch.setattr(selectors, name, slow)


def _race(deployments: list[Deployment], officer: Membership) -> tuple[list[int], list[str]]:
    """Each deployment's last signature in its own thread (own database connection), all released at once."""
    barrier = threading.Barrier(len(deployments))
    signed: list[int] = []
    refused: list[str] = []
    backends: set[int] = set()
    lock = threading.Lock()

    def sign(deployment: Deployment) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            barrier.wait(timeout=30)
            try:
                services.deployment_sign(deployment=deployment, party="officer", by=officer)
                with lock:
                    signed.append(deployment.pk)
                    backends.add(pid)
            except ValidationError as error:
                with lock:
                    refused.append(" ".join(error.messages))
                    backends.add(pid)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(d,)) for d in deployments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(backends) == len(deployments), "every signature ran in its own database session"
    return signed, refused


def _setup(days_offered: Decimal, allocation: Decimal | None = None):
    partnership = f.PartnershipFactory(slug="race", name="Race Partnership")
    home_school = f.SchoolFactory(partnership=partnership, name="Home School")
    officer = officer_of(partnership)
    leader = f.UserFactory(email="race-leader@example.test")
    leader_member = Membership.objects.create(user=leader, partnership=partnership, roles=[Role.SYSTEM_LEADER])
    provider = services.provider_create(
        partnership=partnership,
        by=officer.user,
        kind=Provider.Kind.SYSTEM_LEADER,
        name="Racing Leader",
        user=leader,
        school=home_school,
        designation=Provider.Designation.SLE,
        phases=["Primary"],
        days_offered=days_offered,
        release_head_on=dt.date(2025, 9, 1),
        release_chair_on=dt.date(2025, 9, 1),
    )
    fund = (
        services.fund_create(
            partnership=partnership,
            by=officer.user,
            name="Small fund",
            kind="national",
            year=services.academic_year(dt.date.today()),
            allocation=allocation,
        )
        if allocation is not None
        else None
    )
    home_head = head_of(home_school)
    deployments = []
    for i in range(SESSIONS):
        school = f.SchoolFactory(partnership=partnership, name=f"Receiving School {i}")
        deployment = services.deployment_create(
            partnership=partnership,
            provider=provider,
            school=school,
            by=officer.user,
            needs_analysis="x",
            start_on=dt.date.today(),
            end_on=dt.date.today() + dt.timedelta(days=30),
            days=Decimal("1"),
            objectives=objectives(),
            day_rate=Decimal("400"),
            fee_percent=Decimal("0"),
            fund=fund,
        )
        signed_but_for_officer(deployment, leader_member, home_head, head_of(school))
        deployments.append(deployment)
    return provider, fund, officer, deployments


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_signatures_commit_exactly_the_three_free_days():
    provider, _, officer, deployments = _setup(Decimal("3"))
    signed, refused = _race(deployments, officer)
    assert len(signed) == 3
    assert len(refused) == SESSIONS - 3
    assert all("has 0 days free" in message for message in refused), refused[:3]
    year = services.academic_year(dt.date.today())
    assert selectors.provider_days_committed(provider_id=provider.pk, year=year) == Decimal(3)
    assert Deployment.objects.filter(provider=provider, state=Deployment.State.SIGNED).count() == 3
    assert Deployment.objects.filter(provider=provider, state=Deployment.State.DRAFT).count() == SESSIONS - 3


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_signatures_never_overcommit_the_fund():
    """Plenty of days, but a fund with £1,000 for £400 agreements: exactly two are signed."""
    _, fund, officer, deployments = _setup(Decimal("50"), allocation=Decimal("1000"))
    signed, refused = _race(deployments, officer)
    assert len(signed) == 2
    assert all("left uncommitted" in message for message in refused)
    assert selectors.fund_committed(fund_id=fund.pk) == Decimal("800.00")
