"""A stored backtest (docs/adr/0011). Same app (label ``risk``) and table as before the split."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnership.models import Partnership
from schools.risk.models.runs import RuleSetVersion


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
