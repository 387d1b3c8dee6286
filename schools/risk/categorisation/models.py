"""Rows of categorisation rounds: a round, each school's category in it, the decisions, replies and the
publication notices (docs/adr/0012, 0013). Same app (label ``risk``) and tables as before the split."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnership.models import Partnership, Role, TrackedModel
from schools.models import School
from schools.risk.models.runs import RiskAssessment, RiskRun


class CategorisationRound(TrackedModel):
    """People deciding the categories of one risk run's proposals: officers adjust, the moderation panel rules
    on bigger moves, the board agrees the list, and publication shows each school its own category.

    Draft → agreed (by the board: meeting date and minute) → published (heads and chairs may reply until
    ``reply_deadline``, 10 school days later).

    ``kind`` (#14.11): an *annual* round covers every school of the run; a *termly* review only the schools whose
    current published category is 3 or 4; an *in-year* review one school, after an event (``trigger``). Its
    schools (``SchoolCategory`` rows) are its scope. At most one annual or termly round per partnership is open
    (draft or agreed), at most one in-year review per school, and never two open rounds covering one school (the
    service checks that under the partnership's lock; docs/adr/0024).
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        AGREED = "agreed", "Agreed by the board"
        PUBLISHED = "published", "Published to schools"

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual round"
        TERMLY = "termly", "Termly review of categories 3 and 4"
        IN_YEAR = "in_year", "In-year review of one school"

    class Trigger(models.TextChoices):
        INSPECTION = "inspection", "New inspection"
        HEAD_CHANGE = "head_change", "Headteacher changed"
        SAFEGUARDING = "safeguarding", "Safeguarding incident"
        COMPLAINT = "complaint", "Complaint rated amber or red"
        OTHER = "other", "Other event (explained in the note)"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ANNUAL)
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The school an in-year review is for.",
    )
    trigger = models.CharField(max_length=12, choices=Trigger.choices, blank=True)
    trigger_on = models.DateField(null=True, blank=True, help_text="The date of the event that opened the review.")
    trigger_note = models.CharField(max_length=300, blank=True, help_text="What happened, in a sentence.")
    name = models.CharField(max_length=120, help_text="For example “Autumn 2026 categorisation”.")
    run = models.ForeignKey(RiskRun, on_delete=models.RESTRICT, related_name="rounds")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    agreed_on = models.DateField(null=True, blank=True, help_text="The date of the board meeting that agreed it.")
    agreed_minute = models.CharField(max_length=200, blank=True, help_text="The board's minute reference.")
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_deadline = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership"],
                condition=~models.Q(state="published") & models.Q(kind__in=["annual", "termly"]),
                name="one_open_categorisation_round",
            ),
            models.UniqueConstraint(
                fields=["school"],
                condition=~models.Q(state="published") & models.Q(kind="in_year"),
                name="one_open_in_year_review_per_school",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="in_year", school__isnull=False)
                | (~models.Q(kind="in_year") & models.Q(school__isnull=True)),
                name="in_year_review_has_its_school",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_in_year(self) -> bool:
        return self.kind == self.Kind.IN_YEAR

    @property
    def kind_text(self) -> str:
        """What set a category, as the school's history says it: "Annual round", or for an in-year review
        "In-year review: new inspection on 3 November 2026"."""
        if self.kind != self.Kind.IN_YEAR:
            return self.get_kind_display()
        what = self.get_trigger_display().lower() if self.trigger else "an event"
        when = f" on {self.trigger_on:%-d %B %Y}" if self.trigger_on else ""
        return f"In-year review: {what}{when}"

    @property
    def is_agreed(self) -> bool:
        return self.state in (self.State.AGREED, self.State.PUBLISHED)


