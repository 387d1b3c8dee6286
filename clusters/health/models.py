"""Health-check frameworks (versioned: dimension → strand → level descriptor), checks and their ratings.

A framework with no partnership is one we ship (read-only; text and sources in ``frameworks_default.py``). An
admin copies one into the partnership and edits the copy. Each edit of a version a check already uses starts a
new version, so a check always keeps the exact text it was made with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partnership.models import Partnership, TrackedModel

DEFAULT_LEVELS = ["Beginning", "Developing", "Embedding", "Leading"]


class Framework(TrackedModel):
    """A health-check framework: shipped (no partnership) or a partnership's own copy."""

    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="health_frameworks"
    )
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.TextField(help_text="Where the descriptor text comes from (documents, seeds, adaptations).")
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="unique_health_framework_slug"),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(partnership__isnull=True), name="unique_shipped_framework_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shipped(self) -> bool:
        return self.partnership_id is None


class FrameworkVersion(TrackedModel):
    """One version of a framework: its ordinal scale and (through dimensions) strands and descriptors."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    levels = models.JSONField(default=list, help_text="The ordinal scale, lowest first.")
    note = models.CharField(max_length=300, blank=True, help_text="What changed in this version.")

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="health_unique_framework_version")]

    def __str__(self) -> str:
        return f"{self.framework} v{self.number}"


class Dimension(models.Model):
    """A dimension of a framework version (for example "Quality of support")."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="dimensions")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="health_unique_dimension_order")]

    def __str__(self) -> str:
        return self.name


class Strand(models.Model):
    """A strand: the unit that is rated, with one descriptor per level."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="strands")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["dimension__order", "order"]
        constraints = [models.UniqueConstraint(fields=["dimension", "order"], name="health_unique_strand_order")]

    def __str__(self) -> str:
        return self.name


class LevelDescriptor(models.Model):
    """What a strand looks like at one level of the scale (``level`` indexes the version's ``levels``)."""

    strand = models.ForeignKey(Strand, on_delete=models.CASCADE, related_name="descriptors")
    level = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["strand", "level"]
        constraints = [models.UniqueConstraint(fields=["strand", "level"], name="health_unique_level_descriptor")]

    def __str__(self) -> str:
        return f"{self.strand} level {self.level}"


class HealthCheck(TrackedModel):
    """One cluster's check in one term, made with one framework version, moved only by ``health_check_transition``."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        RATING = "rating", "Individual ratings open"
        CONSENSUS = "consensus", "Consensus agreed"
        MODERATED = "moderated", "Moderated"
        PUBLISHED = "published", "Published"
        ACTIONS = "actions", "Actions tracked"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="health_checks")
    cluster = models.ForeignKey("clusters.Cluster", on_delete=models.CASCADE, related_name="health_checks")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.RESTRICT, related_name="checks")
    term = models.CharField(max_length=60, help_text="For example “Summer 2026”.")
    held_on = models.DateField(help_text="The date of the cluster meeting that agrees the consensus.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    show_names = models.BooleanField(
        default=False, help_text="The cluster chose to show who gave each individual rating at the consensus."
    )
    indicators = models.JSONField(null=True, blank=True, help_text="Computed indicators, frozen at consensus.")
    indicators_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["partnership", "state"]), models.Index(fields=["cluster", "held_on"])]

    def __str__(self) -> str:
        return f"{self.cluster} {self.term}"


class HealthCheckEvent(models.Model):
    """A dated, attributed move of a check from one state to another."""

    check_obj = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="events", db_column="check_id")
    from_state = models.CharField(max_length=10, choices=HealthCheck.State.choices)
    to_state = models.CharField(max_length=10, choices=HealthCheck.State.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.check_obj_id}: {self.from_state} → {self.to_state}"


class IndividualRating(models.Model):
    """A member school's head's rating of one strand, with evidence; dated and attributed (latest change)."""

    check_obj = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="ratings", db_column="check_id")
    strand = models.ForeignKey(Strand, on_delete=models.RESTRICT, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    evidence = models.TextField()
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rated_at = models.DateTimeField()

    class Meta:
        ordering = ["strand__dimension__order", "strand__order", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_obj", "strand", "school"], name="health_one_rating_per_school_strand"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} rates {self.strand_id}: {self.level}"


class ConsensusRating(models.Model):
    """The cluster meeting's agreed level for a strand, with evidence, next step, owner and date; and the
    alliance's moderation of it (confirmed or challenged, with a note)."""

    class Moderation(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CHALLENGED = "challenged", "Challenged"

    check_obj = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="consensus", db_column="check_id")
    strand = models.ForeignKey(Strand, on_delete=models.RESTRICT, related_name="+")
    level = models.PositiveSmallIntegerField()
    evidence = models.TextField()
    next_step = models.TextField()
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    agreed_at = models.DateTimeField()
    moderation = models.CharField(max_length=10, choices=Moderation.choices, blank=True)
    moderation_note = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["strand__dimension__order", "strand__order"]
        constraints = [models.UniqueConstraint(fields=["check_obj", "strand"], name="health_one_consensus_per_strand")]

    def __str__(self) -> str:
        return f"{self.check_obj_id} consensus on {self.strand_id}: {self.level}"


class ClusterAction(TrackedModel):
    """A cluster action (from a consensus next step, or added), tracked to completion."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    check_obj = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="actions", db_column="check_id")
    strand = models.ForeignKey(Strand, null=True, blank=True, on_delete=models.RESTRICT, related_name="+")
    title = models.TextField()
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title[:60]


class ClusterMeeting(TrackedModel):
    """A cluster meeting and which member schools attended (the engagement indicator)."""

    cluster = models.ForeignKey("clusters.Cluster", on_delete=models.CASCADE, related_name="health_meetings")
    held_on = models.DateField()
    title = models.CharField(max_length=200)
    attended = models.ManyToManyField("schools.School", blank=True, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"
