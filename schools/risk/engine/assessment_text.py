"""The engine's per-school frame as PostgreSQL COPY text for ``RiskAssessment`` rows, built vectorised.

Pure (no database): ``risk_assessments_write`` in ``services.py`` streams the text. Every JSON value is
written by pandas' C JSON writer once per distinct value (``double_precision`` 10, non-ASCII kept) and escaped
for COPY there (backslashes doubled; nothing else in these rows needs it), together with the fixed JSON around
it; each row is then a run of tokens, and the whole block one ``str.join``, with no Python work per school.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd

from .indicators import CODES

COLUMNS = (
    "run_id",
    "school_id",
    "proposed_category",
    "standards_band",
    "capacity_band",
    "score",
    "leading",
    "academy_view",
    "overrides",
    "indicators",
    "reasons",
    "missing_inputs",
)
SCALARS = 8  # the columns before ``overrides``, each followed by a tab
INDICATOR_TOKENS = 3 * len(CODES) + 1  # per code: '"S1":{"rating":…,"value":', '…,"sentence":', '…'; then "}}"


def assessment_copy_text(*, run_id: int, schools: pd.DataFrame) -> str:
    """COPY text (tab-separated, backslashes doubled) of ``schools``' assessments, one line per school, in the
    order of ``COLUMNS``: ``overrides``, ``reasons`` and ``missing_inputs`` as JSON arrays of text, ``indicators``
    as ``{"S1": {"rating": "G"|"A"|"R"|null, "value": number|null, "sentence": text}, ...}``."""
    n = len(schools)
    if not n:
        return ""
    lists = {name: _flatten(schools[name]) for name in ("overrides", "reasons", "missing_inputs")}
    lengths = {name: counts for name, (counts, _) in lists.items()}
    row_tokens = 2 * SCALARS + INDICATOR_TOKENS + sum(2 * counts + 1 for counts in lengths.values())
    ends = np.cumsum(row_tokens)
    tokens = np.empty(int(ends[-1]), dtype=object)
    position = ends - row_tokens
    position = _place(tokens, position, _scalars(run_id, schools))
    position = _place_list(tokens, position, *lists["overrides"], closing="")
    position = _place(tokens, position, _indicators(schools))
    position = _place_list(tokens, position, *lists["reasons"], closing="\t")
    _place_list(tokens, position, *lists["missing_inputs"], closing="\n")
    return "".join(tokens.tolist())


def _scalars(run_id: int, schools: pd.DataFrame) -> np.ndarray:
    """Rows x (value, tab) for the columns before ``overrides``."""
    block = np.full((len(schools), 2 * SCALARS), "\t", dtype=object)
    block[:, 0] = str(run_id)
    block[:, 2] = _texts(schools.index.astype("int64"))
    block[:, 4] = _texts(schools["proposed_category"].astype("int64"))
    block[:, 6] = schools["standards_band"].astype(str).to_numpy(dtype=object)
    block[:, 8] = schools["capacity_band"].astype(str).to_numpy(dtype=object)
    block[:, 10] = _texts(schools["score"].astype("int64"))
    block[:, 12] = np.where(schools["leading"].astype(bool).to_numpy(), "t", "f").astype(object)
    block[:, 14] = schools["academy_view"].fillna("").astype(str).to_numpy(dtype=object)
    return block


def _indicators(schools: pd.DataFrame) -> np.ndarray:
    """Rows x ``INDICATOR_TOKENS``: the ``indicators`` JSON object, led by the tab that ends ``overrides``."""
    block = np.empty((len(schools), INDICATOR_TOKENS), dtype=object)
    sentences = json_strings(
        np.concatenate([schools[f"{code}_sentence"].fillna("").astype(str).to_numpy(dtype=object) for code in CODES])
    ).reshape(len(CODES), len(schools))
    for number, code in enumerate(CODES):
        key = ("\t{" if number == 0 else "},") + f'"{code}":{{"rating":'
        block[:, 3 * number] = json_strings(schools[code].to_numpy(dtype=object), before=key, after=',"value":')
        values = pd.to_numeric(schools[f"{code}_value"], errors="coerce")
        block[:, 3 * number + 1] = json_numbers(values, after=',"sentence":')
        block[:, 3 * number + 2] = sentences[number]
    block[:, -1] = "}}\t"
    return block


def _texts(values: pd.Series | pd.Index) -> np.ndarray:
    return np.asarray(values.astype(str), dtype=object)


def _flatten(lists: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(items per row, every item as JSON in row order) of a column of lists of text."""
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    items = np.fromiter(chain.from_iterable(lists), dtype=object, count=int(counts.sum()))
    return counts, json_strings(items)


def _place(tokens: np.ndarray, position: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Put each row's block of tokens at its position; the positions after them."""
    tokens[position[:, None] + np.arange(block.shape[1])] = block
    return position + block.shape[1]


def _place_list(
    tokens: np.ndarray, position: np.ndarray, counts: np.ndarray, items: np.ndarray, *, closing: str
) -> np.ndarray:
    """Each row's JSON array: "[" or "," before every item, then "]" ("[]" when empty) and ``closing``."""
    if len(items):
        row = np.repeat(np.arange(len(counts)), counts)
        nth = np.arange(len(items)) - np.repeat(np.cumsum(counts) - counts, counts)
        at = position[row] + 2 * nth
        tokens[at] = np.where(nth == 0, "[", ",").astype(object)
        tokens[at + 1] = items
    tokens[position + 2 * counts] = np.where(counts > 0, "]" + closing, "[]" + closing).astype(object)
    return position + 2 * counts + 1


def json_strings(values: np.ndarray, *, before: str = "", after: str = "") -> np.ndarray:
    """Each text as a JSON string (None and NaN as null) escaped for COPY text, between ``before`` and ``after``;
    each distinct text is written once, by pandas' C writer."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    out = np.full(len(uniques) + 1, before + "null" + after, dtype=object)
    if len(uniques):
        written = pd.Series(uniques, dtype=object).to_json(orient="records", force_ascii=False)
        # Inside a JSON string a quote always follows a backslash, so '","' only ever separates two strings
        # (also once backslashes are doubled for COPY).
        parts = written[2:-2].replace("\\", "\\\\").split('","')
        if not written.startswith('["') or len(parts) != len(uniques):
            raise ValueError("json_strings takes text only")
        out[:-1] = (before + '"' + pd.Series(parts, dtype=object) + '"' + after).to_numpy()
    return out[codes]


def json_numbers(values: pd.Series, *, after: str = "") -> np.ndarray:
    """Each number as JSON (NaN as null), as pandas' C writer gives it, then ``after``; each distinct value is
    written once."""
    numbers = values.to_numpy(dtype="float64")
    known = ~np.isnan(numbers)
    out = np.full(len(numbers), "null" + after, dtype=object)
    if known.any():
        # Factorised by bit pattern, so -0.0 and 0.0 keep their own text.
        codes, uniques = pd.factorize(numbers[known].view(np.int64))
        written = pd.Series(uniques.view(np.float64)).to_json(orient="records")[1:-1].split(",")
        out[known] = (pd.Series(written, dtype=object) + after).to_numpy()[codes]
    return out
