"""Fixtures of the risk app's tests: the broker's real test queue, a second database session, a real worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent


class Queue:
    """The Celery queue of this test run, read straight from Redis (the broker)."""

    def __init__(self) -> None:
        self.name = settings.CELERY_TASK_DEFAULT_QUEUE
        self.redis = redis.Redis.from_url(settings.REDIS_URL)

    def messages(self) -> list[dict]:
        """The task messages waiting in the queue, oldest first: ``{"id", "task", "args"}``."""
        found = []
        for raw in reversed(self.redis.lrange(self.name, 0, -1)):  # kombu pushes on the left
            message = json.loads(raw)
            headers = message.get("headers", {})
            found.append({"id": headers.get("id"), "task": headers.get("task"), "args": headers.get("argsrepr")})
        return found

    def purge(self) -> None:
        self.redis.delete(self.name)


@pytest.fixture
def queue() -> Iterator[Queue]:
    """The test run's own queue, empty at the start and emptied afterwards."""
    q = Queue()
    q.purge()
    yield q
    q.purge()


@contextmanager
def other_session() -> Iterator[psycopg.Connection]:
    """A second PostgreSQL session on the test database (another worker, as far as advisory locks go)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        yield other


def _test_database_url() -> str:
    """settings.DATABASE_URL pointed at the database pytest created."""
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def start_worker(tmp_path, queue):
    """``start_worker()`` starts a real ``celery worker`` on the test queue, reading the test database.

    Every worker started is stopped afterwards. (The same shape as the GIAS import's worker test in
    tests/schools/test_import_worker.py; a factory here, so a test can start the worker after queuing work.)
    """
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PARTNERSHIP_TESTING": "1",
    }
    started: list[tuple[subprocess.Popen, object]] = []

    def start() -> subprocess.Popen:
        log_path = tmp_path / f"worker-{len(started)}.log"
        log = log_path.open("w")
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "partnership",
            "worker",
            "-l",
            "warning",
            "-P",
            "solo",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
        ]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        process.log_path = log_path  # type: ignore[attr-defined]
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()
