"""The GIAS import services: the import itself, and the ImportJob that runs it on a worker.

``gias_import`` is the one import path (the ``import_gias`` command and the Celery task both call it). It reads
and checks the whole file first, then writes everything in ONE transaction, so a rejected file or a failure
part-way leaves the database exactly as it was.

Progress: ``on_progress`` is only called outside that transaction (before it opens and after it commits), so a
caller that saves progress on the job row commits it at once and the page polling the job sees it; the write
transaction itself never touches the job row, so the two cannot block each other.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from partnership.celery import task_named
from partnership.jobs import job_progress, job_transition, jobs_requeue
from partnership.models import Partnership, User
from schools.choices import choices_changed
from schools.importers import checking, links, networks, register
from schools.importers.columns import KIND_LINKS, missing_headings, sniff_kind
from schools.importers.db import partnership_import_lock
from schools.importers.errors import ImportRejected, RowError
from schools.importers.reading import CsvSource, csv_open
from schools.models import ImportJob
from schools.performance import signals

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, str], None]
WAITING_MESSAGE = "Waiting for a worker: the job will start when the worker is available"
NOT_GIAS_MESSAGE = "The selected file is not a GIAS establishments or links file"
# The tasks module imports this one, so the tasks are looked up by name in Celery's registry, never imported here.
GIAS_IMPORT_TASK = "schools.tasks.gias_import_task"
PERFORMANCE_IMPORT_TASK = "schools.tasks.performance_import_task"
GIAS_KINDS: tuple[str, ...] = (ImportJob.Kind.GIAS, ImportJob.Kind.GIAS_LINKS)
_HEADER_SNIFF_BYTES = 64 * 1024


@dataclass
class ImportResult:
    """What an import did (``counts``) or why it did nothing (``errors``, of which ``error_count`` in all)."""

    kind: str
    counts: dict[str, Any] = field(default_factory=dict)  # numbers, and a few words ("year": "2018-2019")
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    headline: str = ""  # a sentence for people, used instead of listing every count

    @property
    def ok(self) -> bool:
        return not self.error_count

    def summary(self) -> str:
        """One line for people: what changed, or that nothing did."""
        if not self.ok:
            return ImportRejected(self.errors, self.error_count).summary().splitlines()[0]
        if self.headline:
            return self.headline
        return ", ".join(
            f"{key.replace('_', ' ')} {value:,}" if isinstance(value, int) else f"{key.replace('_', ' ')} {value}"
            for key, value in self.counts.items()
        )


class ImportLocked(Exception):  # noqa: N818 - reads as "the import is locked"
    """Another import for the same partnership is running."""


def gias_import(
    *,
    partnership: Partnership,
    path: Path | str,
    job: ImportJob | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import a GIAS establishments or links file into ``partnership``; a rejected file writes nothing."""
    report = on_progress or (lambda percent, message: None)
    report(5, "Reading the file")
    kind = job.kind if job else ""
    try:
        source = csv_open(Path(path), max_bytes=settings.IMPORT_MAX_BYTES)
        kind = sniff_kind(source.header) or ""
        if not kind:
            raise ImportRejected([RowError(1, "", NOT_GIAS_MESSAGE.replace("selected ", ""))])
        if kind == KIND_LINKS:
            result = _links_import(partnership, source, report)
        else:
            result = _schools_import(partnership, source, job, report)
    except ImportRejected as rejected:
        return ImportResult(kind=kind, errors=rejected.errors, error_count=rejected.total)
    report(100, "Finished")
    return result


def _schools_import(partnership: Partnership, source: CsvSource, job: ImportJob | None, report) -> ImportResult:
    headings = checking.school_headings(source.header)
    table = source.table(columns=list(headings.values()), max_rows=settings.IMPORT_MAX_ROWS)
    report(25, f"Checking {len(table.frame):,} rows")
    rows = checking.school_rows_check(
        table=table, headings=headings, la_codes=list(partnership.la_codes), today=timezone.localdate()
    )
    report(50, f"Writing {len(rows.frame):,} schools to the register")
    now = timezone.now()
    with transaction.atomic():
        # The networks are read before the schools are written, and planned while PostgreSQL stores the schools.
        stored = networks.gias_networks_read(partnership=partnership, fields=rows.fields)
        planned: list[networks.NetworkPlan | None] = []

        def plan_networks(current: pd.DataFrame) -> None:
            planned.append(networks.gias_networks_plan(stored=stored, current=current, now=now))

        counts, current = register.school_rows_apply(
            partnership=partnership, rows=rows, job=job, now=now, meanwhile=plan_networks
        )
        counts |= networks.gias_networks_write(partnership=partnership, plan=planned[0], now=now)
        choices_changed(partnership_id=partnership.pk)  # the filter forms' lists (written by COPY: no signals)
        touched = [int(i) for i in current.loc[current["touched"], "school_id"]]
        # a new head, a closure or a conversion changes the risk picture: recompute the schools this file touched
        transaction.on_commit(lambda: signals.register_imported(partnership=partnership, school_ids=touched))
    return ImportResult(kind=ImportJob.Kind.GIAS, counts=counts)


