"""Who can give support: system leaders, support schools, trusts and the LA's traded service."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from partnership.models import Partnership, TrackedModel

PHASES = [
    ("Nursery", "Nursery"),
    ("Primary", "Primary"),
    ("Middle deemed primary", "Middle deemed primary"),
    ("Secondary", "Secondary"),
    ("Middle deemed secondary", "Middle deemed secondary"),
    ("16 plus", "16 plus"),
    ("All-through", "All-through"),
    ("Not applicable", "Special and alternative provision"),
]


class Specialism(models.Model):
    """One entry of the partnership's configurable list of areas of expertise (e.g. "Early reading")."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="unique_specialism_name")]

    def __str__(self) -> str:
        return self.name


class Provider(TrackedModel):
    """An entry in the directory: a person (system leader) or an organisation that can give support.

    A system leader has a home school whose head and chair agree their release (dated); a support school is
    invited (Leading-tagged schools) and joins only when it opts in. ``days_offered`` is per academic year;
    days committed are counted from signed agreements, never stored, so they cannot drift.
    """

    class Kind(models.TextChoices):
        SYSTEM_LEADER = "system_leader", "System leader"
        SUPPORT_SCHOOL = "support_school", "Support school"
        TRUST = "trust", "Trust"
        TRADED = "traded", "LA traded service"

    class Designation(models.TextChoices):
        NLE = "nle", "National leader of education (NLE)"
        LLE = "lle", "Local leader of education (LLE)"
        SLE = "sle", "Specialist leader of education (SLE)"
        NLG = "nlg", "National leader of governance (NLG)"
        LEAD_PRACTITIONER = "lead_practitioner", "Lead practitioner"
        LA_ADVISER = "la_adviser", "LA adviser"
        ASSOCIATE = "associate", "Associate"

    class Status(models.TextChoices):
        INVITED = "invited", "Invited (not yet joined)"
        ACTIVE = "active", "In the directory"
        DECLINED = "declined", "Declined the invitation"
        WITHDRAWN = "withdrawn", "Withdrawn"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="provider_entries",
        help_text="The system leader's own sign-in: they keep their entry, availability and visit records.",
    )
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="provider_entries",
        help_text="A system leader's home school, or the support school itself.",
    )
    network = models.ForeignKey(
        "schools.Network", null=True, blank=True, on_delete=models.RESTRICT, related_name="+", help_text="A trust."
    )
    designation = models.CharField(max_length=20, choices=Designation.choices, blank=True)
    designated_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    specialisms = models.ManyToManyField(Specialism, blank=True, related_name="providers")
    phases = ArrayField(models.CharField(max_length=30, choices=PHASES), default=list, blank=True)
    cross_phase = models.BooleanField(default=False)
    days_offered = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("200"))],
        help_text="Days a year the provider can give.",
    )
    release_head_on = models.DateField(null=True, blank=True, help_text="Date the home head agreed release.")
    release_chair_on = models.DateField(null=True, blank=True, help_text="Date the home chair agreed release.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["partnership", "kind", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "school"],
                condition=models.Q(kind="support_school"),
                name="one_support_school_entry",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def release_agreed(self) -> bool:
        """Only system leaders need release; organisations release themselves."""
        if self.kind != self.Kind.SYSTEM_LEADER:
            return True
        return self.release_head_on is not None and self.release_chair_on is not None


class DeclaredInterest(TrackedModel):
    """A provider's declared interest in a school (family tie, governor, competitor): a hard exclusion."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="interests")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "school"], name="one_interest_per_school")]

    def __str__(self) -> str:
        return f"{self.provider} – {self.school}"


class TradedServiceItem(TrackedModel):
    """An item of the LA's traded school-improvement catalogue, with its unit price."""

    class Unit(models.TextChoices):
        DAY = "day", "per day"
        HALF_DAY = "half_day", "per half day"
        REVIEW = "review", "per review"
        YEAR = "year", "per year (annual contract)"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.DAY)
    unit_price = models.DecimalField(max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
