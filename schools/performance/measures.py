"""Checking a KS2, KS4, absence or census file whole and turning it into long rows of measures and averages.

Every row of the file is checked (other LAs' rows too: they feed the England averages), all problems are
collected at once, and nothing is returned unless the file is clean. Then:

* school rows (RECTYPE 1/2, or any row of an absence/census file that is not a national ``NAT`` row) of the
  partnership's LA codes, or with a URN the register knows (directly or through its links), become one value
  per measure and year: the year's own columns, and for KS2/KS4 the earlier years the file repeats;
* summary rows become area averages: LA rows (KS2 RECTYPE 3, KS4 RECTYPE 4) for the partnership's LAs, and the
  England row (state-funded where the file has it: KS2 RECTYPE 5, KS4 RECTYPE 7; else all schools, 4 / 5);
* absence and census files have only national rows by phase (``england/primary`` …), so ``england`` and each
  LA's figure are the unweighted means over the file's school rows (``basis = school_mean``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from schools.importers.checking import Problems, check_urns
from schools.importers.errors import file_error
from schools.performance.layouts import (
    ENGLAND,
    NATIONAL_MARKER,
    PHASE_AREAS,
    RANK_OWN,
    Layout,
    Measure,
    implied_year,
    previous_columns,
)
from schools.performance.reading import PerformanceSource
from schools.performance.values import Parsed, measure_parse
from schools.performance.years import academic_year_label

VALUE_COLUMNS = ["urn", "year", "code", "value", "missing", "raw", "source_rank"]
AVERAGE_COLUMNS = ["year", "code", "area", "value", "basis", "schools_counted", "source_rank"]


@dataclass(frozen=True)
class Column:
    """One column of the file read as ``measure`` for ``year`` (with the rank of that kind of source)."""

    measure: Measure
    heading: str
    year: int
    rank: int


@dataclass
class MeasureRows:
    """A checked file: long values of the partnership's school rows, the averages, and what was left out."""

    values: pd.DataFrame
    averages: pd.DataFrame
    rows: int
    school_rows: int
    skipped_other_la: int
    skipped_years: int = 0
    columns: list[Column] = field(default_factory=list)


def measure_rows_check(
    *, source: PerformanceSource, layout: Layout, year: int, la_codes: list[str], known_urns: np.ndarray
) -> MeasureRows:
    """Check the whole file and return its measures; raise ImportRejected listing every problem otherwise."""
    ids = _identity_headings(source, layout)
    columns = _measure_columns(source, layout, year)
    table = source.table([*ids.values(), *(c.heading for c in columns)])
    frame = table.frame
    problems = Problems(table)
    positions = np.arange(len(frame))
    kinds = _row_kinds(frame, layout, ids, positions, problems)
    school = kinds["school"]
    urns = np.zeros(len(frame), dtype=np.int64)
    urns[school] = check_urns(frame[ids["urn"]][school], positions[school], problems, heading=ids["urn"])
    la = frame[ids["la"]].to_numpy(dtype=object)
    needs_la = school | kinds["la"]
    bad_la = needs_la & ~frame[ids["la"]].str.fullmatch(r"\d{3}").fillna(False).to_numpy(dtype=bool)
    problems.add(positions[bad_la], ids["la"], f"{ids['la']} must be a three-digit LA code, like 936")
    parsed: dict[str, Parsed] = {}
    for column in columns:
        if column.heading not in parsed:
            cells = measure_parse(frame[column.heading], measure=column.measure, heading=column.heading)
            problems.add(positions[cells.bad], column.heading, cells.message)
            parsed[column.heading] = cells
    problems.raise_if_any()
    keep = school & (_in_las(la, la_codes) | np.isin(urns, known_urns))
    values, skipped_years = _long_values(columns, parsed, urns, keep)
    averages = _averages(layout, columns, parsed, frame, ids, kinds, la, la_codes)
    return MeasureRows(
        values=values,
        averages=averages,
        rows=len(frame),
        school_rows=int(school.sum()),
        skipped_other_la=int((school & ~keep).sum()),
        skipped_years=skipped_years,
        columns=columns,
    )


