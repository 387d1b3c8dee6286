"""Reads of clusters and alliances, scoped to what the membership may see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from clusters.models import Alliance, AllianceMembership, Cluster, ClusterMembership
from partnership.models import Membership
from partnership.permissions import Permission, membership_can


def _current_members(path: str = "memberships") -> Prefetch:
    return Prefetch(
        path,
        ClusterMembership.objects.filter(left_on__isnull=True).select_related("school").order_by("school__name"),
        to_attr="current_members",
    )


def _current_leads() -> Prefetch:
    """The leads of a cluster or alliance who are still members (an archived member leads nothing)."""
    return Prefetch(
        "lead_memberships", queryset=Membership.objects.filter(archived_at__isnull=True).select_related("user")
    )


def cluster_list(*, membership: Membership) -> QuerySet[Cluster]:
    """Clusters the membership may see: all with VIEW_ALL_CLUSTERS, else its school's, led or in led alliances."""
    clusters = Cluster.objects.filter(partnership_id=membership.partnership_id, archived_at__isnull=True)
    if membership_can(membership, Permission.VIEW_ALL_CLUSTERS):
        return clusters
    if not membership_can(membership, Permission.VIEW_REGISTER):
        return clusters.none()
    # Three small sets of ids, each read by its own index, rather than one join of clusters to leads, alliances and
    # members filtered by an OR (which read every cluster of the region: #15, 5 ms of a head's home page).
    scope = Q(pk__in=Cluster.objects.filter(lead_memberships=membership).values("pk")) | Q(
        pk__in=AllianceMembership.objects.filter(alliance__lead_memberships=membership, left_on__isnull=True).values(
            "cluster_id"
        )
    )
    if membership.school_id:
        scope |= Q(
            pk__in=ClusterMembership.objects.filter(school_id=membership.school_id, left_on__isnull=True).values(
                "cluster_id"
            )
        )
    return clusters.filter(scope)


def cluster_list_page(*, membership: Membership) -> QuerySet[Cluster]:
    """The cluster list with member counts and current alliance, in a constant number of queries."""
    current_alliance = Prefetch(
        "alliance_memberships",
        AllianceMembership.objects.filter(left_on__isnull=True).select_related("alliance"),
        to_attr="current_alliances",
    )
    return (
        cluster_list(membership=membership)
        .annotate(school_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .prefetch_related(current_alliance)
    )


def access_cluster(*, membership: Membership, pk: int) -> Cluster:
    """A visible cluster with its current members and membership history; else 404."""
    history = Prefetch(
        "memberships",
        ClusterMembership.objects.filter(left_on__isnull=False).select_related("school").order_by("-left_on"),
        to_attr="past_members",
    )
    alliances = Prefetch(
        "alliance_memberships",
        AllianceMembership.objects.select_related("alliance").order_by("left_on"),
        to_attr="alliance_history",
    )
    cluster = (
        cluster_list(membership=membership)
        .filter(pk=pk)
        .prefetch_related(_current_members(), history, alliances, _current_leads())
        .first()
    )
    if cluster is None:
        raise Http404("No such cluster")
    return cluster


def alliance_list(*, membership: Membership) -> QuerySet[Alliance]:
    """Alliances the membership may see: all, or those led or holding a visible cluster."""
    alliances = Alliance.objects.filter(partnership_id=membership.partnership_id, archived_at__isnull=True)
    if membership_can(membership, Permission.VIEW_ALL_CLUSTERS):
        return alliances
    visible_clusters = cluster_list(membership=membership).values("pk")
    scope = Q(lead_memberships=membership) | Q(
        memberships__cluster__in=visible_clusters, memberships__left_on__isnull=True
    )
    return alliances.filter(pk__in=Alliance.objects.filter(scope).values("pk"))


def alliance_list_page(*, membership: Membership) -> QuerySet[Alliance]:
    """Alliances with counts of current clusters and schools."""
    return alliance_list(membership=membership).annotate(
        cluster_count=Count("memberships", filter=Q(memberships__left_on__isnull=True), distinct=True),
        school_count=Count(
            "memberships__cluster__memberships",
            filter=Q(memberships__left_on__isnull=True, memberships__cluster__memberships__left_on__isnull=True),
            distinct=True,
        ),
    )


def access_alliance(*, membership: Membership, pk: int) -> Alliance:
    """A visible alliance with its current clusters (and their schools); else 404."""
    current = Prefetch(
        "memberships",
        AllianceMembership.objects.filter(left_on__isnull=True)
        .select_related("cluster")
        .prefetch_related(_current_members("cluster__memberships"))
        .order_by("cluster__name"),
        to_attr="current_clusters",
    )
    alliance = alliance_list(membership=membership).filter(pk=pk).prefetch_related(current, _current_leads()).first()
    if alliance is None:
        raise Http404("No such alliance")
    return alliance
