"""The permission matrix: every URL name, how to call it, and what each role must get.

``OK`` means the request is served (200, or a 302 redirect after a successful POST); ``DENY`` is 403;
``HIDDEN`` is 404 (the object is outside the user's scope, indistinguishable from missing). A URL added
to the project without an entry here fails ``test_every_url_is_classified``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from partnership.models import Role
from tests.partnership.people_helpers import people_world
from tests.risk.backtest_helpers import backtest_world
from tests.risk.helpers import risk_world, rounds_world, succeeded_run
from tests.risk.review_helpers import suggested_review

OK, DENY, HIDDEN = "ok", 403, 404
A, O, H, CL, AL, B, S, CG = (  # noqa: E741 - role initials
    Role.ADMIN,
    Role.OFFICER,
    Role.HEADTEACHER,
    Role.CLUSTER_LEAD,
    Role.ALLIANCE_LEAD,
    Role.BOARD_MEMBER,
    Role.SYSTEM_LEADER,
    Role.CHAIR_OF_GOVERNORS,
)
ROLES = [A, O, H, CL, AL, B, S, CG]


def expect(default, **overrides) -> dict[str, object]:
    """Expected outcome per role: ``default`` for every role, then per-role ``overrides`` (by role value)."""
    result: dict[str, object] = {role.value: default for role in ROLES}
    result.update(overrides)
    return result


EVERYONE = expect(OK)
REGISTER = expect(OK, board_member=DENY)
STAFF = expect(DENY, admin=OK, officer=OK)
BOARD = expect(DENY, admin=OK, officer=OK, board_member=OK)
SCOPED_CLUSTER = expect(OK, board_member=DENY, system_leader=HIDDEN)


@dataclass(frozen=True)
class Case:
    """How to request one URL name in the ``world`` fixture."""

    method: str = "get"
    args: Callable = lambda w: []  # noqa: E731 - small data lambdas read best inline
    other_args: Callable | None = None  # the same URL pointed at the other partnership's object
    data: Callable = lambda w: {}  # noqa: E731
    roles: dict[str, object] = field(default_factory=lambda: dict(EVERYONE))
    public: bool = False


def register_world(w) -> bool:
    """Finished, assessed runs (two of home, one of other), made once: the register shows categories and movement."""
    if not hasattr(w, "register_runs"):
        w.register_runs = [succeeded_run(p) for p in (w.home, w.home, w.other)]
    return True


def head_change_data(w) -> dict[str, str]:
    """A change of the own school's head recorded in GIAS (made once), and the answer "same person" to it."""
    from schools.models import SchoolChange

    on = "2025-11-03"
    SchoolChange.objects.get_or_create(
        school=w.own_school, field="head_last_name", changed_on=on, defaults={"old_value": "Old", "new_value": "New"}
    )
    return {"changed_on": on, "same_person": "yes"}


