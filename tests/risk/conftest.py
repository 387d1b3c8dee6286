"""Fixtures of the risk app's tests: the broker's real test queue, a second database session, a real worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection


class Queue:
    """The Celery queues of this test run (one per kind of work: partnership/queues.py), read straight from Redis."""

    def __init__(self) -> None:
        self.names = list(settings.CELERY_QUEUE_NAMES.values())
        self.redis = redis.Redis.from_url(settings.REDIS_URL)

    def messages(self) -> list[dict]:
        """The task messages waiting in any of the run's queues, oldest first per queue: ``{"id", "task", "args"}``."""
        found = []
        for name in self.names:
            for raw in reversed(self.redis.lrange(name, 0, -1)):  # kombu pushes on the left
                message = json.loads(raw)
                headers = message.get("headers", {})
                found.append({"id": headers.get("id"), "task": headers.get("task"), "args": headers.get("argsrepr")})
        return found

    def purge(self) -> None:
        self.redis.delete(*self.names)


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


@pytest.fixture
def start_worker(start_worker, queue):
    """The shared ``start_worker`` factory (tests/conftest.py), with this run's queue emptied first."""
    return start_worker
