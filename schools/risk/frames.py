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
)
INSPECTION_GRADES = (
    "overall",
    "quality_of_education",
    "behaviour_attitudes",
    "personal_development",
    "leadership_management",
)
INTELLIGENCE_COLUMNS = ("school_id", "kind", "rating", "recorded_on", "summary")


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


def _text(series: pd.Series) -> pd.Series:
    """A text column with missing values as empty strings (cleaned once per distinct value)."""
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
    for col in ("name", "phase", "type_group", "district"):
        frame[col] = _text(frame[col])
    return frame


def measures_normalise(measures: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Measures of known schools only, one row per (school, year, code): a value beats a missing marker.

    Adds ``stage``: the code's prefix (``ks2``, ``ks4``, ``abs``, ...).
    """
    frame = _ensure(measures, MEASURE_COLUMNS)[list(MEASURE_COLUMNS)]
    frame = frame[frame["school_id"].isin(index)]
    frame["year"] = _numeric(frame["year"])
    frame = frame[frame["year"].notna()]
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = _numeric(frame["value"])
    frame["code"] = _text(frame["code"]).astype("category")
    frame["missing"] = _text(frame["missing"]).astype("category")
    # Deterministic whatever the row order: a value beats a missing marker, then the higher value, then the marker.
    frame = frame.sort_values(
        ["school_id", "year", "code", "value", "missing"], ascending=[True, True, True, False, True], na_position="last"
    )
    frame = frame[~frame.duplicated(["school_id", "year", "code"], keep="first")]
    frame["code"] = frame["code"].astype(object)
    frame["stage"] = via_uniques(frame["code"], lambda u: u.astype(str).str.split("_", n=1).str[0])
    return frame


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
    for col in INSPECTION_TEXT:
        frame[col] = _text(frame[col])
    for col in (*[c for c in INSPECTION_TEXT if c.startswith("rc_")], "framework", "safeguarding_effective"):
        frame[col] = frame[col].str.lower()
    return frame


def intelligence_normalise(intelligence: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Soft-intelligence entries of known schools, with dates parsed and kind/rating lower-cased."""
    frame = _ensure(intelligence, INTELLIGENCE_COLUMNS)
    frame = frame[frame["school_id"].isin(index)]
    frame["recorded_on"] = _dates(frame["recorded_on"])
    frame["kind"] = _text(frame["kind"]).str.lower()
    frame["rating"] = _text(frame["rating"]).str.lower()
    frame["summary"] = _text(frame["summary"])
    return frame[frame["recorded_on"].notna()]
