"""Builders for backtest tests and for the ``world`` fixture's stored backtests (URL matrix, every-page test)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd

from partnership.models import Partnership
from schools.models import School
from schools.risk.engine.backtest import (
    YearFrames,
    backtest_year,
    definition_dict,
    graded_inspections,
    summary,
)
from schools.risk.models import RiskBacktest
from schools.risk.services import ruleset_version_active


def gaps(rows: list[tuple[int, int, str, float]]) -> pd.DataFrame:
    """A ``stage_gaps`` frame from (school_id, year, stage, gap) rows (national 60, value = 60 + gap)."""
    frame = pd.DataFrame(rows, columns=["school_id", "year", "stage", "gap"])
    return frame.assign(national=60.0, value=60.0 + frame["gap"])[
        ["school_id", "year", "stage", "value", "national", "gap"]
    ]


def categorised(categories: dict[int, tuple[int, int]]) -> pd.DataFrame:
    """An engine schools frame: school_id → (proposed_category, score)."""
    frame = pd.DataFrame(
        [(school_id, c, s) for school_id, (c, s) in categories.items()],
        columns=["school_id", "proposed_category", "score"],
    )
    return frame.set_index("school_id")


def register(rows: list[tuple[int, str, dt.date | None]]) -> pd.DataFrame:
    """The register's GIAS grades: (school_id, ofsted_rating, ofsted_last_inspection)."""
    return pd.DataFrame(rows, columns=["school_id", "ofsted_rating", "ofsted_last_inspection"])


# Gaps to national of the six sample schools in the as-at year and the next: a, b and d fall by 10 or more.
BEFORE = (5, -12, 3, -4, -20, 0)
AFTER = (-8, -25, 4, -15, -18, 1)


def _rows(ids: list[int], year: int, values: tuple[int, ...]) -> list[tuple[int, int, str, float]]:
    return [(i, year, "ks2", float(g)) for i, g in zip(ids, values, strict=True)]


def sample_year(school_ids: list[int], as_at: int = 2018) -> dict:
    """One as-at year's report for six schools: three declines, two later inspections, one earlier grade."""
    ids6 = school_ids[:6]
    a, b, c, d, e, f = ids6
    reg = register(
        [
            (a, "Good", dt.date(as_at - 2, 5, 1)),
            (b, "Requires improvement", dt.date(as_at + 1, 1, 10)),
            (c, "Good", dt.date(as_at + 1, 3, 10)),
        ]
    )
    indicators = pd.DataFrame(
        [
            (i, code, label, rating, True)
            for i in school_ids[:6]
            for code, label, rating in (
                ("S1", "Report-card standards areas", None),
                ("S2", "KS2 attainment (reading, writing and maths)", "G"),
            )
        ],
        columns=["school_id", "code", "label", "rating", "applicable"],
    )
    frames = YearFrames(
        as_at=as_at,
        categorised=categorised({a: (1, 0), b: (3, 6), c: (1, 1), d: (2, 3), e: (4, 9), f: (1, 0)}),
        indicators=indicators,
        gaps_before=gaps(_rows(ids6, as_at, BEFORE)),
        gaps_after=gaps(_rows(ids6, as_at, BEFORE) + _rows(ids6, as_at + 1, AFTER)),
        graded_before=graded_inspections(pd.DataFrame(), reg),
        graded_after=graded_inspections(pd.DataFrame(), reg),
        hidden={"values": 12, "averages": 0, "inspections": 0, "intelligence": 1, "intelligence_restored": 0},
    )
    return backtest_year(frames)


def stored_backtest(partnership: Partnership, *, years: tuple[int, ...] = (2017, 2018)) -> RiskBacktest:
    """A stored backtest of ``partnership`` whose report comes from the real calculations on literal frames."""
    ids = list(School.objects.filter(partnership=partnership).order_by("pk").values_list("pk", flat=True))
    ids = (ids + [10_000_000 + i for i in range(6)])[:6]
    reports = [sample_year(ids, as_at=year) for year in years]
    return RiskBacktest.objects.create(
        partnership=partnership,
        ruleset_version=ruleset_version_active(partnership=partnership),
        as_at_years=list(years),
        trigger=RiskBacktest.Trigger.COMMAND,
        summary=summary(reports),
        report={"definition": definition_dict(), "years": reports},
        seconds=0.4,
    )


def backtest_world(w: SimpleNamespace) -> SimpleNamespace:
    """A stored backtest in each partnership of ``world``, made once."""
    if not hasattr(w, "backtests"):
        w.backtests = SimpleNamespace(home=stored_backtest(w.home), other=stored_backtest(w.other))
    return w.backtests
