"""The library of computed KPIs: each reads the imported data or the app's own records and returns one value per
period, with the comparator and where the number came from. An empty list means "no data yet".

Each computation is a few aggregate queries over one partnership (``values_list``, never model instances per
school); they run in the KPI refresh job, not in page requests. Periods are academic years by their ending
calendar year (2019 = 2018/19); snapshots of the register and of rounds are dated by the academic year they
were taken in.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from partnership.models import Partnership

IMPORT, RUN, REGISTER, RECORDS = "import", "run", "register", "records"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Point:
    """One period's computed value, its comparator (or None), and its source and how it was got."""

    period: int
    value: float
    comparator: float | None
    source: str
    detail: str


@dataclass(frozen=True)
class LibraryKpi:
    """A computed KPI's definition and the function that computes it for a partnership."""

    code: str
    title: str
    definition: str
    polarity: str
    unit: str
    source: str
    comparator: str
    default_target: float
    green_within: float
    amber_within: float
    compute: Callable[[Partnership], list[Point]]


def academic_year(day: dt.date) -> int:
    """The academic year ``day`` falls in, by its ending calendar year (September starts a new one)."""
    return day.year + 1 if day.month >= 9 else day.year


def _label(year: int) -> str:
    return f"{year - 1}/{str(year)[-2:]}"


def _area_values(partnership: Partnership, code: str) -> tuple[dict[int, float], dict[int, float], dict[int, str]]:
    """(LA by year, England by year, basis by year) of an area average; several LA codes are averaged."""
    from partnership.board.sources import area_average_rows

    la: dict[int, list[float]] = defaultdict(list)
    england: dict[int, float] = {}
    basis: dict[int, str] = {}
    for year, area, value, how in area_average_rows(partnership_id=partnership.pk, codes=[code]):
        if area == "england":
            england[year] = value
        elif area in (partnership.la_codes or []):
            la[year].append(value)
            basis[year] = how
    return {y: sum(v) / len(v) for y, v in la.items()}, england, basis


def _la_measure(code: str, what: str) -> Callable[[Partnership], list[Point]]:
    def compute(partnership: Partnership) -> list[Point]:
        la, england, basis = _area_values(partnership, code)
        how = {"published": "LA row as published", "school_mean": "mean of the LA's school rows"}
        return [
            Point(
                y,
                round(v, 1),
                england.get(y),
                IMPORT,
                f"{what} {_label(y)}: {how.get(basis.get(y, ''), basis.get(y, ''))}",
            )
            for y, v in sorted(la.items())
        ]

    return compute


def _ks2_vs_national(partnership: Partnership) -> list[Point]:
    la, england, _ = _area_values(partnership, "ks2_rwm_exp")
    return [
        Point(y, round(v - england[y], 1), 0.0, IMPORT, f"KS2 results {_label(y)}: LA minus England")
        for y, v in sorted(la.items())
        if y in england
    ]


def _ks2_disadvantage_gap(partnership: Partnership) -> list[Point]:
    dis, dis_e, _ = _area_values(partnership, "ks2_rwm_exp_disadv")
    non, non_e, _ = _area_values(partnership, "ks2_rwm_exp_nondisadv")
    points = []
    for y in sorted(set(dis) & set(non)):
        national = non_e[y] - dis_e[y] if y in dis_e and y in non_e else None
        points.append(
            Point(
                y,
                round(non[y] - dis[y], 1),
                national,
                IMPORT,
                f"KS2 results {_label(y)}: other pupils minus disadvantaged",
            )
        )
    return points


