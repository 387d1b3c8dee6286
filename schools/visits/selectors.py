"""Reads of notes of visit, scoped by the membership: officers (RECORD_VISITS) see every visit of the partnership;
a school's head and chair (RESPOND_TO_VISITS) see their own school's visits once shared; anyone else sees none.
Another partnership's visit, an unshared draft for the school, or another school's visit answer 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from partnership.models import Membership, Role
from partnership.permissions import Permission, membership_can
from partnership.selectors import WorkItem
from schools.models import School
from schools.risk.models import CategorisationRound, SchoolCategory
from schools.risk.presenters import category_labels
from schools.risk.selectors import ruleset_version_current
from schools.visits.models import (
    FREQUENCY_DAYS,
    Frequency,
    LinkAdviser,
    Visit,
    VisitPoint,
    VisitResponse,
    VisitSettings,
)

S = Visit.State
AGREED_STATES = [CategorisationRound.State.AGREED, CategorisationRound.State.PUBLISHED]


def is_officer(membership: Membership) -> bool:
    """Records, shares and promotes notes of visit (officers and admins)."""
    return membership_can(membership, Permission.RECORD_VISITS)


def is_school_of(membership: Membership, school_id: int) -> bool:
    """The membership is the head or chair of ``school_id`` (RESPOND_TO_VISITS and tied to that school)."""
    return membership_can(membership, Permission.RESPOND_TO_VISITS) and membership.school_id == school_id


def visit_list(*, membership: Membership) -> QuerySet[Visit]:
    """Every visit the membership may see: all the partnership's (officers), or the own school's shared ones."""
    visits = Visit.objects.filter(partnership_id=membership.partnership_id)
    if is_officer(membership):
        return visits
    if membership_can(membership, Permission.RESPOND_TO_VISITS) and membership.school_id is not None:
        return visits.filter(school_id=membership.school_id).exclude(state=S.DRAFT)
    return Visit.objects.none()


def visit_list_page(*, membership: Membership, state: str = "") -> QuerySet[Visit]:
    """``visit_list`` for the officers' list: with school and visitor, counts of actions and responses, in
    ``state`` if it is one, newest first."""
    visits = visit_list(membership=membership)
    if state in S.values:
        visits = visits.filter(state=state)
    return (
        visits.select_related("school", "visitor")
        .annotate(action_count=Count("actions", distinct=True), response_count=Count("responses", distinct=True))
        .order_by("-visited_on", "-pk")
    )


def access_visit(*, membership: Membership, pk: int) -> Visit:
    """A visit the membership may see, with its school, people, actions, responses and promoted points; else 404."""
    visit = (
        visit_list(membership=membership)
        .filter(pk=pk)
        .select_related("school", "visitor", "shared_by", "created_by")
        .prefetch_related(
            "actions",
            Prefetch("responses", VisitResponse.objects.select_related("user")),
            Prefetch("points", VisitPoint.objects.select_related("entry", "created_by")),
        )
        .first()
    )
    if visit is None:
        raise Http404("No such visit")
    return visit


def access_visit_school(*, membership: Membership, urn: int) -> School:
    """The school whose visits the membership may see: any school of the partnership for officers, the own school
    for its head and chair; else 404."""
    school = School.objects.filter(partnership_id=membership.partnership_id, urn=urn).first()
    if school is None or not (is_officer(membership) or is_school_of(membership, school.pk)):
        raise Http404("No such school")
    return school


def school_visit_list(*, membership: Membership, school: School) -> list[Visit]:
    """The school's visits the membership may see, newest first, with their counts (one query)."""
    return list(
        visit_list(membership=membership)
        .filter(school=school)
        .select_related("visitor")
        .annotate(action_count=Count("actions", distinct=True), response_count=Count("responses", distinct=True))
        .order_by("-visited_on", "-pk")
    )


