"""The backtest on the real Surrey files: GIAS 2021 and 2022 with the links, KS2 and KS4 for 2016/17 to 2018/19.

The imports take a few seconds. The figures themselves depend on the rule set and the engine, so the
assertions are about what must hold whatever they are: the years, the counts the files fix, the isolation, and
that every figure is either a number in range or "not computable" with a reason.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from schools.models import PerformanceValue
from schools.performance.service import performance_import
from schools.risk.backtest.services import backtest_years_available
from schools.risk.models import RiskBacktest
from tests.factories import PartnershipFactory
from tests.paths import GIAS_2021, GIAS_2022, GIAS_LINKS, KS2_2017, KS2_2018, KS2_2019, KS4_2017, KS4_2018, KS4_2019
from tests.schools.conftest import import_gias

FILES = (
    ("ks2", 2017, KS2_2017),
    ("ks4", 2017, KS4_2017),
    ("ks2", 2018, KS2_2018),
    ("ks4", 2018, KS4_2018),
    ("ks2", 2019, KS2_2019),
    ("ks4", 2019, KS4_2019),
)


@pytest.fixture
def surrey(db):
    """Surrey's real register and three years of its real KS2 and KS4 results."""
    surrey = PartnershipFactory(slug="surrey", name="Surrey Partnership", la_codes=["936"])
    for path in (GIAS_2021, GIAS_2022, GIAS_LINKS):
        import_gias(path, surrey)
    for kind, year, path in FILES:
        assert performance_import(partnership=surrey, kind=kind, year=year, path=path).ok
    return surrey


def test_risk_backtest_on_the_real_surrey_files(surrey):
    assert backtest_years_available(partnership=surrey) == [2017, 2018]
    out = StringIO()
    call_command("risk_backtest", "--partnership", "surrey", stdout=out)
    backtest = RiskBacktest.objects.get(partnership=surrey)
    assert backtest.as_at_years == [2017, 2018]
    text = out.getvalue()
    assert "As at 2016/17 (data known on 31 August 2017), outcomes in 2017/18:" in text
    assert "As at 2017/18 (data known on 31 August 2018), outcomes in 2018/19:" in text
    years = {year["as_at"]: year for year in backtest.report["years"]}
    for as_at, year in years.items():
        # Values for the as-at year or earlier that only the next files' previous-year columns carry were hidden.
        later = PerformanceValue.objects.filter(partnership=surrey, year__lte=as_at, year__gt=as_at - 3)
        expected = sum(1 for y, rank in later.values_list("year", "source_rank") if y + 3 - rank > as_at)
        assert year["hidden"]["values"] == expected > 0
        # 396 open state-funded schools since independent and non-maintained special schools are not (535cc2c).
        assert year["schools"] > 390 and sum(year["categories"].values()) == year["schools"]
        decline, inspection, banded = year["outcomes"]
        assert decline["by_stage"]["ks2"]["measured"] > 180 and decline["by_stage"]["ks4"]["measured"] > 50
        assert 20 < decline["positives"] < decline["measured"] / 2
        assert inspection["measured"] > 100, "the register's GIAS grades give later inspections"
        for outcome in (decline, inspection):
            for row in outcome["predictors"]:
                if row["value"] is None:
                    assert row["reason"], row
                else:
                    assert 0 <= row["low"] <= row["value"] <= row["high"] <= 1 and row["n"] > 0
        # The register keeps only each school's latest grade, so no school has one before and one after.
        baseline = next(p for p in inspection["predictors"] if p["key"] == "inspection")
        assert baseline["value"] is None and baseline["n"] == 0
        assert any("no inspection input for any school" in note for note in year["notes"])
    assert backtest.summary.keys() == {"2017", "2018"}
    # #14.7: the DfE's "below / well below average" progress bands the next year (reading or maths interval wholly
    # below zero), counted from the files: 52 of 219 schools in 2017/18, 59 of 220 in 2018/19.
    banded = {as_at: year["outcomes"][2] for as_at, year in years.items()}
    assert (banded[2017]["measured"], banded[2017]["positives"]) == (219, 52)
    assert (banded[2018]["measured"], banded[2018]["positives"]) == (220, 59)
    for outcome in banded.values():
        keys = [p["key"] for p in outcome["predictors"]]
        assert {"score", "category", "lowest_progress", "progress_two_years", "rwm"} <= set(keys)
        assert all(p["n"] > 200 for p in outcome["predictors"] if p["key"] in ("lowest_progress", "rwm"))
    assert "KS2 reading or maths progress banded below or well below average: Of the 219 schools" in text
    assert "AUC of its two-year mean alone: " in text
