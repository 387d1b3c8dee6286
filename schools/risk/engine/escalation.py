"""The register of concern: a school raised as a concern often enough in a window is proposed a category up.

DOMAIN: "A school that surfaces on the concern register three or more times in 12 months is proposed for the
next category up." A concern is a soft-intelligence entry (not archived) rated amber or red, of a kind the rule set
names (``ConcernRule.kinds``): the event triggers officers record (a complaint, a safeguarding incident, a budget
alert). Each issue counts once: updates recorded on one issue (its ``thread``) are one concern (#14.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .confidential import CONFIDENTIAL_CONCERN, CONFIDENTIAL_SUMMARY
from .context import RiskContext
from .indicators.common import long_date

FACT_KINDS = ("peer_review_facts",)
"""Intelligence kinds computed from other apps' records (``schools.risk.inputs`` providers), not officers' entries."""


def concerns_compute(ctx: RiskContext) -> pd.DataFrame:
    """Per school (``ctx.index``): ``concerns`` (entries in the window) and ``sentence`` ("" when none)."""
    rule = ctx.rules.concerns
    intel = ctx.intelligence
    start = ctx.today - pd.Timedelta(days=rule.window_days)
    rows = intel.loc[
        intel["rating"].isin(rule.ratings)
        & (intel["recorded_on"] > start)
        & (intel["recorded_on"] <= ctx.today)
        & ~intel["kind"].isin(FACT_KINDS)  # facts other apps compute (peer review) are not concerns raised
        & intel["kind"].isin(rule.kinds)  # #14.5: only the kinds the rule set names (not "head": C1 counts it)
    ].sort_values(["school_id", "recorded_on", "kind"], kind="stable")
    # #14.5: one concern per issue: the entries of one thread count once, listed at their first date in the window.
    own = pd.Series(-1 - np.arange(len(rows)), index=rows.index, dtype="float64")  # no thread: an issue of its own
    thread = pd.to_numeric(rows["thread"], errors="coerce").fillna(own)
    rows = rows.assign(thread=thread).drop_duplicates(["school_id", "thread"], keep="first")
    counts = rows.groupby("school_id").size().reindex(ctx.index, fill_value=0).astype(int)
    named = rows["kind"].str.replace("_", " ") + " " + long_date(rows["recorded_on"])
    listed = named.where(rows["summary"] != CONFIDENTIAL_SUMMARY, CONFIDENTIAL_CONCERN).groupby(rows["school_id"])
    when = listed.agg(", ".join).reindex(ctx.index).fillna("")
    window = _window_words(rule.window_days)
    end = long_date(pd.Series([pd.Timestamp(ctx.today)])).iloc[0]
    sentence = "Raised as a concern " + counts.astype(str) + f" times in the {window} to {end} (" + when + ")"
    hit = (counts >= rule.times) & (rule.steps > 0)
    return pd.DataFrame({"concerns": counts, "sentence": sentence.where(hit, "")}, index=ctx.index)


def concerns_escalate(proposed: np.ndarray, concerns: pd.DataFrame, ctx: RiskContext) -> tuple[np.ndarray, pd.Series]:
    """``proposed`` raised ``steps`` categories (at most the highest) where the concern rule fired, and the full
    sentence per school ("" where it did not fire), ending with the move it made."""
    top = max(c.number for c in ctx.rules.categories)
    hit = (concerns["sentence"] != "").to_numpy()
    raised = np.where(hit, np.minimum(proposed + ctx.rules.concerns.steps, top), proposed)
    move = pd.Series(
        np.where(
            raised > proposed,
            ": proposed category " + raised.astype(str) + " instead of " + proposed.astype(str),
            ": already at the highest category",
        ),
        index=concerns.index,
    )
    return raised, (concerns["sentence"] + move).where(hit, "")


def _window_words(days: int) -> str:
    return "12 months" if days == 365 else f"{days} days"
