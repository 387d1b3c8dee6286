"""The risk categorisation rule set: versioned configuration as plain frozen dataclasses.

Every number the engine uses lives here, with the reason for its default beside it. ``DEFAULT_RULESET`` holds
the defaults from docs (DOMAIN "The risk categorisation model" and the reference notes, section D); a
partnership's own rule set is stored as the dict from ``ruleset_to_dict`` and read back with
``ruleset_from_dict``, which reports every problem at once as plain sentences (for an admin form).

Comparison convention used throughout: a school is flagged when it is *strictly* worse than a threshold
("more than 5 points below", "below -2.5"); a school exactly on a threshold is not flagged.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any

BANDS = ("A", "B", "C", "D")
RATINGS = ("G", "A", "R")
REPORT_CARD_GRADES = ("exceptional", "strong", "expected", "needs_attention", "urgent")
REPORT_CARD_AREAS = (
    "rc_inclusion",
    "rc_curriculum_teaching",
    "rc_achievement",
    "rc_attendance_behaviour",
    "rc_personal_development",
    "rc_leadership_governance",
    "rc_early_years",
    "rc_post16",
)
LEGACY_GRADES = (1, 2, 3, 4)
INTELLIGENCE_RATINGS = ("green", "amber", "red")


class RulesetError(ValueError):
    """A rule set that cannot be used; ``errors`` holds one plain-English sentence per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True)
class DataRules:
    """Which years count, which phases have which key stages, and the small-cohort limits."""

    # Latest results may be this many years older than the categorisation year (absence data lags a year).
    max_age_years: int = 2
    # "The last three years" are the three most recent years with results within this span, so 2019 still
    # counts next to 2022 and 2023 (no school-level results for 2019/20 and 2020/21).
    history_years: int = 3
    history_span_years: int = 6
    # Coasting exclusions (DOMAIN, reference B2): KS2 indicators suppressed under 11 pupils, KS4 under 6.
    ks2_min_pupils: int = 11
    ks4_min_pupils: int = 6
    # DOMAIN: too little evidence is its own outcome ("insufficient evidence: officer to categorise"), never a
    # silent green. A school with fewer rated standards indicators (S1-S8) than this, and no override or
    # escalation, gets category 0 (no category proposed) and the officer categorises it. 0 switches it off.
    min_scored_standards: int = 1
    national_area: str = "england"
    # GIAS "PhaseOfEducation (name)" values. Other phases (e.g. "Not applicable" for special schools) get a key
    # stage when they have results for it.
    ks2_phases: tuple[str, ...] = ("Primary", "Middle deemed primary", "Middle deemed secondary", "All-through")
    ks4_phases: tuple[str, ...] = ("Secondary", "All-through")
    early_years_phases: tuple[str, ...] = ("Primary", "All-through")
    secondary_phases: tuple[str, ...] = ("Secondary", "Middle deemed secondary", "All-through", "16 plus")


@dataclass(frozen=True)
class S1Rule:
    """S1 latest report-card grades in the standards areas (never converted from legacy grades)."""

    areas: tuple[str, ...] = ("rc_achievement", "rc_curriculum_teaching", "rc_inclusion", "rc_attendance_behaviour")
    amber_grades: tuple[str, ...] = ("needs_attention",)  # reference D3: any "needs attention"
    red_grades: tuple[str, ...] = ("urgent",)  # also a category-4 override; shown red here too


@dataclass(frozen=True)
class S2Rule:
    """S2 KS2 % meeting the expected standard in reading, writing and maths, against national."""

    # Reference D3 proposal (to calibrate locally): amber more than 5 points below national; red more than
    # 10 points below and below national in 2 of the last 3 years.
    amber_points_below: float = 5.0
    red_points_below: float = 10.0
    red_min_years_below: int = 2


@dataclass(frozen=True)
class S3Rule:
    """S3 KS2 progress: coasting lines give amber, floor lines give red only when the CI is wholly below zero."""

    amber_below_reading: float = -2.5  # coasting definition 2016-18 (reference B2)
    amber_below_writing: float = -3.5
    amber_below_maths: float = -2.5
    red_below_reading: float = -5.0  # primary floor standard 2016-18 (reference B2)
    red_below_writing: float = -7.0
    red_below_maths: float = -5.0
    red_needs_ci_below_zero: bool = True
    # Years with no published KS2 progress: COVID (no tests 2020, 2021) and no KS1 baseline (2024, 2025).
    not_published_years: tuple[int, ...] = (2020, 2021, 2024, 2025)


