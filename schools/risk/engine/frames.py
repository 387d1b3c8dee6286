"""The engine's input and output frames (docs/design/risk-data-contract.md), and their normalisation.

``RiskInputs`` is what the loader (``schools/risk/inputs.py``) builds; every frame may be empty or lack optional
columns: ``inputs_normalise`` adds what is missing with empty values, fixes dtypes and drops rows for schools
that are not in ``schools`` (so no school is ever added or dropped by the engine).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SCHOOL_COLUMNS: dict[str, object] = {
    "urn": "float64",
    "name": "object",
    "phase": "object",
    "is_academy": "bool",
    "type_group": "object",
    "district": "object",
    "number_of_pupils": "float64",
    "head_changes_3y": "float64",
    "head_since": "datetime64[ns]",
    # optional: lets an infant school (high age 7) be told apart from a primary with year 6
    "statutory_high_age": "float64",
    # optional: "special" or "ap" (pupil referral units and alternative provision), compared only with their own
    # national figures (area "england/special", "england/ap") and not scored where the DfE publishes none
    "provision": "object",
}
MEASURE_COLUMNS = ("school_id", "year", "code", "value", "missing")
AVERAGE_COLUMNS = ("year", "code", "area", "value")
INSPECTION_TEXT = (
    "framework",
    "safeguarding_effective",
    "category_of_concern",
    "ungraded_outcome",
    "rc_inclusion",
    "rc_curriculum_teaching",
    "rc_achievement",
    "rc_attendance_behaviour",
    "rc_personal_development",
    "rc_leadership_governance",
    "rc_early_years",
    "rc_post16",
    "rc_safeguarding_met",
    # Ofsted MI: false when the row is a predecessor school's inspection filed under the current URN (#14)
    "relates_to_current_urn",
    "urn_at_inspection",
)
INSPECTION_GRADES = (
    "overall",
    "quality_of_education",
    "behaviour_attitudes",
    "personal_development",
    "leadership_management",
)
INTELLIGENCE_COLUMNS = ("school_id", "kind", "rating", "recorded_on", "summary", "thread")
"""``thread`` (optional): the issue an entry belongs to (the id of its first entry); empty: an issue of its own."""


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass(frozen=True, kw_only=True)
class RiskInputs:
    """Everything the engine reads, as DataFrames (see the contract); ``as_at`` is the year categorised for."""

    as_at: int
    today: dt.date
    schools: pd.DataFrame = field(default_factory=_empty_frame)
    measures: pd.DataFrame = field(default_factory=_empty_frame)
    averages: pd.DataFrame = field(default_factory=_empty_frame)
    inspections: pd.DataFrame = field(default_factory=_empty_frame)
    intelligence: pd.DataFrame = field(default_factory=_empty_frame)


@dataclass(frozen=True)
class RiskResult:
    """The engine's answer.

    ``schools``: one row per input school (index ``school_id``); ``indicators``: one row per school and
    indicator code (``school_id``, ``code``, ``dimension``, ``label``, ``rating``, ``points``, ``value``,
    ``sentence``, ``missing``, ``applicable``, ``scored``).
    """

    schools: pd.DataFrame
    indicators: pd.DataFrame
    ruleset_version: str
    as_at: int


def via_uniques(series: pd.Series, transform: Callable[[pd.Index], pd.Index]) -> pd.Series:
    """Apply a vectorised text ``transform`` to the distinct values only, then spread back (NaN -> "")."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = np.append(np.asarray(transform(pd.Index(uniques, dtype=object)), dtype=object), "")
    return pd.Series(labels[codes], index=series.index, dtype=object)


def _text(series: pd.Series, *, lower: bool = False) -> pd.Series:
    """A text column with missing values as empty strings (cleaned, and lower-cased if asked, once per distinct
    value)."""
    if lower:
        return via_uniques(series, lambda u: u.astype(str).str.strip().str.lower())
    return via_uniques(series, lambda u: u.astype(str).str.strip())


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce").astype("datetime64[ns]")


