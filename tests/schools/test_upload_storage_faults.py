"""A full disk or a read-only uploads volume: the upload is refused with a clear message and nothing is kept.

Real file systems, no mocks: a 64 KB tmpfs that a GIAS file overflows (ENOSPC), and a tmpfs mounted read-only
(EROFS). Mounting needs root, as this project's machines and CI run; elsewhere the tests are skipped, saying why.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnership.models import Role
from schools.importers.service import STORAGE_FAILED_MESSAGE
from schools.models import ImportJob
from tests.conftest import client_for, make_member
from tests.paths import GIAS_2021


def _mount(target: Path, options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip()}): needs root")


@pytest.fixture
def small_volume(tmp_path) -> Iterator[Path]:
    """A 64 KB file system: the first GIAS file written to it fills it."""
    target = tmp_path / "full"
    _mount(target, "size=64k")
    yield target
    subprocess.run(["umount", str(target)], check=False)  # noqa: S603, S607


@pytest.fixture
def read_only_volume(tmp_path) -> Iterator[Path]:
    target = tmp_path / "ro"
    _mount(target, "ro,size=64k")
    yield target
    subprocess.run(["umount", str(target)], check=False)  # noqa: S603, S607


def _upload_as_officer(world):
    membership = make_member(world, Role.OFFICER)
    upload = SimpleUploadedFile(GIAS_2021.name, GIAS_2021.read_bytes(), content_type="text/csv")
    return client_for(membership.user).post(reverse("schools:import_upload"), {"kind": "gias", "file": upload})


@pytest.mark.parametrize("volume", ["small_volume", "read_only_volume"])
def test_an_upload_the_server_cannot_store_is_refused_clearly_and_nothing_is_kept(world, settings, request, volume):
    folder = request.getfixturevalue(volume)
    settings.UPLOAD_DIR = folder
    jobs_before = ImportJob.objects.count()
    response = _upload_as_officer(world)
    assert response.status_code == 200  # the form again, with its error, not a 500
    page = response.content.decode()
    assert STORAGE_FAILED_MESSAGE.split(":")[0] in page.replace("&#x27;", "'")
    assert "govuk-error-summary" in page
    assert ImportJob.objects.count() == jobs_before
    assert not any(p.is_file() for p in folder.rglob("*"))  # no half-written file left behind


def test_the_same_upload_succeeds_once_there_is_room(world, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "roomy"
    response = _upload_as_officer(world)
    assert response.status_code == 302
    assert ImportJob.objects.filter(partnership=world.home, original_filename=GIAS_2021.name).count() == 1
