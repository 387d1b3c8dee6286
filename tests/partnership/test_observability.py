"""Health endpoints, request ids (on responses, in log lines, in the Celery tasks a request queues) and JSON logs."""

from __future__ import annotations

import json
import logging
import socket

import pytest
import redis
from celery.app.task import Context
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from partnership import observability
from partnership.celery import app as celery_app
from partnership.observability import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_live_answers_anonymous_without_a_session():
    response = Client().get(reverse("health:live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_ready_checks_the_database_and_the_broker():
    response = Client().get(reverse("health:ready"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_ready_names_a_broker_that_does_not_answer_and_says_nothing_else():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{port}/0"):
        response = Client().get(reverse("health:ready"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "broker": "down"}}


def test_health_refuses_other_methods():
    assert Client().post(reverse("health:ready")).status_code == 405


def test_every_response_carries_a_request_id_and_a_proxy_id_is_kept():
    first = Client().get(reverse("health:live"))
    second = Client().get(reverse("health:live"))
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    kept = Client().get(reverse("health:live"), headers={"X-Request-ID": "proxy-1234abcd"})
    assert kept["X-Request-ID"] == "proxy-1234abcd"


@pytest.mark.parametrize("hostile", ["short", "with space 12345", 'quote"12345678', "a" * 200, "line\\nbreak1234"])
def test_a_hostile_request_id_is_replaced(hostile):
    response = Client().get(reverse("health:live"), headers={"X-Request-ID": hostile})
    assert response["X-Request-ID"] != hostile
    assert len(response["X-Request-ID"]) == 32


def _record(message: str, **extra) -> logging.LogRecord:
    record = logging.LogRecord("partnership.test", logging.WARNING, __file__, 1, message, None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_lines_carry_the_request_id_extras_and_the_exception():
    token = observability._request_id.set("req-0123456789")
    try:
        record = _record("Import %s failed", school_count=3)
        record.args = ("42",)
        try:
            raise ValueError("bad row")
        except ValueError:
            import sys

            record.exc_info = sys.exc_info()
        RequestIdFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        observability._request_id.reset(token)
    entry = json.loads(line)
    assert entry["message"] == "Import 42 failed"
    assert entry["level"] == "WARNING"
    assert entry["request_id"] == "req-0123456789"
    assert entry["school_count"] == 3
    assert "ValueError: bad row" in entry["exception"]
    assert "\n" not in line


def test_outside_a_request_the_line_has_no_request_id():
    record = _record("beat tick")
    RequestIdFilter().filter(record)
    assert "request_id" not in json.loads(JsonFormatter().format(record))
    assert record.request_id == ""


def test_a_task_queued_during_a_request_carries_its_id_to_the_broker():
    """The real broker: the message waiting in this run's queue has the request id in its headers."""
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(queue)
    token = observability._request_id.set("req-abcdef012345")
    try:
        celery_app.send_task("partnership.observability_probe", queue=queue)
    finally:
        observability._request_id.reset(token)
    try:
        messages = [json.loads(raw) for raw in broker.lrange(queue, 0, -1)]
    finally:
        broker.delete(queue)
    assert [m["headers"].get("request_id") for m in messages] == ["req-abcdef012345"]


def test_a_worker_binds_the_id_the_task_was_queued_with_and_forgets_it_after():
    class Task:
        request = Context({"request_id": "req-from-message-1", "id": "task-1"})

    observability.bind_task_request_id(task_id="task-1", task=Task())
    assert observability.current_request_id() == "req-from-message-1"
    observability.unbind_task_request_id(task_id="task-1")
    assert observability.current_request_id() == ""


def test_a_task_queued_by_beat_logs_under_its_own_id():
    class Task:
        request = Context({"id": "4f1c2a7e-beat-task"})

    observability.bind_task_request_id(task_id="4f1c2a7e-beat-task", task=Task())
    try:
        assert observability.current_request_id() == "4f1c2a7e-beat-task"
    finally:
        observability.unbind_task_request_id(task_id="4f1c2a7e-beat-task")