def _inspection_share(legacy: bool) -> Callable[[Partnership], list[Point]]:
    """Share of pupils in open schools whose latest inspection (of one framework, never merged) is good."""

    def compute(partnership: Partnership) -> list[Point]:
        from partnership.board.sources import latest_inspections_by_school, school_pupil_counts

        latest = latest_inspections_by_school(partnership_id=partnership.pk, legacy=legacy)
        if not latest:
            return []
        pupils = school_pupil_counts(partnership_id=partnership.pk, school_ids=list(latest))
        total = sum(pupils.get(pk, 0) for pk in latest)
        if not total:
            return []
        good = sum(pupils.get(pk, 0) for pk, is_good in latest.items() if is_good)
        year = academic_year(timezone.localdate())
        what = (
            "latest graded inspection judged good or outstanding"
            if legacy
            else "latest report card with no area below expected"
        )
        return [Point(year, round(100 * good / total, 1), None, IMPORT, f"Ofsted MI: {len(latest)} schools, {what}")]

    return compute


def _category_rounds(partnership: Partnership) -> list[tuple[int, str, dict[int, int], int]]:
    from partnership.board.sources import agreed_round_category_counts

    return agreed_round_category_counts(partnership_id=partnership.pk)


def _categories_3_4(partnership: Partnership) -> list[Point]:
    points: dict[int, Point] = {}
    for year, name, counts, _moved_up in _category_rounds(partnership):
        total = sum(counts.values())
        if total:
            share = 100 * sum(n for c, n in counts.items() if c >= 3) / total
            points[year] = Point(year, round(share, 1), None, RUN, f"{name}: {total} schools, agreed categories")
    return [points[y] for y in sorted(points)]


def _moved_up(partnership: Partnership) -> list[Point]:
    rounds = _category_rounds(partnership)
    points: dict[int, Point] = {}
    for (year, name, _counts, moved_up), _prev in zip(rounds[1:], rounds[:-1], strict=True):
        points[year] = Point(
            year, float(moved_up), None, RUN, f"{name}: schools in a higher category than the round before"
        )
    return [points[y] for y in sorted(points)]


def _isolated(partnership: Partnership) -> list[Point]:
    from partnership.board.sources import isolated_school_count

    year = academic_year(timezone.localdate())
    n = isolated_school_count(partnership_id=partnership.pk)
    return [
        Point(
            year,
            float(n),
            None,
            REGISTER,
            f"The register on {timezone.localdate():%-d %B %Y}: open state-funded schools in no cluster",
        )
    ]


def _other(name: str) -> Callable[[Partnership], list[Point]]:
    """A KPI computed from another app's records (``partnership.board.others``); an app that fails to answer
    leaves the KPI with no new value (logged), never the whole refresh failed."""

    def compute(partnership: Partnership) -> list[Point]:
        from partnership.board import others

        try:
            return getattr(others, name)(partnership)
        except Exception:
            logger.warning("KPI %s could not be computed for partnership %s", name, partnership.pk, exc_info=True)
            return []

    return compute


