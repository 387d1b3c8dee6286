"""Celery tasks of the board: thin, take ids, call ``partnership.board.services``."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from partnership.board.models import KpiRefresh, MeetingPack
from partnership.board.services import (
    board_jobs_requeue_waiting,
    kpi_refresh_fail,
    kpi_refresh_run,
    meeting_pack_build,
    meeting_pack_fail,
)
from partnership.jobs import JobTaskPolicy, job_task_run, requeue_on_worker_start


class _NeverLocked(Exception):
    """Board jobs take no partnership lock (a refresh and a pack only read, then write their own rows)."""


def _policy(noun: str, execute, fail) -> JobTaskPolicy:
    return JobTaskPolicy(
        noun=noun,
        execute=execute,
        fail=fail,
        locked=_NeverLocked,
        lock_retry_seconds=10,
        lock_max_retries=0,
        busy_message="",
        database_message=f"The database was unavailable, so the {noun} did not finish: try again",
        too_long_message=f"The {noun} took too long and was stopped: try again",
    )


REFRESH = _policy(
    "KPI refresh", lambda job: kpi_refresh_run(job=job), lambda job, m: kpi_refresh_fail(job=job, message=m)
)
PACK = _policy("meeting pack", lambda p: meeting_pack_build(pack=p), lambda p, m: meeting_pack_fail(pack=p, message=m))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=10 * 60, time_limit=12 * 60)
def kpi_refresh_task(self, job_id: int) -> str:
    """Run KpiRefresh ``job_id`` (a finished or missing one is skipped)."""
    return job_task_run(self, KpiRefresh.objects.select_related("partnership").filter(pk=job_id).first(), REFRESH)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=10 * 60, time_limit=12 * 60)
def meeting_pack_task(self, pack_id: int) -> str:
    """Build MeetingPack ``pack_id`` (a finished or missing one is skipped)."""
    return job_task_run(self, MeetingPack.objects.select_related("meeting").filter(pk=pack_id).first(), PACK)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def board_jobs_requeue_task() -> int:
    """Beat: send again refreshes and packs left waiting by a broker outage or RUNNING by a dead worker."""
    return board_jobs_requeue_waiting()


@worker_ready.connect
def _requeue_waiting_board_jobs(**kwargs) -> None:
    """A worker that starts picks up refreshes and packs queued while no broker or worker was there."""
    requeue_on_worker_start(board_jobs_requeue_waiting, "board job")
