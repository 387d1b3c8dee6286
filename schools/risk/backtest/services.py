"""Running a backtest: the data as it was known at each as-at year, the engine, what happened next, a stored report.

For each as-at year ``Y`` (its ending year), the partnership's rows are read *as known on 31 August of Y*
(``risk_inputs_load`` leaves out what was published or recorded later), the engine categorises every school
with the partnership's active rule set, and the same schools' later results and inspections (as known a few
years on) say what happened next. The figures come from
``calculations.backtest_year``; one ``RiskBacktest`` row stores them all.

Synchronous: a partnership (one or a few LAs, hundreds of schools) takes about half a second per as-at year
(measured on Surrey's 416), so the page runs it on POST; partnerships above ``PAGE_MAX_SCHOOLS`` open schools
are sent to the command (ADR 0011).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable

import pandas as pd
from django.db.models import F, Q
from django.utils import timezone

from partnership.models import Partnership, User
from schools.models import AreaAverage, Inspection, PerformanceValue, School
from schools.risk import Ruleset, risk_compute
from schools.risk.engine.backtest import (
    DEFINITION,
    BacktestDefinition,
    YearFrames,
    backtest_year,
    definition_dict,
    graded_inspections,
    progress_frame,
    stage_gaps,
    summary,
    year_label,
)
from schools.risk.inputs import risk_inputs_load
from schools.risk.models import IntelligenceEntry, RiskBacktest
from schools.risk.services import ruleset_version_active, ruleset_version_ruleset

OWN_YEAR = PerformanceValue.Rank.OWN_YEAR.value
PAGE_MAX_SCHOOLS = 2000  # above this, running from the page could outlast a web request: use the command
MAX_YEARS = 10
SCORE_LABELS = {
    "points": "Risk score (indicator points)",
    "evidence": "Risk score (standard errors below national, with the indicator points)",
}


class BacktestError(Exception):
    """The backtest cannot run as asked; ``errors`` holds one plain sentence per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


# --------------------------------------------------------------------------------------------- which years


def backtest_years_available(*, partnership: Partnership, definition: BacktestDefinition = DEFINITION) -> list[int]:
    """As-at years that can be backtested: results published that year, and results for the next year on file."""
    own, any_source = _result_years(partnership, definition)
    return sorted(year for year in own if year + 1 in any_source)


def backtest_year_problems(
    *, partnership: Partnership, years: Iterable[int], definition: BacktestDefinition = DEFINITION
) -> list[str]:
    """One sentence per requested as-at year that cannot be backtested, saying why (empty: all can)."""
    own, any_source = _result_years(partnership, definition)
    stages = " or ".join(s.stage.upper() for s in definition.stages)
    problems = []
    for year in years:
        label = f"As at {year_label(year)}"
        if not 2000 <= year <= 2100:
            problems.append(f"{year} is not an academic year: give its ending year, like 2018 for 2017/18")
        elif year not in own and year in any_source:
            problems.append(
                f"{label}: the only {year_label(year)} results on file come from later files' previous-year "
                f"columns, which were not published by 31 August {year}. Import the {year - 1}-{year} files"
            )
        elif year not in own:
            problems.append(f"{label}: there are no {stages} results for {year_label(year)} to categorise from")
        elif year + 1 not in any_source:
            problems.append(
                f"{label}: there are no {stages} results for {year_label(year + 1)} to compare with, so nothing "
                "that happened next can be measured"
            )
    return problems


def _result_years(partnership: Partnership, definition: BacktestDefinition) -> tuple[set[int], set[int]]:
    """Years with headline results from the year's own file, and years with headline results from any file."""
    rows = (
        PerformanceValue.objects.filter(
            partnership=partnership, code__in=[s.code for s in definition.stages], value__isnull=False
        )
        .values_list("year", "source_rank")
        .distinct()
    )
    own, any_source = set(), set()
    for year, rank in rows:
        any_source.add(year)
        if rank == OWN_YEAR:
            own.add(year)
    return own, any_source


def backtest_page_refusal(*, partnership: Partnership) -> str:
    """Why the page will not run a backtest for ``partnership`` (too many schools to run while people wait), or ""."""
    schools = School.objects.filter(partnership=partnership).open().state_funded().count()
    if schools <= PAGE_MAX_SCHOOLS:
        return ""
    return (
        f"This partnership has {schools:,} open schools, more than the {PAGE_MAX_SCHOOLS:,} a backtest can run for "
        "while you wait. Ask an administrator to run: python manage.py risk_backtest "
        f"--partnership {partnership.slug}; the report then appears here."
    )


# --------------------------------------------------------------------------------------------- running


