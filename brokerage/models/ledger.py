"""The reciprocity ledger: support days given and received, written only by the application."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from partnership.models import Partnership


class LedgerEntry(models.Model):
    """Days one school gave another, from a recorded visit or a peer-review team day (``source_key`` unique).

    Never typed: ``ledger_record_visit`` and ``ledger_record_peer_review_days`` are the only writers.
    """

    class Source(models.TextChoices):
        VISIT = "visit", "Support visit"
        PEER_REVIEW = "peer_review", "Peer-review team day"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    giver = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The giving school (none for the LA's own advisers and associates).",
    )
    receiver = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    days = models.DecimalField(max_digits=5, decimal_places=2)
    source = models.CharField(max_length=12, choices=Source.choices)
    source_key = models.CharField(max_length=80)
    on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "pk"]
        indexes = [models.Index(fields=["partnership", "year"])]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "source_key"], name="one_ledger_entry_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.days} days {self.giver} → {self.receiver}"