def adviser_choices(*, membership: Membership) -> list[tuple[int, str]]:
    """The partnership's current officers and admins who may be a school's link adviser: (user id, label)."""
    if not is_officer(membership):
        return []
    members = (
        Membership.objects.filter(
            partnership_id=membership.partnership_id,
            archived_at__isnull=True,
            roles__overlap=[Role.OFFICER, Role.ADMIN],
        )
        .select_related("user")
        .order_by("user__email")
    )
    return [(m.user_id, m.user.get_full_name() or m.user.email) for m in members]


def category_names(*, membership: Membership) -> dict[int, str]:
    """Category number → the name the partnership's rule set gives it ("Targeted"), for labels (one query)."""
    return {n: label.name for n, label in category_labels(ruleset_version_current(membership=membership)).items()}


def visit_settings_for(*, partnership_id: int) -> VisitSettings:
    """The partnership's visit frequencies (the defaults, unsaved, until someone changes them)."""
    found = VisitSettings.objects.filter(partnership_id=partnership_id).first()
    return found or VisitSettings(partnership_id=partnership_id)


@dataclass(frozen=True)
class ScheduleRow:
    """One school's place in the visit schedule."""

    school: School
    category: int | None
    frequency: str
    frequency_label: str
    last_visit_on: dt.date | None
    due_on: dt.date | None
    overdue: bool
    adviser_id: int | None = None
    adviser_email: str = ""

    @property
    def days_overdue(self) -> int:
        if self.due_on is None:
            return 0
        return max((timezone.localdate() - self.due_on).days, 0)


def due_date(
    *, frequency: str, last_visit_on: dt.date | None, agreed_on: dt.date | None
) -> tuple[dt.date | None, bool]:
    """When the next visit is due and whether it is overdue (today is past it). The interval runs from the last
    visit or, before any visit, from the day the category was agreed; a school with a routine frequency but no
    visit and no agreed date is overdue (it has never been visited)."""
    days = FREQUENCY_DAYS.get(frequency)
    if days is None:
        return None, False
    base = last_visit_on or agreed_on
    if base is None:
        return None, True
    due = base + dt.timedelta(days=days)
    return due, due < timezone.localdate()


def _latest_agreed() -> QuerySet[SchoolCategory]:
    """The school in ``OuterRef("pk")``'s rows in agreed rounds, its current one first."""
    return SchoolCategory.objects.filter(school=OuterRef("pk"), round__state__in=AGREED_STATES).order_by(
        "-round__agreed_on", "-round__pk"
    )


def _last_visit_on() -> Subquery:
    """The day of the latest visit to the school in ``OuterRef("pk")``."""
    return Subquery(Visit.objects.filter(school=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1])


