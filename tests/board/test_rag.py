"""RAG and direction of travel: pure functions."""

import pytest

from partnership.board.rag import direction_for, rag_for


@pytest.mark.parametrize(
    ("value", "polarity", "expected"),
    [
        (70, "higher", "green"),  # at the target
        (75, "higher", "green"),  # beyond it on the right side
        (68.5, "higher", "amber"),  # 1.5 short, amber within 2
        (67, "higher", "red"),
        (70, "lower", "green"),
        (65, "lower", "green"),
        (71, "lower", "amber"),
        (73, "lower", "red"),
        (71.5, "target", "amber"),  # 1.5 away either side
        (68.5, "target", "amber"),
        (75, "target", "red"),  # too far above the target is bad when nearer is better
    ],
)
def test_rag_follows_polarity_and_thresholds(value, polarity, expected):
    assert rag_for(value=value, target=70, polarity=polarity, green_within=0, amber_within=2) == expected


@pytest.mark.parametrize(
    ("previous", "value", "polarity", "expected"),
    [
        (None, 60, "higher", "none"),
        (60, 62, "higher", "improved"),
        (60, 58, "higher", "worse"),
        (60, 60, "higher", "same"),
        (12, 10, "lower", "improved"),
        (10, 12, "lower", "worse"),
        (60, 69, "target", "improved"),  # target 70: nearer
        (69, 75, "target", "worse"),  # overshoot: further away
    ],
)
def test_direction_of_travel(previous, value, polarity, expected):
    assert direction_for(value=value, previous=previous, target=70, polarity=polarity) == expected
