"""Reads for the board's pages, scoped to the membership's partnership and role; ``access_*`` answer 404 for
"does not exist" and "not yours" alike. Aggregates for people who may not see schools are suppressed here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from partnership.board import sources
from partnership.board.models import (
    Action,
    AgendaItem,
    Board,
    Decision,
    Declaration,
    Deliverable,
    Kpi,
    KpiRefresh,
    KpiValue,
    Meeting,
    MeetingPack,
    Paper,
    Priority,
    Strategy,
)
from partnership.models import BoardMember, Membership
from partnership.permissions import Permission, membership_can
from partnership.selectors import WorkItem


def sees_board(membership: Membership) -> bool:
    """Board members and officers see confidential items and papers."""
    return membership_can(membership, Permission.VIEW_BOARD)


def sees_schools(membership: Membership) -> bool:
    """Officers see individual schools on dashboards; everyone else sees suppressed aggregates."""
    return membership_can(membership, Permission.VIEW_ALL_SCHOOLS)


# ------------------------------------------------------------------------------------------ the board as a body


@dataclass(frozen=True)
class BoardOverview:
    """The board page: the body, its members with their standing, meetings and open actions."""

    board: Board | None
    members: list[BoardMember]
    upcoming: list[Meeting]
    recent: list[Meeting]
    open_actions: int
    current_declarations: int
    rounds_waiting: list[Any]


def board_overview(*, membership: Membership) -> BoardOverview:
    """Everything the board home page shows, in a fixed number of queries."""
    pid = membership.partnership_id
    today = timezone.localdate()
    members = [
        m
        for m in BoardMember.objects.filter(partnership_id=pid).select_related("standing").order_by("seat", "name")
        if m.is_current(today)
    ]
    meetings = Meeting.objects.filter(partnership_id=pid)
    from schools.risk.models import CategorisationRound

    return BoardOverview(
        board=Board.objects.filter(partnership_id=pid).first(),
        members=members,
        upcoming=list(meetings.filter(meets_on__gte=today, state=Meeting.State.SCHEDULED).order_by("meets_on")[:3]),
        recent=list(meetings.filter(meets_on__lt=today).order_by("-meets_on")[:3]),
        open_actions=Action.objects.filter(meeting__partnership_id=pid, status=Action.Status.OPEN).count(),
        current_declarations=Declaration.objects.filter(member__partnership_id=pid, ended_on__isnull=True).count(),
        rounds_waiting=list(
            CategorisationRound.objects.filter(partnership_id=pid, state=CategorisationRound.State.DRAFT).order_by(
                "-created_at"
            )
        ),
    )


def access_board_member(*, membership: Membership, pk: int) -> BoardMember:
    """A board seat of the membership's partnership; else 404."""
    return get_object_or_404(
        BoardMember.objects.select_related("standing"), pk=pk, partnership_id=membership.partnership_id
    )


def board_member_choices(*, partnership_id: int) -> QuerySet[BoardMember]:
    """The partnership's board members (for declaration forms)."""
    return BoardMember.objects.filter(partnership_id=partnership_id).order_by("name")


def declaration_register(*, membership: Membership) -> tuple[list[Declaration], list[Declaration]]:
    """Current and ended declared interests of the partnership's board members."""
    rows = list(
        Declaration.objects.filter(member__partnership_id=membership.partnership_id)
        .select_related("member", "school", "meeting")
        .order_by("member__name", "-declared_on")
    )
    return [d for d in rows if d.ended_on is None], [d for d in rows if d.ended_on is not None]


def declared_interests(*, partnership_id: int, on=None) -> list[dict[str, Any]]:
    """Interests in force on ``on`` (default today), for other apps (brokerage conflicts): one dict per interest
    with the member's name, user id (or None), the school id (or None), the organisation and the interest."""
    on = on or timezone.localdate()
    rows = Declaration.objects.filter(member__partnership_id=partnership_id, declared_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    )
    return [
        {
            "member": name,
            "user_id": user_id,
            "school_id": school_id,
            "organisation": org,
            "interest": interest,
            "kind": kind,
        }
        for name, user_id, school_id, org, interest, kind in rows.values_list(
            "member__name", "member__user_id", "school_id", "organisation", "interest", "kind"
        )
    ]


def school_conflicts(*, partnership_id: int, school_id: int, trust_name: str = "") -> list[dict[str, Any]]:
    """Board members with an interest in force in the school (or its trust, by organisation name)."""
    return [
        d
        for d in declared_interests(partnership_id=partnership_id)
        if d["school_id"] == school_id
        or (trust_name and d["organisation"].strip().lower() == trust_name.strip().lower())
    ]


