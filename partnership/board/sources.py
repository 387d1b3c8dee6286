"""The board's reads of other apps' records (the register, performance data, inspections, rounds): aggregates
only, in a fixed number of queries whatever the number of schools. The KPI library and the dashboards use them;
the register and the risk app do not know the board exists.
"""

from __future__ import annotations

import importlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from schools.models import AreaAverage, Inspection, School
from schools.risk.models import CategorisationRound, SchoolCategory

REPORT_CARD_AREAS = [
    "rc_inclusion",
    "rc_curriculum_teaching",
    "rc_achievement",
    "rc_attendance_behaviour",
    "rc_personal_development",
    "rc_leadership_governance",
    "rc_early_years",
    "rc_post16",
]
BELOW_EXPECTED = ("needs_attention", "urgent")


def area_average_rows(*, partnership_id: int, codes: list[str]) -> list[tuple[int, str, float, str]]:
    """(year, area, value, basis) of the partnership's area averages for ``codes``, oldest first."""
    return list(
        AreaAverage.objects.filter(partnership_id=partnership_id, code__in=codes)
        .order_by("year", "area")
        .values_list("year", "area", "value", "basis")
    )


def latest_inspections_by_school(*, partnership_id: int, legacy: bool) -> dict[int, bool]:
    """Open schools' latest inspection of one framework (legacy graded or report card, never mixed): school id →
    good (legacy: overall 1–2; report card: no area below the expected standard)."""
    framework = Inspection.Framework.OEIF if legacy else Inspection.Framework.REPORT_CARD
    rows = (
        Inspection.objects.filter(
            partnership_id=partnership_id, framework=framework, school__isnull=False, school__status__startswith="Open"
        )
        .order_by("school_id", "-start_date", "-pk")
        .distinct("school_id")
    )
    if legacy:
        return {pk: overall in (1, 2) for pk, overall in rows.values_list("school_id", "overall") if overall}
    result: dict[int, bool] = {}
    for row in rows.values_list("school_id", *REPORT_CARD_AREAS):
        result[row[0]] = not any(grade in BELOW_EXPECTED for grade in row[1:])
    return result


def school_pupil_counts(*, partnership_id: int, school_ids: list[int]) -> dict[int, int]:
    """School id → number of pupils on roll (GIAS)."""
    rows = School.objects.filter(partnership_id=partnership_id, pk__in=school_ids, number_of_pupils__isnull=False)
    return {pk: pupils or 0 for pk, pupils in rows.values_list("pk", "number_of_pupils")}


def isolated_school_count(*, partnership_id: int) -> int:
    """Open state-funded schools in no current cluster."""
    return School.objects.filter(partnership_id=partnership_id).isolated().count()


def _agreed_rounds(partnership_id: int):
    return CategorisationRound.objects.filter(
        partnership_id=partnership_id, state__in=[CategorisationRound.State.AGREED, CategorisationRound.State.PUBLISHED]
    ).order_by("agreed_on", "created_at", "pk")


def agreed_round_category_counts(*, partnership_id: int) -> list[tuple[int, str, dict[int, int], int]]:
    """For each agreed round, oldest first: (academic year agreed, name, category → schools, schools in a higher
    category than before it), counting every school's current category once that round was agreed (#14.11: a
    termly or in-year review changes only its own schools; the others keep the category an earlier round set).
    Two queries whatever the number of rounds and schools."""
    from partnership.board.kpi_library import academic_year

    rounds = list(_agreed_rounds(partnership_id))
    rows = SchoolCategory.objects.filter(round__in=rounds).values_list("round_id", "school_id", "category")
    by_round: dict[int, dict[int, int]] = defaultdict(dict)
    for round_id, school_id, category in rows:
        by_round[round_id][school_id] = category
    result = []
    current: dict[int, int] = {}
    for r in rounds:
        previous = dict(current)
        current.update(by_round[r.pk])
        moved_up = sum(1 for school, c in by_round[r.pk].items() if school in previous and c > previous[school])
        day = r.agreed_on or r.created_at.date()
        result.append((academic_year(day), r.name, dict(Counter(current.values())), moved_up))
    return result


