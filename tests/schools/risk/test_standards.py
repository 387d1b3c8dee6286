"""Standards indicators S1-S8 on small literal frames: each rule, each boundary, each fallback and its sentence."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.schools.risk.builders import (
    averages,
    indicator,
    inspection,
    ks2,
    measures,
    run,
    school,
    schools,
    series,
)

# ---------------------------------------------------------------------------------------------- S1


@pytest.mark.parametrize(
    ("grades", "expected"),
    [
        ({}, "G"),
        ({"rc_achievement": "needs_attention"}, "A"),
        ({"rc_inclusion": "needs_attention", "rc_attendance_behaviour": "needs_attention"}, "A"),
        ({"rc_curriculum_teaching": "urgent"}, "R"),
        ({"rc_personal_development": "needs_attention"}, "G"),  # not an S1 area
    ],
)
def test_s1_rates_the_standards_areas_of_the_latest_report_card(grades: dict[str, str], expected: str) -> None:
    result = run(inspections=[inspection(1, "2025-12-01", "report_card", **grades)])
    row = indicator(result, 1, "S1")
    assert row["rating"] == expected
    assert row["sentence"].startswith("Report card of 1 December 2025: ")


def test_s1_is_not_scored_from_legacy_grades_and_says_so() -> None:
    result = run(inspections=[inspection(1, "2022-05-10", "oeif", overall=3)])
    row = indicator(result, 1, "S1")
    assert row["rating"] is None
    assert "No report-card inspection yet" in row["missing"]
    assert "never converted" in row["missing"]


def test_s1_uses_the_latest_graded_inspection_only() -> None:
    result = run(
        inspections=[
            inspection(1, "2025-11-20", "report_card", rc_achievement="needs_attention"),
            inspection(1, "2026-01-05", "report_card"),  # newer, all expected
            inspection(1, "2026-01-10", "ungraded"),  # ungraded visits do not replace the graded one
        ]
    )
    assert indicator(result, 1, "S1")["rating"] == "G"


# ---------------------------------------------------------------------------------------------- S2


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        (62.0, "G"),  # national
        (57.0, "G"),  # exactly 5 below: not more than 5
        (56.9, "A"),
        (52.0, "A"),  # exactly 10 below: amber, not red
        (51.9, "R"),  # more than 10 below and below national in 3 of 3 years
    ],
)
def test_s2_thresholds_against_national(latest: float, expected: str) -> None:
    result = run(measures_frame=measures(ks2(1, {2023: 50, 2024: 50, 2025: latest})))
    assert indicator(result, 1, "S2")["rating"] == expected


def test_s2_red_needs_below_national_in_two_of_three_years() -> None:
    above_before = run(measures_frame=measures(ks2(1, {2023: 70, 2024: 70, 2025: 50})))
    row = indicator(above_before, 1, "S2")
    assert row["rating"] == "A"
    assert "below national in 1 of the last 3 years" in row["sentence"]
    once_before = run(measures_frame=measures(ks2(1, {2023: 70, 2024: 55, 2025: 50})))
    assert indicator(once_before, 1, "S2")["rating"] == "R"


def test_s2_sentence_reads_as_plain_english() -> None:
    result = run(measures_frame=measures(ks2(1, {2023: 50, 2024: 52, 2025: 48})))
    row = indicator(result, 1, "S2")
    assert row["sentence"] == (
        "KS2 reading, writing and maths expected standard 48% in 2024/25, 14 points below national (62%), "
        "and below national in 3 of the last 3 years"
    )
    assert row["value"] == -14.0


def test_s2_small_cohort_is_suppressed_with_a_sentence() -> None:
    result = run(measures_frame=measures(ks2(1, {2023: 20, 2024: 20, 2025: 20}, cohort=8)))
    row = indicator(result, 1, "S2")
    assert row["rating"] is None
    assert row["missing"] == "KS2 cohort of 8 pupils in 2024/25 is below the 11 needed: S2 suppressed"


def test_s2_cohort_of_exactly_eleven_is_scored() -> None:
    result = run(measures_frame=measures(ks2(1, {2025: 20}, cohort=11)))
    assert indicator(result, 1, "S2")["rating"] == "A"  # only 1 year on file, so not red


def test_s2_suppressed_value_names_the_source_marker() -> None:
    result = run(measures_frame=measures(ks2(1, {2024: 60, 2025: None})))
    row = indicator(result, 1, "S2")
    assert row["rating"] is None
    assert "not available (suppressed (small numbers))" in row["missing"]


def test_s2_bridges_the_covid_gap_for_three_years() -> None:
    result = run(measures_frame=measures(ks2(1, {2019: 50, 2022: 40, 2023: 48})), as_at=2023)
    row = indicator(result, 1, "S2")
    assert row["rating"] == "R"
    assert "below national in 3 of the last 3 years" in row["sentence"]


def test_s2_short_history_is_listed_as_missing_but_still_rated() -> None:
    result = run(measures_frame=measures(ks2(1, {2025: 50})))
    row = indicator(result, 1, "S2")
    assert row["rating"] == "A"
    assert row["missing"] == "Only 1 of the last 3 years of KS2 results on file"


def test_s2_without_national_figure_is_not_scored() -> None:
    result = run(measures_frame=measures(ks2(1, {2025: 50})), averages_frame=averages({}))
    row = indicator(result, 1, "S2")
    assert row["rating"] is None
    assert row["missing"].startswith("National KS2 reading, writing and maths expected standard for 2024/25 not loaded")


def test_s2_old_results_beyond_the_window_are_missing() -> None:
    result = run(measures_frame=measures(ks2(1, {2019: 50})))
    assert indicator(result, 1, "S2")["missing"] == "No KS2 results on file for 2022/23 to 2024/25: S2 not scored"


def test_secondary_school_has_no_ks2_indicators_and_nothing_missing() -> None:
    result = run(schools(school(1, phase="Secondary")))
    for code in ("S2", "S3", "S8"):
        row = indicator(result, 1, code)
        assert row["rating"] is None
        assert not row["applicable"]
        assert row["missing"] == ""
        assert row["sentence"].startswith("Not applicable")
    assert not any(m.startswith(("S2", "S3", "S8")) for m in result.schools.loc[1, "missing_inputs"])


def test_infant_school_has_no_ks2() -> None:
    result = run(schools(school(1, statutory_high_age=7)))
    assert not indicator(result, 1, "S2")["applicable"]


def test_special_school_gets_ks2_when_it_has_ks2_results() -> None:
    result = run(schools(school(1, phase="Not applicable")), measures(ks2(1, {2025: 20})))
    assert indicator(result, 1, "S2")["rating"] == "A"
    assert not indicator(result, 1, "S4")["applicable"]


# ---------------------------------------------------------------------------------------------- S3


def _progress(read: float, writ: float, mat: float, upper: float = 1.0, year: int = 2023) -> list:
    return ks2(
        1,
        {year: 60},
        ks2_read_prog={year: read},
        ks2_writ_prog={year: writ},
        ks2_mat_prog={year: mat},
        ks2_read_prog_upper={year: upper},
        ks2_writ_prog_upper={year: upper},
        ks2_mat_prog_upper={year: upper},
    )


@pytest.mark.parametrize(
    ("scores", "upper", "expected"),
    [
        ((0, 0, 0), 1.0, "G"),
        ((-2.5, -3.5, -2.5), 1.0, "G"),  # exactly on every coasting line
        ((-2.6, 0, 0), 1.0, "A"),
        ((0, -3.6, 0), 1.0, "A"),
        ((0, 0, -2.6), 1.0, "A"),
        ((-5.1, 0, 0), 1.0, "A"),  # below the floor but the interval reaches above zero
        ((-5.1, 0, 0), -0.1, "R"),  # interval wholly below zero
        ((0, -7.0, 0), -0.1, "A"),  # exactly on the writing floor
        ((0, -7.1, 0), -0.1, "R"),
        ((0, 0, -5.0), -0.1, "A"),  # exactly on the maths floor
    ],
)
def test_s3_floor_and_coasting_lines(scores: tuple[float, float, float], upper: float, expected: str) -> None:
    result = run(measures_frame=measures(_progress(*scores, upper=upper)), as_at=2023)
    assert indicator(result, 1, "S3")["rating"] == expected


def test_s3_sentence_names_the_subjects() -> None:
    result = run(measures_frame=measures(_progress(-5.4, -1.0, -3.0, upper=-1.2)), as_at=2023)
    row = indicator(result, 1, "S3")
    assert row["sentence"] == (
        "KS2 progress 2022/23: reading -5.4, writing -1, maths -3; reading below the floor "
        "(-5 reading, -7 writing, -5 maths) with the confidence interval wholly below zero"
    )
    assert row["value"] == -5.4


@pytest.mark.parametrize(("year", "label"), [(2024, "2023/24"), (2025, "2024/25")])
def test_s3_falls_back_to_attainment_when_progress_is_not_published(year: int, label: str) -> None:
    result = run(measures_frame=measures(ks2(1, {year: 60})), as_at=year)
    row = indicator(result, 1, "S3")
    assert row["rating"] is None
    assert row["missing"] == (
        f"KS2 progress not published for {label} (no KS1 baseline): S3 falls back to attainment only (S2)"
    )
    assert indicator(result, 1, "S2")["rating"] == "G"


def test_s3_missing_interval_cannot_give_red_and_says_so() -> None:
    rows = ks2(1, {2023: 60}, ks2_read_prog={2023: -6.0}, ks2_writ_prog={2023: 0.0}, ks2_mat_prog={2023: 0.0})
    result = run(measures_frame=measures(rows), as_at=2023)
    row = indicator(result, 1, "S3")
    assert row["rating"] == "A"
    assert "No confidence interval for reading: red needs the interval wholly below zero" in row["missing"]


# ---------------------------------------------------------------------------------------------- S3 small cohorts
# (#14 item 6): a cohort under 11 is pooled over the years available, as the DfE's three-year averages pool
# pupils, and rated on the pooled figure with a caveat, rather than not scored.


def _small_school(cohorts: dict[int, float], read: dict[int, float], half_width: dict[int, float]) -> list:
    """KS2 rows of school 1 with its own cohort per year, reading progress with its interval, maths and writing 0."""
    rows = series(1, "ks2_rwm_exp", {y: 40.0 for y in cohorts}) + series(1, "ks2_cohort", cohorts)
    zero = {y: 0.0 for y in cohorts}
    rows += series(1, "ks2_read_prog", read) + series(1, "ks2_writ_prog", zero) + series(1, "ks2_mat_prog", zero)
    rows += series(1, "ks2_read_prog_upper", {y: read[y] + half_width[y] for y in cohorts})
    rows += series(1, "ks2_read_prog_lower", {y: read[y] - half_width[y] for y in cohorts})
    for code in ("ks2_writ_prog", "ks2_mat_prog"):
        rows += series(1, f"{code}_upper", {y: half_width[y] for y in cohorts})
        rows += series(1, f"{code}_lower", {y: -half_width[y] for y in cohorts})
    return rows


def test_s3_small_cohorts_are_pooled_over_the_years_and_rated_with_a_caveat() -> None:
    # The DfE bands such a school well below average one year at a time; each year alone is under 11 pupils.
    rows = _small_school(
        {2017: 6, 2018: 8, 2019: 9}, {2017: -8.0, 2018: -10.0, 2019: -9.0}, {y: 4.0 for y in (2017, 2018, 2019)}
    )
    result = run(measures_frame=measures(rows), as_at=2019)
    row = indicator(result, 1, "S3")
    # Equal intervals: the pooled figure is the plain mean (-9), its interval 4 / sqrt(3) = 2.3 wide each side,
    # so wholly below zero and below the -5 floor: red.
    assert row["rating"] == "R"
    assert row["value"] == pytest.approx(-9.0)
    assert row["sentence"].startswith(
        "KS2 progress pooled over 2016/17, 2017/18 and 2018/19 (cohorts of 6, 8 and 9 pupils, 23 in all; "
        "95% interval of reading -11.3 to -6.7): reading -9, writing 0, maths 0; reading below the floor"
    )
    assert "S3" not in " ".join(result.schools.loc[1, "missing_inputs"])
    assert any(
        r.startswith("S3 red: KS2 progress pooled over 2016/17, 2017/18 and 2018/19")
        for r in result.schools.loc[1, "reasons"]
    )


def test_s3_pooling_weights_each_year_by_its_pupils() -> None:
    # The DfE draws every interval from one national pupil-level spread, so 1 / variance weights by pupils: a year
    # with half the interval width counts four times as much. (-2 * 4 + -10 * 1) / 5 = -3.6.
    rows = _small_school({2018: 8, 2019: 8}, {2018: -2.0, 2019: -10.0}, {2018: 2.0, 2019: 4.0})
    result = run(measures_frame=measures(rows), as_at=2019)
    row = indicator(result, 1, "S3")
    assert row["value"] == pytest.approx(-3.6)
    assert row["rating"] == "A"  # below the coasting line, above the floor
    assert "(cohorts of 8 and 8 pupils, 16 in all;" in row["sentence"]


def test_s3_pooled_cohort_still_too_small_is_not_scored_and_says_so() -> None:
    rows = _small_school({2018: 3, 2019: 4}, {2018: -8.0, 2019: -9.0}, {2018: 6.0, 2019: 6.0})
    result = run(measures_frame=measures(rows), as_at=2019)
    row = indicator(result, 1, "S3")
    assert row["rating"] is None
    assert row["missing"] == (
        "KS2 cohort of 4 pupils in 2018/19 is below the 11 needed, and pooled over 2017/18 and 2018/19 only 7 "
        "pupils: S3 suppressed"
    )


def test_s3_a_big_latest_cohort_is_not_pooled() -> None:
    rows = _small_school({2018: 8, 2019: 30}, {2018: -12.0, 2019: -1.0}, {2018: 4.0, 2019: 2.0})
    row = indicator(run(measures_frame=measures(rows), as_at=2019), 1, "S3")
    assert row["rating"] == "G" and row["value"] == pytest.approx(-1.0)
    assert "pooled" not in row["sentence"]


def test_s3_versions_saved_before_pooling_still_drop_small_cohorts() -> None:
    from schools.risk import ruleset_from_dict
    from schools.risk.engine.ruleset import LEGACY_SECTIONS

    legacy = ruleset_from_dict(dict(LEGACY_SECTIONS))
    rows = _small_school(
        {2017: 6, 2018: 8, 2019: 9}, {2017: -8.0, 2018: -10.0, 2019: -9.0}, {y: 4.0 for y in (2017, 2018, 2019)}
    )
    row = indicator(run(measures_frame=measures(rows), as_at=2019, ruleset=legacy), 1, "S3")
    assert row["rating"] is None
    assert row["missing"] == "KS2 cohort of 9 pupils in 2018/19 is below the 11 needed: S3 suppressed"


# ---------------------------------------------------------------------------------------------- S4


def _ks4(year_values: dict[int, float], **codes: dict[int, float | None]) -> list:
    rows = series(1, "ks4_cohort", {y: 150 for y in year_values}) + series(1, "ks4_att8", year_values)
    for code, by_year in codes.items():
        rows += series(1, code, by_year, missing="NP")
    return rows


SECONDARY = schools(school(1, phase="Secondary"))


@pytest.mark.parametrize(
    ("p8", "upper", "expected"),
    [
        (0.1, 0.3, "G"),
        (-0.25, 0.0, "G"),  # exactly on the coasting line
        (-0.26, 0.0, "A"),
        (-0.5, -0.1, "A"),  # exactly on the floor
        (-0.51, 0.05, "A"),  # below the floor, interval not wholly below zero
        (-0.51, -0.01, "R"),
    ],
)
def test_s4_progress_8_thresholds(p8: float, upper: float, expected: str) -> None:
    result = run(SECONDARY, measures(_ks4({2024: 46}, ks4_p8={2024: p8}, ks4_p8_upper={2024: upper})), as_at=2024)
    row = indicator(result, 1, "S4")
    assert row["rating"] == expected
    assert row["sentence"].startswith("Progress 8 2023/24: ")


def test_s4_uses_attainment_8_when_progress_8_is_not_published() -> None:
    result = run(SECONDARY, measures(_ks4({2023: 40, 2024: 40, 2025: 35.9})))
    row = indicator(result, 1, "S4")
    assert row["rating"] == "R"  # 10.1 below national and below in 3 of 3 years
    assert row["missing"] == (
        "Progress 8 not published for 2024/25 (no KS2 baseline): S4 uses Attainment 8 against national instead"
    )
    assert row["sentence"].startswith("Attainment 8 35.9 in 2024/25, 10.1 points below national (46)")


@pytest.mark.parametrize(("a8", "expected"), [(41.0, "G"), (40.9, "A"), (36.0, "A"), (35.9, "R")])
def test_s4_attainment_8_boundaries(a8: float, expected: str) -> None:
    result = run(SECONDARY, measures(_ks4({2023: 40, 2024: 40, 2025: a8})))
    assert indicator(result, 1, "S4")["rating"] == expected


def test_s4_suppressed_progress_8_falls_back_and_names_the_marker() -> None:
    rows = _ks4({2024: 40}) + series(1, "ks4_p8", {2024: None}, missing="SUPP")
    result = run(SECONDARY, measures(rows), as_at=2024)
    row = indicator(result, 1, "S4")
    assert row["rating"] == "A"
    assert "Progress 8 not available for 2023/24 (suppressed (small numbers))" in row["missing"]


def test_s4_small_ks4_cohort_is_suppressed() -> None:
    rows = series(1, "ks4_cohort", {2025: 5}) + series(1, "ks4_att8", {2025: 20})
    row = indicator(run(SECONDARY, measures(rows)), 1, "S4")
    assert row["rating"] is None
    assert row["missing"] == "KS4 cohort of 5 pupils in 2024/25 is below the 6 needed: S4 suppressed"


def test_primary_school_has_no_ks4() -> None:
    row = indicator(run(), 1, "S4")
    assert (row["rating"], row["applicable"], row["missing"]) == (None, False, "")


# ---------------------------------------------------------------------------------------------- S5


@pytest.mark.parametrize(("disadv", "expected"), [(47.0, "G"), (42.0, "G"), (41.9, "A"), (37.0, "A"), (36.9, "R")])
def test_s5_ks2_gap_against_the_national_gap(disadv: float, expected: str) -> None:
    rows = ks2(1, {2025: 60}, ks2_rwm_exp_disadv={2025: disadv}, ks2_disadv_pct={2025: 50})
    row = indicator(run(measures_frame=measures(rows)), 1, "S5")
    assert row["rating"] == expected
    assert row["value"] == pytest.approx(47.0 - disadv)


def test_s5_sentence() -> None:
    rows = ks2(1, {2025: 60}, ks2_rwm_exp_disadv={2025: 40}, ks2_disadv_pct={2025: 50})
    row = indicator(run(measures_frame=measures(rows)), 1, "S5")
    assert row["sentence"] == (
        "KS2 disadvantaged pupils 2024/25: 40% met the expected standard against 69% of non-disadvantaged pupils "
        "nationally, a gap of 29 points, 7 wider than the national gap of 22"
    )


def test_s5_widening_three_years_running_is_red() -> None:
    # excess over the national gap 1, 2, 3 points: small but widening every year
    rows = ks2(1, {2023: 60, 2024: 60, 2025: 60}, ks2_rwm_exp_disadv={2023: 43, 2024: 44, 2025: 44})
    row = indicator(run(measures_frame=measures(rows)), 1, "S5")
    assert row["rating"] == "R"
    assert row["sentence"].endswith("; widening in each of the last three years")


def test_s5_few_disadvantaged_pupils_are_suppressed() -> None:
    rows = ks2(1, {2025: 60}, ks2_rwm_exp_disadv={2025: 10}, ks2_disadv_pct={2025: 20})  # 6 of 30 pupils
    row = indicator(run(measures_frame=measures(rows)), 1, "S5")
    assert row["rating"] is None
    assert row["missing"] == "Only about 6 disadvantaged pupils at KS2 in 2024/25, below the 11 needed: S5 suppressed"


def test_s5_ks4_uses_attainment_8_points() -> None:
    rows = _ks4({2025: 46}, ks4_att8_disadv={2025: 24.9}, ks4_disadv_pct={2025: 30})
    row = indicator(run(SECONDARY, measures(rows)), 1, "S5")
    assert row["rating"] == "R"  # 10.1 A8 points wider than the national gap
    assert "Attainment 8 points" in row["sentence"]


def test_s5_all_through_takes_the_worse_key_stage() -> None:
    rows = (
        ks2(1, {2025: 60}, ks2_rwm_exp_disadv={2025: 47}, ks2_disadv_pct={2025: 50})
        + series(1, "ks4_cohort", {2025: 150})
        + series(1, "ks4_att8_disadv", {2025: 29})
        + series(1, "ks4_disadv_pct", {2025: 30})
    )
    row = indicator(run(schools(school(1, phase="All-through")), measures(rows)), 1, "S5")
    assert row["rating"] == "A"
    assert row["value"] == pytest.approx(6.0)
    assert "KS2 disadvantaged pupils 2024/25" in row["sentence"]
    assert "KS4 disadvantaged pupils 2024/25" in row["sentence"]


# ---------------------------------------------------------------------------------------------- S6


def _absence(pa: dict[int, float], overall: dict[int, float] | None = None) -> pd.DataFrame:
    return measures(series(1, "abs_persistent", pa), series(1, "abs_overall", overall or {y: 7.0 for y in pa}))


@pytest.mark.parametrize(
    ("pa", "overall", "expected"),
    [
        (20.0, 7.0, "G"),
        (24.0, 7.0, "G"),  # exactly 1.2 times national
        (24.2, 7.0, "A"),
        (30.0, 7.0, "A"),  # exactly 1.5 times national
        (30.2, 7.0, "R"),
        (20.0, 8.0, "G"),  # exactly 1 point above national
        (20.0, 8.1, "A"),
        (20.0, 9.0, "A"),  # exactly 2 points above
        (20.0, 9.1, "R"),
    ],
)
def test_s6_persistent_and_overall_absence(pa: float, overall: float, expected: str) -> None:
    result = run(measures_frame=_absence({2025: pa}, {2025: overall}))
    assert indicator(result, 1, "S6")["rating"] == expected


def test_s6_rising_persistent_absence_is_red_only_when_above_national() -> None:
    below = run(measures_frame=_absence({2023: 15, 2024: 17, 2025: 19}))
    assert indicator(below, 1, "S6")["rating"] == "G"
    above = run(measures_frame=_absence({2023: 19, 2024: 20.5, 2025: 22}))
    row = indicator(above, 1, "S6")
    assert row["rating"] == "R"
    assert "rising against national for three years" in row["sentence"]


def test_s6_uses_a_phase_specific_national_figure_where_loaded() -> None:
    avg = averages(None, england__secondary={"abs_persistent": {2025: 25.0}})
    frame = _absence({2025: 26.0})
    secondary = run(SECONDARY, frame, averages_frame=avg)
    assert indicator(secondary, 1, "S6")["rating"] == "G"  # 26 against 25 for secondary schools
    primary = run(schools(school(1)), frame, averages_frame=avg)
    assert indicator(primary, 1, "S6")["rating"] == "A"  # 26 against 20 for all schools


def test_s6_one_measure_missing_still_rates_on_the_other() -> None:
    result = run(measures_frame=measures(series(1, "abs_overall", {2024: 9.5})))
    row = indicator(result, 1, "S6")
    assert row["rating"] == "R"
    assert row["missing"] == "Persistent absence (or its national figure) for 2023/24 not available"


def test_s6_zero_national_never_divides() -> None:
    national = {"abs_persistent": {2025: 0.0}, "abs_overall": {2025: 0.0}}
    result = run(measures_frame=_absence({2025: 10.0}, {2025: 5.0}), averages_frame=averages(national))
    row = indicator(result, 1, "S6")
    assert row["rating"] == "R"  # overall 5 points above a zero national; PA ratio not computed
    assert pd.isna(row["value"])


# ---------------------------------------------------------------------------------------------- S7


def test_s7_without_exclusions_data_says_so() -> None:
    row = indicator(run(), 1, "S7")
    assert row["rating"] is None
    assert row["missing"] == "No suspension and exclusion results on file for 2022/23 to 2024/25: S7 not scored"


@pytest.mark.parametrize(("rate", "expected"), [(10.0, "G"), (15.0, "G"), (15.1, "A"), (20.0, "A"), (20.1, "R")])
def test_s7_rate_against_national(rate: float, expected: str) -> None:
    result = run(measures_frame=measures(series(1, "exc_suspension_rate", {2025: rate})))
    assert indicator(result, 1, "S7")["rating"] == expected


# ---------------------------------------------------------------------------------------------- S8


@pytest.mark.parametrize(
    ("phonics", "expected"),
    [
        ({2025: 75.0}, "G"),  # exactly 5 below
        ({2025: 74.9}, "A"),
        ({2024: 80.0, 2025: 69.9}, "A"),  # more than 10 below in one year only
        ({2024: 69.9, 2025: 69.9}, "R"),  # two years
    ],
)
def test_s8_phonics_against_national(phonics: dict[int, float], expected: str) -> None:
    result = run(measures_frame=measures(series(1, "ey_phonics_pct", phonics)))
    assert indicator(result, 1, "S8")["rating"] == expected


def test_s8_takes_the_worse_of_phonics_and_good_level_of_development() -> None:
    rows = measures(series(1, "ey_phonics_pct", {2025: 80}), series(1, "ey_gld_pct", {2025: 60}))
    row = indicator(run(measures_frame=rows), 1, "S8")
    assert row["rating"] == "A"
    assert "phonics check 80% against 80%" in row["sentence"]
    assert "good level of development 60% against 68% (8 points below national)" in row["sentence"]


# ---------------------------------------------------------------------------------------------- like with like (#14.3)


def _special_world():
    from tests.schools.risk.builders import averages, inputs, measures, school, schools, series

    rows = schools(
        school(1, phase="Not applicable", type_group="Special schools", provision="special"),
        school(2, phase="Not applicable", type_group="Local authority maintained schools", provision="ap"),
        school(3),  # a mainstream primary at the same figures
    )
    frame = measures(
        *(series(sid, "abs_persistent", {2023: 36.0, 2024: 36.0, 2025: 36.0}) for sid in (1, 2, 3)),
        *(series(sid, "ks2_rwm_exp", {2023: 5.0, 2024: 5.0, 2025: 5.0}) for sid in (1, 2)),
        *(series(sid, "ks2_cohort", {2023: 12.0, 2024: 12.0, 2025: 12.0}) for sid in (1, 2)),
    )
    special = {"abs_persistent": {2023: 37.0, 2024: 37.0, 2025: 37.0}}
    return inputs(rows, frame, averages_frame=averages(None, england__special=special))


def test_a_special_school_is_compared_with_special_schools_and_says_so():
    from schools.risk import risk_compute

    result = risk_compute(_special_world())
    s6 = result.indicators.set_index(["school_id", "code"])
    assert s6.loc[(1, "S6"), "rating"] == "G"  # 36% against 37% nationally for special schools
    assert "national figure for special schools" in s6.loc[(1, "S6"), "sentence"]
    assert s6.loc[(3, "S6"), "rating"] == "R"  # the same figure in a mainstream primary is red (national 20%)


def test_no_published_comparator_means_not_scored():
    from schools.risk import risk_compute

    result = risk_compute(_special_world())
    s = result.indicators.set_index(["school_id", "code"])
    # KS2 attainment has no national figure for special schools or AP: never judged against mainstream
    for sid in (1, 2):
        assert s.loc[(sid, "S2"), "rating"] is None or pd.isna(s.loc[(sid, "S2"), "rating"])
        assert "no national comparator" in s.loc[(sid, "S2"), "missing"]
    # AP has no published absence comparator in these files: not scored either
    assert pd.isna(s.loc[(2, "S6"), "rating"])
    assert "alternative provision" in s.loc[(2, "S6"), "missing"]
