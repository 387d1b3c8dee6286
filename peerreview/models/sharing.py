"""Confidentiality: share grants, the read log, restricted safeguarding concerns, and the excellence directory."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnership.models import TrackedModel
from peerreview.models.review import Finding, ReportVersion, Review


class ShareGrant(TrackedModel):
    """The host's permission for an audience to read one artefact of a review, until revoked or expired."""

    class Artefact(models.TextChoices):
        REPORT = "report", "The agreed report"
        EVIDENCE = "evidence", "Focus areas, evidence notes and findings"

    class Audience(models.TextChoices):
        PERSON = "person", "A named person"
        CLUSTER = "cluster", "The host's cluster (its lead and its schools' heads)"
        ALLIANCE_LEAD = "alliance_lead", "The alliance lead"
        LA_OFFICERS = "la_officers", "The LA's officers"
        GOVERNORS = "governors", "The host's governors (chair)"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="grants")
    artefact = models.CharField(max_length=10, choices=Artefact.choices)
    audience = models.CharField(max_length=14, choices=Audience.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    expires_on = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["review", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(audience="person") | models.Q(person__isnull=False),
                name="person_grant_names_person",
            )
        ]

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= on)


class ReportRead(models.Model):
    """A read of a review's report by someone other than the host and the team (the host sees the log)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reads")
    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    grant = models.ForeignKey(ShareGrant, null=True, on_delete=models.SET_NULL, related_name="reads")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-read_at"]

    def __str__(self) -> str:
        return f"Read of review {self.review_id} by {self.user_id}"


class SafeguardingConcern(models.Model):
    """A restricted record: seen only by who raised it and the host head, or by the LA designated officer
    (LADO route) when it concerns the head. Never in the report, the roll-up or any export."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="safeguarding_concerns")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    concerns_head = models.BooleanField()
    summary = models.TextField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Safeguarding concern {self.pk}"

    @property
    def route_label(self) -> str:
        return "LA designated officer (LADO)" if self.concerns_head else "Host headteacher"


class ExcellenceEntry(TrackedModel):
    """A host's opt-in entry in the directory of excellence: what, which school, who to contact."""

    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="excellence_entries")
    title = models.CharField(max_length=200)
    description = models.TextField()
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]


class ReminderSent(models.Model):
    """One reminder sent (so the daily job sends each at most once): its kind, object and due date."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key
