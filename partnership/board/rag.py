"""RAG and direction of travel for a KPI value: pure functions of numbers, no Django."""

from __future__ import annotations

HIGHER, LOWER, TARGET = "higher", "lower", "target"
RED, AMBER, GREEN, WHITE = "red", "amber", "green", "white"
IMPROVED, SAME, WORSE, NONE = "improved", "same", "worse", "none"


def shortfall(*, value: float, target: float, polarity: str) -> float:
    """How far ``value`` falls short of ``target`` (0 or less = met), in the KPI's own unit."""
    if polarity == HIGHER:
        return target - value
    if polarity == LOWER:
        return value - target
    return abs(value - target)


def rag_for(*, value: float, target: float, polarity: str, green_within: float, amber_within: float) -> str:
    """Green within ``green_within`` of the target (or beyond it on the right side), amber within
    ``amber_within``, else red."""
    gap = shortfall(value=value, target=target, polarity=polarity)
    if gap <= green_within:
        return GREEN
    if gap <= amber_within:
        return AMBER
    return RED


def direction_for(
    *, value: float, previous: float | None, target: float, polarity: str, tolerance: float = 1e-9
) -> str:
    """Improved, same or worse than ``previous`` given the polarity (for "target": nearer to it is better)."""
    if previous is None:
        return NONE
    before = shortfall(value=previous, target=target, polarity=polarity)
    now = shortfall(value=value, target=target, polarity=polarity)
    delta = before - now if polarity == TARGET else (value - previous) * (1 if polarity == HIGHER else -1)
    if abs(delta) <= tolerance:
        return SAME
    return IMPROVED if delta > 0 else WORSE
