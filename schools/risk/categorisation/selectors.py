"""Reads for categorisation rounds, ready for a page: every one scoped to the membership's partnership.

Officers (``VIEW_RISK``) see every round and school; a head or chair (``VIEW_OWN_CATEGORY``) sees only their
own school's categories in published rounds. Anything else answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from partnership.models import Membership, SchoolHoliday
from partnership.permissions import Permission, membership_can
from schools.models import School
from schools.risk.engine.assessment_text import COLUMNS as ASSESSMENT_COLUMNS
from schools.risk.engine.assessment_text import SCALARS
from schools.risk.engine.compute import INSUFFICIENT
from schools.risk.models import (
    CategorisationRound,
    CategoryDecision,
    CategoryReply,
    PublicationNotice,
    RiskAssessment,
    RiskRun,
    SchoolCategory,
)
from schools.risk.selectors import assessments_expand

State = CategorisationRound.State
Kind = CategorisationRound.Kind
AGREED_STATES = (State.AGREED, State.PUBLISHED)
TERMLY_MIN_CATEGORY = 3
"""A termly review covers the schools whose current published category is this or higher (3 and 4)."""
CURRENT_ORDER = ("-round__agreed_on", "-round__created_at", "-round__pk")
"""A school's rounds never overlap (no two open rounds cover one school), so the latest agreed is the current."""
ROUND_SCHOOL_ORDER = ("-category", "-assessment__score", "school__name", "pk")


def _officer(membership: Membership) -> None:
    if not membership_can(membership, Permission.VIEW_RISK):
        raise Http404("No such round")


def categorisation_round_list(*, membership: Membership) -> QuerySet[CategorisationRound]:
    """The partnership's rounds, newest first, with their run and counts of schools and referrals."""
    _officer(membership)
    return (
        CategorisationRound.objects.filter(partnership_id=membership.partnership_id)
        .select_related("run", "created_by")
        .annotate(
            n_schools=Count("schools"),
            n_referred=Count("schools", filter=Q(schools__status=SchoolCategory.Status.REFERRED)),
            n_changed=Count("schools", filter=~Q(schools__status=SchoolCategory.Status.PROPOSED)),
        )
        .order_by("-created_at", "-pk")
    )


def finished_runs(*, membership: Membership) -> QuerySet[RiskRun]:
    """The partnership's finished runs a round may start from, newest first."""
    _officer(membership)
    return (
        RiskRun.objects.filter(partnership_id=membership.partnership_id, state=RiskRun.State.SUCCEEDED)
        .select_related("ruleset_version")
        .order_by("-created_at", "-pk")
    )


def categorisation_round_open(*, membership: Membership) -> CategorisationRound | None:
    """The membership's partnership's annual or termly round that is not yet published, if any (officers only);
    in-year reviews of single schools may be open beside it."""
    _officer(membership)
    return (
        CategorisationRound.objects.filter(
            partnership_id=membership.partnership_id, kind__in=[Kind.ANNUAL, Kind.TERMLY]
        )
        .exclude(state=State.PUBLISHED)
        .first()
    )


def access_categorisation_round(*, membership: Membership, pk: int) -> CategorisationRound:
    _officer(membership)
    round_ = (
        CategorisationRound.objects.filter(partnership_id=membership.partnership_id, pk=pk)
        .select_related("run", "run__ruleset_version", "agreed_by", "published_by", "created_by")
        .first()
    )
    if round_ is None:
        raise Http404("No such round")
    return round_


# Not a status: the schools still at "insufficient evidence", waiting for an officer to categorise them (#14).
INSUFFICIENT_STATUS = "insufficient"


