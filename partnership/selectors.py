"""Reads for partnership pages: the overview, the board and the people list."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Window
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partnership.models import BoardMember, Invitation, Membership, MembershipEvent
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


@dataclass(frozen=True)
class WorkItem:
    """One line of the home page's work queue: what waits (a plural noun phrase, shown "text: count"), how many,
    and where to see them."""

    count: int
    text: str
    href: str


_WORK_PROVIDERS: list = []


def home_work_register(provider) -> None:
    """Apps above the kernel add their waiting work to the home page: ``provider(membership=...)`` returns a list
    of ``WorkItem`` (connected in the app's ``ready()``; the kernel imports no app)."""
    if provider not in _WORK_PROVIDERS:
        _WORK_PROVIDERS.append(provider)


_INTEREST_PROVIDERS: list = []


def declared_interests_register(provider) -> None:
    """The board adds its register of declared interests (``provider(partnership_id=..., on=...)``) in ``ready()``."""
    if provider not in _INTEREST_PROVIDERS:
        _INTEREST_PROVIDERS.append(provider)


def declared_interests(*, partnership_id: int, on=None) -> list[dict]:
    """Board members' interests in force on ``on`` (default today), for conflict checks (brokerage) without
    importing the board: dicts with member, user_id, school_id, organisation, interest, kind."""
    return [row for provider in _INTEREST_PROVIDERS for row in provider(partnership_id=partnership_id, on=on)]


def home_work_queue(*, membership: Membership) -> list[WorkItem]:
    """What waits for this member, from every registered app, in registration order (items with a count only)."""
    items: list[WorkItem] = []
    for provider in _WORK_PROVIDERS:
        items.extend(item for item in provider(membership=membership) if item.count)
    return items


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
    show_schools = membership_can(membership, Permission.VIEW_REGISTER)
    if show_schools:  # the first twenty and how many there are, in one scan (the count is a window over them all)
        listed = isolated_qs.only("pk", "urn", "name").order_by("name").annotate(isolated_total=Window(Count("pk")))
        isolated = list(listed[:20])
        isolated_count = isolated[0].isolated_total if isolated else 0  # type: ignore[attr-defined]
    else:
        isolated, isolated_count = [], isolated_qs.count()
    clusters = membership.partnership.clusters.filter(archived_at__isnull=True)
    return Overview(
        school_counts=totals,
        phase_counts=phases,
        cluster_count=clusters.count(),
        alliance_count=membership.partnership.alliances.filter(archived_at__isnull=True).count(),
        isolated_count=isolated_count,
        isolated=isolated,
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


def _with_account_facts(queryset: models.QuerySet[Membership]) -> models.QuerySet[Membership]:
    """Memberships with their user and school, and ``has_mfa`` (an authenticator app or security key)."""
    from allauth.mfa.models import Authenticator

    second_factors = Authenticator.objects.filter(
        user_id=OuterRef("user_id"), type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    )
    return queryset.select_related("user", "school").annotate(has_mfa=Exists(second_factors))


def people(*, membership: Membership) -> tuple[list[Membership], list[Invitation]]:
    """Active members (with last sign-in and two-factor state) and pending invitations of the partnership."""
    members = list(
        _with_account_facts(
            Membership.objects.filter(partnership_id=membership.partnership_id, archived_at__isnull=True)
        )
        .prefetch_related("clusters", "alliances")
        .order_by("user__email")
    )
    invitations = list(
        Invitation.objects.filter(
            partnership_id=membership.partnership_id, state=Invitation.State.PENDING, expires_at__gt=timezone.now()
        ).select_related("school", "created_by")
    )
    return members, invitations


def archived_people(*, membership: Membership) -> list[Membership]:
    """Archived members of the partnership, most recently archived first."""
    return list(
        _with_account_facts(
            Membership.objects.filter(partnership_id=membership.partnership_id, archived_at__isnull=False)
        ).order_by("-archived_at")
    )


def access_person(*, membership: Membership, pk: int) -> Membership:
    """A member (active or archived) of the membership's partnership, with account facts; else 404."""
    return get_object_or_404(
        _with_account_facts(Membership.objects.filter(partnership_id=membership.partnership_id)), pk=pk
    )


def person_events(*, person: Membership) -> list[MembershipEvent]:
    """Every logged change to ``person``'s membership, newest first, with who made it."""
    return list(MembershipEvent.objects.filter(membership=person).select_related("by"))


def lead_choices(*, membership: Membership) -> tuple[models.QuerySet, models.QuerySet]:
    """The partnership's open clusters and alliances, by name (what someone can be made the lead of)."""
    from clusters.models import Alliance, Cluster

    partnership_id = membership.partnership_id
    return (
        Cluster.objects.filter(partnership_id=partnership_id, archived_at__isnull=True).order_by("name"),
        Alliance.objects.filter(partnership_id=partnership_id, archived_at__isnull=True).order_by("name"),
    )


def access_board_member(*, membership: Membership, pk: int) -> BoardMember:
    """A board seat of the membership's partnership; else 404."""
    return get_object_or_404(BoardMember, pk=pk, partnership_id=membership.partnership_id)


def access_pending_invitation(*, membership: Membership, pk: int) -> Invitation:
    """A pending invitation of the membership's partnership (expired ones too: they can be sent again); else 404."""
    return get_object_or_404(
        Invitation.objects.select_related("partnership", "school"),
        pk=pk,
        partnership_id=membership.partnership_id,
        state=Invitation.State.PENDING,
    )


def access_current_dated_membership(*, model: type[models.Model], parent_field: str, parent: models.Model, pk: int):
    """A current (not yet ended) membership row of ``parent`` (already access-checked); else 404."""
    return get_object_or_404(model, pk=pk, left_on__isnull=True, **{parent_field: parent})
