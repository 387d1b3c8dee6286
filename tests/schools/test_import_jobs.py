"""Uploads become ImportJobs run by the Celery task: queued, run once, recorded; the page never breaks on the broker."""

from __future__ import annotations

import re

import kombu.pools
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from partnership.celery import app as celery_app
from schools.importers import WAITING_MESSAGE, ImportLocked, import_job_create, import_job_run
from schools.importers.db import IMPORT_LOCK_NAMESPACE
from schools.importers.service import import_jobs_requeue_waiting
from schools.models import ImportJob, School, SchoolChange
from schools.tasks import gias_import_task
from tests.factories import UserFactory
from tests.paths import GIAS_2021, GIAS_2022, GIAS_LINKS, SHARED_DATA
from tests.schools.conftest import register_state

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def sent(monkeypatch) -> list[dict]:
    """Messages the task would have sent to the broker (nothing is sent)."""
    calls: list[dict] = []
    monkeypatch.setattr(gias_import_task, "apply_async", lambda **kwargs: calls.append(kwargs))
    return calls


def _upload(path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/csv")


def _create(partnership, path, **kwargs) -> ImportJob:
    return import_job_create(partnership=partnership, uploaded_file=_upload(path, **kwargs), created_by=None)


def test_upload_is_stored_and_its_task_queued_after_commit(surrey, settings, sent, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = import_job_create(partnership=surrey, uploaded_file=_upload(GIAS_2021), created_by=user)
        assert sent == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    assert sent == [{"args": [job.pk], "task_id": job.task_id, "retry": False}]
    assert job.state == ImportJob.State.QUEUED and job.kind == ImportJob.Kind.GIAS and job.created_by == user
    assert job.original_filename == GIAS_2021.name
    assert re.fullmatch(rf"{re.escape(str(settings.UPLOAD_DIR))}/surrey/[0-9a-f-]{{36}}\.csv", job.stored_path)
    with open(job.stored_path, "rb") as stored:
        assert stored.read() == GIAS_2021.read_bytes()


def test_links_file_is_recognised(surrey, sent):
    assert _create(surrey, GIAS_LINKS).kind == ImportJob.Kind.GIAS_LINKS


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The selected file is empty"),
        (b"URN,LAESTAB,RECTYPE\r\n1,2,3\r\n", "The selected file is not a GIAS establishments or links file"),
        (b"URN,EstablishmentName\r\n1,A\r\n", "The selected file has no LA (code), EstablishmentStatus (name)"),
    ],
)
def test_unusable_uploads_are_refused_with_a_message(surrey, settings, sent, content, message):
    with pytest.raises(ValidationError) as error:
        import_job_create(partnership=surrey, uploaded_file=SimpleUploadedFile("file.csv", content), created_by=None)
    assert error.value.messages[0].startswith(message)
    assert not ImportJob.objects.exists()
    folder = settings.UPLOAD_DIR / "surrey"
    assert not folder.exists() or not any(folder.iterdir())  # a refused upload is not kept


def test_oversized_upload_is_refused(surrey, settings, sent):
    settings.IMPORT_MAX_BYTES = 100 * 1024
    with pytest.raises(ValidationError, match="The selected file must be smaller than 100KB"):
        _create(surrey, GIAS_2021)
    assert not ImportJob.objects.exists()


def test_unreachable_broker_leaves_the_job_waiting(surrey, settings, django_capture_on_commit_callbacks):
    original = celery_app.conf.broker_url
    settings.CELERY_BROKER_URL = DEAD_BROKER
    celery_app.conf.broker_url = DEAD_BROKER
    _reset_broker_connections()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = _create(surrey, GIAS_2021)
    finally:
        celery_app.conf.broker_url = original
        _reset_broker_connections()
    job.refresh_from_db()
    assert job.state == ImportJob.State.QUEUED and job.message == WAITING_MESSAGE


def _reset_broker_connections() -> None:
    """Forget pooled broker connections, kombu's global pools too: force-closing the app's pool (kombu's global
    pool for the broker URL) left it registered and closed, so later publishes in this process failed with
    "Acquire on closed pool"."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_task_imports_the_file_and_records_the_outcome(surrey, sent):
    job = _create(surrey, GIAS_2021)
    assert gias_import_task(job.pk) == ImportJob.State.SUCCEEDED
    job.refresh_from_db()
    assert job.state == ImportJob.State.SUCCEEDED and job.progress == 100
    assert job.counts["created"] == 590 and job.counts["skipped_other_la"] == 0 and job.errors == []
    assert job.started_at and job.finished_at and "created 590" in job.message
    assert School.objects.filter(partnership=surrey).count() == 590
    second = _create(surrey, GIAS_2022)
    gias_import_task(second.pk)
    second.refresh_from_db()
    assert second.counts["changes_recorded"] > 0
    assert SchoolChange.objects.filter(import_job=second).count() == second.counts["changes_recorded"]


def test_a_finished_job_is_not_run_again(surrey, sent):
    job = _create(surrey, GIAS_2021)
    gias_import_task(job.pk)
    job.refresh_from_db()
    finished_at, before = job.finished_at, register_state(surrey)
    assert gias_import_task(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.finished_at == finished_at and register_state(surrey) == before


def test_a_rejected_file_fails_the_job_with_row_errors_and_changes_nothing(surrey, sent, tmp_path):
    gias_import_task(_create(surrey, GIAS_2021).pk)
    before = register_state(surrey)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(GIAS_2022.read_bytes().replace(b"\r\n124937,", b"\r\n12A45,", 1))
    job = _create(surrey, broken)
    assert gias_import_task(job.pk) == ImportJob.State.FAILED
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and job.counts == {"errors": 1}
    assert job.errors == [{"row": 5, "column": "URN", "message": "URN must be a whole number, like 100000"}]
    assert "1 problem found" in job.message
    assert register_state(surrey) == before


def test_a_job_whose_file_has_gone_fails_cleanly(surrey, sent):
    job = _create(surrey, GIAS_2021)
    ImportJob.objects.filter(pk=job.pk).update(stored_path=str(SHARED_DATA / "missing.csv"))
    gias_import_task(job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and "no longer available" in job.errors[0]["message"]


def test_only_one_import_runs_per_partnership(surrey, sent):
    job = _create(surrey, GIAS_2021)
    elsewhere = connections.create_connection("default")
    try:
        with elsewhere.cursor() as cursor:  # another worker holds the partnership's lock
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [IMPORT_LOCK_NAMESPACE, surrey.pk])
        with pytest.raises(ImportLocked):
            import_job_run(job=job)
        with pytest.raises(ImportLocked):  # called directly, Celery's retry re-raises the cause
            gias_import_task(job.pk)
        job.refresh_from_db()
        assert job.state == ImportJob.State.QUEUED and not School.objects.filter(partnership=surrey).exists()
    finally:
        elsewhere.close()
    gias_import_task(job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.SUCCEEDED


def test_waiting_jobs_are_queued_again(surrey, sent):
    waiting = _create(surrey, GIAS_2021)
    done = _create(surrey, GIAS_2022)
    ImportJob.objects.filter(pk=done.pk).update(state=ImportJob.State.SUCCEEDED)
    assert import_jobs_requeue_waiting() == 1
    assert sent[-1]["args"] == [waiting.pk]