def round_school_list(*, round_: CategorisationRound, status: str = "") -> QuerySet[SchoolCategory]:
    """The round's schools, highest category first, with what the page's table shows; only those in ``status``
    when it is one of the statuses."""
    rows = (
        SchoolCategory.objects.filter(round=round_)
        .select_related("school")
        .annotate(n_replies=Count("replies"), n_open_replies=Count("replies", filter=Q(replies__answered_at=None)))
        .only(
            "pk",
            "round_id",
            "proposed_category",
            "category",
            "requested_category",
            "status",
            "assessment__score",
            "school__urn",
            "school__name",
            "school__phase",
            "school__district",
        )
        .order_by(*ROUND_SCHOOL_ORDER)
    )
    if status == INSUFFICIENT_STATUS:
        return rows.filter(category=INSUFFICIENT)
    return rows.filter(status=status) if status in SchoolCategory.Status.values else rows


def round_counts(*, round_: CategorisationRound) -> dict[str, dict]:
    """Schools per status and per (proposed, current) category pair, in two queries."""
    rows = SchoolCategory.objects.filter(round=round_)
    by_status = dict(rows.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    moves = {
        (proposed, category): n
        for proposed, category, n in rows.order_by()
        .values_list("proposed_category", "category")
        .annotate(n=Count("pk"))
        .values_list("proposed_category", "category", "n")
    }
    by_status[INSUFFICIENT_STATUS] = sum(n for (_, category), n in moves.items() if category == INSUFFICIENT)
    return {"status": by_status, "moves": moves}


def round_unsent_notices(*, round_: CategorisationRound) -> QuerySet[PublicationNotice]:
    """The round's publication emails not sent yet: those that could not be sent first, then those waiting."""
    return (
        PublicationNotice.objects.filter(round=round_)
        .exclude(state=PublicationNotice.State.SENT)
        .select_related("school")
        .order_by("state", "school__name", "email")  # "failed", then "skipped", then "waiting"
    )


def _with_log(queryset: QuerySet[SchoolCategory]) -> QuerySet[SchoolCategory]:
    return queryset.select_related(
        "school", "round", "round__run", "round__run__ruleset_version", "assessment", "assessment__run"
    ).prefetch_related(
        Prefetch(
            "decisions", queryset=CategoryDecision.objects.select_related("decided_by").order_by("decided_at", "pk")
        ),
        Prefetch("replies", queryset=CategoryReply.objects.select_related("author", "answered_by").order_by("pk")),
    )


def access_round_school(*, membership: Membership, round_pk: int, urn: int) -> SchoolCategory:
    """One school's category in a round, with its decision log and replies (officers; else 404)."""
    _officer(membership)
    sc = _with_log(
        SchoolCategory.objects.filter(
            round_id=round_pk, round__partnership_id=membership.partnership_id, school__urn=urn
        )
    ).first()
    if sc is None:
        raise Http404("No such school in this round")
    assessments_expand([sc.assessment])
    return sc


def access_reply(*, membership: Membership, pk: int) -> CategoryReply:
    _officer(membership)
    reply = (
        CategoryReply.objects.filter(pk=pk, school_category__round__partnership_id=membership.partnership_id)
        .select_related("school_category", "school_category__school", "school_category__round", "author")
        .first()
    )
    if reply is None:
        raise Http404("No such reply")
    return reply


@dataclass(frozen=True)
class OwnCategory:
    """What a head or chair sees: their school and its categories in published rounds, newest first."""

    school: School
    categories: list[SchoolCategory]

    @property
    def current(self) -> SchoolCategory | None:
        return self.categories[0] if self.categories else None


def own_category(*, membership: Membership) -> OwnCategory:
    """The membership's own school's published categories (VIEW_OWN_CATEGORY with a school; else 404)."""
    if not membership_can(membership, Permission.VIEW_OWN_CATEGORY) or membership.school_id is None:
        raise Http404("No school")
    school = School.objects.filter(pk=membership.school_id, partnership_id=membership.partnership_id).first()
    if school is None:
        raise Http404("No school")
    categories = list(
        _with_log(
            SchoolCategory.objects.filter(
                school=school, round__partnership_id=membership.partnership_id, round__state=State.PUBLISHED
            )
        ).order_by("-round__published_at", "-round__pk")[:20]
    )
    assessments_expand([sc.assessment for sc in categories[:1]])  # the current one's trace is shown
    return OwnCategory(school=school, categories=categories)


def school_category_history(*, membership: Membership, school: School) -> list[SchoolCategory]:
    """Every round's category of ``school`` with its decisions, newest first (officers)."""
    _officer(membership)
    return list(
        _with_log(
            SchoolCategory.objects.filter(school=school, round__partnership_id=membership.partnership_id)
        ).order_by("-round__created_at", "-round__pk")[:20]
    )


def current_categories(
    *, partnership_id: int, published_only: bool = False, as_at: dt.date | None = None
) -> QuerySet[SchoolCategory]:
    """Each school's current category (#14.11): its row in the latest agreed round that covers it, whatever the
    round's kind, so schools' current categories may come from different rounds (an annual round, then a termly
    review of categories 3–4, then an in-year review of one school). ``published_only`` for what schools and
    aggregates outside the LA may read (published rounds only); ``as_at`` for rounds agreed by that day.
    One row per school; safe to filter further (the latest row is chosen first, in a subquery)."""
    states = [State.PUBLISHED] if published_only else list(AGREED_STATES)
    rows = SchoolCategory.objects.filter(round__partnership_id=partnership_id, round__state__in=states)
    if as_at is not None:
        rows = rows.filter(round__agreed_on__lte=as_at)
    latest = rows.order_by("school_id", *CURRENT_ORDER).distinct("school_id").values("pk")
    return SchoolCategory.objects.filter(pk__in=latest).order_by("school_id")


def current_category_subquery(
    *, partnership_id: int, school_ref: str = "school_id", published_only: bool = False, field: str = "category"
) -> Subquery:
    """``current_categories``'s ``field`` for the school in ``OuterRef(school_ref)``, to annotate a queryset."""
    states = [State.PUBLISHED] if published_only else list(AGREED_STATES)
    rows = SchoolCategory.objects.filter(
        round__partnership_id=partnership_id, round__state__in=states, school_id=OuterRef(school_ref)
    ).order_by(*CURRENT_ORDER)
    return Subquery(rows.values(field)[:1])


def current_category_of(*, partnership_id: int, school_id: int, published_only: bool = False) -> SchoolCategory | None:
    """One school's current category row with its round, or None when no agreed round covers it."""
    return (
        current_categories(partnership_id=partnership_id, published_only=published_only)
        .filter(school_id=school_id)
        .select_related("round")
        .first()
    )


def schools_in_open_rounds(*, partnership_id: int, school_id: int | None = None) -> dict[int, CategorisationRound]:
    """School id → the open (draft or agreed) round that covers it (only ``school_id``'s when given)."""
    rows = SchoolCategory.objects.filter(round__partnership_id=partnership_id)
    if school_id is not None:
        rows = rows.filter(school_id=school_id)
    rows = (
        rows.exclude(round__state=State.PUBLISHED)
        .select_related("round")
        .only("school_id", "round__id", "round__name", "round__kind", "round__state")
    )
    return {row.school_id: row.round for row in rows}


def termly_scope_count(*, membership: Membership) -> int:
    """How many schools a termly review opened now would cover (current published category 3 or 4, less any
    already in an open round)."""
    _officer(membership)
    busy = SchoolCategory.objects.filter(round__partnership_id=membership.partnership_id).exclude(
        round__state=State.PUBLISHED
    )
    return (
        current_categories(partnership_id=membership.partnership_id, published_only=True)
        .filter(category__gte=TERMLY_MIN_CATEGORY)
        .exclude(school_id__in=busy.values("school_id"))
        .count()
    )


def access_reviewable_school(*, membership: Membership, urn: int) -> School:
    """A school of the membership's partnership an officer may open an in-year review of (else 404)."""
    if not membership_can(membership, Permission.CATEGORISE):
        raise Http404("No such school")
    school = School.objects.filter(partnership_id=membership.partnership_id, urn=urn).first()
    if school is None:
        raise Http404("No such school")
    return school


def last_agreed_round(*, partnership_id: int) -> CategorisationRound | None:
    """The partnership's most recently agreed round (agreed or published): "the last agreed categorisation"."""
    return (
        CategorisationRound.objects.filter(partnership_id=partnership_id, state__in=[State.AGREED, State.PUBLISHED])
        .order_by("-agreed_on", "-pk")
        .first()
    )


def last_agreed_round_for(*, membership: Membership) -> CategorisationRound | None:
    """``last_agreed_round`` of the membership's partnership, for pages (VIEW_RISK only: None without it)."""
    if not membership_can(membership, Permission.VIEW_RISK):
        return None
    return last_agreed_round(partnership_id=membership.partnership_id)


def school_holiday_list(*, membership: Membership, since) -> QuerySet[SchoolHoliday]:
    """The partnership's school holidays ending on or after ``since``, earliest first."""
    _officer(membership)
    return SchoolHoliday.objects.filter(partnership_id=membership.partnership_id, ends_on__gte=since).order_by(
        "starts_on", "pk"
    )


def access_school_holiday(*, membership: Membership, pk: int) -> SchoolHoliday:
    """One of the partnership's holidays, or 404."""
    _officer(membership)
    holiday = SchoolHoliday.objects.filter(partnership_id=membership.partnership_id, pk=pk).first()
    if holiday is None:
        raise Http404("No such holiday")
    return holiday


@dataclass(frozen=True)
class SchoolPageCategory:
    """A school's category as its school page shows it (#14.9): for officers, the current agreed category and the
    latest finished run's proposal when that run is newer than the round; for the school's own head or chair, the
    current published category only. ``shown`` is False for anyone else."""

    shown: bool
    officer: bool = False
    current: SchoolCategory | None = None
    proposal: RiskAssessment | None = None
    proposal_newer: bool = False


# What the school page never shows of an assessment or its run: the trace, and the run's lists and counts (a run an
# import asked for lists thousands of school ids). Left unread, a school page decodes no arrays or JSON it drops.
_ASSESSMENT_TRACE = ASSESSMENT_COLUMNS[SCALARS:]  # the full and the compact trace
_RUN_BULK = ("school_ids", "trace_codes", "counts", "errors", "message")


def school_page_category(*, membership: Membership, school: School) -> SchoolPageCategory:
    """What the school page says about ``school``'s category: at most three queries, whatever the data."""
    if school.partnership_id != membership.partnership_id:
        return SchoolPageCategory(shown=False)
    officer = membership_can(membership, Permission.VIEW_RISK)
    own = membership_can(membership, Permission.VIEW_OWN_CATEGORY) and membership.school_id == school.pk
    if not (officer or own):
        return SchoolPageCategory(shown=False)
    current = (
        current_categories(partnership_id=membership.partnership_id, published_only=not officer)
        .filter(school_id=school.pk)
        .select_related("round", "round__run", "round__run__ruleset_version", "assessment")
        .defer(*(f"assessment__{name}" for name in _ASSESSMENT_TRACE), *(f"round__run__{name}" for name in _RUN_BULK))
        .first()
    )
    if not officer:
        return SchoolPageCategory(shown=True, current=current)
    proposal = (
        RiskAssessment.objects.filter(
            school_id=school.pk, run__partnership_id=membership.partnership_id, run__state=RiskRun.State.SUCCEEDED
        )
        .select_related("run", "run__ruleset_version")
        .defer(*_ASSESSMENT_TRACE, *(f"run__{name}" for name in _RUN_BULK))
        .order_by("-run__created_at", "-run__pk")
        .first()
    )
    newer = proposal is not None and (current is None or proposal.run.created_at > current.round.run.created_at)
    return SchoolPageCategory(shown=True, officer=True, current=current, proposal=proposal, proposal_newer=newer)