@dataclass(frozen=True)
class S4Rule:
    """S4 KS4 Progress 8, or Attainment 8 against national when Progress 8 is not published."""

    p8_amber_below: float = -0.25  # coasting (reference B2)
    p8_red_below: float = -0.5  # secondary floor and DfE "well below average" band (reference B2)
    p8_red_needs_ci_below_zero: bool = True
    # No P8 for 2020 and 2021 (COVID) nor for 2025 and 2026 (no KS2 baseline in 2020 and 2021).
    p8_not_published_years: tuple[int, ...] = (2020, 2021, 2025, 2026)
    # DOMAIN is silent on the Attainment 8 fallback. 5 A8 points is half a grade in each of the ten slots, 10
    # points a whole grade; red also needs below national in 2 of 3 years, as S2, because raw attainment
    # reflects intake (ASCL's caution, reference C).
    a8_amber_points_below: float = 5.0
    a8_red_points_below: float = 10.0
    a8_red_min_years_below: int = 2


@dataclass(frozen=True)
class S5Rule:
    """S5 disadvantaged gap: the school's gap to national non-disadvantaged, against the national gap."""

    # Reference D3 proposes amber for any gap wider than the national gap and red for more than 10 points
    # wider or widening for three years. Disadvantaged groups are a handful of pupils, so any-wider would flag
    # about half of schools on noise: we take a 5-point margin for amber (the S2 step), 10 for red.
    ks2_amber_points_wider: float = 5.0  # percentage points of pupils at the expected standard
    ks2_red_points_wider: float = 10.0
    ks4_amber_points_wider: float = 5.0  # Attainment 8 points (half a grade per slot)
    ks4_red_points_wider: float = 10.0
    red_if_widening: bool = True  # widening in each of the last three years, and wider than national


@dataclass(frozen=True)
class S6Rule:
    """S6 attendance: persistent absence (>= 10% of sessions missed) and overall absence against national."""

    # Reference D3: amber above national, red at 1.5 times national. We flag amber at 1.2 times national so
    # that ordinary variation around the average is not amber; red 1.5 times as proposed.
    pa_amber_ratio: float = 1.2
    pa_red_ratio: float = 1.5
    # DOMAIN is silent on overall absence: 1 and 2 percentage points above national (about 1.15 and 1.3
    # times the national rate of 6-7%, in line with the PA ratios).
    overall_amber_points_above: float = 1.0
    overall_red_points_above: float = 2.0
    red_if_rising: bool = True  # PA rising against national in each of the last three years, and above it


@dataclass(frozen=True)
class S7Rule:
    """S7 suspensions and exclusions rate against national."""

    # Reference D3: amber above national, red top decile or rising three years. Rates are skewed (most schools
    # low, a few very high), so amber at 1.5 times national and red at twice national stand in for "well
    # above" and "top decile" until the partnership calibrates them.
    amber_ratio: float = 1.5
    red_ratio: float = 2.0
    red_if_rising: bool = True


@dataclass(frozen=True)
class S8Rule:
    """S8 early years (good level of development) and phonics (year 1 check) against national."""

    # Reference D3 proposal: amber more than 5 points below national, red more than 10 below for two years.
    amber_points_below: float = 5.0
    red_points_below: float = 10.0
    red_min_years: int = 2


@dataclass(frozen=True)
class PoolingRule:
    """Small KS2 cohorts pooled over the years available for S3 (#14 item 6; DOMAIN "Missing data").

    A school whose latest KS2 cohort is below ``data.ks2_min_pupils`` is rated on its progress pooled over the last
    ``years`` years with a published progress score and confidence interval (within ``data.history_span_years``),
    as the DfE's three-year averages pool pupils: each year weighted by the inverse of its variance (the DfE
    computes every interval from one national pupil-level standard deviation, so this is a weighting by the
    pupils with a progress score), with the combined interval. Still fewer than the minimum pupils pooled: not
    scored. Off in versions saved before this rule existed (they dropped small cohorts).
    """

    ks2_progress: bool = True
    years: int = 3


@dataclass(frozen=True)
class ScoreRule:
    """How the score that ranks schools (within a category, and in the backtest) is computed (#14 item 7).

    ``points`` (versions saved before #14): the sum of the indicator points (green 0, amber 1, red 2) plus S9's.
    ``evidence``: the standards evidence in standard errors, plus the indicator points as a tie-breaker:

        score = evidence_weight * E + points_weight * points, stored in tenths (``scale``)

    E is how many standard errors the school's latest result lies below zero (national), the worse of:
    KS2 reading and maths progress (score / its standard error, from the DfE's published 95% interval: half
    its width / 1.96; writing is teacher assessed and is left to S3's rating); KS4 Progress 8 likewise; and,
    only for a school with no such progress figure (progress unpublished 2020-21 and 2024-25, or suppressed),
    its KS2 reading, writing and maths gap to national over the binomial standard error of a percentage of its
    cohort, times ``attainment_weight``. A progress score is shrunk towards the national mean (zero) by
    ``shrink_sd**2 / (shrink_sd**2 + se**2)`` before the division, so a small cohort's extreme score counts for
    less (empirical Bayes, ``shrink_sd`` = the spread of schools' true progress). A small cohort uses its pooled
    figure (``PoolingRule``). Negative when the school is above national. The points separate schools with the
    same evidence and carry the capacity indicators.
    Weights chosen on the 2016/17 Surrey backtest only (ADR 0011); 2017/18 was held out.
    """

    method: str = "evidence"
    evidence_weight: float = 1.0
    points_weight: float = 0.25
    attainment_weight: float = 1.0
    shrink_sd: float = 2.0  # KS2 progress points; Progress 8 uses shrink_sd / 10 (its scale is a tenth)
    scale: int = 10  # the stored score is round(scale * score): tenths


