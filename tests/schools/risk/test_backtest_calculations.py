"""The backtest's arithmetic on small literal frames: AUC, ties, one class, outcomes, baselines, one whole year."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from schools.risk.engine.backtest import (
    DEFINITION,
    PREDICTORS,
    attainment_baseline,
    auc_compute,
    best_baseline,
    concern_capture,
    decline_outcomes,
    graded_inspections,
    inspection_outcomes,
    latest_grade,
    progress_band_outcomes,
    progress_baselines,
    progress_frame,
    progress_note,
    stage_gaps,
)
from tests.risk.backtest_helpers import gaps, register, sample_year


def _bool(values) -> pd.Series:
    return pd.Series(values, dtype="boolean")


def _pairwise_auc(predictor: list[float], outcome: list[bool]) -> float:
    """The definition of the AUC, pair by pair: P(positive ranked above negative), ties counting half."""
    pos = [p for p, y in zip(predictor, outcome, strict=True) if y]
    neg = [p for p, y in zip(predictor, outcome, strict=True) if not y]
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


# --------------------------------------------------------------------------------------------- AUC


@pytest.mark.parametrize(
    ("predictor", "outcome", "expected"),
    [
        ([1, 2, 3, 4], [False, False, True, True], 1.0),  # perfect
        ([4, 3, 2, 1], [False, False, True, True], 0.0),  # the wrong way round
        ([1, 2, 3, 4], [False, True, False, True], 0.75),  # 3 of 4 pairs in order
        ([1, 1, 1, 1], [True, False, True, False], 0.5),  # all tied: chance
        ([1, 2, 2, 3], [False, True, False, True], 0.875),  # one tied pair counts half: 3.5 / 4
    ],
)
def test_auc_known_values(predictor, outcome, expected):
    result = auc_compute(pd.Series(predictor, dtype="float64"), _bool(outcome))
    assert result.value == pytest.approx(expected)
    assert (result.n, result.positives, result.negatives) == (4, sum(outcome), 4 - sum(outcome))
    assert result.reason == ""
    assert 0.0 <= result.low <= result.value <= result.high <= 1.0


def test_auc_equals_the_pairwise_definition_on_random_data_with_ties():
    rng = np.random.default_rng(7)
    for _ in range(25):
        predictor = rng.integers(0, 6, size=40).astype(float).tolist()  # heavy ties, like categories and scores
        outcome = (rng.random(40) < 0.3).tolist()
        if not any(outcome) or all(outcome):
            continue
        result = auc_compute(pd.Series(predictor), _bool(outcome))
        assert result.value == pytest.approx(_pairwise_auc(predictor, outcome), abs=5e-4)


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        ([False, False, False], "none of the 3 schools declined, so there is nothing to rank"),
        ([True, True, True], "all 3 schools declined, so there is nothing to rank"),
    ],
)
def test_auc_with_one_class_only_is_not_computable_and_says_why(outcome, reason):
    result = auc_compute(pd.Series([1.0, 2.0, 3.0]), _bool(outcome), event="declined")
    assert result.value is None and result.low is None and result.high is None
    assert result.reason == reason


def test_auc_leaves_out_rows_missing_either_side_and_says_when_nothing_is_left():
    predictor = pd.Series([1.0, np.nan, 3.0, 4.0, 5.0])
    outcome = _bool([False, True, pd.NA, True, False])
    result = auc_compute(predictor, outcome)
    assert (result.n, result.positives, result.negatives) == (3, 1, 2)
    assert result.value == pytest.approx(0.5)  # 4 beats 1, loses to 5
    nothing = auc_compute(pd.Series([np.nan, 1.0]), _bool([True, pd.NA]))
    assert nothing.value is None and nothing.n == 0
    assert nothing.reason == "no school has both this value and a known outcome"


def test_auc_interval_narrows_with_more_schools():
    small = auc_compute(pd.Series([1.0, 2, 3, 4, 5, 6]), _bool([False, True, False, False, True, True]))
    big = auc_compute(pd.Series([1.0, 2, 3, 4, 5, 6] * 20), _bool([False, True, False, False, True, True] * 20))
    assert small.value == pytest.approx(big.value, abs=0.02)
    assert (big.high - big.low) < (small.high - small.low) / 3


def test_concern_capture_counts_the_share_of_positives_in_categories_3_and_4():
    category = pd.Series([1, 1, 2, 3, 4, 4, np.nan])
    outcome = _bool([True, False, True, True, False, True, True])
    capture = concern_capture(category, outcome)
    assert capture == {
        "schools": 6,
        "positives": 4,
        "flagged": 3,
        "positives_flagged": 2,
        "share_of_positives_flagged": 0.5,
        "share_flagged": 0.5,
        "rate_flagged": 0.667,
        "rate_not_flagged": 0.667,
    }
    none = concern_capture(pd.Series([1, 2]), _bool([False, False]))
    assert none["share_of_positives_flagged"] is None and none["rate_flagged"] is None


# --------------------------------------------------------------------------------------------- attainment


def _measures(rows):
    return pd.DataFrame(rows, columns=["school_id", "year", "code", "value", "missing"])


AVERAGES = pd.DataFrame(
    [
        (2018, "ks2_rwm_exp", "england", 64.0),
        (2019, "ks2_rwm_exp", "england", 65.0),
        (2018, "ks4_att8", "england", 46.5),
        (2019, "ks4_att8", "england", 46.7),
        (2019, "ks2_rwm_exp", "936", 70.0),  # an LA figure: never the national one
    ],
    columns=["year", "code", "area", "value"],
)


def test_stage_gaps_subtract_national_and_leave_out_small_cohorts_suppressed_values_and_years_without_national():
    measures = _measures(
        [
            (1, 2018, "ks2_rwm_exp", 70.0, ""),
            (1, 2018, "ks2_cohort", 30.0, ""),
            (2, 2018, "ks2_rwm_exp", 50.0, ""),
            (2, 2018, "ks2_cohort", 10.0, ""),  # below 11 pupils
            (3, 2018, "ks2_rwm_exp", np.nan, "SUPP"),
            (3, 2018, "ks2_cohort", 30.0, ""),
            (4, 2017, "ks2_rwm_exp", 60.0, ""),  # no national figure for 2017 here
            (4, 2017, "ks2_cohort", 30.0, ""),
            (5, 2019, "ks4_att8", 40.0, ""),
            (5, 2019, "ks4_cohort", 6.0, ""),  # 6 is enough at KS4
        ]
    )
    frame = stage_gaps(measures, AVERAGES, definition=DEFINITION)
    got = {(r.school_id, r.year, r.stage): r.gap for r in frame.itertuples()}
    assert got == {(1, 2018, "ks2"): pytest.approx(6.0), (5, 2019, "ks4"): pytest.approx(-6.7)}


def test_a_decline_is_a_fall_against_national_of_at_least_the_step_in_any_stage():
    frame = gaps(
        [
            (1, 2018, "ks2", 0.0),
            (1, 2019, "ks2", -10.0),  # exactly 10: a decline
            (2, 2018, "ks2", 0.0),
            (2, 2019, "ks2", -9.9),  # not quite
            (3, 2018, "ks4", 2.0),
            (3, 2019, "ks4", -3.0),  # 5 Attainment 8 points: a decline
            (4, 2018, "ks2", 0.0),
            (4, 2019, "ks2", 3.0),
            (4, 2018, "ks4", 0.0),
            (4, 2019, "ks4", -6.0),  # KS2 rose but KS4 fell: a decline
            (5, 2018, "ks2", 0.0),  # no 2019 result: no outcome
            (6, 2019, "ks2", -30.0),  # no 2018 result: no outcome
        ]
    )
    out = decline_outcomes(frame, as_at=2018, definition=DEFINITION)
    assert out["declined"].to_dict() == {1: True, 2: False, 3: True, 4: True, 5: None, 6: None}
    assert out.loc[4, "change_ks2"] == pytest.approx(3.0) and out.loc[4, "change_ks4"] == pytest.approx(-6.0)


def test_a_fall_of_exactly_the_step_counts_even_with_decimal_national_figures():
    measures = _measures(
        [
            (1, 2018, "ks4_att8", 50.0, ""),
            (1, 2018, "ks4_cohort", 100.0, ""),
            (1, 2019, "ks4_att8", 45.2, ""),  # -4.8 raw, but national rose 0.2: exactly -5 against national
            (1, 2019, "ks4_cohort", 100.0, ""),
        ]
    )
    frame = stage_gaps(measures, AVERAGES, definition=DEFINITION)
    assert decline_outcomes(frame, as_at=2018, definition=DEFINITION)["declined"].to_dict() == {1: True}


def test_last_years_attainment_ranks_within_each_key_stage_and_takes_the_worse():
    frame = gaps(
        [
            (1, 2018, "ks2", 10.0),
            (2, 2018, "ks2", -5.0),
            (3, 2018, "ks4", -1.0),
            (4, 2018, "ks4", -9.0),
            (4, 2018, "ks2", 20.0),  # an all-through school: its KS4 rank is the worse
            (5, 2019, "ks2", -50.0),  # another year: ignored
        ]
    )
    risk = attainment_baseline(frame, as_at=2018)
    assert risk.to_dict() == {1: pytest.approx(2 / 3), 2: 1.0, 3: 0.5, 4: 1.0}


# --------------------------------------------------------------------------------------------- inspections


def test_graded_inspections_keep_legacy_grades_only_and_map_gias_names():
    inspections = pd.DataFrame(
        [
            (1, "oeif", pd.Timestamp("2018-03-01"), 3.0),
            (2, "report_card", pd.Timestamp("2026-01-10"), np.nan),  # no overall grade: never converted
            (3, "ungraded", pd.Timestamp("2019-01-10"), np.nan),
            (4, "oeif", pd.Timestamp("2019-05-01"), 2.0),
        ],
        columns=["school_id", "framework", "start_date", "overall"],
    )
    reg = register(
        [
            (4, "Good", dt.date(2019, 5, 1)),  # the same inspection as Ofsted's row: kept once
            (5, "Special Measures", dt.date(2019, 6, 1)),
            (6, "", None),  # never inspected
            (7, "Serious Weaknesses", dt.date(2017, 1, 1)),
        ]
    )
    frame = graded_inspections(inspections, reg)
    got = sorted((r.school_id, r.date.date().isoformat(), r.grade, r.source) for r in frame.itertuples())
    assert got == [
        (1, "2018-03-01", 3, "ofsted"),
        (4, "2019-05-01", 2, "ofsted"),
        (5, "2019-06-01", 4, "register"),
        (7, "2017-01-01", 4, "register"),
    ]


def test_later_inspection_is_the_first_graded_one_in_the_window_and_the_baseline_the_last_before():
    graded = pd.DataFrame(
        [
            (1, pd.Timestamp("2016-01-01"), 2),
            (1, pd.Timestamp("2018-08-31"), 3),  # on the as-at date: before
            (1, pd.Timestamp("2019-02-01"), 3),
            (1, pd.Timestamp("2020-02-01"), 2),
            (2, pd.Timestamp("2018-09-01"), 2),
            (3, pd.Timestamp("2021-09-01"), 4),  # after the window
        ],
        columns=["school_id", "date", "grade"],
    )
    later = inspection_outcomes(graded, after=dt.date(2018, 8, 31), until=dt.date(2021, 8, 31))
    assert later["later_grade"].to_dict() == {1: 3.0, 2: 2.0}
    assert later["below_good"].to_dict() == {1: True, 2: False}
    assert latest_grade(graded, on=dt.date(2018, 8, 31)).to_dict() == {1: 3.0}


# --------------------------------------------------------------------------------------------- one year


def test_one_year_report_on_six_schools():
    report = sample_year([11, 12, 13, 14, 15, 16], as_at=2018)
    assert report["as_at"] == 2018 and report["outcome_year"] == 2019 and report["schools"] == 6
    assert report["categories"] == {"1": 3, "2": 1, "3": 1, "4": 1}
    decline = report["outcomes"][0]
    assert decline["key"] == "decline"
    assert (decline["measured"], decline["positives"], decline["negatives"]) == (6, 3, 3)
    assert decline["by_stage"] == {"ks2": {"measured": 6, "declines": 3}, "ks4": {"measured": 0, "declines": 0}}
    rows = {p["key"]: p for p in decline["predictors"]}
    # Declined: scores 0, 6, 3; did not: 1, 9, 0. Pairs won: 4 and one tie, of 9.
    assert rows["score"]["value"] == pytest.approx(0.5)
    assert rows["score"]["few"] is True
    # Only school 11 has a grade before the as-at date: one class, no AUC, and the reason.
    assert rows["inspection"]["value"] is None and rows["inspection"]["n"] == 1
    assert rows["inspection"]["reason"] == "all 1 schools declined, so there is nothing to rank"
    assert decline["capture"]["positives_flagged"] == 1 and decline["capture"]["positives"] == 3
    inspection = report["outcomes"][1]
    assert (inspection["measured"], inspection["positives"]) == (2, 1)  # 12 RI, 13 good after the as-at date
    assert {p["key"]: p["value"] for p in inspection["predictors"]}["score"] == pytest.approx(1.0)
    assert report["coverage"][0] == {"code": "S1", "label": "Report-card standards areas", "applicable": 6} | {
        "rated": 0,
        "missing": 6,
    }
    assert any("only 3 of 6 schools declined" in note for note in report["notes"])
    assert any("12 school values" in note for note in report["notes"])


# ---------------------------------------------------------------------------------------------- progress bands (#14.7)


def _progress(rows: list[tuple[int, int, float, float, float, float, float]]) -> pd.DataFrame:
    """progress_frame from (school, year, reading, reading upper, maths, maths upper, RWM %) rows."""
    codes = ("ks2_read_prog", "ks2_read_prog_upper", "ks2_mat_prog", "ks2_mat_prog_upper", "ks2_rwm_exp")
    long = [
        {"school_id": s, "year": y, "code": code, "value": v, "missing": ""}
        for s, y, *values in rows
        for code, v in zip(codes, values, strict=True)
    ]
    return progress_frame(pd.DataFrame(long))


def test_progress_banded_below_average_is_an_interval_wholly_below_zero_in_reading_or_maths():
    after = _progress(
        [
            (1, 2019, -3.0, -0.1, 1.0, 3.0, 60),  # reading interval below zero: banded below average
            (2, 2019, -3.0, 0.2, -2.0, 0.5, 60),  # both reach zero: average
            (3, 2019, 0.0, 2.0, -6.0, -2.0, 60),  # maths well below
            (4, 2018, -9.0, -5.0, -9.0, -5.0, 60),  # the as-at year itself is not the outcome
        ]
    )
    outcome = progress_band_outcomes(after, as_at=2018)
    assert outcome.to_dict() == {1: True, 2: False, 3: True}


def test_progress_baselines_are_last_years_lowest_score_its_two_year_mean_and_rwm():
    before = _progress(
        [
            (1, 2018, -3.0, 0.0, -1.0, 1.0, 55),
            (1, 2017, -5.0, 0.0, 2.0, 4.0, 50),
            (2, 2018, 1.0, 3.0, 2.0, 4.0, 70),  # one year on file: its mean is that year
        ]
    )
    base = progress_baselines(before, as_at=2018)
    assert base["lowest_progress"].to_dict() == {1: 3.0, 2: -1.0}
    assert base["progress_two_years"].to_dict() == {1: 4.0, 2: -1.0}
    assert base["rwm"].to_dict() == {1: -55.0, 2: -70.0}


def test_the_note_says_whether_the_score_beat_the_best_single_indicator_and_on_how_many_schools():
    def row(key, value, low, high, n=200, same=None):
        return {
            "key": key,
            "label": dict(PREDICTORS)[key],
            "value": value,
            "low": low,
            "high": high,
            "n": n,
            "score_same_schools": same,
        }

    same = {"value": 0.80, "low": 0.73, "high": 0.87}
    outcome = {
        "label": "KS2 reading or maths progress banded below or well below average",
        "predictors": [
            row("score", 0.81, 0.74, 0.88, n=220),
            row("lowest_progress", 0.78, 0.71, 0.86, same=same),
            row("progress_two_years", 0.79, 0.72, 0.87, n=217, same=same),
            row("rwm", 0.75, 0.67, 0.83, same=same),
        ],
    }
    assert best_baseline(outcome)["key"] == "progress_two_years"
    assert progress_note(outcome) == (
        "KS2 reading or maths progress banded below or well below average: on the 217 schools it could be computed "
        "for, the score's AUC is 0.80 against 0.79 for the best single indicator (its two-year mean alone), so the "
        "score ranked them better than it. The intervals overlap, so the difference is within chance."
    )
