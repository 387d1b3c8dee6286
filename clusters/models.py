"""Clusters of schools and district alliances of clusters, with dated memberships."""

from __future__ import annotations

from django.db import models

from partnership.models import DatedMembership, Partnership, TrackedModel, dated_membership_constraints


class Cluster(TrackedModel):
    """A group of 3–10 schools that review and support each other."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="clusters")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="unique_cluster_name")]

    def __str__(self) -> str:
        return self.name


class ClusterMembership(DatedMembership):
    """A school's membership of a cluster over a period (``left_on`` empty while current)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="cluster_memberships")

    class Meta(DatedMembership.Meta):
        constraints = dated_membership_constraints("cluster", "school", name="cluster")

    def __str__(self) -> str:
        return f"{self.school_id} in {self.cluster_id}"


class Alliance(TrackedModel):
    """A district alliance (consortium) across several clusters."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="alliances")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="unique_alliance_name")]

    def __str__(self) -> str:
        return self.name


class AllianceMembership(DatedMembership):
    """A cluster's membership of an alliance over a period."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="memberships")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="alliance_memberships")

    class Meta(DatedMembership.Meta):
        constraints = [
            *dated_membership_constraints("alliance", "cluster", name="alliance"),
            models.UniqueConstraint(  # #14.5: one alliance at a time, or alliance totals count its schools twice
                fields=["cluster"], condition=models.Q(left_on__isnull=True), name="one_current_alliance_per_cluster"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id} in {self.alliance_id}"