@dataclass(frozen=True)
class TrendRule:
    """S9 the trend modifier: a three-year decline on enough of S2-S8 raises the standards band."""

    min_declining_indicators: int = 2  # DOMAIN: two or more of S2-S8
    band_steps: int = 1  # DOMAIN: one step
    points: int = 1  # added to the score when it fires (it is not counted in the band counts)


@dataclass(frozen=True)
class HeadRule:
    """C1 leadership stability."""

    new_head_days: int = 365  # DOMAIN: head new (< 1 year)
    red_min_changes_3y: int = 2  # DOMAIN: two or more head changes in three years
    intelligence_kinds: tuple[str, ...] = ("head",)  # officer rates acting/interim amber, vacancy red
    # #14.5: a change of the head's name in GIAS is the same person (not a new head) when the names match as
    # ``schools.risk.engine.people`` says; surnames or first names this similar (difflib ratio) are a spelling fix.
    name_similarity: float = 0.8


@dataclass(frozen=True)
class LeadershipRule:
    """C2 latest report-card leadership and governance, or the legacy leadership and management grade."""

    amber_grades: tuple[str, ...] = ("needs_attention",)
    red_grades: tuple[str, ...] = ("urgent",)
    legacy_amber_grades: tuple[int, ...] = (3,)
    legacy_red_grades: tuple[int, ...] = (4,)


@dataclass(frozen=True)
class IntelligenceRule:
    """C3-C9 from officer-entered soft intelligence: the latest entry of the kinds within the window wins."""

    window_days: int = 365
    c3_kinds: tuple[str, ...] = ("governance",)
    c4_kinds: tuple[str, ...] = ("finance",)
    c5_kinds: tuple[str, ...] = ("roll",)
    c6_kinds: tuple[str, ...] = ("staffing",)
    c7_kinds: tuple[str, ...] = ("complaints",)
    c8_kinds: tuple[str, ...] = ("send",)
    c9_kinds: tuple[str, ...] = ("self_evaluation", "peer_review", "peer_review_facts")
    # C9 from peer-review facts, never findings (issue #10), where the partnership runs peer review: amber when the
    # school's last review agreed by its head is older than this many months or it has none, or when this many of
    # its review actions are overdue (0 switches that part off). They reach C9 as "peer_review_facts" entries dated
    # the day of the run, so they win over older officer entries; the register of concern never counts them.
    c9_no_review_months: int = 24
    c9_overdue_actions: int = 3
    # C5 falling roll (context only): amber when the census roll fell in each of the last three years.
    roll_decline_amber: bool = True
    # #14.5: a red entry of these kinds does not lapse when it is older than the window: while it is the latest
    # entry of its indicator's kinds it stays red, marked "review due", until an officer archives it or records a
    # newer entry (a cumulative deficit does not end because a year has passed).
    red_kept_kinds: tuple[str, ...] = ("finance",)


@dataclass(frozen=True)
class ConcernRule:
    """The register of concern: a school raised as a concern ``times`` or more within ``window_days`` (soft
    intelligence rated ``ratings``) is proposed ``steps`` categories up (DOMAIN; 0 steps switches it off)."""

    times: int = 3
    window_days: int = 365
    ratings: tuple[str, ...] = ("amber", "red")
    steps: int = 1
    # #14.5: only these kinds are concerns raised (the event triggers of reference D5: complaints, safeguarding,
    # budget alerts, warning notices, and governance, staffing and SEND concerns). Not "head" (new, acting or
    # vacant: C1 already counts it), network attendance, roll (context only), self-evaluation or peer review. Each
    # concern counts once: entries recorded as updates on one issue (one thread) are one concern.
    kinds: tuple[str, ...] = (
        "governance",
        "finance",
        "staffing",
        "complaints",
        "send",
        "safeguarding",
        "warning_notice",
        "ieb",
    )


