"""The strategic board: its terms, members' standing, declared interests, meetings (agenda, papers, minutes,
decisions, actions), the strategy (vision, at most three active priorities, deliverables), KPIs with their
values per period, and frozen meeting packs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnership.models import BoardMember, Job, Partnership, TrackedModel


class Rag(models.TextChoices):
    """Programme-board RAG, with white for work not yet started."""

    RED = "red", "Red: high risk"
    AMBER = "amber", "Amber: delayed"
    GREEN = "green", "Green: on track"
    WHITE = "white", "White: not started"


class Board(TrackedModel):
    """The partnership's board as a body: its name, kind and terms of reference (one per partnership)."""

    class Kind(models.TextChoices):
        STRATEGIC = "strategic", "Strategic partnership board"
        PROJECT = "project", "Project board"
        CHALLENGE = "challenge", "Challenge board"
        SRIB = "srib", "Sub-regional improvement board"

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="board")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.STRATEGIC)
    terms_of_reference = models.TextField(blank=True)
    quorum = models.PositiveSmallIntegerField(default=3, help_text="Voting members needed for a decision.")

    def __str__(self) -> str:
        return self.name


class MemberStanding(TrackedModel):
    """A board member's standing: chair or not, voting or co-opted (kept beside the member's seat and term)."""

    member = models.OneToOneField(BoardMember, on_delete=models.CASCADE, related_name="standing")
    is_chair = models.BooleanField(default=False)
    voting = models.BooleanField(default=True, help_text="False: a co-opted member without a vote.")

    def __str__(self) -> str:
        return f"{self.member}: {'chair, ' if self.is_chair else ''}{'voting' if self.voting else 'co-opted'}"


class Declaration(TrackedModel):
    """An interest a board member declared: kept for good; ended, never deleted. Brokerage reads it for conflicts."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", "Employment or paid role"
        GOVERNANCE = "governance", "Governor or trustee"
        FINANCIAL = "financial", "Financial or commercial interest"
        PERSONAL = "personal", "Close personal relationship"
        OTHER = "other", "Other"

    member = models.ForeignKey(BoardMember, on_delete=models.CASCADE, related_name="declarations")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    interest = models.CharField(max_length=500)
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.CharField(
        max_length=200, blank=True, help_text="A trust, company or body, where not a school."
    )
    declared_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    meeting = models.ForeignKey(
        "Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="declarations"
    )

    class Meta:
        ordering = ["-declared_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("declared_on")),
                name="declaration_ends_after_declared",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.name}: {self.interest}"


class Meeting(TrackedModel):
    """A board meeting: scheduled → held (minutes may follow) or cancelled."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    TRANSITIONS = {
        State.SCHEDULED: {State.HELD, State.CANCELLED},
        State.HELD: set(),
        State.CANCELLED: {State.SCHEDULED},
    }

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    meets_on = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    minutes = models.TextField(blank=True)
    minutes_approved = models.BooleanField(default=False)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-meets_on", "-pk"]
        indexes = [models.Index(fields=["partnership", "meets_on"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.meets_on:%-d %B %Y})"


class AgendaItem(models.Model):
    """One item of a meeting's agenda; a confidential item is shown only to the board and officers."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    presenter = models.CharField(max_length=200, blank=True)
    confidential = models.BooleanField(default=False)

    class Meta:
        ordering = ["number", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="one_agenda_number_per_meeting")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Paper(TrackedModel):
    """An uploaded board paper: a confidential paper is for board members and officers only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    confidential = models.BooleanField(default=False)
    original_filename = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100, default="application/octet-stream")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Decision(TrackedModel):
    """A decision minuted at a meeting; it may agree a categorisation round (the round then points here)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    reference = models.CharField(max_length=40, help_text="The minute reference, for example “SB/2026/3”.")
    text = models.TextField()
    categorisation_round = models.OneToOneField(
        "risk.CategorisationRound", null=True, blank=True, on_delete=models.RESTRICT, related_name="board_decision"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.text[:60]}"


class Action(TrackedModel):
    """An action a meeting gave someone: open → done or dropped."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    TRANSITIONS = {
        Status.OPEN: {Status.DONE, Status.DROPPED},
        Status.DONE: {Status.OPEN},
        Status.DROPPED: {Status.OPEN},
    }

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description


