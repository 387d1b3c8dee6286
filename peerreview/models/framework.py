"""Review frameworks: versioned themes → questions, with an optional estimate scale."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from partnership.models import Partnership, TrackedModel


class Framework(TrackedModel):
    """A versioned review framework. ``partnership`` empty = shipped with the product for every partnership."""

    class Kind(models.TextChoices):
        GENERAL = "general", "School-improvement review (with estimates)"
        ENQUIRY = "enquiry", "Non-judgemental enquiry (no estimates)"

    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="review_frameworks"
    )
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    version = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.TextField(blank=True)
    estimate_scale = ArrayField(
        models.CharField(max_length=60), default=list, blank=True, help_text="Best first; empty = no estimates."
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug", "version"], name="unique_framework_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class FrameworkTheme(models.Model):
    """A theme (heading) of a framework, in order."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="themes")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "order"], name="unique_theme_order")]

    def __str__(self) -> str:
        return self.title


class FrameworkQuestion(models.Model):
    """An example question ("To what extent…") under a theme; the team selects and adapts them."""

    theme = models.ForeignKey(FrameworkTheme, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=400)

    class Meta:
        ordering = ["theme", "order"]

    def __str__(self) -> str:
        return self.text