@dataclass
class RoundAggregate:
    """A round in aggregate: counts by category, district and phase, movement since the last agreed round, and
    academies of concern. Cells below ``suppress_below`` are None when suppression applies."""

    round: Any
    previous: Any
    categories: list[int]
    by_category: dict[int, int | None]
    by_district: list[tuple[str, list[int | None], int | None]]
    by_phase: list[tuple[str, list[int | None], int | None]]
    movement: list[tuple[int, int, int | None]]  # (from, to, schools)
    academies_of_concern: int | None
    total: int | None  # None when showing it would reveal a hidden count
    suppressed: bool
    notes: list[str] = field(default_factory=list)


SUPPRESS_BELOW = 3
"""Counts of 1 and 2 schools are not shown to people who may not see schools (they could identify a school)."""


def suppress(n: int, applies: bool) -> int | None:
    """``n``, or None when it is a small non-zero cell and suppression applies."""
    return None if applies and 0 < n < SUPPRESS_BELOW else n


def protect(
    cells: list[list[int]], *, row_totals_shown: list[bool], col_totals_shown: list[bool]
) -> tuple[list[list[bool]], list[bool], list[bool]]:
    """Which cells of a table to hide so that no hidden count can be worked out from the totals shown beside it.

    Primary suppression hides counts of 1 and 2. Then, in any row (or column) whose total is shown and that hides
    exactly one cell, the smallest other non-zero cell is hidden too (complementary suppression); where there is
    none, the total itself is hidden. Repeated until nothing changes. Returns (cells hidden, row totals hidden,
    column totals hidden); a total that is itself 1 or 2 counts as hidden already.
    """
    hidden = [[0 < v < SUPPRESS_BELOW for v in row] for row in cells]
    rows_hidden = [not shown for shown in row_totals_shown]
    cols_hidden = [not shown for shown in col_totals_shown]
    changed = True
    while changed:
        changed = False
        lines = [[(i, j) for j in range(len(cells[i]))] for i in range(len(cells))]
        lines_hidden: list[tuple[list[tuple[int, int]], list[bool], int]] = [
            (line, rows_hidden, i) for i, line in enumerate(lines)
        ]
        width = max((len(r) for r in cells), default=0)
        lines_hidden += [([(i, j) for i in range(len(cells))], cols_hidden, j) for j in range(width)]
        for line, totals_hidden, index in lines_hidden:
            if totals_hidden[index] or sum(hidden[i][j] for i, j in line) != 1:
                continue
            candidates = sorted((cells[i][j], i, j) for i, j in line if not hidden[i][j] and cells[i][j] > 0)
            if candidates:
                _, i, j = candidates[0]
                hidden[i][j] = True
            else:
                totals_hidden[index] = True
            changed = True
    return hidden, rows_hidden, cols_hidden


def latest_agreed_round(*, partnership_id: int) -> CategorisationRound | None:
    """The most recently agreed (or published) round, with its rule-set version."""
    return _agreed_rounds(partnership_id).select_related("run__ruleset_version").last()


def round_before(*, round_: CategorisationRound) -> CategorisationRound | None:
    """The agreed annual round before ``round_`` (the one movement is measured from: termly and in-year reviews
    between them are movement, not a new starting point)."""
    qs = _agreed_rounds(round_.partnership_id).exclude(pk=round_.pk).filter(kind=CategorisationRound.Kind.ANNUAL)
    if round_.agreed_on:
        qs = qs.filter(agreed_on__lte=round_.agreed_on)
    return qs.filter(created_at__lt=round_.created_at).last()