# ------------------------------------------------------------------------------------------------------ meetings


def meeting_list(*, membership: Membership) -> QuerySet[Meeting]:
    """The partnership's meetings, newest first, with counts of decisions and open actions."""
    return Meeting.objects.filter(partnership_id=membership.partnership_id).annotate(
        decision_count=Count("decisions", distinct=True),
        open_actions=Count("actions", filter=Q(actions__status=Action.Status.OPEN), distinct=True),
    )


def access_meeting(*, membership: Membership, pk: int) -> Meeting:
    """A meeting of the membership's partnership; else 404."""
    return get_object_or_404(Meeting, pk=pk, partnership_id=membership.partnership_id)


@dataclass(frozen=True)
class MeetingView:
    """A meeting as the membership may see it (confidential agenda items and papers only for the board)."""

    meeting: Meeting
    agenda: list[AgendaItem]
    papers: list[Paper]
    hidden_items: int
    decisions: list[Decision]
    actions: list[Action]
    declarations: list[Declaration]
    packs: list[MeetingPack]


def meeting_view(*, membership: Membership, meeting: Meeting) -> MeetingView:
    """The meeting page's content in a fixed number of queries."""
    board = sees_board(membership)
    agenda = list(meeting.agenda.all())
    papers = list(meeting.papers.all())
    shown_agenda = [a for a in agenda if board or not a.confidential]
    return MeetingView(
        meeting=meeting,
        agenda=shown_agenda,
        papers=[p for p in papers if board or not p.confidential],
        hidden_items=len(agenda) - len(shown_agenda) + sum(1 for p in papers if p.confidential and not board),
        decisions=list(meeting.decisions.select_related("categorisation_round")),
        actions=list(meeting.actions.all()),
        declarations=list(meeting.declarations.select_related("member", "school")) if board else [],
        packs=list(meeting.packs.order_by("-created_at")[:5]) if board else [],
    )


def access_paper(*, membership: Membership, pk: int) -> Paper:
    """A paper of the partnership's meetings; a confidential one only for the board and officers; else 404."""
    paper = get_object_or_404(
        Paper.objects.select_related("meeting"), pk=pk, meeting__partnership_id=membership.partnership_id
    )
    if paper.confidential and not sees_board(membership):
        raise Http404
    return paper


def access_action(*, membership: Membership, pk: int) -> Action:
    """An action of the partnership's meetings; else 404."""
    return get_object_or_404(
        Action.objects.select_related("meeting"), pk=pk, meeting__partnership_id=membership.partnership_id
    )


def rounds_for_agreement(*, partnership_id: int) -> QuerySet[Any]:
    """Draft categorisation rounds a board decision may agree."""
    from schools.risk.models import CategorisationRound

    return CategorisationRound.objects.filter(partnership_id=partnership_id, state=CategorisationRound.State.DRAFT)


def access_round(*, membership: Membership, pk: int) -> Any:
    """A categorisation round of the membership's partnership (with its rule set); else 404."""
    from schools.risk.models import CategorisationRound

    return get_object_or_404(
        CategorisationRound.objects.select_related("run__ruleset_version"),
        pk=pk,
        partnership_id=membership.partnership_id,
    )


def round_aggregate(*, membership: Membership, round_: Any) -> sources.RoundAggregate:
    """The round the board is asked to agree, in aggregate; small cells suppressed for those who may not see
    schools."""
    return sources.round_aggregate(round_=round_, suppressed=not sees_schools(membership))


def held_meetings(*, partnership_id: int) -> list[Meeting]:
    """The latest meetings held (where a decision agreeing a round can be recorded)."""
    return list(
        Meeting.objects.filter(partnership_id=partnership_id, state=Meeting.State.HELD).order_by("-meets_on")[:5]
    )


def round_decision(*, round_: Any) -> Decision | None:
    """The board decision that agreed ``round_``, if any."""
    return Decision.objects.filter(categorisation_round=round_).select_related("meeting").first()


# -------------------------------------------------------------------------------------------------------- strategy


def current_strategy(*, partnership_id: int) -> Strategy | None:
    """The partnership's current strategy."""
    return Strategy.objects.filter(partnership_id=partnership_id, current=True).first()


