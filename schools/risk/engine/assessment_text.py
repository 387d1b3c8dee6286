"""The engine's per-school frame as PostgreSQL COPY text: compact traces (ADR 0025), built vectorised.

Pure (no database): ``risk_assessments_write`` in ``services.py`` streams the text. Every sentence of a run's
traces (each indicator's sentence, each reason, missing-input note and override) is written once, in the run's
dictionary of texts (``RiskText`` rows: ``text_copy_text``); an assessment row holds only codes and numbers:
one rating letter per indicator code, the indicator values, and the numbers of its sentences in the dictionary
(``assessment_copy_text``). A school's trace reads exactly as the engine wrote it once the numbers are looked
up (``schools.risk.selectors.assessments_expand``).

Each row is a run of tokens and a block of rows one ``str.join``: no Python work per school. Numbers are
written as pandas' C JSON writer gives them (``double_precision`` 10), once per distinct value, so a value reads
back as it did from the older JSON trace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain, repeat

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
    "overrides",  # the full trace's columns, written empty (read only for runs stored before ADR 0025)
    "indicators",
    "reasons",
    "missing_inputs",
    "trace_ratings",
    "trace_values",
    "trace_sentences",
    "trace_reasons",
    "trace_missing",
    "trace_overrides",
)
TEXT_COLUMNS = ("run_id", "number", "text")
SCALARS = 8  # the columns before ``overrides``, each followed by a tab
EMPTY_FULL_TRACE = "[]\t{}\t[]\t[]\t"
NO_RATING = "-"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})  # COPY text's escapes
LISTS = (("reasons", "trace_reasons"), ("missing_inputs", "trace_missing"), ("overrides", "trace_overrides"))


@dataclass(frozen=True)
class CompactTrace:
    """A run's traces as numbers: ``texts`` is the dictionary (a sentence's number is its position),
    ``sentences`` the (schools x codes) numbers of the indicators' sentences, and ``lists`` per list column
    (``reasons``, ``missing_inputs``, ``overrides``) the items per school and the items' numbers in order."""

    codes: tuple[str, ...]
    texts: np.ndarray
    sentences: np.ndarray
    lists: dict[str, tuple[np.ndarray, np.ndarray]]
    names: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))  # each number's text, made once


def compact_trace(schools: pd.DataFrame, codes: tuple[str, ...] = CODES) -> CompactTrace:
    """Number every distinct sentence of ``schools``' traces (first seen, first numbered)."""
    n = len(schools)
    sentence_texts = [schools[f"{code}_sentence"].fillna("").astype(str).to_numpy(dtype=object) for code in codes]
    flat = {name: _flatten(schools[name]) for name, _ in LISTS}
    every = np.concatenate(sentence_texts + [items for _, items in flat.values()]) if n else np.empty(0, dtype=object)
    numbers, texts = pd.factorize(every)
    at = n * len(codes)
    sentences = numbers[:at].reshape(len(codes), n).T if n else np.empty((0, len(codes)), dtype=np.int64)
    lists = {}
    for name, (counts, items) in flat.items():
        lists[name] = (counts, numbers[at : at + len(items)])
        at += len(items)
    return CompactTrace(
        codes=tuple(codes),
        texts=np.asarray(texts, dtype=object),
        sentences=sentences,
        lists=lists,
        names=_names(len(texts)),  # not once per block of schools: that was 0.1 s of a national run (#15)
    )


def text_copy_text(*, run_id: int, texts: np.ndarray, first: int = 0) -> str:
    """COPY text of the run's dictionary: ``run_id``, ``number``, ``text`` per sentence (escaped for COPY);
    ``texts`` are numbered from ``first``."""
    if not len(texts):
        return ""
    written = texts.tolist()
    joined = "".join(written)
    if any(chr(raw) in joined for raw in _ESCAPES):  # rare: a scan of the whole block decides
        written = [text.translate(_ESCAPES) for text in written]
    numbers = np.arange(first, first + len(texts)).astype(str).tolist()
    return "\n".join(map("\t".join, zip(repeat(str(run_id)), numbers, written))) + "\n"


