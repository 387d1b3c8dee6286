"""The board reads the other consumers' records through their selectors: cluster health's portfolio, brokerage's
value for money and support days, peer review's coverage. The board sits above them (none of them imports the
board), and it shows "no data yet" where they have nothing. Every figure is an aggregate; the board members' view
of cluster health is the level distribution, never a named cluster.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from partnership.board.kpi_library import RECORDS, Point, academic_year
from partnership.charts import Chart
from partnership.models import Membership, Partnership
from partnership.permissions import Permission, membership_can


def health_chart(*, membership: Membership) -> Chart | None:
    """Cluster health: officers see the heat map of clusters by strand, the board the level distribution."""
    if not membership_can(membership, Permission.VIEW_HEALTH_PORTFOLIO):
        return None
    from clusters.health import presenters, selectors

    named = membership_can(membership, Permission.VIEW_ALL_CLUSTERS)
    portfolio = selectors.health_portfolio(
        membership=membership, framework_id=None, today=timezone.localdate(), published_only=not named
    )
    checked = [r for r in portfolio.rows if r.latest is not None]
    if not checked or not portfolio.strands:
        return None
    grid = [[portfolio.consensus.get((r.latest.pk, d, s)) for r in checked] for d, s in portfolio.strands]  # type: ignore[union-attr]
    if named:
        return presenters.portfolio_heatmap(
            key="health-portfolio",
            clusters=[r.cluster.name for r in checked],
            strands=portfolio.strands,
            grid=grid,
            levels=portfolio.levels,
        )
    return presenters.portfolio_distribution(
        key="health-portfolio", strands=portfolio.strands, grid=grid, levels=portfolio.levels
    )


def _vfm_by_year(partnership_id: int) -> list[Any]:
    from brokerage.selectors import ledger_years, value_for_money

    return [
        value_for_money(partnership_id=partnership_id, year=y)
        for y in sorted(ledger_years(partnership_id=partnership_id))
    ]


def support_chart(*, membership: Membership) -> Chart | None:
    """Support days contracted (needed) against delivered, by year, for those who may see the support summary."""
    if not (
        membership_can(membership, Permission.VIEW_SUPPORT_SUMMARY)
        or membership_can(membership, Permission.VIEW_ALL_SCHOOLS)
    ):
        return None
    from partnership.board.figures import needed_delivered

    rows = [
        (f"{v.year - 1}/{str(v.year)[-2:]}", float(v.days_contracted), float(v.days_delivered))
        for v in _vfm_by_year(membership.partnership_id)
        if v.days_contracted or v.days_delivered
    ]
    if not rows:
        return None
    return needed_delivered(key="support-days", title="Support days agreed and delivered", rows=rows)


def brokerage_pack_rows(*, partnership_id: int) -> list[list[Any]] | None:
    """Value for money by year for the meeting pack (cost only where enough schools were supported)."""
    years = _vfm_by_year(partnership_id)
    if not years:
        return None
    rows: list[list[Any]] = [
        [
            "Year",
            "Schools supported",
            "Requests raised",
            "Days agreed",
            "Days delivered",
            "Cost per day",
            "Rated good or better",
        ]
    ]
    for v in years:
        small = v.suppressed
        rows.append(
            [
                f"{v.year - 1}/{str(v.year)[-2:]}",
                "fewer than 3" if small else v.schools_supported,
                v.needed,
                f"{v.days_contracted:.1f}",
                f"{v.days_delivered:.1f}",
                "" if small or v.cost_per_day is None else f"£{v.cost_per_day:,.0f}",
                "" if small or v.share_good is None else f"{100 * v.share_good:.0f}%",
            ]
        )
    return rows


def health_pack_rows(*, membership: Membership) -> list[list[Any]] | None:
    """Cluster health for the pack: per strand, the number of clusters at each level (no cluster named)."""
    if not membership_can(membership, Permission.VIEW_HEALTH_PORTFOLIO):
        return None
    from clusters.health import selectors

    portfolio = selectors.health_portfolio(
        membership=membership, framework_id=None, today=timezone.localdate(), published_only=True
    )
    checked = [r for r in portfolio.rows if r.latest is not None]
    if not checked or not portfolio.strands:
        return None
    rows: list[list[Any]] = [["Strand", *portfolio.levels]]
    for d, s in portfolio.strands:
        levels = [portfolio.consensus.get((r.latest.pk, d, s)) for r in checked]  # type: ignore[union-attr]
        rows.append([s, *[sum(1 for v in levels if v == i) for i in range(len(portfolio.levels))]])
    return rows


def kpi_support_days(partnership: Partnership) -> list[Point]:
    """Days delivered as a share of days agreed, per year with agreements."""
    return [
        Point(v.year, round(100 * float(v.days_delivered) / float(v.days_contracted), 1), None, RECORDS,
              f"Brokerage {v.year - 1}/{str(v.year)[-2:]}: {v.days_delivered:.1f} of {v.days_contracted:.1f} days")
        for v in _vfm_by_year(partnership.pk)
        if v.days_contracted
    ]  # fmt: skip


def kpi_support_good(partnership: Partnership) -> list[Point]:
    """Share of evaluated support rated good or better, per year with evaluations (not when suppressed)."""
    return [
        Point(v.year, round(100 * v.share_good, 1), None, RECORDS,
              f"Brokerage evaluations {v.year - 1}/{str(v.year)[-2:]}: {v.rated_good} of {v.evaluations}")
        for v in _vfm_by_year(partnership.pk)
        if v.share_good is not None and not v.suppressed
    ]  # fmt: skip


def kpi_peer_reviewed(partnership: Partnership) -> list[Point]:
    """Peer review's own figure: share of open schools reviewed, per academic year."""
    from peerreview.selectors import kpi_peer_reviewed_share

    this_year = academic_year(timezone.localdate())
    return [
        Point(int(y), float(v), None, RECORDS, f"Peer reviews held in {int(y) - 1}/{str(y)[-2:]}")
        for y, v in sorted(kpi_peer_reviewed_share(partnership_id=partnership.pk).items())
        if int(y) <= this_year
    ]


def work_queue_items(*, membership: Membership) -> list[tuple[int, str, str]]:
    """Officers' work from brokerage (requests waiting for the broker, visit records overdue) and peer review."""
    from django.urls import reverse

    from brokerage.models import SupportRequest
    from brokerage.selectors import overdue_visit_deployments
    from peerreview.selectors import work_queue_items as peer_review_items

    pid = membership.partnership_id
    waiting = [SupportRequest.State.NEW, SupportRequest.State.TRIAGED, SupportRequest.State.SHORTLISTED]
    queue = reverse("brokerage:queue")
    return [
        (
            SupportRequest.objects.filter(partnership_id=pid, state__in=waiting).count(),
            "Support requests waiting for brokerage",
            queue,
        ),
        (len(overdue_visit_deployments(partnership_id=pid)), "Support visits with records overdue", queue),
        *peer_review_items(membership=membership),
    ]
