"""Shared building blocks for indicators: ratings, vectorised sentence text, histories.

Every indicator returns ``indicator_frame(...)``: indexed by ``school_id`` with columns ``rating`` (``"G"``,
``"A"``, ``"R"`` or ``None``), ``value`` (float), ``sentence`` (always present: the rule's finding, or why it
could not be applied), ``missing`` (what was missing and why, "" when nothing), ``applicable`` (False when the
indicator does not apply to the school at all: a primary school has no KS4) and ``declining`` (1.0 / 0.0 for a
three-year decline where assessable, NaN otherwise; S9 counts these).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..frames import via_uniques

SEVERITY = {"G": 0, "A": 1, "R": 2}


def as_mask(mask: pd.Series, index: pd.Index) -> np.ndarray:
    """A boolean mask as a numpy array aligned to ``index`` (missing counts as False)."""
    if mask.index is not index:
        mask = mask.reindex(index)
    if mask.dtype == bool:
        return mask.to_numpy()
    return mask.fillna(False).to_numpy(dtype=bool)


def as_objects(series: pd.Series, index: pd.Index) -> np.ndarray:
    """A Series as an object array aligned to ``index``."""
    if series.index is not index:
        series = series.reindex(index)
    return series.to_numpy(dtype=object)


class Rows:
    """The schools where ``mask`` holds; calling it narrows any per-school Series to them.

    Text is built only for the schools that will show it: ``choose``, ``when`` and ``indicator_frame`` put the
    narrowed pieces back in place by school (``join`` needs all its parts narrowed alike).
    """

    def __init__(self, mask: pd.Series) -> None:
        self.keep = as_mask(mask, mask.index)
        self.index = mask.index[self.keep]

    def __call__(self, series: pd.Series) -> pd.Series:
        return series[self.keep]


def distinct(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(each distinct combination of ``frame``'s columns: its first row position, every row's combination number).

    For text that takes few distinct values: build it on ``frame.iloc[first]`` and spread it back by number.
    """
    number = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        number, _ = pd.factorize(number * (len(uniques) + 1) + codes)  # renumbered at once: never overflows
    return np.unique(number, return_index=True)[1], number


def nones(n: int) -> np.ndarray:
    """An object array of ``n`` Nones (numpy's ``where``/``select`` want arrays, not a bare None)."""
    return np.full(n, None, dtype=object)


def rate(index: pd.Index, *, known: pd.Series, amber: pd.Series, red: pd.Series) -> pd.Series:
    """G/A/R where ``known`` (red beats amber), None elsewhere."""
    known_a, red_a, amber_a = as_mask(known, index), as_mask(red, index), as_mask(amber, index)
    ratings = np.select([red_a, amber_a], ["R", "A"], "G").astype(object)
    return pd.Series(np.where(known_a, ratings, nones(len(index))), index=index, dtype=object)


def severity(rating: pd.Series) -> pd.Series:
    """Ratings as numbers: G 0, A 1, R 2, missing -1."""
    return rating.map(SEVERITY).astype("float64").fillna(-1)


def from_severity(sev: pd.Series) -> pd.Series:
    """Numbers back to ratings (-1 gives None)."""
    value = sev.to_numpy()
    out = np.select([value == 2, value == 1], ["R", "A"], "G").astype(object)
    return pd.Series(np.where(value >= 0, out, nones(len(value))), index=sev.index, dtype=object)


def worst(*ratings: pd.Series) -> pd.Series:
    """The worst of several ratings per school (None only when all are None)."""
    stacked = pd.concat([severity(r) for r in ratings], axis=1).max(axis=1)
    return from_severity(stacked)


def text(series: pd.Series) -> pd.Series:
    """A Series as object strings, missing values as ""."""
    return via_uniques(series, lambda u: u.astype(str))


def num(series: pd.Series, decimals: int = 1) -> pd.Series:
    """Numbers as short text: 14.0 -> "14", -2.46 -> "-2.5" (with ``decimals=1``); NaN -> "".

    Each distinct number is written once, as Python's ``str`` writes it, less a trailing ".0".
    """
    rounded = series.astype("float64").round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    codes, uniques = pd.factorize(rounded.to_numpy(), use_na_sentinel=True)
    whole = np.isfinite(uniques) & (np.abs(uniques) < 1e16)  # where str() would end in ".0" if integral
    whole[whole] = uniques[whole] == np.floor(uniques[whole])
    text = uniques.astype(str).astype(object)
    text[whole] = uniques[whole].astype(np.int64).astype(str)
    return pd.Series(np.append(text, "")[codes], index=series.index, dtype=object)


def year_text(year: int) -> str:
    """2025 -> "2024/25"."""
    return f"{year - 1}/{year % 100:02d}"


def academic_year(year: pd.Series) -> pd.Series:
    """2025 -> "2024/25"; NaN -> ""."""

    def label(years: pd.Index) -> pd.Index:
        y = years.astype("int64")
        return (y - 1).astype(str) + "/" + (y % 100).astype(str).str.zfill(2)

    return via_uniques(year.astype("float64"), label)


MONTHS = np.array(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    dtype=object,
)


def long_date(dates: pd.Series) -> pd.Series:
    """Timestamps as "5 March 2024"; NaT -> "" (each distinct date written once)."""
    series = pd.Series(dates, copy=False)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    d = pd.DatetimeIndex(uniques)
    text = (
        d.day.astype(str).to_numpy(dtype=object)
        + " "
        + MONTHS[d.month - 1]
        + " "
        + d.year.astype(str).to_numpy(dtype=object)
    )
    return pd.Series(np.append(text, "")[codes], index=series.index, dtype=object)