class SchoolCategory(models.Model):
    """One school's category in a round: proposed by the run, then as people decided it.

    ``category`` is the current decision (the agreed category once the round is agreed); ``requested_category``
    holds an officer's move of more than one step while it waits for the moderation panel.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "As proposed"
        ADJUSTED = "adjusted", "Adjusted by an officer"
        REFERRED = "referred", "Waiting for the moderation panel"
        MODERATED = "moderated", "Decided by the moderation panel"
        REPLY_CHANGED = "reply", "Changed after the school's reply"

    round = models.ForeignKey(CategorisationRound, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="categories")
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.RESTRICT, related_name="+")
    proposed_category = models.PositiveSmallIntegerField()
    category = models.PositiveSmallIntegerField()
    previous_category = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The school's current published category when the round was opened."
    )
    requested_category = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)

    class Meta:
        ordering = ["-category", "school__name"]
        constraints = [models.UniqueConstraint(fields=["round", "school"], name="one_category_per_school_per_round")]
        indexes = [models.Index(fields=["school", "round"]), models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return f"{self.school_id}: category {self.category} in round {self.round_id}"


class CategoryDecision(models.Model):
    """One step in the life of a school's category, kept for good: who decided what, when, and why."""

    class Step(models.TextChoices):
        PROPOSED = "proposed", "Proposed by the risk run"
        ADJUSTED = "adjusted", "Adjusted by an officer"
        REFERRED = "referred", "Referred to the moderation panel"
        MODERATED = "moderated", "Decided by the moderation panel"
        AGREED = "agreed", "Agreed by the board"
        PUBLISHED = "published", "Published to the school"
        REPLY = "reply", "Reply from the school"
        REPLY_ANSWERED = "reply_answered", "Reply answered by the panel"

    class Reason(models.TextChoices):
        RECENT_IMPROVEMENT = "recent_improvement", "Recent improvement not yet in published data"
        RECENT_DECLINE = "recent_decline", "Recent decline not yet in published data"
        SMALL_COHORT = "small_cohort", "Small or unusual cohort makes the data misleading"
        LEADERSHIP_CHANGE = "leadership_change", "Change of leadership or governance"
        LOCAL_INTELLIGENCE = "local_intelligence", "Local intelligence the indicators do not capture"
        SUPPORT_IN_PLACE = "support_in_place", "Effective support already in place"
        INSPECTION = "inspection", "Recent inspection outcome"
        REPLY_EVIDENCE = "reply_evidence", "Evidence the school gave in its reply"
        OTHER = "other", "Other (explained in the rationale)"

    school_category = models.ForeignKey(SchoolCategory, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField(max_length=16, choices=Step.choices)
    from_category = models.PositiveSmallIntegerField(null=True, blank=True)
    to_category = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    rationale = models.TextField(blank=True)
    meeting_on = models.DateField(null=True, blank=True, help_text="The panel or board meeting, where one decided.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        indexes = [models.Index(fields=["school_category", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.get_step_display()} ({self.from_category} → {self.to_category})"


class CategoryReply(models.Model):
    """A headteacher's or chair's reply to their school's published category, and the panel's answer."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Category confirmed"
        CHANGED = "changed", "Category changed"

    school_category = models.ForeignKey(SchoolCategory, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_role = models.CharField(max_length=20)
    text = models.TextField()
    submitted_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"Reply {self.pk} on {self.school_category_id}"

    @property
    def author_role_label(self) -> str:
        return Role(self.author_role).label if self.author_role in Role.values else ""


class PublicationNotice(models.Model):
    """The email telling one head or chair that their school's category is published: who, where, and whether
    it went. Written with the publication; a Celery job sends the waiting ones (docs/adr/0013)."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"
        SKIPPED = "skipped", "Not sent: no longer the school's head or chair"

    round = models.ForeignKey(CategorisationRound, on_delete=models.CASCADE, related_name="notices")
    membership = models.ForeignKey(
        "partnership.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(help_text="The address as it was when the round was published.")
    roles = models.CharField(max_length=60, help_text="For example “headteacher and chair of governors”.")
    link = models.URLField(max_length=300)
    state = models.CharField(max_length=8, choices=State.choices, default=State.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    waiting_since = models.DateTimeField(
        default=timezone.now, help_text="When it was last put in the queue: at publication, or sent again."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["school__name", "email"]
        constraints = [models.UniqueConstraint(fields=["round", "membership"], name="one_notice_per_member_per_round")]
        indexes = [models.Index(fields=["round", "state"]), models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"Notice {self.pk} ({self.state}) of round {self.round_id}"


class ReviewSuggestionDismissal(models.Model):
    """An officer's decision that an event suggesting an in-year review needs none (#14.11), with the reason:
    the suggestion goes; a later event suggests a review again."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(max_length=12, choices=CategorisationRound.Trigger.choices)
    event_on = models.DateField(help_text="The date of the event the suggestion was for.")
    reason = models.TextField()
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-dismissed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "trigger", "event_on"], name="one_dismissal_per_review_event")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.trigger} {self.event_on}: no review needed"
