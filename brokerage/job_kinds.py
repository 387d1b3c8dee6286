"""Brokerage's kind of background job on the admins' jobs page: the hand-over emails."""

from __future__ import annotations

import logging

from django.db import transaction

from brokerage.models import Notification
from partnership.jobs import JobKind, JobKindCounts, job_counts
from partnership.models import User

logger = logging.getLogger(__name__)


def _notifications(*, partnership_id: int, since) -> JobKindCounts:
    return job_counts(
        Notification.objects.filter(partnership_id=partnership_id),
        since=since,
        queued=Notification.State.WAITING,
        running=None,
        failed_at="created_at",
        error="last_error",
    )


def _retry(*, partnership_id: int, user: User | None) -> int:
    """Put the emails that could not be sent back in the queue, with their attempts counted afresh."""
    from brokerage.tasks import notifications_send_task

    with transaction.atomic():
        retried = Notification.objects.filter(partnership_id=partnership_id, state=Notification.State.FAILED).update(
            state=Notification.State.WAITING, attempts=0
        )
    if retried:
        try:
            notifications_send_task.apply_async(retry=False)
        except Exception:  # noqa: BLE001 - the broker is down: beat's requeue sends them when it is back
            logger.warning("Could not queue the hand-over emails put back in the queue", exc_info=True)
    return retried


NOTIFICATIONS = JobKind(key="support-emails", label="Support hand-over emails", counts=_notifications, retry=_retry)
