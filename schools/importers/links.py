"""Writing checked GIAS links (predecessor/successor and the like): insert new ones, refresh changed ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import TextField, Value
from django.db.models.functions import Cast, Coalesce
from psycopg import sql

from partnership.models import Partnership
from schools.importers.checking import LinkRows
from schools.importers.db import copy_frame, temp_table_like
from schools.models import School, SchoolLink

STAGING_TABLE = "gias_link_in"
KEY = ["urn", "linked_urn", "link_type"]
COLUMNS = ["partnership_id", "urn", "linked_urn", "linked_name", "link_type", "established_on"]


def partnership_urns(*, partnership: Partnership) -> set[int]:
    """URNs of the partnership's register (the links worth keeping touch one of them)."""
    return set(School.objects.filter(partnership=partnership).values_list("urn", flat=True))


def link_rows_apply(*, partnership: Partnership, rows: LinkRows) -> dict[str, int]:
    """Upsert the checked links that are new or changed; links no longer in the file are kept."""
    incoming = rows.frame.reset_index(drop=True)
    stored = _stored_links(partnership).reindex(pd.MultiIndex.from_frame(incoming[KEY])).reset_index(drop=True)
    is_new = stored["linked_name"].isna().to_numpy()
    stored = stored.fillna("")
    changed = ~is_new & (
        (incoming["linked_name"].to_numpy() != stored["linked_name"].to_numpy())
        | (incoming["established_on"].to_numpy() != stored["established_on"].to_numpy())
    )
    _upsert(partnership, incoming[is_new | changed])
    return {
        "rows": rows.rows,
        "links_created": int(is_new.sum()),
        "links_updated": int(changed.sum()),
        "links_unchanged": int((~is_new & ~changed).sum()),
        "links_skipped": rows.skipped,
    }


def _stored_links(partnership: Partnership) -> pd.DataFrame:
    query = (
        SchoolLink.objects.filter(partnership=partnership)
        .annotate(
            c_established_on=Coalesce(
                Cast("established_on", output_field=TextField()), Value(""), output_field=TextField()
            )
        )
        .values_list("urn", "linked_urn", "link_type", "linked_name", "c_established_on")
    )
    frame = pd.DataFrame(list(query), columns=[*KEY, "linked_name", "established_on"], dtype=object)
    frame[["urn", "linked_urn"]] = frame[["urn", "linked_urn"]].astype(np.int64)
    return frame.set_index(KEY)


def _upsert(partnership: Partnership, rows: pd.DataFrame) -> None:
    if rows.empty:
        return
    frame = rows[["urn", "linked_urn", "linked_name", "link_type", "established_on"]].astype(str)
    frame.insert(0, "partnership_id", str(partnership.pk))
    temp_table_like(name=STAGING_TABLE, source=SchoolLink._meta.db_table, columns=COLUMNS)
    copy_frame(table=STAGING_TABLE, frame=frame, nullable=["established_on"])
    columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
    statement = sql.SQL(
        "INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "
        "ON CONFLICT (partnership_id, urn, linked_urn, link_type) "
        "DO UPDATE SET linked_name = EXCLUDED.linked_name, established_on = EXCLUDED.established_on"
    ).format(table=sql.Identifier(SchoolLink._meta.db_table), columns=columns, staging=sql.Identifier(STAGING_TABLE))
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string())
