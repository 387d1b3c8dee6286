"""Reads for partnership pages: the overview, the board and the people list."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partnership.models import BoardMember, Invitation, Membership
from partnership.permissions import Permission, membership_can
from schools.models import School


@dataclass(frozen=True)
class Overview:
    """Aggregates for the home page; ``isolated`` lists schools only for those who may see the register."""

    school_counts: dict[str, int]
    phase_counts: list[tuple[str, int]]
    cluster_count: int
    alliance_count: int
    isolated_count: int
    isolated: list[School] = field(default_factory=list)
    own_school: School | None = None
    my_clusters: list = field(default_factory=list)


def partnership_overview(*, membership: Membership) -> Overview:
    """Counts of schools by status and phase, structures, and isolated schools, in a fixed number of queries."""
    from clusters.selectors import cluster_list

    schools = School.objects.filter(partnership_id=membership.partnership_id)
    totals = schools.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__startswith="Open")),
        closed=Count("pk", filter=Q(status="Closed")),
    )
    phases = list(schools.open().exclude(phase="").values_list("phase").annotate(n=Count("pk")).order_by("-n", "phase"))
    isolated_qs = schools.isolated()
    isolated_count = isolated_qs.count()
    show_schools = membership_can(membership, Permission.VIEW_REGISTER)
    clusters = membership.partnership.clusters.filter(archived_at__isnull=True)
    return Overview(
        school_counts=totals,
        phase_counts=phases,
        cluster_count=clusters.count(),
        alliance_count=membership.partnership.alliances.filter(archived_at__isnull=True).count(),
        isolated_count=isolated_count,
        isolated=list(isolated_qs.order_by("name")[:20]) if show_schools else [],
        own_school=membership.school,
        my_clusters=list(cluster_list(membership=membership).order_by("name")[:10])
        if not membership_can(membership, Permission.VIEW_ALL_CLUSTERS)
        else [],
    )


def board_members(*, membership: Membership) -> tuple[list[BoardMember], list[BoardMember]]:
    """Current and past board members of the membership's partnership."""
    today = timezone.localdate()
    members = BoardMember.objects.filter(partnership_id=membership.partnership_id).order_by("seat", "name")
    current = [m for m in members if m.is_current(today)]
    past = [m for m in members if not m.is_current(today)]
    return current, past


def people(*, membership: Membership) -> tuple[list[Membership], list[Invitation]]:
    """Active members and pending invitations of the membership's partnership."""
    members = list(
        Membership.objects.filter(partnership_id=membership.partnership_id, archived_at__isnull=True)
        .select_related("user", "school")
        .order_by("user__email")
    )
    invitations = list(
        Invitation.objects.filter(
            partnership_id=membership.partnership_id, state=Invitation.State.PENDING, expires_at__gt=timezone.now()
        ).select_related("school", "created_by")
    )
    return members, invitations


def access_board_member(*, membership: Membership, pk: int) -> BoardMember:
    """A board seat of the membership's partnership; else 404."""
    return get_object_or_404(BoardMember, pk=pk, partnership_id=membership.partnership_id)


def access_pending_invitation(*, membership: Membership, pk: int) -> Invitation:
    """A pending invitation of the membership's partnership; else 404."""
    return get_object_or_404(
        Invitation, pk=pk, partnership_id=membership.partnership_id, state=Invitation.State.PENDING
    )


def access_current_dated_membership(*, model: type[models.Model], parent_field: str, parent: models.Model, pk: int):
    """A current (not yet ended) membership row of ``parent`` (already access-checked); else 404."""
    return get_object_or_404(model, pk=pk, left_on__isnull=True, **{parent_field: parent})
