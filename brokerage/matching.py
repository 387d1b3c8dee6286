"""Matching that explains itself: a pure function from facts about a request and its candidates to a ranked
shortlist, each candidate with its score, its reasons as sentences and any hard exclusions.

No Django here: the selector gathers the facts (``Candidate``), this module decides, a test checks it with
literal values. Weights are points per criterion (the partnership's ``BrokerageSettings``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Need:
    """What the receiving school needs."""

    school_id: int
    school_name: str
    phase: str
    focus: str  # the specialism's name, "" when none given
    days_wanted: Decimal
    easting: int | None
    northing: int | None
    trust_code: str
    federation_code: str
    preferred_provider_id: int | None


@dataclass(frozen=True)
class Candidate:
    """One provider as the matcher sees it."""

    provider_id: int
    name: str
    kind: str
    school_id: int | None
    specialisms: frozenset[str]
    phases: frozenset[str]
    cross_phase: bool
    days_left: Decimal
    easting: int | None
    northing: int | None
    trust_code: str
    federation_code: str
    release_agreed: bool
    evaluations: tuple[int, ...]  # overall ratings 1–4 of past deployments
    reviewed_recently: bool  # reviewed this school in the last 24 months (peer review)
    declared_interest: bool


@dataclass
class Match:
    """A scored candidate: ``excluded`` when any hard exclusion applies (shown, never hidden)."""

    candidate: Candidate
    score: int
    reasons: list[str] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)

    @property
    def excluded(self) -> bool:
        return bool(self.exclusions)


def distance_km(a: tuple[int | None, int | None], b: tuple[int | None, int | None]) -> float | None:
    """Straight-line distance between two British National Grid points, in km (None when either is unknown)."""
    if None in a or None in b:
        return None
    return math.hypot(float(a[0]) - float(b[0]), float(a[1]) - float(b[1])) / 1000  # type: ignore[arg-type]


def _days(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return f"{text} day" if value == 1 else f"{text} days"


def exclusions(need: Need, c: Candidate) -> list[str]:
    """The hard exclusions that apply, as sentences."""
    found = []
    if c.school_id is not None and c.school_id == need.school_id:
        found.append("Works at the school that needs support.")
    if need.trust_code and c.trust_code == need.trust_code:
        found.append("In the same trust as the school.")
    if need.federation_code and c.federation_code == need.federation_code:
        found.append("In the same federation as the school.")
    if c.reviewed_recently:
        found.append("Reviewed this school in a peer review in the last 24 months.")
    if c.declared_interest:
        found.append("Has declared an interest in this school.")
    if not c.release_agreed:
        found.append("Release not yet agreed by the home school's head and chair of governors.")
    if c.days_left <= 0:
        found.append("No days left this year.")
    return found


def score(need: Need, c: Candidate, weights: dict[str, int], max_km: int = 30) -> Match:
    """Score one candidate out of the sum of ``weights``, with one sentence per criterion."""
    reasons: list[str] = []
    points = 0.0
    if need.focus:
        if need.focus in c.specialisms:
            points += weights["expertise"]
            reasons.append(f"Has {need.focus.lower()} as a specialism.")
        else:
            reasons.append(f"Does not list {need.focus.lower()} as a specialism.")
    else:
        points += weights["expertise"] / 2
        reasons.append("The request names no focus area, so expertise counts half.")
    if need.phase and need.phase in c.phases:
        points += weights["phase"]
        reasons.append(f"Works in the {need.phase.lower()} phase.")
    elif c.cross_phase:
        points += weights["phase"] / 2
        reasons.append(f"Works across phases, though not mainly {need.phase.lower() or 'in this phase'}.")
    else:
        reasons.append(f"Does not work in the {need.phase.lower() or 'school’s'} phase.")
    if c.days_left > 0:
        share = min(Decimal(1), c.days_left / need.days_wanted) if need.days_wanted else Decimal(1)
        points += weights["capacity"] * float(share)
        enough = "enough for" if share >= 1 else "fewer than"
        reasons.append(f"Has {_days(c.days_left)} left this year, {enough} the {_days(need.days_wanted)} wanted.")
    km = distance_km((need.easting, need.northing), (c.easting, c.northing))
    if km is None:
        reasons.append("Distance unknown (no grid reference).")
    else:
        points += weights["distance"] * max(0.0, 1 - km / max_km)
        reasons.append(f"{km:.1f} km away.")
    if c.evaluations:
        good = sum(1 for r in c.evaluations if r >= 3)
        mean = sum(c.evaluations) / len(c.evaluations)
        points += weights["track_record"] * (mean - 1) / 3
        reasons.append(f"{good} of {len(c.evaluations)} past deployments rated good or better by the school.")
    else:
        points += weights["track_record"] / 2
        reasons.append("No evaluated deployments yet, so track record counts half.")
    if need.preferred_provider_id == c.provider_id:
        points += weights["preference"]
        reasons.append(f"{need.school_name} asked for this provider.")
    return Match(candidate=c, score=round(points), reasons=reasons, exclusions=exclusions(need, c))


def shortlist(
    need: Need, candidates: list[Candidate], weights: dict[str, int], *, max_km: int = 30, size: int = 5
) -> list[Match]:
    """The best ``size`` eligible candidates by score (ties by name), then every excluded one, best first."""
    matches = [score(need, c, weights, max_km) for c in candidates]
    ranked = sorted(matches, key=lambda m: (-m.score, m.candidate.name, m.candidate.provider_id))
    eligible = [m for m in ranked if not m.excluded][:size]
    return eligible + [m for m in ranked if m.excluded]
