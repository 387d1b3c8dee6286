"""Soft intelligence: dated, attributed entries about a school (the register of concern reads them)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from partnership.models import Partnership, TrackedModel
from schools.models import School


class IntelligenceEntry(TrackedModel):
    """A dated, attributed piece of soft intelligence about a school, with evidence; archived, never deleted.

    ``kind`` is what officers choose; ``engine_kind`` is the kind the engine's rules read (docs/design
    risk-data-contract.md): the three headship kinds are all ``head``, the two finance kinds ``finance``.
    Confidential entries are seen by officers and admins only, never by the school itself.
    """

    class Kind(models.TextChoices):
        HEAD_NEW = "head_new", "Headteacher new in post"
        HEAD_ACTING = "head_acting", "Headteacher acting or interim"
        HEAD_VACANT = "head_vacant", "Headship vacant"
        GOVERNANCE = "governance", "Governance"
        FINANCE_DEFICIT = "finance_deficit", "Finance: deficit"
        FINANCE_RECOVERY_PLAN = "finance_recovery_plan", "Finance: recovery plan"
        STAFFING = "staffing", "Staffing"
        COMPLAINTS = "complaints", "Complaints"
        SEND = "send", "Special educational needs and disabilities (SEND)"
        SAFEGUARDING = "safeguarding", "Safeguarding incident"
        WARNING_NOTICE = "warning_notice", "Warning notice"
        IEB = "ieb", "Interim executive board"
        NETWORK_ATTENDANCE = "network_attendance", "Attendance at network meetings"
        SELF_EVALUATION = "self_evaluation", "Self-evaluation"
        PEER_REVIEW = "peer_review", "Peer review"
        ROLL = "roll", "Pupil roll"

    class Rating(models.TextChoices):
        GREEN = "green", "Green"
        AMBER = "amber", "Amber"
        RED = "red", "Red"

    ENGINE_KINDS: dict[str, str] = {
        Kind.HEAD_NEW: "head",
        Kind.HEAD_ACTING: "head",
        Kind.HEAD_VACANT: "head",
        Kind.FINANCE_DEFICIT: "finance",
        Kind.FINANCE_RECOVERY_PLAN: "finance",
    }

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="intelligence_entries")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    rating = models.CharField(max_length=5, choices=Rating.choices)
    recorded_on = models.DateField(help_text="The date the intelligence was received or the event happened.")
    summary = models.CharField(max_length=300)
    evidence = models.TextField()
    confidential = models.BooleanField(default=False, help_text="Seen by LA officers and admins only.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    thread = models.ForeignKey(  # #14.5: updates on one issue count once in the register of concern
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="thread_updates",
        help_text="The first entry on the issue this entry is an update on; empty: a new issue.",
    )

    class Meta:
        ordering = ["-recorded_on", "-created_at"]
        indexes = [
            models.Index(fields=["school", "kind", "-recorded_on"]),
            models.Index(fields=["partnership", "-recorded_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.rating}) for {self.school_id} on {self.recorded_on}"

    def clean(self) -> None:
        if self.school_id and self.partnership_id and self.school.partnership_id != self.partnership_id:
            raise ValidationError({"school": "Choose a school in this partnership"})
        if self.recorded_on and self.recorded_on > timezone.localdate():
            raise ValidationError({"recorded_on": "Date recorded must be today or in the past"})
        thread = self.thread if self.thread_id is not None else None
        if thread is not None:
            if thread.pk == self.pk or thread.school_id != self.school_id:
                raise ValidationError({"thread": "Choose an earlier entry about this school"})
            if thread.thread_id is not None:
                raise ValidationError({"thread": "Choose the first entry on the issue"})

    @property
    def thread_root_id(self) -> int | None:
        """The id of the first entry on this entry's issue (its own id for a new issue)."""
        return self.thread_id or self.pk

    @property
    def engine_kind(self) -> str:
        return self.ENGINE_KINDS.get(self.kind, self.kind)


class HeadChangeJudgement(TrackedModel):
    """An officer's word on one change of the headteacher's name in GIAS (#14.5): the same person (a marriage, a
    spelling fix) or a new head. The loader then uses it instead of its own name match (``same_person``).

    One per school and GIAS change date (the date the register recorded the change, not the head's start date).
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="head_change_judgements")
    changed_on = models.DateField(help_text="The date GIAS recorded the change.")
    old_name = models.CharField(max_length=200, blank=True)
    new_name = models.CharField(max_length=200, blank=True)
    same_person = models.BooleanField()

    class Meta:
        ordering = ["-changed_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "changed_on"], name="one_head_change_judgement_per_date")
        ]

    def __str__(self) -> str:
        word = "same person" if self.same_person else "new head"
        return f"{self.school_id} {self.changed_on}: {self.old_name!r} → {self.new_name!r} ({word})"

    def clean(self) -> None:
        if self.school_id and self.partnership_id and self.school.partnership_id != self.partnership_id:
            raise ValidationError({"school": "Choose a school in this partnership"})
