"""The risk categorisation engine: ``risk_compute(inputs, ruleset) -> RiskResult``.

Pure and vectorised (pandas/numpy over all schools at once; loops only over the fixed list of rules). Steps, as
in docs DOMAIN "The risk categorisation model": hard overrides (floors), indicators S1-S8 and C1-C9 scored
G/A/R, bands A-D by counts, the S9 trend modifier, the standards x capacity matrix, overrides applied as floors,
the score for ranking within a category, the Leading tag, and the academy view.

About half of the independent work (``BESIDE_CODES``, the overrides, the concerns) is computed in a forked child
on the machine's other core, and in process wherever that cannot be done (``forked.py``, ADR 0030): the result is
the same either way.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from .context import RiskContext
from .escalation import concerns_compute, concerns_escalate
from .forked import Forked
from .frames import RiskInputs, RiskResult
from .indicators import CODES, COMPUTED_CODES, INDICATORS, indicator_frames, indicators_complete
from .indicators.common import Rows, choose, distinct, join, long_date, nones, num, when
from .indicators.evidence import evidence_parts, evidence_sentence, fixed
from .indicators.standards import s3_progress_inputs
from .overrides import overrides_compute
from .ruleset import BANDS, DEFAULT_RULESET, REPORT_CARD_AREAS, BandRule, Ruleset, RulesetError, ruleset_validate

STANDARDS_SCORED = tuple(i.code for i in INDICATORS if i.dimension == "standards" and i.scored)
CAPACITY_SCORED = tuple(i.code for i in INDICATORS if i.dimension == "capacity" and i.scored)
RATING_WORDS = {"A": "amber", "R": "red"}
INSUFFICIENT = 0  # the proposed "category" of a school with too little evidence: no category is proposed
INSUFFICIENT_NAME = "Insufficient evidence: officer to categorise"
# The indicators computed in a forked child (with the overrides and the register of concern) while this process
# computes the rest and the evidence: the split that gave the two the most even times on a national run.
BESIDE_CODES = ("S7", "S8", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9")
HERE_CODES = tuple(code for code in COMPUTED_CODES if code not in BESIDE_CODES)
LONG_COLUMNS = ("school_id", "code", "dimension", "label", "rating", "points", "value", "sentence", "missing")


def risk_compute(inputs: RiskInputs, ruleset: Ruleset = DEFAULT_RULESET) -> RiskResult:
    """Categorise every school in ``inputs.schools``; never drops or adds a school.

    Raises ``RulesetError`` for a rule set that fails ``ruleset_validate`` and ``ValueError`` for duplicate
    school ids; missing or suppressed data never raises (it is listed in ``missing_inputs``).
    """
    errors = ruleset_validate(ruleset)
    if errors:
        raise RulesetError(errors)
    ctx = RiskContext(inputs, ruleset)
    started = time.perf_counter()
    beside = Forked(lambda: _beside(ctx))  # about half of the independent work, on the other core (ADR 0030)
    try:
        frames = indicator_frames(ctx, HERE_CODES)
        evidence, evidence_text = _evidence(ctx)
        # The child needs about as long as this process did; the timeout is only for a child that hangs.
        side_frames, overrides, concerns = beside.result(timeout=60 + 10 * (time.perf_counter() - started))
    finally:
        beside.close()  # a failure here (or a worker's time limit) must not leave the child behind
    frames = indicators_complete(ctx, {**frames, **side_frames})
    idx = ctx.index
    ratings = pd.DataFrame({code: frames[code]["rating"] for code in CODES}, index=idx)

    s_before = band_compute(ratings[list(STANDARDS_SCORED)], ruleset.bands)
    trend = (ratings["S9"] == "A").to_numpy()
    s_band = np.minimum(s_before + ruleset.trend.band_steps * trend, 3)
    c_band = band_compute(ratings[list(CAPACITY_SCORED)], ruleset.bands)
    matrix_cat = np.asarray(ruleset.matrix)[s_band, c_band]

    floor = overrides.groupby(level=0)["floor"].max().reindex(idx).fillna(0).astype(int).to_numpy()
    proposed = np.maximum(matrix_cat, floor)
    proposed, concern_sentence = concerns_escalate(proposed, concerns, ctx)
    escalation = pd.DataFrame({"rule": "concern_register", "floor": 0, "sentence": concern_sentence})
    overrides = pd.concat([overrides, escalation[concern_sentence != ""].rename_axis("school_id")])

    insufficient = _insufficient(ratings, floor, concern_sentence, ruleset)
    matrix_alone = proposed.copy()
    proposed = np.where(insufficient, INSUFFICIENT, proposed)

    points = _points(ratings, ruleset)
    points_total = points[list(STANDARDS_SCORED) + list(CAPACITY_SCORED) + ["S9"]].sum(axis=1).astype(int)
    score = _score(points_total, evidence, ruleset)
    score_sentence = _score_sentence(score, points_total, evidence_text, ratings, ruleset)

    categories = {c.number: c for c in ruleset.categories}
    category = pd.Series(proposed, index=idx)
    out = pd.DataFrame(
        {
            **{col: ctx.schools[col] for col in ("urn", "name", "phase", "district", "is_academy")},
            "proposed_category": proposed,
            "category_name": category.map(
                {n: c.name for n, c in categories.items()} | {INSUFFICIENT: INSUFFICIENT_NAME}
            ),
            "category_colour": category.map({n: c.colour for n, c in categories.items()} | {INSUFFICIENT: "grey"}),
            "rise_tier": category.map({n: c.rise_tier for n, c in categories.items()}),
            "insufficient_evidence": insufficient,
            "matrix_category": matrix_cat,
            "override_floor": floor,
            "concerns": concerns["concerns"],
            "concern_escalated": (concern_sentence != "").to_numpy(),
            "standards_band": np.asarray(BANDS)[s_band],
            "standards_band_before_trend": np.asarray(BANDS)[s_before],
            "capacity_band": np.asarray(BANDS)[c_band],
            "trend_raised": trend & (s_band > s_before),
            "score": score,
            "points": points_total,
            "evidence": evidence,
        },
        index=idx,
    )
    leading, leading_sentence = _leading(ctx, out, ratings)
    long = _long(frames, points, idx)
    missing = (long["missing"] != "").to_numpy()
    rest = {
        "leading": leading,
        "academy_view": _academy_view(out, ruleset),
        "overrides": _lists(idx.get_indexer(overrides.index), overrides["sentence"].to_numpy(dtype=object), idx),
        "reasons": _reasons(
            overrides,
            long,
            _band_sentence(out, ratings, matrix_alone, ruleset),
            score_sentence,
            leading_sentence,
            idx,
        ),
        "missing_inputs": _lists(
            np.repeat(np.arange(len(idx)), len(CODES))[missing],
            long["code"].to_numpy(dtype=object)[missing] + ": " + long["missing"].to_numpy(dtype=object)[missing],
            idx,
        ),
    }
    for code in CODES:
        rest[code] = frames[code]["rating"]
        rest[f"{code}_value"] = frames[code]["value"]
        rest[f"{code}_sentence"] = frames[code]["sentence"]
    rest["ruleset_version"] = ruleset.version
    out = pd.concat([out, pd.DataFrame(rest, index=idx)], axis=1)
    return RiskResult(schools=out, indicators=long, ruleset_version=ruleset.version, as_at=ctx.as_at)


def _beside(ctx: RiskContext) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """The work done beside the main process: the frames of ``BESIDE_CODES``, the overrides and the concerns."""
    return indicator_frames(ctx, BESIDE_CODES), overrides_compute(ctx), concerns_compute(ctx)


def _insufficient(ratings: pd.DataFrame, floor: np.ndarray, concern: pd.Series, ruleset: Ruleset) -> np.ndarray:
    """Schools whose standards dimension has too little evidence (fewer rated S1-S8 than the rule set asks) and
    that no override or concern escalation categorises: the officer categorises them (DOMAIN)."""
    rated = ratings[list(STANDARDS_SCORED)].notna().sum(axis=1).to_numpy()
    return (rated < ruleset.data.min_scored_standards) & (floor == 0) & (concern.to_numpy() == "")


def band_compute(ratings: pd.DataFrame, rule: BandRule) -> np.ndarray:
    """Band index per school (0 = A ... 3 = D) from counts of reds and of indicators at amber or worse."""
    reds = (ratings == "R").sum(axis=1).to_numpy()
    flagged = ratings.isin(["A", "R"]).sum(axis=1).to_numpy()
    return np.select(
        [
            reds >= rule.d_min_reds,
            (reds >= rule.c_min_reds) | (flagged >= rule.c_min_ambers),
            flagged >= rule.b_min_ambers,
        ],
        [3, 2, 1],
        0,
    ).astype(int)


def _evidence(ctx: RiskContext) -> tuple[pd.Series, pd.Series]:
    """Standard errors below national of each school's latest results (``ScoreRule``; NaN: no such evidence), and
    the same in words for the score's sentence."""
    s3 = s3_progress_inputs(ctx)
    parts = evidence_parts(ctx, s3.scores, s3.upper, s3.gate.ok & ~s3.unpublished)
    return parts.evidence, evidence_sentence(ctx, parts, s3.gate.year, s3.pooled.ok, s3.pooled.pupils)


