"""One peer review: its state and events, team, focus areas, evidence, findings, report, workshop, actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnership.models import Partnership, TrackedModel
from peerreview.models.framework import Framework, FrameworkQuestion, FrameworkTheme
from peerreview.models.programme import Programme


class Review(TrackedModel):
    """A school hosting a peer review in a programme. ``state`` moves only through ``review_transition``."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        FOCUS_AGREED = "focus_agreed", "Focus agreed"
        PRE_REVIEW = "pre_review", "Pre-review (data shared)"
        VISIT = "visit", "Visit in progress"
        FINDINGS_AGREED = "findings_agreed", "Findings agreed"
        REPORT_DRAFT = "report_draft", "Report draft"
        REPORT_AGREED = "report_agreed", "Report agreed"
        WORKSHOP_HELD = "workshop_held", "Workshop held"
        ACTIONS_LIVE = "actions_live", "Actions live"
        IMPACT_REVIEWED = "impact_reviewed", "Impact reviewed"
        CLOSED = "closed", "Closed"
        POSTPONED = "postponed", "Postponed"
        CANCELLED = "cancelled", "Cancelled"

    class Mode(models.TextChoices):
        ON_SITE = "on_site", "On site"
        VIRTUAL = "virtual", "Virtual"
        HYBRID = "hybrid", "Hybrid"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="peer_reviews")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="reviews")
    host = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="hosted_reviews")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="reviews")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.ON_SITE)
    days = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PLANNED)
    state_changed_at = models.DateTimeField(default=timezone.now)
    resume_state = models.CharField(max_length=16, blank=True, help_text="The state a postponed review resumes.")
    # milestones (the TSC timetable's columns)
    data_sharing_on = models.DateField(null=True, blank=True)
    pre_review_on = models.DateField(null=True, blank=True)
    visit_starts_on = models.DateField()
    visit_ends_on = models.DateField(null=True, blank=True)
    feedback_on = models.DateField(null=True, blank=True)
    report_due_on = models.DateField(null=True, blank=True)
    workshop_on = models.DateField(null=True, blank=True)
    impact_review_on = models.DateField(null=True, blank=True)
    # pre-review
    self_evaluation_summary = models.TextField(blank=True)
    data_shared_note = models.TextField(blank=True)
    report_agreed_on = models.DateField(null=True, blank=True, help_text="Set when the host agrees the report.")

    class Meta:
        ordering = ["visit_starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(days__gte=1, days__lte=3), name="review_lasts_one_to_three_days"),
            models.CheckConstraint(
                condition=models.Q(visit_ends_on__isnull=True)
                | models.Q(visit_ends_on__gte=models.F("visit_starts_on")),
                name="review_visit_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "host", "report_agreed_on"])]

    def __str__(self) -> str:
        return f"Peer review of {self.host.name} ({self.visit_starts_on:%b %Y})"


class ReviewEvent(models.Model):
    """A dated, attributed state change of a review (the audit trail of the cycle)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=Review.State.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=Review.State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} → {self.to_state}"


class TeamMember(TrackedModel):
    """A person's role on one review. Sees nothing of the review until conflicts are declared and the
    protocol's confidentiality clause accepted (``is_cleared``)."""

    class Role(models.TextChoices):
        LEAD_REVIEWER = "lead_reviewer", "Lead reviewer"
        PEER_REVIEWER = "peer_reviewer", "Peer reviewer"
        HOST_PARTNER = "host_partner", "Host partner"
        IMPROVEMENT_CHAMPION = "improvement_champion", "Improvement champion"
        OBSERVER = "observer", "Observer or trainee"
        QA = "qa", "Quality assurance"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_roles")
    home_school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=24, choices=Role.choices)
    released_at = models.DateTimeField(null=True, blank=True, help_text="Home school's head released them.")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conflicts_declared_at = models.DateTimeField(null=True, blank=True)
    conflict_declaration = models.TextField(blank=True, help_text="Empty with a declaration date = none declared.")
    confidentiality_accepted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "user"], condition=models.Q(removed_at__isnull=True), name="one_role_per_review"
            )
        ]

    @property
    def is_cleared(self) -> bool:
        return self.conflicts_declared_at is not None and self.confidentiality_accepted_at is not None