def categories_as_at(*, round_: CategorisationRound | None) -> QuerySet[SchoolCategory]:
    """Every school's category as it stood once ``round_`` was agreed (#14.11): its row in the latest agreed
    round up to ``round_`` that covers it, so a termly or in-year review changes only its own schools. A round
    not yet agreed is read alone (what the board is asked to agree). One row per school."""
    if round_ is None:
        return SchoolCategory.objects.none()
    if round_.state not in (CategorisationRound.State.AGREED, CategorisationRound.State.PUBLISHED):
        return SchoolCategory.objects.filter(round=round_)
    day = round_.agreed_on or round_.created_at.date()
    upto = Q(round__agreed_on__lt=day) | Q(round__agreed_on=day, round__created_at__lte=round_.created_at)
    latest = (
        SchoolCategory.objects.filter(
            upto,
            round__partnership_id=round_.partnership_id,
            round__state__in=[CategorisationRound.State.AGREED, CategorisationRound.State.PUBLISHED],
        )
        .order_by("school_id", "-round__agreed_on", "-round__created_at", "-round__pk")
        .distinct("school_id")
        .values("pk")
    )
    return SchoolCategory.objects.filter(pk__in=latest)


def _aggregate_notes(round_: CategorisationRound, previous: CategorisationRound | None, suppressed: bool) -> list[str]:
    notes: list[str] = []
    if suppressed:
        notes.append(
            f"Counts of 1 or 2 schools are not shown (“fewer than {SUPPRESS_BELOW}”), nor any other count or total "
            "that would let one be worked out, so no school can be identified."
        )
    if previous is None:
        notes.append("No annual round was agreed before this one, so there is no movement to show.")
    if round_.kind != CategorisationRound.Kind.ANNUAL and round_.is_agreed:
        notes.append(
            "Categories as they stand after this review: schools it did not cover keep the category an earlier"
            " round set."
        )
    return notes


def round_aggregate(*, round_: CategorisationRound, suppressed: bool) -> RoundAggregate:
    """``round_`` in aggregate (five queries whatever its size): by category, district and phase, the movement
    since the agreed round before it, and academies of concern."""
    threshold = int((round_.run.ruleset_version.config or {}).get("academy_concern_min_category", 3))
    rows = list(
        categories_as_at(round_=round_).values_list(
            "school_id", "category", "school__district", "school__phase", "assessment__academy_view"
        )
    )
    previous = round_before(round_=round_)
    # Asked even without an earlier round (an empty answer), so the page's query count never depends on history.
    before = dict(
        (categories_as_at(round_=previous) if previous else SchoolCategory.objects.filter(round_id=None)).values_list(
            "school_id", "category"
        )
    )
    categories = sorted({c for _, c, *_ in rows} | {1, 2, 3, 4})
    by_category = Counter(c for _, c, *_ in rows)
    district: dict[str, Counter] = defaultdict(Counter)
    phase: dict[str, Counter] = defaultdict(Counter)
    moves: Counter = Counter()
    academies = 0
    for school_id, category, dist, ph, academy_view in rows:
        district[dist or "Unknown"][category] += 1
        phase[ph or "Unknown"][category] += 1
        if school_id in before:
            moves[(before[school_id], category)] += 1
        if academy_view and category >= threshold:
            academies += 1

    # Complementary suppression (``protect``): a hidden count must not be recoverable from a total beside it.
    cat_counts = [by_category[c] for c in categories]
    cat_hidden, total_hidden, _ = (
        protect([cat_counts], row_totals_shown=[True], col_totals_shown=[False] * len(categories))
        if suppressed
        else ([[False] * len(categories)], [False], [])
    )
    column_shown = [not h for h in cat_hidden[0]]

    def table(groups: dict[str, Counter]) -> list[tuple[str, list[int | None], int | None]]:
        names = sorted(groups)
        cells = [[groups[n][c] for c in categories] for n in names]
        totals = [sum(row) for row in cells]
        if not suppressed:
            return [(n, list(row), t) for n, row, t in zip(names, cells, totals, strict=True)]
        hidden, rows_hidden, _ = protect(
            cells, row_totals_shown=[not (0 < t < SUPPRESS_BELOW) for t in totals], col_totals_shown=column_shown
        )
        return [
            (n, [None if h else v for v, h in zip(row, hid, strict=True)], None if rh else t)
            for n, row, hid, t, rh in zip(names, cells, hidden, totals, rows_hidden, strict=True)
        ]

    def movement_table() -> list[tuple[int, int, int | None]]:
        pairs = sorted(moves.items())
        if not suppressed or not pairs:
            return [(a, b, n) for (a, b), n in pairs]
        froms = sorted({a for (a, _), _ in pairs})
        cells = [[moves.get((a, b), 0) for b in categories] for a in froms]
        hidden, _, _ = protect(cells, row_totals_shown=[True] * len(froms), col_totals_shown=column_shown)
        hide = {(froms[i], categories[j]) for i in range(len(froms)) for j in range(len(categories)) if hidden[i][j]}
        return [(a, b, None if (a, b) in hide else n) for (a, b), n in pairs]

    notes = _aggregate_notes(round_, previous, suppressed)
    return RoundAggregate(
        round=round_,
        previous=previous,
        categories=categories,
        by_category={c: None if h else by_category[c] for c, h in zip(categories, cat_hidden[0], strict=True)},
        by_district=table(district),
        by_phase=table(phase),
        movement=movement_table(),
        academies_of_concern=suppress(academies, suppressed),
        total=None if total_hidden[0] else len(rows),
        suppressed=suppressed,
        notes=notes,
    )