def _score(points: pd.Series, evidence: pd.Series, ruleset: Ruleset) -> pd.Series:
    """The score that ranks schools: the points (``method`` "points"), or the evidence in standard errors weighed
    with the points, in tenths (``method`` "evidence"; a school with no such evidence counts as national, 0)."""
    rule = ruleset.score
    if rule.method == "points":
        return points.astype(int)
    raw = rule.evidence_weight * evidence.fillna(0.0) + rule.points_weight * points
    return (raw * rule.scale).round().astype(int)


def score_decimals(scale: int) -> int:
    """Decimal places that show a score stored in 1/``scale`` units exactly (10: one place)."""
    return max(0, len(str(scale)) - 1) if str(scale).strip("0") == "1" else 2


def _score_sentence(
    score: pd.Series, points: pd.Series, evidence_text: pd.Series, ratings: pd.DataFrame, ruleset: Ruleset
) -> pd.Series:
    """How each school's score was made, as a reason: "Score 3.7 = reading progress 3.4 standard errors below
    national (...) + 0.25 × 1 point (1 amber × 1)" (``evidence``), "Score 3 = indicator points: 1 red × 2 + 1 amber
    × 1" (``points``). The score is written as the pages show it (tenths as a decimal)."""
    p, rule, idx = ruleset.points, ruleset.score, score.index
    r = ratings[list(STANDARDS_SCORED) + list(CAPACITY_SCORED)].to_numpy(dtype=object)
    terms = []
    for letter, word, each in (("R", "red", p.red), ("A", "amber", p.amber), ("G", "green", p.green)):
        count = pd.Series((r == letter).sum(axis=1).astype("float64"), index=idx)
        if each:
            terms.append(when(count > 0, num(count, 0) + f" {word} × {each}"))
    if ruleset.trend.points:
        terms.append(when(ratings["S9"] == "A", f"S9 trend {ruleset.trend.points}"))
    breakdown = join(*terms, sep=" + ") if terms else pd.Series("", index=idx, dtype=object)
    if rule.method == "points":
        return (
            "Score "
            + num(score.astype("float64"), 0)
            + " = indicator points: "
            + choose([breakdown != ""], [breakdown], "no amber or red indicators")
        )
    shown = fixed(score.astype("float64") / rule.scale, score_decimals(rule.scale))
    weight = "" if rule.evidence_weight == 1 else f"{rule.evidence_weight:g} × "
    plural = pd.Series(np.where(points == 1, " point", " points"), index=idx, dtype=object)
    return (
        "Score "
        + shown
        + " = "
        + weight
        + evidence_text
        + f" + {rule.points_weight:g} × "
        + num(points.astype("float64"), 0)
        + plural
        + when(breakdown != "", " (" + breakdown + ")")
    )