class FocusArea(TrackedModel):
    """A line of enquiry the host sets (1–2 per review), from the framework's themes and questions."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="focus_areas")
    theme = models.ForeignKey(FrameworkTheme, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(FrameworkQuestion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    self_evaluation_link = models.TextField(blank=True, help_text="What the self-evaluation says about it.")
    estimate = models.CharField(max_length=60, blank=True, help_text="One of the framework's estimate scale.")

    class Meta:
        ordering = ["review", "pk"]

    def __str__(self) -> str:
        return self.title


class EvidenceItem(TrackedModel):
    """One evidence-gathering activity during the visit, logged by a team member against a focus area."""

    class Activity(models.TextChoices):
        LESSON_VISIT = "lesson_visit", "Lesson visit"
        LEARNING_WALK = "learning_walk", "Learning walk"
        WORK_SCRUTINY = "work_scrutiny", "Work scrutiny"
        PUPIL_VOICE = "pupil_voice", "Pupil voice"
        STAFF_MEETING = "staff_meeting", "Staff or leader meeting"
        GOVERNORS = "governors", "Governors or parents"
        DATA = "data", "Data or documents"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="evidence")
    focus_area = models.ForeignKey(FocusArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    activity = models.CharField(max_length=16, choices=Activity.choices)
    joint = models.BooleanField(help_text="Done jointly with a member of the host school's staff.")
    notes = models.TextField()

    class Meta:
        ordering = ["review", "created_at", "pk"]


class Finding(TrackedModel):
    """What went well, even better if, or an area of excellence, agreed by the host or not (yet)."""

    class Kind(models.TextChoices):
        WWW = "www", "What went well"
        EBI = "ebi", "Even better if"
        EXCELLENCE = "excellence", "Area of excellence"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    focus_area = models.ForeignKey(FocusArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField()
    agreed = models.BooleanField(null=True, blank=True, help_text="None = not answered by the host yet.")
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["review", "kind", "pk"]


class ReportVersion(TrackedModel):
    """A version of the review report. An agreed version is locked; later changes are a new version."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACCURACY_CHECK = "accuracy_check", "With the host for a factual-accuracy check"
        AGREED = "agreed", "Agreed by the host (locked)"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="report_versions")
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    summary = models.TextField()
    body = models.TextField()
    right_of_reply = models.TextField(blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["review", "-number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="unique_report_version")]

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.AGREED


class Workshop(TrackedModel):
    """The improvement workshop led by an improvement champion after the review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="workshop")
    held_on = models.DateField()
    facilitator = models.CharField(max_length=200)
    attendees = models.TextField()
    outputs = models.TextField()


class Action(TrackedModel):
    """An action the host owns after the review; "support needed" actions are offered to brokerage."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        DROPPED = "dropped", "Dropped"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who at the host school owns it (name or post).")
    success_criteria = models.TextField()
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True)
    support_needed = models.BooleanField(default=False)
    support_note = models.TextField(blank=True, help_text="What support, for brokerage.")

    class Meta:
        ordering = ["review", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(completed_on__isnull=False),
                name="completed_action_has_date",
            )
        ]


class ImpactCheck(TrackedModel):
    """A check-back on one action's progress."""

    class Progress(models.TextChoices):
        NONE = "none", "No progress yet"
        SOME = "some", "Some progress"
        GOOD = "good", "Good progress"
        ACHIEVED = "achieved", "Success criteria met"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="impact_checks")
    checked_on = models.DateField()
    progress = models.CharField(max_length=8, choices=Progress.choices)
    evidence = models.TextField()

    class Meta:
        ordering = ["action", "-checked_on", "-pk"]
