"""End to end: an upload is imported by a real Celery worker process reading the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from schools.importers import import_job_create
from schools.models import ImportJob, School
from tests.factories import PartnershipFactory
from tests.paths import GIAS_2021

ROOT = Path(__file__).resolve().parent.parent.parent
DEADLINE_SECONDS = 60


def _test_database_url() -> str:
    """settings.DATABASE_URL pointed at the database pytest created."""
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def worker(tmp_path):
    """A real ``celery worker`` on the test queue, reading the test database; always stopped afterwards."""
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PARTNERSHIP_TESTING": "1",
    }
    log = (tmp_path / "worker.log").open("w")
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "partnership",
        "worker",
        "-l",
        "warning",
        "-P",
        "solo",
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_an_upload(worker, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    surrey = PartnershipFactory(slug="surrey-worker", la_codes=["936"])
    upload = SimpleUploadedFile(GIAS_2021.name, GIAS_2021.read_bytes(), content_type="text/csv")
    job = import_job_create(partnership=surrey, uploaded_file=upload, created_by=None)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        time.sleep(0.25)
    assert job.state == ImportJob.State.SUCCEEDED, (job.state, job.message, (tmp_path / "worker.log").read_text())
    assert job.counts["created"] == 590 and job.progress == 100
    assert School.objects.filter(partnership=surrey).count() == 590
