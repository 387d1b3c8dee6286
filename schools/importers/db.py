"""PostgreSQL plumbing for bulk imports: COPY from a frame, and the per-partnership advisory lock."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import repeat
from operator import methodcaller

import numpy as np
import pandas as pd
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

# First key of the two-key advisory lock; the second is the partnership id. Arbitrary but fixed ("GIAS").
IMPORT_LOCK_NAMESPACE = 0x47494153


COPY_BLOCK_ROWS = 5_000  # rows per block of COPY text: PostgreSQL parses one block while the next is built
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
_ESCAPE_TABLE = str.maketrans({raw: written for raw, written in _ESCAPES})
NULL = "\\N"


def copy_frame(
    *,
    table: str,
    frame: pd.DataFrame,
    nullable: list[str] | tuple[str, ...] = (),
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """COPY ``frame`` (string columns named like the table's) into ``table``; "" means NULL in ``nullable``.

    ``meanwhile``: work (no database access) to do once the last block is queued, while PostgreSQL is still
    storing the rows; it is called exactly once, also for an empty frame.

    The COPY text is built a whole column at a time (issue #15: psycopg formatting row by row was most of the
    cost of writing 50,000 wide rows): ``None`` is NULL, a float NaN stays NaN, everything else is its ``str``
    with backslashes, tabs and line breaks escaped. Rows are then joined by ``str.join`` over the columns zipped
    together (no per-value Python), and blocks are streamed by a writer thread.
    """
    if frame.empty:
        if meanwhile is not None:
            meanwhile()
        return
    columns = [(frame[c].to_numpy(dtype=object), c in nullable) for c in frame.columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, frame.columns))
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
            # Each block's fields are built just before it is sent, so PostgreSQL starts on the first block at once
            # instead of waiting while every column of the whole frame is formatted (#15: 0.15 s of a national file).
            for start in range(0, len(frame), COPY_BLOCK_ROWS):
                end = start + COPY_BLOCK_ROWS
                copy.write(copy_block([copy_fields(values[start:end], nullable=null) for values, null in columns]))
            if meanwhile is not None:
                meanwhile()  # the writer thread is still sending, and PostgreSQL still storing, the last blocks


def copy_fields(values: np.ndarray, *, nullable: bool = False) -> list[str]:
    """Each value as a field of COPY text: None as NULL (\\N), a float NaN as NaN, "" as NULL when ``nullable``,
    anything else its ``str`` with backslashes, tabs and line breaks escaped.

    Whole-column operations only (``map`` over builtins, numpy masks, one ``join`` to look for characters that
    need escaping); a column of plain strings, the usual case, is never converted at all.
    """
    items = values.tolist()
    null = np.zeros(len(items), dtype=bool)
    if set(map(type, items)) - {str}:
        texts = np.fromiter(map(str, items), dtype=object, count=len(items))
        missing = np.asarray(pd.isna(values), dtype=bool)
        if missing.any():
            where = np.flatnonzero(missing)
            floats = np.fromiter(map(isinstance, values[where], repeat(float)), dtype=bool, count=len(where))
            texts[where] = np.where(floats, "NaN", "")
            null[where[~floats]] = True
    else:
        texts = values
    joined = "".join(texts.tolist())
    if any(raw in joined for raw, _ in _ESCAPES):
        texts = np.fromiter(map(methodcaller("translate", _ESCAPE_TABLE), texts), dtype=object, count=len(texts))
    if nullable:
        null |= texts == ""
    if null.any():
        texts = texts.copy()
        texts[null] = NULL
    return texts.tolist()


def copy_block(fields: list[list[str]]) -> str:
    """Rows of COPY text from per-column fields: tab between fields, a line break after each row."""
    return "\n".join(map("\t".join, zip(*fields, strict=True))) + "\n"


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
    """Draw ``count`` ids from ``table``'s id sequence, so rows can be COPied with their ids known up front.

    The sequence is looked up first, on its own: named inside the draw, PostgreSQL looked it up once per id, six
    times the cost of the draw itself (#15: 0.13 s of a national GIAS import)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
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