@dataclass
class KpiRow:
    """A KPI with its latest and previous values (for the scorecard)."""

    kpi: Kpi
    values: list[KpiValue]
    latest: KpiValue | None = None
    previous: KpiValue | None = None

    def __post_init__(self) -> None:
        if self.values:
            self.latest = self.values[-1]
            self.previous = self.values[-2] if len(self.values) > 1 else None


@dataclass
class PlanPriority:
    """A priority on the plan on a page: its deliverables and KPIs."""

    priority: Priority
    deliverables: list[Deliverable]
    kpis: list[KpiRow]


@dataclass
class Plan:
    """Vision → priorities → deliverables → KPIs, plus KPIs tied to no priority."""

    strategy: Strategy | None
    priorities: list[PlanPriority] = field(default_factory=list)
    retired: list[Priority] = field(default_factory=list)
    other_kpis: list[KpiRow] = field(default_factory=list)


def _kpis(partnership_id: int) -> list[KpiRow]:
    kpis = (
        Kpi.objects.filter(partnership_id=partnership_id, archived_at__isnull=True)
        .select_related("priority")
        .prefetch_related(Prefetch("values", queryset=KpiValue.objects.order_by("period")))
    )
    return [KpiRow(kpi=k, values=list(k.values.all())) for k in kpis]


def plan_on_a_page(*, partnership_id: int) -> Plan:
    """The current strategy as a plan on a page, in a fixed number of queries."""
    strategy = current_strategy(partnership_id=partnership_id)
    rows = _kpis(partnership_id)
    if strategy is None:
        return Plan(strategy=None, other_kpis=rows)
    priorities = list(strategy.priorities.prefetch_related("deliverables"))
    by_priority: dict[int | None, list[KpiRow]] = {}
    for row in rows:
        by_priority.setdefault(row.kpi.priority_id, []).append(row)
    active = [p for p in priorities if p.active]
    return Plan(
        strategy=strategy,
        priorities=[PlanPriority(p, list(p.deliverables.all()), by_priority.get(p.pk, [])) for p in active],
        retired=[p for p in priorities if not p.active],
        other_kpis=[r for r in rows if r.kpi.priority_id is None or r.kpi.priority_id not in {p.pk for p in active}],
    )


def scorecard(*, partnership_id: int) -> list[KpiRow]:
    """Every live KPI with its values (latest last), in a fixed number of queries."""
    return _kpis(partnership_id)


def priority_choices(*, partnership_id: int) -> QuerySet[Priority]:
    """Active priorities of the current strategy."""
    return Priority.objects.filter(
        strategy__partnership_id=partnership_id, strategy__current=True, retired_at__isnull=True
    )


def access_priority(*, membership: Membership, pk: int) -> Priority:
    """A priority of the partnership's strategies; else 404."""
    return get_object_or_404(
        Priority.objects.select_related("strategy"), pk=pk, strategy__partnership_id=membership.partnership_id
    )


def access_deliverable(*, membership: Membership, pk: int) -> Deliverable:
    """A deliverable of the partnership's priorities; else 404."""
    return get_object_or_404(
        Deliverable.objects.select_related("priority__strategy"),
        pk=pk,
        priority__strategy__partnership_id=membership.partnership_id,
    )


def access_kpi(*, membership: Membership, pk: int) -> Kpi:
    """A KPI of the membership's partnership; else 404."""
    return get_object_or_404(
        Kpi.objects.select_related("priority", "partnership"), pk=pk, partnership_id=membership.partnership_id
    )


def kpi_values(*, kpi: Kpi) -> list[KpiValue]:
    """A KPI's values, oldest first, with who changed them."""
    return list(kpi.values.select_related("modified_by").order_by("period"))


def access_kpi_value(*, membership: Membership, pk: int) -> KpiValue:
    """A KPI value of the membership's partnership; else 404."""
    return get_object_or_404(
        KpiValue.objects.select_related("kpi"), pk=pk, kpi__partnership_id=membership.partnership_id
    )


def tracked_library_codes(*, partnership_id: int) -> set[str]:
    """Library KPIs the partnership already tracks."""
    return set(
        Kpi.objects.filter(partnership_id=partnership_id, archived_at__isnull=True)
        .exclude(library_code="")
        .values_list("library_code", flat=True)
    )


def latest_refresh(*, partnership_id: int) -> KpiRefresh | None:
    """The partnership's latest KPI refresh job."""
    return KpiRefresh.objects.filter(partnership_id=partnership_id).order_by("-created_at").first()


# ---------------------------------------------------------------------------------------------------------- packs


