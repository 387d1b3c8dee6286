"""Standards indicators S1-S8, from inspections and imported performance data.

Each function takes the shared ``RiskContext`` and returns an indicator frame (see ``common``). They degrade
gracefully: a key stage the school does not have is "not applicable"; missing, suppressed or unpublished data
gives no rating and a sentence saying which input was missing and why; no division ever has a zero divisor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..context import RiskContext
from .common import (
    Rows,
    academic_year,
    as_mask,
    as_objects,
    choose,
    declining,
    history,
    indicator_frame,
    join,
    long_date,
    names,
    num,
    rate,
    text,
    when,
    worst,
    year_text,
)
from .evidence import Pooled, ks2_progress_pooled

AREA_LABELS = {
    "rc_inclusion": "inclusion",
    "rc_curriculum_teaching": "curriculum and teaching",
    "rc_achievement": "achievement",
    "rc_attendance_behaviour": "attendance and behaviour",
    "rc_personal_development": "personal development and well-being",
    "rc_leadership_governance": "leadership and governance",
    "rc_early_years": "early years",
    "rc_post16": "sixth form",
}
GRADE_LABELS = {
    "exceptional": "exceptional",
    "strong": "strong standard",
    "expected": "expected standard",
    "needs_attention": "needs attention",
    "urgent": "urgent improvement",
}


def _not_applicable(index: pd.Index, applicable: pd.Series, why: str) -> pd.Series:
    return when(~applicable.reindex(index).fillna(False).astype(bool), f"Not applicable: {why}")


# ---------------------------------------------------------------------------------------------- S1


def s1_report_card(ctx: RiskContext) -> pd.DataFrame:
    """S1: latest report-card grades in achievement, curriculum and teaching, inclusion, attendance and behaviour."""
    rule, idx, latest = ctx.rules.s1, ctx.index, ctx.latest
    is_rc = latest["framework"] == "report_card"
    grades = latest[list(rule.areas)].fillna("")
    amber_areas = {AREA_LABELS[a]: grades[a].isin(rule.amber_grades) for a in rule.areas}
    red_areas = {AREA_LABELS[a]: grades[a].isin(rule.red_grades) for a in rule.areas}
    graded = (grades != "").any(axis=1)
    known = is_rc & graded
    red = pd.concat(red_areas, axis=1).any(axis=1)
    amber = pd.concat(amber_areas, axis=1).any(axis=1)
    rating = rate(idx, known=known, amber=amber, red=red)
    date = long_date(latest["start_date"])
    on, on_legacy, on_ungraded = Rows(known), Rows(latest["framework"].notna() & ~is_rc), Rows(is_rc & ~graded)
    shown = {a: on(grades[a]) for a in rule.areas}
    listed = join(*[when(shown[a] != "", f"{AREA_LABELS[a]} " + _grade_label(shown[a])) for a in rule.areas])
    sentence_known = "Report card of " + on(date) + ": " + listed
    missing = choose(
        [latest["framework"].isna(), ~is_rc, ~graded],
        [
            "No graded inspection on record: S1 not scored",
            "No report-card inspection yet (latest graded inspection " + on_legacy(date) + " was under the legacy "
            "framework, whose grades are never converted): S1 not scored",
            "Report card of " + on_ungraded(date) + " has no grades in the S1 areas: S1 not scored",
        ],
    )
    sentence = choose([known], [sentence_known], missing)
    value = pd.concat(amber_areas, axis=1).sum(axis=1) + 2 * pd.concat(red_areas, axis=1).sum(axis=1)
    return indicator_frame(
        idx, rating=rating, value=value.astype("float64").where(known), sentence=sentence, missing=missing,
        applicable=pd.Series(True, index=idx),
    )  # fmt: skip


def _grade_label(grades: pd.Series) -> pd.Series:
    return text(grades.map(GRADE_LABELS).where(grades.isin(list(GRADE_LABELS)), grades))


# ---------------------------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Versus:
    """A school measure in its year against the national figure, with the history of gaps."""

    value: pd.Series
    national: pd.Series
    gap: pd.Series
    marker: pd.Series
    hist: pd.DataFrame


def versus_national(
    ctx: RiskContext, code: str, year: pd.Series, *, exclude: np.ndarray | None = None, phase_specific: bool = False
) -> Versus:
    """``code`` in each school's ``year`` against national, and the last ``history_years`` gaps to national."""
    value = ctx.at(code, year)
    national = ctx.national(code, year, phase_specific=phase_specific)
    gaps = ctx.grid(code) - ctx.national_grid(code, phase_specific=phase_specific)
    data = ctx.rules.data
    hist = history(gaps, ctx.years, year, n=data.history_years, span=data.history_span_years, exclude=exclude)
    return Versus(value=value, national=national, gap=value - national, marker=ctx.marker_at(code, year), hist=hist)