@dataclass(frozen=True)
class OverrideRule:
    """Step 1 hard overrides: the category each sets as a floor (0 switches one off)."""

    category_of_concern: int = 4  # DOMAIN
    report_card_urgent: int = 4  # DOMAIN
    safeguarding_not_met: int = 4  # DOMAIN
    warning_notice: int = 4  # DOMAIN (EIA 2006 s60)
    ieb: int = 4  # DOMAIN
    stuck: int = 3  # DOMAIN: below good at the latest inspection and the one before
    legacy_ri: int = 3  # DOMAIN: until re-inspected
    legacy_inadequate: int = 4  # reference D2: last graded inspection inadequate
    legacy_safeguarding_ineffective: int = 4  # reference D2 (the legacy counterpart of "not met")
    safeguarding_concern: int = 3  # reference D2: substantiated concern, at least 3 (officer may raise to 4)
    warning_notice_kinds: tuple[str, ...] = ("warning_notice",)
    ieb_kinds: tuple[str, ...] = ("ieb",)
    safeguarding_kinds: tuple[str, ...] = ("safeguarding",)
    # Below good, for "stuck": legacy overall 3 or 4 (or, where overall was not judged after September 2024, an
    # RI-or-worse sub-judgement in quality of education or leadership, as DfE counts it); a report card with
    # any of these grades in any area.
    below_good_legacy_grades: tuple[int, ...] = (3, 4)
    below_good_report_card_grades: tuple[str, ...] = ("needs_attention", "urgent")
    # DOMAIN: report cards (Nov 2025) are not a single grade; never convert one scale into the other. So by
    # default a report card is never "below good" for "stuck" (the trace says a school was not judged stuck for
    # that reason); a partnership may choose to count ``below_good_report_card_grades`` as below good (#14.5).
    stuck_converts_report_cards: bool = False


@dataclass(frozen=True)
class BandRule:
    """Banding a dimension by counts: reds, and indicators at amber or worse (DOMAIN defaults)."""

    b_min_ambers: int = 2  # B: two or three ambers, no red
    c_min_ambers: int = 4  # C: four or more ambers ...
    c_min_reds: int = 1  # ... or one red
    d_min_reds: int = 2  # D: two or more reds


@dataclass(frozen=True)
class CategoryDef:
    """One proposed category: its number, name, colour and the DfE RISE tier it maps onto."""

    number: int
    name: str
    colour: str
    rise_tier: str


@dataclass(frozen=True)
class LeadingRule:
    """The Leading tag: strong schools able to support others."""

    max_category: int = 1
    standards_bands: tuple[str, ...] = ("A",)
    capacity_bands: tuple[str, ...] = ("A",)
    allow_reds: bool = False
    legacy_overall_grades: tuple[int, ...] = (1, 2)  # latest graded inspection good or outstanding
    # DOMAIN is silent on report cards: strong or exceptional leadership and governance, and no area below
    # expected standard.
    report_card_areas: tuple[str, ...] = ("rc_leadership_governance",)
    report_card_grades: tuple[str, ...] = ("strong", "exceptional")
    report_card_excluded_grades: tuple[str, ...] = ("needs_attention", "urgent")


@dataclass(frozen=True)
class Points:
    """Indicator points summed into the score used to rank schools within a category."""

    green: int = 0
    amber: int = 1
    red: int = 2


DEFAULT_MATRIX: tuple[tuple[int, ...], ...] = (
    (1, 2, 2, 3),
    (2, 2, 3, 3),
    (3, 3, 3, 4),
    (3, 4, 4, 4),
)

DEFAULT_CATEGORIES: tuple[CategoryDef, ...] = (
    CategoryDef(1, "Universal", "green", "universal"),
    CategoryDef(2, "Universal+ (monitor)", "yellow", "universal"),
    CategoryDef(3, "Targeted", "amber", "targeted"),
    CategoryDef(4, "Intensive (causing concern)", "red", "intervention"),
)


@dataclass(frozen=True)
class Ruleset:
    """A complete, versioned rule set. Build with ``ruleset_from_dict``; check with ``ruleset_validate``."""

    version: str = "default-2"
    data: DataRules = field(default_factory=DataRules)
    s1: S1Rule = field(default_factory=S1Rule)
    s2: S2Rule = field(default_factory=S2Rule)
    s3: S3Rule = field(default_factory=S3Rule)
    s4: S4Rule = field(default_factory=S4Rule)
    s5: S5Rule = field(default_factory=S5Rule)
    s6: S6Rule = field(default_factory=S6Rule)
    s7: S7Rule = field(default_factory=S7Rule)
    s8: S8Rule = field(default_factory=S8Rule)
    trend: TrendRule = field(default_factory=TrendRule)
    pooling: PoolingRule = field(default_factory=PoolingRule)
    score: ScoreRule = field(default_factory=ScoreRule)
    c1: HeadRule = field(default_factory=HeadRule)
    c2: LeadershipRule = field(default_factory=LeadershipRule)
    intelligence: IntelligenceRule = field(default_factory=IntelligenceRule)
    overrides: OverrideRule = field(default_factory=OverrideRule)
    concerns: ConcernRule = field(default_factory=ConcernRule)
    bands: BandRule = field(default_factory=BandRule)
    matrix: tuple[tuple[int, ...], ...] = DEFAULT_MATRIX
    categories: tuple[CategoryDef, ...] = DEFAULT_CATEGORIES
    leading: LeadingRule = field(default_factory=LeadingRule)
    points: Points = field(default_factory=Points)
    academy_concern_min_category: int = 3  # academies: "concern" at category 3 or 4