MATRIX: dict[str, Case] = {
    # partnership
    "partnership:home": Case(),
    "partnership:switch": Case(method="post", data=lambda w: {"partnership": w.home.pk}),
    "partnership:board": Case(roles=BOARD),
    "partnership:board_member_add": Case(roles=STAFF),
    "partnership:board_member_edit": Case(
        args=lambda w: [w.board_member.pk], other_args=lambda w: [w.other_board_member.pk], roles=STAFF
    ),
    "partnership:people": Case(roles=STAFF),
    "partnership:invite": Case(roles=STAFF),
    "partnership:invitation_revoke": Case(
        method="post", args=lambda w: [w.invitation.pk], other_args=lambda w: [w.other_invitation.pk], roles=STAFF
    ),
    "partnership:invitation_resend": Case(
        method="post", args=lambda w: [w.invitation.pk], other_args=lambda w: [w.other_invitation.pk], roles=STAFF
    ),
    # people management (issue #9): another partnership's person is 404, even for an admin
    "partnership:person": Case(
        args=lambda w: [people_world(w).head.pk], other_args=lambda w: [people_world(w).other.pk], roles=STAFF
    ),
    "partnership:person_roles": Case(
        args=lambda w: [people_world(w).head.pk], other_args=lambda w: [people_world(w).other.pk], roles=STAFF
    ),
    "partnership:person_leads": Case(
        args=lambda w: [people_world(w).lead.pk], other_args=lambda w: [people_world(w).other.pk], roles=STAFF
    ),
    "partnership:person_archive": Case(
        method="post",
        args=lambda w: [people_world(w).head.pk],
        other_args=lambda w: [people_world(w).other.pk],
        roles=STAFF,
    ),
    "partnership:person_restore": Case(
        method="post",
        args=lambda w: [people_world(w).archived.pk],
        other_args=lambda w: [people_world(w).other_archived.pk],
        roles=STAFF,
    ),
    "partnership:person_mfa_reset": Case(
        method="post",
        args=lambda w: [people_world(w).head.pk],
        other_args=lambda w: [people_world(w).other.pk],
        roles=STAFF,
    ),
    "partnership:accept_invitation": Case(args=lambda w: ["not-a-real-token"], public=True, roles=expect(HIDDEN)),
    # background jobs by kind (issue #15): admins only; a kind is not an object of a partnership, so an unknown
    # kind stands in for "another partnership's" (404)
    "partnership:jobs": Case(roles=expect(DENY, admin=OK)),
    "partnership:jobs_retry": Case(
        method="post",
        args=lambda w: ["kpi-refreshes"],
        other_args=lambda w: ["no-such-kind"],
        roles=expect(DENY, admin=OK),
    ),
    # health checks (no session: the image's health check and a load balancer call them)
    "health:live": Case(public=True),
    "health:ready": Case(public=True),
    # schools
    "schools:list": Case(roles=REGISTER),
    "schools:export": Case(roles=REGISTER),
    "schools:detail": Case(
        args=lambda w: [w.outside_school.urn],
        other_args=lambda w: [w.other_school.urn],
        roles=expect(OK, board_member=HIDDEN),
    ),
    "schools:network_list": Case(roles=REGISTER),
    "schools:network_create": Case(roles=STAFF),
    "schools:network_detail": Case(
        args=lambda w: [w.network.pk], other_args=lambda w: [w.other_network.pk], roles=REGISTER
    ),
    "schools:network_edit": Case(args=lambda w: [w.network.pk], other_args=lambda w: [w.other_network.pk], roles=STAFF),
    "schools:network_add_school": Case(
        method="post",
        args=lambda w: [w.network.pk],
        other_args=lambda w: [w.other_network.pk],
        data=lambda w: {"urn": w.isolated_school.urn, "joined_on": "2025-01-01"},
        roles=STAFF,
    ),
    "schools:network_end_membership": Case(
        method="post",
        args=lambda w: [w.network.pk, w.network_membership.pk],
        other_args=lambda w: [w.other_network.pk, w.other_network_membership.pk],
        data=lambda w: {"left_on": "2025-07-31"},
        roles=STAFF,
    ),
    "schools:import_list": Case(roles=STAFF),
    "schools:import_upload": Case(roles=STAFF),
    "schools:import_detail": Case(args=lambda w: [w.job.pk], other_args=lambda w: [w.other_job.pk], roles=STAFF),
    "schools:import_status": Case(args=lambda w: [w.job.pk], other_args=lambda w: [w.other_job.pk], roles=STAFF),
    # risk: soft intelligence (full access to the school; confidential entries are filtered, not refused)
    "risk:intelligence_list": Case(
        args=lambda w: [w.own_school.urn],
        other_args=lambda w: [w.other_school.urn],
        roles=expect(HIDDEN, admin=OK, officer=OK, headteacher=OK, chair_of_governors=OK),
    ),
    "risk:intelligence_add": Case(
        args=lambda w: [w.own_school.urn], other_args=lambda w: [w.other_school.urn], roles=STAFF
    ),
    "risk:intelligence_archive": Case(
        method="post",
        args=lambda w: [risk_world(w).entry.pk],
        other_args=lambda w: [risk_world(w).other_entry.pk],
        roles=STAFF,
    ),
    # risk: runs and the rule set
    "risk:run_list": Case(roles=STAFF),
    "risk:run_create": Case(method="post", roles=STAFF),
    "risk:run_detail": Case(
        args=lambda w: [risk_world(w).run.pk], other_args=lambda w: [risk_world(w).other_run.pk], roles=STAFF
    ),
    "risk:run_status": Case(
        args=lambda w: [risk_world(w).run.pk], other_args=lambda w: [risk_world(w).other_run.pk], roles=STAFF
    ),
    "risk:ruleset": Case(roles=STAFF),
    # risk: the officers' register, its CSV and a school's risk page (headteachers: not yet)
    "risk:register": Case(args=lambda w: register_world(w) and [], roles=STAFF),
    "risk:register_export": Case(args=lambda w: register_world(w) and [], roles=STAFF),
    "risk:school": Case(
        args=lambda w: register_world(w) and [w.own_school.urn],
        other_args=lambda w: register_world(w) and [w.other_school.urn],
        roles=STAFF,
    ),
    "risk:head_change_judge": Case(  # #14.5: the officer's "same person" on a change of head (a real change)
        method="post",
        args=lambda w: [w.own_school.urn],
        other_args=lambda w: [w.other_school.urn],
        data=lambda w: head_change_data(w),
        roles=STAFF,
    ),
    "risk:ruleset_edit": Case(roles=expect(DENY, admin=OK)),
    # risk: backtests (officers and admins; running one is RUN_RISK, which both hold)
    "risk:backtest_list": Case(args=lambda w: backtest_world(w) and [], roles=STAFF),
    "risk:backtest_create": Case(roles=STAFF),
    "risk:backtest_detail": Case(
        args=lambda w: [backtest_world(w).home.pk], other_args=lambda w: [backtest_world(w).other.pk], roles=STAFF
    ),
    # risk: people decide (categorisation rounds), and a head's or chair's view of their own school
    "risk:round_list": Case(args=lambda w: rounds_world(w) and [], roles=STAFF),
    "risk:round_create": Case(roles=STAFF),
    # #14.11: the termly review of categories 3-4, in-year reviews suggested by events, and opening one
    "risk:termly_open": Case(args=lambda w: rounds_world(w) and [], roles=STAFF),
    "risk:review_suggestions": Case(args=lambda w: rounds_world(w) and [], roles=STAFF),
    "risk:in_year_open": Case(
        args=lambda w: rounds_world(w) and [w.own_school.urn],
        other_args=lambda w: rounds_world(w) and [w.other_school.urn],
        roles=STAFF,
    ),
    "risk:review_dismiss": Case(  # a complaint since a published round suggests a review; the officer dismisses it
        method="post",
        args=lambda w: [w.own_school.urn],
        other_args=lambda w: [w.other_school.urn],
        data=suggested_review,
        roles=STAFF,
    ),
    "risk:round_detail": Case(  # the published round: its emails, one of them refused, are listed
        args=lambda w: [rounds_world(w).published.pk],
        other_args=lambda w: [rounds_world(w).other_published.pk],
        roles=STAFF,
    ),
    "risk:round_notices_retry": Case(
        method="post",
        args=lambda w: [rounds_world(w).published.pk],
        other_args=lambda w: [rounds_world(w).other_published.pk],
        roles=STAFF,
    ),
    "risk:round_agree": Case(
        args=lambda w: [rounds_world(w).open.pk], other_args=lambda w: [rounds_world(w).other_open.pk], roles=STAFF
    ),
    "risk:round_publish": Case(  # the confirmation page; publishing a draft is refused with a message
        args=lambda w: [rounds_world(w).open.pk], other_args=lambda w: [rounds_world(w).other_open.pk], roles=STAFF
    ),
    "risk:round_school": Case(
        args=lambda w: [rounds_world(w).open.pk, w.own_school.urn],
        other_args=lambda w: [rounds_world(w).other_open.pk, w.other_school.urn],
        roles=STAFF,
    ),
    "risk:round_adjust": Case(
        args=lambda w: [rounds_world(w).open.pk, w.own_school.urn],
        other_args=lambda w: [rounds_world(w).other_open.pk, w.other_school.urn],
        roles=STAFF,
    ),
    "risk:round_moderate": Case(
        args=lambda w: [rounds_world(w).open.pk, w.own_school.urn],
        other_args=lambda w: [rounds_world(w).other_open.pk, w.other_school.urn],
        roles=STAFF,
    ),
    "risk:reply_answer": Case(
        args=lambda w: [rounds_world(w).reply.pk], other_args=lambda w: [rounds_world(w).other_reply.pk], roles=STAFF
    ),
    "risk:holidays": Case(roles=STAFF),
    "risk:holiday_delete": Case(
        args=lambda w: [risk_world(w).holiday.pk],
        other_args=lambda w: [risk_world(w).other_holiday.pk],
        roles=STAFF,
    ),
    "risk:own_category": Case(
        args=lambda w: rounds_world(w) and [], roles=expect(DENY, headteacher=OK, chair_of_governors=OK)
    ),
    # clusters and alliances
    "clusters:list": Case(roles=REGISTER),
    "clusters:create": Case(roles=STAFF),
    "clusters:detail": Case(
        args=lambda w: [w.cluster.pk], other_args=lambda w: [w.other_cluster_obj.pk], roles=SCOPED_CLUSTER
    ),
    "clusters:edit": Case(args=lambda w: [w.cluster.pk], other_args=lambda w: [w.other_cluster_obj.pk], roles=STAFF),
    "clusters:add_school": Case(
        method="post",
        args=lambda w: [w.cluster.pk],
        other_args=lambda w: [w.other_cluster_obj.pk],
        data=lambda w: {"urn": w.isolated_school.urn, "joined_on": "2025-01-01"},
        roles=STAFF,
    ),
    "clusters:end_membership": Case(
        method="post",
        args=lambda w: [w.cluster.pk, w.cluster_membership.pk],
        other_args=lambda w: [w.other_cluster_obj.pk, w.other_cluster_membership.pk],
        data=lambda w: {"left_on": "2025-07-31"},
        roles=STAFF,
    ),
    "clusters:alliance_list": Case(roles=REGISTER),
    "clusters:alliance_create": Case(roles=STAFF),
    "clusters:alliance_detail": Case(
        args=lambda w: [w.alliance.pk], other_args=lambda w: [w.other_alliance.pk], roles=SCOPED_CLUSTER
    ),
    "clusters:alliance_edit": Case(
        args=lambda w: [w.alliance.pk], other_args=lambda w: [w.other_alliance.pk], roles=STAFF
    ),
    "clusters:alliance_add_cluster": Case(
        method="post",
        args=lambda w: [w.alliance.pk],
        other_args=lambda w: [w.other_alliance.pk],
        data=lambda w: {"cluster": w.other_cluster.pk, "joined_on": "2025-01-01"},
        roles=STAFF,
    ),
    "clusters:alliance_end_membership": Case(
        method="post",
        args=lambda w: [w.alliance.pk, w.alliance_membership.pk],
        other_args=lambda w: [w.other_alliance.pk, w.other_alliance_membership.pk],
        data=lambda w: {"left_on": "2025-07-31"},
        roles=STAFF,
    ),
}

