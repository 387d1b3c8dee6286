"""Backups restore: pg_dump → pg_restore into an empty database gives the same rows, table by table.

``round_trip`` is also run on the whole demo partnership (tests/partnership/test_demo.py).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from partnership.backup import Target, current_target

# Tables whose every row is compared by checksum (the rest by row count): the ones a council could not rebuild.
KEY_TABLES = [
    "partnership_partnership",
    "partnership_membership",
    "partnership_user",
    "schools_school",
    "clusters_cluster",
    "clusters_clustermembership",
]


def _admin_params() -> dict:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    return params


@contextmanager
def empty_database() -> Iterator[tuple[Target, str]]:
    """A new, empty database on the same server: its target and its URL; dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    params = _admin_params()
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    here = current_target()
    host = here.env.get("PGHOST", "localhost")
    auth = here.env.get("PGUSER", "")
    if here.env.get("PGPASSWORD"):
        auth += f":{here.env['PGPASSWORD']}"
    if host.startswith("/"):
        url = f"postgres://{auth}@/{name}?host={host}&port={here.env.get('PGPORT', '5432')}"
    else:
        url = f"postgres://{auth}@{host}:{here.env.get('PGPORT', '5432')}/{name}"
    try:
        yield Target(env={**here.env}, name=name), url
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _fingerprint(dbname: str) -> tuple[dict[str, int], dict[str, str]]:
    """Row counts of every table in the public schema, and an md5 of the key tables' rows in primary-key order."""
    params = {**_admin_params(), "dbname": dbname}
    counts: dict[str, int] = {}
    sums: dict[str, str] = {}
    with psycopg.connect(**params) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        for table in tables:
            row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
            counts[table] = row[0] if row else -1
        for table in KEY_TABLES:
            digest = hashlib.md5(usedforsecurity=False)
            query = sql.SQL("SELECT t::text FROM {} AS t ORDER BY t.id").format(sql.Identifier(table))
            for (text,) in conn.execute(query):
                digest.update(text.encode())
            sums[table] = digest.hexdigest()
    return counts, sums


def round_trip(tmp_path: Path) -> dict[str, int]:
    """Back up the test database, restore into a new empty one, assert both are the same; returns the counts."""
    dump = tmp_path / "backup.dump"
    call_command("backup_db", output=dump)
    assert dump.stat().st_size > 0
    before = _fingerprint(str(connection.settings_dict["NAME"]))
    with empty_database() as (target, url):
        call_command("restore_db", str(dump), database_url=url)
        after = _fingerprint(target.name)
    assert after[0] == before[0]
    assert after[1] == before[1]
    return before[0]


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_row(world, tmp_path):
    counts = round_trip(tmp_path)
    assert counts["schools_school"] >= 5
    assert counts["partnership_partnership"] == 2


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(world, tmp_path):
    dump = tmp_path / "backup.dump"
    call_command("backup_db", output=dump)
    with empty_database() as (target, url):
        call_command("restore_db", str(dump), database_url=url)
        with pytest.raises(CommandError, match="is not empty"):
            call_command("restore_db", str(dump), database_url=url)


@pytest.mark.django_db
def test_restore_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore_db", str(tmp_path / "nope.dump"), database_url="postgres://u@localhost/x")


@pytest.mark.django_db
def test_a_failed_backup_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PG_BIN", str(tmp_path))  # a pg_dump that always fails
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'connection refused' >&2\nexit 1\n")
    fake.chmod(0o755)
    output = tmp_path / "out" / "backup.dump"
    with pytest.raises(CommandError, match="pg_dump failed: connection refused"):
        call_command("backup_db", output=output)
    assert not output.exists()
    assert not output.with_name("backup.dump.partial").exists()