def _ensure(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for col in columns:
        if col not in frame.columns:
            frame[col] = np.nan
    return frame


def schools_normalise(schools: pd.DataFrame) -> pd.DataFrame:
    """The schools frame indexed by ``school_id`` with every expected column; duplicate ids are an error."""
    frame = schools.copy()
    if "school_id" in frame.columns:
        frame = frame.set_index("school_id")
    frame.index.name = "school_id"
    if frame.index.has_duplicates:
        dupes = sorted(frame.index[frame.index.duplicated()].unique().tolist())[:5]
        raise ValueError(f"schools has duplicate school_id values: {dupes}")
    frame = _ensure(frame, list(SCHOOL_COLUMNS))
    for col in ("urn", "number_of_pupils", "head_changes_3y", "statutory_high_age"):
        frame[col] = _numeric(frame[col])
    frame["head_since"] = _dates(frame["head_since"])
    frame["is_academy"] = frame["is_academy"].astype(object).where(frame["is_academy"].notna(), False).astype(bool)
    for col in ("name", "phase", "type_group", "district", "provision"):
        frame[col] = _text(frame[col])
    return frame


def _clean_labels(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``_text`` as integer labels: (label per row, cleaned distinct text per label), each text once."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    cleaned = np.append(np.asarray(pd.Index(uniques, dtype=object).astype(str).str.strip(), dtype=object), "")
    merged, texts = pd.factorize(cleaned)  # " SUPP" and "SUPP" are one label
    return merged.astype(np.int32)[codes], np.asarray(texts, dtype=object)


class MeasureTable:
    """Measures of known schools, one row per (school, year, code), held as integer positions.

    ``school`` is the row's position in ``index``, ``year`` its position in ``years`` (sorted), ``code`` and
    ``missing`` positions in ``codes`` and ``markers`` (text cleaned as ``_text`` does). Of several rows for the
    same school, year and code, a value beats a missing marker, then the higher value, then the first marker in
    text order, whatever the input's row order. Per-code grids (schools x years) are built on first use, so a
    lookup is array indexing, not index alignment.
    """

    def __init__(self, measures: pd.DataFrame, index: pd.Index) -> None:
        frame = _ensure(measures, MEASURE_COLUMNS) if not set(MEASURE_COLUMNS) <= set(measures.columns) else measures
        self.index = index
        school = index.get_indexer(frame["school_id"]) if len(frame) else np.array([], dtype=np.intp)
        year = _numeric(frame["year"]).to_numpy()
        keep = (school >= 0) & ~np.isnan(year)
        rows = np.flatnonzero(keep)
        every = len(rows) == len(frame)

        def kept(column: pd.Series) -> pd.Series:
            return column if every else column.iloc[rows]

        year_int = year[rows].astype("int64")
        self.years = np.unique(year_int)
        code, self.codes = _clean_labels(kept(frame["code"]))
        missing, self.markers = _clean_labels(kept(frame["missing"]))
        value = _numeric(kept(frame["value"])).to_numpy()
        school, year_pos = school[rows], np.searchsorted(self.years, year_int)
        winners = self._winners(school, year_pos, code, value, missing)
        if winners is not None:
            rows, school, year_pos, code, value, missing = (
                a[winners] for a in (rows, school, year_pos, code, value, missing)
            )
        self.labels = frame.index[rows]  # the winning rows' labels in the input frame
        self.school, self.year, self.code, self.value, self.missing = school, year_pos, code, value, missing
        self.code_positions = {name: i for i, name in enumerate(self.codes)}
        self.stages = np.asarray(pd.Index(self.codes, dtype=object).str.split("_", n=1).str[0], dtype=object)
        self._by_code = np.argsort(code, kind="stable")
        self._code_starts = np.searchsorted(code[self._by_code], np.arange(len(self.codes) + 1))
        self._values: dict[str, np.ndarray] = {}
        self._missing: dict[str, np.ndarray] = {}

    def _winners(self, school, year, code, value, missing) -> np.ndarray | None:
        """Positions of the rows to keep when some (school, year, code) has several rows, else None."""
        key = (school.astype("int64") * len(self.years) + year) * max(len(self.codes), 1) + code
        size = len(self.index) * len(self.years) * max(len(self.codes), 1)
        if size <= 4 * len(key) + 1_000_000:  # the usual case: a count per cell is cheaper than hashing
            clash = np.bincount(key, minlength=size)[key] > 1
        else:
            clash = pd.Series(key).duplicated(keep=False).to_numpy()
        if not clash.any():
            return None
        rank = np.argsort(np.argsort(self.markers.astype(str), kind="stable"))[missing]  # markers in text order
        tied = np.flatnonzero(clash)
        v = value[tied]
        order = tied[np.lexsort((rank[tied], np.where(np.isnan(v), 0.0, -v), np.isnan(v), key[tied]))]
        first = np.ones(len(order), dtype=bool)
        first[1:] = key[order][1:] != key[order][:-1]
        return np.sort(np.concatenate([np.flatnonzero(~clash), order[first]]))

    def _rows(self, code: str) -> np.ndarray | None:
        position = self.code_positions.get(code)
        if position is None:
            return None
        return self._by_code[self._code_starts[position] : self._code_starts[position + 1]]

    def _value_grid(self, code: str) -> np.ndarray:
        if code not in self._values:
            grid = np.full((len(self.index), len(self.years)), np.nan)
            rows = self._rows(code)
            if rows is not None:
                grid[self.school[rows], self.year[rows]] = self.value[rows]
            self._values[code] = grid
        return self._values[code]

    def _marker_grid(self, code: str) -> np.ndarray:
        if code not in self._missing:
            grid = np.full((len(self.index), len(self.years)), -1, dtype=np.int32)
            rows = self._rows(code)
            if rows is not None:
                grid[self.school[rows], self.year[rows]] = self.missing[rows]
            self._missing[code] = grid
        return self._missing[code]

    def grid(self, code: str) -> np.ndarray:
        """Values of ``code``: schools (in ``index`` order) x ``years``, NaN where none (a new array each call)."""
        return self._value_grid(code).copy()

    def value_at(self, code: str, column: np.ndarray) -> np.ndarray:
        """Each school's value of ``code`` in its grid ``column`` (NaN where the column is -1 or nothing is there)."""
        if not len(self.years):
            return np.full(len(self.index), np.nan)
        found = self._value_grid(code)[np.arange(len(self.index)), np.maximum(column, 0)]
        return np.where(column >= 0, found, np.nan)

    def marker_at(self, code: str, column: np.ndarray) -> np.ndarray:
        """Each school's marker position for ``code`` in its grid ``column`` (-1 where it has no row there)."""
        if not len(self.years):
            return np.full(len(self.index), -1)
        found = self._marker_grid(code)[np.arange(len(self.index)), np.maximum(column, 0)]
        return np.where(column >= 0, found, -1)

    def year_positions(self, year: pd.Series) -> np.ndarray:
        """Each school's ``year`` (aligned to ``index``) as a column of the grids; -1 where not loaded."""
        wanted = year.reindex(self.index).fillna(-1).astype("int64").to_numpy()
        found = np.searchsorted(self.years, wanted)
        hit = found < len(self.years)
        hit[hit] = self.years[found[hit]] == wanted[hit]
        return np.where(hit, found, -1)

    def frame(self) -> pd.DataFrame:
        """The table as a long frame (``school_id``, ``year``, ``code``, ``value``, ``missing``, ``stage``), sorted
        by school, year and code, with the input rows' labels."""
        ids = self.index.to_numpy()[self.school]
        code_text = self.codes[self.code]
        order = np.lexsort((code_text.astype(str), self.years[self.year], ids)) if len(ids) else np.arange(0)
        frame = pd.DataFrame(
            {
                "school_id": ids[order],
                "year": self.years[self.year][order],
                "code": pd.Series(code_text[order], dtype=object),
                "value": self.value[order],
                "missing": pd.Categorical(self.markers[self.missing][order]),
                "stage": pd.Series(self.stages[self.code][order], dtype=object),
            }
        )
        frame.index = self.labels[order]
        return frame


def measures_normalise(measures: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Measures of known schools, one row per (school, year, code): a value beats a missing marker.

    Adds ``stage``: the code's prefix (``ks2``, ``ks4``, ``abs``, ...).
    """
    return MeasureTable(measures, index).frame()


def averages_normalise(averages: pd.DataFrame) -> pd.DataFrame:
    """Area averages with numeric years and values; one row per (year, code, area)."""
    frame = _ensure(averages, AVERAGE_COLUMNS)[list(AVERAGE_COLUMNS)]
    frame["year"] = _numeric(frame["year"])
    frame["value"] = _numeric(frame["value"])
    frame["code"] = _text(frame["code"])
    frame["area"] = _text(frame["area"])
    frame = frame[frame["year"].notna() & frame["value"].notna()]
    frame["year"] = frame["year"].astype("int64")
    frame = frame.sort_values(["year", "code", "area", "value"])
    return frame.drop_duplicates(["year", "code", "area"], keep="first")


def inspections_normalise(inspections: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Inspections of known schools with dates parsed, grades numeric and grade text lower-cased."""
    cols = ("school_id", "inspection_number", "start_date", "publication_date", *INSPECTION_TEXT, *INSPECTION_GRADES)
    frame = _ensure(inspections, cols)
    frame = frame[frame["school_id"].isin(index)]
    frame["start_date"] = _dates(frame["start_date"])
    frame["publication_date"] = _dates(frame["publication_date"])
    frame["inspection_number"] = _text(frame["inspection_number"])
    for col in INSPECTION_GRADES:
        frame[col] = _numeric(frame[col])
    lowered = (
        *[c for c in INSPECTION_TEXT if c.startswith("rc_")],
        "framework",
        "safeguarding_effective",
        "relates_to_current_urn",
    )
    for col in INSPECTION_TEXT:
        frame[col] = _text(frame[col], lower=col in lowered)
    return frame


def intelligence_normalise(intelligence: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Soft-intelligence entries of known schools, with dates parsed and kind/rating lower-cased."""
    frame = _ensure(intelligence, INTELLIGENCE_COLUMNS)
    frame = frame[frame["school_id"].isin(index)]
    frame["recorded_on"] = _dates(frame["recorded_on"])
    frame["kind"] = _text(frame["kind"], lower=True)
    frame["rating"] = _text(frame["rating"], lower=True)
    frame["summary"] = _text(frame["summary"])
    return frame[frame["recorded_on"].notna()]
