"""The indicators S1-S9 and C1-C9, each a function from the shared context to a frame indexed by school_id.

``INDICATORS`` lists them in display order with their dimension, a short label and whether they count towards
the bands and score (C5 is context only; S9 modifies the standards band instead of being counted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..context import PROVISION_WORDS, RiskContext
from .capacity import c1_headteacher, c2_leadership, c5_falling_roll, intelligence_indicator
from .common import indicator_frame, join, when
from .standards import (
    s1_report_card,
    s2_ks2_attainment,
    s3_ks2_progress,
    s4_ks4,
    s5_disadvantaged,
    s6_attendance,
    s7_exclusions,
    s8_early_years,
)


@dataclass(frozen=True)
class Indicator:
    """One indicator: its stable code, dimension, label, whether it is counted, and how to compute it."""

    code: str
    dimension: str
    label: str
    scored: bool
    compute: Callable[[RiskContext], pd.DataFrame] | None


def _intel(code: str) -> Callable[[RiskContext], pd.DataFrame]:
    def compute(ctx: RiskContext) -> pd.DataFrame:
        return intelligence_indicator(ctx, code)

    compute.__name__ = f"{code.lower()}_intelligence"
    return compute


INDICATORS: tuple[Indicator, ...] = (
    Indicator("S1", "standards", "Report-card standards areas", True, s1_report_card),
    Indicator("S2", "standards", "KS2 attainment (reading, writing and maths)", True, s2_ks2_attainment),
    Indicator("S3", "standards", "KS2 progress", True, s3_ks2_progress),
    Indicator("S4", "standards", "KS4 Progress 8 / Attainment 8", True, s4_ks4),
    Indicator("S5", "standards", "Disadvantaged gap", True, s5_disadvantaged),
    Indicator("S6", "standards", "Attendance", True, s6_attendance),
    Indicator("S7", "standards", "Suspensions and exclusions", True, s7_exclusions),
    Indicator("S8", "standards", "Early years and phonics", True, s8_early_years),
    Indicator("S9", "standards", "Trend modifier", False, None),
    Indicator("C1", "capacity", "Headteacher stability", True, c1_headteacher),
    Indicator("C2", "capacity", "Report-card leadership and governance", True, c2_leadership),
    Indicator("C3", "capacity", "Governance", True, _intel("C3")),
    Indicator("C4", "capacity", "Finance", True, _intel("C4")),
    Indicator("C5", "capacity", "Falling roll (context only)", False, c5_falling_roll),
    Indicator("C6", "capacity", "Staffing", True, _intel("C6")),
    Indicator("C7", "capacity", "Complaints", True, _intel("C7")),
    Indicator("C8", "capacity", "SEND", True, _intel("C8")),
    Indicator("C9", "capacity", "Self-evaluation and peer review", True, _intel("C9")),
)
CODES = tuple(i.code for i in INDICATORS)
COMPUTED_CODES = tuple(i.code for i in INDICATORS if i.compute is not None)  # all but S9, made from the others
TREND_CODES = ("S2", "S3", "S4", "S5", "S6", "S7", "S8")


def s9_trend(ctx: RiskContext, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """S9: a three-year decline on ``min_declining_indicators`` or more of S2-S8 (each rated this year)."""
    rule, idx = ctx.rules.trend, ctx.index
    flags = pd.concat({code: frames[code]["declining"] for code in TREND_CODES}, axis=1)
    assessed = flags.notna().any(axis=1)
    count = (flags == 1).sum(axis=1)
    fired = assessed & (count >= rule.min_declining_indicators)
    declining_codes = join(*[when(flags[code] == 1, code) for code in TREND_CODES], sep=", ")
    steps = "one step" if rule.band_steps == 1 else f"{rule.band_steps} steps"
    n = ctx.rules.data.history_years
    sentence = pd.Series(
        when(
            fired,
            f"{n}-year decline on " + declining_codes + f": standards band raised {steps}",
        ),
        index=idx,
    )
    not_fired = when(
        assessed & ~fired,
        f"No {n}-year decline on {rule.min_declining_indicators} or more of S2-S8"
        + when(count > 0, " (declining: " + declining_codes + ")"),
    )
    missing = when(~assessed, f"No standards indicator has {n} years of data this year: trend not assessed")
    rating = pd.Series(None, index=idx, dtype=object).mask(assessed, "G").mask(fired, "A")
    return indicator_frame(
        idx,
        rating=rating,
        value=count.astype("float64").where(assessed),
        sentence=join(sentence, not_fired, missing),
        missing=missing,
        applicable=pd.Series(True, index=idx),
    )


def indicators_compute(ctx: RiskContext) -> dict[str, pd.DataFrame]:
    """Every indicator frame, keyed by code, in display order."""
    return indicators_complete(ctx, indicator_frames(ctx, COMPUTED_CODES))


def indicator_frames(ctx: RiskContext, codes: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The frames of ``codes`` (any of ``COMPUTED_CODES``, each independent of the others), keyed by code."""
    frames = {}
    for ind in INDICATORS:
        if ind.code in codes and ind.compute is not None:
            frames[ind.code] = ind.compute(ctx)
            if ind.code in COMPARED_CODES:
                frames[ind.code] = _like_with_like(ctx, ind.code, frames[ind.code])
    return frames


def indicators_complete(ctx: RiskContext, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every indicator frame in display order, from the frames of all of ``COMPUTED_CODES``: adds S9, which is
    made from the others."""
    frames = {**frames, "S9": s9_trend(ctx, frames)}
    return {code: frames[code] for code in CODES}


# Indicators judged against a national figure, and the measure whose presence shows the school has data for it.
COMPARED_CODES = {
    "S2": "ks2_rwm_exp",
    "S4": "ks4_att8",
    "S5": "ks2_rwm_exp_disadv",
    "S6": "abs_persistent",
    "S7": "exc_suspension_rate",
    "S8": "ey_phonics_pct",
}


def _like_with_like(ctx: RiskContext, code: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Special schools and AP: say which national figure a rating used; where there was none, say it was not
    scored for want of a comparator (they are never judged against mainstream figures)."""
    provision = ctx.provision
    if not (provision != "").any():
        return frame
    frame = frame.copy()
    words = provision.map(PROVISION_WORDS).fillna("")
    rated = (provision != "") & frame["rating"].notna()
    frame["sentence"] = frame["sentence"].where(
        ~rated, frame["sentence"] + " (compared with the national figure for " + words + ")"
    )
    unscored = (provision != "") & frame["rating"].isna() & frame["applicable"].astype(bool)
    has_data = pd.Series(~np.isnan(ctx.grid(COMPARED_CODES[code])).all(axis=1), index=ctx.index)
    has_value = frame["value"].notna() | has_data
    why = "no national comparator for " + words + " is published for this measure: not scored"
    frame["missing"] = frame["missing"].where(~(unscored & has_value), why)
    frame["sentence"] = frame["sentence"].where(~(unscored & has_value), why[unscored & has_value].str.capitalize())
    return frame
