"""Rows of the risk app: soft intelligence, rule-set versions, risk runs and the assessments a run writes.

The engine itself (``engine.py``, ``ruleset.py``, ``indicators/``) is pure pandas and never sees these models;
``schools.risk.inputs`` turns rows into the engine's frames and ``schools.risk.services`` writes the answer back.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from partnership.models import Job, Partnership, TrackedModel
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

    @property
    def engine_kind(self) -> str:
        return self.ENGINE_KINDS.get(self.kind, self.kind)


class RuleSetVersion(models.Model):
    """One version of a partnership's risk rule set (``ruleset_to_dict`` form); exactly one is active.

    Versions are never edited: a change is a new version, so every run names the rules it used.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    config = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "version"], name="unique_ruleset_version"),
            models.UniqueConstraint(
                fields=["partnership"], condition=models.Q(is_active=True), name="one_active_ruleset_version"
            ),
        ]

    def __str__(self) -> str:
        return f"Rule set version {self.version}"


class RiskRun(Job):
    """One computation of every school's proposed category, run by a worker (or in-process by the command).

    At most one run per partnership waits in the queue (a constraint, and ``risk_run_create`` returns it to a
    second request); runs execute one at a time per partnership under an advisory lock. ``created_by`` is who
    requested it (empty for the schedule and imports); ``school_ids`` the schools whose change asked for it.
    """

    class Trigger(models.TextChoices):
        BUTTON = "button", "Officer"
        SCHEDULE = "schedule", "Schedule"
        IMPORT = "import", "Data import"
        INTELLIGENCE = "intelligence", "New intelligence"
        COMMAND = "command", "Command line"

    ruleset_version = models.ForeignKey(RuleSetVersion, on_delete=models.RESTRICT, related_name="runs")
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    as_at = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The academic year (ending year) categorised; empty: the current one."
    )
    school_ids = models.JSONField(default=list, blank=True)

    is_new = False  # set on the instance ``risk_run_create`` has just created (not a column)

    class Meta(Job.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["partnership"], condition=models.Q(state="queued"), name="one_queued_risk_run"
            )
        ]
        indexes = [models.Index(fields=["partnership", "state", "-created_at"])]

    def __str__(self) -> str:
        return f"Risk run {self.pk} ({self.state})"

    @property
    def requested_by(self):
        return self.created_by


class RiskAssessment(models.Model):
    """A school's proposed category from one run, with its bands, score, indicators and every reason.

    ``indicators`` maps each code (S1…S9, C1…C9) to ``{"rating": "G"|"A"|"R"|null, "value": number|null,
    "sentence": text}``; ``reasons``, ``overrides`` and ``missing_inputs`` are lists of sentences.
    """

    run = models.ForeignKey(RiskRun, on_delete=models.CASCADE, related_name="assessments")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="risk_assessments")
    proposed_category = models.PositiveSmallIntegerField()
    standards_band = models.CharField(max_length=1)
    capacity_band = models.CharField(max_length=1)
    score = models.IntegerField()
    leading = models.BooleanField(default=False)
    academy_view = models.CharField(max_length=12, blank=True, help_text="Academies: concern / no concern.")
    overrides = models.JSONField(default=list)
    indicators = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)
    missing_inputs = models.JSONField(default=list)

    class Meta:
        ordering = ["-proposed_category", "-score", "school_id"]
        constraints = [models.UniqueConstraint(fields=["run", "school"], name="one_assessment_per_school_per_run")]
        indexes = [models.Index(fields=["school", "run"])]

    def __str__(self) -> str:
        return f"{self.school_id}: category {self.proposed_category} (run {self.run_id})"


# ---------------------------------------------------------------------------------------------- people decide


class CategorisationRound(TrackedModel):
    """People deciding the categories of one risk run's proposals: officers adjust, the moderation panel rules
    on bigger moves, the board agrees the list, and publication shows each school its own category.

    Draft → agreed (by the board: meeting date and minute) → published (heads and chairs may reply until
    ``reply_deadline``, 10 school days later). At most one round per partnership is open (draft or agreed).
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        AGREED = "agreed", "Agreed by the board"
        PUBLISHED = "published", "Published to schools"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
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
                condition=~models.Q(state="published"),
                name="one_open_categorisation_round",
            )
        ]

    def __str__(self) -> str:
        return self.name

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
        from partnership.models import Role

        return Role(self.author_role).label if self.author_role in Role.values else ""


class SchoolHoliday(TrackedModel):
    """Days the partnership's schools are closed (holidays, INSET days): not school days for reply windows.

    The local authority's published term dates, entered by officers; England's bank holidays and weekends are
    never school days anyway (``schools.risk.categorisation.school_days``).
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80, help_text="For example “Christmas holiday” or “INSET day”.")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on", "ends_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="holiday_ends_after"),
            models.UniqueConstraint(fields=["partnership", "starts_on", "ends_on"], name="one_holiday_per_dates"),
        ]
        indexes = [models.Index(fields=["partnership", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} to {self.ends_on})"


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


class RiskBacktest(models.Model):
    """A stored backtest: categories as at earlier years against what happened next (docs/adr/0011).

    ``report`` holds the definition used and, per as-at year, the counts, every predictor's AUC and the notes
    (``schools.risk.engine.backtest.backtest_year``); ``summary`` the headline figures for the list page.
    Never edited: a new backtest is a new row.
    """

    class Trigger(models.TextChoices):
        PAGE = "page", "Officer"
        COMMAND = "command", "Command line"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    ruleset_version = models.ForeignKey(RuleSetVersion, on_delete=models.RESTRICT, related_name="backtests")
    as_at_years = models.JSONField(default=list, help_text="Academic years categorised, as ending years (2018).")
    trigger = models.CharField(max_length=8, choices=Trigger.choices)
    summary = models.JSONField(default=dict)
    report = models.JSONField(default=dict)
    seconds = models.FloatField(null=True, blank=True, help_text="How long the computation took.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partnership", "-created_at"])]

    def __str__(self) -> str:
        return f"Risk backtest {self.pk}"
