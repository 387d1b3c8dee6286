"""Issue #15 item 2: ``copy_frame`` builds its COPY text a column at a time (not row by row) and still stores
every value as given: "" is NULL only in nullable columns, text with commas, quotes, new lines, tabs,
backslashes and COPY's NULL marker itself comes back unchanged, and a float NaN stays NaN."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from django.db import connection, transaction

from schools.importers.db import copy_frame

HOSTILE = ["a,b", 'say "hi"', "two\nlines", "tab\there", "back\\slash", "\\N", "  spaced  ", "", "ünïcödé’"]


def _copied(frame: pd.DataFrame, nullable: list[str]) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_frame_t (id int, name text NOT NULL, note text, x float8)")
        copy_frame(table="copy_frame_t", frame=frame, nullable=nullable)
        cursor.execute("SELECT id, name, note, x FROM copy_frame_t ORDER BY id")
        return cursor.fetchall()


@pytest.mark.parametrize("marker", [False, True], ids=["plain", "with the text \\N"])
def test_every_value_comes_back_as_given(db, marker):
    names = [n for n in HOSTILE if marker or n != "\\N"]
    frame = pd.DataFrame(
        {
            "id": list(range(len(names))),
            "name": names,
            "note": names,
            "x": [1.5 if i % 3 else float("nan") for i in range(len(names))],
        }
    )
    rows = _copied(frame, nullable=["note"])
    assert [r[1] for r in rows] == names, "text, and '' in a column that may not be NULL, are kept"
    assert [r[2] for r in rows] == [None if n == "" else n for n in names], "'' is NULL where NULL is allowed"
    assert all((math.isnan(r[3]) if i % 3 == 0 else r[3] == 1.5) for i, r in enumerate(rows))


def test_none_and_missing_values_are_null_a_float_nan_stays_nan_and_other_types_are_their_text(db):
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "name": ["carriage\rreturn", "x", "y", "z"],
            "note": [None, pd.NA, "kept", 7],  # None and pd.NA are NULL even where "" is not; 7 is written "7"
            "x": pd.Series([None, float("nan"), 2, "3.25"], dtype=object),
        }
    )
    rows = _copied(frame, nullable=[])
    assert [r[1] for r in rows] == ["carriage\rreturn", "x", "y", "z"]
    assert [r[2] for r in rows] == [None, None, "kept", "7"]
    assert rows[0][3] is None and math.isnan(rows[1][3]) and rows[2][3] == 2.0 and rows[3][3] == 3.25


@pytest.mark.parametrize("rows", [0, 3, 12_001], ids=["empty", "one block", "three blocks"])
def test_meanwhile_runs_once_after_the_last_block_is_queued_and_the_rows_are_still_stored(db, rows):
    """The GIAS import plans its networks in ``meanwhile`` while PostgreSQL stores the schools (#15)."""
    calls: list[int] = []
    frame = pd.DataFrame({"id": range(rows), "name": [f"n{i}" for i in range(rows)], "note": "", "x": 1.0})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_frame_t (id int, name text NOT NULL, note text, x float8)")
        copy_frame(table="copy_frame_t", frame=frame, nullable=["note"], meanwhile=lambda: calls.append(1))
        cursor.execute("SELECT count(*), count(note), min(name) FROM copy_frame_t")
        stored = cursor.fetchone()
    assert calls == [1]
    assert stored == (rows, 0, "n0" if rows else None)
