"""Deployment agreements, their objectives, visits, evaluation, variations and history."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from partnership.models import Partnership, TrackedModel

from .funds import Fund
from .providers import Provider
from .requests import SupportRequest

PENNY = Decimal("0.01")


class Deployment(TrackedModel):
    """A deployment agreement: one provider's support to one school, moved only by ``deployment_transition``.

    draft → signed (all four signatures; days reserved and cost committed under row locks) → active →
    completed → evaluated → closed; active ⇄ paused; draft, signed, active or paused → terminated.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        EVALUATED = "evaluated", "Evaluated"
        CLOSED = "closed", "Closed"
        TERMINATED = "terminated", "Terminated"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(
        SupportRequest, null=True, blank=True, on_delete=models.RESTRICT, related_name="deployments"
    )
    provider = models.ForeignKey(Provider, on_delete=models.RESTRICT, related_name="deployments")
    school = models.ForeignKey("schools.School", on_delete=models.RESTRICT, related_name="support_deployments")
    commissioner = models.CharField(max_length=200, default="The local authority")
    needs_analysis = models.TextField()
    baseline = models.TextField(blank=True)
    approach = models.TextField(blank=True)
    pattern = models.CharField(max_length=200, blank=True, help_text="For example “one day a fortnight”.")
    start_on = models.DateField()
    end_on = models.DateField()
    year = models.PositiveSmallIntegerField(help_text="Academic year of the start, by its ending year.")
    days = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("200"))],
    )
    day_rate = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    fee_percent = models.DecimalField(
        max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))]
    )
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.RESTRICT, related_name="deployments")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    state_changed_at = models.DateTimeField(default=timezone.now)
    provider_signed_at = models.DateTimeField(null=True, blank=True)
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    home_head_signed_at = models.DateTimeField(null=True, blank=True)
    home_head_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receiving_head_signed_at = models.DateTimeField(null=True, blank=True)
    receiving_head_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    officer_signed_at = models.DateTimeField(null=True, blank=True)
    officer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider_reflection = models.TextField(blank=True)
    qa_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-start_on", "-pk"]
        indexes = [models.Index(fields=["partnership", "state"]), models.Index(fields=["provider", "year"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_on__gte=models.F("start_on")), name="deployment_ends_after")
        ]

    def __str__(self) -> str:
        return f"{self.provider} → {self.school}"

    @property
    def cost(self) -> Decimal:
        """Days × rate plus the brokerage fee, to the penny."""
        return cost_of(self.days, self.day_rate, self.fee_percent)


def cost_of(days: Decimal, rate: Decimal, fee_percent: Decimal) -> Decimal:
    """Days × day rate, plus ``fee_percent`` on top, rounded to the penny."""
    return (days * rate * (1 + fee_percent / 100)).quantize(PENNY, rounding=ROUND_HALF_UP)


class DeploymentEvent(models.Model):
    """One move or signature of a deployment: the timeline."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    what = models.CharField(max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.what


class Objective(models.Model):
    """What the deployment should change, how it is measured and what success looks like.

    ``measure_code`` names an imported performance measure (e.g. ``ks2_rwm_expected``) when the objective is
    measurable from the data: the before/after figures are then read beside the judgement.
    """

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=300)
    impact_measure = models.CharField(max_length=300)
    success_criteria = models.CharField(max_length=300)
    measure_code = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Milestone(models.Model):
    """A dated milestone of the plan."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="milestones")
    due_on = models.DateField()
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text


class Variation(TrackedModel):
    """A logged change to a signed agreement (days, end date, or anything else with a reason)."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="variations")
    description = models.TextField()
    days_before = models.DecimalField(max_digits=5, decimal_places=1)
    days_after = models.DecimalField(max_digits=5, decimal_places=1)
    end_before = models.DateField()
    end_after = models.DateField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class Visit(TrackedModel):
    """A record of visit, due within 5 working days of the visit; the receiving head may respond."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="visits")
    visit_on = models.DateField()
    hours = models.DecimalField(
        max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("12"))]
    )
    activities = models.TextField()
    progress = models.TextField(help_text="Progress against each objective.")
    next_steps = models.TextField(blank=True)
    due_on = models.DateField(help_text="5 working days after the visit (the partnership's calendar).")
    submitted_at = models.DateTimeField(default=timezone.now)
    head_response = models.TextField(blank=True)
    head_responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["visit_on", "pk"]

    def __str__(self) -> str:
        return f"Visit on {self.visit_on}"

    @property
    def late(self) -> bool:
        return timezone.localdate(self.submitted_at) > self.due_on


class Rating(models.IntegerChoices):
    OUTSTANDING = 4, "Outstanding"
    GOOD = 3, "Good"
    REQUIRES_IMPROVEMENT = 2, "Requires improvement"
    INADEQUATE = 1, "Inadequate"


class Evaluation(TrackedModel):
    """The receiving head's end evaluation: overall success and the provider's effectiveness."""

    deployment = models.OneToOneField(Deployment, on_delete=models.CASCADE, related_name="evaluation")
    overall = models.PositiveSmallIntegerField(choices=Rating.choices)
    provider_effectiveness = models.PositiveSmallIntegerField(choices=Rating.choices)
    summary = models.TextField()

    def __str__(self) -> str:
        return f"Evaluation of {self.deployment}"


class ObjectiveEvaluation(models.Model):
    """The judgement on one objective, with evidence and, where measurable, the figures before and after."""

    class Outcome(models.TextChoices):
        MET = "met", "Met"
        PARTLY = "partly", "Partly met"
        NOT_MET = "not_met", "Not met"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="objectives")
    objective = models.OneToOneField(Objective, on_delete=models.CASCADE, related_name="evaluation")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    evidence = models.TextField()
    before_value = models.FloatField(null=True, blank=True)
    after_value = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.objective}: {self.outcome}"
