"""Celery tasks of the brokerage app: thin, take ids, call ``brokerage.services``."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

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


@worker_ready.connect
def _send_waiting_notifications(**kwargs) -> None:
    """A worker that starts sends the emails left waiting: queued while no broker or worker was there, or being sent
    by a worker that died (its row lock went with it, so the row is waiting again)."""
    from partnership.jobs import requeue_on_worker_start

    requeue_on_worker_start(
        lambda: int(bool(notifications_requeue_task.apply_async(retry=False))), "hand-over email job"
    )
