"""The peer-review rows of the permission matrix (merged into ``tests.url_matrix.MATRIX``).

Defaults the rows prove: the host head (the ``headteacher`` role, whose school hosts the reviews) opens the
workspace, report, sharing and concern; officers, admins and cluster leads manage the programme (team page,
postpone/cancel) but get 404 for the workspace and the report; everyone else gets 404 for anything inside a
review. The finer cells (grants, team clearance, LADO routing) are in ``test_confidentiality.py``.
"""

from __future__ import annotations

from tests.peerreview.helpers import pr_world
from tests.url_matrix import DENY, HIDDEN, OK, Case, expect

HOST_ONLY = expect(HIDDEN, headteacher=OK)
MANAGERS = expect(DENY, admin=OK, officer=OK, cluster_lead=OK)
ROLLUP = expect(OK, headteacher=DENY, system_leader=DENY, chair_of_governors=DENY)


def _visit(w):
    return [pr_world(w).pr_visit.pk]


def _review(w):
    return [pr_world(w).pr_review.pk]


def _other(w):
    return [pr_world(w).other_review.pk]


PEERREVIEW_MATRIX: dict[str, Case] = {
    "peerreview:home": Case(args=lambda w: pr_world(w) and []),
    "peerreview:protocol_list": Case(args=lambda w: pr_world(w) and []),
    "peerreview:protocol_create": Case(roles=MANAGERS),
    "peerreview:protocol_detail": Case(
        args=lambda w: [pr_world(w).protocol.pk], other_args=lambda w: [pr_world(w).other_protocol.pk]
    ),
    "peerreview:protocol_sign": Case(
        method="post",
        args=lambda w: [pr_world(w).protocol.pk],
        other_args=lambda w: [pr_world(w).other_protocol.pk],
        roles=expect(DENY, headteacher=OK, chair_of_governors=OK),
    ),
    "peerreview:programme_list": Case(args=lambda w: pr_world(w) and []),
    "peerreview:programme_create": Case(roles=MANAGERS),
    "peerreview:programme_detail": Case(
        args=lambda w: [pr_world(w).programme.pk], other_args=lambda w: [pr_world(w).other_programme.pk]
    ),
    "peerreview:review_create": Case(
        args=lambda w: [pr_world(w).programme.pk],
        other_args=lambda w: [pr_world(w).other_programme.pk],
        roles=MANAGERS,
    ),
    "peerreview:review_detail": Case(args=_review, other_args=_other, roles=HOST_ONLY),
    "peerreview:review_team": Case(
        args=_review,
        other_args=_other,
        roles=expect(HIDDEN, headteacher=OK, admin=OK, officer=OK, cluster_lead=OK),
    ),
    "peerreview:review_transition": Case(
        method="post",
        args=_visit,
        other_args=_other,
        data=lambda w: {"move-to": "postponed", "move-reason": "Staff illness"},
        roles=expect(HIDDEN, headteacher=OK, admin=OK, officer=OK, cluster_lead=OK),
    ),
    "peerreview:focus_add": Case(
        method="post",
        args=lambda w: [pr_world(w).pr_planned.pk],
        other_args=_other,
        data=lambda w: {"focus-theme": w.pr_theme.pk, "focus-title": "Writing in Year 4"},
        roles=HOST_ONLY,
    ),
    "peerreview:pre_review": Case(
        method="post",
        args=_visit,
        other_args=_other,
        data=lambda w: {"prereview-self_evaluation_summary": "Our self-evaluation"},
        roles=HOST_ONLY,
    ),
    "peerreview:evidence_add": Case(
        method="post",
        args=_visit,
        other_args=_other,
        data=lambda w: {"evidence-activity": "lesson_visit", "evidence-joint": "yes", "evidence-notes": "Seen"},
        roles=HOST_ONLY,
    ),
    "peerreview:finding_add": Case(
        method="post",
        args=_visit,
        other_args=_other,
        data=lambda w: {"finding-kind": "www", "finding-text": "Calm corridors"},
        roles=HOST_ONLY,
    ),
    "peerreview:workshop": Case(
        method="post",
        args=_review,
        other_args=_other,
        data=lambda w: {
            "workshop-held_on": "2026-01-10",
            "workshop-facilitator": "Improvement champion",
            "workshop-attendees": "SLT",
            "workshop-outputs": "Three actions",
        },
        roles=HOST_ONLY,
    ),
    "peerreview:action_add": Case(
        method="post",
        args=_review,
        other_args=_other,
        data=lambda w: {
            "action-description": "Daily reading",
            "action-owner": "English lead",
            "action-success_criteria": "All read daily",
            "action-due_on": "2027-03-01",
        },
        roles=HOST_ONLY,
    ),
    "peerreview:concern_add": Case(
        method="post",
        args=_visit,
        other_args=_other,
        data=lambda w: {"concern-concerns_head": "no", "concern-summary": "x"},
        roles=expect(HIDDEN, headteacher=DENY),
    ),
    "peerreview:report": Case(args=_review, other_args=_other, roles=HOST_ONLY),
    "peerreview:report_edit": Case(args=_review, other_args=_other, roles=expect(HIDDEN, headteacher=DENY)),
    "peerreview:report_agree": Case(
        method="post",
        args=lambda w: [pr_world(w).pr_draft.pk],
        other_args=_other,
        data=lambda w: {"confirm": "on"},
        roles=HOST_ONLY,
    ),
    "peerreview:sharing": Case(args=_review, other_args=_other, roles=HOST_ONLY),
    "peerreview:team_declare": Case(
        args=lambda w: [pr_world(w).pr_pending.pk],
        other_args=lambda w: [pr_world(w).other_member.pk],
        roles=expect(HIDDEN),
    ),
    "peerreview:team_release": Case(
        method="post",
        args=lambda w: [pr_world(w).pr_lead.pk],
        other_args=lambda w: [pr_world(w).other_member.pk],
        roles=expect(HIDDEN),
    ),
    "peerreview:finding_answer": Case(
        method="post",
        args=lambda w: [pr_world(w).pr_finding.pk],
        other_args=lambda w: [pr_world(w).other_finding.pk],
        data=lambda w: {"agreed": "yes"},
        roles=HOST_ONLY,
    ),
    "peerreview:focus_estimate": Case(
        method="post",
        args=lambda w: [pr_world(w).pr_visit_focus.pk],
        other_args=lambda w: [pr_world(w).other_focus.pk],
        data=lambda w: {f"e{w.pr_visit_focus.pk}-estimate": "Effective"},
        roles=HOST_ONLY,
    ),
    "peerreview:action_update": Case(
        method="post",
        args=lambda w: [pr_world(w).pr_action.pk],
        other_args=lambda w: [pr_world(w).other_action.pk],
        data=lambda w: {f"a{w.pr_action.pk}-status": "in_progress"},
        roles=HOST_ONLY,
    ),
    "peerreview:impact_add": Case(
        method="post",
        args=lambda w: [pr_world(w).pr_action.pk],
        other_args=lambda w: [pr_world(w).other_action.pk],
        data=lambda w: {
            f"i{w.pr_action.pk}-checked_on": "2026-01-10",
            f"i{w.pr_action.pk}-progress": "some",
            f"i{w.pr_action.pk}-evidence": "Reading logs",
        },
        roles=HOST_ONLY,
    ),
    "peerreview:grant_revoke": Case(
        method="post",
        args=lambda w: [pr_world(w).pr_grant.pk],
        other_args=lambda w: [pr_world(w).other_grant.pk],
        roles=HOST_ONLY,
    ),
    "peerreview:concern_detail": Case(
        args=lambda w: [pr_world(w).pr_concern.pk],
        other_args=lambda w: [pr_world(w).other_concern.pk],
        roles=HOST_ONLY,
    ),
    "peerreview:rollup": Case(args=lambda w: pr_world(w) and [], roles=ROLLUP),
    "peerreview:excellence": Case(args=lambda w: pr_world(w) and []),
    "peerreview:excellence_add": Case(roles=expect(DENY, headteacher=OK)),
}
