"""Officers upload performance files with a kind and a year; a Celery job imports them; the risk hook hears of it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schools.importers import import_job_create
from schools.models import ImportJob, PerformanceUpload, PerformanceValue
from schools.performance import signals
from schools.performance.years import academic_year_parse
from schools.tasks import gias_import_task, performance_import_task
from tests.paths import GIAS_2021, KS2_2019, KS4_2019, OFSTED_MI


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def sent(monkeypatch) -> dict[str, list]:
    """Messages the import tasks would have sent to the broker, by task (nothing is sent)."""
    calls: dict[str, list] = {"gias": [], "performance": []}
    monkeypatch.setattr(gias_import_task, "apply_async", lambda **kwargs: calls["gias"].append(kwargs))
    monkeypatch.setattr(performance_import_task, "apply_async", lambda **kwargs: calls["performance"].append(kwargs))
    return calls


@pytest.fixture
def heard(monkeypatch) -> list[dict]:
    """Calls of the risk engine's hook."""
    calls: list[dict] = []
    monkeypatch.setattr(signals, "performance_imported", lambda **kwargs: calls.append(kwargs))
    return calls


def _upload(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def test_an_officer_uploads_a_ks2_file_for_a_year(world, officer_client, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("schools:import_upload"), {"kind": "ks2", "year": "2018-2019", "file": _upload(KS2_2019)}
        )
    job = ImportJob.objects.get(partnership=world.home, kind="ks2")
    assert response.status_code == 302 and response.url == reverse("schools:import_detail", args=[job.pk])
    assert PerformanceUpload.objects.get(job=job).year == 2019
    assert sent["performance"] == [{"args": [job.pk], "task_id": job.task_id, "retry": False}] and not sent["gias"]
    page = officer_client.get(response.url).content.decode()
    assert "KS2 results, 2018-2019" in page


def test_the_upload_form_offers_the_kinds_and_years(officer_client):
    page = officer_client.get(reverse("schools:import_upload")).content.decode()
    for label in ("KS2 results", "KS4 results", "Pupil absence", "School census", "Ofsted management information"):
        assert label in page
    assert '<option value="2018-2019">2018-2019</option>' in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "ks2"}, "Select the academic year the file is for"),
        ({"kind": "ks2", "year": "2018-2020"}, "Select an academic year from the list"),
        ({"kind": "rubbish", "year": "2018-2019"}, "Select what the file holds"),
    ],
)
def test_the_form_asks_for_what_it_needs(world, officer_client, sent, data, error):
    response = officer_client.post(reverse("schools:import_upload"), {**data, "file": _upload(KS2_2019)})
    assert response.status_code == 200 and error in response.content.decode()
    assert not ImportJob.objects.filter(partnership=world.home).exclude(pk=world.job.pk).exists()


def test_a_file_of_another_kind_is_refused_at_upload(world, officer_client, sent, settings):
    response = officer_client.post(
        reverse("schools:import_upload"), {"kind": "ks2", "year": "2018-2019", "file": _upload(KS4_2019)}
    )
    assert "The selected file is a KS4 results file, not a KS2 results file" in response.content.decode()
    assert not ImportJob.objects.filter(kind="ks2").exists()
    folder = settings.UPLOAD_DIR / "home"
    assert not folder.exists() or not any(folder.iterdir())


