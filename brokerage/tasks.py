"""Celery tasks of the brokerage app: thin, take ids, call ``brokerage.services``."""

from __future__ import annotations

from celery import shared_task

from brokerage.services import notifications_send


@shared_task(bind=True, acks_late=True, soft_time_limit=120, time_limit=150, max_retries=5, default_retry_delay=300)
def notifications_send_task(self, key: str | None = None) -> dict[str, int]:
    """Send the waiting hand-over emails of ``key`` (or all); a failure is retried in 5 minutes, 5 times."""
    counts = notifications_send(key=key)
    if counts["failed"]:
        raise self.retry()
    return counts


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def notifications_requeue_task() -> dict[str, int]:
    """Beat: send every notification still waiting (the broker was down, or retries ran out)."""
    return notifications_send(key=None)
