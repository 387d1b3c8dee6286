"""The score explains itself (#14 item 7, display): one reason per school says how its score was made.

Under ``default-2`` the score is E + 0.25 x points (E: standard errors below national of the worse of KS2 reading
and maths progress, shrunk towards national), stored in tenths; under versions saved before it, the points. The
sentence is a reason like any other, so it is stored once per run in compact traces (ADR 0025).
"""

from __future__ import annotations

import math

from schools.risk import DEFAULT_RULESET, ruleset_from_dict, ruleset_to_dict
from schools.risk.engine.ruleset import LEGACY_SECTIONS
from tests.schools.risk.builders import intel, ks2, measures, run, school, schools

Z = 1.959964


def _progress(school_id: int, read: float, half_width: float, cohort: float = 30, year: int = 2019) -> list:
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


def _score_reasons(row) -> list[str]:
    return [r for r in row["reasons"] if r.startswith("Score ")]


def test_an_evidence_score_names_its_subject_its_standard_errors_and_the_points() -> None:
    frame = measures(_progress(1, -3.0, 1.5, cohort=90))
    row = run(schools(school(1)), frame, as_at=2019).schools.loc[1]
    se = 1.5 / Z
    shrunk = -3.0 * 4 / (4 + se * se)
    e = -shrunk / se
    assert row["points"] == 1 and row["score"] == round(10 * (e + 0.25))
    assert _score_reasons(row) == [
        f"Score {row['score'] / 10:.1f} = reading progress {e:.1f} standard errors below national "
        f"(-3 in 2018/19, standard error 0.77, shrunk towards national to {shrunk:.1f} for a cohort of 90) "
        "+ 0.25 × 1 point (1 amber × 1)"
    ]
    assert _score_reasons(row)[0] == (
        "Score 3.7 = reading progress 3.4 standard errors below national (-3 in 2018/19, standard error 0.77, "
        "shrunk towards national to -2.6 for a cohort of 90) + 0.25 × 1 point (1 amber × 1)"
    )


def test_a_school_above_national_and_one_without_evidence_say_so() -> None:
    above = {"ks2_read_prog": 2.0, "ks2_read_prog_upper": 4.0, "ks2_mat_prog": 1.0, "ks2_mat_prog_upper": 3.0}
    frame = measures(ks2(1, {2019: 70.0}, **{code: {2019: value} for code, value in above.items()}))
    entries = [intel(2, "finance", "amber")]
    result = run(schools(school(1), school(2, phase="Nursery")), frame, as_at=2019, intelligence=entries)
    one, two = result.schools.loc[1], result.schools.loc[2]
    (sentence,) = _score_reasons(one)
    assert sentence.startswith(f"Score {one['score'] / 10:.1f} = maths progress ")
    assert " standard errors above national (1 in 2018/19" in sentence
    assert _score_reasons(two) == [
        "Score 0.2 = no published progress or attainment to weigh (counted as national, 0) + 0.25 × 1 point "
        "(1 amber × 1)"
    ]


def test_attainment_standing_in_for_progress_is_named() -> None:
    frame = measures(ks2(1, {2025: 50.0}))
    row = run(measures_frame=frame).schools.loc[1]
    se = 100 * math.sqrt(0.62 * 0.38 / 30)
    (sentence,) = _score_reasons(row)
    assert sentence.startswith(
        f"Score {row['score'] / 10:.1f} = KS2 reading, writing and maths at the expected standard "
        f"{12 / se:.1f} standard errors below national (50% in 2024/25 against 62% nationally, a cohort of 30; "
        "no progress figure)"
    )


def test_a_points_version_explains_the_points() -> None:
    stored = ruleset_to_dict(DEFAULT_RULESET)
    for key in LEGACY_SECTIONS:
        stored.pop(key)
    legacy = ruleset_from_dict(LEGACY_SECTIONS | stored)
    frame = measures(ks2(1, {2023: 40, 2024: 40, 2025: 40}))  # S2 red
    entries = [intel(1, "finance", "amber"), intel(1, "roll", "red")]  # C4 amber; C5 context only
    row = run(measures_frame=frame, intelligence=entries, ruleset=legacy).schools.loc[1]
    assert row["score"] == row["points"] == 3
    assert _score_reasons(row) == ["Score 3 = indicator points: 1 red × 2 + 1 amber × 1"]
    green = run(measures_frame=measures(_progress(1, 3.0, 1.0, cohort=60)), as_at=2019, ruleset=legacy)
    assert green.schools.loc[1, "points"] == 0
    assert _score_reasons(green.schools.loc[1]) == ["Score 0 = indicator points: no amber or red indicators"]


def test_the_score_sentence_comes_before_leading() -> None:
    row = run(measures_frame=measures(_progress(1, 3.0, 1.0, cohort=60)), as_at=2019).schools.loc[1]
    reasons = list(row["reasons"])
    position = next(i for i, r in enumerate(reasons) if r.startswith("Score "))
    assert all(not r.startswith("Leading") for r in reasons[:position])