def small_years(ctx: RiskContext, cohort_code: str, minimum: int) -> np.ndarray:
    """Schools x years (``ctx.grid``): True where the cohort was below ``minimum`` pupils."""
    with np.errstate(invalid="ignore"):
        return ctx.grid(cohort_code) < minimum


def direction(gap: pd.Series, unit: str = "points") -> pd.Series:
    """ "14 points below national" / "3 points above national" / "in line with national"."""
    size = num(gap.abs())
    return choose(
        [gap < 0, gap > 0, gap == 0],
        [size + f" {unit} below national", size + f" {unit} above national", "in line with national"],
    )


def years_phrase(count_below: pd.Series, count: pd.Series, n: int, what: str = "below national") -> pd.Series:
    """ "below national in 2 of the last 3 years" (or "of the 2 years on file")."""
    k = num(count_below.astype("float64"), 0)
    of = choose(
        [count >= n], [f"of the last {n} years"], "of the " + num(count.astype("float64"), 0) + " years on file"
    )
    return f"{what} in " + k + " " + of


@dataclass(frozen=True)
class Gate:
    """Why a key-stage indicator cannot be scored for a school: no results in the window, or a small cohort."""

    year: pd.Series
    label: pd.Series
    ok: pd.Series
    missing: pd.Series


def stage_gate(
    ctx: RiskContext, *, stage: str, label: str, code: str, applicable: pd.Series, cohort_code: str, minimum: int
) -> Gate:
    """The school's year for the stage, and the reason (if any) the indicator cannot be scored."""
    year = ctx.stage_year(stage)
    cohort = ctx.at(cohort_code, year) if cohort_code else pd.Series(np.nan, index=ctx.index)
    no_year = applicable & year.isna()
    small = applicable & year.notna() & (cohort < minimum)
    label_year = academic_year(year)
    window = f"{year_text(ctx.as_at - ctx.rules.data.max_age_years)} to {year_text(ctx.as_at)}"
    on_small = Rows(small)
    missing = choose(
        [no_year, small],
        [
            f"No {label} results on file for " + window + f": {code} not scored",
            f"{label} cohort of "
            + num(on_small(cohort), 0)
            + " pupils in "
            + on_small(label_year)
            + f" is below the {minimum} needed: {code} suppressed",
        ],
    )
    return Gate(year=year, label=label_year, ok=applicable & ~no_year & ~small, missing=missing)


def _value_missing(label: str, code: str, year: pd.Series, marker: pd.Series) -> pd.Series:
    why = choose([marker != ""], [" (" + marker + ")"], " (no figure)")
    return f"{label} for " + year + " not available" + why + f": {code} not scored"


def _national_missing(label: str, code: str, year: pd.Series) -> pd.Series:
    return f"National {label} for " + year + f" not loaded: {code} not scored"


def _short_history(label: str, count: pd.Series, n: int) -> pd.Series:
    return "Only " + num(count.astype("float64"), 0) + f" of the last {n} years of {label} on file"


# ---------------------------------------------------------------------------------------------- S2


