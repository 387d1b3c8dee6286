"""What every long job's Celery task does around its service (imports, risk runs): one place for the policy.

A task takes a job id and calls its service. Around that: a finished or missing job is skipped; a partnership
busy with another job of the kind is retried later (then the job fails with a message); a dropped database
connection is retried with back-off; a job that runs too long fails with a message. The job row always says
what happened, because the pages read it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, OperationalError
from django.dispatch import Signal
from django.utils import timezone

from partnership.models import Job, JobStart

logger = logging.getLogger(__name__)

TRANSIENT_MAX_RETRIES = 3
# A job started this many times without finishing (each start killed its worker: out of memory on a poison file,
# a segfault) is failed at its next start rather than left to kill workers and hold up the queue for ever.
JOB_MAX_STARTS = 5
POISON_MESSAGE = (
    f"This job was stopped: it was started {JOB_MAX_STARTS} times and each time the worker running it stopped "
    "before it finished. If it reads a file, the file may be too large or damaged: check it, then try again. "
    "If it happens again, tell the service's support team."
)

job_finished = Signal()
"""Sent (robustly: a receiver's error is logged, never raised) when a job moves to succeeded or failed, with
``job`` and ``state``; consumers (the board's KPIs) connect to it in their ``ready()``."""


@dataclass(frozen=True)
class JobTaskPolicy:
    """How one kind of job is run by its task, and what its failures say to the person who started it."""

    noun: str  # "import job", "risk run": for logs
    execute: Callable[[Job], object]  # the service: runs the job, raises ``locked`` when the partnership is busy
    fail: Callable[[Job, str], object]  # the service that marks the job failed with a message
    locked: type[Exception]
    lock_retry_seconds: int
    lock_max_retries: int
    busy_message: str
    database_message: str
    too_long_message: str
    unexpected_message: str | None = None  # None: the service records unexpected failures itself


def job_transition(*, job: Job, state: str, **changes) -> bool:
    """Move ``job`` to ``state`` if its state allows it (compare-and-set on the row); True when it moved.

    Works for any concrete ``Job``; stamps ``started_at`` on running and ``finished_at`` on an end state.
    """
    model = type(job)
    allowed_from = [old for old, targets in model.TRANSITIONS.items() if state in targets]
    now = timezone.now()
    if state == Job.State.RUNNING:
        if job_start_count(job=job) > JOB_MAX_STARTS:
            job_transition(job=job, state=Job.State.FAILED, message=POISON_MESSAGE)
            return False
        changes.setdefault("started_at", now)
        changes.setdefault("message", "Starting")
    elif state in (Job.State.SUCCEEDED, Job.State.FAILED):
        changes.setdefault("finished_at", now)
    moved = model._default_manager.filter(pk=job.pk, state__in=allowed_from).update(state=state, **changes)
    if moved:
        for name, value in {"state": state, **changes}.items():
            setattr(job, name, value)
        if state in (Job.State.SUCCEEDED, Job.State.FAILED):
            for _receiver, result in job_finished.send_robust(sender=model, job=job, state=state):
                if isinstance(result, Exception):
                    logger.warning("A job_finished receiver failed for %s %s: %r", model.__name__, job.pk, result)
    return bool(moved)


def job_start_count(*, job: Job) -> int:
    """Count one more start of ``job`` (committed at once, whatever happens to the job's own transaction); the
    number of starts so far, this one included. One table for every job kind (``partnership.JobStart``)."""
    from django.db.models import F

    label = job._meta.label_lower
    record, _ = JobStart.objects.get_or_create(job_model=label, job_id=job.pk)
    JobStart.objects.filter(pk=record.pk).update(starts=F("starts") + 1, last_started_at=timezone.now())
    return record.starts + 1


def jobs_requeue(
    *, model: type[Job], enqueue: Callable[..., bool], lock: Callable, lock_key: Callable[[Job], int] | None = None
) -> int:
    """Send again every job of ``model`` still waiting, and every one left RUNNING by a worker that died.

    A RUNNING job is orphaned when nobody holds its lock (``lock(lock_key(job))`` yields True when it could take
    it; the key is the job's partnership unless ``lock_key`` says otherwise, e.g. the job's own id): the worker
    that held it is gone. Safe to repeat: the task skips finished jobs, waits behind a job really running, and a
    job that keeps killing its worker is failed at its next start (``JOB_MAX_STARTS``). ``enqueue(job=...)`` sends
    one job's task and says whether the broker took it.
    """
    key = lock_key or (lambda job: job.partnership_id)
    waiting = list(model._default_manager.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING]))
    stale = [job for job in waiting if job.state == Job.State.QUEUED or _orphaned(key(job), lock)]
    return sum(bool(enqueue(job=job)) for job in stale)


def _orphaned(key: int, lock: Callable) -> bool:
    with lock(key) as acquired:
        return bool(acquired)


def job_progress(*, job: Job, percent: int, message: str) -> None:
    """Save a running job's progress (committed at once: callers are outside the job's write transaction)."""
    running = type(job)._default_manager.filter(pk=job.pk, state=Job.State.RUNNING)
    running.update(progress=percent, message=message[:500])
    job.progress, job.message = percent, message[:500]


