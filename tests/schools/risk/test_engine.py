"""The engine end to end on literal frames: overrides, bands, the trend modifier, the matrix, score, Leading,
academies and the shape of the result."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from schools.risk import DEFAULT_RULESET, RiskInputs, RulesetError, risk_compute, risk_csv_frame
from schools.risk.engine.compute import band_compute
from schools.risk.engine.indicators import CODES
from schools.risk.engine.ruleset import DEFAULT_MATRIX
from tests.schools.risk.builders import (
    TODAY,
    indicator,
    inputs,
    inspection,
    intel,
    ks2,
    measures,
    run,
    school,
    schools,
    series,
)

# A green KS2 record: enough standards evidence that the school is categorised (not "insufficient evidence").
GREEN_KS2 = ks2(1, {2023: 70.0, 2024: 70.0, 2025: 70.0})

# ---------------------------------------------------------------------------------------------- overrides


@pytest.mark.parametrize(
    ("ins", "sentence"),
    [
        (
            inspection(1, "2024-03-12", category_of_concern="Special measures", overall=4),
            "Ofsted category of concern (Special measures) at the inspection of 12 March 2024: category 4",
        ),
        (
            inspection(1, "2025-12-01", "report_card", rc_achievement="urgent"),
            "Report card of 1 December 2025: urgent improvement in achievement: category 4",
        ),
        (
            inspection(1, "2025-12-01", "report_card", rc_safeguarding_met=False),
            "Safeguarding not met at the inspection of 1 December 2025: category 4",
        ),
        (
            inspection(1, "2025-12-01", "report_card", rc_safeguarding_met="false"),
            "Safeguarding not met at the inspection of 1 December 2025: category 4",
        ),
        (
            inspection(1, "2023-02-01", safeguarding_effective="no"),
            "Safeguarding not effective at the legacy inspection of 1 February 2023: category 4",
        ),
        (
            inspection(1, "2023-02-01", overall=4),
            "Latest graded inspection (legacy, 1 February 2023) judged the school inadequate: category 4",
        ),
    ],
)
def test_inspection_overrides_give_category_4_with_a_sentence(ins: dict, sentence: str) -> None:
    result = run(inspections=[ins])
    row = result.schools.loc[1]
    assert row["proposed_category"] == 4
    assert sentence in row["overrides"]
    assert sentence in row["reasons"]
    assert row["override_floor"] == 4


@pytest.mark.parametrize(("kind", "what"), [("warning_notice", "Warning notice"), ("ieb", "Interim executive board")])
def test_warning_notice_and_ieb_give_category_4(kind: str, what: str) -> None:
    result = run(intelligence=[intel(1, kind, "red", "2023-05-01", summary="Issued by the LA")])
    assert result.schools.loc[1, "proposed_category"] == 4
    assert result.schools.loc[1, "overrides"] == [f"{what} recorded 1 May 2023: Issued by the LA: category 4"]


def test_a_lifted_warning_notice_no_longer_applies() -> None:
    entries = [intel(1, "warning_notice", "red", "2023-05-01"), intel(1, "warning_notice", "green", "2024-01-10")]
    result = run(measures_frame=measures(GREEN_KS2), intelligence=entries)
    assert result.schools.loc[1, "proposed_category"] == 1
    assert result.schools.loc[1, "overrides"] == []


def test_stuck_school_is_at_least_category_3() -> None:
    result = run(inspections=[inspection(1, "2024-05-01", overall=3), inspection(1, "2022-03-01", overall=4)])
    row = result.schools.loc[1]
    assert row["proposed_category"] == 3
    assert (
        "Stuck school: below good at the latest inspection (1 May 2024) and at the one before (1 March 2022), "
        "on the legacy grades (report cards are not converted): at least category 3"
    ) in row["overrides"]


RC_NEEDS_ATTENTION = inspection(1, "2025-12-01", "report_card", rc_curriculum_teaching="needs_attention")


def test_a_report_card_needing_attention_is_not_converted_to_below_good_by_default() -> None:
    """#14.5 and DOMAIN: report cards are not a single grade; "needs attention" is not "below good" unless the
    rule set says so, and the trace says which rule was used."""
    result = run(inspections=[RC_NEEDS_ATTENTION, inspection(1, "2022-03-01", overall=3)])
    row = result.schools.loc[1]
    assert not any(s.startswith("Stuck school") for s in row["overrides"])
    assert (
        "Not judged stuck: the latest inspection (1 December 2025) is a report card, which this rule set does not "
        "convert to the legacy scale (the one before, 1 March 2022, was below good)"
    ) in row["overrides"]
    assert row["override_floor"] == 0


def test_the_rule_set_may_convert_report_cards_for_stuck_and_says_so() -> None:
    rules = replace(DEFAULT_RULESET, overrides=replace(DEFAULT_RULESET.overrides, stuck_converts_report_cards=True))
    result = run(inspections=[RC_NEEDS_ATTENTION, inspection(1, "2022-03-01", overall=3)], ruleset=rules)
    row = result.schools.loc[1]
    assert row["proposed_category"] == 3
    assert (
        "Stuck school: below good at the latest inspection (1 December 2025) and at the one before (1 March 2022), "
        "where this rule set counts a report card with needs attention or urgent improvement in any area as below "
        "good: at least category 3"
    ) in row["overrides"]


def test_below_good_only_once_is_not_stuck() -> None:
    result = run(inspections=[inspection(1, "2025-12-01", "report_card"), inspection(1, "2022-03-01", overall=3)])
    assert result.schools.loc[1, "overrides"] == []
    assert result.schools.loc[1, "proposed_category"] == 1


@pytest.mark.parametrize(
    "ins",
    [
        inspection(1, "2023-02-01", overall=3),
        inspection(1, "2024-11-01", overall=None, quality_of_education=3),  # "Not judged" overall after Sept 2024
    ],
)
def test_legacy_requires_improvement_is_at_least_category_3(ins: dict) -> None:
    row = run(inspections=[ins]).schools.loc[1]
    assert row["proposed_category"] == 3
    assert row["overrides"][0].endswith("requires improvement: at least category 3 until re-inspected")


def test_legacy_ri_is_superseded_by_a_report_card() -> None:
    result = run(inspections=[inspection(1, "2023-02-01", overall=3), inspection(1, "2025-12-01", "report_card")])
    assert result.schools.loc[1, "overrides"] == []


def test_red_safeguarding_intelligence_is_at_least_category_3() -> None:
    result = run(intelligence=[intel(1, "safeguarding", "red", summary="Substantiated concern")])
    row = result.schools.loc[1]
    assert row["proposed_category"] == 3
    assert row["overrides"] == [
        "Safeguarding concern recorded 1 November 2025: Substantiated concern: at least category 3 "
        "(an officer may raise it to 4)"
    ]


def test_overrides_are_floors_never_lowering_the_matrix() -> None:
    reds = [intel(1, kind, "red") for kind in ("governance", "finance", "staffing")]
    ri = inspection(1, "2023-02-01", overall=3)
    pa = measures(series(1, "abs_persistent", {2025: 40}), series(1, "exc_suspension_rate", {2025: 30}))
    row = run(measures_frame=pa, inspections=[ri], intelligence=reds).schools.loc[1]
    assert (row["matrix_category"], row["override_floor"], row["proposed_category"]) == (4, 3, 4)


def test_an_override_switched_off_does_not_fire() -> None:
    rules = replace(DEFAULT_RULESET, overrides=replace(DEFAULT_RULESET.overrides, legacy_ri=0, stuck=0))
    result = run(
        measures_frame=measures(GREEN_KS2), inspections=[inspection(1, "2023-02-01", overall=3)], ruleset=rules
    )
    assert result.schools.loc[1, "proposed_category"] == 1


# ---------------------------------------------------------------------------------------------- bands


@pytest.mark.parametrize(
    ("ratings", "band"),
    [
        ([], "A"),
        (["G", "G"], "A"),
        (["A"], "A"),  # at most one amber
        (["A", "A"], "B"),
        (["A", "A", "A"], "B"),
        (["A", "A", "A", "A"], "C"),  # four or more ambers
        (["R"], "C"),  # one red
        (["R", "A", "A", "A"], "C"),
        (["R", "R"], "D"),  # two or more reds
        ([None, None, "A"], "A"),  # missing ratings count for nothing
    ],
)
def test_band_by_counts(ratings: list, band: str) -> None:
    frame = pd.DataFrame([ratings + [None] * (6 - len(ratings))], dtype=object)
    assert "ABCD"[band_compute(frame, DEFAULT_RULESET.bands)[0]] == band


def test_band_cut_offs_are_configurable() -> None:
    frame = pd.DataFrame([["A", "A", "A", None]], dtype=object)
    strict = replace(DEFAULT_RULESET.bands, b_min_ambers=1, c_min_ambers=3)
    assert band_compute(frame, strict)[0] == 2


# ---------------------------------------------------------------------------------------------- matrix


STANDARDS_DATA = {
    "A": {"abs_persistent": 15.0},  # green: evidence, no flag
    "B": {"abs_persistent": 25.0, "exc_suspension_rate": 16.0},  # two ambers
    "C": {"exc_suspension_rate": 25.0},  # one red
    "D": {"abs_persistent": 31.0, "exc_suspension_rate": 25.0},  # two reds
}
CAPACITY_DATA = {
    "A": [],
    "B": [("governance", "amber"), ("finance", "amber")],
    "C": [("governance", "red")],
    "D": [("governance", "red"), ("finance", "red")],
}


def _band_world() -> tuple[RiskInputs, dict[int, tuple[int, int]]]:
    rows, groups, entries, cells = [], [], [], {}
    for i, s_band in enumerate("ABCD"):
        for j, c_band in enumerate("ABCD"):
            sid = 1 + 4 * i + j
            cells[sid] = (i, j)
            rows.append(school(sid))
            for code, value in STANDARDS_DATA[s_band].items():
                groups.append(series(sid, code, {2025: value}))
            entries += [intel(sid, kind, rating) for kind, rating in CAPACITY_DATA[c_band]]
    return inputs(schools(*rows), measures(*groups), intelligence=entries), cells


def test_every_matrix_cell() -> None:
    world, cells = _band_world()
    result = risk_compute(world)
    for sid, (i, j) in cells.items():
        row = result.schools.loc[sid]
        assert (row["standards_band"], row["capacity_band"]) == ("ABCD"[i], "ABCD"[j])
        assert row["proposed_category"] == DEFAULT_MATRIX[i][j], f"S-{'ABCD'[i]} x C-{'ABCD'[j]}"


def test_the_matrix_is_configurable() -> None:
    world, cells = _band_world()
    flat = ((1, 1, 1, 2), (1, 1, 2, 2), (2, 2, 2, 3), (2, 3, 3, 4))
    result = risk_compute(world, replace(DEFAULT_RULESET, matrix=flat))
    for sid, (i, j) in cells.items():
        assert result.schools.loc[sid, "proposed_category"] == flat[i][j]


def test_category_names_and_colours_come_from_the_rule_set() -> None:
    world, _ = _band_world()
    result = risk_compute(world)
    row = result.schools.loc[16]
    assert (row["category_name"], row["category_colour"], row["rise_tier"]) == (
        "Intensive (causing concern)",
        "red",
        "intervention",
    )
    assert result.schools.loc[1, "category_name"] == "Universal"


def test_band_and_matrix_sentence_is_a_reason() -> None:
    world, _ = _band_world()
    reasons = risk_compute(world).schools.loc[6, "reasons"]
    assert "Standards band B (0 red, 2 amber) and capacity band B (0 red, 2 amber) give category 2" in reasons


# ---------------------------------------------------------------------------------------------- trend modifier


def _declining_but_green() -> pd.DataFrame:
    # S2 gap +10, +7, +4 (declining, still above national); PA 10, 12, 14 against 20 (rising, still below).
    return measures(
        ks2(1, {2023: 70, 2024: 68, 2025: 66}),
        series(1, "abs_persistent", {2023: 10, 2024: 12, 2025: 14}),
        series(1, "abs_overall", {2023: 5, 2024: 5, 2025: 5}),
    )


def test_decline_on_two_indicators_raises_the_standards_band() -> None:
    result = run(measures_frame=_declining_but_green())
    row = result.schools.loc[1]
    s9 = indicator(result, 1, "S9")
    assert s9["rating"] == "A"
    assert s9["sentence"] == "3-year decline on S2, S6: standards band raised one step"
    assert (row["standards_band_before_trend"], row["standards_band"], row["trend_raised"]) == ("A", "B", True)
    assert row["proposed_category"] == 2
    assert "S9 amber: 3-year decline on S2, S6: standards band raised one step" in row["reasons"]
    assert row["points"] == 1  # S9's point


def test_decline_on_one_indicator_does_not_raise() -> None:
    frame = measures(ks2(1, {2023: 70, 2024: 68, 2025: 66}))
    result = run(measures_frame=frame)
    s9 = indicator(result, 1, "S9")
    assert s9["rating"] == "G"
    assert s9["sentence"] == "No 3-year decline on 2 or more of S2-S8 (declining: S2)"
    assert result.schools.loc[1, "standards_band"] == "A"


def test_trend_not_assessed_without_three_years() -> None:
    s9 = indicator(run(measures_frame=measures(ks2(1, {2025: 60}))), 1, "S9")
    assert s9["rating"] is None
    assert s9["missing"] == "No standards indicator has 3 years of data this year: trend not assessed"


def test_band_d_stays_d() -> None:
    frame = _declining_but_green()
    frame = pd.concat(
        [frame, measures(series(1, "exc_suspension_rate", {2025: 30}), series(1, "ey_gld_pct", {2024: 50, 2025: 50}))]
    )
    row = run(measures_frame=frame).schools.loc[1]
    assert (row["standards_band_before_trend"], row["standards_band"], row["trend_raised"]) == ("D", "D", False)


# ---------------------------------------------------------------------------------------------- score, Leading


def test_points_sum_over_scored_indicators() -> None:
    frame = measures(ks2(1, {2023: 40, 2024: 40, 2025: 40}))  # S2 red
    entries = [intel(1, "finance", "amber"), intel(1, "roll", "red")]  # C4 amber; C5 context only
    row = run(measures_frame=frame, intelligence=entries).schools.loc[1]
    assert row["points"] == 3  # the score weighs them with the evidence (test_evidence_score.py)


def test_leading_for_a_strong_school() -> None:
    result = run(measures_frame=measures(GREEN_KS2), inspections=[inspection(1, "2022-05-10", overall=1)])
    row = result.schools.loc[1]
    assert row["leading"]
    assert row["reasons"][-1] == (
        "Leading: category 1, standards band A, capacity band A, no red indicators, latest graded inspection good or "
        "better (legacy, 10 May 2022)"
    )


@pytest.mark.parametrize(
    ("ins", "entries", "leading"),
    [
        ([inspection(1, "2025-12-01", "report_card", rc_leadership_governance="strong")], [], True),
        ([inspection(1, "2025-12-01", "report_card", rc_leadership_governance="exceptional")], [], True),
        ([inspection(1, "2025-12-01", "report_card")], [], False),  # leadership only expected
        (
            [
                inspection(
                    1, "2025-12-01", "report_card", rc_leadership_governance="strong", rc_inclusion="needs_attention"
                )
            ],
            [],
            False,
        ),
        ([inspection(1, overall=2)], [intel(1, "finance", "amber")], True),  # one amber still band A
        ([inspection(1, overall=2)], [intel(1, "finance", "red")], False),  # a red
        ([inspection(1, overall=3)], [], False),
        ([], [], False),  # no inspection
    ],
)
def test_leading_criteria(ins: list, entries: list, leading: bool) -> None:
    result = run(measures_frame=measures(GREEN_KS2), inspections=ins, intelligence=entries)
    assert bool(result.schools.loc[1, "leading"]) is leading


# ---------------------------------------------------------------------------------------------- academies


def test_academies_are_computed_the_same_and_shown_as_concern_or_not() -> None:
    frame = measures(ks2(1, {2023: 40, 2024: 40, 2025: 40}), ks2(2, {2023: 40, 2024: 40, 2025: 40}), ks2(3, {2025: 70}))
    ri = [inspection(sid, "2023-02-01", overall=3) for sid in (1, 2)]
    result = run(
        schools(school(1, is_academy=True), school(2, is_academy=False), school(3, is_academy=True)),
        frame,
        inspections=ri,
    )
    s = result.schools
    assert s.loc[1, "proposed_category"] == s.loc[2, "proposed_category"] == 3
    assert s.loc[1, "academy_view"] == "concern"
    assert s.loc[2, "academy_view"] is None
    assert s.loc[3, "academy_view"] == "no concern"


# ---------------------------------------------------------------------------------------------- the result


def test_result_has_one_row_per_school_in_input_order_and_every_column() -> None:
    result = run(schools(school(5), school(2), school(9, phase="Secondary")))
    s = result.schools
    assert list(s.index) == [5, 2, 9]
    for col in (
        "proposed_category",
        "standards_band",
        "capacity_band",
        "score",
        "leading",
        "academy_view",
        "overrides",
        "reasons",
        "missing_inputs",
        *CODES,
        *(f"{c}_value" for c in CODES),
        *(f"{c}_sentence" for c in CODES),
    ):
        assert col in s.columns, col
    long = result.indicators
    assert len(long) == 3 * len(CODES)
    assert list(long["code"][:18]) == list(CODES)
    assert list(long.columns[:9]) == [
        "school_id",
        "code",
        "dimension",
        "label",
        "rating",
        "points",
        "value",
        "sentence",
        "missing",
    ]
    assert result.ruleset_version == DEFAULT_RULESET.version


def test_missing_inputs_are_listed_with_their_codes() -> None:
    result = run(measures_frame=measures(ks2(1, {2025: 60})))
    missing = result.schools.loc[1, "missing_inputs"]
    assert (
        "S3: KS2 progress not published for 2024/25 (no KS1 baseline): S3 falls back to attainment only (S2)" in missing
    )
    assert all(":" in m for m in missing)
    assert not any(m.startswith("S4") for m in missing)  # not applicable is not missing


def test_csv_frame_has_gar_columns_blank_when_missing() -> None:
    result = run(measures_frame=measures(ks2(1, {2023: 40, 2024: 40, 2025: 40})))
    csv = risk_csv_frame(result)
    assert list(csv.columns[-21:-3]) == list(CODES)
    row = csv.loc[1]
    assert row["S2"] == "R"
    assert row["S4"] == ""
    assert row["C1"] == "G"
    assert "S2 red:" in row["reasons"]


def test_empty_inputs_give_an_empty_result() -> None:
    result = risk_compute(RiskInputs(as_at=2025, today=TODAY))
    assert result.schools.empty
    assert result.indicators.empty


def test_invalid_rule_set_is_refused() -> None:
    bad = replace(DEFAULT_RULESET, s2=replace(DEFAULT_RULESET.s2, red_points_below=3.0))
    with pytest.raises(RulesetError, match="s2.red_points_below"):
        run(ruleset=bad)


def test_duplicate_school_ids_are_refused() -> None:
    frame = pd.DataFrame([school(1), school(1)]).set_index("school_id")
    with pytest.raises(ValueError, match="duplicate school_id"):
        run(frame)


def test_rows_for_unknown_schools_are_ignored() -> None:
    frame = measures(ks2(1, {2025: 60}), ks2(99, {2025: 10}))
    result = run(measures_frame=frame, inspections=[inspection(99, overall=4)], intelligence=[intel(99, "ieb", "red")])
    assert list(result.schools.index) == [1]
    assert set(result.indicators["school_id"]) == {1}


# ------------------------------------------------------------------------------ insufficient evidence (#14.1)


def test_no_evidence_is_not_green_but_insufficient_evidence_for_the_officer() -> None:
    result = run()  # no results, no inspection, no intelligence
    row = result.schools.loc[1]
    assert row["proposed_category"] == 0
    assert bool(row["insufficient_evidence"]) is True
    assert row["category_name"] == "Insufficient evidence: officer to categorise"
    assert not row["leading"]
    assert any(r.startswith("Insufficient evidence: officer to categorise") for r in row["reasons"])


def test_one_rated_standards_indicator_is_enough_by_default_and_the_minimum_is_configurable() -> None:
    rows = ks2(1, {2023: 70.0, 2024: 70.0, 2025: 70.0})
    result = run(measures_frame=measures(rows))
    assert result.schools.loc[1, "proposed_category"] == 1
    assert not result.schools.loc[1, "insufficient_evidence"]
    strict = replace(DEFAULT_RULESET, data=replace(DEFAULT_RULESET.data, min_scored_standards=3))
    assert run(measures_frame=measures(rows), ruleset=strict).schools.loc[1, "proposed_category"] == 0


def test_an_override_categorises_a_school_without_standards_evidence() -> None:
    result = run(inspections=[inspection(1, "2023-02-01", overall=4)])
    assert result.schools.loc[1, "proposed_category"] == 4
    assert not result.schools.loc[1, "insufficient_evidence"]


# ------------------------------------------------------------------------------ inspections of the school (#14.4)


def test_a_predecessors_inspection_is_context_only_never_an_override():
    """Ofsted MI files a predecessor's inspection under the current URN with 'relates to current URN' false."""
    predecessor = inspection(1, "2019-03-12", overall=4, relates_to_current_urn=False, urn_at_inspection=123456)
    result = run(measures_frame=measures(GREEN_KS2), inspections=[predecessor])
    row = result.schools.loc[1]
    assert row["proposed_category"] == 1 and row["override_floor"] == 0
    context = [r for r in row["reasons"] if "predecessor" in r]
    assert context and "12 March 2019" in context[0] and "context only" in context[0]


def test_no_stuck_after_a_change_of_structure():
    ins = [
        inspection(1, "2024-10-01", overall=3),  # the academy's own: RI (at least 3 on its own)
        inspection(1, "2021-05-01", overall=3, relates_to_current_urn=False),  # the school it replaced
    ]
    row = run(measures_frame=measures(GREEN_KS2), inspections=ins).schools.loc[1]
    assert not any(s.startswith("Stuck school") for s in row["overrides"])
    own = [inspection(1, "2024-10-01", overall=3), inspection(1, "2021-05-01", overall=3, relates_to_current_urn=True)]
    row = run(measures_frame=measures(GREEN_KS2), inspections=own).schools.loc[1]
    assert any(s.startswith("Stuck school") for s in row["overrides"])
