"""What each role may do. Every permission is an enum member with a sentence on what it allows.

Views never check roles directly: they ask ``membership_can(membership, Permission.X)``; what a user
may *see* of objects is decided by each app's selectors (``*_list(membership=...)`` and ``access_*``, which
answer 404 outside the scope): docs/adr/0007-permission-model.md.
"""

from __future__ import annotations

import enum

from partnership.models import Membership, Role


class Permission(enum.Enum):
    """A capability within one partnership."""

    VIEW_DASHBOARD = "view_dashboard"
    """See the partnership overview: counts and aggregates, no individual school's private facts."""

    VIEW_REGISTER = "view_register"
    """See the schools list and every school's public register facts (GIAS data, networks, clusters)."""

    VIEW_ALL_SCHOOLS = "view_all_schools"
    """See everything about every school in the partnership, including its change history."""

    VIEW_OWN_SCHOOL = "view_own_school"
    """See everything about the school the membership is tied to."""

    EXPORT_REGISTER = "export_register"
    """Download the (filtered) schools list as CSV."""

    VIEW_ALL_CLUSTERS = "view_all_clusters"
    """See every cluster and alliance page; without it, only the ones the user belongs to or leads."""

    MANAGE_STRUCTURES = "manage_structures"
    """Create and edit clusters, alliances, networks and their memberships."""

    IMPORT_DATA = "import_data"
    """Upload GIAS files and follow import jobs."""

    VIEW_BOARD = "view_board"
    """See the strategic board: its members, seats and terms."""

    MANAGE_BOARD = "manage_board"
    """Add board members and change their seats and terms."""

    INVITE_USERS = "invite_users"
    """Invite people to the partnership with non-admin roles and see the list of people."""

    INVITE_ADMINS = "invite_admins"
    """Invite people as partnership admins, and change, archive, restore or re-invite admins."""

    MANAGE_PEOPLE = "manage_people"
    """Change a member's roles (only to roles they may invite), school and the clusters and alliances they lead;
    archive and restore members, reset their two-factor authentication, resend and revoke invitations; each change
    is logged on the person's page. Without INVITE_ADMINS, an admin's membership and invitations are left alone."""

    RECORD_INTELLIGENCE = "record_intelligence"
    """Record soft intelligence about any school in the partnership (with evidence), and archive entries."""

    VIEW_CONFIDENTIAL_INTELLIGENCE = "view_confidential_intelligence"
    """See soft-intelligence entries marked confidential (never shown to the school itself)."""

    VIEW_RISK = "view_risk"
    """See risk runs, every school's proposed category with its reasons, and the rule set in use."""

    RUN_RISK = "run_risk"
    """Start a recomputation of every school's proposed risk category."""

    MANAGE_RULESET = "manage_ruleset"
    """Change the partnership's risk rule set (thresholds, matrix, categories): each change is a new version."""

    CATEGORISE = "categorise"
    """Open a categorisation round from a risk run, move a school's category one step (reason code and rationale)
    and refer bigger moves to the moderation panel."""

    MODERATE = "moderate"
    """Record the moderation panel's decisions and its answers to schools' replies, the board's agreement of a
    round's list, and publish it to schools."""

    VIEW_OWN_CATEGORY = "view_own_category"
    """See the own school's published category with its trace and decisions, and reply within the reply window."""

    HOST_PEER_REVIEWS = "host_peer_reviews"
    """Own the peer reviews the membership's school hosts: set the focus, agree findings and the report, reply,
    grant and revoke sharing, own the actions; and release the school's staff to other schools' review teams."""

    MANAGE_REVIEW_PROGRAMMES = "manage_review_programmes"
    """Set up peer-review protocols, programmes and reviews (hosts, dates, teams): the whole partnership's, or
    a cluster lead's own clusters'. Sees reviews' dates and states, never their content unless the host shares."""

    VIEW_REVIEW_ROLLUP = "view_review_rollup"
    """See the anonymised peer-review roll-up (themes, estimates, actions on time, share reviewed), with cells
    under the minimum size suppressed."""

    RECEIVE_SAFEGUARDING_REFERRALS = "receive_safeguarding_referrals"
    """Act as the LA designated officer: receive safeguarding concerns from peer reviews that concern a head."""

    BROKER_SUPPORT = "broker_support"
    """Broker school-to-school support: keep the provider directory, funds and settings, triage and shortlist
    requests, draft, sign (as the officer), vary and close deployment agreements, and see every request,
    deployment, visit, evaluation and the reciprocity ledger."""

    VIEW_PROVIDERS = "view_providers"
    """See the directory of support providers and the traded-service catalogue: designations, specialisms,
    days left, and each provider's counts of past deployments and evaluation scores (not whom they supported)."""

    REQUEST_SUPPORT = "request_support"
    """Ask for support for the own school, choose from its shortlist, sign its agreements, respond to visit
    records and evaluate the support; confirm the release of the own school's system leaders."""

    VIEW_SUPPORT_SUMMARY = "view_support_summary"
    """See brokerage aggregates: support needed against delivered, value for money and the reciprocity ledger by
    cluster and alliance (cells under the minimum size suppressed), never a single school's support."""

    MANAGE_HEALTH_FRAMEWORKS = "manage_health_frameworks"
    """Copy a cluster health-check framework into the partnership and edit the copy (each edit of a version in
    use makes a new version; checks keep theirs)."""

    RUN_HEALTH_CHECKS = "run_health_checks"
    """Open a cluster health check and move it through its cycle (ratings open, consensus, publication), record
    the consensus, cluster actions and meeting attendance: any cluster's, or a cluster lead's own clusters'."""

    RATE_HEALTH_CHECKS = "rate_health_checks"
    """Rate each strand of the own school's cluster's open health check, with evidence."""

    MODERATE_HEALTH_CHECKS = "moderate_health_checks"
    """Confirm or challenge each strand of an agreed health check: any cluster's, or an alliance lead's clusters'."""

    VIEW_HEALTH_CHECKS = "view_health_checks"
    """See a cluster's health page (consensus, indicators, actions): every cluster's, or the clusters the member
    belongs to, leads or whose alliance it leads. School names in indicators only with VIEW_ALL_SCHOOLS."""

    VIEW_HEALTH_PORTFOLIO = "view_health_portfolio"
    """See the portfolio of clusters' health checks: by cluster (officers; alliance leads for their alliances),
    or only as aggregates across clusters (board members)."""

    RECORD_VISITS = "record_visits"
    """Record the LA's notes of visit to any school in the partnership (purpose, who attended, notes, agreed actions),
    share them with the school's head and chair, promote a point to soft intelligence, and see every visit and the
    visits due and overdue by category."""

    SET_VISIT_FREQUENCY = "set_visit_frequency"
    """Set how often schools of each category are visited (for example termly for categories 3 and 4)."""

    RESPOND_TO_VISITS = "respond_to_visits"
    """See the notes of visit shared with the own school, mark each accurate or not, and reply."""

    VIEW_JOBS = "view_jobs"
    """See the partnership's background jobs by kind (waiting, running, failed in the last 7 days, the latest
    failure's message) and queue the failed ones again where the kind allows it."""


