"""Writing checked performance rows: COPY into a staging table, then one INSERT … ON CONFLICT per table.

Runs inside the caller's transaction. A row is written only when it is new, or differs from what is stored and
comes from at least as good a source (``source_rank``): re-importing a file writes nothing, and a later file's
previous-year column never overwrites the year's own file. ``RETURNING (xmax = 0)`` tells inserted rows from
updated ones, so the counts come from PostgreSQL rather than a second read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection, models
from psycopg import sql

from partnership.models import Partnership
from schools.importers.db import copy_frame, temp_table_like
from schools.models import INSPECTION_FIELDS, AreaAverage, ImportJob, Inspection, PerformanceValue


@dataclass
class Written:
    """What an upsert did: rows inserted, rows changed, and rows left alone because a better source is stored."""

    created: int = 0
    updated: int = 0
    kept_better: int = 0
    school_ids: tuple[int, ...] = ()  # register schools of the rows inserted or changed


def _number_text(values: np.ndarray, *, whole: bool = False) -> np.ndarray:
    """Numbers as COPY text (shortest exact form; whole numbers without ``.0``), "" for NaN (→ NULL)."""
    numbers = np.asarray(values, dtype=float)
    missing = np.isnan(numbers)
    if whole:
        text = np.where(missing, 0, numbers).astype(np.int64).astype(str).astype(object)
    else:
        text = numbers.astype(str).astype(object)
    text[missing] = ""
    return text


def _common(frame: pd.DataFrame, partnership: Partnership, job: ImportJob | None) -> pd.DataFrame:
    frame.insert(0, "partnership_id", str(partnership.pk))
    frame["import_job_id"] = str(job.pk) if job is not None else ""
    return frame


def performance_values_write(
    *, partnership: Partnership, values: pd.DataFrame, school_ids: np.ndarray, job: ImportJob | None
) -> Written:
    """Upsert long values (urn, year, code, value, missing, raw, source_rank) with their matched school ids."""
    frame = pd.DataFrame(
        {
            "school_id": _number_text(school_ids, whole=True),
            "urn": values["urn"].astype(np.int64).astype(str).to_numpy(dtype=object),
            "year": values["year"].astype(np.int64).astype(str).to_numpy(dtype=object),
            "code": values["code"].to_numpy(dtype=object),
            "value": _number_text(values["value"].to_numpy(dtype=float)),
            "missing": values["missing"].to_numpy(dtype=object),
            "raw": values["raw"].to_numpy(dtype=object),
            "source_rank": values["source_rank"].astype(np.int64).astype(str).to_numpy(dtype=object),
        }
    )
    return _upsert(
        model=PerformanceValue,
        frame=_common(frame, partnership, job),
        key=["partnership_id", "urn", "year", "code"],
        compared=["school_id", "value", "missing", "raw", "source_rank"],
        nullable=["school_id", "value", "import_job_id"],
    )


def area_averages_write(*, partnership: Partnership, averages: pd.DataFrame, job: ImportJob | None) -> Written:
    """Upsert area averages (year, code, area, value, basis, schools_counted, source_rank)."""
    frame = pd.DataFrame(
        {
            "year": averages["year"].astype(np.int64).astype(str).to_numpy(dtype=object),
            "code": averages["code"].to_numpy(dtype=object),
            "area": averages["area"].to_numpy(dtype=object),
            "value": _number_text(averages["value"].to_numpy(dtype=float)),
            "basis": averages["basis"].to_numpy(dtype=object),
            "schools_counted": _number_text(averages["schools_counted"].to_numpy(dtype=float), whole=True),
            "source_rank": averages["source_rank"].astype(np.int64).astype(str).to_numpy(dtype=object),
        }
    )
    return _upsert(
        model=AreaAverage,
        frame=_common(frame, partnership, job),
        key=["partnership_id", "year", "code", "area"],
        compared=["value", "basis", "schools_counted", "source_rank"],
        nullable=["schools_counted", "import_job_id"],
        with_schools=False,
    )


INSPECTION_NULLABLE = [
    f.name
    for f in Inspection._meta.get_fields()
    if f.name in INSPECTION_FIELDS and getattr(f, "null", False) and not isinstance(f, models.CharField)
]


def inspections_write(
    *, partnership: Partnership, inspections: pd.DataFrame, school_ids: np.ndarray, job: ImportJob | None
) -> Written:
    """Upsert inspections (urn plus INSPECTION_FIELDS as canonical text) with their matched school ids."""
    frame = pd.DataFrame(
        {
            "school_id": _number_text(school_ids, whole=True),
            "urn": inspections["urn"].astype(np.int64).astype(str).to_numpy(dtype=object),
            **{name: inspections[name].to_numpy(dtype=object) for name in INSPECTION_FIELDS},
        }
    )
    return _upsert(
        model=Inspection,
        frame=_common(frame, partnership, job),
        key=["partnership_id", "urn", "inspection_number"],
        compared=["school_id", *(n for n in INSPECTION_FIELDS if n != "inspection_number")],
        nullable=["school_id", "import_job_id", *INSPECTION_NULLABLE],
        ranked=False,
    )


def _upsert(
    *,
    model: type[models.Model],
    frame: pd.DataFrame,
    key: list[str],
    compared: list[str],
    nullable: list[str],
    ranked: bool = True,
    with_schools: bool = True,
) -> Written:
    """COPY ``frame`` to a staging table, then insert new rows and update changed ones (see the module doc)."""
    if frame.empty:
        return Written()
    table = model._meta.db_table
    staging = f"{table}_in"
    columns = list(frame.columns)
    temp_table_like(name=staging, source=table, columns=columns)
    copy_frame(table=staging, frame=frame, nullable=nullable)
    ident = sql.Identifier
    updates = [c for c in columns if c not in key]
    condition = sql.SQL("ROW({old}) IS DISTINCT FROM ROW({new})").format(
        old=sql.SQL(", ").join(sql.SQL("t.{}").format(ident(c)) for c in compared),
        new=sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(ident(c)) for c in compared),
    )
    if ranked:
        condition = sql.SQL("EXCLUDED.source_rank >= t.source_rank AND ") + condition
    statement = sql.SQL(
        "WITH written AS (INSERT INTO {table} AS t ({columns}) SELECT {columns} FROM {staging} "
        "ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE {condition} "
        "RETURNING (xmax = 0) AS created, {school} AS school_id) "
        "SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created), "
        "coalesce(array_agg(DISTINCT school_id) FILTER (WHERE school_id IS NOT NULL), '{{}}') FROM written"
    ).format(
        school=sql.SQL("t.school_id") if with_schools else sql.SQL("NULL::bigint"),
        table=ident(table),
        columns=sql.SQL(", ").join(map(ident, columns)),
        staging=ident(staging),
        key=sql.SQL(", ").join(map(ident, key)),
        updates=sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(ident(c)) for c in updates),
        condition=condition,
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string())
        created, updated, school_ids = cursor.fetchone()
        kept = 0
        if ranked:
            better = sql.SQL("SELECT count(*) FROM {s} s JOIN {t} t USING ({key}) WHERE t.source_rank > s.source_rank")
            cursor.execute(
                better.format(s=ident(staging), t=ident(table), key=sql.SQL(", ").join(map(ident, key))).as_string()
            )
            kept = cursor.fetchone()[0]
    return Written(int(created), int(updated), int(kept), tuple(sorted(school_ids)))
