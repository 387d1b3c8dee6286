"""Capacity indicators C1-C9, from the register (GIAS), inspections and officer-entered soft intelligence.

C5 (falling roll) is context only: it is shown with a rating but never counted in the band or the score.
"""

from __future__ import annotations

import pandas as pd

from ..context import RiskContext
from .common import (
    academic_year,
    choose,
    clause,
    declining,
    history,
    indicator_frame,
    join,
    long_date,
    num,
    rate,
    when,
    worst,
)
from .standards import GRADE_LABELS

INTEL_TO_RATING = {"green": "G", "amber": "A", "red": "R"}
LEGACY_LABELS = {1.0: "outstanding", 2.0: "good", 3.0: "requires improvement", 4.0: "inadequate"}

CAPACITY_LABELS = {
    "C3": "governance",
    "C4": "finance",
    "C5": "falling roll",
    "C6": "staffing",
    "C7": "complaints",
    "C8": "SEND",
    "C9": "self-evaluation and peer review",
}


def _intel_rating(entries: pd.DataFrame) -> pd.Series:
    return entries["rating"].map(INTEL_TO_RATING).astype(object).where(lambda s: s.notna(), None)


def _intel_sentence(label: str, entries: pd.DataFrame) -> pd.Series:
    summary = clause(entries["summary"])
    return (
        f"{label[0].upper()}{label[1:]} intelligence recorded "
        + long_date(entries["recorded_on"])
        + " ("
        + entries["rating"].fillna("").astype(object)
        + ")"
        + when(summary != "", ": " + summary)
    )


# ---------------------------------------------------------------------------------------------- C1


def c1_headteacher(ctx: RiskContext) -> pd.DataFrame:
    """C1: head new (< 1 year), acting or vacant (intelligence), or two or more head changes in three years.

    ``head_since`` is the date GIAS recorded the latest change of head (a change of person, not of spelling: the
    loader judges it, #14.5), so the sentence says "recorded on", not "in post since"."""
    rule, idx, schools = ctx.rules.c1, ctx.index, ctx.schools
    since = schools["head_since"]
    days = (ctx.today - since).dt.days
    new = days.between(0, rule.new_head_days - 1)
    changes = schools["head_changes_3y"]
    many = changes >= rule.red_min_changes_3y
    intel = ctx.intelligence_latest(rule.intelligence_kinds, window_days=ctx.rules.intelligence.window_days)
    intel_rating = _intel_rating(intel)
    known = since.notna() | changes.notna() | intel_rating.notna()
    from_data = rate(idx, known=since.notna() | changes.notna(), amber=new, red=many)
    rating = worst(from_data, intel_rating)
    sentence = join(
        when(
            since.notna(),
            "New headteacher recorded on "
            + long_date(since)
            + when(new, " (under a year ago; the date GIAS recorded the change, not the start date)"),
        ),
        when(changes.notna(), num(changes, 0) + " headteacher changes in the last three years"),
        when(intel_rating.notna(), _intel_sentence("headship", intel[intel_rating.notna().to_numpy()])),
    )
    missing = when(
        ~known,
        "Headteacher's start date, head changes and headship intelligence not known: C1 not scored",
    )
    return indicator_frame(
        idx,
        rating=rating,
        value=changes,
        sentence=choose([known], [sentence], missing),
        missing=missing,
        applicable=pd.Series(True, index=idx),
    )


# ---------------------------------------------------------------------------------------------- C2


def c2_leadership(ctx: RiskContext) -> pd.DataFrame:
    """C2: report-card leadership and governance, or the legacy leadership and management grade (never converted)."""
    rule, idx, latest = ctx.rules.c2, ctx.index, ctx.latest
    rc = latest["rc_leadership_governance"].fillna("")
    legacy = latest["leadership_management"]
    is_rc = (latest["framework"] == "report_card") & (rc != "")
    is_legacy = (latest["framework"] == "oeif") & legacy.notna()
    date = long_date(latest["start_date"])
    red = (is_rc & rc.isin(rule.red_grades)) | (is_legacy & legacy.isin(rule.legacy_red_grades))
    amber = (is_rc & rc.isin(rule.amber_grades)) | (is_legacy & legacy.isin(rule.legacy_amber_grades))
    known = is_rc | is_legacy
    rc_at, legacy_at, unknown_at = is_rc.to_numpy(), is_legacy.to_numpy(), (~known).to_numpy()
    rc_sentence = (
        "Report card of "
        + date[rc_at]
        + ": leadership and governance "
        + rc[rc_at].map(GRADE_LABELS).fillna(rc[rc_at]).astype(object)
    )
    legacy_sentence = (
        "Legacy inspection of "
        + date[legacy_at]
        + ": leadership and management "
        + legacy[legacy_at].map(LEGACY_LABELS).fillna("").astype(object)
    )
    missing = choose(
        [latest["framework"].isna()],
        ["No graded inspection on record: C2 not scored"],
        "Latest graded inspection (" + date[unknown_at] + ") has no leadership grade: C2 not scored",
    )
    return indicator_frame(
        idx,
        rating=rate(idx, known=known, amber=amber, red=red),
        value=legacy.where(is_legacy),
        sentence=choose([is_rc, is_legacy], [rc_sentence, legacy_sentence], missing),
        missing=when(~known, missing),
        applicable=pd.Series(True, index=idx),
    )


