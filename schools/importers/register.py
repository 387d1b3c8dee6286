"""Writing checked establishment rows into the register: diff against what is stored, upsert, record history.

Everything here runs inside the caller's transaction and touches only rows that differ: re-importing a file
writes nothing. Columns a file does not carry are left as they are on existing schools (blank on new ones), so
a web "search results" export does not wipe codes that an earlier full extract supplied. Rows whose
LastChangedDate is older than the one stored are skipped, so an old file cannot roll a school back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import F, TextField, Value
from django.db.models.functions import Cast, Coalesce
from psycopg import sql

from partnership.models import Partnership
from schools.importers.checking import SchoolRows
from schools.importers.columns import CODE_FOR_NAME, SCHOOL_COLUMNS, TEXT, TRACKED_FIELDS
from schools.importers.db import allocate_ids, copy_frame, queryset_frame, temp_table_like
from schools.importers.geo import grid_to_lat_long
from schools.models import ImportJob, School, SchoolChange

STAGING_TABLE = "gias_school_in"
_KINDS = {c.field: c.kind for c in SCHOOL_COLUMNS}
WRITE_COLUMNS: tuple[str, ...] = (
    "id",
    "partnership_id",
    "urn",
    *(c.field for c in SCHOOL_COLUMNS),
    "latitude",
    "longitude",
    "imported_at",
)
NULLABLE_COLUMNS: tuple[str, ...] = tuple(
    c for c in WRITE_COLUMNS if c not in ("id", "partnership_id", "urn") and School._meta.get_field(c).null
)


@dataclass
class Plan:
    """The diff of a file against the register, row-aligned with ``incoming``.

    ``existing`` holds the stored canonical text of each field ("" for new schools); ``ids`` the school ids
    (-1 until a new school is given one).
    """

    incoming: pd.DataFrame
    existing: dict[str, np.ndarray]
    fields: list[str]
    ids: np.ndarray
    is_new: np.ndarray
    stale: np.ndarray
    differs: dict[str, np.ndarray]

    @property
    def changed(self) -> np.ndarray:
        """Existing, current rows with at least one field that differs."""
        result = np.zeros(len(self.incoming), dtype=bool)
        for mask in self.differs.values():
            result |= mask
        return result

    @property
    def current(self) -> np.ndarray:
        """Rows that describe the school as it now stands (everything but rows older than what is stored)."""
        return ~self.stale


def school_rows_apply(
    *,
    partnership: Partnership,
    rows: SchoolRows,
    job: ImportJob | None,
    now: dt.datetime,
    meanwhile: Callable[[pd.DataFrame], None] | None = None,
) -> tuple[dict[str, int], pd.DataFrame]:
    """Upsert ``rows`` and write their change history; returns counts and the current rows with school ids
    (``touched``: the school was created or changed by this import).

    ``meanwhile(current)``: work without database access (the networks' plan) done while PostgreSQL is still
    storing the schools, once, with the same frame this returns.
    """
    plan = school_plan(partnership=partnership, rows=rows)
    changed = plan.changed
    new = int(plan.is_new.sum())
    if new:
        plan.ids[plan.is_new] = allocate_ids(table=School._meta.db_table, count=new)
    current = plan.incoming[plan.current].assign(
        school_id=plan.ids[plan.current], touched=(plan.is_new | changed)[plan.current]
    )
    pending = [meanwhile] if meanwhile is not None else []

    def run_pending() -> None:
        while pending:
            pending.pop()(current)

    _insert_new(partnership, plan, now, meanwhile=run_pending)
    _update_changed(partnership, plan, changed, now, meanwhile=run_pending)
    run_pending()
    recorded = _record_changes(plan, job, now)
    counts = {
        "rows": rows.rows,
        "created": int(plan.is_new.sum()),
        "updated": int(changed.sum()),
        "unchanged": int((~plan.is_new & ~changed & ~plan.stale).sum()),
        "skipped_other_la": rows.skipped_other_la,
        "skipped_older": int(plan.stale.sum()),
        "changes_recorded": recorded,
    }
    return counts, current


def school_plan(*, partnership: Partnership, rows: SchoolRows) -> Plan:
    """Compare checked rows with the stored register (one query) and work out what differs."""
    incoming = rows.frame.reset_index(drop=True)
    fields = list(rows.fields)
    wanted = sorted(set(fields) | _codes_to_carry(fields) | {"gias_last_changed"})
    stored_ids, stored_urns, stored = _stored_schools(partnership.pk, wanted)
    where = pd.Index(stored_urns).get_indexer(incoming["urn"].to_numpy())
    is_new = where < 0
    ids = np.where(is_new, -1, stored_ids[where] if len(stored_ids) else -1).astype(np.int64)
    existing = {f: _aligned(stored[f], where, is_new) for f in wanted}
    stale = _stale(incoming, existing, is_new, fields)
    fields += _carry_codes(incoming, existing, is_new, fields)
    differs = {f: ~is_new & ~stale & (incoming[f].to_numpy() != existing[f]) for f in fields}
    return Plan(incoming, existing, fields, ids, is_new, stale, differs)


def _aligned(values: np.ndarray, where: np.ndarray, is_new: np.ndarray) -> np.ndarray:
    if not len(values):
        return np.full(len(where), "", dtype=object)
    out = values[where]
    out[is_new] = ""
    return out


def _codes_to_carry(fields: list[str]) -> set[str]:
    return {code for name, code in CODE_FOR_NAME.items() if name in fields and code not in fields}


def _stored_schools(partnership_id: int, fields: list[str]) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Ids, URNs and canonical text of ``fields`` for the partnership's stored schools (one query)."""
    annotations = {f"c_{f}": _as_text(f) for f in fields}
    query = (
        School.objects.filter(partnership_id=partnership_id)
        .annotate(**annotations)
        .values_list("id", "urn", *annotations)
    )
    frame = queryset_frame(query, ["id", "urn", *fields])
    ids = frame["id"].to_numpy().astype(np.int64)
    urns = frame["urn"].to_numpy().astype(np.int64)
    return ids, urns, {f: frame[f].to_numpy(dtype=object) for f in fields}


def _as_text(field: str):
    if _KINDS.get(field, TEXT) == TEXT:
        return F(field)
    return Coalesce(Cast(field, output_field=TextField()), Value(""), output_field=TextField())


def _stale(incoming: pd.DataFrame, existing: dict, is_new: np.ndarray, fields: list[str]) -> np.ndarray:
    """Rows whose LastChangedDate is older than the stored one (ISO dates compare as text)."""
    if "gias_last_changed" not in fields:
        return np.zeros(len(incoming), dtype=bool)
    new, old = incoming["gias_last_changed"].to_numpy(), existing["gias_last_changed"]
    return ~is_new & (new != "") & (old != "") & (new < old)


def _carry_codes(incoming: pd.DataFrame, existing: dict, is_new: np.ndarray, fields: list[str]) -> list[str]:
    """For a file with names but no codes: keep the stored code while the name is unchanged, else clear it."""
    carried = []
    for name, code in CODE_FOR_NAME.items():
        if name in fields and code not in fields:
            renamed = is_new | (incoming[name].to_numpy() != existing[name])
            incoming[code] = np.where(renamed, "", existing[code]).astype(object)
            carried.append(code)
    return carried


def _write_frame(partnership: Partnership, plan: Plan, rows: np.ndarray, now: dt.datetime) -> pd.DataFrame:
    """Full School rows for the file rows selected by ``rows``; columns the file lacks are blank."""
    chosen = plan.incoming[rows]
    frame = pd.DataFrame({"id": plan.ids[rows].astype(object)})
    frame["partnership_id"] = partnership.pk
    frame["urn"] = chosen["urn"].to_numpy(dtype=object)
    for column in SCHOOL_COLUMNS:
        present = column.field in plan.fields
        frame[column.field] = chosen[column.field].to_numpy(dtype=object) if present else ""
    frame["latitude"], frame["longitude"] = _lat_long(chosen, plan.fields)
    frame["imported_at"] = now.isoformat()
    return frame


def _lat_long(rows: pd.DataFrame, fields: list[str]) -> tuple[np.ndarray, np.ndarray]:
    blank = np.full(len(rows), "", dtype=object)
    if "easting" not in fields or "northing" not in fields:
        return blank, blank
    east = pd.to_numeric(rows["easting"].to_numpy(dtype=object), errors="coerce")
    north = pd.to_numeric(rows["northing"].to_numpy(dtype=object), errors="coerce")
    latitude, longitude = grid_to_lat_long(np.asarray(east, dtype=float), np.asarray(north, dtype=float))
    return _floats(latitude), _floats(longitude)


def _floats(values: np.ndarray) -> np.ndarray:
    """Floats as objects for COPY, with "" (NULL) where there is no value."""
    out = values.astype(object)
    out[np.isnan(values)] = ""
    return out


def _insert_new(partnership: Partnership, plan: Plan, now: dt.datetime, *, meanwhile: Callable[[], None]) -> None:
    """COPY new schools straight into the table, with the ids ``school_rows_apply`` drew from its sequence.

    The diff says none of them exists; should one have appeared meanwhile, the unique constraint fails the
    transaction and nothing is written.
    """
    if not plan.is_new.any():
        return
    frame = _write_frame(partnership, plan, plan.is_new, now)
    copy_frame(table=School._meta.db_table, frame=frame, nullable=NULLABLE_COLUMNS, meanwhile=meanwhile)


def _update_columns(fields: list[str]) -> list[str]:
    columns = [f for f in WRITE_COLUMNS if f in fields]
    if "easting" in fields and "northing" in fields:
        columns += ["latitude", "longitude"]
    return [*columns, "imported_at"]


def _update_changed(
    partnership: Partnership, plan: Plan, changed: np.ndarray, now: dt.datetime, *, meanwhile: Callable[[], None]
) -> None:
    """Changed schools go through a staging table and one INSERT … ON CONFLICT DO UPDATE of the file's columns."""
    if not changed.any():
        return
    frame = _write_frame(partnership, plan, changed, now)
    temp_table_like(name=STAGING_TABLE, source=School._meta.db_table, columns=list(WRITE_COLUMNS))
    copy_frame(table=STAGING_TABLE, frame=frame, nullable=NULLABLE_COLUMNS, meanwhile=meanwhile)
    columns = sql.SQL(", ").join(map(sql.Identifier, WRITE_COLUMNS))
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in _update_columns(plan.fields)
    )
    statement = sql.SQL(
        "INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "
        "ON CONFLICT (partnership_id, urn) DO UPDATE SET {updates}"
    ).format(
        table=sql.Identifier(School._meta.db_table),
        columns=columns,
        staging=sql.Identifier(STAGING_TABLE),
        updates=updates,
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string())


def _record_changes(plan: Plan, job: ImportJob | None, now: dt.datetime) -> int:
    """One SchoolChange row per tracked field that differs (new schools get none: nothing to compare with)."""
    parts = [
        pd.DataFrame(
            {
                "school_id": plan.ids[mask].astype(object),
                "field": field,
                "old_value": plan.existing[field][mask],
                "new_value": plan.incoming[field].to_numpy()[mask],
                "changed_on": plan.incoming["changed_on"].to_numpy()[mask],
            }
        )
        for field in TRACKED_FIELDS
        if (mask := plan.differs.get(field)) is not None and mask.any()
    ]
    if not parts:
        return 0
    changes = pd.concat(parts, ignore_index=True)
    changes["recorded_at"] = now.isoformat()
    changes["import_job_id"] = job.pk if job is not None else ""
    copy_frame(table=SchoolChange._meta.db_table, frame=changes, nullable=["import_job_id"])
    return len(changes)
