"""End to end: a performance upload is imported by a real Celery worker process reading the test database."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from schools.importers import import_job_create
from schools.models import ImportJob, PerformanceValue
from tests.factories import PartnershipFactory
from tests.paths import KS4_2019
from tests.schools.test_import_worker import DEADLINE_SECONDS


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_ks4_upload(worker, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    surrey = PartnershipFactory(slug="surrey-performance-worker", la_codes=["936"])
    upload = SimpleUploadedFile(KS4_2019.name, KS4_2019.read_bytes(), content_type="text/csv")
    job = import_job_create(partnership=surrey, uploaded_file=upload, created_by=None, kind="ks4", year=2019)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        assert worker.poll() is None, worker.log_path.read_text()
        time.sleep(0.25)
    assert job.state == ImportJob.State.SUCCEEDED, (job.state, job.message, worker.log_path.read_text())
    assert job.counts["school_rows"] == 130 and job.counts["year"] == "2018-2019"
    assert PerformanceValue.objects.filter(partnership=surrey, import_job=job).count() == job.counts["values_created"]