def _overdue_counts(membership: Membership) -> tuple[int, int]:
    """(schools overdue, of which the member is link adviser), as ``visit_schedule``'s "overdue" rows would be,
    without building a row per school: the home page asks on every visit, and a regional partnership has thousands
    of schools (#15). One statement joins four set-based reads (the open state-funded schools; each school's
    current agreed category, one row per school by DISTINCT ON in ``_latest_agreed``'s order; its last visit; its
    link adviser), then one comparison per school here: correlated subqueries per school cost the database ~80 ms
    for 4,000 schools on every officer's home page, and a read per set cost the page three more queries."""
    pid = membership.partnership_id
    saved = VisitSettings.objects.filter(partnership_id=pid).first() or VisitSettings()
    today = timezone.localdate()
    cutoff: dict[int | None, dt.date] = {}  # a base before this is overdue; absent: no routine visits
    for category in (1, 2, 3, 4, None):
        days = FREQUENCY_DAYS.get(saved.frequency_for(category))
        if days is not None:
            cutoff[category] = today - dt.timedelta(days=days)
    if not cutoff:
        return 0, 0
    reads = {  # alias: (its columns, the read)
        "s": ("school_id", School.objects.filter(partnership_id=pid).open().state_funded().values("pk")),
        "a": (
            "school_id, category, agreed_on",
            SchoolCategory.objects.filter(school__partnership_id=pid, round__state__in=AGREED_STATES)
            .order_by("school_id", "-round__agreed_on", "-round__pk")
            .distinct("school_id")
            .values("school_id", "category", "round__agreed_on"),
        ),
        "v": (
            "school_id, last_on",
            Visit.objects.filter(school__partnership_id=pid)
            .order_by()
            .values("school_id")
            .annotate(last_on=Max("visited_on"))
            .values("school_id", "last_on"),
        ),
        "l": (
            "school_id, adviser_id",
            LinkAdviser.objects.filter(school__partnership_id=pid).values("school_id", "adviser_id"),
        ),
    }
    clauses: list[str] = []
    params: list[Any] = []  # the reads' own parameters, as the ORM made them
    for alias, (columns, queryset) in reads.items():
        text, values = queryset.query.sql_with_params()
        read = f"({text}) AS {alias}({columns})"
        clauses.append(f"FROM {read}" if alias == "s" else f"LEFT JOIN {read} ON {alias}.school_id = s.school_id")
        params.extend(values)
    statement = "SELECT a.category, a.agreed_on, v.last_on, l.adviser_id " + " ".join(clauses)
    every = mine = 0
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for category, agreed_on, last_on, adviser_id in cursor.fetchall():
            group = category if category in (1, 2, 3, 4) else None  # none agreed, or 0 (insufficient evidence)
            if group not in cutoff:
                continue
            base = last_on or agreed_on
            if base is None or base < cutoff[group]:
                every += 1
                mine += adviser_id == membership.user_id
    return every, mine


def _schedule(partnership_id: int, *, school_id: int | None = None) -> list[ScheduleRow]:
    """Every open state-funded school (or the one ``school_id``) with its latest agreed category, its last visit
    and the partnership's frequencies, in two queries: the schools, and the partnership's one settings row (read
    once: as five subqueries per school it cost more to build than to run, #15)."""
    latest = _latest_agreed()
    saved = VisitSettings.objects.filter(partnership_id=partnership_id).first() or VisitSettings()
    adviser = LinkAdviser.objects.filter(school=OuterRef("pk"))
    schools = School.objects.filter(partnership_id=partnership_id)
    schools = schools.filter(pk=school_id) if school_id is not None else schools.open().state_funded()
    schools = (
        schools.annotate(
            last_visit_on=_last_visit_on(),
            agreed_category=Subquery(latest.values("category")[:1]),
            agreed_on=Subquery(latest.values("round__agreed_on")[:1]),
            adviser_id=Subquery(adviser.values("adviser_id")[:1]),
            adviser_email=Subquery(adviser.values("adviser__email")[:1]),
        )
        .only("pk", "urn", "name", "partnership_id")
        .order_by("name")
    )
    defaults = VisitSettings()
    labels = dict(Frequency.choices)
    rows = []
    for school in schools:
        category = school.agreed_category or None  # type: ignore[attr-defined]  # 0: insufficient evidence
        known = category if category in (1, 2, 3, 4) else None
        frequency = saved.frequency_for(known) or defaults.frequency_for(known)
        last = school.last_visit_on  # type: ignore[attr-defined]
        due, overdue = due_date(frequency=frequency, last_visit_on=last, agreed_on=school.agreed_on)  # type: ignore[attr-defined]
        adviser_id, adviser_email = school.adviser_id, school.adviser_email or ""  # type: ignore[attr-defined]
        rows.append(
            ScheduleRow(school, category, frequency, labels[frequency], last, due, overdue, adviser_id, adviser_email)
        )
    return rows


