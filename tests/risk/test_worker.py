"""End to end: risk runs computed by a real Celery worker process reading the test database."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from schools.risk.models import IntelligenceEntry, RiskAssessment, RiskRun
from schools.risk.selectors import assessments_expand
from schools.risk.services import intelligence_entry_create, risk_run_create, risk_run_transition
from tests.factories import PartnershipFactory, SchoolFactory, UserFactory
from tests.risk.conftest import Queue

DEADLINE_SECONDS = 90

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait(run: RiskRun, worker) -> RiskRun:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            return run
        assert worker.poll() is None, worker.log_path.read_text()
        time.sleep(0.25)
    raise AssertionError(f"run {run.pk} still {run.state} ({run.message}): {worker.log_path.read_text()}")


def test_new_intelligence_is_recomputed_by_a_real_worker(start_worker):
    partnership = PartnershipFactory(slug="risk-worker")
    schools = SchoolFactory.create_batch(6, partnership=partnership)
    worker = start_worker()
    officer = UserFactory(email="worker-officer@example.test")
    intelligence_entry_create(
        partnership=partnership,
        school=schools[0],
        kind=IntelligenceEntry.Kind.IEB,
        rating=IntelligenceEntry.Rating.RED,
        recorded_on=dt.date.today(),
        summary="Interim executive board appointed",
        evidence="Secretary of State's letter",
        confidential=False,
        user=officer,
    )
    run = _wait(RiskRun.objects.get(partnership=partnership), worker)
    assert run.state == RiskRun.State.SUCCEEDED, (run.message, run.errors, worker.log_path.read_text())
    assert run.trigger == RiskRun.Trigger.INTELLIGENCE and run.progress == 100
    assert run.counts["schools"] == 6
    assessments = {a.school_id: a for a in RiskAssessment.objects.filter(run=run)}
    assessments_expand(assessments.values())
    assert set(assessments) == {s.pk for s in schools}
    assert assessments[schools[0].pk].proposed_category == 4
    assert any("Interim executive board" in r for r in assessments[schools[0].pk].reasons)


def test_a_run_left_by_a_dead_worker_is_finished_by_the_next_one(start_worker):
    """Queued with no worker, then marked running as a worker died mid-run: a new worker picks it up."""
    partnership = PartnershipFactory(slug="risk-restart")
    SchoolFactory.create_batch(3, partnership=partnership)
    run = risk_run_create(partnership=partnership, trigger=RiskRun.Trigger.BUTTON)
    assert risk_run_transition(run=run, state=RiskRun.State.RUNNING, progress=40, message="Computing")
    # The task message was consumed by the worker that died: only the requeue at start-up can send it again.
    Queue().purge()
    run = _wait(run, start_worker())
    assert run.state == RiskRun.State.SUCCEEDED, (run.message, run.errors)
    assert RiskAssessment.objects.filter(run=run).count() == 3