def _links_import(partnership: Partnership, source: CsvSource, report) -> ImportResult:
    headings = checking.link_headings(source.header)
    table = source.table(columns=list(headings.values()), max_rows=settings.IMPORT_MAX_ROWS)
    report(25, f"Checking {len(table.frame):,} links")
    with transaction.atomic():
        urns = links.partnership_urns(partnership=partnership)
        rows = checking.link_rows_check(table=table, headings=headings, partnership_urns=urns)
        counts = links.link_rows_apply(partnership=partnership, rows=rows)
    return ImportResult(kind=ImportJob.Kind.GIAS_LINKS, counts=counts)


# --- Jobs ------------------------------------------------------------------------------------------


@transaction.atomic
def import_job_create(
    *,
    partnership: Partnership,
    uploaded_file: UploadedFile,
    created_by: User | None,
    kind: str = "",
    year: int | None = None,
    allow_no_match: bool = False,
) -> ImportJob:
    """Store an upload, record a queued ImportJob and queue its task once committed; never fails on the broker.

    ``kind`` "" (or ``gias``) takes a GIAS establishments or links file, recognised from its headings; a performance
    kind (``ks2``, ``ks4``, ``absence``, ``census``, ``ofsted``) takes that kind of file only, for academic ``year``
    (its ending year; not needed for Ofsted). ``allow_no_match``: the officer confirmed importing a performance
    file even if no row in it is for the partnership (after a refusal, #14.8).
    """
    _check_upload_size(uploaded_file)
    if kind and kind not in GIAS_KINDS and kind != ImportJob.Kind.OFSTED and year is None:
        raise ValidationError("Select the academic year the file is for")
    stored = _store_upload(partnership, uploaded_file)
    try:
        kind = upload_kind(stored, kind=kind)
    except ValidationError:
        stored.unlink(missing_ok=True)
        raise
    job = ImportJob.objects.create(
        partnership=partnership,
        kind=kind,
        original_filename=Path(uploaded_file.name or "upload.csv").name[:255],
        stored_path=str(stored),
        created_by=created_by,
        task_id=str(uuid.uuid4()),
        state=ImportJob.State.QUEUED,
    )
    if kind not in GIAS_KINDS:
        from schools.models import PerformanceUpload

        PerformanceUpload.objects.create(job=job, year=year, allow_no_match=allow_no_match)
    transaction.on_commit(lambda: import_job_enqueue(job=job))
    return job


def _check_upload_size(uploaded_file: UploadedFile) -> None:
    size = uploaded_file.size or 0
    if size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(_size_message())
    if size == 0:
        raise ValidationError("The selected file is empty")


STORAGE_FAILED_MESSAGE = (
    "The file could not be saved because the server's upload storage is full or cannot be written to. "
    "Nothing was imported: try again later, or tell your administrator"
)


def _store_upload(partnership: Partnership, uploaded_file: UploadedFile) -> Path:
    folder = Path(settings.UPLOAD_DIR) / partnership.slug
    path = folder / f"{uuid.uuid4()}.csv"
    written = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for chunk in uploaded_file.chunks():
                written += len(chunk)
                if written > settings.IMPORT_MAX_BYTES:
                    break
                out.write(chunk)
    except OSError:  # a full disk, a read-only or missing volume: the officer is told, nothing half-written stays
        logger.exception("upload for %s could not be stored in %s", partnership.slug, folder)
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        raise ValidationError(STORAGE_FAILED_MESSAGE) from None
    if written > settings.IMPORT_MAX_BYTES or written == 0:
        path.unlink(missing_ok=True)
        raise ValidationError(_size_message() if written else "The selected file is empty")
    return path


def _size_message() -> str:
    return f"The selected file must be smaller than {size_text(settings.IMPORT_MAX_BYTES)}"


def size_text(size: int) -> str:
    """A byte count as people write it: 100MB, 512KB."""
    return f"{size // 2**20}MB" if size >= 2**20 else f"{max(size // 1024, 1)}KB"