DEFAULT_RULESET = Ruleset()


# ---------------------------------------------------------------------------------------------- dict round trip


def ruleset_to_dict(ruleset: Ruleset) -> dict[str, Any]:
    """The rule set as JSON-ready data (tuples become lists); ``ruleset_from_dict`` reads it back."""
    return typing.cast(dict[str, Any], _to_plain(ruleset))


def _to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_to_plain(v) for v in value]
    return value


def ruleset_from_dict(data: dict[str, Any]) -> Ruleset:
    """Build a rule set from a (possibly partial) dict; missing keys take the defaults.

    Raises ``RulesetError`` listing every problem: unknown keys, wrong types and rules that contradict each
    other (see ``ruleset_validate``).
    """
    errors: list[str] = []
    ruleset = _from_plain(Ruleset, data, "", errors, DEFAULT_RULESET)
    if errors:
        raise RulesetError(errors)
    errors = ruleset_validate(ruleset)
    if errors:
        raise RulesetError(errors)
    return typing.cast(Ruleset, ruleset)


def _from_plain(cls: type, data: Any, path: str, errors: list[str], default: Any) -> Any:
    if not isinstance(data, dict):
        errors.append(f"{path or 'rule set'}: expected a group of settings, got {type(data).__name__}")
        return default
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in sorted(set(data) - names):
        errors.append(f"{_join(path, key)}: unknown setting")
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        sub_default = getattr(default, f.name) if default is not None else None
        if f.name not in data:
            if default is None:
                errors.append(f"{_join(path, f.name)}: required")
            values[f.name] = sub_default
            continue
        values[f.name] = _convert(hints[f.name], data[f.name], _join(path, f.name), errors, sub_default)
    try:
        return cls(**values)
    except TypeError as exc:  # a required field of a nested item was missing (already reported)
        errors.append(f"{path or 'rule set'}: {exc}")
        return default


def _convert(hint: Any, value: Any, path: str, errors: list[str], default: Any) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return _from_plain(typing.cast(type, hint), value, path, errors, default)
    if origin is tuple:
        return _convert_tuple(hint, value, path, errors, default)
    if origin in (types.UnionType, typing.Union):
        return value
    return _convert_scalar(hint, value, path, errors, default)


def _convert_tuple(hint: Any, value: Any, path: str, errors: list[str], default: Any) -> Any:
    if not isinstance(value, list | tuple):
        errors.append(f"{path}: expected a list, got {type(value).__name__}")
        return default
    item_hint = typing.get_args(hint)[0]
    items = []
    for i, item in enumerate(value):
        item_default = default[i] if default is not None and i < len(default) else None
        items.append(_convert(item_hint, item, f"{path}[{i}]", errors, item_default))
    return tuple(items)


def _convert_scalar(hint: Any, value: Any, path: str, errors: list[str], default: Any) -> Any:
    if hint is bool:
        if isinstance(value, bool):
            return value
        errors.append(f"{path}: expected true or false, got {value!r}")
        return default
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        errors.append(f"{path}: expected a whole number, got {value!r}")
        return default
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        errors.append(f"{path}: expected a number, got {value!r}")
        return default
    if hint is str:
        if isinstance(value, str):
            return value
        errors.append(f"{path}: expected text, got {value!r}")
        return default
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ---------------------------------------------------------------------------------------------- validation


def ruleset_validate(ruleset: Ruleset) -> list[str]:
    """Every way the rule set contradicts itself, one sentence each (empty when it is usable)."""
    errors: list[str] = []
    if not ruleset.version.strip():
        errors.append("version: enter a version name")
    errors += _validate_data(ruleset.data)
    errors += _validate_standards(ruleset)
    errors += _validate_capacity(ruleset)
    errors += _validate_overrides(ruleset.overrides)
    errors += _validate_concerns(ruleset.concerns)
    errors += _validate_bands(ruleset.bands)
    errors += _validate_matrix(ruleset.matrix)
    errors += _validate_categories(ruleset.categories)
    errors += _validate_leading(ruleset.leading)
    errors += _validate_points(ruleset.points)
    if ruleset.academy_concern_min_category not in (1, 2, 3, 4):
        errors.append("academy_concern_min_category: must be a category from 1 to 4")
    return errors


