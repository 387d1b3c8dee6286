"""Celery tasks of the risk app: thin, take ids, call ``schools.risk.services``."""

from __future__ import annotations

from typing import cast

from celery import shared_task
from celery.signals import worker_ready

from partnership.jobs import JobTaskPolicy, job_task_run, requeue_on_worker_start
from schools.risk.categorisation.notices import publication_notices_requeue, publication_notices_send
from schools.risk.models import RiskRun
from schools.risk.services import (
    RiskRunLocked,
    risk_run_execute,
    risk_run_fail,
    risk_runs_requeue_waiting,
    risk_runs_schedule,
)

LOCK_RETRY_SECONDS = 15
LOCK_MAX_RETRIES = 240  # an hour of waiting behind another run of the same partnership

POLICY = JobTaskPolicy(
    noun="risk run",
    execute=lambda run: risk_run_execute(run=cast(RiskRun, run)),
    fail=lambda run, message: risk_run_fail(run=cast(RiskRun, run), message=message),
    locked=RiskRunLocked,
    lock_retry_seconds=LOCK_RETRY_SECONDS,
    lock_max_retries=LOCK_MAX_RETRIES,
    busy_message="Another risk run for this partnership kept running: recompute again later",
    database_message="The database was unavailable, so no categories changed: recompute again",
    too_long_message="The run took too long and was stopped, so no categories changed",
)


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
    return job_task_run(self, run, POLICY)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def risk_runs_requeue_task() -> int:
    """Send again runs left waiting by a broker outage or a dead worker (beat runs it every few minutes)."""
    return risk_runs_requeue_waiting()


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def risk_runs_schedule_task() -> int:
    """The scheduled recomputation: one run per partnership (beat, ``RISK_SCHEDULE_CRON``)."""
    return len(risk_runs_schedule())


@shared_task(acks_late=True, soft_time_limit=10 * 60, time_limit=11 * 60)
def publication_notices_task(round_id: int) -> dict[str, int]:
    """Email the heads and chairs of a published round who have not been told yet."""
    return publication_notices_send(round_id=round_id)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def publication_notices_requeue_task() -> int:
    """Queue the sending of notices still waiting (broker outage, mail server down, a refused address)."""
    return publication_notices_requeue()


@worker_ready.connect
def _requeue_waiting_runs(**kwargs) -> None:
    """A worker that starts picks up runs queued, and emails left waiting, while no broker or worker was there."""
    requeue_on_worker_start(risk_runs_requeue_waiting, "risk run")
    requeue_on_worker_start(publication_notices_requeue, "publication email")
