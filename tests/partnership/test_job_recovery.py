"""Issue #9, item 6: every job kind recovers the same way (``partnership.jobs``): a job left RUNNING by a dead
worker is sent again, and a job that keeps killing its worker is failed after JOB_MAX_STARTS with a message an
officer can read, instead of blocking the queue for ever."""

from __future__ import annotations

import shutil

import pytest
from django.apps import apps

from partnership.jobs import JOB_MAX_STARTS, POISON_MESSAGE
from partnership.models import Job, JobStart
from schools.importers.service import import_job_run, import_jobs_requeue_waiting
from schools.models import ImportJob
from schools.risk.models import RiskRun
from schools.risk.services import risk_run_execute, risk_runs_requeue_waiting
from schools.risk.tasks import risk_run_task
from schools.tasks import gias_import_task
from tests.paths import GIAS_2021
from tests.risk.helpers import ruleset_version_active


@pytest.fixture
def sent(monkeypatch) -> list:
    calls: list = []
    monkeypatch.setattr(gias_import_task, "apply_async", lambda **kwargs: calls.append(("import", kwargs)))
    monkeypatch.setattr(risk_run_task, "apply_async", lambda **kwargs: calls.append(("risk", kwargs)))
    return calls


def _running_import(world, tmp_path) -> ImportJob:
    stored = tmp_path / "stored.csv"
    shutil.copy(GIAS_2021, stored)
    return ImportJob.objects.create(
        partnership=world.home, kind="gias", original_filename="gias.csv", stored_path=str(stored), state="running"
    )


def _running_run(world) -> RiskRun:
    return RiskRun.objects.create(
        partnership=world.home,
        ruleset_version=ruleset_version_active(partnership=world.home),
        trigger=RiskRun.Trigger.BUTTON,
        state=RiskRun.State.RUNNING,
    )


def test_an_import_left_running_by_a_dead_worker_is_sent_again(world, tmp_path, sent):
    """Before: only QUEUED imports were sent again; one left RUNNING (its worker killed) waited for ever."""
    job = _running_import(world, tmp_path)
    assert import_jobs_requeue_waiting() >= 1
    assert ("import", job.pk) in [(kind, call["args"][0]) for kind, call in sent]


def test_a_risk_run_left_running_is_sent_again_the_same_way(world, sent):
    run = _running_run(world)
    assert risk_runs_requeue_waiting() == 1
    assert sent == [("risk", {"args": [run.pk], "task_id": None, "retry": False})]


def test_an_import_that_keeps_killing_its_worker_is_failed_with_a_message(world, tmp_path):
    job = _running_import(world, tmp_path)
    JobStart.objects.create(job_model="schools.importjob", job_id=job.pk, starts=JOB_MAX_STARTS)
    import_job_run(job=job)
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert job.message == POISON_MESSAGE and "stopped" in job.message
    assert not (tmp_path / "stored.csv").exists()  # its upload is deleted like any ended import's


def test_a_risk_run_that_keeps_killing_its_worker_is_failed(world):
    run = _running_run(world)
    JobStart.objects.create(job_model="risk.riskrun", job_id=run.pk, starts=JOB_MAX_STARTS)
    risk_run_execute(run=run)
    run.refresh_from_db()
    assert run.state == RiskRun.State.FAILED and run.message == POISON_MESSAGE


def test_each_start_is_counted(world, tmp_path):
    job = ImportJob.objects.create(
        partnership=world.home, kind="gias", original_filename="x.csv", stored_path=str(tmp_path / "nothing.csv")
    )
    from partnership.jobs import job_transition

    assert job_transition(job=job, state=Job.State.RUNNING)
    assert job_transition(job=job, state=Job.State.RUNNING)  # resumed after an interruption
    assert JobStart.objects.get(job_model="schools.importjob", job_id=job.pk).starts == 2


def test_every_job_kind_is_a_job_moved_by_the_shared_transition():
    """The start cap lives in ``job_transition``: every concrete job model must be a ``Job`` (so it uses it)."""
    kinds = [m for m in apps.get_models() if issubclass(m, Job)]
    assert ImportJob in kinds and RiskRun in kinds
    for model in kinds:
        assert model.TRANSITIONS[Job.State.RUNNING] >= {Job.State.FAILED}, model
