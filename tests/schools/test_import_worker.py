"""End to end: an upload is imported by a real Celery worker process reading the test database."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from schools.importers import import_job_create
from schools.models import ImportJob, School
from tests.factories import PartnershipFactory
from tests.paths import GIAS_2021

DEADLINE_SECONDS = 60


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
        assert worker.poll() is None, worker.log_path.read_text()
        time.sleep(0.25)
    assert job.state == ImportJob.State.SUCCEEDED, (job.state, job.message, worker.log_path.read_text())
    assert job.counts["created"] == 590 and job.progress == 100
    assert School.objects.filter(partnership=surrey).count() == 590