def assessment_copy_text(*, run_id: int, schools: pd.DataFrame, trace: CompactTrace, start: int = 0) -> str:
    """COPY text (tab-separated) of ``schools``' assessments, one line per school, in the order of ``COLUMNS``;
    ``schools`` are rows ``start``… of the frame ``trace`` was made from."""
    n = len(schools)
    if not n:
        return ""
    width = len(trace.codes)
    stop = start + n
    lists = {name: _rows(trace.lists[name], start, stop) for name, _ in LISTS}
    row_tokens = 2 * SCALARS + 1 + (width + 1) + 2 * (width + 1) + sum(2 * c + 1 for c, _ in lists.values())
    ends = np.cumsum(np.full(n, row_tokens) if np.isscalar(row_tokens) else row_tokens)
    tokens = np.empty(int(ends[-1]), dtype=object)
    position = ends - row_tokens
    position = _place(tokens, position, _scalars(run_id, schools))
    position = _place(tokens, position, np.full((n, 1), EMPTY_FULL_TRACE, dtype=object))
    position = _place(tokens, position, _ratings(schools, trace.codes))
    position = _place(tokens, position, _values(schools, trace.codes))
    names = trace.names if len(trace.names) == len(trace.texts) else _names(len(trace.texts))
    position = _place(tokens, position, _array(names, trace.sentences[start:stop]))
    for (name, _), closing in zip(LISTS, ("\t", "\t", "\n"), strict=True):
        counts, numbers = lists[name]
        position = _place_list(tokens, position, counts, names[numbers], closing=closing)
    return "".join(tokens.tolist())


def _rows(lists: tuple[np.ndarray, np.ndarray], start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """The counts and item numbers of rows ``start``…``stop`` of a flattened list column."""
    counts, numbers = lists
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return counts[start:stop], numbers[offsets[start] : offsets[stop]]


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


def _ratings(schools: pd.DataFrame, codes: tuple[str, ...]) -> np.ndarray:
    """Rows x (a letter per code, then a tab): ``trace_ratings``."""
    block = np.full((len(schools), len(codes) + 1), "\t", dtype=object)
    for number, code in enumerate(codes):
        rating = schools[code].to_numpy(dtype=object)
        known = pd.notna(rating) & np.isin(rating, ["G", "A", "R"])
        block[:, number] = np.where(known, rating, NO_RATING)
    return block


def _values(schools: pd.DataFrame, codes: tuple[str, ...]) -> np.ndarray:
    """Rows x (``{`` or ``,`` + a value per code, then ``}`` and a tab): ``trace_values``."""
    block = np.empty((len(schools), len(codes) + 1), dtype=object)
    for number, code in enumerate(codes):
        values = pd.to_numeric(schools[f"{code}_value"], errors="coerce")
        block[:, number] = numbers_text(values, before="{" if number == 0 else ",")
    block[:, -1] = "}\t"
    return block


def _names(count: int) -> np.ndarray:
    """The text of every sentence number below ``count``."""
    return np.arange(count).astype(str).astype(object)


def _array(names: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Rows x (``{`` or ``,`` + a number per column, then ``}`` and a tab): an integer array per row."""
    rows, width = numbers.shape
    block = np.empty((rows, width + 1), dtype=object)
    if width:
        block[:, 0] = "{" + names[numbers[:, 0]]
        block[:, 1:width] = "," + names[numbers[:, 1:]]
        block[:, -1] = "}\t"
    else:
        block[:, -1] = "{}\t"
    return block


def _texts(values: pd.Series | pd.Index) -> np.ndarray:
    return np.asarray(values.astype(str), dtype=object)


def _flatten(lists: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(items per row, every item in row order) of a column of lists of text."""
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    items = np.fromiter(chain.from_iterable(lists), dtype=object, count=int(counts.sum()))
    return counts, items


def _place(tokens: np.ndarray, position: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Put each row's block of tokens at its position; the positions after them."""
    tokens[position[:, None] + np.arange(block.shape[1])] = block
    return position + block.shape[1]


def _place_list(
    tokens: np.ndarray, position: np.ndarray, counts: np.ndarray, items: np.ndarray, *, closing: str
) -> np.ndarray:
    """Each row's PostgreSQL array: "{" or "," before every item, then "}" ("{}" when empty) and ``closing``."""
    if len(items):
        row = np.repeat(np.arange(len(counts)), counts)
        nth = np.arange(len(items)) - np.repeat(np.cumsum(counts) - counts, counts)
        at = position[row] + 2 * nth
        tokens[at] = np.where(nth == 0, "{", ",").astype(object)
        tokens[at + 1] = items
    tokens[position + 2 * counts] = np.where(counts > 0, "}" + closing, "{}" + closing).astype(object)
    return position + 2 * counts + 1


def numbers_text(values: pd.Series, *, before: str = "") -> np.ndarray:
    """``before`` and each number as pandas' C JSON writer gives it (NaN as NULL); each distinct value is
    written once."""
    numbers = values.to_numpy(dtype="float64")
    known = ~np.isnan(numbers)
    out = np.full(len(numbers), before + "NULL", dtype=object)
    if known.any():
        # Factorised by bit pattern, so -0.0 and 0.0 keep their own text.
        codes, uniques = pd.factorize(numbers[known].view(np.int64))
        written = pd.Series(uniques.view(np.float64)).to_json(orient="records", double_precision=10)[1:-1].split(",")
        out[known] = (before + pd.Series(written, dtype=object)).to_numpy()[codes]
    return out