def job_task_run(task, job: Job | None, policy: JobTaskPolicy) -> str:
    """Run ``job`` inside bound Celery ``task`` under ``policy``; the job's final state, or "skipped"/"failed"."""
    if job is None or job.is_finished:
        return "skipped"
    try:
        policy.execute(job)
    except policy.locked as locked:
        if task.request.retries >= policy.lock_max_retries:
            job_fail_quietly(job, policy.busy_message, policy)
            return "failed"
        raise task.retry(exc=locked, countdown=policy.lock_retry_seconds) from locked
    except OperationalError as error:  # transient: the database restarted or the connection dropped
        if task.request.retries >= TRANSIENT_MAX_RETRIES:
            job_fail_quietly(job, policy.database_message, policy)
            raise
        raise task.retry(exc=error, countdown=10 * 2**task.request.retries, max_retries=None) from error
    except SoftTimeLimitExceeded:
        job_fail_quietly(job, policy.too_long_message, policy)
        return "failed"
    except Exception:
        if policy.unexpected_message is not None:
            job_fail_quietly(job, policy.unexpected_message, policy)
        raise
    return job.state


def job_fail_quietly(job: Job, message: str, policy: JobTaskPolicy) -> None:
    """Mark ``job`` failed; if even that fails (the database is gone), log it rather than mask the first error."""
    try:
        policy.fail(job, message)
    except DatabaseError:
        logger.exception("Could not mark %s %s failed", policy.noun, job.pk)


def requeue_on_worker_start(requeue: Callable[[], int], noun: str) -> None:
    """Send again the jobs queued while no broker or worker was there; never stops a worker from starting."""
    try:
        count = requeue()
    except Exception:
        logger.warning("Could not requeue waiting %ss", noun, exc_info=True)
        return
    if count:
        logger.info("Requeued %s waiting %ss", count, noun)


# --- What admins see of every kind of job (the jobs page) ---------------------------------------------------

JOBS_WINDOW_DAYS = 7
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_KEY_VALUES = re.compile(r"(Key \([^)]*\)=)\([^)]*\)")  # PostgreSQL's "Key (email)=(someone@...)" detail


def job_error_redacted(text: str) -> str:
    """An error message fit for the jobs page: email addresses and the values PostgreSQL quotes are removed (an
    SMTP refusal names the recipient, a constraint error the row's values), and it is kept to one short line."""
    text = _KEY_VALUES.sub(r"\1(…)", _EMAIL.sub("[email address]", text or ""))
    return " ".join(text.split())[:300]


@dataclass(frozen=True)
class JobKindCounts:
    """One kind of job's numbers for a partnership: waiting and running now, failed in the window, the latest
    failure's (redacted) message and time."""

    queued: int
    running: int
    failed: int
    latest_error: str = ""
    latest_error_at: datetime | None = None


@dataclass(frozen=True)
class JobKind:
    """A kind of background job an app runs, as the jobs page shows it.

    ``counts(partnership_id=..., since=...)`` gives its ``JobKindCounts``; ``retry(partnership_id=..., user=...)``
    (None when the kind cannot be retried, ``no_retry`` says why) queues the failed ones again and says how many.
    """

    key: str
    label: str
    counts: Callable[..., JobKindCounts]
    retry: Callable[..., int] | None = None
    no_retry: str = ""

    @property
    def retryable(self) -> bool:
        """For templates, which would call ``retry`` rather than test it."""
        return self.retry is not None


_JOB_KINDS: dict[str, JobKind] = {}


def job_kind_register(kind: JobKind) -> None:
    """Apps add their kinds of job in ``ready()`` (the kernel imports no app)."""
    _JOB_KINDS[kind.key] = kind


def job_kinds() -> list[JobKind]:
    """Every registered kind, in registration order."""
    return list(_JOB_KINDS.values())


def job_kind(key: str) -> JobKind | None:
    return _JOB_KINDS.get(key)


def job_counts(
    queryset,
    *,
    since: datetime,
    queued: str | None = Job.State.QUEUED,
    running: str | None = Job.State.RUNNING,
    failed: str = Job.State.FAILED,
    failed_at: str = "finished_at",
    error: str = "message",
) -> JobKindCounts:
    """``JobKindCounts`` of a queryset of one partnership's jobs (or outgoing emails) in two queries: the waiting
    and running ones now, the failed ones since ``since`` (by ``failed_at``) and the latest failure's message."""
    from django.db.models import Count, Q

    failed_since = Q(state=failed, **{f"{failed_at}__gte": since})
    now = {
        name: Count("pk", filter=Q(state=state)) for name, state in (("queued", queued), ("running", running)) if state
    }
    numbers = {"queued": 0, "running": 0, **queryset.aggregate(failed=Count("pk", filter=failed_since), **now)}
    latest = queryset.filter(failed_since).order_by(f"-{failed_at}", "-pk").values(error, failed_at).first()
    return JobKindCounts(
        queued=numbers["queued"],
        running=numbers["running"],
        failed=numbers["failed"],
        latest_error=job_error_redacted(latest[error]) if latest else "",
        latest_error_at=latest[failed_at] if latest else None,
    )


@dataclass(frozen=True)
class JobKindRow:
    kind: JobKind
    counts: JobKindCounts


def jobs_overview(*, partnership_id: int) -> list[JobKindRow]:
    """Every kind of job's counts for the partnership over the last ``JOBS_WINDOW_DAYS`` days."""
    from datetime import timedelta

    since = timezone.now() - timedelta(days=JOBS_WINDOW_DAYS)
    return [JobKindRow(kind, kind.counts(partnership_id=partnership_id, since=since)) for kind in job_kinds()]


def jobs_retry(*, partnership_id: int, key: str, user) -> int:
    """Queue again the failed jobs of kind ``key`` for the partnership; how many. LookupError: no such kind, or
    one that cannot be retried."""
    kind = job_kind(key)
    if kind is None or kind.retry is None:
        raise LookupError(key)
    return kind.retry(partnership_id=partnership_id, user=user)
