"""Reads of stored backtests, always through a membership (VIEW_RISK); another partnership's answers 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from partnership.models import Membership
from partnership.permissions import Permission, membership_can
from schools.risk.models import RiskBacktest


def risk_backtest_list(*, membership: Membership) -> QuerySet[RiskBacktest]:
    """Backtests of the membership's partnership, newest first, without their full reports (VIEW_RISK only)."""
    if not membership_can(membership, Permission.VIEW_RISK):
        return RiskBacktest.objects.none()
    return (
        RiskBacktest.objects.filter(partnership_id=membership.partnership_id)
        .select_related("created_by", "ruleset_version")
        .defer("report")
        .order_by("-created_at", "-pk")
    )


def access_risk_backtest(*, membership: Membership, pk: int) -> RiskBacktest:
    """One backtest of the membership's partnership, with its report; else 404."""
    backtest = (
        RiskBacktest.objects.filter(partnership_id=membership.partnership_id, pk=pk)
        .select_related("created_by", "ruleset_version")
        .first()
        if membership_can(membership, Permission.VIEW_RISK)
        else None
    )
    if backtest is None:
        raise Http404("No such backtest")
    return backtest
