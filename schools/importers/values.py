"""Vectorised checks that turn GIAS strings into canonical strings (the form both sides of a diff take).

Canonical forms: text as given; whole numbers without leading zeros ("0042" → "42"); percentages with two
decimals ("2.9" → "2.90"); dates ISO ("31-08-2021" → "2021-08-31"); blank = "". PostgreSQL casts stored values
to the same text, so a file compares equal to what an earlier import of it stored. Every check runs over whole
columns (pandas/numpy in C), never a Python loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from schools.importers.columns import SUPPRESSION_MARKERS

_NO_FIGURE = frozenset({"", *SUPPRESSION_MARKERS})
_HUNDREDTHS = np.array([f"{i:02d}" for i in range(100)], dtype=object)


@dataclass
class Checked:
    """A column's canonical values (object array of str), and which rows failed, with the one message."""

    values: np.ndarray
    bad: np.ndarray
    message: str


def _strings(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype=object)


def _numbers(values: pd.Series) -> np.ndarray:
    return np.asarray(pd.to_numeric(_strings(values), errors="coerce"), dtype=float)


def _int_text(numbers: np.ndarray) -> np.ndarray:
    return numbers.astype(np.int64).astype(str).astype(object)


def text_lengths(values: np.ndarray) -> np.ndarray:
    """Length of every string (``map(len)`` runs in C)."""
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values))


def check_text(values: pd.Series, *, heading: str, max_length: int) -> Checked:
    """Text is kept verbatim (hostile strings included: escaping is the output's job); only its length is checked."""
    strings = _strings(values)
    return Checked(strings, text_lengths(strings) > max_length, f"{heading} must be {max_length} characters or fewer")


def check_int(values: pd.Series, *, heading: str, maximum: int) -> Checked:
    """Whole numbers (blank or a suppression marker = no figure)."""
    blank = values.isin(_NO_FIGURE).to_numpy()
    number = _numbers(values)
    ok = ~np.isnan(number) & (number >= 0) & (number <= maximum) & (np.floor(number) == number)
    canonical = np.full(len(values), "", dtype=object)
    canonical[ok & ~blank] = _int_text(number[ok & ~blank])
    return Checked(canonical, ~blank & ~ok, f"{heading} must be a whole number from 0 to {maximum}")


def check_percent(values: pd.Series, *, heading: str) -> Checked:
    """A percentage from 0 to 100, stored to two decimals."""
    blank = values.isin(_NO_FIGURE).to_numpy()
    number = _numbers(values)
    ok = ~blank & ~np.isnan(number) & (number >= 0) & (number <= 100)
    hundredths = np.rint(number[ok] * 100).astype(np.int64)
    canonical = np.full(len(values), "", dtype=object)
    canonical[ok] = _int_text(hundredths // 100) + "." + _HUNDREDTHS[hundredths % 100]
    return Checked(canonical, ~blank & ~ok, f"{heading} must be a percentage from 0 to 100, like 21.70")


def check_date(values: pd.Series, *, heading: str) -> Checked:
    """A date written dd-mm-yyyy (GIAS) or dd/mm/yyyy (the same file after a spreadsheet has saved it)."""
    blank = (_strings(values) == "").astype(bool)
    parsed = pd.to_datetime(values, format="%d-%m-%Y", errors="coerce").to_numpy(copy=True)
    retry = ~blank & np.isnat(parsed)
    if retry.any():
        parsed[retry] = pd.to_datetime(values[retry], format="%d/%m/%Y", errors="coerce").to_numpy()
    bad = ~blank & np.isnat(parsed)
    canonical = np.datetime_as_string(parsed.astype("datetime64[D]")).astype(object)
    canonical[blank | bad] = ""
    return Checked(canonical, bad, f"{heading} must be a real date written dd-mm-yyyy, like 31-08-2021")


def check_urn(values: pd.Series, *, heading: str = "URN") -> Checked:
    """A URN: digits only (up to 9), always present. Returns int64 values (0 where bad)."""
    strings = _strings(values)
    number = _numbers(values)
    whole = ~np.isnan(number) & (number > 0) & (number <= 999_999_999) & (np.floor(number) == number)
    urns = np.where(whole, number, 0).astype(np.int64)
    exact = whole & (urns.astype(str).astype(object) == strings)  # refuses "1e5", "+12", " 12"
    return Checked(np.where(exact, urns, 0), ~exact, f"{heading} must be a whole number, like 100000")


def check_filled(values: pd.Series, *, heading: str) -> Checked:
    """A value that must not be blank."""
    strings = _strings(values)
    return Checked(strings, (strings == "").astype(bool), f"{heading} must not be blank")
