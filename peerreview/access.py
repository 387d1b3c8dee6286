"""Who is who on a review, and what each may read: the confidentiality matrix in one place.

Default (ADR 0016): the host school's head owns everything; the cleared team (conflicts declared and the
confidentiality clause accepted) reads and writes the workspace and reads the report; everyone else sees only
that a review happened, its dates and state, unless the host grants an artefact to them (a named person,
the host's cluster, the alliance lead, the LA's officers, the host's governors). Safeguarding concerns are
seen only by who raised them and the host head, or the LA designated officer when they concern the head.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from partnership.models import Membership, Role
from partnership.permissions import Permission, membership_can
from peerreview.models import Programme, Review, SafeguardingConcern, ShareGrant, TeamMember


def is_host(membership: Membership, review: Review) -> bool:
    """The host school's headteacher."""
    return membership_can(membership, Permission.HOST_PEER_REVIEWS) and membership.school_id == review.host_id


def manages_programme(membership: Membership, programme: Programme) -> bool:
    """Officers and admins manage every programme; a cluster lead manages their own clusters' programmes."""
    if not membership_can(membership, Permission.MANAGE_REVIEW_PROGRAMMES):
        return False
    if membership_can(membership, Permission.VIEW_ALL_SCHOOLS):
        return True
    return programme.cluster_id is not None and membership.clusters.filter(pk=programme.cluster_id).exists()


def _audience_q(membership: Membership, prefix: str = "") -> Q:
    """Grants addressed to this membership (by person, role, school, led cluster or alliance)."""
    p = prefix
    q = Q(**{f"{p}audience": ShareGrant.Audience.PERSON, f"{p}person_id": membership.user_id})
    if membership.has_role(Role.OFFICER, Role.ADMIN):
        q |= Q(**{f"{p}audience": ShareGrant.Audience.LA_OFFICERS})
    if membership.has_role(Role.CHAIR_OF_GOVERNORS) and membership.school_id:
        q |= Q(**{f"{p}audience": ShareGrant.Audience.GOVERNORS, f"{p}review__host_id": membership.school_id})
    cluster_scope = Q(lead_memberships=membership)
    if membership.has_role(Role.HEADTEACHER) and membership.school_id:
        cluster_scope |= Q(memberships__school_id=membership.school_id, memberships__left_on__isnull=True)
    from clusters.models import Cluster

    my_clusters = Cluster.objects.filter(cluster_scope, partnership_id=membership.partnership_id).values("pk")
    q |= Q(
        **{
            f"{p}audience": ShareGrant.Audience.CLUSTER,
            f"{p}review__host__cluster_memberships__cluster__in": my_clusters,
            f"{p}review__host__cluster_memberships__left_on__isnull": True,
        }
    )
    if membership.has_role(Role.ALLIANCE_LEAD):
        q |= Q(
            **{
                f"{p}audience": ShareGrant.Audience.ALLIANCE_LEAD,
                f"{p}review__host__cluster_memberships__left_on__isnull": True,
                f"{p}review__host__cluster_memberships__cluster__alliance_memberships__left_on__isnull": True,
                f"{p}review__host__cluster_memberships__cluster__alliance_memberships__alliance__lead_memberships": (
                    membership
                ),
            }
        )
    return q


def active_grants_for(membership: Membership, artefact: str) -> QuerySet[ShareGrant]:
    """Active grants of ``artefact`` in the membership's partnership addressed to it."""
    today = timezone.localdate()
    return ShareGrant.objects.filter(
        _audience_q(membership),
        review__partnership_id=membership.partnership_id,
        artefact=artefact,
        revoked_at__isnull=True,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def cleared_team_q(membership: Membership) -> Q:
    """Reviews on whose team the membership's user is, cleared (conflicts declared, confidentiality accepted)."""
    return Q(
        team__user_id=membership.user_id,
        team__removed_at__isnull=True,
        team__conflicts_declared_at__isnull=False,
        team__confidentiality_accepted_at__isnull=False,
    )


def reviews_with_evidence_access(membership: Membership) -> QuerySet[Review]:
    """Reviews whose workspace (focus, evidence, findings, actions) the membership may read."""
    base = Review.objects.filter(partnership_id=membership.partnership_id)
    q = cleared_team_q(membership)
    if membership_can(membership, Permission.HOST_PEER_REVIEWS) and membership.school_id:
        q |= Q(host_id=membership.school_id)
    granted = active_grants_for(membership, ShareGrant.Artefact.EVIDENCE).values("review_id")
    return base.filter(pk__in=Review.objects.filter(q | Q(pk__in=granted)).values("pk"))


def reviews_with_report_access(membership: Membership) -> QuerySet[Review]:
    """Reviews whose report the membership may read: host, cleared team, or an active report grant."""
    base = Review.objects.filter(partnership_id=membership.partnership_id)
    q = cleared_team_q(membership)
    if membership_can(membership, Permission.HOST_PEER_REVIEWS) and membership.school_id:
        q |= Q(host_id=membership.school_id)
    granted = active_grants_for(membership, ShareGrant.Artefact.REPORT).values("review_id")
    return base.filter(pk__in=Review.objects.filter(q | Q(pk__in=granted)).values("pk"))


@dataclass(frozen=True)
class ReviewAccess:
    """What one membership is on one review, and may do there."""

    host: bool
    member: TeamMember | None
    manager: bool
    evidence_grant: bool

    @property
    def cleared(self) -> bool:
        return self.member is not None and self.member.is_cleared

    @property
    def insider(self) -> bool:
        """Host or cleared team: reads and writes the workspace, reads the report without a log entry."""
        return self.host or self.cleared

    @property
    def can_read_workspace(self) -> bool:
        return self.insider or self.evidence_grant

    @property
    def lead(self) -> bool:
        return self.cleared and self.member is not None and self.member.role == TeamMember.Role.LEAD_REVIEWER

    @property
    def champion(self) -> bool:
        return self.cleared and self.member is not None and self.member.role == TeamMember.Role.IMPROVEMENT_CHAMPION

    def actors(self) -> set[str]:
        """The actor names of the transitions table this membership acts as."""
        names = set()
        if self.host:
            names.add("host")
        if self.lead:
            names.add("lead")
        if self.champion:
            names.add("champion")
        if self.manager:
            names.add("manager")
        return names


def review_access(membership: Membership, review: Review) -> ReviewAccess:
    """The membership's standing on ``review`` (two small queries: team row and evidence grant)."""
    member = (
        TeamMember.objects.filter(review=review, user_id=membership.user_id, removed_at__isnull=True)
        .select_related("home_school")
        .first()
    )
    host = is_host(membership, review)
    grant = (
        not host
        and not (member and member.is_cleared)
        and active_grants_for(membership, ShareGrant.Artefact.EVIDENCE).filter(review=review).exists()
    )
    return ReviewAccess(
        host=host, member=member, manager=manages_programme(membership, review.programme), evidence_grant=grant
    )


def safeguarding_visible(membership: Membership) -> QuerySet[SafeguardingConcern]:
    """Concerns this membership may see: raised by them; as host head unless about the head; as LADO if about."""
    q = Q(raised_by_id=membership.user_id)
    if membership_can(membership, Permission.HOST_PEER_REVIEWS) and membership.school_id:
        q |= Q(review__host_id=membership.school_id, concerns_head=False)
    if membership_can(membership, Permission.RECEIVE_SAFEGUARDING_REFERRALS):
        q |= Q(concerns_head=True)
    return SafeguardingConcern.objects.filter(q, review__partnership_id=membership.partnership_id)
