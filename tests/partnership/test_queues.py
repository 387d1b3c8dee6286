"""Each kind of work has its own Celery queue, so a long risk run never delays an email (partnership/queues.py)."""

from __future__ import annotations

import json

import pytest
import redis
from django.conf import settings

from partnership.celery import app as celery_app
from partnership.queues import DEFAULT, EMAIL, IMPORTS, KINDS, PACKS, RISK, queue_kind, queue_names


def _our_tasks() -> list[str]:
    celery_app.loader.import_default_modules()
    return sorted(name for name in celery_app.tasks if not name.startswith("celery."))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("schools.tasks.import_job_run_task", IMPORTS),
        ("schools.tasks.import_jobs_requeue_task", DEFAULT),
        ("schools.risk.tasks.risk_run_task", RISK),
        ("schools.risk.backtest.tasks.backtest_run_task", RISK),
        ("schools.risk.tasks.risk_runs_schedule_task", DEFAULT),
        ("schools.risk.categorisation.tasks.publication_notices_send_task", EMAIL),
        ("brokerage.tasks.notifications_send_task", EMAIL),
        ("peerreview.tasks.reminders_send_task", EMAIL),
        ("partnership.board.tasks.meeting_pack_build_task", PACKS),
        ("partnership.board.tasks.kpis_recompute_task", RISK),
        ("something.else.entirely", DEFAULT),
    ],
)
def test_a_task_goes_to_the_queue_of_its_kind(name, kind):
    assert queue_kind(name) == kind


def test_every_registered_task_has_a_declared_queue():
    declared = {q.name for q in celery_app.conf.task_queues}
    assert declared == set(settings.CELERY_QUEUE_NAMES.values())
    tasks = _our_tasks()
    assert len(tasks) >= 5
    for name in tasks:
        route = celery_app.amqp.router.route({}, name)
        assert route["queue"].name in declared, name


def test_queue_names_keep_the_run_prefix():
    names = queue_names("partnership-test-x")
    assert names[DEFAULT] == "partnership-test-x"
    assert names[EMAIL] == "partnership-test-x-email"
    assert set(names) == set(KINDS)


def test_an_email_task_waits_in_the_email_queue_not_behind_risk_runs():
    """Real broker: the message lands in the email queue's own list, and the risk queue holds only the run."""
    broker = redis.Redis.from_url(settings.REDIS_URL)
    names = settings.CELERY_QUEUE_NAMES
    for name in names.values():
        broker.delete(name)
    try:
        celery_app.send_task("schools.risk.tasks.risk_run_task", args=[0])
        celery_app.send_task("brokerage.tasks.notifications_send_task", args=[0])
        waiting = {
            kind: [json.loads(m)["headers"]["task"] for m in broker.lrange(names[kind], 0, -1)] for kind in KINDS
        }
    finally:
        for name in names.values():
            broker.delete(name)
    assert waiting[RISK] == ["schools.risk.tasks.risk_run_task"]
    assert waiting[EMAIL] == ["brokerage.tasks.notifications_send_task"]
    assert waiting[DEFAULT] == [] and waiting[IMPORTS] == [] and waiting[PACKS] == []


def test_the_caller_may_still_name_a_queue():
    assert celery_app.amqp.router.route({"queue": "elsewhere"}, "schools.risk.tasks.risk_run_task")["queue"].name == (
        "elsewhere"
    )