def s2_ks2_attainment(ctx: RiskContext) -> pd.DataFrame:
    """S2: KS2 % at the expected standard in reading, writing and maths against national, over three years."""
    rule, data, idx = ctx.rules.s2, ctx.rules.data, ctx.index
    app = ctx.ks2
    gate = stage_gate(
        ctx, stage="ks2", label="KS2", code="S2", applicable=app, cohort_code="ks2_cohort", minimum=data.ks2_min_pupils
    )
    vs = versus_national(ctx, "ks2_rwm_exp", gate.year, exclude=small_years(ctx, "ks2_cohort", data.ks2_min_pupils))
    n = data.history_years
    below_years = (vs.hist[list(range(n))] < 0).sum(axis=1)
    known = gate.ok & vs.value.notna() & vs.national.notna()
    red = (vs.gap < -rule.red_points_below) & (below_years >= rule.red_min_years_below)
    amber = vs.gap < -rule.amber_points_below
    label = "KS2 reading, writing and maths expected standard"
    on = Rows(known)
    sentence = (
        label + " " + num(on(vs.value)) + "% in " + on(gate.label) + ", " + direction(on(vs.gap))
        + " (" + num(on(vs.national)) + "%), and " + years_phrase(on(below_years), on(vs.hist["count"]), n)
    )  # fmt: skip
    no_value = gate.ok & vs.value.isna()
    no_national = gate.ok & vs.value.notna() & vs.national.isna()
    on_no_value, on_no_national, on_short = Rows(no_value), Rows(no_national), Rows(known & (vs.hist["count"] < n))
    missing = choose(
        [~gate.ok, no_value, no_national],
        [
            gate.missing,
            _value_missing(label, "S2", on_no_value(gate.label), on_no_value(vs.marker)),
            _national_missing(label, "S2", on_no_national(gate.label)),
        ],
        when(vs.hist["count"] < n, _short_history("KS2 results", on_short(vs.hist["count"]), n)),
    )
    return indicator_frame(
        idx,
        rating=rate(idx, known=known, amber=amber, red=red),
        value=vs.gap.where(known),
        sentence=choose([~app, known], [_not_applicable(idx, app, "no key stage 2"), sentence], missing),
        missing=missing,
        applicable=app,
        declining=declining(vs.hist, n, higher_is_worse=False).where(known),
    )


# ---------------------------------------------------------------------------------------------- S3

SUBJECTS = (("reading", "read"), ("writing", "writ"), ("maths", "mat"))


@dataclass(frozen=True)
class ProgressInputs:
    """What S3 rates: each subject's progress and upper confidence limit in the school's KS2 year, or pooled over
    the years for a small cohort (#14 item 6); ``gate.ok`` is True where either can be rated."""

    gate: Gate
    pooled: Pooled
    unpublished: pd.Series
    scores: dict[str, pd.Series]
    upper: dict[str, pd.Series]


def s3_progress_inputs(ctx: RiskContext) -> ProgressInputs:
    """S3's gate and figures (the score's evidence reads the same ones)."""
    data = ctx.rules.data
    app = ctx.ks2
    gate = stage_gate(
        ctx, stage="ks2", label="KS2", code="S3", applicable=app, cohort_code="ks2_cohort", minimum=data.ks2_min_pupils
    )
    small = app & gate.year.notna() & (ctx.at("ks2_cohort", gate.year) < data.ks2_min_pupils)
    pooled = ks2_progress_pooled(ctx, gate.year, small)
    on_few = Rows(pooled.too_few != "")
    gate_missing = choose(
        [pooled.too_few != ""],
        [
            on_few(gate.missing).str.replace(": S3 suppressed", "", regex=False)
            + on_few(pooled.too_few)
            + ": S3 suppressed"
        ],
        gate.missing,
    )
    gate = Gate(
        year=gate.year, label=gate.label, ok=gate.ok | pooled.ok, missing=choose([pooled.ok], [""], gate_missing)
    )
    unpublished = gate.ok & gate.year.isin(ctx.rules.s3.not_published_years)
    scores = {s: ctx.at(f"ks2_{c}_prog", gate.year).mask(pooled.ok, pooled.score[s]) for s, c in SUBJECTS}
    upper = {s: ctx.at(f"ks2_{c}_prog_upper", gate.year).mask(pooled.ok, pooled.upper[s]) for s, c in SUBJECTS}
    return ProgressInputs(gate=gate, pooled=pooled, unpublished=unpublished, scores=scores, upper=upper)


