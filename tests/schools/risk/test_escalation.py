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


def test_updates_on_one_issue_count_once() -> None:
    """#14.5: three routine notes on one issue are one concern (entries of one thread count once)."""
    one_thread = [{**e, "thread": 70} for e in THREE_IN_WINDOW]
    result = run(
        schools(school(1)),
        measures(ks2(1, {2023: 70.0, 2024: 70.0, 2025: 70.0})),
        intelligence=one_thread,
    )
    row = result.schools.loc[1]
    assert row["concerns"] == 1 and not bool(row["concern_escalated"])


def test_only_the_kinds_the_rule_set_names_are_concerns() -> None:
    """#14.5: "head new in post" (C1) and network attendance are not concerns by default; the rule set names them."""
    entries = [
        intel(1, "head", "amber", "2025-03-01"),
        intel(1, "network_attendance", "amber", "2025-04-01"),
        intel(1, "complaints", "amber", "2025-05-01"),
    ]
    green = measures(ks2(1, {2023: 70.0, 2024: 70.0, 2025: 70.0}))
    row = run(schools(school(1)), green, intelligence=entries).schools.loc[1]
    assert row["concerns"] == 1 and not bool(row["concern_escalated"])
    assert "head" not in DEFAULT_RULESET.concerns.kinds and "complaints" in DEFAULT_RULESET.concerns.kinds
    every = replace(DEFAULT_RULESET, concerns=ConcernRule(kinds=("head", "network_attendance", "complaints")))
    row = run(schools(school(1)), green, intelligence=entries, ruleset=every).schools.loc[1]
    assert row["concerns"] == 3 and bool(row["concern_escalated"])


def test_a_concern_kind_must_be_named() -> None:
    errors = ruleset_validate(replace(DEFAULT_RULESET, concerns=ConcernRule(kinds=())))
    assert "concerns.kinds: name at least one kind of intelligence that counts as a concern, none blank" in errors
