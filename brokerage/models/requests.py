"""Support requests, their shortlists and academy referrals."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from partnership.models import Partnership, TrackedModel

from .providers import Provider, Specialism


class FundKind(models.TextChoices):
    LA_INTERVENTION = "la_intervention", "LA intervention budget"
    NATIONAL = "national", "National grant"
    CLUSTER = "cluster", "Cluster pot"
    TRADED = "traded", "Traded income (the school pays)"


class SupportRequest(TrackedModel):
    """A school's need for support, whoever raised it, moved only by ``support_request_transition``."""

    class Origin(models.TextChoices):
        SCHOOL = "school", "The school's head"
        PEER_REVIEW = "peer_review", "A peer-review action marked support needed"
        CATEGORISATION = "categorisation", "An agreed risk category"
        OFFICER = "officer", "An LA officer"
        BOARD = "board", "The board"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft (to confirm)"
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        SHORTLISTED = "shortlisted", "Shortlisted"
        CHOSEN = "chosen", "Provider chosen"
        AGREED = "agreed", "Agreed"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Urgency(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.RESTRICT, related_name="support_requests")
    origin = models.CharField(max_length=16, choices=Origin.choices)
    origin_key = models.CharField(
        max_length=80, blank=True, help_text="What raised it, e.g. 'round:12' or 'peer-action:40' (never its text)."
    )
    need = models.TextField()
    focus = models.ForeignKey(Specialism, null=True, blank=True, on_delete=models.RESTRICT, related_name="+")
    phase = models.CharField(max_length=30, blank=True)
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.MEDIUM)
    days_wanted = models.DecimalField(
        max_digits=5, decimal_places=1, default=Decimal("5"), validators=[MinValueValidator(Decimal("0.5"))]
    )
    preferred_funding = models.CharField(max_length=16, choices=FundKind.choices, blank=True)
    preferred_provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    state_changed_at = models.DateTimeField(default=timezone.now)
    chosen_provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.RESTRICT, related_name="chosen_for"
    )
    release_confirmed_on = models.DateField(
        null=True, blank=True, help_text="The home head confirmed the chosen system leader's release."
    )
    first_contact_on = models.DateField(null=True, blank=True)
    close_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partnership", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "origin_key"],
                condition=~models.Q(origin_key=""),
                name="one_request_per_origin",
            )
        ]

    def __str__(self) -> str:
        return f"Support for {self.school} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state not in (self.State.AGREED, self.State.DECLINED, self.State.WITHDRAWN)


class SupportRequestEvent(models.Model):
    """One move of a request: from, to, who, when, why."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class ShortlistEntry(models.Model):
    """A candidate on a request's shortlist, with the score, reasons and exclusions as they were computed."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="shortlist")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    exclusions = models.JSONField(default=list)

    class Meta:
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["request", "provider"], name="one_entry_per_provider")]

    def __str__(self) -> str:
        return f"{self.rank}. {self.provider}"


class AcademyReferral(TrackedModel):
    """An academy agreed in a category of concern: referred to the regions group, not brokered by the LA."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    origin_key = models.CharField(max_length=80)
    category = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    referred_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "origin_key", "school"], name="one_referral_per_origin")
        ]

    def __str__(self) -> str:
        return f"Referral of {self.school}"
