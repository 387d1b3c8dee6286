"""Vectorised parsing of published figures: a number, or the reason the source gives for not having one.

A suppression code is kept as the reason (``SUPP``, ``NE``…), never turned into zero; an empty cell is ``blank``.
Percentages may be written ``52.90%`` or ``52.9``. Anything else (a formula, markup, a word, a percentage above
100) is an error naming the column, so a broken file is refused rather than half-understood.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from schools.performance.layouts import COUNT, PERCENT, Measure

MISSING_FOR_TEXT: dict[str, str] = {
    "": "blank",
    "SUPP": "SUPP",
    "NE": "NE",
    "NP": "NP",
    "NA": "NA",
    "LOWCOV": "LOWCOV",
    "LOW COV": "LOWCOV",
    "NEW": "NEW",
    "DNS": "DNS",
    "x": "x",
    "..": "..",
    "NULL": "NULL",
}
_NUMBER = r"-?\d{1,9}(?:\.\d{1,12})?"
_CODES_HINT = "or a DfE code such as SUPP or NE"


@dataclass
class Parsed:
    """A column's figures (NaN where missing), reasons ("" where there is a figure), published text, bad rows."""

    value: np.ndarray
    missing: np.ndarray
    raw: np.ndarray
    bad: np.ndarray
    message: str


def stripped(values: pd.Series) -> pd.Series:
    """Cells with surrounding spaces removed (old KS2 files write a lone space for "nothing")."""
    return values.astype(object).str.strip()


def measure_parse(values: pd.Series, *, measure: Measure, heading: str) -> Parsed:
    """Parse the (stripped) cells of ``heading`` as ``measure``: a figure in range, or a missing code."""
    text = values.reset_index(drop=True)
    missing = text.map(MISSING_FOR_TEXT)
    is_code = missing.notna().to_numpy()
    pattern = _NUMBER + ("%?" if measure.kind == PERCENT else "")
    shaped = text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    number = pd.to_numeric(text.where(shaped, "").str.removesuffix("%"), errors="coerce").to_numpy(dtype=float)
    ok = shaped & (number >= measure.low) & (number <= measure.high)
    if measure.kind == COUNT:
        ok &= np.floor(number) == number
    bad = ~is_code & ~ok
    value = np.where(ok & ~is_code, number, np.nan)
    reasons = missing.fillna("").to_numpy(dtype=object)
    return Parsed(value, reasons, text.to_numpy(dtype=object), bad, _message(measure, heading))


def _message(measure: Measure, heading: str) -> str:
    if measure.kind == PERCENT:
        return f"{heading} must be a percentage from 0 to 100, like 52.9%, {_CODES_HINT}"
    if measure.kind == COUNT:
        return f"{heading} must be a whole number, like 42, {_CODES_HINT}"
    return f"{heading} must be a number from {measure.low:g} to {measure.high:g}, like 0.5, {_CODES_HINT}"


# --- Ofsted MI cells: parsed to canonical text ("" = nothing given), the form they are COPied and compared in ----

NOTHING = ("", "NULL")
REPORT_CARD_GRADE_FOR_TEXT: dict[str, str] = {
    "exceptional": "exceptional",
    "strong standard": "strong",
    "strong": "strong",
    "expected standard": "expected",
    "expected": "expected",
    "needs attention": "needs_attention",
    "urgent improvement": "urgent",
    "not applicable": "",
}
LEGACY_GRADE_FOR_TEXT: dict[str, str] = {"1": "1", "2": "2", "3": "3", "4": "4", "9": "", "not judged": ""}
YES_NO: dict[str, str] = {"yes": "true", "no": "false", "met": "true", "not met": "false", "9": ""}
# Plain words and the punctuation Ofsted uses; no markup, no formula prefixes, no control characters.
_PLAIN_TEXT = r"[A-Za-z0-9À-ÿ][A-Za-z0-9À-ÿ ,.'’()/&:;_-]*"
_INSPECTION_NUMBER = r"[A-Za-z0-9]{1,20}"


@dataclass
class Cells:
    """Canonical text of each cell ("" where nothing is given) and the rows that could not be read."""

    values: np.ndarray
    bad: np.ndarray
    message: str


def _blank(text: pd.Series) -> np.ndarray:
    return text.isin(NOTHING).to_numpy()


def _matches(text: pd.Series, pattern: str) -> np.ndarray:
    return text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)


def _lookup(text: pd.Series, table: dict[str, str], message: str) -> Cells:
    blank = _blank(text)
    mapped = text.str.lower().map(table)
    found = mapped.notna().to_numpy()
    values = mapped.where(found & ~blank, "").to_numpy(dtype=object)
    return Cells(values, ~blank & ~found, message)


def report_card_grade_parse(text: pd.Series, *, heading: str) -> Cells:
    """Report-card grades as published ("Strong standard" → ``strong``); "Not applicable"/NULL → ""."""
    message = (
        f"{heading} must be Exceptional, Strong standard, Expected standard, Needs attention, Urgent improvement, "
        "Not applicable or NULL"
    )
    return _lookup(text, REPORT_CARD_GRADE_FOR_TEXT, message)


def legacy_grade_parse(text: pd.Series, *, heading: str) -> Cells:
    """Legacy grades 1–4; 9 (not applicable), "Not judged" and NULL → ""."""
    return _lookup(text, LEGACY_GRADE_FOR_TEXT, f"{heading} must be a grade from 1 to 4, 9, Not judged or NULL")


def yes_no_parse(text: pd.Series, *, heading: str) -> Cells:
    """Yes/No and Met/Not met → ``true``/``false``; NULL (and 9) → ""."""
    return _lookup(text, YES_NO, f"{heading} must be Yes, No, Met, Not met or NULL")


def date_parse(text: pd.Series, *, heading: str) -> Cells:
    """Dates written dd/mm/yyyy → ISO (NULL or empty → "")."""
    blank = _blank(text)
    parsed = pd.to_datetime(text.where(~blank, None), format="%d/%m/%Y", errors="coerce")
    bad = ~blank & parsed.isna().to_numpy()
    values = parsed.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    return Cells(values, bad, f"{heading} must be a real date written dd/mm/yyyy, like 13/01/2026, or NULL")


def whole_number_parse(text: pd.Series, *, heading: str) -> Cells:
    """A URN-like whole number, as written without leading zeros (NULL → "")."""
    blank = _blank(text)
    shaped = _matches(text, r"[1-9]\d{0,8}")
    values = text.where(shaped & ~blank, "").to_numpy(dtype=object)
    return Cells(values, ~blank & ~shaped, f"{heading} must be a whole number, like 100000, or NULL")


def inspection_number_parse(text: pd.Series, *, heading: str) -> Cells:
    """An inspection number (letters and digits, up to 20); NULL → ""."""
    blank = _blank(text)
    shaped = _matches(text, _INSPECTION_NUMBER)
    values = text.where(shaped & ~blank, "").to_numpy(dtype=object)
    return Cells(values, ~blank & ~shaped, f"{heading} must be an inspection number, like 10428056, or NULL")


def plain_text_parse(text: pd.Series, *, heading: str, max_length: int) -> Cells:
    """Words as published (an outcome, a category of concern); NULL → "". Markup and formulas are refused."""
    blank = _blank(text)
    ok = _matches(text, _PLAIN_TEXT) & (text.str.len().to_numpy() <= max_length)
    values = text.where(~blank, "").to_numpy(dtype=object)
    message = f"{heading} must be plain text of {max_length} characters or fewer (letters, digits and punctuation)"
    return Cells(values, ~blank & ~ok, message)