def choose(conditions: list[pd.Series], choices: list[pd.Series | str], default: pd.Series | str = "") -> pd.Series:
    """``np.select`` for text: the first true condition's choice per school."""
    index = conditions[0].index
    conds = [as_mask(c, index) for c in conditions]
    vals = [as_objects(c, index) if isinstance(c, pd.Series) else c for c in choices]
    dflt = as_objects(default, index) if isinstance(default, pd.Series) else default
    return pd.Series(np.select(conds, vals, dflt).astype(object), index=index, dtype=object)


def when(mask: pd.Series, value: pd.Series | str) -> pd.Series:
    """``value`` where ``mask``, "" elsewhere."""
    return choose([mask], [value], "")


def clause(free_text: pd.Series) -> pd.Series:
    """Free text (an intelligence summary) as a clause inside a longer sentence: without the full stop, colon,
    semicolon or comma it may end with, so "<text>: at least category 3" reads as English, not "acted.: at ..."."""
    return free_text.fillna("").astype(str).str.rstrip(" .;:,").astype(object)


def _strings(series: pd.Series) -> np.ndarray:
    arr = series.to_numpy(dtype=object, copy=True)
    arr[pd.isna(arr)] = ""
    return arr


def join(*parts: pd.Series, sep: str = "; ") -> pd.Series:
    """Join text columns per school, skipping empty parts (text is only built where two parts meet)."""
    out = _strings(parts[0])
    for part in parts[1:]:
        nxt = _strings(part)
        filled = nxt != ""
        empty = out == ""
        both = filled & ~empty
        out[both] = out[both] + sep + nxt[both]
        out[empty] = nxt[empty]
    return pd.Series(out, index=parts[0].index, dtype=object)


def names(flags: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """Comma-separated names of the flags that are true per school ("reading, maths")."""
    parts = [when(pd.Series(as_mask(flag, index), index=index), name) for name, flag in flags.items()]
    return join(*parts, sep=", ")


def indicator_frame(
    index: pd.Index,
    *,
    rating: pd.Series,
    value: pd.Series,
    sentence: pd.Series,
    missing: pd.Series,
    applicable: pd.Series,
    declining: pd.Series | None = None,
) -> pd.DataFrame:
    """The standard indicator result frame; not-applicable schools get no rating, no value and no missing text."""
    app = as_mask(applicable, index)
    rating_a = as_objects(rating, index)
    value_a = pd.Series(value, copy=False).reindex(index).to_numpy(dtype="float64")
    missing_a = as_objects(missing, index)
    declining_a = (
        pd.Series(declining, copy=False).reindex(index).to_numpy(dtype="float64")
        if declining is not None
        else np.full(len(index), np.nan)
    )
    frame = pd.DataFrame(
        {
            "rating": pd.Series(
                np.where(app & pd.notna(rating_a), rating_a, nones(len(index))), index=index, dtype=object
            ),
            "value": np.where(app, value_a, np.nan),
            "sentence": pd.Series(as_objects(sentence, index), index=index, dtype=object),
            "missing": pd.Series(np.where(app & pd.notna(missing_a), missing_a, ""), index=index, dtype=object),
            "applicable": app,
            "declining": np.where(app, declining_a, np.nan),
        },
        index=index,
    )
    frame.index.name = "school_id"
    return frame


def history(
    grid: np.ndarray, years: np.ndarray, upto: pd.Series, *, n: int, span: int, exclude: np.ndarray | None = None
) -> pd.DataFrame:
    """The last ``n`` values per school at or before the school's ``upto`` year and within ``span`` years of it.

    ``grid`` is schools (in ``upto``'s order) x ``years`` (ascending), NaN where there is no value (as
    ``RiskContext.grid`` gives); ``exclude`` (same shape, bool) drops years (small cohorts). Returns columns
    0..n-1 (0 = latest) and ``count``, indexed like ``upto``. Pure numpy over the school x year grid.
    """
    index = upto.index
    if exclude is not None:
        grid = np.where(exclude, np.nan, grid)
    years = np.asarray(years, dtype="float64")
    up = upto.to_numpy(dtype="float64")[:, None]
    valid = ~np.isnan(grid) & (years[None, :] <= up) & (years[None, :] >= up - span)
    key = np.where(valid, np.arange(len(years))[None, :], -1)
    order = np.argsort(-key, axis=1, kind="stable")[:, :n]
    picked = np.take_along_axis(np.where(valid, grid, np.nan), order, axis=1)
    out = pd.DataFrame(picked, index=index, columns=range(picked.shape[1])).reindex(columns=range(n))
    out["count"] = np.minimum(valid.sum(axis=1), n)
    return out


def declining(hist: pd.DataFrame, n: int, *, higher_is_worse: bool) -> pd.Series:
    """1.0 when each of the last ``n`` years was worse than the one before, 0.0 when not, NaN with fewer years."""
    grid = hist[list(range(n))].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        steps = grid[:, :-1] > grid[:, 1:] if higher_is_worse else grid[:, :-1] < grid[:, 1:]
    worse = steps.all(axis=1).astype("float64")
    return pd.Series(np.where(hist["count"].to_numpy() >= n, worse, np.nan), index=hist.index)