def s3_ks2_progress(ctx: RiskContext) -> pd.DataFrame:
    """S3: KS2 progress against the coasting (amber) and floor (red, CI wholly below zero) lines."""
    rule, data, idx = ctx.rules.s3, ctx.rules.data, ctx.index
    app = ctx.ks2
    inputs = s3_progress_inputs(ctx)
    gate, unpublished, scores, upper = inputs.gate, inputs.unpublished, inputs.scores, inputs.upper
    amber_s = {s: scores[s] < getattr(rule, f"amber_below_{s}") for s, _ in SUBJECTS}
    floor_s = {s: scores[s] < getattr(rule, f"red_below_{s}") for s, _ in SUBJECTS}
    ci_below = {s: (upper[s] < 0) if rule.red_needs_ci_below_zero else pd.Series(True, index=idx) for s, _ in SUBJECTS}
    red_s = {s: floor_s[s] & ci_below[s] for s, _ in SUBJECTS}
    any_score = pd.concat(scores, axis=1).notna().any(axis=1)
    known = gate.ok & ~unpublished & any_score
    red = pd.concat(red_s, axis=1).any(axis=1)
    amber = pd.concat(amber_s, axis=1).any(axis=1)
    rating = rate(idx, known=known, amber=amber, red=red)
    lines = ", ".join(f"{getattr(rule, f'red_below_{s}'):g} {s}" for s, _ in SUBJECTS)
    coasting = ", ".join(f"{getattr(rule, f'amber_below_{s}'):g} {s}" for s, _ in SUBJECTS)
    on = Rows(known)
    shown = {s: on(scores[s]) for s, _ in SUBJECTS}
    listed = join(*[when(shown[s].notna(), f"{s} " + num(shown[s])) for s, _ in SUBJECTS], sep=", ")
    red_on, amber_on = {s: on(red_s[s]) for s in red_s}, {s: on(amber_s[s]) for s in amber_s}
    finding = choose(
        [on(red), on(amber)],
        [
            names(red_on, on.index) + f" below the floor ({lines}) with the confidence interval wholly below zero",
            names(amber_on, on.index) + f" below the coasting line ({coasting})",
        ],
        "no subject below the coasting line",
    )
    period = choose([on(inputs.pooled.ok)], [on(inputs.pooled.caveat)], on(gate.label))
    sentence = "KS2 progress " + period + ": " + listed + "; " + finding
    yr = gate.label
    no_score = gate.ok & ~unpublished & ~any_score
    on_unpublished, on_no_score = Rows(unpublished), Rows(no_score)
    missing = choose(
        [~gate.ok, unpublished, no_score],
        [
            gate.missing,
            "KS2 progress not published for "
            + on_unpublished(yr)
            + " (no KS1 baseline): S3 falls back to attainment only (S2)",
            _value_missing(
                "KS2 progress",
                "S3",
                on_no_score(gate.label),
                on_no_score(ctx.marker_at("ks2_read_prog", gate.year)),
            ),
        ],
        _s3_partial(
            {s: on(v) for s, v in scores.items()},
            {s: on(v) for s, v in floor_s.items()},
            {s: on(v) for s, v in upper.items()},
            {s: on(v) for s, v in ci_below.items()},
            on.index,
        ),
    )
    mean = _mean_of_known([ctx.grid(f"ks2_{c}_prog") for _, c in SUBJECTS])
    hist = history(
        mean,
        ctx.years,
        gate.year,
        n=data.history_years,
        span=data.history_span_years,
        exclude=small_years(ctx, "ks2_cohort", data.ks2_min_pupils),
    )
    return indicator_frame(
        idx,
        rating=rating,
        value=pd.concat(scores, axis=1).min(axis=1).where(known),
        sentence=choose([~app, known], [_not_applicable(idx, app, "no key stage 2"), sentence], missing),
        missing=missing,
        applicable=app,
        declining=declining(hist, data.history_years, higher_is_worse=False).where(known),
    )


def _mean_of_known(grids: list[np.ndarray]) -> np.ndarray:
    """Cell by cell, the mean of the values that are there (NaN where none is)."""
    stacked = np.stack(grids)
    known = ~np.isnan(stacked)
    count = known.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):  # inf + -inf, 0 / 0: NaN, as pandas' mean gives
        total = np.where(known, stacked, 0.0).sum(axis=0)
        return np.where(count > 0, total / count, np.nan)


def _s3_partial(
    scores: dict[str, pd.Series],
    floor_s: dict[str, pd.Series],
    upper: dict[str, pd.Series],
    ci_below: dict[str, pd.Series],
    idx: pd.Index,
) -> pd.Series:
    absent = names({s: scores[s].isna() for s in scores}, idx)
    no_ci = names({s: floor_s[s] & upper[s].isna() for s in scores}, idx)
    return join(
        when(absent != "", "KS2 progress not available for " + absent),
        when(no_ci != "", "No confidence interval for " + no_ci + ": red needs the interval wholly below zero"),
    )


# ---------------------------------------------------------------------------------------------- S4