def upload_kind(path: Path, *, kind: str = "") -> str:
    """The ImportJob kind of a stored file from its heading row; ValidationError if it is not that kind of file.

    With no ``kind`` (or ``gias``) the file must be a GIAS establishments or links file; with a performance kind it
    must be that kind of file.
    """
    with path.open("rb") as handle:
        head = handle.read(_HEADER_SNIFF_BYTES)
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = line.decode("cp1252", errors="replace")
    header = [h.strip() for h in next(csv.reader(io.StringIO(text)), [])]
    if kind and kind not in GIAS_KINDS:
        return _performance_upload_kind(header, kind)
    found = sniff_kind(header)
    if found is None:
        raise ValidationError(NOT_GIAS_MESSAGE)
    missing = missing_headings(found, header)
    if missing:
        raise ValidationError(f"The selected file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}")
    return found


def _performance_upload_kind(header: list[str], kind: str) -> str:
    from schools.performance.layouts import PERFORMANCE_KINDS
    from schools.performance.reading import kind_check

    if kind not in PERFORMANCE_KINDS:
        raise ValidationError("Select the kind of file")
    try:
        kind_check(header=header, kind=kind)
    except ImportRejected as rejected:
        message = rejected.errors[0].message if rejected.errors else "The file could not be read"
        raise ValidationError(message.replace("The file ", "The selected file ", 1)) from rejected
    return kind


def import_job_enqueue(*, job: ImportJob) -> bool:
    """Send the job's task to the broker; if the broker is unreachable, say so on the job and return False."""
    task = task_named(GIAS_IMPORT_TASK if job.kind in GIAS_KINDS else PERFORMANCE_IMPORT_TASK)
    try:
        task.apply_async(args=[job.pk], task_id=job.task_id or None, retry=False)
    except Exception:  # the broker (Redis) is down or unreachable: the page must still work
        logger.warning("Could not queue import job %s: broker unreachable", job.pk, exc_info=True)
        ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.QUEUED).update(message=WAITING_MESSAGE)
        return False
    return True


def import_jobs_requeue_waiting() -> int:
    """Queue again every job still waiting (after a broker outage) or left RUNNING by a worker that died (its
    partnership's import lock is free): the shared recovery of ``partnership.jobs.jobs_requeue``."""
    return jobs_requeue(model=ImportJob, enqueue=import_job_enqueue, lock=partnership_import_lock)


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Run a queued (or interrupted) job under the partnership's import lock; raise ImportLocked if it is busy."""
    with partnership_import_lock(job.partnership_id) as acquired:
        if not acquired:
            raise ImportLocked(f"Another import for partnership {job.partnership_id} is running")
        job.refresh_from_db()
        if job.is_finished or not import_job_transition(job=job, state=ImportJob.State.RUNNING):
            return job
        result = _job_import(
            job, lambda percent, message: import_job_progress(job=job, percent=percent, message=message)
        )
        import_job_finish(job=job, result=result)
    return job


def _job_import(job: ImportJob, report: ProgressCallback) -> ImportResult:
    """Run the import the job's kind calls for."""
    if job.kind in GIAS_KINDS:
        return gias_import(partnership=job.partnership, path=job.stored_path, job=job, on_progress=report)
    from schools.performance.service import performance_job_import

    return performance_job_import(job=job, on_progress=report)


def import_job_transition(*, job: ImportJob, state: str, **changes) -> bool:
    """Move ``job`` to ``state`` if its state allows it (compare-and-set on the row); True when it moved.

    A job that ends (succeeded or failed) no longer needs its upload: ``import_job_upload_delete`` deletes it.
    """
    return job_transition(job=job, state=state, **changes)


def import_job_upload_delete(*, job: ImportJob, **kwargs) -> None:
    """Delete an ended job's stored upload (connected to ``partnership.jobs.job_finished`` for ImportJob, so it
    happens however the job ended: imported, refused, too long, or failed at a start cap)."""
    if job.stored_path:
        Path(job.stored_path).unlink(missing_ok=True)


def import_job_progress(*, job: ImportJob, percent: int, message: str) -> None:
    """Save a running job's progress (committed at once)."""
    job_progress(job=job, percent=percent, message=message)


def import_job_finish(*, job: ImportJob, result: ImportResult) -> None:
    """Record the outcome: counts on success; errors (and nothing imported) on a rejected file."""
    if result.ok:
        import_job_transition(
            job=job,
            state=ImportJob.State.SUCCEEDED,
            progress=100,
            counts=result.counts,
            errors=[],
            message=result.summary()[:500],
        )
    else:
        import_job_fail(job=job, message=result.summary(), errors=result.errors, error_count=result.error_count)


def import_job_fail(
    *, job: ImportJob, message: str, errors: list[RowError] | None = None, error_count: int | None = None
) -> None:
    """Mark the job failed with a message and row-level errors; the register was not changed."""
    errors = errors or []
    counts = {"errors": error_count if error_count is not None else len(errors)}
    import_job_transition(
        job=job,
        state=ImportJob.State.FAILED,
        message=message[:500],
        errors=[e.as_dict() for e in errors],
        counts=counts,
    )