class Strategy(TrackedModel):
    """The partnership's strategy for a period: a vision and (at most three active) priorities."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    vision = models.TextField()
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership"], condition=models.Q(current=True), name="one_current_strategy"
            ),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="strategy_period"),
        ]

    def __str__(self) -> str:
        return self.title


MAX_ACTIVE_PRIORITIES = 3


class Priority(TrackedModel):
    """One of the strategy's priorities: active (at most three at once) or retired (kept, with its history)."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    rationale = models.TextField()
    lead = models.CharField(max_length=200, help_text="The person or sub-group who leads it.")
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number", "pk"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.title

    @property
    def active(self) -> bool:
        return self.retired_at is None


class Deliverable(TrackedModel):
    """Something a priority must deliver: owner, due date, RAG status (white = not started)."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="deliverables")
    title = models.CharField(max_length=300)
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    status = models.CharField(max_length=5, choices=Rag.choices, default=Rag.WHITE)
    status_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Kpi(TrackedModel):
    """A key performance indicator: computed from the data (``library_code``) or entered by hand (manual).

    RAG from the latest value against the target: within ``green_within`` of it (on the right side for
    higher/lower polarity) is green, within ``amber_within`` amber, else red.
    """

    class Polarity(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"
        TARGET = "target", "Nearer the target is better"

    class Unit(models.TextChoices):
        PERCENT = "percent", "Per cent"
        POINTS = "points", "Percentage points"
        SCORE = "score", "Score"
        COUNT = "count", "Count"
        DAYS = "days", "Days"

    class Comparator(models.TextChoices):
        NATIONAL = "national", "England (national)"
        LA_LAST_YEAR = "last_year", "Last year"
        TARGET = "target", "The target"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    priority = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="kpis")
    title = models.CharField(max_length=200)
    definition = models.TextField()
    library_code = models.CharField(max_length=40, blank=True, help_text="Empty for a manual KPI.")
    polarity = models.CharField(max_length=6, choices=Polarity.choices)
    unit = models.CharField(max_length=8, choices=Unit.choices)
    source = models.CharField(max_length=300)
    comparator = models.CharField(max_length=10, choices=Comparator.choices, default=Comparator.TARGET)
    baseline = models.FloatField(null=True, blank=True)
    baseline_period = models.CharField(max_length=20, blank=True)
    target = models.FloatField()
    target_on = models.DateField()
    green_within = models.FloatField(default=0, help_text="Distance from the target still green.")
    amber_within = models.FloatField(default=2, help_text="Distance from the target still amber; beyond it red.")
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority__number", "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "library_code"],
                condition=~models.Q(library_code="") & models.Q(archived_at__isnull=True),
                name="one_live_kpi_per_library_code",
            ),
            models.CheckConstraint(
                condition=models.Q(green_within__gte=0) & models.Q(amber_within__gte=models.F("green_within")),
                name="kpi_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_manual(self) -> bool:
        return not self.library_code


class KpiValue(TrackedModel):
    """A KPI's value for one period with where it came from, the automatic RAG, any override, and the trend."""

    class Source(models.TextChoices):
        IMPORT = "import", "Imported data"
        RUN = "run", "Risk run or categorisation round"
        REGISTER = "register", "The school register"
        RECORDS = "records", "The partnership's records"
        MANUAL = "manual", "Entered by hand"

    class Direction(models.TextChoices):
        IMPROVED = "improved", "Improved"
        SAME = "same", "No change"
        WORSE = "worse", "Worse"
        NONE = "none", "First value"

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    period = models.PositiveSmallIntegerField(help_text="Academic year by its ending calendar year: 2019 = 2018/19.")
    value = models.FloatField()
    comparator_value = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    source_detail = models.CharField(max_length=300, blank=True)
    rag_auto = models.CharField(max_length=5, choices=Rag.choices)
    rag_override = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    override_reason = models.CharField(max_length=500, blank=True)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.NONE)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kpi", "period"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period"], name="one_kpi_value_per_period"),
            models.CheckConstraint(
                condition=models.Q(rag_override="") | ~models.Q(override_reason=""), name="kpi_override_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.period}: {self.value}"

    @property
    def rag(self) -> str:
        return self.rag_override or self.rag_auto

    @property
    def period_label(self) -> str:
        return f"{self.period - 1}/{str(self.period)[-2:]}"


class KpiRefresh(Job):
    """A recomputation of every computed KPI of a partnership (after an import or a risk run, or on request)."""

    class Meta(Job.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["partnership"], condition=models.Q(state="queued"), name="one_queued_kpi_refresh"
            )
        ]


class MeetingPack(Job):
    """A frozen pack for a meeting: the numbers as they were on the day (``content``), and its PDF and XLSX."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    content = models.JSONField(default=dict, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    xlsx = models.BinaryField(null=True, blank=True, editable=False)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    build_seconds = models.FloatField(null=True, blank=True)
