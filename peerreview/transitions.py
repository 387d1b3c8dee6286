"""The one table of a review's allowed moves: from a state, to a state, who may make it, what must be true.

Actors: ``host`` (the host school's headteacher), ``lead`` (the cleared lead reviewer), ``champion`` (the
cleared improvement champion), ``manager`` (whoever manages the review's programme: officers, and the
cluster's lead for a cluster programme). ``review_transition`` in services is the only code that moves one.
"""

from __future__ import annotations

from dataclasses import dataclass

from peerreview.models import Review

S = Review.State


@dataclass(frozen=True)
class Move:
    """One allowed move: its button text, the actors allowed, and the check it needs (a name in services)."""

    label: str
    actors: frozenset[str]
    requires: str = ""


HOST = frozenset({"host"})
ACTIVE = [
    S.PLANNED,
    S.FOCUS_AGREED,
    S.PRE_REVIEW,
    S.VISIT,
    S.FINDINGS_AGREED,
    S.REPORT_DRAFT,
    S.REPORT_AGREED,
    S.WORKSHOP_HELD,
    S.ACTIONS_LIVE,
    S.IMPACT_REVIEWED,
]
"""The main path, in order (closed follows the last)."""

TRANSITIONS: dict[tuple[str, str], Move] = {
    (S.PLANNED, S.FOCUS_AGREED): Move("Agree the focus", HOST, "focus_set"),
    (S.FOCUS_AGREED, S.PRE_REVIEW): Move("Share the self-evaluation and data", HOST, "self_evaluation_shared"),
    (S.PRE_REVIEW, S.VISIT): Move("Start the visit", frozenset({"host", "lead"})),
    (S.VISIT, S.FINDINGS_AGREED): Move("Confirm the findings are agreed", HOST, "findings_answered"),
    (S.FINDINGS_AGREED, S.REPORT_DRAFT): Move(
        "Send the draft report to the host", frozenset({"lead"}), "report_drafted"
    ),
    (S.REPORT_DRAFT, S.REPORT_AGREED): Move("Agree the report", HOST, "report_exists"),
    (S.REPORT_AGREED, S.WORKSHOP_HELD): Move(
        "Record the workshop as held", frozenset({"host", "champion"}), "workshop_recorded"
    ),
    (S.WORKSHOP_HELD, S.ACTIONS_LIVE): Move("Make the actions live", HOST, "actions_exist"),
    (S.ACTIONS_LIVE, S.IMPACT_REVIEWED): Move(
        "Record the impact review as done", frozenset({"host", "champion"}), "impact_checked"
    ),
    (S.IMPACT_REVIEWED, S.CLOSED): Move("Close the review", HOST),
}
for _state in ACTIVE:
    TRANSITIONS[(_state, S.POSTPONED)] = Move("Postpone", frozenset({"host", "manager"}), "reason_given")
    TRANSITIONS[(_state, S.CANCELLED)] = Move("Cancel the review", frozenset({"host", "manager"}), "reason_given")
TRANSITIONS[(S.POSTPONED, S.CANCELLED)] = Move("Cancel the review", frozenset({"host", "manager"}), "reason_given")
RESUME = Move("Resume the review", frozenset({"host", "manager"}))
"""Postponed → the state it was postponed from (kept on the review)."""


def move_for(review: Review, to: str) -> Move | None:
    """The move from the review's state to ``to``, or None when the table does not allow it."""
    if review.state == S.POSTPONED and to == review.resume_state and to:
        return RESUME
    return TRANSITIONS.get((review.state, to))


def moves_from(review: Review) -> list[tuple[str, Move]]:
    """Every (to, move) allowed from the review's state, the main path first."""
    moves = [(to, m) for (frm, to), m in TRANSITIONS.items() if frm == review.state]
    if review.state == S.POSTPONED and review.resume_state:
        moves.insert(0, (review.resume_state, RESUME))
    return moves