# allauth's account pages: each acts on the signed-in user's own account, so they are classified by whether
# an anonymous visitor may open them (True) or is sent to sign in (False).
ALLAUTH_URLS: dict[str, bool] = {
    "account_login": True,
    "account_logout": True,
    "account_inactive": True,
    "account_signup": True,  # renders "sign-up is closed": accounts come only from invitations
    "account_reauthenticate": False,
    "account_email": False,
    "account_email_verification_sent": True,
    "account_change_password": False,
    "account_set_password": False,
    "account_reset_password": True,
    "account_confirm_login_code": True,
    "account_confirm_email": True,
    "account_reset_password_from_key_done": True,
    "account_reset_password_from_key": True,
    "account_reset_password_done": True,
    "mfa_index": False,
    "mfa_authenticate": True,
    "mfa_reauthenticate": False,
    "mfa_activate_totp": False,
    "mfa_deactivate_totp": False,
    "mfa_view_recovery_codes": False,
    "mfa_generate_recovery_codes": False,
    "mfa_download_recovery_codes": False,
    "mfa_list_webauthn": False,
    "mfa_add_webauthn": False,
    "mfa_reauthenticate_webauthn": False,
    "mfa_remove_webauthn": False,
    "mfa_edit_webauthn": False,
}

# The strategic board's URLs (issue #13) live beside its tests; merged here so the walk sees them.
from tests.board.matrix import BOARD_MATRIX  # noqa: E402

MATRIX.update(BOARD_MATRIX)


from tests.peerreview.matrix import PEERREVIEW_MATRIX  # noqa: E402 - rows that import Case from here

MATRIX.update(PEERREVIEW_MATRIX)


from tests.brokerage.matrix import BROKERAGE_MATRIX  # noqa: E402 - rows that import Case from here

MATRIX.update(BROKERAGE_MATRIX)


from tests.clusters.health.matrix import HEALTH_MATRIX  # noqa: E402 - rows that import Case from here

MATRIX.update(HEALTH_MATRIX)


from tests.visits.matrix import VISITS_MATRIX  # noqa: E402 - notes of visit (issue #14 item 10)

MATRIX.update(VISITS_MATRIX)
