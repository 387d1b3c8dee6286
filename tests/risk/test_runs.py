"""Risk runs: single flight, queued on commit, state transitions, failures recorded, locks, requeue, hooks."""

from __future__ import annotations

import datetime as dt
import socket

import kombu.pools
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from partnership.celery import app as celery_app
from partnership.models import Role
from schools.risk import DEFAULT_RULESET, ruleset_to_dict
from schools.risk.engine.indicators import CODES
from schools.risk.models import IntelligenceEntry, RiskAssessment, RiskRun, RuleSetVersion
from schools.risk.selectors import assessments_expand
from schools.risk.services import (
    RISK_RUN_LOCK_NAMESPACE,
    WAITING_MESSAGE,
    RiskRunLocked,
    performance_imported,
    risk_run_create,
    risk_run_execute,
    risk_run_transition,
    risk_runs_requeue_waiting,
    risk_runs_schedule,
    ruleset_version_active,
    ruleset_version_create,
)
from schools.risk.tasks import risk_run_task
from tests.conftest import client_for, make_member
from tests.factories import PartnershipFactory, SchoolFactory
from tests.risk.conftest import other_session
from tests.risk.helpers import entry

BUTTON, INTELLIGENCE = RiskRun.Trigger.BUTTON, RiskRun.Trigger.INTELLIGENCE


def test_two_requests_make_one_run(world):
    first = risk_run_create(partnership=world.home, trigger=BUTTON)
    second = risk_run_create(partnership=world.home, trigger=INTELLIGENCE, school_ids=[world.own_school.pk])
    assert second.pk == first.pk and first.is_new and not second.is_new
    assert RiskRun.objects.filter(partnership=world.home).count() == 1
    first.refresh_from_db()
    assert first.state == RiskRun.State.QUEUED and first.trigger == BUTTON
    assert first.school_ids == [world.own_school.pk]
    assert risk_run_create(partnership=world.other, trigger=BUTTON).pk != first.pk  # per partnership


def test_the_first_run_seeds_the_default_rule_set_as_version_1(world):
    run = risk_run_create(partnership=world.home, trigger=BUTTON)
    version = run.ruleset_version
    assert (version.version, version.is_active, version.partnership) == (1, True, world.home)
    assert version.config == ruleset_to_dict(DEFAULT_RULESET)
    assert ruleset_version_active(partnership=world.home) == version
    assert RuleSetVersion.objects.filter(partnership=world.home).count() == 1


def test_the_database_refuses_a_second_waiting_run(world):
    run = risk_run_create(partnership=world.home, trigger=BUTTON)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskRun.objects.create(partnership=world.home, ruleset_version=run.ruleset_version, trigger=BUTTON)


def test_while_a_run_computes_a_button_shows_it_but_new_data_queues_one_follow_up(world):
    running = risk_run_create(partnership=world.home, trigger=BUTTON)
    assert risk_run_transition(run=running, state=RiskRun.State.RUNNING)
    assert risk_run_create(partnership=world.home, trigger=BUTTON).pk == running.pk
    follow_up = risk_run_create(partnership=world.home, trigger=INTELLIGENCE, school_ids=[world.own_school.pk])
    assert follow_up.pk != running.pk and follow_up.state == RiskRun.State.QUEUED
    again = risk_run_create(
        partnership=world.home, trigger=RiskRun.Trigger.IMPORT, school_ids=[world.cluster_school.pk]
    )
    assert again.pk == follow_up.pk
    again.refresh_from_db()
    assert again.school_ids == sorted([world.own_school.pk, world.cluster_school.pk])
    assert risk_run_create(partnership=world.home, trigger=BUTTON).pk == follow_up.pk  # the waiting one first