# ---------------------------------------------------------------------------------------------- C3-C9


def intelligence_indicator(ctx: RiskContext, code: str) -> pd.DataFrame:
    """C3-C9 (except C5's data part): the latest entry of the mapped kinds within the window wins."""
    idx = ctx.index
    window = ctx.rules.intelligence.window_days
    kinds = getattr(ctx.rules.intelligence, f"{code.lower()}_kinds")
    label = CAPACITY_LABELS[code]
    entries = ctx.intelligence_latest(kinds, window_days=window)
    # #14.5: a red entry of a kind the rule set keeps (finance) does not lapse with the window: while it is the
    # latest entry of its kinds it stays red, "review due", until an officer archives it or records a newer one.
    kept = pd.Series(False, index=idx)
    if set(kinds) & set(ctx.rules.intelligence.red_kept_kinds):
        latest = ctx.intelligence_latest(kinds, window_days=None)
        kept = entries["rating"].isna() & (latest["rating"] == "red")
        entries = entries.copy()
        entries.loc[kept, :] = latest.loc[kept, :]
    rating = _intel_rating(entries)
    since = long_date(pd.Series([ctx.today - pd.Timedelta(days=window - 1)])).iloc[0]
    missing = when(rating.isna(), f"No {label} intelligence recorded since {since}: {code} not scored")
    found = rating.notna()
    review_due = when(
        kept,
        f"; review due: recorded more than {_window_words(window)} ago, it stays red until an officer archives it"
        f" or records a newer {label} entry",
    )
    sentence = _intel_sentence(label, entries[found.to_numpy()]) + review_due[found.to_numpy()]
    return indicator_frame(
        idx,
        rating=rating,
        value=pd.Series(float("nan"), index=idx),
        sentence=choose([found], [sentence], missing),
        missing=missing,
        applicable=pd.Series(True, index=idx),
    )


def _window_words(days: int) -> str:
    return "12 months" if days == 365 else f"{days} days"


def c5_falling_roll(ctx: RiskContext) -> pd.DataFrame:
    """C5 (context only): the census roll fell in each of the last three years, or roll intelligence."""
    rule, data, idx = ctx.rules.intelligence, ctx.rules.data, ctx.index
    year = ctx.stage_year("census")
    hist = history(ctx.grid("census_roll"), ctx.years, year, n=data.history_years, span=data.history_span_years)
    falling = declining(hist, data.history_years, higher_is_worse=False)
    intel = ctx.intelligence_latest(rule.c5_kinds, window_days=rule.window_days)
    intel_rating = _intel_rating(intel)
    roll_known = falling.notna()
    no_red = pd.Series(False, index=idx)
    roll_rating = rate(idx, known=roll_known, amber=(falling == 1) & rule.roll_decline_amber, red=no_red)
    rating = worst(roll_rating, intel_rating)
    oldest = hist[data.history_years - 1]
    roll_sentence = (
        "Number on roll "
        + num(hist[0], 0)
        + " in "
        + academic_year(year)
        + " against "
        + num(oldest, 0)
        + f" {data.history_years - 1} census years before"
        + when(falling == 1, ", falling every year")
    )
    missing = when(
        rating.isna(), f"Fewer than {data.history_years} years of census roll and no roll intelligence: C5 not shown"
    )
    intel_found = intel_rating.notna()
    sentence = join(
        when(roll_known, roll_sentence), when(intel_found, _intel_sentence("roll", intel[intel_found.to_numpy()]))
    )
    return indicator_frame(
        idx,
        rating=rating,
        value=hist[0].where(roll_known),
        sentence=choose([rating.notna()], [sentence + " (context only, not scored)"], missing),
        missing=missing,
        applicable=pd.Series(True, index=idx),
    )
