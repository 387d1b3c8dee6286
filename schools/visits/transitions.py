"""The one table of a note of visit's allowed moves: from a state, to a state, who may make it.

Actors: ``officer`` (RECORD_VISITS: an LA officer, a link adviser with the officer role, an admin) and ``school``
(RESPOND_TO_VISITS and the visit's school: its headteacher or chair of governors). ``visit_transition`` in services
is the only code that moves a visit. Responding when the school has already responded keeps the state: the head
and the chair each answer once, whichever comes first moves the visit on.
"""

from __future__ import annotations

from dataclasses import dataclass

from schools.visits.models import Visit

S = Visit.State


@dataclass(frozen=True)
class Move:
    """One allowed move: its button text and the actors allowed."""

    label: str
    actors: frozenset[str]


OFFICER = frozenset({"officer"})
SCHOOL = frozenset({"school"})

TRANSITIONS: dict[tuple[str, str], Move] = {
    (S.DRAFT, S.SHARED): Move("Share with the school", OFFICER),
    (S.SHARED, S.RESPONDED): Move("Send your response", SCHOOL),
    (S.RESPONDED, S.RESPONDED): Move("Send your response", SCHOOL),
}


def move_for(visit: Visit, to: str) -> Move | None:
    """The move from the visit's state to ``to``, or None when the table does not allow it."""
    return TRANSITIONS.get((visit.state, to))
