"""Brokerage rows of the permission matrix (merged into ``tests/url_matrix.py``).

A provider sees their own deployments only (the matrix's system leader is the world's provider), a receiving head
and chair their school's, brokers (admin, officer) everything; another partnership's objects answer 404.
"""

from __future__ import annotations

from tests.brokerage.helpers import brokerage_world as bw
from tests.url_matrix import DENY, EVERYONE, HIDDEN, OK, STAFF, Case, expect

DIRECTORY = expect(OK, board_member=DENY)
REQUESTER = expect(DENY, admin=OK, officer=OK, headteacher=OK)
OWN_REQUEST = expect(HIDDEN, admin=OK, officer=OK, headteacher=OK, chair_of_governors=OK)
OWN_DEPLOYMENT = expect(HIDDEN, admin=OK, officer=OK, headteacher=OK, chair_of_governors=OK, system_leader=OK)
BROKER_ACT = expect(HIDDEN, admin=OK, officer=OK, headteacher=DENY, chair_of_governors=DENY)
DEPLOYMENT_BROKER_ACT = expect(
    HIDDEN, admin=OK, officer=OK, headteacher=DENY, chair_of_governors=DENY, system_leader=DENY
)
PROVIDER_FORM = expect(HIDDEN, admin=OK, officer=OK, system_leader=OK, headteacher=DENY, chair_of_governors=DENY)


def _request(w):
    return [bw(w).request.pk]


def _other_request(w):
    return [bw(w).other_request.pk]


def _deployment(w):
    return [bw(w).deployment.pk]


def _other_deployment(w):
    return [bw(w).other_deployment.pk]


BROKERAGE_MATRIX: dict[str, Case] = {
    "brokerage:queue": Case(args=lambda w: bw(w) and [], roles=STAFF),
    "brokerage:peer_review_sync": Case(method="post", roles=STAFF),
    "brokerage:mine": Case(args=lambda w: bw(w) and [], roles=EVERYONE),
    "brokerage:provider_list": Case(args=lambda w: bw(w) and [], roles=DIRECTORY),
    "brokerage:provider_create": Case(roles=STAFF),
    "brokerage:invite_leading": Case(method="post", roles=STAFF),
    "brokerage:provider_detail": Case(
        args=lambda w: [bw(w).provider.pk], other_args=lambda w: [bw(w).other_provider.pk], roles=DIRECTORY
    ),
    "brokerage:provider_edit": Case(
        args=lambda w: [bw(w).provider.pk],
        other_args=lambda w: [bw(w).other_provider.pk],
        roles=expect(HIDDEN, admin=OK, officer=OK, system_leader=OK),
    ),
    "brokerage:interest_add": Case(
        args=lambda w: [bw(w).provider.pk],
        other_args=lambda w: [bw(w).other_provider.pk],
        roles=expect(HIDDEN, admin=OK, officer=OK, system_leader=OK),
    ),
    "brokerage:invitation_answer": Case(
        method="post",
        args=lambda w: [bw(w).invitation.pk],
        other_args=lambda w: [bw(w).other_provider.pk],
        data=lambda w: {"answer": "join"},
        roles=expect(DENY, admin=HIDDEN, officer=HIDDEN, headteacher=OK),
    ),
    "brokerage:catalogue": Case(roles=DIRECTORY),
    "brokerage:request_create": Case(roles=REQUESTER),
    "brokerage:request_detail": Case(args=_request, other_args=_other_request, roles=OWN_REQUEST),
    "brokerage:request_transition": Case(
        method="post", args=_request, other_args=_other_request, data=lambda w: {"to": "triaged"}, roles=BROKER_ACT
    ),
    "brokerage:request_shortlist": Case(
        method="post", args=lambda w: [bw(w).triaged.pk], other_args=_other_request, roles=STAFF
    ),
    "brokerage:request_choose": Case(
        method="post",
        args=lambda w: [bw(w).shortlisted.pk],
        other_args=_other_request,
        data=lambda w: {"provider": bw(w).provider.pk},
        roles=expect(HIDDEN, admin=OK, officer=OK, headteacher=OK, chair_of_governors=DENY),
    ),
    "brokerage:request_release": Case(  # the home head (not a matrix role) or a broker confirms
        method="post", args=lambda w: [bw(w).chosen.pk], other_args=_other_request, roles=BROKER_ACT
    ),
    "brokerage:deployment_create": Case(args=_request, other_args=_other_request, roles=STAFF),
    "brokerage:deployment_list": Case(args=lambda w: bw(w) and [], roles=EVERYONE),
    "brokerage:deployment_detail": Case(args=_deployment, other_args=_other_deployment, roles=OWN_DEPLOYMENT),
    "brokerage:deployment_sign": Case(
        method="post",
        args=lambda w: [bw(w).draft.pk],
        other_args=_other_deployment,
        data=lambda w: {"party": "officer"},
        roles=DEPLOYMENT_BROKER_ACT,
    ),
    "brokerage:deployment_transition": Case(
        method="post",
        args=_deployment,
        other_args=_other_deployment,
        data=lambda w: {"to": "paused"},
        roles=DEPLOYMENT_BROKER_ACT,
    ),
    "brokerage:deployment_vary": Case(args=_deployment, other_args=_other_deployment, roles=STAFF),
    "brokerage:visit_create": Case(args=_deployment, other_args=_other_deployment, roles=PROVIDER_FORM),
    "brokerage:evaluation": Case(
        args=_deployment,
        other_args=_other_deployment,
        roles=expect(HIDDEN, admin=OK, officer=OK, headteacher=OK, chair_of_governors=DENY, system_leader=DENY),
    ),
    "brokerage:deployment_note": Case(
        args=lambda w: [*_deployment(w), "reflection"],
        other_args=lambda w: [*_other_deployment(w), "reflection"],
        roles=PROVIDER_FORM,
    ),
    "brokerage:visit_respond": Case(
        args=lambda w: [bw(w).visit.pk],
        other_args=lambda w: [bw(w).other_visit.pk],
        roles=expect(HIDDEN, admin=DENY, officer=DENY, headteacher=OK, chair_of_governors=DENY, system_leader=DENY),
    ),
    "brokerage:fund_list": Case(args=lambda w: bw(w) and [], roles=STAFF),
    "brokerage:fund_create": Case(roles=STAFF),
    "brokerage:ledger": Case(args=lambda w: bw(w) and [], roles=STAFF),
    "brokerage:summary": Case(args=lambda w: bw(w) and [], roles=expect(DENY, admin=OK, officer=OK, board_member=OK)),
    "brokerage:export": Case(args=lambda w: bw(w) and ["requests", "xlsx"], roles=STAFF),
    "brokerage:settings": Case(roles=STAFF),
}