def test_the_task_is_sent_to_the_broker_only_after_commit(world, queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = risk_run_create(partnership=world.home, trigger=BUTTON)
        risk_run_create(partnership=world.home, trigger=INTELLIGENCE)
        assert queue.messages() == []
    assert len(callbacks) == 1
    assert queue.messages() == [{"id": run.task_id, "task": "schools.risk.tasks.risk_run_task", "args": f"[{run.pk}]"}]


def _reset_broker_connections() -> None:
    """Close and forget every pooled broker connection (kombu's global pools too, so none is reused closed)."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_with_the_broker_down_the_run_waits_and_says_so(world, django_capture_on_commit_callbacks):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    _reset_broker_connections()
    try:
        client = client_for(make_member(world, Role.OFFICER).user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("risk:run_create"))
    finally:
        celery_app.conf.broker_url = original
        _reset_broker_connections()
    run = RiskRun.objects.get(partnership=world.home)
    assert response.status_code == 302 and response.url == reverse("risk:run_detail", args=[run.pk])
    assert (run.state, run.message) == (RiskRun.State.QUEUED, WAITING_MESSAGE)
    page = client.get(response.url)
    assert WAITING_MESSAGE.encode() in page.content


def _closed_school(world):
    return SchoolFactory(partnership=world.home, name="Closed Junior School", status="Closed")


def test_a_run_categorises_every_open_school_and_records_its_counts(world):
    _closed_school(world)
    SchoolFactory(partnership=world.home, name="Private Prep", type_group="Independent schools")
    entry(
        world.own_school,
        kind=IntelligenceEntry.Kind.WARNING_NOTICE,
        rating=IntelligenceEntry.Rating.RED,
        recorded_on=dt.date.today() - dt.timedelta(days=10),
        summary="Warning notice issued on standards",
    )
    run = risk_run_create(partnership=world.home, trigger=BUTTON)
    risk_run_execute(run=run)
    run.refresh_from_db()
    assert run.state == RiskRun.State.SUCCEEDED and run.progress == 100
    assert run.started_at <= run.finished_at and run.as_at is not None
    open_schools = {world.own_school.pk, world.cluster_school.pk, world.outside_school.pk, world.isolated_school.pk}
    assessments = {a.school_id: a for a in RiskAssessment.objects.filter(run=run)}
    assessments_expand(assessments.values())  # compact traces read as the engine wrote them (ADR 0025)
    assert set(assessments) == open_schools
    assert run.counts["schools"] == 4
    # no results, no inspection, no intelligence: not green but "insufficient evidence", counted apart (#14.1)
    assert sum(v for k, v in run.counts.items() if k.startswith("category_")) == 1
    assert run.counts["insufficient_evidence"] == 3 and "category_0" not in run.counts
    assert "3 with insufficient evidence: officer to categorise" in run.message
    flagged = assessments[world.own_school.pk]
    assert flagged.proposed_category == 4
    assert any("Warning notice" in reason for reason in flagged.reasons)
    assert any("Warning notice" in sentence for sentence in flagged.overrides)
    assert set(flagged.indicators) == set(CODES)
    assert set(flagged.indicators["C1"]) == {"rating", "value", "sentence"}
    assert flagged.missing_inputs, "a school without performance data lists what was missing"
    assert all(a.proposed_category in (0, 4) for a in assessments.values())
    assert run.counts["category_4"] >= 1 and "4 schools categorised" in run.message


def test_running_a_run_again_changes_nothing_and_an_interrupted_run_is_redone_once(world):
    run = risk_run_create(partnership=world.home, trigger=BUTTON)
    risk_run_execute(run=run)
    finished_at = RiskRun.objects.get(pk=run.pk).finished_at
    risk_run_execute(run=run)  # a duplicate delivery of the task
    assert RiskRun.objects.get(pk=run.pk).finished_at == finished_at
    assert RiskAssessment.objects.filter(run=run).count() == 4
    # A worker died after writing: the run is RUNNING again with its lock free, and is redone without duplicates.
    RiskRun.objects.filter(pk=run.pk).update(state=RiskRun.State.RUNNING, finished_at=None)
    run.refresh_from_db()
    risk_run_execute(run=run)
    run.refresh_from_db()
    assert run.state == RiskRun.State.SUCCEEDED
    assert RiskAssessment.objects.filter(run=run).count() == 4


def test_a_failed_run_records_why_and_writes_nothing(world):
    version = ruleset_version_active(partnership=world.home)
    broken = dict(version.config, matrix=[[1, 2], [3, 4]])
    RuleSetVersion.objects.filter(pk=version.pk).update(config=broken)
    run = risk_run_create(partnership=world.home, trigger=BUTTON)
    with pytest.raises(ValueError):
        risk_run_execute(run=run)
    run.refresh_from_db()
    assert run.state == RiskRun.State.FAILED and run.finished_at is not None
    assert run.message == "The rule set is not valid, so nothing was computed"
    assert run.errors and all("matrix" in e["message"] for e in run.errors)
    assert not RiskAssessment.objects.filter(run=run).exists()
    page = client_for(make_member(world, Role.OFFICER).user).get(reverse("risk:run_detail", args=[run.pk]))
    assert b"The run failed" in page.content and b"matrix" in page.content


def test_finished_runs_never_move_again(world):
    run = risk_run_create(partnership=world.home, trigger=BUTTON)
    assert risk_run_transition(run=run, state=RiskRun.State.FAILED, message="x")
    for state in (RiskRun.State.QUEUED, RiskRun.State.RUNNING, RiskRun.State.SUCCEEDED):
        assert not risk_run_transition(run=run, state=state)
    assert RiskRun.objects.get(pk=run.pk).state == RiskRun.State.FAILED


def test_a_run_waits_while_another_session_computes_the_partnership(world):
    run = risk_run_create(partnership=world.home, trigger=BUTTON)
    with other_session() as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [RISK_RUN_LOCK_NAMESPACE, world.home.pk])
        with pytest.raises(RiskRunLocked):
            risk_run_execute(run=run)
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [RISK_RUN_LOCK_NAMESPACE, world.home.pk])
    assert RiskRun.objects.get(pk=run.pk).state == RiskRun.State.QUEUED
    risk_run_execute(run=run)
    assert RiskRun.objects.get(pk=run.pk).state == RiskRun.State.SUCCEEDED


def test_the_task_skips_finished_and_missing_runs(world):
    run = risk_run_create(partnership=world.home, trigger=BUTTON)
    assert risk_run_task.apply(args=[run.pk]).get() == RiskRun.State.SUCCEEDED
    assert risk_run_task.apply(args=[run.pk]).get() == "skipped"
    assert risk_run_task.apply(args=[run.pk + 1000]).get() == "skipped"


def test_requeue_resends_waiting_and_orphaned_runs_only(world, queue):
    waiting = risk_run_create(partnership=world.home, trigger=BUTTON)
    orphaned = risk_run_create(partnership=world.other, trigger=BUTTON)
    risk_run_transition(run=orphaned, state=RiskRun.State.RUNNING)
    third = PartnershipFactory(slug="third")
    computing = risk_run_create(partnership=third, trigger=BUTTON)
    risk_run_transition(run=computing, state=RiskRun.State.RUNNING)
    fourth = PartnershipFactory(slug="fourth")
    done = risk_run_create(partnership=fourth, trigger=BUTTON)
    risk_run_transition(run=done, state=RiskRun.State.FAILED)
    with other_session() as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [RISK_RUN_LOCK_NAMESPACE, third.pk])
        assert risk_runs_requeue_waiting() == 2
    assert sorted(m["id"] for m in queue.messages()) == sorted([waiting.task_id, orphaned.task_id])


def test_the_schedule_asks_once_per_partnership(world):
    runs = risk_runs_schedule()
    assert {r.partnership_id for r in runs} == {world.home.pk, world.other.pk}
    assert all(r.trigger == RiskRun.Trigger.SCHEDULE and r.created_by is None for r in runs)
    assert [r.pk for r in risk_runs_schedule()] == [r.pk for r in runs]


def test_a_performance_import_recomputes_the_schools_it_touched(world):
    assert performance_imported(partnership=world.home, school_ids=[]) is None
    run = performance_imported(partnership=world.home, school_ids=[world.outside_school.pk, world.own_school.pk])
    assert run.trigger == RiskRun.Trigger.IMPORT
    assert run.school_ids == sorted([world.outside_school.pk, world.own_school.pk])


def test_the_button_queues_one_run_and_shows_its_progress(world):
    officer = make_member(world, Role.OFFICER)
    client = client_for(officer.user)
    page = client.get(reverse("risk:run_list"))
    assert b"Recompute categories" in page.content
    first = client.post(reverse("risk:run_create"))
    run = RiskRun.objects.get()
    assert first.url == reverse("risk:run_detail", args=[run.pk])
    assert run.created_by == officer.user and run.trigger == BUTTON
    second = client.post(reverse("risk:run_create"), follow=True)
    assert RiskRun.objects.count() == 1
    assert b"already under way" in second.content
    assert b'data-status-url="' + reverse("risk:run_status", args=[run.pk]).encode() in second.content
    status = client.get(reverse("risk:run_status", args=[run.pk])).json()
    assert status == {
        "state": "queued",
        "state_label": "Waiting for a worker",
        "progress": 0,
        "message": "",
        "finished": False,
    }
    risk_run_execute(run=run)
    assert client.get(reverse("risk:run_status", args=[run.pk])).json()["finished"] is True
    detail = client.get(reverse("risk:run_detail", args=[run.pk])).content.decode()
    assert "Proposed categories" in detail and world.own_school.name in detail


def test_a_headteacher_cannot_start_a_run(world):
    client = client_for(make_member(world, Role.HEADTEACHER).user)
    assert client.post(reverse("risk:run_create")).status_code == 403
    assert not RiskRun.objects.exists()


def test_a_waiting_run_computes_with_the_rule_set_in_force_when_it_starts(world):
    run = risk_run_create(partnership=world.home, trigger=RiskRun.Trigger.BUTTON, enqueue=False)
    stricter = ruleset_to_dict(DEFAULT_RULESET) | {"academy_concern_min_category": 2}
    newer = ruleset_version_create(partnership=world.home, config=stricter, note="Academies at 2", created_by=None)
    assert run.ruleset_version_id != newer.pk
    risk_run_execute(run=run)
    run.refresh_from_db()
    assert (run.state, run.ruleset_version_id) == (RiskRun.State.SUCCEEDED, newer.pk)
