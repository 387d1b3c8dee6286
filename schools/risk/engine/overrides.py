"""Step 1, hard overrides: statutory and inspection triggers that set a floor on the category, each a sentence."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .context import RiskContext
from .indicators.common import clause, long_date, names, when
from .indicators.standards import AREA_LABELS, GRADE_LABELS
from .ruleset import REPORT_CARD_AREAS

EMPTY_CONCERN = ("", "null", "none", "no", "n/a", "na", "not applicable")
NOT_MET = ("false", "no", "not met", "not_met", "0", "n")
NOT_EFFECTIVE = ("no", "false", "0", "n", "not effective")


def _below_good(ctx: RiskContext, ins: pd.DataFrame) -> pd.Series:
    """Below good at one inspection: legacy overall RI or worse (or, where overall was not judged, an RI-or-worse
    quality of education or leadership grade). A report card is below good only when the rule set converts report
    cards (``stuck_converts_report_cards``, off by default: DOMAIN, never convert one scale into the other)."""
    rule = ctx.rules.overrides
    legacy = _below_good_legacy(ctx, ins)
    if not rule.stuck_converts_report_cards:
        return legacy
    return legacy | _rc_convertible(ctx, ins)


def _below_good_legacy(ctx: RiskContext, ins: pd.DataFrame) -> pd.Series:
    grades = ctx.rules.overrides.below_good_legacy_grades
    sub = ins["quality_of_education"].isin(grades) | ins["leadership_management"].isin(grades)
    return (ins["framework"] == "oeif") & (ins["overall"].isin(grades) | (ins["overall"].isna() & sub))


def _rc_convertible(ctx: RiskContext, ins: pd.DataFrame) -> pd.Series:
    """A report card with any area graded as the rule set's ``below_good_report_card_grades``."""
    grades = ctx.rules.overrides.below_good_report_card_grades
    return (ins["framework"] == "report_card") & ins[list(REPORT_CARD_AREAS)].isin(grades).any(axis=1)


def _stuck_rule_words(ctx: RiskContext) -> str:
    """Which "below good" rule "stuck" used, for its sentence (#14.5)."""
    rule = ctx.rules.overrides
    if not rule.stuck_converts_report_cards:
        return ", on the legacy grades (report cards are not converted)"
    grades = " or ".join(GRADE_LABELS.get(g, g) for g in rule.below_good_report_card_grades)
    return f", where this rule set counts a report card with {grades} in any area as below good"


Pick = Callable[[pd.Series], pd.Series]


def _floor(rule: str, mask: pd.Series, floor: int, sentence: Callable[[Pick], pd.Series]) -> pd.DataFrame:
    """The schools where ``mask`` holds (when ``floor`` is above 0), with their sentences.

    ``sentence(at)`` builds the text for those schools only: ``at`` narrows any per-school Series to them.
    """
    hit = (mask.fillna(False).astype(bool) & (floor > 0)).to_numpy()

    def at(series: pd.Series) -> pd.Series:
        return series[hit]

    index = mask.index[hit]
    out = pd.DataFrame({"rule": rule, "floor": floor, "sentence": sentence(at).astype(object)}, index=index)
    out.index.name = "school_id"
    return out


def _context(rule: str, mask: pd.Series, sentence: Callable[[Pick], pd.Series]) -> pd.DataFrame:
    """Like ``_floor``, but a sentence of context that sets no floor (floor 0)."""
    return _floor(rule, mask, 1, sentence).assign(floor=0)


def _category(n: int) -> str:
    return f"category {n}" if n == 4 else f"at least category {n}"