def _points(ratings: pd.DataFrame, ruleset: Ruleset) -> pd.DataFrame:
    p = ruleset.points
    r = ratings.to_numpy(dtype=object)
    grid = np.select([r == "G", r == "A", r == "R"], [float(p.green), float(p.amber), float(p.red)], 0.0)
    points = pd.DataFrame(grid.astype(int), index=ratings.index, columns=ratings.columns)
    for ind in INDICATORS:
        if not ind.scored:
            points[ind.code] = 0  # context only (C5); S9 counts through the trend modifier's points below
    points["S9"] = np.where(ratings["S9"] == "A", ruleset.trend.points, 0)
    return points


def _academy_view(out: pd.DataFrame, ruleset: Ruleset) -> pd.Series:
    concern = np.where(out["proposed_category"] >= ruleset.academy_concern_min_category, "concern", "no concern")
    concern = np.where(out["proposed_category"] == INSUFFICIENT, "insufficient", concern)
    return pd.Series(np.where(out["is_academy"], concern, nones(len(out))), index=out.index, dtype=object)


def _leading(ctx: RiskContext, out: pd.DataFrame, ratings: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The Leading tag and its sentence: strong outcomes, strong capacity and a strong latest inspection."""
    rule, latest = ctx.rules.leading, ctx.latest
    legacy_ok = (latest["framework"] == "oeif") & latest["overall"].isin(rule.legacy_overall_grades)
    rc_areas = latest[list(rule.report_card_areas)].isin(rule.report_card_grades).all(axis=1)
    rc_clean = ~latest[list(REPORT_CARD_AREAS)].isin(rule.report_card_excluded_grades).any(axis=1)
    rc_ok = (latest["framework"] == "report_card") & rc_areas & rc_clean
    no_reds = ~(ratings[list(STANDARDS_SCORED + CAPACITY_SCORED)] == "R").any(axis=1) | rule.allow_reds
    leading = (
        (out["proposed_category"] <= rule.max_category)
        & (out["proposed_category"] != INSUFFICIENT)
        & out["standards_band"].isin(rule.standards_bands)
        & out["capacity_band"].isin(rule.capacity_bands)
        & no_reds
        & (legacy_ok | rc_ok)
    )
    on = Rows(leading)
    date = long_date(on(latest["start_date"]))
    inspection = choose(
        [on(legacy_ok), on(rc_ok)],
        ["latest graded inspection good or better (legacy, " + date + ")", "strong report card of " + date],
    )
    sentence = when(
        leading,
        "Leading: category "
        + num(on(out["proposed_category"]).astype("float64"), 0)
        + ", standards band "
        + on(out["standards_band"]).astype(object)
        + ", capacity band "
        + on(out["capacity_band"]).astype(object)
        + ", no red indicators, "
        + inspection,
    )
    return leading.astype(bool), sentence


def _band_sentence(out: pd.DataFrame, ratings: pd.DataFrame, matrix_alone: np.ndarray, ruleset: Ruleset) -> pd.Series:
    """How the bands and the matrix gave the category, written once per distinct combination of its inputs."""
    parts = {
        name: out[name]
        for name in (
            "standards_band",
            "standards_band_before_trend",
            "trend_raised",
            "capacity_band",
            "matrix_category",
            "override_floor",
            "proposed_category",
            "insufficient_evidence",
        )
    }
    parts["matrix_alone"] = pd.Series(matrix_alone, index=out.index)
    for dimension, codes in (("standards", STANDARDS_SCORED), ("capacity", CAPACITY_SCORED)):
        r = ratings[list(codes)].to_numpy(dtype=object)
        parts[f"{dimension}_reds"] = pd.Series((r == "R").sum(axis=1), index=out.index)
        parts[f"{dimension}_ambers"] = pd.Series((r == "A").sum(axis=1), index=out.index)
    first, inverse = distinct(pd.DataFrame(parts))
    u = pd.DataFrame(parts).iloc[first]

    def counts(dimension: str) -> pd.Series:
        reds = num(u[f"{dimension}_reds"].astype("float64"), 0)
        ambers = num(u[f"{dimension}_ambers"].astype("float64"), 0)
        return reds + " red, " + ambers + " amber"

    raised = when(u["trend_raised"], ", raised from " + u["standards_band_before_trend"].astype(object) + " by S9")
    sentence = (
        "Standards band "
        + u["standards_band"].astype(object)
        + " ("
        + counts("standards")
        + raised
        + ") and capacity band "
        + u["capacity_band"].astype(object)
        + " ("
        + counts("capacity")
        + ") give category "
        + num(u["matrix_category"].astype("float64"), 0)
    )
    floored = np.maximum(u["matrix_category"], u["override_floor"]).astype("float64")
    floor_text = when(u["override_floor"] > u["matrix_category"], "; overrides raise it to " + num(floored, 0))
    concern_text = when(
        u["proposed_category"] > floored,
        "; the register of concern raises it to " + num(u["proposed_category"].astype("float64"), 0),
    )
    needed = ruleset.data.min_scored_standards
    insufficient_text = (
        INSUFFICIENT_NAME
        + f" (fewer than {needed} standards indicator{'s' if needed != 1 else ''} could be rated, and no override"
        + " applies; with what there is, the bands would give category "
        + num(u["matrix_alone"].astype("float64"), 0)
        + ")"
    )
    written = choose(
        [u["insufficient_evidence"].astype(bool)], [insufficient_text], join(sentence + floor_text + concern_text)
    ).to_numpy(dtype=object)
    return pd.Series(written[inverse], index=out.index, dtype=object)


def _long(frames: dict[str, pd.DataFrame], points: pd.DataFrame, idx: pd.Index) -> pd.DataFrame:
    """The long indicator frame: one row per school and code, schools in input order, codes in display order."""
    meta = [next(i for i in INDICATORS if i.code == code) for code in CODES]
    n = len(idx)

    def by_school(columns: list[np.ndarray]) -> np.ndarray:
        """Per-code columns as one column, school by school, codes in display order within each."""
        return np.stack(columns, axis=1).reshape(n * len(CODES))

    def repeated(values: list) -> np.ndarray:
        return np.tile(np.asarray(values, dtype=object), n)

    return pd.DataFrame(
        {
            "school_id": np.repeat(idx.to_numpy(), len(CODES)),
            "code": repeated(list(CODES)),
            "dimension": repeated([i.dimension for i in meta]),
            "label": repeated([i.label for i in meta]),
            "rating": pd.Series(by_school([frames[c]["rating"].to_numpy(dtype=object) for c in CODES]), dtype=object),
            "points": by_school([points[c].to_numpy() for c in CODES]),
            "value": by_school([frames[c]["value"].to_numpy() for c in CODES]),
            "sentence": by_school([frames[c]["sentence"].to_numpy(dtype=object) for c in CODES]),
            "missing": by_school([frames[c]["missing"].to_numpy(dtype=object) for c in CODES]),
            "applicable": by_school([frames[c]["applicable"].to_numpy() for c in CODES]),
            "scored": np.tile(np.array([i.scored for i in meta]), n),
        }
    )


def _lists(position: np.ndarray, values: np.ndarray, idx: pd.Index) -> pd.Series:
    """Per school, the list of ``values`` whose ``position`` (in ``idx``) is the school's, in their order (an
    empty list when none).

    One stable sort by position, then the schools' slices of the sorted values (no per-school Python code).
    """
    if len(idx) == 0:
        return pd.Series([], index=idx, dtype=object)
    position = np.asarray(position, dtype=np.int64)
    ordered = np.asarray(values, dtype=object)[np.argsort(position, kind="stable")].tolist()
    ends = np.cumsum(np.bincount(position, minlength=len(idx)))
    starts = np.concatenate([[0], ends[:-1]])
    with _gc_paused():
        lists = list(map(ordered.__getitem__, map(slice, starts.tolist(), ends.tolist())))
    return pd.Series(lists, index=idx, dtype=object)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a block makes tens of thousands of lists of strings.

    Every few hundred new lists would otherwise start a collection, and the older generations sweep every object
    in the process: about a quarter of a second for 24,000 schools. Lists holding only strings form no cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _reasons(
    overrides: pd.DataFrame,
    long: pd.DataFrame,
    band: pd.Series,
    score: pd.Series,
    leading: pd.Series,
    idx: pd.Index,
) -> pd.Series:
    """Every rule that fired, as sentences: overrides, amber/red indicators, the band and matrix, how the score
    was made, Leading."""
    rating = long["rating"].to_numpy(dtype=object)
    is_flagged = (rating == "A") | (rating == "R")
    flagged = long[is_flagged]
    words = np.where(rating[is_flagged] == "R", RATING_WORDS["R"], RATING_WORDS["A"]).astype(object)
    code, sentence = long["code"].to_numpy(dtype=object), long["sentence"].to_numpy(dtype=object)
    flagged_text = pd.Series(code[is_flagged] + " " + words + ": " + sentence[is_flagged], dtype=object)
    every = np.arange(len(idx))
    position = np.concatenate(
        [idx.get_indexer(overrides.index), np.repeat(every, len(CODES))[is_flagged], every, every, every]
    )
    order = np.concatenate(
        [
            np.zeros(len(overrides), dtype=int),
            np.ones(len(flagged), dtype=int),
            np.full(len(idx), 2),
            np.full(len(idx), 3),
            np.full(len(idx), 4),
        ]
    )
    text = np.concatenate(
        [
            overrides["sentence"].to_numpy(dtype=object),
            flagged_text.to_numpy(dtype=object),
            band.to_numpy(dtype=object),
            score.to_numpy(dtype=object),
            leading.to_numpy(dtype=object),
        ]
    )
    kept = text != ""
    by_order = np.argsort(order[kept], kind="stable")
    return _lists(position[kept][by_order], text[kept][by_order], idx)


def risk_csv_frame(result: RiskResult) -> pd.DataFrame:
    """One row per school for a CSV export: category, bands, score, tags and S1..S9, C1..C9 as G/A/R ("" if none)."""
    s = result.schools
    frame = s[
        ["urn", "name", "proposed_category", "category_name", "standards_band", "capacity_band", "score", "leading"]
    ].copy()
    frame["academy_view"] = s["academy_view"].fillna("")
    for code in CODES:
        frame[code] = s[code].fillna("")
    frame["reasons"] = s["reasons"].str.join(" | ")
    frame["missing_inputs"] = s["missing_inputs"].str.join(" | ")
    frame["ruleset_version"] = result.ruleset_version
    return frame
