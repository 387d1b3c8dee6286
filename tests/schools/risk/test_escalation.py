"""The register of concern: raised as a concern three or more times in 12 months → proposed a category up."""

from __future__ import annotations

from dataclasses import replace

from schools.risk import DEFAULT_RULESET, ruleset_validate
from schools.risk.engine.ruleset import ConcernRule
from tests.schools.risk.builders import intel, ks2, measures, run, school, schools

# TODAY is 15 January 2026: the 12-month window starts after 15 January 2025.
THREE_IN_WINDOW = [
    intel(1, "complaints", "red", "2025-02-01"),
    intel(1, "complaints", "amber", "2025-05-01"),
    intel(1, "complaints", "red", "2025-08-01"),
]
ONE_IN_WINDOW = [  # the same latest entry (C7 is red for both schools); the others are older than 12 months
    intel(2, "complaints", "red", "2024-06-01"),
    intel(2, "complaints", "amber", "2025-01-15"),
    intel(2, "complaints", "red", "2025-08-01"),
]


def _pair(ruleset=None, extra=()):
    green = measures(*(ks2(sid, {2023: 70.0, 2024: 70.0, 2025: 70.0}) for sid in (1, 2)))  # enough evidence
    result = run(
        schools(school(1), school(2)),
        green,
        intelligence=THREE_IN_WINDOW + ONE_IN_WINDOW + list(extra),
        ruleset=ruleset,
    )
    return result.schools.loc[1], result.schools.loc[2]


def test_three_concerns_in_twelve_months_propose_the_next_category_up_with_a_sentence() -> None:
    three, one = _pair()
    assert three["C7"] == one["C7"] == "R"
    assert (three["matrix_category"], three["override_floor"]) == (one["matrix_category"], one["override_floor"])
    assert three["proposed_category"] == one["proposed_category"] + 1
    assert (three["concerns"], one["concerns"]) == (3, 1)
    assert bool(three["concern_escalated"]) and not bool(one["concern_escalated"])
    sentence = (
        "Raised as a concern 3 times in the 12 months to 15 January 2026 (complaints 1 February 2025, complaints"
        f" 1 May 2025, complaints 1 August 2025): proposed category {three['proposed_category']} instead of"
        f" {one['proposed_category']}"
    )
    assert three["overrides"] == [sentence] and sentence in three["reasons"]
    assert one["overrides"] == []
    band = next(r for r in three["reasons"] if r.startswith("Standards band"))
    assert band.endswith(f"; the register of concern raises it to {three['proposed_category']}")


def test_green_entries_and_entries_after_today_are_not_concerns() -> None:
    later = [intel(2, "staffing", "green", "2025-10-01"), intel(2, "governance", "red", "2026-02-01")]
    _three, one = _pair(extra=later)
    assert one["concerns"] == 1 and not bool(one["concern_escalated"])


def test_the_rule_reads_its_configuration() -> None:
    off = replace(DEFAULT_RULESET, concerns=ConcernRule(steps=0))
    three, one = _pair(off)
    assert three["proposed_category"] == one["proposed_category"] and three["overrides"] == []
    reds_only = replace(DEFAULT_RULESET, concerns=ConcernRule(ratings=("red",)))
    three, _one = _pair(reds_only)
    assert three["concerns"] == 2 and not bool(three["concern_escalated"])
    twice = replace(DEFAULT_RULESET, concerns=ConcernRule(times=1, steps=2))
    three, one = _pair(twice)
    assert three["proposed_category"] == min(4, three["matrix_category"] + 2)
    assert one["proposed_category"] == min(4, one["matrix_category"] + 2)


def test_a_school_already_at_the_top_stays_there_and_says_so() -> None:
    red = [intel(1, "warning_notice", "red", "2025-09-01")]
    three, _one = _pair(extra=red)
    assert three["proposed_category"] == 4
    assert three["overrides"][-1].endswith(": already at the highest category")


def test_a_bad_concern_rule_is_refused_with_reasons() -> None:
    bad = replace(DEFAULT_RULESET, concerns=ConcernRule(times=0, window_days=0, ratings=("green",), steps=5))
    errors = ruleset_validate(bad)
    assert "concerns.times: must be at least 1 (is 0)" in errors
    assert "concerns.window_days: must be at least 1 (is 0)" in errors
    assert "concerns.steps: must be 0 (switched off) to 3 categories" in errors
    assert 'concerns.ratings: choose "amber", "red" or both' in errors