LIBRARY: dict[str, LibraryKpi] = {
    k.code: k
    for k in [
        LibraryKpi(
            "ks2_rwm_la",
            "KS2 reading, writing and maths: expected standard",
            "Percentage of pupils at the end of KS2 reaching the expected standard in reading, writing and maths (LA).",
            "higher",
            "percent",
            "DfE KS2 performance tables (LA summary row), England as comparator",
            "national",
            65.0,
            0.0,
            3.0,
            _la_measure("ks2_rwm_exp", "KS2 results"),
        ),
        LibraryKpi(
            "ks2_rwm_vs_national",
            "KS2 RWM expected standard against England",
            "The LA's KS2 RWM expected-standard percentage minus England's, in percentage points.",
            "higher",
            "points",
            "DfE KS2 performance tables (LA and England rows)",
            "national",
            0.0,
            0.0,
            2.0,
            _ks2_vs_national,
        ),
        LibraryKpi(
            "ks2_disadvantage_gap",
            "KS2 disadvantaged gap (RWM expected standard)",
            "Percentage-point gap in KS2 RWM expected standard between other pupils and disadvantaged pupils (LA).",
            "lower",
            "points",
            "DfE KS2 performance tables (disadvantaged columns)",
            "national",
            15.0,
            0.0,
            3.0,
            _ks2_disadvantage_gap,
        ),
        LibraryKpi(
            "ks4_att8_la",
            "KS4 Attainment 8",
            "Average Attainment 8 score per pupil at the end of KS4 (LA).",
            "higher",
            "score",
            "DfE KS4 performance tables (LA summary row), England as comparator",
            "national",
            50.0,
            0.0,
            2.0,
            _la_measure("ks4_att8", "KS4 results"),
        ),
        LibraryKpi(
            "ks4_p8_la",
            "KS4 Progress 8",
            "Average Progress 8 score at the end of KS4 (LA).",
            "higher",
            "score",
            "DfE KS4 performance tables (LA summary row)",
            "national",
            0.1,
            0.0,
            0.1,
            _la_measure("ks4_p8", "KS4 results"),
        ),
        LibraryKpi(
            "persistent_absence",
            "Persistent absence",
            "Percentage of pupil enrolments missing 10% or more of sessions (mean of the LA's schools).",
            "lower",
            "percent",
            "DfE absence file (school rows averaged), England as comparator",
            "national",
            10.0,
            0.0,
            2.0,
            _la_measure("abs_persistent", "Absence"),
        ),
        LibraryKpi(
            "inspection_expected_share",
            "Pupils in schools at least at the expected standard (report cards)",
            "Percentage of pupils in schools whose latest report-card inspection has no area below the expected "
            "standard.",
            "higher",
            "percent",
            "Ofsted management information (report-card grades only)",
            "target",
            90.0,
            0.0,
            5.0,
            _inspection_share(legacy=False),
        ),
        LibraryKpi(
            "inspection_legacy_good_share",
            "Pupils in good or outstanding schools (legacy grades)",
            "Percentage of pupils in schools whose latest graded inspection under the old framework was good or "
            "outstanding; never merged with report cards.",
            "higher",
            "percent",
            "Ofsted management information (legacy overall effectiveness 1–2)",
            "target",
            90.0,
            0.0,
            5.0,
            _inspection_share(legacy=True),
        ),
        LibraryKpi(
            "categories_3_4_share",
            "Schools in categories 3 and 4",
            "Percentage of categorised schools whose agreed category is 3 or 4 (each agreed categorisation round).",
            "lower",
            "percent",
            "Categorisation rounds agreed by the board",
            "last_year",
            10.0,
            0.0,
            3.0,
            _categories_3_4,
        ),
        LibraryKpi(
            "categories_moved_up",
            "Schools moved to a higher category",
            "Number of schools whose agreed category is higher than in the round agreed before.",
            "lower",
            "count",
            "Categorisation rounds agreed by the board",
            "last_year",
            5.0,
            0.0,
            5.0,
            _moved_up,
        ),
        LibraryKpi(
            "isolated_schools",
            "Isolated schools",
            "Number of open state-funded schools that belong to no cluster.",
            "lower",
            "count",
            "The school register and cluster memberships",
            "target",
            0.0,
            0.0,
            5.0,
            _isolated,
        ),
        LibraryKpi(
            "peer_reviewed_share",
            "Schools peer-reviewed this year",
            "Percentage of open state-funded schools with a completed peer review in the academic year.",
            "higher",
            "percent",
            "Peer-review records",
            "target",
            30.0,
            0.0,
            10.0,
            _other("kpi_peer_reviewed"),
        ),
        LibraryKpi(
            "support_days_delivered",
            "Support days delivered against needed",
            "Support days delivered as a percentage of the days agreed as needed in the year.",
            "higher",
            "percent",
            "Brokerage deployments",
            "target",
            90.0,
            0.0,
            10.0,
            _other("kpi_support_days"),
        ),
        LibraryKpi(
            "support_good_share",
            "Support rated good or better",
            "Percentage of completed support evaluated good or better by the school supported.",
            "higher",
            "percent",
            "Brokerage evaluations",
            "target",
            85.0,
            0.0,
            10.0,
            _other("kpi_support_good"),
        ),
    ]
}
