"""Checking every row of a GIAS file before anything is written, collecting all problems at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from schools.importers import values as v
from schools.importers.columns import (
    DATE,
    DECIMAL,
    INT,
    LA_CODE,
    LINK_DATE,
    LINK_LINKED_URN,
    LINK_NAME,
    LINK_TYPE,
    LINK_URN,
    REQUIRED_LINK_HEADINGS,
    REQUIRED_SCHOOL_HEADINGS,
    REQUIRED_SCHOOL_VALUES,
    SCHOOL_COLUMNS,
    TEXT,
    URN,
    Column,
    resolve_headings,
    school_field_limits,
    school_int_limits,
    text_max_length,
)
from schools.importers.errors import MAX_STORED_ERRORS, ImportRejected, RowError
from schools.importers.reading import Table
from schools.models import SchoolLink


@dataclass
class Problems:
    """Errors found so far: every one is counted, the first MAX_STORED_ERRORS by row are kept."""

    table: Table
    total: int = 0
    found: list[tuple[int, int, str, str]] = field(default_factory=list)

    def add(self, positions: np.ndarray, column: str, messages: list[str] | str) -> None:
        """Record problems in ``column`` at row ``positions`` (ascending)."""
        if not len(positions):
            return
        self.total += len(positions)
        kept = positions[:MAX_STORED_ERRORS]
        texts = [messages] * len(kept) if isinstance(messages, str) else messages[:MAX_STORED_ERRORS]
        order = len(self.found)
        self.found.extend((int(p), order, column, t) for p, t in zip(kept, texts, strict=True))

    def add_checked(self, checked: v.Checked, positions: np.ndarray, column: str) -> None:
        """Record the rows a column check failed."""
        self.add(positions[checked.bad], column, checked.message)

    def raise_if_any(self) -> None:
        """Raise ImportRejected listing the problems in file order."""
        if not self.total:
            return
        first = sorted(self.found)[:MAX_STORED_ERRORS]
        lines = self.table.line_numbers([p for p, *_ in first])
        errors = [RowError(line, column, text) for line, (_, _, column, text) in zip(lines, first, strict=True)]
        raise ImportRejected(errors, total=self.total)


def _headings(header: list[str], wanted: tuple[str, ...], required: tuple[str, ...]) -> dict[str, str]:
    """Canonical heading → heading as written in ``header``; reject a file lacking a required one."""
    found = resolve_headings(header, wanted)
    missing = [h for h in required if h not in found]
    if missing:
        raise ImportRejected([RowError(1, h, f"The file has no {h} column") for h in missing])
    return found


def school_headings(header: list[str]) -> dict[str, str]:
    """The establishment columns this file carries (canonical → actual heading); required ones must be there."""
    return _headings(header, (URN, *(c.heading for c in SCHOOL_COLUMNS)), REQUIRED_SCHOOL_HEADINGS)


def link_headings(header: list[str]) -> dict[str, str]:
    """The links-file columns this file carries (canonical → actual heading); required ones must be there."""
    return _headings(header, (LINK_URN, LINK_LINKED_URN, LINK_NAME, LINK_TYPE, LINK_DATE), REQUIRED_LINK_HEADINGS)


@dataclass
class SchoolRows:
    """Checked establishment rows of one partnership: canonical strings keyed by School field name.

    ``frame`` has ``urn`` (int), ``_pos`` (row position in the file), ``changed_on`` (ISO date) and one column
    per School field the file carries (``fields``).
    """

    frame: pd.DataFrame
    fields: list[str]
    rows: int
    skipped_other_la: int


def school_rows_check(*, table: Table, headings: dict[str, str], la_codes: list[str], today: dt.date) -> SchoolRows:
    """Check an establishments table; rows outside ``la_codes`` (empty = all) are counted and not checked."""
    source = table.frame
    positions = np.arange(len(source))
    problems = Problems(table)
    urns = check_urns(source[headings[URN]], positions, problems, heading=headings[URN])
    keep = _in_partnership(source[headings[LA_CODE]], la_codes)
    kept, kept_positions = source[keep], positions[keep]
    out = {"urn": urns[keep], "_pos": kept_positions}
    present = [c for c in SCHOOL_COLUMNS if c.heading in headings]
    for column in present:
        checked = _check_column(column, kept[headings[column.heading]], headings[column.heading])
        problems.add_checked(checked, kept_positions, headings[column.heading])
        out[column.field] = checked.values
    for heading in REQUIRED_SCHOOL_VALUES[1:]:
        filled = v.check_filled(kept[headings[heading]], heading=headings[heading])
        problems.add_checked(filled, kept_positions, headings[heading])
    problems.raise_if_any()
    frame = pd.DataFrame(out)
    frame["changed_on"] = _changed_on(frame, today)
    return SchoolRows(frame, [c.field for c in present], len(source), int((~keep).sum()))


def check_urns(values: pd.Series, positions: np.ndarray, problems: Problems, *, heading: str) -> np.ndarray:
    """URNs of ``values`` as int64 (0 where bad); bad and repeated URNs are recorded in ``problems``."""
    checked = v.check_urn(values, heading=heading)
    problems.add_checked(checked, positions, heading)
    urns = checked.values
    series = pd.Series(urns).where(~checked.bad)
    duplicate = series.duplicated(keep="first").to_numpy() & ~checked.bad
    if duplicate.any():
        first = pd.Series(positions).groupby(series.to_numpy()).transform("min").to_numpy()
        first_lines = problems.table.line_numbers(first[duplicate][:MAX_STORED_ERRORS])
        messages = [
            f"URN {urn} appears more than once: it is also on row {line}"
            for urn, line in zip(urns[duplicate][:MAX_STORED_ERRORS], first_lines, strict=True)
        ]
        problems.add(positions[duplicate], heading, messages)
    return urns


def _in_partnership(la_values: pd.Series, la_codes: list[str]) -> np.ndarray:
    if not la_codes:
        return np.ones(len(la_values), dtype=bool)
    return la_values.isin(la_codes).to_numpy()


def _check_column(column: Column, values: pd.Series, heading: str) -> v.Checked:
    if column.kind == TEXT:
        return _check_values(column, values, heading)
    # Numbers and dates repeat (a census date, pupil numbers, opening dates): check each distinct value once.
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    checked = _check_values(column, pd.Series(uniques, dtype=object), heading)
    return v.Checked(checked.values[codes], checked.bad[codes], checked.message)


def _check_values(column: Column, values: pd.Series, heading: str) -> v.Checked:
    if column.kind == INT:
        return v.check_int(values, heading=heading, maximum=school_int_limits()[column.field])
    if column.kind == DATE:
        return v.check_date(values, heading=heading)
    if column.kind == DECIMAL:
        return v.check_percent(values, heading=heading)
    return v.check_text(values, heading=heading, max_length=school_field_limits()[column.field])


def _changed_on(frame: pd.DataFrame, today: dt.date) -> np.ndarray:
    if "gias_last_changed" not in frame:
        return np.full(len(frame), today.isoformat(), dtype=object)
    stamped = frame["gias_last_changed"].to_numpy(dtype=object)
    return np.where(stamped == "", today.isoformat(), stamped).astype(object)


@dataclass
class LinkRows:
    """Checked links touching the partnership's schools: urn, linked_urn (int), linked_name, link_type,
    established_on (ISO or "")."""

    frame: pd.DataFrame
    rows: int
    skipped: int


def link_rows_check(*, table: Table, headings: dict[str, str], partnership_urns: set[int]) -> LinkRows:
    """Check a links table; links with neither URN in the register are counted and not checked further."""
    source = table.frame
    positions = np.arange(len(source))
    problems = Problems(table)
    urns = _check_link_urn(source[headings[LINK_URN]], positions, problems, headings[LINK_URN])
    linked = _check_link_urn(source[headings[LINK_LINKED_URN]], positions, problems, headings[LINK_LINKED_URN])
    known = np.fromiter(partnership_urns, dtype=np.int64, count=len(partnership_urns))
    keep = np.isin(urns, known) | np.isin(linked, known)
    kept, kept_positions = source[keep], positions[keep]
    out = {"urn": urns[keep], "linked_urn": linked[keep], "_pos": kept_positions}
    out["link_type"] = _link_text(kept, headings, LINK_TYPE, kept_positions, problems)
    out["linked_name"] = _link_text(kept, headings, LINK_NAME, kept_positions, problems)
    out["established_on"] = _link_date(kept, headings, kept_positions, problems)
    frame = pd.DataFrame(out)
    duplicate = frame.duplicated(["urn", "linked_urn", "link_type"], keep="first").to_numpy()
    problems.add(kept_positions[duplicate], headings[LINK_LINKED_URN], "This link appears more than once in the file")
    problems.raise_if_any()
    return LinkRows(frame, len(source), int((~keep).sum()))


def _check_link_urn(values: pd.Series, positions: np.ndarray, problems: Problems, heading: str) -> np.ndarray:
    checked = v.check_urn(values, heading=heading)
    problems.add_checked(checked, positions, heading)
    return checked.values


def _link_text(kept: pd.DataFrame, headings: dict, key: str, positions: np.ndarray, problems: Problems) -> np.ndarray:
    if key not in headings:
        return np.full(len(kept), "", dtype=object)
    heading = headings[key]
    limit = text_max_length(SchoolLink, "link_type" if key == LINK_TYPE else "linked_name")
    checked = v.check_text(kept[heading], heading=heading, max_length=limit)
    problems.add_checked(checked, positions, heading)
    if key == LINK_TYPE:
        problems.add_checked(v.check_filled(kept[heading], heading=heading), positions, heading)
    return checked.values


def _link_date(kept: pd.DataFrame, headings: dict, positions: np.ndarray, problems: Problems) -> np.ndarray:
    if LINK_DATE not in headings:
        return np.full(len(kept), "", dtype=object)
    checked = v.check_date(kept[headings[LINK_DATE]], heading=headings[LINK_DATE])
    problems.add_checked(checked, positions, headings[LINK_DATE])
    return checked.values