def overrides_compute(ctx: RiskContext) -> pd.DataFrame:
    """One row per override that fired: index school_id, columns ``rule``, ``floor`` (1-4), ``sentence``."""
    rule, latest, previous = ctx.rules.overrides, ctx.latest, ctx.previous
    date = long_date(latest["start_date"])
    is_rc, is_legacy = latest["framework"] == "report_card", latest["framework"] == "oeif"
    concern = latest["category_of_concern"].fillna("").astype(str)
    has_concern = ~concern.str.strip().str.lower().isin(EMPTY_CONCERN)
    urgent = {AREA_LABELS[a]: latest[a] == "urgent" for a in REPORT_CARD_AREAS}
    rows = [
        _floor(
            "category_of_concern",
            has_concern,
            rule.category_of_concern,
            lambda at: "Ofsted category of concern (" + at(concern) + ") at the inspection of " + at(date) + ": "
            + _category(rule.category_of_concern),
        ),
        _floor(
            "report_card_urgent",
            is_rc & pd.concat(urgent, axis=1).any(axis=1),
            rule.report_card_urgent,
            lambda at: "Report card of " + at(date) + ": urgent improvement in "
            + names({area: at(flag) for area, flag in urgent.items()}, at(date).index) + ": "
            + _category(rule.report_card_urgent),
        ),
        _floor(
            "safeguarding_not_met",
            latest["rc_safeguarding_met"].fillna("").isin(NOT_MET),
            rule.safeguarding_not_met,
            lambda at: "Safeguarding not met at the inspection of " + at(date) + ": "
            + _category(rule.safeguarding_not_met),
        ),
        _floor(
            "legacy_safeguarding_ineffective",
            is_legacy & latest["safeguarding_effective"].fillna("").isin(NOT_EFFECTIVE),
            rule.legacy_safeguarding_ineffective,
            lambda at: "Safeguarding not effective at the legacy inspection of " + at(date) + ": "
            + _category(rule.legacy_safeguarding_ineffective),
        ),
        _floor(
            "legacy_inadequate",
            is_legacy & (latest["overall"] == 4),
            rule.legacy_inadequate,
            lambda at: "Latest graded inspection (legacy, " + at(date) + ") judged the school inadequate: "
            + _category(rule.legacy_inadequate),
        ),
        *_intelligence_overrides(ctx),
        _floor(
            "stuck",
            _below_good(ctx, latest) & _below_good(ctx, previous),
            rule.stuck,
            lambda at: "Stuck school: below good at the latest inspection (" + at(date) + ") and at the one before ("
            + long_date(at(previous["start_date"])) + ")" + _stuck_rule_words(ctx) + ": " + _category(rule.stuck),
        ),
        _context(  # what the default "below good" rule did not convert (#14.5): a sentence, no floor
            "stuck_not_judged",
            _rc_convertible(ctx, latest)
            & _below_good_legacy(ctx, previous)
            & (rule.stuck > 0 and not rule.stuck_converts_report_cards),
            lambda at: "Not judged stuck: the latest inspection (" + at(date) + ") is a report card, which this rule "
            "set does not convert to the legacy scale (the one before, " + long_date(at(previous["start_date"]))
            + ", was below good)",
        ),
        _floor(
            "legacy_ri",
            is_legacy & _legacy_ri(latest),
            rule.legacy_ri,
            lambda at: "Latest graded inspection (legacy, " + at(date) + ") requires improvement: "
            + _category(rule.legacy_ri) + " until re-inspected",
        ),
    ]  # fmt: skip
    return pd.concat([*rows, _predecessor_context(ctx)])


LEGACY_WORDS = {1.0: "outstanding", 2.0: "good", 3.0: "requires improvement", 4.0: "inadequate"}


def _predecessor_context(ctx: RiskContext) -> pd.DataFrame:
    """A predecessor's inspection filed under this URN, as a sentence that sets no floor: context only (#14)."""
    ins = ctx.predecessor_latest
    has = ins["start_date"].notna()
    if not has.any():
        return pd.DataFrame({"rule": [], "floor": [], "sentence": []}, index=pd.Index([], name="school_id"))
    rows = ins[has]
    urn = rows["urn_at_inspection"].fillna("").astype(str).str.replace(r"\.0$", "", regex=True)
    grade = rows["overall"].map(LEGACY_WORDS)
    judged = pd.Series(
        np.where(
            rows["framework"] == "report_card",
            "report card",
            np.where(grade.notna(), "judged " + grade.fillna("").astype(str), "no overall grade"),
        ),
        index=rows.index,
    )
    sentence = (
        "Inspection of a predecessor school on "
        + long_date(rows["start_date"])
        + when(urn != "", " (URN " + urn + ")")
        + ", "
        + judged
        + ": context only, not counted (Ofsted files it under this URN, but it is not this school's inspection)"
    )
    out = pd.DataFrame({"rule": "predecessor_context", "floor": 0, "sentence": sentence.astype(object)})
    out.index.name = "school_id"
    return out


def _recorded(what: str, recorded_on: pd.Series, summary: pd.Series) -> pd.Series:
    """ "Warning notice recorded 5 March 2025: <summary>" (no colon when the summary is empty)."""
    summary = clause(summary)
    return f"{what} recorded " + long_date(recorded_on) + when(summary != "", ": " + summary)


def _legacy_ri(latest: pd.DataFrame) -> pd.Series:
    """Legacy RI: overall 3, or (overall not judged, after September 2024) RI or worse in QoE or leadership."""
    sub = latest["quality_of_education"].isin((3, 4)) | latest["leadership_management"].isin((3, 4))
    return (latest["overall"] == 3) | (latest["overall"].isna() & sub)


def _intelligence_overrides(ctx: RiskContext) -> list[pd.DataFrame]:
    """Warning notice and IEB (latest entry, any age, not rated green), and a red safeguarding concern."""
    rule = ctx.rules.overrides
    out = []
    for name, kinds, floor, what in (
        ("warning_notice", rule.warning_notice_kinds, rule.warning_notice, "Warning notice"),
        ("ieb", rule.ieb_kinds, rule.ieb, "Interim executive board"),
    ):
        entry = ctx.intelligence_latest(kinds, window_days=None)

        def sentence(at: Pick, entry: pd.DataFrame = entry, what: str = what, floor: int = floor) -> pd.Series:
            return _recorded(what, at(entry["recorded_on"]), at(entry["summary"])) + ": " + _category(floor)

        out.append(
            _floor(
                name,
                entry["rating"].isin(("amber", "red")),
                floor,
                sentence,
            )
        )
    entry = ctx.intelligence_latest(rule.safeguarding_kinds, window_days=ctx.rules.intelligence.window_days)
    out.append(
        _floor(
            "safeguarding_concern",
            entry["rating"] == "red",
            rule.safeguarding_concern,
            lambda at: (
                _recorded("Safeguarding concern", at(entry["recorded_on"]), at(entry["summary"]))
                + ": "
                + _category(rule.safeguarding_concern)
                + " (an officer may raise it to 4)"
            ),
        )
    )
    return out