def s4_ks4(ctx: RiskContext) -> pd.DataFrame:
    """S4: Progress 8 against -0.25 (amber) and -0.5 with CI below zero (red); Attainment 8 when P8 is missing."""
    rule, data, idx = ctx.rules.s4, ctx.rules.data, ctx.index
    app = ctx.ks4
    gate = stage_gate(
        ctx, stage="ks4", label="KS4", code="S4", applicable=app, cohort_code="ks4_cohort", minimum=data.ks4_min_pupils
    )
    yr = gate.label
    p8 = ctx.at("ks4_p8", gate.year)
    lower, upper = ctx.at("ks4_p8_lower", gate.year), ctx.at("ks4_p8_upper", gate.year)
    p8_unpublished = gate.year.isin(rule.p8_not_published_years)
    use_p8 = gate.ok & ~p8_unpublished & p8.notna()
    vs = versus_national(ctx, "ks4_att8", gate.year, exclude=small_years(ctx, "ks4_cohort", data.ks4_min_pupils))
    n = data.history_years
    below_years = (vs.hist[list(range(n))] < 0).sum(axis=1)
    use_a8 = gate.ok & ~use_p8 & vs.value.notna() & vs.national.notna()
    ci_below = (upper < 0) if rule.p8_red_needs_ci_below_zero else pd.Series(True, index=idx)
    red = choose(
        [use_p8, use_a8],
        [
            (p8 < rule.p8_red_below) & ci_below,
            (vs.gap < -rule.a8_red_points_below) & (below_years >= rule.a8_red_min_years_below),
        ],
        False,
    ).astype(bool)  # fmt: skip
    amber = choose([use_p8, use_a8], [p8 < rule.p8_amber_below, vs.gap < -rule.a8_amber_points_below], False).astype(
        bool
    )
    on_p8, on_a8, on_fallback = Rows(use_p8), Rows(use_a8), Rows(gate.ok & ~use_p8)
    low, high = on_p8(lower), on_p8(upper)
    ci = when(low.notna() & high.notna(), " (confidence interval " + num(low, 2) + " to " + num(high, 2) + ")")
    p8_finding = choose(
        [on_p8(red), on_p8(amber)],
        [f"below {rule.p8_red_below:g} with the interval wholly below zero", f"below {rule.p8_amber_below:g}"],
        f"not below {rule.p8_amber_below:g}",
    )
    p8_sentence = "Progress 8 " + on_p8(yr) + ": " + num(on_p8(p8), 2) + ci + ", " + p8_finding
    a8_sentence = (
        "Attainment 8 " + num(on_a8(vs.value)) + " in " + on_a8(yr) + ", " + direction(on_a8(vs.gap)) + " ("
        + num(on_a8(vs.national)) + "), and " + years_phrase(on_a8(below_years), on_a8(vs.hist["count"]), n)
    )  # fmt: skip
    fallback_year, p8_marker = on_fallback(yr), on_fallback(ctx.marker_at("ks4_p8", gate.year))
    fallback = choose(
        [on_fallback(p8_unpublished), on_fallback(p8).isna()],
        [
            "Progress 8 not published for "
            + fallback_year
            + " (no KS2 baseline): S4 uses Attainment 8 against national instead",
            "Progress 8 not available for "
            + fallback_year
            + choose([p8_marker != ""], [" (" + p8_marker + ")"], "")
            + ": S4 uses Attainment 8 against national instead",
        ],
    )
    missing = choose(
        [~gate.ok, use_p8, vs.value.isna(), vs.national.isna()],
        [
            gate.missing,
            when(upper.isna() & (p8 < rule.p8_red_below), "No Progress 8 confidence interval: red needs it below zero"),
            join(fallback, _value_missing("Attainment 8", "S4", fallback_year, on_fallback(vs.marker))),
            join(fallback, _national_missing("Attainment 8", "S4", fallback_year)),
        ],
        fallback,
    )
    known = use_p8 | use_a8
    return indicator_frame(
        idx,
        rating=rate(idx, known=known, amber=amber, red=red),
        value=choose([use_p8, use_a8], [p8, vs.gap], np.nan).astype("float64"),
        sentence=choose(
            [~app, use_p8, use_a8], [_not_applicable(idx, app, "no key stage 4"), p8_sentence, a8_sentence], missing
        ),
        missing=missing,
        applicable=app,
        declining=declining(vs.hist, n, higher_is_worse=False).where(known),
    )


# ---------------------------------------------------------------------------------------------- S5