def _at_least(path: str, value: float, minimum: float) -> list[str]:
    return [] if value >= minimum else [f"{path}: must be at least {minimum:g} (is {value:g})"]


def _stricter(path_red: str, red: float, path_amber: str, amber: float, *, lower_is_worse: bool) -> list[str]:
    ok = red < amber if lower_is_worse else red > amber
    if ok:
        return []
    word = "below" if lower_is_worse else "greater than"
    return [f"{path_red}: red must be stricter than amber: {red:g} must be {word} {path_amber} ({amber:g})"]


def _validate_data(d: DataRules) -> list[str]:
    errors = _at_least("data.max_age_years", d.max_age_years, 0)
    errors += _at_least("data.history_years", d.history_years, 2)
    errors += _at_least("data.ks2_min_pupils", d.ks2_min_pupils, 1)
    errors += _at_least("data.ks4_min_pupils", d.ks4_min_pupils, 1)
    errors += _at_least("data.min_scored_standards", d.min_scored_standards, 0)
    if d.history_span_years < d.history_years - 1:
        errors.append(
            f"data.history_span_years: must be at least data.history_years - 1 ({d.history_years - 1}) "
            f"to hold {d.history_years} years (is {d.history_span_years})"
        )
    if not d.national_area.strip():
        errors.append("data.national_area: enter the area code of the national averages (e.g. england)")
    return errors


def _validate_standards(r: Ruleset) -> list[str]:
    errors = _validate_grades("s1.amber_grades", r.s1.amber_grades) + _validate_grades("s1.red_grades", r.s1.red_grades)
    errors += _validate_areas("s1.areas", r.s1.areas)
    if set(r.s1.amber_grades) & set(r.s1.red_grades):
        errors.append("s1: a grade cannot be both amber and red")
    errors += _at_least("s2.amber_points_below", r.s2.amber_points_below, 0)
    errors += _stricter(
        "s2.red_points_below",
        r.s2.red_points_below,
        "s2.amber_points_below",
        r.s2.amber_points_below,
        lower_is_worse=False,
    )
    errors += _years("s2.red_min_years_below", r.s2.red_min_years_below, r.data.history_years)
    for subject in ("reading", "writing", "maths"):
        amber = getattr(r.s3, f"amber_below_{subject}")
        red = getattr(r.s3, f"red_below_{subject}")
        errors += _stricter(f"s3.red_below_{subject}", red, f"s3.amber_below_{subject}", amber, lower_is_worse=True)
    errors += _stricter(
        "s4.p8_red_below", r.s4.p8_red_below, "s4.p8_amber_below", r.s4.p8_amber_below, lower_is_worse=True
    )
    errors += _at_least("s4.a8_amber_points_below", r.s4.a8_amber_points_below, 0)
    errors += _stricter(
        "s4.a8_red_points_below",
        r.s4.a8_red_points_below,
        "s4.a8_amber_points_below",
        r.s4.a8_amber_points_below,
        lower_is_worse=False,
    )
    errors += _years("s4.a8_red_min_years_below", r.s4.a8_red_min_years_below, r.data.history_years)
    for stage in ("ks2", "ks4"):
        amber = getattr(r.s5, f"{stage}_amber_points_wider")
        red = getattr(r.s5, f"{stage}_red_points_wider")
        errors += _at_least(f"s5.{stage}_amber_points_wider", amber, 0)
        errors += _stricter(
            f"s5.{stage}_red_points_wider", red, f"s5.{stage}_amber_points_wider", amber, lower_is_worse=False
        )
    errors += _at_least("s6.pa_amber_ratio", r.s6.pa_amber_ratio, 0)
    errors += _stricter(
        "s6.pa_red_ratio", r.s6.pa_red_ratio, "s6.pa_amber_ratio", r.s6.pa_amber_ratio, lower_is_worse=False
    )
    errors += _at_least("s6.overall_amber_points_above", r.s6.overall_amber_points_above, 0)
    errors += _stricter(
        "s6.overall_red_points_above",
        r.s6.overall_red_points_above,
        "s6.overall_amber_points_above",
        r.s6.overall_amber_points_above,
        lower_is_worse=False,
    )
    errors += _at_least("s7.amber_ratio", r.s7.amber_ratio, 0)
    errors += _stricter("s7.red_ratio", r.s7.red_ratio, "s7.amber_ratio", r.s7.amber_ratio, lower_is_worse=False)
    errors += _at_least("s8.amber_points_below", r.s8.amber_points_below, 0)
    errors += _stricter(
        "s8.red_points_below",
        r.s8.red_points_below,
        "s8.amber_points_below",
        r.s8.amber_points_below,
        lower_is_worse=False,
    )
    errors += _years("s8.red_min_years", r.s8.red_min_years, r.data.history_years)
    errors += _validate_pooling_score(r)
    if not 1 <= r.trend.min_declining_indicators <= 7:
        errors.append("trend.min_declining_indicators: must be from 1 to 7 (the indicators S2-S8)")
    if not 0 <= r.trend.band_steps <= 3:
        errors.append("trend.band_steps: must be from 0 to 3")
    errors += _at_least("trend.points", r.trend.points, 0)
    return errors


