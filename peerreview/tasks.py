"""Celery tasks of peer review: thin, call the reminders service."""

from __future__ import annotations

from celery import shared_task

from peerreview.reminders import review_reminders_send


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def review_reminders_task() -> int:
    """The daily reminders (beat, ``PEER_REVIEW_REMINDERS_CRON``): milestones, overdue actions, reports waiting."""
    return review_reminders_send()
