"""Notes-of-visit rows of the permission matrix (merged into ``tests/url_matrix.py``).

Officers and admins record, share and promote; the own school's head and chair (the matrix's head and chair are
at ``world.own_school``) read the shared note and respond; nobody else sees a note (403); another partnership's
visit or school answers 404.
"""

from __future__ import annotations

from tests.url_matrix import DENY, OK, STAFF, Case, expect
from tests.visits.helpers import visits_world as vw

SCHOOL_READERS = expect(DENY, admin=OK, officer=OK, headteacher=OK, chair_of_governors=OK)
RESPONDERS = expect(DENY, headteacher=OK, chair_of_governors=OK)

VISITS_MATRIX: dict[str, Case] = {
    "visits:list": Case(args=lambda w: vw(w) and [], roles=STAFF),
    "visits:due": Case(args=lambda w: vw(w) and [], roles=STAFF),
    "visits:settings": Case(roles=STAFF),
    "visits:school": Case(
        args=lambda w: vw(w) and [w.own_school.urn], other_args=lambda w: [w.other_school.urn], roles=SCHOOL_READERS
    ),
    "visits:adviser": Case(
        method="post",
        args=lambda w: [w.own_school.urn],
        other_args=lambda w: [w.other_school.urn],
        data=lambda w: {"adviser": ""},
        roles=STAFF,
    ),
    "visits:create": Case(args=lambda w: [w.own_school.urn], other_args=lambda w: [w.other_school.urn], roles=STAFF),
    "visits:detail": Case(
        args=lambda w: [vw(w).shared.pk], other_args=lambda w: [vw(w).other.pk], roles=SCHOOL_READERS
    ),
    "visits:edit": Case(args=lambda w: [vw(w).draft.pk], other_args=lambda w: [vw(w).other_draft.pk], roles=STAFF),
    "visits:share": Case(
        method="post", args=lambda w: [vw(w).draft.pk], other_args=lambda w: [vw(w).other_draft.pk], roles=STAFF
    ),
    "visits:respond": Case(args=lambda w: [vw(w).shared.pk], other_args=lambda w: [vw(w).other.pk], roles=RESPONDERS),
    "visits:promote": Case(args=lambda w: [vw(w).draft.pk], other_args=lambda w: [vw(w).other_draft.pk], roles=STAFF),
    "visits:action_add": Case(
        args=lambda w: [vw(w).draft.pk], other_args=lambda w: [vw(w).other_draft.pk], roles=STAFF
    ),
    "visits:action_remove": Case(
        method="post",
        args=lambda w: [vw(w).draft.pk, vw(w).draft_action.pk],
        other_args=lambda w: [vw(w).other_draft.pk, vw(w).other_action.pk],
        roles=STAFF,
    ),
}