SCORE_METHODS = ("points", "evidence")

# Versions saved before these sections existed keep computing what they computed: small KS2 cohorts dropped from
# S3, and the score as the sum of points (``LEGACY_SECTIONS | stored config`` before ``ruleset_from_dict``).
LEGACY_SECTIONS: dict[str, Any] = {
    "pooling": {"ks2_progress": False},
    "score": {"method": "points"},
}


def _validate_pooling_score(r: Ruleset) -> list[str]:
    errors = []
    if not 2 <= r.pooling.years <= 6:
        errors.append(f"pooling.years: must be from 2 to 6 (is {r.pooling.years})")
    if r.score.method not in SCORE_METHODS:
        errors.append(f"score.method: must be one of {', '.join(SCORE_METHODS)} (is {r.score.method!r})")
    for name in ("evidence_weight", "points_weight", "attainment_weight"):
        errors += _at_least(f"score.{name}", getattr(r.score, name), 0)
    if r.score.shrink_sd <= 0:
        errors.append(f"score.shrink_sd: must be above 0 (is {r.score.shrink_sd:g})")
    if not 1 <= r.score.scale <= 1000:
        errors.append(f"score.scale: must be from 1 to 1000 (is {r.score.scale})")
    return errors


def _years(path: str, value: int, history_years: int) -> list[str]:
    if 1 <= value <= history_years:
        return []
    return [f"{path}: must be from 1 to data.history_years ({history_years}) (is {value})"]


def _validate_grades(path: str, grades: tuple[str, ...]) -> list[str]:
    bad = [g for g in grades if g not in REPORT_CARD_GRADES]
    if not bad:
        return []
    return [f"{path}: unknown report-card grade {', '.join(map(repr, bad))} (use {', '.join(REPORT_CARD_GRADES)})"]


def _validate_areas(path: str, areas: tuple[str, ...]) -> list[str]:
    bad = [a for a in areas if a not in REPORT_CARD_AREAS]
    if not bad:
        return []
    return [f"{path}: unknown report-card area {', '.join(map(repr, bad))} (use {', '.join(REPORT_CARD_AREAS)})"]


def _validate_legacy(path: str, grades: tuple[int, ...]) -> list[str]:
    bad = [g for g in grades if g not in LEGACY_GRADES]
    return [f"{path}: legacy grades are 1 to 4 (got {', '.join(map(str, bad))})"] if bad else []


def _validate_capacity(r: Ruleset) -> list[str]:
    errors = _at_least("c1.new_head_days", r.c1.new_head_days, 0)
    errors += _at_least("c1.red_min_changes_3y", r.c1.red_min_changes_3y, 1)
    if not 0.5 <= r.c1.name_similarity <= 1:
        errors.append(f"c1.name_similarity: must be from 0.5 to 1 (is {r.c1.name_similarity:g})")
    errors += _validate_grades("c2.amber_grades", r.c2.amber_grades) + _validate_grades(
        "c2.red_grades", r.c2.red_grades
    )
    errors += _validate_legacy("c2.legacy_amber_grades", r.c2.legacy_amber_grades)
    errors += _validate_legacy("c2.legacy_red_grades", r.c2.legacy_red_grades)
    if set(r.c2.amber_grades) & set(r.c2.red_grades) or set(r.c2.legacy_amber_grades) & set(r.c2.legacy_red_grades):
        errors.append("c2: a grade cannot be both amber and red")
    errors += _at_least("intelligence.window_days", r.intelligence.window_days, 1)
    seen: dict[str, str] = {}
    for code in ("c3", "c4", "c5", "c6", "c7", "c8", "c9"):
        kinds = getattr(r.intelligence, f"{code}_kinds")
        if not kinds or any(not k.strip() for k in kinds):
            errors.append(f"intelligence.{code}_kinds: name at least one kind of intelligence, none blank")
        for kind in kinds:
            if kind in seen:
                errors.append(f"intelligence.{code}_kinds: kind {kind!r} is already used by {seen[kind].upper()}")
            seen[kind] = code
    if any(not k.strip() for k in r.intelligence.red_kept_kinds):
        errors.append("intelligence.red_kept_kinds: no kind may be blank")
    return errors


