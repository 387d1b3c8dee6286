"""The rule set as versioned data: defaults from DOMAIN, a JSON round trip, and clear validation errors."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest

from schools.risk import DEFAULT_RULESET, RulesetError, ruleset_from_dict, ruleset_to_dict, ruleset_validate
from schools.risk.engine.ruleset import DEFAULT_MATRIX


def _errors(changes: dict[str, Any]) -> list[str]:
    data = ruleset_to_dict(DEFAULT_RULESET)
    for dotted, value in changes.items():
        *path, last = dotted.split(".")
        target = data
        for key in path:
            target = target[key]
        target[last] = value
    with pytest.raises(RulesetError) as caught:
        ruleset_from_dict(data)
    return caught.value.errors


def test_defaults_follow_domain() -> None:
    r = DEFAULT_RULESET
    assert ruleset_validate(r) == []
    assert (r.data.ks2_min_pupils, r.data.ks4_min_pupils) == (11, 6)
    assert (r.s3.red_below_reading, r.s3.red_below_writing, r.s3.red_below_maths) == (-5.0, -7.0, -5.0)
    assert (r.s3.amber_below_reading, r.s3.amber_below_writing, r.s3.amber_below_maths) == (-2.5, -3.5, -2.5)
    assert (r.s4.p8_red_below, r.s4.p8_amber_below) == (-0.5, -0.25)
    assert (r.bands.b_min_ambers, r.bands.c_min_ambers, r.bands.c_min_reds, r.bands.d_min_reds) == (2, 4, 1, 2)
    assert r.matrix == ((1, 2, 2, 3), (2, 2, 3, 3), (3, 3, 3, 4), (3, 4, 4, 4))
    assert [(c.number, c.colour) for c in r.categories] == [(1, "green"), (2, "yellow"), (3, "amber"), (4, "red")]
    assert (r.trend.min_declining_indicators, r.trend.band_steps) == (2, 1)
    assert r.c1.red_min_changes_3y == 2
    assert r.version


def test_round_trip_through_json() -> None:
    data = json.loads(json.dumps(ruleset_to_dict(DEFAULT_RULESET)))
    assert ruleset_from_dict(data) == DEFAULT_RULESET


def test_a_partial_dict_takes_the_defaults() -> None:
    ruleset = ruleset_from_dict({"version": "surrey-2026", "s2": {"amber_points_below": 3}})
    assert ruleset.version == "surrey-2026"
    assert ruleset.s2.amber_points_below == 3.0
    assert ruleset.s2.red_points_below == DEFAULT_RULESET.s2.red_points_below
    assert ruleset.matrix == DEFAULT_MATRIX


def test_a_changed_rule_set_round_trips() -> None:
    changed = replace(DEFAULT_RULESET, version="v2", matrix=((1, 1, 2, 3),) + DEFAULT_MATRIX[1:])
    assert ruleset_from_dict(ruleset_to_dict(changed)) == changed


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"s2.red_points_below": 4}, "s2.red_points_below: red must be stricter than amber: 4 must be greater than "),
        ({"s3.red_below_writing": -3.0}, "s3.red_below_writing: red must be stricter than amber: -3 must be below"),
        ({"s4.p8_red_below": -0.1}, "s4.p8_red_below: red must be stricter than amber"),
        ({"s5.ks2_red_points_wider": 5}, "s5.ks2_red_points_wider: red must be stricter than amber"),
        ({"s6.pa_red_ratio": 1.1}, "s6.pa_red_ratio: red must be stricter than amber"),
        ({"s7.red_ratio": 1.0}, "s7.red_ratio: red must be stricter than amber"),
        ({"s8.red_points_below": 2}, "s8.red_points_below: red must be stricter than amber"),
        ({"s2.red_min_years_below": 4}, "s2.red_min_years_below: must be from 1 to data.history_years (3) (is 4)"),
        ({"data.ks2_min_pupils": 0}, "data.ks2_min_pupils: must be at least 1 (is 0)"),
        ({"bands.c_min_ambers": 2}, "bands.c_min_ambers: band C must need more ambers than band B"),
        ({"bands.d_min_reds": 1}, "bands.d_min_reds: band D must need more reds than band C"),
        ({"overrides.stuck": 5}, "overrides.stuck: must be a category from 1 to 4, or 0 to switch it off"),
        ({"s1.amber_grades": ["needs attention"]}, "s1.amber_grades: unknown report-card grade 'needs attention'"),
        ({"s1.areas": ["rc_maths"]}, "s1.areas: unknown report-card area 'rc_maths'"),
        ({"c2.legacy_red_grades": [5]}, "c2.legacy_red_grades: legacy grades are 1 to 4 (got 5)"),
        ({"intelligence.c6_kinds": ["finance"]}, "intelligence.c6_kinds: kind 'finance' is already used by C4"),
        ({"intelligence.c3_kinds": []}, "intelligence.c3_kinds: name at least one kind of intelligence, none blank"),
        ({"points.amber": 0}, "points: must rise from green to amber to red, from 0 up (are 0, 0, 2)"),
        ({"leading.standards_bands": ["E"]}, "leading.standards_bands: list bands from A, B, C, D"),
        ({"version": " "}, "version: enter a version name"),
        ({"trend.band_steps": 4}, "trend.band_steps: must be from 0 to 3"),
        ({"academy_concern_min_category": 0}, "academy_concern_min_category: must be a category from 1 to 4"),
    ],
)
def test_validation_errors_are_clear(changes: dict[str, Any], message: str) -> None:
    errors = _errors(changes)
    assert any(e.startswith(message) for e in errors), errors


def test_matrix_must_never_give_a_lower_category_for_a_worse_band() -> None:
    matrix = [list(row) for row in DEFAULT_MATRIX]
    matrix[0][2] = 1  # S-A: C-B gives 2 but C-C would give 1
    matrix[3][0] = 2  # C-A: S-C gives 3 but S-D would give 2
    errors = _errors({"matrix": matrix})
    assert (
        "matrix: a worse capacity band never gives a lower category, but standards A gives 2 with capacity B and 1 "
        "with capacity C"
    ) in errors
    assert (
        "matrix: a worse standards band never gives a lower category, but capacity A gives 3 with standards C and 2 "
        "with standards D"
    ) in errors


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 2, 2]] * 4, "matrix: must have 4 rows (standards bands A-D) of 4 categories (capacity bands A-D)"),
        ([[1, 2, 2, 3]] * 3, "matrix: must have 4 rows"),
        (
            [[0, 2, 2, 3], [2, 2, 3, 3], [3, 3, 3, 4], [3, 4, 4, 4]],
            "matrix: standards A x capacity A must be a category",
        ),
    ],
)
def test_matrix_shape_and_values(matrix: list, message: str) -> None:
    assert any(e.startswith(message) for e in _errors({"matrix": matrix}))


def test_categories_must_be_one_to_four_with_names() -> None:
    data = ruleset_to_dict(DEFAULT_RULESET)
    data["categories"] = data["categories"][:3]
    with pytest.raises(RulesetError, match="categories: must list categories 1, 2, 3 and 4 in order"):
        ruleset_from_dict(data)
    data = ruleset_to_dict(DEFAULT_RULESET)
    data["categories"][1]["name"] = ""
    with pytest.raises(RulesetError, match="categories: category 2 needs a name"):
        ruleset_from_dict(data)


def test_types_and_unknown_keys_are_reported_all_at_once() -> None:
    with pytest.raises(RulesetError) as caught:
        ruleset_from_dict(
            {"s2": {"amber_points_below": "five", "colour": "red"}, "s3": {"red_needs_ci_below_zero": "yes"}, "x": 1}
        )
    assert caught.value.errors == [
        "x: unknown setting",
        "s2.colour: unknown setting",
        "s2.amber_points_below: expected a number, got 'five'",
        "s3.red_needs_ci_below_zero: expected true or false, got 'yes'",
    ]


def test_wrong_shapes_are_reported() -> None:
    errors = []
    for data in ({"s2": 5}, {"matrix": "1234"}, {"data": {"ks2_phases": "Primary"}}, {"trend": {"band_steps": 1.5}}):
        with pytest.raises(RulesetError) as caught:
            ruleset_from_dict(data)
        errors += caught.value.errors
    assert errors == [
        "s2: expected a group of settings, got int",
        "matrix: expected a list, got str",
        "data.ks2_phases: expected a list, got str",
        "trend.band_steps: expected a whole number, got 1.5",
    ]


def test_from_dict_does_not_change_its_input() -> None:
    data = ruleset_to_dict(DEFAULT_RULESET)
    before = copy.deepcopy(data)
    ruleset_from_dict(data)
    assert data == before


def test_the_error_message_joins_every_problem() -> None:
    with pytest.raises(RulesetError) as caught:
        ruleset_from_dict({"bands": {"d_min_reds": 1}, "overrides": {"ieb": 9}})
    assert "bands.d_min_reds" in str(caught.value)
    assert "overrides.ieb" in str(caught.value)
