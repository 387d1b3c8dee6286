"""Celery tasks of the risk app: thin, take ids, call ``schools.risk.services``."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.db import DatabaseError, OperationalError

from schools.risk.models import RiskRun
from schools.risk.services import (
    RiskRunLocked,
    risk_run_execute,
    risk_run_fail,
    risk_runs_requeue_waiting,
    risk_runs_schedule,
)

logger = logging.getLogger(__name__)

LOCK_RETRY_SECONDS = 15
LOCK_MAX_RETRIES = 240  # an hour of waiting behind another run of the same partnership
TRANSIENT_MAX_RETRIES = 3


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
    max_retries=LOCK_MAX_RETRIES,
)
def risk_run_task(self, run_id: int) -> str:
    """Run RiskRun ``run_id``: a finished or missing run is skipped, a busy partnership retried later."""
    run = RiskRun.objects.select_related("partnership", "ruleset_version").filter(pk=run_id).first()
    if run is None or run.is_finished:
        return "skipped"
    try:
        risk_run_execute(run=run)
    except RiskRunLocked as locked:
        if self.request.retries >= LOCK_MAX_RETRIES:
            _fail(run, "Another risk run for this partnership kept running: recompute again later")
            return "failed"
        raise self.retry(exc=locked, countdown=LOCK_RETRY_SECONDS) from locked
    except OperationalError as error:  # transient: the database restarted or the connection dropped
        if self.request.retries >= TRANSIENT_MAX_RETRIES:
            _fail(run, "The database was unavailable, so no categories changed: recompute again")
            raise
        raise self.retry(exc=error, countdown=10 * 2**self.request.retries, max_retries=None) from error
    except SoftTimeLimitExceeded:
        _fail(run, "The run took too long and was stopped, so no categories changed")
        return "failed"
    return run.state


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def risk_runs_requeue_task() -> int:
    """Send again runs left waiting by a broker outage or a dead worker (beat runs it every few minutes)."""
    return risk_runs_requeue_waiting()


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def risk_runs_schedule_task() -> int:
    """The scheduled recomputation: one run per partnership (beat, ``RISK_SCHEDULE_CRON``)."""
    return len(risk_runs_schedule())


def _fail(run: RiskRun, message: str) -> None:
    try:
        risk_run_fail(run=run, message=message)
    except DatabaseError:
        logger.exception("Could not mark risk run %s failed", run.pk)


@worker_ready.connect
def _requeue_waiting_runs(**kwargs) -> None:
    """A worker that starts picks up runs queued while no broker or worker was there."""
    try:
        count = risk_runs_requeue_waiting()
    except Exception:  # never stop a worker from starting
        logger.warning("Could not requeue waiting risk runs", exc_info=True)
        return
    if count:
        logger.info("Requeued %s waiting risk runs", count)