def access_pack(*, membership: Membership, pk: int) -> MeetingPack:
    """A meeting pack of the membership's partnership (without its files); else 404."""
    return get_object_or_404(
        MeetingPack.objects.select_related("meeting").defer("pdf", "xlsx"),
        pk=pk,
        partnership_id=membership.partnership_id,
    )


def pack_file(*, pack: MeetingPack, kind: str) -> bytes | None:
    """A built pack's PDF or XLSX bytes."""
    data = MeetingPack.objects.filter(pk=pack.pk).values_list(kind, flat=True).first()
    return bytes(data) if data is not None else None


# ------------------------------------------------------------------------------------------------------ dashboard


@dataclass
class DashboardData:
    """What the dashboard draws for one membership (suppressed aggregates unless it may see schools)."""

    aggregate: sources.RoundAggregate | None
    kpi_rows: list[KpiRow]
    points: list | None
    health: Any
    support: Any
    own_school: Any
    own_category: int | None
    suppressed: bool
    missing: list[str]


def dashboard(*, membership: Membership) -> DashboardData:
    """The dashboard's numbers: the latest agreed round (by district, phase, movement), KPI trends, other apps'
    portfolios where they offer them, and for officers the map of schools; a fixed number of queries."""
    pid = membership.partnership_id
    officer = sees_schools(membership)
    latest = sources.latest_agreed_round(partnership_id=pid)
    aggregate = sources.round_aggregate(round_=latest, suppressed=not officer) if latest else None
    missing = []
    if latest is None:
        missing.append("Categories: no categorisation round has been agreed yet.")
    from partnership.board import others

    health = others.health_chart(membership=membership)
    support = others.support_chart(membership=membership)
    if health is None:
        missing.append("Cluster health: no agreed health checks yet (or not yours to see).")
    if support is None:
        missing.append("Support needed and delivered: no brokerage agreements yet (or not yours to see).")
    own = membership.school if membership_can(membership, Permission.VIEW_OWN_SCHOOL) else None
    return DashboardData(
        aggregate=aggregate,
        kpi_rows=_kpis(pid),
        points=sources.school_points(round_=latest, partnership_id=pid) if officer else None,
        health=health,
        support=support,
        own_school=own,
        own_category=sources.own_school_category(round_=latest, school_id=own.pk if own else None),
        suppressed=not officer,
        missing=missing,
    )


# ---------------------------------------------------------------------------------------------------- work queue


def work_queue(*, membership: Membership) -> list[WorkItem]:
    """What waits for an officer: replies to answer, rounds in draft, failed imports and runs, board actions
    overdue, then other apps' items (brokerage requests, visits overdue, reviews) once they offer them."""
    if not membership_can(membership, Permission.MANAGE_BOARD):
        return []
    from schools.models import ImportJob
    from schools.risk.models import CategorisationRound, CategoryReply, RiskRun

    pid = membership.partnership_id
    since = timezone.now() - dt.timedelta(days=14)
    rounds = CategorisationRound.objects.filter(partnership_id=pid)
    counts = sources.counts_in_one_query(
        replies=CategoryReply.objects.filter(school_category__round__partnership_id=pid, answered_at__isnull=True),
        draft=rounds.filter(state=CategorisationRound.State.DRAFT),
        agreed=rounds.filter(state=CategorisationRound.State.AGREED),
        imports=ImportJob.objects.filter(partnership_id=pid, state=ImportJob.State.FAILED, created_at__gte=since),
        runs=RiskRun.objects.filter(partnership_id=pid, state=RiskRun.State.FAILED, created_at__gte=since),
        actions=Action.objects.filter(
            meeting__partnership_id=pid, status=Action.Status.OPEN, due_on__lt=timezone.localdate()
        ),
    )
    lines = [
        ("replies", "Schools' replies waiting for the panel's answer", "risk:round_list"),
        ("draft", "Categorisation rounds in draft", "risk:round_list"),
        ("agreed", "Agreed rounds not yet published", "risk:round_list"),
        ("imports", "Imports that failed in the last 14 days", "schools:import_list"),
        ("runs", "Risk runs that failed in the last 14 days", "risk:run_list"),
        ("actions", "Board actions overdue", "board:meeting_list"),
    ]
    items = [WorkItem(count=counts[key], text=text, href=reverse(url)) for key, text, url in lines]
    from partnership.board import others

    items += [WorkItem(count=c, text=t, href=h) for c, t, h in others.work_queue_items(membership=membership)]
    return [i for i in items if i.count]
