"""Emails for each hand-over, recorded as rows and sent by a Celery job (retried, never lost)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from partnership.models import Partnership


class Notification(models.Model):
    """One email to one person about one hand-over; ``key`` makes writing it twice a no-op."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    email = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["key", "email"], name="one_notification_per_key")]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.subject} to {self.email}"
