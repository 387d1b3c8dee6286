"""Notes of visit: an LA officer's (or link adviser's) record of a visit to a school, its agreed actions, the school's
response, the points promoted to soft intelligence, and how often each category of school is visited."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from partnership.models import Partnership, TrackedModel
from schools.models import School
from schools.risk.models import IntelligenceEntry


def no_null_characters(**fields: str) -> None:
    """Refuse text with NUL bytes (PostgreSQL cannot store them; forms refuse them first)."""
    bad = {name: "Remove the null characters" for name, value in fields.items() if value and "\x00" in value}
    if bad:
        raise ValidationError(bad)


class Frequency(models.TextChoices):
    """How often a school is visited: the next visit is due this long after the last one."""

    HALF_TERMLY = "half_termly", "Half-termly (within 8 weeks of the last visit)"
    TERMLY = "termly", "Termly (within 4 months of the last visit)"
    YEARLY = "yearly", "Yearly (within 12 months of the last visit)"
    NONE = "none", "No routine visit"


FREQUENCY_DAYS: dict[str, int] = {Frequency.HALF_TERMLY: 56, Frequency.TERMLY: 122, Frequency.YEARLY: 365}
"""Days from the last visit (or, before any visit, from the day the category was agreed) to the next one."""


class VisitSettings(TrackedModel):
    """A partnership's visit frequency per agreed category (defaults: yearly for 1–2, termly for 3–4)."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="+")
    category_1 = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.YEARLY)
    category_2 = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.YEARLY)
    category_3 = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.TERMLY)
    category_4 = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.TERMLY)
    uncategorised = models.CharField(
        max_length=12,
        choices=Frequency.choices,
        default=Frequency.NONE,
        help_text="Schools with no agreed category, or 'insufficient evidence: officer to categorise'.",
    )

    class Meta:
        verbose_name_plural = "visit settings"

    def __str__(self) -> str:
        return f"Visit frequency of partnership {self.partnership_id}"

    def frequency_for(self, category: int | None) -> str:
        """The frequency for an agreed category (1–4); anything else is 'uncategorised'."""
        if category in (1, 2, 3, 4):
            return str(getattr(self, f"category_{category}"))
        return str(self.uncategorised)


class LinkAdviser(TrackedModel):
    """The officer who is a school's link adviser: their list of visits due is their schools'."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="link_adviser")
    adviser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Link adviser of {self.school_id}"

    def clean(self) -> None:
        if self.school_id and self.partnership_id and self.school.partnership_id != self.partnership_id:
            raise ValidationError({"school": "Choose a school in this partnership"})


class Visit(TrackedModel):
    """A note of visit: drafted by the officer, shared with the school's head and chair, who may respond."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SHARED = "shared", "Shared with the school"
        RESPONDED = "responded", "The school has responded"

    class Purpose(models.TextChoices):
        LINK = "link", "Link adviser visit"
        CATEGORY_REVIEW = "category_review", "Category review"
        SUPPORT_REVIEW = "support_review", "Support plan review"
        NEW_HEAD = "new_head", "New headteacher induction"
        SAFEGUARDING = "safeguarding", "Safeguarding"
        GOVERNANCE = "governance", "Governance"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="la_visits")
    visited_on = models.DateField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    focus = models.CharField(max_length=200, help_text="A short title, like “Reading in key stage 1”.")
    attendees = models.TextField(help_text="Who attended, one a line, with their role.")
    notes = models.TextField()
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["school", "-visited_on"]),
            models.Index(fields=["partnership", "state", "-visited_on"]),
        ]

    def __str__(self) -> str:
        return f"Visit to {self.school_id} on {self.visited_on}"

    def clean(self) -> None:
        no_null_characters(focus=self.focus, attendees=self.attendees, notes=self.notes)
        if self.school_id and self.partnership_id and self.school.partnership_id != self.partnership_id:
            raise ValidationError({"school": "Choose a school in this partnership"})
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": "Date of the visit must be today or in the past"})
        if self.visited_on and self.visited_on < dt.date(2000, 1, 1):
            raise ValidationError({"visited_on": "Date of the visit must be after 1 January 2000"})

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT


class VisitAction(models.Model):
    """An action agreed at the visit: what, who owns it, by when."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=500)
    owner = models.CharField(max_length=200, help_text="A person or role, like “Headteacher” or “LA officer”.")
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.action} ({self.owner}, by {self.due_on})"

    def clean(self) -> None:
        no_null_characters(action=self.action, owner=self.owner)
        if not self.action.strip():
            raise ValidationError({"action": "Enter the action"})
        if not self.owner.strip():
            raise ValidationError({"owner": "Enter who owns the action"})
        if self.due_on and self.visit_id and self.due_on < self.visit.visited_on:
            raise ValidationError({"due_on": "Due date must be on or after the date of the visit"})


class VisitResponse(models.Model):
    """The head's or the chair's response: is the note accurate, and their reply (one per person)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=60, help_text="The responder's role at the school, as it was then.")
    accurate = models.BooleanField()
    reply = models.TextField(blank=True)
    responded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["responded_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["visit", "user"], name="one_visit_response_per_person")]

    def __str__(self) -> str:
        return f"Response to visit {self.visit_id}: {'accurate' if self.accurate else 'not accurate'}"

    def clean(self) -> None:
        no_null_characters(reply=self.reply)


class VisitPoint(models.Model):
    """A point of a visit promoted to a soft-intelligence entry: the link both ways (``entry.visit_point``)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="points")
    entry = models.OneToOneField(IntelligenceEntry, on_delete=models.CASCADE, related_name="visit_point")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Point of visit {self.visit_id} → intelligence {self.entry_id}"