def _disadvantaged_part(ctx: RiskContext, stage: str) -> pd.DataFrame:
    """One key stage of S5: disadvantaged pupils against national non-disadvantaged, compared with the national gap."""
    rule, data = ctx.rules.s5, ctx.rules.data
    ks2 = stage == "ks2"
    app = ctx.ks2 if ks2 else ctx.ks4
    minimum = data.ks2_min_pupils if ks2 else data.ks4_min_pupils
    code_d, code_n = (
        ("ks2_rwm_exp_disadv", "ks2_rwm_exp_nondisadv") if ks2 else ("ks4_att8_disadv", "ks4_att8_nondisadv")
    )
    label = "KS2" if ks2 else "KS4"
    gate = stage_gate(
        ctx, stage=stage, label=label, code="S5", applicable=app, cohort_code=f"{stage}_cohort", minimum=minimum
    )
    school = ctx.at(code_d, gate.year)
    nat_non = ctx.national(code_n, gate.year)
    nat_dis = ctx.national(code_d, gate.year)
    pupils = ctx.at(f"{stage}_disadv_pct", gate.year) * ctx.at(f"{stage}_cohort", gate.year) / 100.0
    few = gate.ok & (pupils.round(0) < minimum)
    excess = nat_dis - school  # = school gap (nat_non - school) minus national gap (nat_non - nat_dis)
    # The excess each year, for "widening three years running".
    national_by_year = ctx.national_by_year(code_d).reindex(ctx.years).to_numpy(dtype="float64")
    excess_by_year = national_by_year[None, :] - ctx.grid(code_d)
    n = data.history_years
    hist = history(excess_by_year, ctx.years, gate.year, n=n, span=data.history_span_years)
    widening = declining(hist, n, higher_is_worse=True)
    known = gate.ok & ~few & school.notna() & nat_dis.notna() & nat_non.notna()
    amber_at = rule.ks2_amber_points_wider if ks2 else rule.ks4_amber_points_wider
    red_at = rule.ks2_red_points_wider if ks2 else rule.ks4_red_points_wider
    red = (excess > red_at) | ((widening == 1) & (excess > 0) & rule.red_if_widening)
    unit = "points" if ks2 else "Attainment 8 points"
    measure = "% met the expected standard" if ks2 else " average Attainment 8"
    versus = "% of" if ks2 else " for"
    on = Rows(known)
    gap, excess_on = on(nat_non - school), on(excess)
    sentence = (
        f"{label} disadvantaged pupils " + on(gate.label) + ": " + num(on(school)) + measure + " against "
        + num(on(nat_non)) + versus + " non-disadvantaged pupils nationally, a gap of " + num(gap) + f" {unit}, "
        + choose(
            [excess_on > 0, excess_on < 0], [num(excess_on) + " wider than", num(-excess_on) + " narrower than"],
            "as wide as",
        )
        + " the national gap of " + num(on(nat_non - nat_dis))
        + when(on(widening) == 1, "; widening in each of the last three years")
    )  # fmt: skip
    no_value = gate.ok & ~few & school.isna()
    no_national = gate.ok & ~few & school.notna() & (nat_dis.isna() | nat_non.isna())
    on_few, on_no_value, on_no_national = Rows(few), Rows(no_value), Rows(no_national)
    missing = choose(
        [~gate.ok, few, no_value, no_national],
        [
            gate.missing,
            "Only about "
            + num(on_few(pupils), 0)
            + f" disadvantaged pupils at {label} in "
            + on_few(gate.label)
            + f", below the {minimum} needed: S5 suppressed",
            _value_missing(
                f"{label} disadvantaged pupils' results",
                "S5",
                on_no_value(gate.label),
                on_no_value(ctx.marker_at(code_d, gate.year)),
            ),
            _national_missing(f"{label} disadvantaged and non-disadvantaged figures", "S5", on_no_national(gate.label)),
        ],
    )
    idx = ctx.index
    return pd.DataFrame(
        {
            "rating": rate(idx, known=known, amber=excess > amber_at, red=red),
            "value": excess.where(known).to_numpy(),
            "sentence": np.where(as_mask(known, idx), as_objects(sentence, idx), ""),
            "missing": np.where(as_mask(app, idx), as_objects(missing, idx), ""),
            "applicable": as_mask(app, idx),
            "declining": widening.where(known).to_numpy(),
        },
        index=idx,
    )