# --- Headings ---------------------------------------------------------------------------------------------------


def _identity_headings(source: PerformanceSource, layout: Layout) -> dict[str, str]:
    wanted = {"urn": "URN", "la": layout.la_column}
    if layout.rectype_column:
        wanted["rectype"] = layout.rectype_column
    if layout.national_column:
        wanted["national"] = layout.national_column
    found = {key: source.heading(name) for key, name in wanted.items()}
    for key, name in wanted.items():
        if found[key] is None:
            raise file_error(f"The file has no {name} column", column=name, row=1)
    if layout.phase_column and source.heading(layout.phase_column):
        found["phase"] = source.heading(layout.phase_column)
    return {key: heading for key, heading in found.items() if heading}


def _measure_columns(source: PerformanceSource, layout: Layout, year: int) -> list[Column]:
    """The file's columns for the layout's measures: own year first, then earlier years it repeats."""
    columns = [
        Column(m, heading, year, RANK_OWN) for m in layout.measures if (heading := source.heading(m.column)) is not None
    ]
    if layout.previous_years:
        _check_year(source, layout, year)
        for measure in layout.measures:
            columns += [Column(measure, h, y, rank) for h, y, rank in previous_columns(measure, year, source.index)]
    if not columns:
        names = ", ".join(m.column for m in layout.measures)
        raise file_error(f"The file has none of the {layout.label} columns ({names})", row=1)
    return columns


def _check_year(source: PerformanceSource, layout: Layout, year: int) -> None:
    implied = implied_year(layout, source.index)
    if implied is not None and implied[0] != year:
        found, heading = implied
        raise file_error(
            f"The file's previous-year columns (like {heading}) say it is for {academic_year_label(found)}, "
            f"not {academic_year_label(year)}: check the year",
            column=heading,
            row=1,
        )


# --- Rows -------------------------------------------------------------------------------------------------------


def _row_kinds(
    frame: pd.DataFrame, layout: Layout, ids: dict[str, str], positions: np.ndarray, problems: Problems
) -> dict[str, np.ndarray]:
    """Boolean masks: school rows, LA summary rows, England rows (with their RECTYPE or phase)."""
    none = np.zeros(len(frame), dtype=bool)
    if layout.rectype_column:
        rectype = frame[ids["rectype"]]
        known = rectype.isin(list(layout.rectypes)).to_numpy()
        allowed = ", ".join(sorted(layout.rectypes))
        problems.add(positions[~known], ids["rectype"], f"{ids['rectype']} must be one of {allowed}")
        return {
            "school": rectype.isin(list(layout.school_rectypes)).to_numpy(),
            "la": rectype.isin(list(layout.la_rectypes)).to_numpy(),
            "england": rectype.isin(list(layout.england_rectypes)).to_numpy(),
            "national_phase": none,
        }
    national = (frame[ids["national"]] == NATIONAL_MARKER).to_numpy()
    if "phase" in ids:
        known_phase = frame[ids["phase"]].isin(list(PHASE_AREAS)).to_numpy()
        message = f"{ids['phase']} on a national row must be PRI, SEC or SPE"
        problems.add(positions[national & ~known_phase], ids["phase"], message)
    return {"school": ~national, "la": none, "england": none, "national_phase": national & ("phase" in ids)}


def _in_las(la: np.ndarray, la_codes: list[str]) -> np.ndarray:
    if not la_codes:
        return np.ones(len(la), dtype=bool)
    return np.isin(la, np.asarray(la_codes, dtype=object))


