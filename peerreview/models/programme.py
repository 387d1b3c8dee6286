"""The review protocol (memorandum of understanding) and the yearly review programme."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partnership.models import Partnership, TrackedModel


class Protocol(TrackedModel):
    """A versioned memorandum of understanding adopted by the partnership or by one cluster."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="review_protocols")
    cluster = models.ForeignKey(
        "clusters.Cluster", null=True, blank=True, on_delete=models.PROTECT, related_name="review_protocols"
    )
    name = models.CharField(max_length=200)
    version = models.PositiveSmallIntegerField(default=1)
    adopted_on = models.DateField()
    review_on = models.DateField(help_text="When the protocol itself is next reviewed.")

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "cluster", "name", "version"], name="unique_protocol"),
            models.CheckConstraint(
                condition=models.Q(review_on__gte=models.F("adopted_on")), name="protocol_review_after_adoption"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class ProtocolClause(models.Model):
    """One clause of a protocol; the confidentiality clause is the one team members accept."""

    class Kind(models.TextChoices):
        SHARED_RESPONSIBILITY = "shared_responsibility", "Shared responsibility"
        ESCALATION = "escalation", "Escalation"
        ATTENDANCE = "attendance", "Attendance and engagement"
        GOVERNORS = "governors", "Reporting to governors"
        CONFIDENTIALITY = "confidentiality", "Confidentiality and sharing"
        SAFEGUARDING = "safeguarding", "Safeguarding"

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="clauses")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=24, choices=Kind.choices)
    text = models.TextField()

    class Meta:
        ordering = ["protocol", "order"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ProtocolSignature(models.Model):
    """A school's signature of a protocol version, by its head or its chair of governors."""

    class Signatory(models.TextChoices):
        HEAD = "head", "Headteacher"
        CHAIR = "chair", "Chair of governors"

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="signatures")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="protocol_signatures")
    signatory = models.CharField(max_length=5, choices=Signatory.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField()

    class Meta:
        ordering = ["school", "signatory"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "school", "signatory"], name="one_signature_per_signatory")
        ]

    def __str__(self) -> str:
        return f"{self.get_signatory_display()} of school {self.school_id}"


class Programme(TrackedModel):
    """A year's review programme for a cluster, a triad or the whole partnership: who hosts when."""

    class Scope(models.TextChoices):
        CLUSTER = "cluster", "Cluster"
        TRIAD = "triad", "Triad"
        PARTNERSHIP = "partnership", "Whole partnership"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="review_programmes")
    name = models.CharField(max_length=200)
    academic_year = models.PositiveSmallIntegerField(help_text="By its ending calendar year: 2027 = 2026/27.")
    scope = models.CharField(max_length=12, choices=Scope.choices)
    cluster = models.ForeignKey(
        "clusters.Cluster", null=True, blank=True, on_delete=models.PROTECT, related_name="review_programmes"
    )
    protocol = models.ForeignKey(Protocol, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-academic_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "academic_year", "name"], name="unique_programme_name"),
            models.CheckConstraint(
                condition=~models.Q(scope="cluster") | models.Q(cluster__isnull=False),
                name="cluster_programme_names_cluster",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def year_label(self) -> str:
        return f"{self.academic_year - 1}/{str(self.academic_year)[-2:]}"