P = Permission
_SCHOOL_FACING = {P.VIEW_DASHBOARD, P.VIEW_REGISTER, P.EXPORT_REGISTER}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADMIN: frozenset(set(Permission) - {P.VIEW_OWN_CATEGORY, P.HOST_PEER_REVIEWS}),
    Role.OFFICER: frozenset(
        set(Permission) - {P.INVITE_ADMINS, P.MANAGE_RULESET, P.VIEW_OWN_CATEGORY, P.HOST_PEER_REVIEWS}
    ),
    Role.HEADTEACHER: frozenset(
        _SCHOOL_FACING
        | {P.VIEW_OWN_SCHOOL, P.VIEW_OWN_CATEGORY, P.HOST_PEER_REVIEWS, P.VIEW_PROVIDERS, P.REQUEST_SUPPORT}
    ),
    Role.CHAIR_OF_GOVERNORS: frozenset(_SCHOOL_FACING | {P.VIEW_OWN_SCHOOL, P.VIEW_OWN_CATEGORY, P.VIEW_PROVIDERS}),
    Role.CLUSTER_LEAD: frozenset(_SCHOOL_FACING | {P.MANAGE_REVIEW_PROGRAMMES, P.VIEW_REVIEW_ROLLUP, P.VIEW_PROVIDERS}),
    Role.ALLIANCE_LEAD: frozenset(_SCHOOL_FACING | {P.VIEW_REVIEW_ROLLUP, P.VIEW_PROVIDERS}),
    Role.SYSTEM_LEADER: frozenset(_SCHOOL_FACING | {P.VIEW_PROVIDERS}),
    Role.BOARD_MEMBER: frozenset({P.VIEW_DASHBOARD, P.VIEW_BOARD, P.VIEW_REVIEW_ROLLUP, P.VIEW_SUPPORT_SUMMARY}),
}

# Cluster health checks (issue #12), kept apart so the role lines above stay short. Officers run and moderate
# every cluster's checks but neither rate (they have no school) nor edit frameworks (admins do).
_HEALTH_GRANTS: dict[str, set[Permission]] = {
    Role.HEADTEACHER: {P.RATE_HEALTH_CHECKS, P.VIEW_HEALTH_CHECKS},
    Role.CLUSTER_LEAD: {P.RUN_HEALTH_CHECKS, P.VIEW_HEALTH_CHECKS},
    Role.ALLIANCE_LEAD: {P.MODERATE_HEALTH_CHECKS, P.VIEW_HEALTH_CHECKS, P.VIEW_HEALTH_PORTFOLIO},
    Role.BOARD_MEMBER: {P.VIEW_HEALTH_PORTFOLIO},
}
for _role, _extra in _HEALTH_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _extra
ROLE_PERMISSIONS[Role.OFFICER] = ROLE_PERMISSIONS[Role.OFFICER] - {P.MANAGE_HEALTH_FRAMEWORKS, P.RATE_HEALTH_CHECKS}
ROLE_PERMISSIONS[Role.ADMIN] = ROLE_PERMISSIONS[Role.ADMIN] - {P.RATE_HEALTH_CHECKS}

# Notes of visit (issue #14 item 10): officers and admins record and share them; the school's head and chair respond.
for _role in (Role.ADMIN, Role.OFFICER):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] - {P.RESPOND_TO_VISITS}
for _role in (Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.RESPOND_TO_VISITS}

# The background jobs page (issue #15): admins only; officers follow their own jobs on their pages.
ROLE_PERMISSIONS[Role.OFFICER] = ROLE_PERMISSIONS[Role.OFFICER] - {P.VIEW_JOBS}


def permissions_for(membership: Membership | None) -> frozenset[Permission]:
    """Every permission the membership's roles grant (none for no membership or an archived one)."""
    if membership is None or membership.archived_at is not None:
        return frozenset()
    granted: set[Permission] = set()
    for role in membership.roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def membership_can(membership: Membership | None, permission: Permission) -> bool:
    """True when the membership's roles grant ``permission``."""
    return permission in permissions_for(membership)