def school_points(
    *, round_: CategorisationRound | None, partnership_id: int
) -> list[tuple[int, str, int, int, int | None]]:
    """Officers' map: (urn, name, easting, northing, agreed category or None) of open schools with a location."""
    schools = School.objects.filter(partnership_id=partnership_id, easting__isnull=False, northing__isnull=False).open()
    cats = dict(categories_as_at(round_=round_).values_list("school_id", "category")) if round_ else {}
    return [
        (urn, name, e, n, cats.get(pk))
        for pk, urn, name, e, n in schools.order_by("name").values_list("pk", "urn", "name", "easting", "northing")
    ]


def own_school_category(*, round_: CategorisationRound | None, school_id: int | None) -> int | None:
    """A head's own school's current published category (#14.11: from whichever round last published it, the
    annual round or a review of the school since; None when not categorised or ``round_`` is None)."""
    if round_ is None or school_id is None:
        return None
    return (
        SchoolCategory.objects.filter(
            round__partnership_id=round_.partnership_id,
            round__state=CategorisationRound.State.PUBLISHED,
            school_id=school_id,
        )
        .order_by("-round__agreed_on", "-round__created_at", "-round__pk")
        .values_list("category", flat=True)
        .first()
    )


def open_round_counts(*, partnership_id: int) -> dict[str, int]:
    """Rounds in draft (for the officers' work queue)."""
    return CategorisationRound.objects.filter(partnership_id=partnership_id).aggregate(
        draft=Count("pk", filter=Q(state=CategorisationRound.State.DRAFT)),
        agreed=Count("pk", filter=Q(state=CategorisationRound.State.AGREED)),
    )


def counts_in_one_query(**querysets: Any) -> dict[str, int]:
    """Count several querysets in one SQL statement (scalar subqueries), for pages with a query budget."""
    from django.db.models import IntegerField, Subquery, Value
    from django.db.models.functions import Coalesce

    from partnership.models import Partnership

    def counted(qs):
        grouped = qs.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("pk")).values("n")[:1]
        return Coalesce(Subquery(grouped, output_field=IntegerField()), 0)

    row = Partnership.objects.annotate(**{k: counted(v) for k, v in querysets.items()}).values(*querysets).first()
    return {k: int((row or {}).get(k) or 0) for k in querysets}


def optional_selector(module: str, function: str) -> Any | None:
    """Another app's selector, once it exists (peer review, brokerage, cluster health); None until then."""
    try:
        return getattr(importlib.import_module(module), function)
    except Exception:  # not there yet, or broken: the board shows "no data yet" rather than failing
        return None
