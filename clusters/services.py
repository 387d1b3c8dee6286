"""The only writers of clusters, alliances and their memberships."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from clusters.models import Alliance, AllianceMembership, Cluster, ClusterMembership
from partnership.models import Partnership, User
from partnership.services import tracked_save as _save
from schools.models import School


@transaction.atomic
def cluster_create(*, partnership: Partnership, name: str, description: str = "", user: User | None) -> Cluster:
    """Create a cluster in ``partnership``; names are unique within a partnership."""
    return _save(Cluster(partnership=partnership, name=name, description=description), user=user, creating=True)


@transaction.atomic
def cluster_update(*, cluster: Cluster, name: str, description: str, user: User | None) -> Cluster:
    """Rename or re-describe a cluster."""
    cluster.name, cluster.description = name, description
    return _save(cluster, user=user, creating=False)


@transaction.atomic
def cluster_add_school(*, cluster: Cluster, school: School, joined_on: dt.date, user: User | None) -> ClusterMembership:
    """Add a school to a cluster from ``joined_on``; it must be in the same partnership and not already a member."""
    if school.partnership_id != cluster.partnership_id:
        raise ValidationError({"urn": "Enter the URN of a school in this partnership"})
    if ClusterMembership.objects.filter(cluster=cluster, school=school, left_on__isnull=True).exists():
        raise ValidationError({"urn": f"{school.name} is already in this cluster"})
    return _save(ClusterMembership(cluster=cluster, school=school, joined_on=joined_on), user=user, creating=True)


@transaction.atomic
def alliance_create(*, partnership: Partnership, name: str, description: str = "", user: User | None) -> Alliance:
    """Create a district alliance in ``partnership``."""
    return _save(Alliance(partnership=partnership, name=name, description=description), user=user, creating=True)


@transaction.atomic
def alliance_update(*, alliance: Alliance, name: str, description: str, user: User | None) -> Alliance:
    """Rename or re-describe an alliance."""
    alliance.name, alliance.description = name, description
    return _save(alliance, user=user, creating=False)


@transaction.atomic
def alliance_add_cluster(
    *, alliance: Alliance, cluster: Cluster, joined_on: dt.date, user: User | None
) -> AllianceMembership:
    """Add a cluster to an alliance from ``joined_on``; same partnership, not already a member, and in no other
    alliance at the same time (#14.5: alliance totals would count its schools twice). The cluster's row is locked,
    so two officers adding it to two alliances at once cannot both succeed (a constraint backs this up)."""
    if cluster.partnership_id != alliance.partnership_id:
        raise ValidationError({"cluster": "Select a cluster in this partnership"})
    Cluster.objects.select_for_update().filter(pk=cluster.pk).first()
    if AllianceMembership.objects.filter(alliance=alliance, cluster=cluster, left_on__isnull=True).exists():
        raise ValidationError({"cluster": f"{cluster.name} is already in this alliance"})
    overlapping = (
        AllianceMembership.objects.filter(cluster=cluster)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=joined_on))
        .select_related("alliance")
        .order_by("-joined_on")
        .first()
    )
    if overlapping is not None and overlapping.left_on is None:
        raise ValidationError(
            {
                "cluster": f"{cluster.name} is already in {overlapping.alliance.name}: end that membership before "
                "adding it to another alliance"
            }
        )
    if overlapping is not None and overlapping.left_on is not None:
        until = f"{overlapping.left_on.day} {overlapping.left_on:%B %Y}"
        raise ValidationError(
            {
                "joined_on": f"{cluster.name} was in {overlapping.alliance.name} until {until}: enter a joining date "
                "on or after that day"
            }
        )
    return _save(AllianceMembership(alliance=alliance, cluster=cluster, joined_on=joined_on), user=user, creating=True)
