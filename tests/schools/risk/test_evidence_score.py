"""The score (#14 item 7): evidence in standard errors below national, with the points as a tie-breaker.

Versions saved before it score by points; the default (``default-2``) weighs each school's latest result by how
sure it is (its published confidence interval), shrinks a small cohort's figure towards national, and adds a
quarter of the points, so schools in one category no longer tie.
"""

from __future__ import annotations

import math

import pytest

from schools.risk import DEFAULT_RULESET, ruleset_from_dict, ruleset_to_dict
from schools.risk.engine.ruleset import LEGACY_SECTIONS, ruleset_validate
from tests.schools.risk.builders import intel, ks2, measures, run, school, schools, series

Z = 1.959964


def _progress(school_id: int, read: float, half_width: float, cohort: float = 30, year: int = 2019) -> list:
    """KS2 rows: reading progress ``read`` with an interval of +/- ``half_width``, writing and maths 0 (+/- 1)."""
    return ks2(
        school_id,
        {year: 60.0},
        cohort=cohort,
        ks2_read_prog={year: read},
        ks2_read_prog_upper={year: read + half_width},
        ks2_read_prog_lower={year: read - half_width},
        ks2_writ_prog={year: 0.0},
        ks2_writ_prog_upper={year: 1.0},
        ks2_mat_prog={year: 0.0},
        ks2_mat_prog_upper={year: 1.0},
    )


def _expected(read: float, half_width: float, points: int) -> int:
    se = half_width / Z
    shrunk = read * 4 / (4 + se * se)  # shrink_sd 2
    return round(10 * (-(shrunk / se) + 0.25 * points))


def test_the_same_progress_counts_more_when_it_is_surer() -> None:
    # Both schools are 3 points below in reading (amber, 1 point): a big cohort's narrow interval is stronger
    # evidence than a small one's wide interval, so the tie in category and points is broken the right way.
    frame = measures(_progress(1, -3.0, 1.5, cohort=90), _progress(2, -3.0, 4.0, cohort=12))
    result = run(schools(school(1), school(2)), frame, as_at=2019)
    sure, unsure = result.schools.loc[1], result.schools.loc[2]
    assert sure["proposed_category"] == unsure["proposed_category"] and sure["points"] == unsure["points"] == 1
    assert sure["score"] == _expected(-3.0, 1.5, 1)
    assert unsure["score"] == _expected(-3.0, 4.0, 1)
    assert sure["score"] > unsure["score"]
    assert sure["evidence"] == pytest.approx(-min(-3.0 * 4 / (4 + (1.5 / Z) ** 2) / (1.5 / Z), 0.0))


def test_a_school_above_national_scores_below_zero_and_one_without_evidence_counts_as_national() -> None:
    above = {"ks2_read_prog": 2.0, "ks2_read_prog_upper": 4.0, "ks2_mat_prog": 1.0, "ks2_mat_prog_upper": 3.0}
    frame = measures(ks2(1, {2019: 70.0}, **{code: {2019: value} for code, value in above.items()}))
    entries = [intel(2, "finance", "amber")]
    result = run(schools(school(1), school(2, phase="Nursery")), frame, as_at=2019, intelligence=entries)
    assert result.schools.loc[1, "score"] < 0
    assert math.isnan(result.schools.loc[2, "evidence"])
    assert result.schools.loc[2, "score"] == round(10 * 0.25 * 1)  # only C4's amber point


def test_attainment_stands_in_where_progress_is_not_published() -> None:
    # 2024/25: no KS2 progress (no KS1 baseline). RWM 50% against 62% national, 30 pupils: 12 points over the
    # binomial standard error of 62% of 30 pupils.
    frame = measures(ks2(1, {2025: 50.0}))
    row = run(measures_frame=frame).schools.loc[1]
    se = 100 * math.sqrt(0.62 * 0.38 / 30)
    assert row["evidence"] == pytest.approx(12 / se)
    assert row["score"] == round(10 * (12 / se + 0.25 * row["points"]))


def test_versions_saved_before_the_score_existed_still_score_by_points() -> None:
    stored = ruleset_to_dict(DEFAULT_RULESET)
    for key in LEGACY_SECTIONS:
        stored.pop(key)
    legacy = ruleset_from_dict(LEGACY_SECTIONS | stored)
    assert legacy.score.method == "points" and not legacy.pooling.ks2_progress
    frame = measures(_progress(1, -3.0, 1.5, cohort=90), series(1, "abs_persistent", {2019: 30.0}))
    row = run(measures_frame=frame, as_at=2019, ruleset=legacy).schools.loc[1]
    assert row["score"] == row["points"]


def test_the_rule_set_documents_and_checks_the_weights() -> None:
    assert DEFAULT_RULESET.version == "default-2"
    assert DEFAULT_RULESET.score.method == "evidence"
    bad = ruleset_from_dict({}).__class__(
        score=DEFAULT_RULESET.score.__class__(method="vibes", points_weight=-1, shrink_sd=0)
    )
    errors = ruleset_validate(bad)
    assert "score.method: must be one of points, evidence (is 'vibes')" in errors
    assert "score.points_weight: must be at least 0 (is -1)" in errors
    assert "score.shrink_sd: must be above 0 (is 0)" in errors
