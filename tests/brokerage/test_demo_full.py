"""The brokerage part of the real Surrey demo, as ``make demo`` builds it (slow: builds the whole demo once)."""

from __future__ import annotations

from brokerage import selectors
from brokerage.models import Deployment, LedgerEntry, Provider, SupportRequest
from partnership.models import Membership, Role
from tests.partnership.test_demo import demo  # noqa: F401 - the module-scoped fixture that builds the demo


def test_the_demo_has_brokerage_for_every_role(demo, db):  # noqa: F811
    p = demo.partnership
    assert "Brokerage: " in demo.output
    states = set(SupportRequest.objects.filter(partnership=p).values_list("state", flat=True))
    assert {"new", "triaged", "shortlisted", "chosen", "agreed", "declined", "withdrawn"} <= states
    deployments = Deployment.objects.filter(partnership=p)
    active = deployments.filter(state="active")
    assert active.count() == 2 and all(d.visits.exists() for d in active)
    assert deployments.filter(state="evaluated").count() == 1
    head = Membership.objects.get(partnership=p, user__email="head@demo.test")
    assert active.filter(school=head.school).exists()
    leader = Membership.objects.get(partnership=p, user__email="system-leader@demo.test")
    assert active.filter(provider__user=leader.user).exists()
    assert all(pr.name.endswith("(demo)") for pr in Provider.objects.filter(partnership=p, kind="system_leader"))
    officer = Membership.objects.get(partnership=p, user__email="officer@demo.test")
    funds = selectors.fund_dashboard(membership=officer)
    assert sum(f.committed for f in funds) > 0  # type: ignore[attr-defined]
    assert LedgerEntry.objects.filter(partnership=p).count() >= 8
    assert Role.OFFICER in officer.roles
