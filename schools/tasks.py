"""Celery tasks of the register: thin, take ids, call the services in ``schools.importers`` (which runs GIAS and
performance imports alike: ``schools.performance``)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.db import DatabaseError, OperationalError

from schools.importers.service import ImportLocked, import_job_fail, import_job_run, import_jobs_requeue_waiting
from schools.models import ImportJob

logger = logging.getLogger(__name__)

LOCK_RETRY_SECONDS = 30
LOCK_MAX_RETRIES = 120  # an hour of waiting behind another import of the same partnership
TRANSIENT_MAX_RETRIES = 3


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
    """The body of the import tasks: skip finished jobs, retry behind the lock or on transient errors."""
    job = ImportJob.objects.select_related("partnership").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return "skipped"
    try:
        import_job_run(job=job)
    except ImportLocked as locked:
        if task.request.retries >= LOCK_MAX_RETRIES:
            _fail(job, "Another import for this partnership kept running: upload the file again later")
            return "failed"
        raise task.retry(exc=locked, countdown=LOCK_RETRY_SECONDS) from locked
    except OperationalError as error:  # transient: the database restarted or the connection dropped
        if task.request.retries >= TRANSIENT_MAX_RETRIES:
            _fail(job, "The database was unavailable, so nothing was imported: upload the file again")
            raise
        raise task.retry(exc=error, countdown=10 * 2**task.request.retries, max_retries=None) from error
    except SoftTimeLimitExceeded:
        _fail(job, "The import took too long and was stopped, so nothing was imported")
        return "failed"
    except Exception:
        _fail(job, "The import failed unexpectedly, so nothing was imported")
        raise
    return job.state


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def import_jobs_requeue_task() -> int:
    """Queue again jobs left waiting by a broker outage (schedule it with beat, e.g. every 5 minutes)."""
    return import_jobs_requeue_waiting()


def _fail(job: ImportJob, message: str) -> None:
    try:
        import_job_fail(job=job, message=message)
    except DatabaseError:
        logger.exception("Could not mark import job %s failed", job.pk)


@worker_ready.connect
def _requeue_waiting_jobs(**kwargs) -> None:
    """A worker that starts picks up jobs queued while no broker or worker was there."""
    try:
        count = import_jobs_requeue_waiting()
    except Exception:  # never stop a worker from starting
        logger.warning("Could not requeue waiting import jobs", exc_info=True)
        return
    if count:
        logger.info("Requeued %s waiting import jobs", count)