def s5_disadvantaged(ctx: RiskContext) -> pd.DataFrame:
    """S5: the disadvantaged gap at KS2 and KS4 (the worse of the two for an all-through school)."""
    idx = ctx.index
    ks2, ks4 = _disadvantaged_part(ctx, "ks2"), _disadvantaged_part(ctx, "ks4")
    app = ks2["applicable"] | ks4["applicable"]
    rating = worst(ks2["rating"], ks4["rating"])
    use_ks4 = ks4["rating"].notna() & (ks2["rating"].isna() | (ks4["rating"] == rating))
    missing = join(
        when(ks2["rating"].isna(), ks2["missing"].astype(object)),
        when(ks4["rating"].isna(), ks4["missing"].astype(object)),
    )
    found = join(ks2["sentence"], ks4["sentence"])
    return indicator_frame(
        idx,
        rating=rating,
        value=ks4["value"].where(use_ks4, ks2["value"]),
        sentence=choose([~app, rating.notna()], [_not_applicable(idx, app, "no key stage 2 or 4"), found], missing),
        missing=missing,
        applicable=app,
        declining=pd.concat([ks2["declining"], ks4["declining"]], axis=1).max(axis=1),
    )


# ---------------------------------------------------------------------------------------------- S6


def s6_attendance(ctx: RiskContext) -> pd.DataFrame:
    """S6: persistent absence (>= 10% of sessions) as a multiple of national, and overall absence above national."""
    rule, data, idx = ctx.rules.s6, ctx.rules.data, ctx.index
    app = pd.Series(True, index=idx)
    gate = stage_gate(ctx, stage="abs", label="absence", code="S6", applicable=app, cohort_code="", minimum=0)
    pa = versus_national(ctx, "abs_persistent", gate.year, phase_specific=True)
    ov = versus_national(ctx, "abs_overall", gate.year, phase_specific=True)
    ratio = pa.value / pa.national.where(pa.national > 0)
    pa_known = gate.ok & ratio.notna()
    ov_known = gate.ok & ov.value.notna() & ov.national.notna()
    rising = declining(pa.hist, data.history_years, higher_is_worse=True)
    red = (
        (pa_known & (ratio > rule.pa_red_ratio))
        | (ov_known & (ov.gap > rule.overall_red_points_above))
        | (pa_known & (rising == 1) & (pa.gap > 0) & rule.red_if_rising)
    )
    amber = (pa_known & (ratio > rule.pa_amber_ratio)) | (ov_known & (ov.gap > rule.overall_amber_points_above))
    known = pa_known | ov_known
    yr = gate.label
    on, on_pa, on_ov = Rows(known), Rows(pa_known), Rows(ov_known)
    pa_text = (
        num(on_pa(pa.value)) + "% of pupils persistently absent against " + num(on_pa(pa.national)) + "% nationally ("
        + num(on_pa(ratio), 2) + " times national)"
        + when(on_pa(rising) == 1, ", rising against national for three years")
    )  # fmt: skip
    ov_text = (
        "overall absence " + num(on_ov(ov.value)) + "% against " + num(on_ov(ov.national)) + "% ("
        + direction(on_ov(ov.gap)) + ")"
    )  # fmt: skip
    sentence = "Attendance " + on(yr) + ": " + join(when(on(pa_known), pa_text), when(on(ov_known), ov_text))
    unknown, pa_only, ov_only = gate.ok & ~known, known & ~pa_known, known & ~ov_known
    missing = choose(
        [~gate.ok, ~known],
        [gate.missing, _value_missing("Absence figures", "S6", Rows(unknown)(yr), Rows(unknown)(pa.marker))],
        join(
            when(~pa_known, "Persistent absence (or its national figure) for " + Rows(pa_only)(yr) + " not available"),
            when(~ov_known, "Overall absence (or its national figure) for " + Rows(ov_only)(yr) + " not available"),
        ),
    )
    return indicator_frame(
        idx,
        rating=rate(idx, known=known, amber=amber, red=red),
        value=ratio.where(pa_known),
        sentence=choose([known], [sentence], missing),
        missing=missing,
        applicable=app,
        declining=rising.where(pa_known),
    )


# ---------------------------------------------------------------------------------------------- S7