def test_a_gias_file_still_needs_no_kind(world, officer_client, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(reverse("schools:import_upload"), {"file": _upload(GIAS_2021)})
    assert response.status_code == 302
    job = ImportJob.objects.get(kind="gias", original_filename=GIAS_2021.name)
    assert sent["gias"][0]["args"] == [job.pk] and not sent["performance"]
    assert not PerformanceUpload.objects.filter(job=job).exists()


def test_the_task_imports_the_file_and_the_hook_hears_of_it(
    surrey_register, sent, heard, django_capture_on_commit_callbacks
):
    job = import_job_create(
        partnership=surrey_register, uploaded_file=_upload(KS2_2019), created_by=None, kind="ks2", year=2019
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert performance_import_task(job.pk) == ImportJob.State.SUCCEEDED
    job.refresh_from_db()
    assert job.state == ImportJob.State.SUCCEEDED and job.progress == 100
    assert job.counts["year"] == "2018-2019" and job.counts["schools_matched"] == 239
    assert job.counts["values_created"] == PerformanceValue.objects.filter(import_job=job).count() > 0
    assert job.message.startswith("KS2 results 2018-2019: 239 schools matched (2 through GIAS links)")
    matched = set(PerformanceValue.objects.filter(school__isnull=False).values_list("school_id", flat=True))
    assert heard == [{"partnership": surrey_register, "school_ids": sorted(matched)}]
    # The same file again changes nothing, and says so to the hook.
    again = import_job_create(
        partnership=surrey_register, uploaded_file=_upload(KS2_2019), created_by=None, kind="ks2", year=2019
    )
    with django_capture_on_commit_callbacks(execute=True):
        performance_import_task(again.pk)
    again.refresh_from_db()
    assert again.counts["values_created"] == again.counts["values_updated"] == 0
    assert heard[-1] == {"partnership": surrey_register, "school_ids": []}


def test_the_hook_is_not_called_for_a_rejected_file(surrey, sent, heard, tmp_path, django_capture_on_commit_callbacks):
    broken = tmp_path / "broken.csv"
    broken.write_bytes(KS2_2019.read_bytes().replace(b",65%,", b",lots,", 1))
    job = import_job_create(partnership=surrey, uploaded_file=_upload(broken), created_by=None, kind="ks2", year=2019)
    with django_capture_on_commit_callbacks(execute=True):
        assert performance_import_task(job.pk) == ImportJob.State.FAILED
    job.refresh_from_db()
    assert job.counts == {"errors": 1} and job.errors[0]["row"] == 4 and job.errors[0]["column"] == "PTRWM_EXP"
    assert heard == [] and not PerformanceValue.objects.exists()


def test_an_ofsted_upload_needs_no_year(camden, sent, django_capture_on_commit_callbacks):
    job = import_job_create(partnership=camden, uploaded_file=_upload(OFSTED_MI), created_by=None, kind="ofsted")
    assert PerformanceUpload.objects.get(job=job).year is None
    performance_import_task(job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.SUCCEEDED and job.counts["inspections_created"] == 46


def test_import_job_create_checks_kind_and_year(surrey, sent):
    with pytest.raises(ValidationError, match="Select the academic year the file is for"):
        import_job_create(partnership=surrey, uploaded_file=_upload(KS2_2019), created_by=None, kind="ks2")
    with pytest.raises(ValidationError, match="Select the kind of file"):
        import_job_create(partnership=surrey, uploaded_file=_upload(KS2_2019), created_by=None, kind="ks3", year=2019)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("label", "year"), [("2018-2019", 2019), (" 2024-2025 ", 2025)])
def test_academic_year_labels(label, year):
    assert academic_year_parse(label) == year


@pytest.mark.parametrize("label", ["2019", "2018-2020", "2019-2018", "18-19", "1989-1990", ""])
def test_bad_academic_year_labels(label):
    with pytest.raises(ValidationError):
        academic_year_parse(label)


def test_a_refused_file_can_be_uploaded_again_and_imported_anyway_when_the_officer_confirms(
    world, officer_client, sent, django_capture_on_commit_callbacks
):
    """#14.8 (left from #14): the upload form offers "import it anyway" with the refusal message, never before."""
    from tests.paths import KS2_2025_HERTS

    upload = reverse("schools:import_upload")
    assert "Import it anyway" not in officer_client.get(upload).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(upload, {"kind": "ks2", "year": "2024-2025", "file": _upload(KS2_2025_HERTS)})
    refused = ImportJob.objects.get(partnership=world.home, kind="ks2")
    assert performance_import_task(refused.pk) == ImportJob.State.FAILED
    detail = officer_client.get(reverse("schools:import_detail", args=[refused.pk])).content.decode()
    again = f"{upload}?refused={refused.pk}"
    assert "Nothing matched this partnership" in detail and again in detail

    form = officer_client.get(again).content.decode()
    assert "Nothing matched this partnership: none of the file" in form
    assert "Import it anyway" in form and 'value="2024-2025" selected' in form
    data = {"kind": "ks2", "year": "2024-2025", "file": _upload(KS2_2025_HERTS), "allow_no_match": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(again, data)
    job = ImportJob.objects.exclude(pk=refused.pk).get(partnership=world.home, kind="ks2")
    assert response.url == reverse("schools:import_detail", args=[job.pk])
    assert PerformanceUpload.objects.get(job=job).allow_no_match
    assert performance_import_task(job.pk) == ImportJob.State.SUCCEEDED
    job.refresh_from_db()
    assert job.counts["schools_matched"] == 0
    page = officer_client.get(response.url).content.decode()
    assert "Nothing matched this partnership: the file was read" in page


def test_another_partnerships_refused_job_is_not_shown_on_the_upload_form(world, officer_client):
    other = ImportJob.objects.create(
        partnership=world.other, kind="ks2", original_filename="x.csv", stored_path="", state=ImportJob.State.FAILED
    )
    page = officer_client.get(f"{reverse('schools:import_upload')}?refused={other.pk}")
    assert page.status_code == 200 and "Import it anyway" not in page.content.decode()
    assert (
        "Import it anyway" not in officer_client.get(f"{reverse('schools:import_upload')}?refused=x").content.decode()
    )
