"""Capacity indicators C1-C9 on small literal frames: imported fields, inspections and soft intelligence."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.schools.risk.builders import TODAY, indicator, inspection, intel, measures, run, school, schools, series

# ---------------------------------------------------------------------------------------------- C1


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "G"),
        ({"head_since": pd.Timestamp(TODAY) - pd.Timedelta(days=364)}, "A"),  # new: under a year
        ({"head_since": pd.Timestamp(TODAY) - pd.Timedelta(days=365)}, "G"),  # exactly a year
        ({"head_changes_3y": 1}, "G"),
        ({"head_changes_3y": 2}, "R"),  # two or more changes in three years
    ],
)
def test_c1_from_the_register(fields: dict, expected: str) -> None:
    result = run(schools(school(1, **fields)))
    assert indicator(result, 1, "C1")["rating"] == expected


@pytest.mark.parametrize(("rating", "expected"), [("green", "G"), ("amber", "A"), ("red", "R")])
def test_c1_acting_or_vacant_head_from_intelligence(rating: str, expected: str) -> None:
    result = run(intelligence=[intel(1, "head", rating, summary="Acting head since October")])
    row = indicator(result, 1, "C1")
    assert row["rating"] == expected
    assert f"Headship intelligence recorded 1 November 2025 ({rating}): Acting head since October" in row["sentence"]


def test_c1_sentence() -> None:
    result = run(schools(school(1, head_since=pd.Timestamp("2025-09-01"), head_changes_3y=1)))
    assert indicator(result, 1, "C1")["sentence"] == (
        "New headteacher recorded on 1 September 2025 (under a year ago; the date GIAS recorded the change, not the"
        " start date); 1 headteacher changes in the last three years"
    )


def test_c1_unknown_when_nothing_is_known() -> None:
    result = run(schools(school(1, head_since=pd.NaT, head_changes_3y=None)))
    row = indicator(result, 1, "C1")
    assert row["rating"] is None
    assert row["missing"].startswith("Headteacher's start date, head changes and headship intelligence not known")


# ---------------------------------------------------------------------------------------------- C2


@pytest.mark.parametrize(
    ("ins", "expected", "sentence"),
    [
        (inspection(1, "2025-12-01", "report_card"), "G", "leadership and governance expected standard"),
        (
            inspection(1, "2025-12-01", "report_card", rc_leadership_governance="needs_attention"),
            "A",
            "leadership and governance needs attention",
        ),
        (
            inspection(1, "2025-12-01", "report_card", rc_leadership_governance="urgent"),
            "R",
            "leadership and governance urgent improvement",
        ),
        (
            inspection(1, leadership_management=2),
            "G",
            "Legacy inspection of 10 May 2022: leadership and management good",
        ),
        (inspection(1, leadership_management=3), "A", "leadership and management requires improvement"),
        (inspection(1, leadership_management=4), "R", "leadership and management inadequate"),
    ],
)
def test_c2_report_card_or_legacy_leadership(ins: dict, expected: str, sentence: str) -> None:
    row = indicator(run(inspections=[ins]), 1, "C2")
    assert row["rating"] == expected
    assert sentence in row["sentence"]


def test_c2_without_an_inspection_is_missing() -> None:
    row = indicator(run(), 1, "C2")
    assert row["rating"] is None
    assert row["missing"] == "No graded inspection on record: C2 not scored"


# ---------------------------------------------------------------------------------------------- C3-C9


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("C3", "governance"),
        ("C4", "finance"),
        ("C6", "staffing"),
        ("C7", "complaints"),
        ("C8", "send"),
        ("C9", "self_evaluation"),
        ("C9", "peer_review"),
    ],
)
def test_intelligence_kinds_feed_their_indicator(code: str, kind: str) -> None:
    result = run(intelligence=[intel(1, kind, "amber", summary="Noted at the visit")])
    row = indicator(result, 1, code)
    assert row["rating"] == "A"
    assert row["sentence"].endswith("intelligence recorded 1 November 2025 (amber): Noted at the visit")


def test_the_latest_entry_within_the_window_wins() -> None:
    entries = [intel(1, "finance", "red", "2025-06-01"), intel(1, "finance", "green", "2025-12-01")]
    assert indicator(run(intelligence=entries), 1, "C4")["rating"] == "G"


def test_entries_older_than_the_window_are_ignored_and_the_gap_is_said() -> None:
    result = run(intelligence=[intel(1, "governance", "red", "2024-12-01")])
    row = indicator(result, 1, "C3")
    assert row["rating"] is None
    assert row["missing"] == "No governance intelligence recorded since 16 January 2025: C3 not scored"


def test_same_day_entries_the_worse_rating_wins_whatever_the_order() -> None:
    amber_first = [intel(1, "staffing", "amber", "2025-12-01"), intel(1, "staffing", "red", "2025-12-01")]
    assert indicator(run(intelligence=amber_first), 1, "C6")["rating"] == "R"
    assert indicator(run(intelligence=amber_first[::-1]), 1, "C6")["rating"] == "R"


def test_future_entries_are_ignored() -> None:
    result = run(intelligence=[intel(1, "complaints", "red", "2026-03-01")])
    assert indicator(result, 1, "C7")["rating"] is None


def test_the_window_is_configurable() -> None:
    from dataclasses import replace

    from schools.risk import DEFAULT_RULESET

    rules = replace(DEFAULT_RULESET, intelligence=replace(DEFAULT_RULESET.intelligence, window_days=800))
    result = run(intelligence=[intel(1, "governance", "red", "2024-12-01")], ruleset=rules)
    assert indicator(result, 1, "C3")["rating"] == "R"


# ---------------------------------------------------------------------------------------------- C5


def test_c5_falling_roll_is_shown_but_never_scored() -> None:
    roll = measures(series(1, "census_roll", {2023: 300, 2024: 280, 2025: 250}))
    result = run(measures_frame=roll, intelligence=[intel(1, "finance", "amber")])
    row = indicator(result, 1, "C5")
    assert row["rating"] == "A"
    assert row["points"] == 0
    assert not row["scored"]
    assert row["sentence"] == (
        "Number on roll 250 in 2024/25 against 300 2 census years before, falling every year (context only, not scored)"
    )
    school_row = result.schools.loc[1]
    assert school_row["capacity_band"] == "A"  # only the finance amber counts
    assert school_row["points"] == 1


def test_c5_roll_not_falling_every_year_is_green() -> None:
    roll = measures(series(1, "census_roll", {2023: 300, 2024: 310, 2025: 250}))
    assert indicator(run(measures_frame=roll), 1, "C5")["rating"] == "G"


def test_c5_from_roll_intelligence() -> None:
    result = run(intelligence=[intel(1, "roll", "red", summary="Place planning flags viability")])
    row = indicator(result, 1, "C5")
    assert row["rating"] == "R"
    assert result.schools.loc[1, "capacity_band"] == "A"


# ---------------------------------------------------------------------------------------------- C4: red stays red


def test_a_red_finance_entry_older_than_the_window_stays_red_with_review_due() -> None:
    """#14.5: a red finance entry older than 365 days was "not scored"; it stays red until an officer closes it."""
    result = run(intelligence=[intel(1, "finance", "red", "2024-06-01", summary="Cumulative deficit")])
    row = indicator(result, 1, "C4")
    assert row["rating"] == "R"
    assert row["missing"] == ""
    assert row["sentence"] == (
        "Finance intelligence recorded 1 June 2024 (red): Cumulative deficit; review due: recorded more than 12"
        " months ago, it stays red until an officer archives it or records a newer finance entry"
    )


def test_an_old_amber_finance_entry_or_a_newer_entry_is_not_kept_red() -> None:
    old_amber = run(intelligence=[intel(1, "finance", "amber", "2024-06-01")])
    assert indicator(old_amber, 1, "C4")["rating"] is None
    closed = [intel(1, "finance", "red", "2024-06-01"), intel(1, "finance", "green", "2024-09-01")]
    assert indicator(run(intelligence=closed), 1, "C4")["rating"] is None  # closed by a newer (old) green entry
    old_governance = run(intelligence=[intel(1, "governance", "red", "2024-06-01")])
    assert indicator(old_governance, 1, "C3")["rating"] is None  # only the kinds the rule set names are kept


def test_the_kinds_kept_red_are_configurable() -> None:
    from dataclasses import replace

    from schools.risk import DEFAULT_RULESET

    rules = replace(DEFAULT_RULESET, intelligence=replace(DEFAULT_RULESET.intelligence, red_kept_kinds=()))
    result = run(intelligence=[intel(1, "finance", "red", "2024-06-01")], ruleset=rules)
    assert indicator(result, 1, "C4")["rating"] is None
