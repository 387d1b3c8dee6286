"""Rule-set versions, risk runs and the assessments a run writes.

The engine itself (``schools/risk/engine/``) is pure pandas and never sees these models; ``schools.risk.inputs``
turns rows into the engine's frames and ``schools.risk.services`` writes the answer back.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from partnership.models import Job, Partnership
from schools.models import School


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

    At most one run per partnership and ``as_at`` year waits in the queue (a constraint, and ``risk_run_create``
    returns it to a second request for the same year; a run for another year is another run); runs execute one
    at a time per partnership under an advisory lock. ``created_by`` is who requested it (empty for the schedule
    and imports); ``school_ids`` the schools whose change asked for it.
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
    trace_codes = models.JSONField(
        default=list, blank=True, help_text="The indicator codes of the run's compact traces, in their order."
    )

    is_new = False  # set on the instance ``risk_run_create`` has just created (not a column)

    class Meta(Job.Meta):
        constraints = [
            models.UniqueConstraint(  # one waiting run per partnership and year (empty: the current year)
                fields=["partnership", "as_at"],
                condition=models.Q(state="queued"),
                nulls_distinct=False,
                name="one_queued_risk_run_per_year",
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

    The trace is stored in one of two forms (ADR 0025):

    * **compact** (runs since issue #15; ``trace_ratings`` not empty): per school only codes and values. The
      run's indicator codes are ``RiskRun.trace_codes``; ``trace_ratings`` holds one letter per code ("G", "A",
      "R", "-" for none), ``trace_values`` a number or NULL per code, ``trace_sentences`` the number of each
      code's sentence, and ``trace_reasons``, ``trace_missing`` and ``trace_overrides`` lists of sentence numbers:
      every sentence is stored once per run in ``RiskText``. ``schools.risk.selectors.assessments_expand``
      fills the four fields below from them for display.
    * **full** (older runs): ``indicators`` maps each code (S1…S9, C1…C9) to ``{"rating": "G"|"A"|"R"|null,
      "value": number|null, "sentence": text}``; ``reasons``, ``overrides`` and ``missing_inputs`` are lists of
      sentences. Readers take both; compact rows leave these empty until expanded.
    """

    # No index of their own: "one_assessment_per_school_per_run" (run, school) and the (school, run) index below
    # lead with each of them, so two more indexes would only be written (#15).
    run = models.ForeignKey(RiskRun, on_delete=models.CASCADE, related_name="assessments", db_index=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="risk_assessments", db_index=False)
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
    trace_ratings = models.CharField(max_length=64, blank=True, default="")
    trace_values = ArrayField(models.FloatField(null=True), default=list, blank=True)
    trace_sentences = ArrayField(models.IntegerField(), default=list, blank=True)
    trace_reasons = ArrayField(models.IntegerField(), default=list, blank=True)
    trace_missing = ArrayField(models.IntegerField(), default=list, blank=True)
    trace_overrides = ArrayField(models.IntegerField(), default=list, blank=True)

    class Meta:
        ordering = ["-proposed_category", "-score", "school_id"]
        constraints = [models.UniqueConstraint(fields=["run", "school"], name="one_assessment_per_school_per_run")]
        indexes = [models.Index(fields=["school", "run"])]

    def __str__(self) -> str:
        return f"{self.school_id}: category {self.proposed_category} (run {self.run_id})"


class RiskText(models.Model):
    """One distinct sentence of a run's traces (an indicator's sentence, a reason, a missing-input note or an
    override), stored once per run and referred to by ``number`` from its ``RiskAssessment`` rows (ADR 0025).

    Written with the run's assessments, in the same transaction, and never changed: the text is what the run's
    rule-set version wrote, so an old run reads as it did when it was computed.
    """

    pk = models.CompositePrimaryKey("run_id", "number")
    # No foreign-key constraint in the database (ADR 0030): a national run writes about 58,000 texts, and
    # PostgreSQL's check of each against the run row was 0.2 s of the run's commit. Only
    # ``risk_assessments_write`` writes texts, for a run whose row it has just updated and so holds locked until
    # the commit (it cannot be deleted meanwhile); deleting a run deletes its texts (``on_delete``, in Django).
    run = models.ForeignKey(RiskRun, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    number = models.PositiveIntegerField()
    text = models.TextField()

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}: {self.text[:40]}"


# ---------------------------------------------------------------------------------------------- people decide
