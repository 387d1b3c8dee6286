"""Issue #9, item 5: an upload over IMPORT_MAX_BYTES is refused before its body is read, with a clear GOV.UK page
(before: a 500 from ``form.add_error`` on an unbound form, after CsrfViewMiddleware had parsed the whole body),
and stored upload files are deleted when their import ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from partnership.middleware import UploadCapHandler
from partnership.models import Role
from schools.importers import import_job_create
from schools.importers.service import import_job_fail, import_job_run
from schools.models import ImportJob
from tests.conftest import client_for, make_member
from tests.paths import GIAS_2021


@pytest.fixture
def small_cap(settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 4096
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings


def _officer(world) -> Client:
    client = client_for(make_member(world, Role.OFFICER).user)
    client.raise_request_exception = False
    return client


def test_an_upload_over_the_cap_is_refused_with_a_govuk_page(world, small_cap):
    client = _officer(world)
    jobs = ImportJob.objects.count()
    big = SimpleUploadedFile("big.csv", b"URN,Name\r\n" + b"1,x\r\n" * 4000, content_type="text/csv")
    response = client.post(reverse("schools:import_upload"), {"kind": "gias", "file": big})
    assert response.status_code == 413
    page = response.content.decode()
    assert "The selected file must be smaller than 4KB" in page and "govuk-error-summary" in page
    assert ImportJob.objects.count() == jobs


def test_the_body_is_not_read_when_content_length_is_over_the_cap(world, small_cap):
    """Refused from the header alone: the stream is never touched (a body that raised if read proves it)."""

    class Untouchable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    client = _officer(world)
    response = client.generic(
        "POST",
        reverse("schools:import_upload"),
        b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(4096 + 1024 * 1024),
        **{"wsgi.input": Untouchable()},
    )
    assert response.status_code == 413


def test_a_body_that_grows_past_the_cap_while_read_is_stopped(world, small_cap, rf):
    """No Content-Length to trust (chunked, or a lying header): the upload handler stops at the cap."""
    request = rf.post("/x/")
    handler = UploadCapHandler(request)
    handler.new_file("file", "big.csv", "text/csv", None)
    handler.receive_data_chunk(b"x" * 4000, 0)
    from django.core.files.uploadhandler import StopUpload

    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 200, 4000)
    assert request.upload_over_cap is True


def test_a_view_sets_its_own_smaller_cap(world, small_cap, monkeypatch):
    """Same class (found while fixing #9): a 20 MB board paper was read up to the 100 MB import cap first. A view
    with ``upload_max_bytes`` (bytes or a function) is capped at that, before the body is read past it."""
    from schools.views import ImportUploadView

    small_cap.IMPORT_MAX_BYTES = 100 * 1024 * 1024
    monkeypatch.setattr(ImportUploadView, "upload_max_bytes", lambda: 2048, raising=False)
    client = _officer(world)
    body = SimpleUploadedFile("paper.csv", b"x" * 3000, content_type="text/csv")
    response = client.post(reverse("schools:import_upload"), {"kind": "gias", "file": body})
    assert response.status_code == 413 and "smaller than 2KB" in response.content.decode()


def test_a_board_paper_is_refused_at_the_paper_cap_before_it_is_read(world, small_cap):
    """The board paper upload (20 MB) declares its cap: a body over it is refused from Content-Length alone."""
    from tests.board.helpers import board_world

    small_cap.IMPORT_MAX_BYTES = 100 * 1024 * 1024
    small_cap.BOARD_PAPER_MAX_BYTES = 4096
    meeting = board_world(world).meeting
    client = _officer(world)
    body = SimpleUploadedFile("paper.pdf", b"%PDF-1.4 " + b"x" * 200_000, content_type="application/pdf")
    response = client.post(reverse("board:paper_add", args=[meeting.pk]), {"title": "Big", "file": body})
    assert response.status_code == 413 and "smaller than 4KB" in response.content.decode()


def test_a_small_upload_still_works(world, small_cap, settings):
    settings.IMPORT_MAX_BYTES = 100 * 1024 * 1024
    client = _officer(world)
    jobs = ImportJob.objects.count()
    with GIAS_2021.open("rb") as handle:
        response = client.post(reverse("schools:import_upload"), {"kind": "gias", "file": handle})
    assert response.status_code == 302
    assert ImportJob.objects.count() == jobs + 1


def _job(world, small_cap) -> ImportJob:
    small_cap.IMPORT_MAX_BYTES = 100 * 1024 * 1024
    with GIAS_2021.open("rb") as handle:
        upload = SimpleUploadedFile("gias.csv", handle.read(), content_type="text/csv")
    return import_job_create(partnership=world.home, uploaded_file=upload, created_by=None)


def test_the_stored_file_is_deleted_when_the_import_succeeds(world, small_cap):
    job = _job(world, small_cap)
    assert Path(job.stored_path).exists()
    import_job_run(job=job)
    job.refresh_from_db()
    assert job.is_finished and not Path(job.stored_path).exists()


def test_the_stored_file_is_deleted_when_the_import_fails(world, small_cap):
    job = _job(world, small_cap)
    import_job_fail(job=job, message="The import failed unexpectedly, so nothing was imported")
    assert not Path(job.stored_path).exists()