def _long_values(
    columns: list[Column], parsed: dict[str, Parsed], urns: np.ndarray, keep: np.ndarray
) -> tuple[pd.DataFrame, int]:
    """One row per kept school, column; a (urn, year, code) given twice keeps its best-ranked source."""
    parts = []
    skipped = 0
    for column in columns:
        if column.year < column.measure.since:
            skipped += int(keep.sum())
            continue
        cells = parsed[column.heading]
        parts.append(
            pd.DataFrame(
                {
                    "urn": urns[keep],
                    "year": column.year,
                    "code": column.measure.code,
                    "value": cells.value[keep],
                    "missing": cells.missing[keep],
                    "raw": cells.raw[keep],
                    "source_rank": column.rank,
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in VALUE_COLUMNS}), skipped
    values = pd.concat(parts, ignore_index=True)
    values = values.sort_values("source_rank", ascending=False, kind="stable")
    return values.drop_duplicates(["urn", "year", "code"]).reset_index(drop=True), skipped


# --- Averages ---------------------------------------------------------------------------------------------------


def _averages(
    layout: Layout,
    columns: list[Column],
    parsed: dict[str, Parsed],
    frame: pd.DataFrame,
    ids: dict[str, str],
    kinds: dict[str, np.ndarray],
    la: np.ndarray,
    la_codes: list[str],
) -> pd.DataFrame:
    averaged = [c for c in columns if c.measure.averaged and c.year >= c.measure.since]
    areas = _summary_areas(layout, frame, ids, kinds, la, la_codes)
    parts = [_published(averaged, parsed, areas)]
    if not layout.rectype_column:
        parts.append(_school_means(averaged, parsed, kinds["school"], la, la_codes))
    frame_out = pd.concat(parts, ignore_index=True)
    frame_out = frame_out.sort_values("source_rank", ascending=False, kind="stable")
    return frame_out.drop_duplicates(["year", "code", "area"]).reset_index(drop=True)


def _summary_areas(
    layout: Layout,
    frame: pd.DataFrame,
    ids: dict[str, str],
    kinds: dict[str, np.ndarray],
    la: np.ndarray,
    la_codes: list[str],
) -> pd.Series:
    """Area name by row position for the summary rows worth keeping (one row per area: the first)."""
    areas = pd.Series(None, index=range(len(frame)), dtype=object)
    in_scope = kinds["la"] & _in_las(la, la_codes)
    areas[in_scope] = la[in_scope]
    for rectype in layout.england_rectypes:  # state-funded first
        rows = kinds["england"] & (frame[ids["rectype"]] == rectype).to_numpy() if "rectype" in ids else None
        if rows is not None and rows.any():
            areas[rows] = ENGLAND
            break
    phases = kinds["national_phase"]
    if phases.any():
        areas[phases] = frame.loc[phases, ids["phase"]].map(PHASE_AREAS).to_numpy()
    areas = areas.dropna()
    return areas[~areas.duplicated(keep="first")]


def _published(columns: list[Column], parsed: dict[str, Parsed], areas: pd.Series) -> pd.DataFrame:
    positions = areas.index.to_numpy()
    parts = [
        pd.DataFrame(
            {
                "year": c.year,
                "code": c.measure.code,
                "area": areas.to_numpy(dtype=object),
                "value": parsed[c.heading].value[positions],
                "basis": "published",
                "schools_counted": np.nan,
                "source_rank": c.rank,
            }
        )
        for c in columns
    ]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=AVERAGE_COLUMNS)
    return frame[frame["value"].notna()]


def _school_means(
    columns: list[Column], parsed: dict[str, Parsed], school: np.ndarray, la: np.ndarray, la_codes: list[str]
) -> pd.DataFrame:
    """Unweighted means over school rows: England (every row) and each LA in scope."""
    parts = []
    for c in columns:
        values = pd.DataFrame({"la": la[school], "value": parsed[c.heading].value[school]})
        england = values["value"].agg(["mean", "count"])
        by_la = (
            values[_in_las(values["la"].to_numpy(dtype=object), la_codes)].groupby("la")["value"].agg(["mean", "count"])
        )
        areas = pd.concat([pd.DataFrame([england.to_numpy()], index=[ENGLAND], columns=["mean", "count"]), by_la])
        areas = areas[areas["count"] > 0]
        parts.append(
            pd.DataFrame(
                {
                    "year": c.year,
                    "code": c.measure.code,
                    "area": areas.index.to_numpy(dtype=object),
                    "value": areas["mean"].to_numpy(dtype=float),
                    "basis": "school_mean",
                    "schools_counted": areas["count"].to_numpy(dtype=float),
                    "source_rank": c.rank,
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=AVERAGE_COLUMNS)