def s7_exclusions(ctx: RiskContext) -> pd.DataFrame:
    """S7: suspensions and exclusions rate as a multiple of national (rising and above national is red)."""
    rule, data, idx = ctx.rules.s7, ctx.rules.data, ctx.index
    app = pd.Series(True, index=idx)
    gate = stage_gate(
        ctx, stage="exc", label="suspension and exclusion", code="S7", applicable=app, cohort_code="", minimum=0
    )
    vs = versus_national(ctx, "exc_suspension_rate", gate.year, phase_specific=True)
    ratio = vs.value / vs.national.where(vs.national > 0)
    known = gate.ok & ratio.notna()
    rising = declining(vs.hist, data.history_years, higher_is_worse=True)
    red = (ratio > rule.red_ratio) | ((rising == 1) & (vs.gap > 0) & rule.red_if_rising)
    on = Rows(known)
    sentence = (
        "Suspensions " + on(gate.label) + ": rate " + num(on(vs.value), 2) + " against " + num(on(vs.national), 2)
        + " nationally (" + num(on(ratio), 2) + " times national)" + when(on(rising) == 1, ", rising for three years")
    )  # fmt: skip
    no_value = gate.ok & vs.value.isna()
    no_national = gate.ok & vs.value.notna() & (vs.national.isna() | ~(vs.national > 0))
    missing = choose(
        [~gate.ok, no_value, no_national],
        [
            gate.missing,
            _value_missing("Suspension rate", "S7", Rows(no_value)(gate.label), Rows(no_value)(vs.marker)),
            _national_missing("suspension rate", "S7", Rows(no_national)(gate.label)),
        ],
    )
    return indicator_frame(
        idx,
        rating=rate(idx, known=known, amber=ratio > rule.amber_ratio, red=red),
        value=ratio.where(known),
        sentence=choose([known], [sentence], missing),
        missing=missing,
        applicable=app,
        declining=rising.where(known),
    )


# ---------------------------------------------------------------------------------------------- S8


def s8_early_years(ctx: RiskContext) -> pd.DataFrame:
    """S8: early years good level of development and year 1 phonics against national (the worse of the two)."""
    rule, data, idx = ctx.rules.s8, ctx.rules.data, ctx.index
    app = ctx.early_years
    gate = stage_gate(
        ctx, stage="ey", label="early years and phonics", code="S8", applicable=app, cohort_code="", minimum=0
    )
    n = data.history_years
    parts = {}
    for code, label in (("ey_phonics_pct", "phonics check"), ("ey_gld_pct", "good level of development")):
        vs = versus_national(ctx, code, gate.year)
        red_years = (vs.hist[list(range(n))] < -rule.red_points_below).sum(axis=1)
        known = gate.ok & vs.value.notna() & vs.national.notna()
        on, on_missing = Rows(known), Rows(gate.ok & ~known)
        parts[code] = pd.DataFrame(
            {
                "rating": rate(
                    idx,
                    known=known,
                    amber=vs.gap < -rule.amber_points_below,
                    red=(vs.gap < -rule.red_points_below) & (red_years >= rule.red_min_years),
                ),
                "sentence": when(
                    known,
                    f"{label} "
                    + num(on(vs.value))
                    + "% against "
                    + num(on(vs.national))
                    + "% ("
                    + direction(on(vs.gap))
                    + f"), more than {rule.red_points_below:g} points below in "
                    + num(on(red_years).astype("float64"), 0)
                    + " of the last "
                    + num(on(vs.hist["count"]).astype("float64"), 0)
                    + " years",
                ),
                "gap": vs.gap.where(known),
                "declining": declining(vs.hist, n, higher_is_worse=False).where(known),
                "missing": when(
                    gate.ok & ~known,
                    f"{label} figure (or its national figure) for " + on_missing(gate.label) + " not available",
                ),
            }
        )  # fmt: skip
    ph, gld = parts["ey_phonics_pct"], parts["ey_gld_pct"]
    rating = worst(ph["rating"], gld["rating"])
    known = rating.notna()
    on = Rows(known)
    sentence = "Early years and phonics " + on(gate.label) + ": " + join(on(ph["sentence"]), on(gld["sentence"]))
    missing = choose([~gate.ok], [gate.missing], join(ph["missing"], gld["missing"]))
    return indicator_frame(
        idx,
        rating=rating,
        value=ph["gap"].combine_first(gld["gap"]),
        sentence=choose([~app, known], [_not_applicable(idx, app, "no reception or year 1"), sentence], missing),
        missing=missing,
        applicable=app,
        declining=ph["declining"].combine_first(gld["declining"]),
    )