def visit_schedule(*, membership: Membership, show: str = "overdue", mine: bool = False) -> list[ScheduleRow]:
    """Open state-funded schools with a routine visit frequency, the most overdue first: ``show`` is
    ``overdue``, ``soon`` (overdue or due within 30 days) or ``all`` (every school with a frequency); ``mine``: only
    the schools whose link adviser the member is. Officers only."""
    if not is_officer(membership):
        return []
    rows = _schedule(membership.partnership_id)
    rows = [r for r in rows if r.frequency != Frequency.NONE and (not mine or r.adviser_id == membership.user_id)]
    horizon = timezone.localdate() + dt.timedelta(days=30)
    if show == "overdue":
        rows = [r for r in rows if r.overdue]
    elif show == "soon":
        rows = [r for r in rows if r.overdue or (r.due_on is not None and r.due_on <= horizon)]
    return sorted(rows, key=lambda r: (not r.overdue, r.due_on or dt.date.min, r.school.name))


def school_schedule(*, membership: Membership, school: School) -> ScheduleRow | None:
    """The school's row of the schedule (officers only; None for anyone else)."""
    if not is_officer(membership):
        return None
    rows = _schedule(membership.partnership_id, school_id=school.pk)
    return rows[0] if rows else None


def overdue_count(*, membership: Membership) -> int:
    """How many schools' routine visits are overdue (officers only)."""
    return _overdue_counts(membership)[0] if is_officer(membership) else 0


def awaiting_response(*, membership: Membership) -> QuerySet[Visit]:
    """The own school's shared visits this person has not yet responded to (head and chair)."""
    if membership.school_id is None or not membership_can(membership, Permission.RESPOND_TO_VISITS):
        return Visit.objects.none()
    mine = VisitResponse.objects.filter(visit=OuterRef("pk"), user_id=membership.user_id)
    return visit_list(membership=membership).filter(~Exists(mine))


def home_work_items(*, membership: Membership) -> list[WorkItem]:
    """The home page's lines: overdue visits, the member's own link schools' first (officers, one query); notes to
    answer (head, chair)."""
    items: list[WorkItem] = []
    if is_officer(membership):
        every, mine = _overdue_counts(membership)
        due = reverse("visits:due")
        items.append(WorkItem(mine, "overdue visits to schools you are link adviser for", f"{due}?mine=1"))
        items.append(WorkItem(every, "school visits overdue", due))
    if membership.school_id is not None and membership_can(membership, Permission.RESPOND_TO_VISITS):
        waiting = awaiting_response(membership=membership).count()
        if waiting:
            urn = School.objects.filter(pk=membership.school_id).values_list("urn", flat=True).first()
            items.append(
                WorkItem(waiting, "notes of visit to read and respond to", reverse("visits:school", args=[urn]))
            )
    return items


def visit_sources(*, membership: Membership, school: School) -> dict[int, Visit]:
    """The visits that soft-intelligence entries of ``school`` were promoted from, by entry id (one query), for the
    entry's link back to its visit. Only visits the membership may see."""
    points = VisitPoint.objects.filter(
        visit__in=visit_list(membership=membership).filter(school=school)
    ).select_related("visit")
    return {p.entry_id: p.visit for p in points}


@dataclass(frozen=True)
class SchoolPanel:
    """What the school page shows of its visits."""

    visits: Sequence[Visit]
    schedule: ScheduleRow | None
    officer: bool
    waiting: int


def school_visit_panel(*, membership: Membership, school: School) -> SchoolPanel | None:
    """The school page's panel: recent visits, and for officers when the next is due; None for anyone who sees
    no visits of this school."""
    if not (is_officer(membership) or is_school_of(membership, school.pk)):
        return None
    visits = list(
        visit_list(membership=membership)
        .filter(school=school)
        .annotate(
            mine=Exists(VisitResponse.objects.filter(visit=OuterRef("pk"), user_id=membership.user_id)),
        )
        .order_by("-visited_on", "-pk")[:5]
    )
    officer = is_officer(membership)
    waiting = 0 if officer else sum(1 for v in visits if not v.mine)  # type: ignore[attr-defined]
    return SchoolPanel(visits, school_schedule(membership=membership, school=school), officer, waiting)