def risk_backtest_run(
    *,
    partnership: Partnership,
    years: Iterable[int] | None = None,
    trigger: str,
    created_by: User | None = None,
    definition: BacktestDefinition = DEFINITION,
) -> RiskBacktest:
    """Backtest ``years`` (default: every year that can be) and store the report; BacktestError when it cannot."""
    chosen = sorted(set(years)) if years else backtest_years_available(partnership=partnership, definition=definition)
    if not chosen:
        raise BacktestError(
            [
                "There are no two consecutive years of KS2 or KS4 results to compare: import the performance "
                "files of at least two consecutive years first"
            ]
        )
    if len(chosen) > MAX_YEARS:
        raise BacktestError([f"Choose at most {MAX_YEARS} as-at years at once"])
    problems = backtest_year_problems(partnership=partnership, years=chosen, definition=definition)
    if problems:
        raise BacktestError(problems)
    version = ruleset_version_active(partnership=partnership)
    ruleset = ruleset_version_ruleset(version=version)
    started = time.monotonic()
    reports = [
        backtest_year_compute(partnership=partnership, as_at=year, ruleset=ruleset, definition=definition)
        for year in chosen
    ]
    return RiskBacktest.objects.create(
        partnership=partnership,
        ruleset_version=version,
        as_at_years=chosen,
        trigger=trigger,
        created_by=created_by,
        summary=summary(reports),
        report={"definition": definition_dict(definition), "years": reports},
        seconds=round(time.monotonic() - started, 2),
    )


def backtest_year_compute(
    *, partnership: Partnership, as_at: int, ruleset: Ruleset, definition: BacktestDefinition = DEFINITION
) -> dict:
    """The figures of one as-at year (``calculations.backtest_year``), from the rows on file now."""
    as_at_date = dt.date(as_at, 8, 31)
    hidden = hidden_counts(partnership=partnership, as_at=as_at, on=as_at_date)
    before = risk_inputs_load(partnership=partnership, as_at=as_at, today=as_at_date, ruleset=ruleset)
    result = risk_compute(before, ruleset)
    after = risk_inputs_load(
        partnership=partnership,
        as_at=as_at + 1,
        today=dt.date(as_at + definition.inspection_years, 8, 31),
        ruleset=ruleset,
    )
    register = _register_grades(partnership, before.schools.index)
    frames = YearFrames(
        as_at=as_at,
        categorised=result.schools,
        indicators=result.indicators,
        gaps_before=stage_gaps(before.measures, before.averages, definition=definition),
        gaps_after=stage_gaps(after.measures, after.averages, definition=definition),
        graded_before=graded_inspections(before.inspections, register),
        graded_after=graded_inspections(after.inspections, register),
        hidden=hidden,
        progress_before=progress_frame(before.measures),
        progress_after=progress_frame(after.measures),
        score_label=SCORE_LABELS.get(ruleset.score.method, "Risk score"),
    )
    return backtest_year(frames, definition=definition)


def hidden_counts(*, partnership: Partnership, as_at: int, on: dt.date) -> dict[str, int]:
    """How many rows on file now the loader leaves out as unknown on ``on`` (``risk_inputs_load``'s rules): values
    and averages for ``as_at`` or earlier that only a later file gave, inspections published after ``on``, and
    intelligence recorded after ``on``; and entries archived since that counted then. For the report only."""
    end_of_day = timezone.make_aware(dt.datetime.combine(on, dt.time.max))
    later = Q(year__lte=as_at, source_rank__lt=F("year") + OWN_YEAR - as_at)
    return {
        "values": PerformanceValue.objects.filter(later, partnership=partnership).count(),
        "averages": AreaAverage.objects.filter(later, partnership=partnership).count(),
        "inspections": Inspection.objects.filter(
            partnership=partnership, start_date__lte=on, publication_date__gt=on
        ).count(),
        "intelligence": IntelligenceEntry.objects.filter(
            partnership=partnership, recorded_on__lte=on, created_at__gt=end_of_day, archived_at__isnull=True
        ).count(),
        "intelligence_restored": IntelligenceEntry.objects.filter(
            partnership=partnership, created_at__lte=end_of_day, archived_at__gt=end_of_day
        ).count(),
    }


def _register_grades(partnership: Partnership, school_ids: pd.Index) -> pd.DataFrame:
    """The register's latest GIAS inspection grade and date of the categorised schools (one query)."""
    rows = School.objects.filter(partnership=partnership, pk__in=list(school_ids)).values_list(
        "pk", "ofsted_rating", "ofsted_last_inspection"
    )
    return pd.DataFrame(list(rows), columns=["school_id", "ofsted_rating", "ofsted_last_inspection"])
