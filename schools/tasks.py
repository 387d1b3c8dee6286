"""Celery tasks of the register: thin, take ids, call the services in ``schools.importers`` (which runs GIAS and
performance imports alike: ``schools.performance``)."""

from __future__ import annotations

from typing import cast

from celery import shared_task
from celery.signals import worker_ready

from partnership.jobs import JobTaskPolicy, job_task_run, requeue_on_worker_start
from schools.importers.service import ImportLocked, import_job_fail, import_job_run, import_jobs_requeue_waiting
from schools.models import ImportJob

LOCK_RETRY_SECONDS = 30
LOCK_MAX_RETRIES = 120  # an hour of waiting behind another import of the same partnership

POLICY = JobTaskPolicy(
    noun="import job",
    execute=lambda job: import_job_run(job=cast(ImportJob, job)),
    fail=lambda job, message: import_job_fail(job=cast(ImportJob, job), message=message),
    locked=ImportLocked,
    lock_retry_seconds=LOCK_RETRY_SECONDS,
    lock_max_retries=LOCK_MAX_RETRIES,
    busy_message="Another import for this partnership kept running: upload the file again later",
    database_message="The database was unavailable, so nothing was imported: upload the file again",
    too_long_message="The import took too long and was stopped, so nothing was imported",
    unexpected_message="The import failed unexpectedly, so nothing was imported",
)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
    max_retries=LOCK_MAX_RETRIES,
)
def gias_import_task(self, job_id: int) -> str:
    """Run GIAS ImportJob ``job_id``: a finished or missing job is skipped, a busy partnership retried later."""
    return _import_job_task_run(self, job_id)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
    max_retries=LOCK_MAX_RETRIES,
)
def performance_import_task(self, job_id: int) -> str:
    """Run a performance ImportJob (KS2, KS4, absence, census, Ofsted) ``job_id``, exactly as GIAS jobs run."""
    return _import_job_task_run(self, job_id)


def _import_job_task_run(task, job_id: int) -> str:
    """The body of the import tasks (see ``partnership.jobs``)."""
    return job_task_run(task, ImportJob.objects.select_related("partnership").filter(pk=job_id).first(), POLICY)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def import_jobs_requeue_task() -> int:
    """Queue again jobs left waiting by a broker outage (schedule it with beat, e.g. every 5 minutes)."""
    return import_jobs_requeue_waiting()


@worker_ready.connect
def _requeue_waiting_jobs(**kwargs) -> None:
    """A worker that starts picks up jobs queued while no broker or worker was there."""
    requeue_on_worker_start(import_jobs_requeue_waiting, "import job")
