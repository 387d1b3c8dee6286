"""PostgreSQL plumbing for bulk imports: COPY from a frame, and the per-partnership advisory lock."""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from psycopg import sql

# First key of the two-key advisory lock; the second is the partnership id. Arbitrary but fixed ("GIAS").
IMPORT_LOCK_NAMESPACE = 0x47494153


CSV_NULL = "\\N"


def copy_frame(*, table: str, frame: pd.DataFrame, nullable: list[str] | tuple[str, ...] = ()) -> None:
    """COPY ``frame`` (string columns named like the table's) into ``table``; "" means NULL in ``nullable``.

    The frame is written as one CSV text by pandas (C), NULL as ``\\N`` (issue #15: about four times faster
    than psycopg formatting row by row for 50,000 wide rows). A frame holding the text ``\\N`` itself (which
    that CSV would read as NULL) goes row by row, which needs no NULL marker.
    """
    if frame.empty:
        return
    arrays = [_nulls(frame[c].to_numpy(dtype=object), c in nullable) for c in frame.columns]
    columns = sql.SQL(", ").join(map(sql.Identifier, frame.columns))
    if any((values == CSV_NULL).any() for values in arrays):
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), columns)
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            deque(map(copy.write_row, zip(*arrays, strict=True)), maxlen=0)
        return
    arrays = [_nan_text(values) for values in arrays]  # a float NaN stays NaN (as row by row), never NULL
    text = pd.DataFrame(dict(zip(range(len(arrays)), arrays, strict=True))).to_csv(
        index=False, header=False, na_rep=CSV_NULL, lineterminator="\n"
    )
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, NULL {})").format(
        sql.Identifier(table), columns, sql.Literal(CSV_NULL)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.write(text)


def _nan_text(values: np.ndarray) -> np.ndarray:
    missing = pd.isna(values)
    nan = missing & np.not_equal(values, None)
    if not nan.any():
        return values
    values = values.copy()
    values[nan] = "NaN"
    return values


def _nulls(values: np.ndarray, nullable: bool) -> np.ndarray:
    if not nullable:
        return values
    values = values.copy()
    values[values == ""] = None
    return values


def queryset_frame(queryset: QuerySet, columns: list[str]) -> pd.DataFrame:
    """A ``values_list`` queryset's rows as a frame of strings ("" for NULL), fetched with COPY … TO STDOUT.

    One query, as the ORM would send it, but read as CSV by pandas' C parser: for 50,000 wide rows this is
    several times faster than fetching Python tuples.
    """
    statement, params = queryset.order_by().query.sql_with_params()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv)", params) as copy,
    ):
        data = b"".join(copy)
    if not data:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.read_csv(
        io.BytesIO(data), header=None, names=columns, dtype=object, keep_default_na=False, na_filter=False
    )


def temp_table_like(*, name: str, source: str, columns: list[str]) -> None:
    """A fresh temporary table with ``columns`` typed as in ``source``, dropped at commit (call inside atomic)."""
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS pg_temp.{}").format(sql.Identifier(name)).as_string())
        cursor.execute(
            sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA")
            .format(sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(source))
            .as_string()
        )


def allocate_ids(*, table: str, count: int) -> np.ndarray:
    """Draw ``count`` ids from ``table``'s id sequence, so rows can be COPied with their ids known up front."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64, count=count)


@contextmanager
def partnership_import_lock(partnership_id: int) -> Iterator[bool]:
    """Hold the partnership's import lock for the block; yields False (without waiting) if another holds it.

    A session-level PostgreSQL advisory lock: it spans the import's own transaction, and dies with the
    connection if the worker dies, so a redelivered task can take it again.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [IMPORT_LOCK_NAMESPACE, partnership_id])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            _unlock(partnership_id)


def _unlock(partnership_id: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [IMPORT_LOCK_NAMESPACE, partnership_id])
    except DatabaseError:
        pass  # the connection is gone, and the lock with it