def _validate_overrides(o: OverrideRule) -> list[str]:
    errors = []
    for name in (
        "category_of_concern",
        "report_card_urgent",
        "safeguarding_not_met",
        "warning_notice",
        "ieb",
        "stuck",
        "legacy_ri",
        "legacy_inadequate",
        "legacy_safeguarding_ineffective",
        "safeguarding_concern",
    ):
        if getattr(o, name) not in (0, 1, 2, 3, 4):
            errors.append(f"overrides.{name}: must be a category from 1 to 4, or 0 to switch it off")
    errors += _validate_legacy("overrides.below_good_legacy_grades", o.below_good_legacy_grades)
    errors += _validate_grades("overrides.below_good_report_card_grades", o.below_good_report_card_grades)
    return errors


def _validate_concerns(c: ConcernRule) -> list[str]:
    errors = _at_least("concerns.times", c.times, 1) + _at_least("concerns.window_days", c.window_days, 1)
    if c.steps not in (0, 1, 2, 3):
        errors.append("concerns.steps: must be 0 (switched off) to 3 categories")
    if not c.ratings or not set(c.ratings) <= {"amber", "red"}:
        errors.append('concerns.ratings: choose "amber", "red" or both')
    if not c.kinds or any(not k.strip() for k in c.kinds):
        errors.append("concerns.kinds: name at least one kind of intelligence that counts as a concern, none blank")
    return errors


def _validate_bands(b: BandRule) -> list[str]:
    errors = _at_least("bands.b_min_ambers", b.b_min_ambers, 1) + _at_least("bands.c_min_reds", b.c_min_reds, 1)
    if b.c_min_ambers <= b.b_min_ambers:
        errors.append(
            f"bands.c_min_ambers: band C must need more ambers than band B ({b.c_min_ambers} is not more than "
            f"{b.b_min_ambers})"
        )
    if b.d_min_reds <= b.c_min_reds:
        errors.append(
            f"bands.d_min_reds: band D must need more reds than band C ({b.d_min_reds} is not more than {b.c_min_reds})"
        )
    return errors


def _validate_matrix(matrix: tuple[tuple[int, ...], ...]) -> list[str]:
    if len(matrix) != 4 or any(len(row) != 4 for row in matrix):
        return ["matrix: must have 4 rows (standards bands A-D) of 4 categories (capacity bands A-D)"]
    errors = []
    for i, row in enumerate(matrix):
        for j, cat in enumerate(row):
            if cat not in (1, 2, 3, 4):
                errors.append(f"matrix: standards {BANDS[i]} x capacity {BANDS[j]} must be a category from 1 to 4")
    if errors:
        return errors
    for i in range(4):
        for j in range(4):
            if j < 3 and matrix[i][j + 1] < matrix[i][j]:
                errors.append(
                    f"matrix: a worse capacity band never gives a lower category, but standards {BANDS[i]} gives "
                    f"{matrix[i][j]} with capacity {BANDS[j]} and {matrix[i][j + 1]} with capacity {BANDS[j + 1]}"
                )
            if i < 3 and matrix[i + 1][j] < matrix[i][j]:
                errors.append(
                    f"matrix: a worse standards band never gives a lower category, but capacity {BANDS[j]} gives "
                    f"{matrix[i][j]} with standards {BANDS[i]} and {matrix[i + 1][j]} with standards {BANDS[i + 1]}"
                )
    return errors


def _validate_categories(categories: tuple[CategoryDef, ...]) -> list[str]:
    if [c.number for c in categories] != [1, 2, 3, 4]:
        return ["categories: must list categories 1, 2, 3 and 4 in order"]
    errors = []
    for c in categories:
        if not c.name.strip():
            errors.append(f"categories: category {c.number} needs a name")
        if not c.colour.strip():
            errors.append(f"categories: category {c.number} needs a colour")
    return errors


def _validate_leading(lead: LeadingRule) -> list[str]:
    errors = []
    if lead.max_category not in (1, 2, 3, 4):
        errors.append("leading.max_category: must be a category from 1 to 4")
    for name in ("standards_bands", "capacity_bands"):
        bad = [b for b in getattr(lead, name) if b not in BANDS]
        if bad or not getattr(lead, name):
            errors.append(f"leading.{name}: list bands from A, B, C, D")
    errors += _validate_legacy("leading.legacy_overall_grades", lead.legacy_overall_grades)
    errors += _validate_areas("leading.report_card_areas", lead.report_card_areas)
    errors += _validate_grades("leading.report_card_grades", lead.report_card_grades)
    errors += _validate_grades("leading.report_card_excluded_grades", lead.report_card_excluded_grades)
    return errors


def _validate_points(p: Points) -> list[str]:
    if 0 <= p.green < p.amber < p.red:
        return []
    return [f"points: must rise from green to amber to red, from 0 up (are {p.green}, {p.amber}, {p.red})"]
