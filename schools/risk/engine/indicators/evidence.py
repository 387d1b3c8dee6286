"""Weighing results by their evidence (#14 items 6 and 7): small KS2 cohorts pooled over years, and the score.

* ``ks2_progress_pooled``: a school whose latest KS2 cohort is under the minimum is judged on its progress pooled
  over the last few years, as the DfE's three-year averages pool pupils. Each year is weighted by the inverse of
  its variance, read from the published 95% interval (half its width / 1.96 is the standard error). The DfE
  computes every interval from one national pupil-level standard deviation, so these weights are the pupils with
  a progress score, and the pooled interval is the interval of all those pupils together.
* ``evidence_compute``: how many standard errors each school's latest result lies below national (``E`` of
  ``ScoreRule``), the worse of its key stages; the score weighs it with the indicator points.

Pure numpy/pandas over the school x year grid, no loop over schools.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..context import RiskContext
from .common import Rows, academic_year, choose, join, num, year_text

Z95 = 1.959964
SUBJECTS = (("reading", "read"), ("writing", "writ"), ("maths", "mat"))


@dataclass(frozen=True)
class Pooled:
    """Per school: the pooled progress (``score``, ``upper`` per subject) where ``ok``; why not where ``tried``."""

    tried: pd.Series  # small latest cohort and pooling switched on
    ok: pd.Series  # pooled over enough pupils: rate on the pooled figure
    score: dict[str, pd.Series]
    upper: dict[str, pd.Series]
    pupils: pd.Series  # pupils in the pooled years
    caveat: pd.Series  # "pooled over 2016/17 to 2018/19 (cohorts of 6, 8 and 9 pupils, 23 in all; ...)"
    too_few: pd.Series  # ", and pooled over 2017/18 to 2018/19 only 7 pupils" where tried and not ok


def _last_years(valid: np.ndarray, n: int) -> np.ndarray:
    """Of each row's valid cells (years ascending), keep only the last ``n``."""
    from_right = np.cumsum(valid[:, ::-1], axis=1)[:, ::-1]
    return valid & (from_right <= n)


def ks2_progress_pooled(ctx: RiskContext, year: pd.Series, small: pd.Series) -> Pooled:
    """Progress pooled over the last ``pooling.years`` years with a cohort on file and a published score and
    interval, up to each school's KS2 ``year`` (within ``data.history_span_years``), for the ``small`` schools."""
    rules, idx = ctx.rules, ctx.index
    tried = small & rules.pooling.ks2_progress & ~year.isin(rules.s3.not_published_years)
    years = np.asarray(ctx.years, dtype="float64")
    up_to = year.to_numpy(dtype="float64")[:, None]
    cohort = ctx.grid("ks2_cohort")
    grids = {s: (ctx.grid(f"ks2_{c}_prog"), ctx.grid(f"ks2_{c}_prog_upper")) for s, c in SUBJECTS}
    any_score = np.zeros(cohort.shape, dtype=bool)
    for score, upper in grids.values():
        any_score |= ~np.isnan(score) & ~np.isnan(upper) & (upper > score)
    with np.errstate(invalid="ignore"):
        window = (years[None, :] <= up_to) & (years[None, :] >= up_to - rules.data.history_span_years)
        usable = window & any_score & (cohort > 0) & tried.to_numpy()[:, None]
    keep = _last_years(usable, rules.pooling.years)
    pupils = pd.Series(np.where(keep, cohort, 0.0).sum(axis=1), index=idx)
    score_out, upper_out = {}, {}
    for subject, (score, upper) in grids.items():
        se = (upper - score) / Z95
        with np.errstate(invalid="ignore", divide="ignore"):
            weight = np.where(keep & (se > 0), 1.0 / (se * se), 0.0)
            total = weight.sum(axis=1)
            mean = np.where(weight > 0, score, 0.0) * weight
            pooled = np.where(total > 0, mean.sum(axis=1) / total, np.nan)
            half = np.where(total > 0, Z95 / np.sqrt(total), np.nan)
        score_out[subject] = pd.Series(pooled, index=idx)
        upper_out[subject] = pd.Series(pooled + half, index=idx)
    used = pd.Series(keep.sum(axis=1), index=idx)
    ok = tried & (used > 0) & (pupils >= rules.data.ks2_min_pupils)
    span = _listed(keep, [pd.Series(year_text(int(y)), index=idx) for y in years], idx)
    cohorts = _listed(keep, [num(pd.Series(cohort[:, j], index=idx), 0) for j in range(keep.shape[1])], idx)
    low_subject, low_range = _lowest_interval(score_out, upper_out, idx, ok)
    on = Rows(ok)
    caveat = (
        "pooled over "
        + on(span)
        + " (cohorts of "
        + on(cohorts)
        + " pupils, "
        + num(on(pupils), 0)
        + " in all; 95% interval of "
        + on(low_subject)
        + " "
        + on(low_range)
        + ")"
    )
    few = Rows(tried & ~ok & (used > 0))
    too_few = ", and pooled over " + few(span) + " only " + num(few(pupils), 0) + " pupils"
    return Pooled(
        tried=tried,
        ok=ok,
        score=score_out,
        upper=upper_out,
        pupils=pupils,
        caveat=choose([ok], [caveat], ""),
        too_few=choose([tried & ~ok & (used > 0)], [too_few], ""),
    )


def _listed(keep: np.ndarray, texts: list[pd.Series], idx: pd.Index) -> pd.Series:
    """Per school, the texts of its kept columns, oldest first: "2016/17, 2017/18 and 2018/19", "6, 8 and 9"."""
    parts = [pd.Series(np.where(keep[:, j], texts[j].to_numpy(dtype=object), ""), index=idx) for j in range(len(texts))]
    listed = join(*parts, sep=", ") if parts else pd.Series("", index=idx, dtype=object)
    return listed.astype(str).str.replace(r", (?=[^,]*$)", " and ", regex=True)


def _lowest_interval(
    score: dict[str, pd.Series], upper: dict[str, pd.Series], idx: pd.Index, ok: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """The subject with the lowest pooled score and its pooled 95% interval ("-11.3 to -6.7")."""
    frame = pd.DataFrame(score).reindex(columns=[s for s, _ in SUBJECTS])
    known = frame.notna().any(axis=1) & ok
    lowest = frame.where(known, 0.0).fillna(np.inf).idxmin(axis=1)
    pick = {s: (lowest == s) & known for s, _ in SUBJECTS}
    low = choose([pick[s] for s, _ in SUBJECTS], [score[s] for s, _ in SUBJECTS], np.nan).astype("float64")
    high = choose([pick[s] for s, _ in SUBJECTS], [upper[s] for s, _ in SUBJECTS], np.nan).astype("float64")
    lower = 2 * low - high
    return lowest.where(known, ""), num(lower) + " to " + num(high)


# --------------------------------------------------------------------------------------------- the score


def _shrunk_z(score: pd.Series, upper: pd.Series, sd: float) -> pd.Series:
    """score / its standard error, after shrinking the score towards zero by sd^2 / (sd^2 + se^2)."""
    se = (upper - score) / Z95
    se = se.where(se > 0)
    shrunk = score * (sd * sd) / (sd * sd + se * se)
    return shrunk / se


def evidence_compute(
    ctx: RiskContext, s3_scores: dict[str, pd.Series], s3_upper: dict[str, pd.Series], s3_known: pd.Series
) -> pd.Series:
    """E per school: standard errors below national of its latest result, the worse key stage (NaN: no evidence).

    ``s3_*``: the progress S3 rated (the latest year's, or the pooled figure for a small cohort), where known.
    """
    return evidence_parts(ctx, s3_scores, s3_upper, s3_known).evidence


@dataclass(frozen=True)
class EvidenceParts:
    """E and the figures it was made from, per school, so the score's sentence can name them."""

    evidence: pd.Series  # E (NaN: no evidence)
    ks2: pd.Series  # E from KS2 progress (the worse of reading and maths)
    ks2_subject: pd.Series  # "reading" or "maths"
    ks2_score: pd.Series  # that subject's published (or pooled) progress score
    ks2_se: pd.Series
    ks2_shrunk: pd.Series
    ks4: pd.Series  # E from Progress 8
    ks4_year: pd.Series
    p8: pd.Series
    p8_se: pd.Series
    p8_shrunk: pd.Series
    attainment: pd.Series  # E from KS2 RWM, where there is no progress evidence
    ks2_year: pd.Series
    cohort: pd.Series
    rwm: pd.Series
    national: pd.Series


def _se(score: pd.Series, upper: pd.Series) -> pd.Series:
    se = (upper - score) / Z95
    return se.where(se > 0)


def _shrunk(score: pd.Series, upper: pd.Series, sd: float) -> pd.Series:
    se = _se(score, upper)
    return score * (sd * sd) / (sd * sd + se * se)


def evidence_parts(
    ctx: RiskContext, s3_scores: dict[str, pd.Series], s3_upper: dict[str, pd.Series], s3_known: pd.Series
) -> EvidenceParts:
    """``evidence_compute`` with its workings (the same numbers)."""
    rule, data, idx = ctx.rules.score, ctx.rules.data, ctx.index
    z_read = _shrunk_z(s3_scores["reading"], s3_upper["reading"], rule.shrink_sd)
    z_maths = _shrunk_z(s3_scores["maths"], s3_upper["maths"], rule.shrink_sd)
    z_ks2 = pd.concat([z_read, z_maths], axis=1).min(axis=1).where(s3_known)
    e_ks2 = -z_ks2
    reading = z_read.notna() & ((z_read <= z_maths) | z_maths.isna())
    # KS4: Progress 8 likewise (its scale is about a tenth of KS2 progress).
    ks4_year = ctx.stage_year("ks4")
    p8 = ctx.at("ks4_p8", ks4_year)
    p8_upper = ctx.at("ks4_p8_upper", ks4_year)
    ks4_ok = ctx.ks4 & (ctx.at("ks4_cohort", ks4_year) >= data.ks4_min_pupils)
    ks4_ok &= ~ks4_year.isin(ctx.rules.s4.p8_not_published_years)
    e_ks4 = -_shrunk_z(p8, p8_upper, rule.shrink_sd / 10).where(ks4_ok)
    # KS2 attainment, only where no progress evidence: the gap to national over the binomial standard error.
    ks2_year = ctx.stage_year("ks2")
    cohort = ctx.at("ks2_cohort", ks2_year)
    rwm = ctx.at("ks2_rwm_exp", ks2_year)
    national = ctx.national("ks2_rwm_exp", ks2_year)
    p = (national / 100).clip(0.01, 0.99)
    se = 100 * np.sqrt(p * (1 - p) / cohort.where(cohort >= data.ks2_min_pupils))
    e_att = (-(rwm - national) / se * rule.attainment_weight).where(ctx.ks2 & e_ks2.isna())
    evidence = pd.concat([e_ks2, e_ks4, e_att], axis=1).max(axis=1).reindex(idx)

    score = s3_scores["reading"].where(reading, s3_scores["maths"])
    upper = s3_upper["reading"].where(reading, s3_upper["maths"])
    return EvidenceParts(
        evidence=evidence,
        ks2=e_ks2.reindex(idx),
        ks2_subject=pd.Series(np.where(reading, "reading", "maths"), index=idx, dtype=object),
        ks2_score=score,
        ks2_se=_se(score, upper),
        ks2_shrunk=_shrunk(score, upper, rule.shrink_sd),
        ks4=e_ks4.reindex(idx),
        ks4_year=ks4_year,
        p8=p8,
        p8_se=_se(p8, p8_upper),
        p8_shrunk=_shrunk(p8, p8_upper, rule.shrink_sd / 10),
        attainment=e_att.reindex(idx),
        ks2_year=ks2_year,
        cohort=cohort,
        rwm=rwm,
        national=national,
    )


def fixed(series: pd.Series, decimals: int) -> pd.Series:
    """Numbers with exactly ``decimals`` places ("3.0", "-0.77"), each distinct number written once; NaN -> ""."""
    rounded = series.astype("float64").round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    codes, uniques = pd.factorize(rounded.to_numpy(), use_na_sentinel=True)
    text = np.array([f"{u:.{decimals}f}" for u in uniques] + [""], dtype=object)
    return pd.Series(text[codes], index=series.index, dtype=object)


def evidence_sentence(
    ctx: RiskContext, parts: EvidenceParts, s3_year: pd.Series, pooled_ok: pd.Series, pooled_pupils: pd.Series
) -> pd.Series:
    """E in words, per school: which result it comes from, how many standard errors below (or above) national,
    and the figures it was made from; "no published progress or attainment to weigh" where there is none."""
    idx, rule = ctx.index, ctx.rules.score
    e = parts.evidence
    side = pd.Series(np.where(e < 0, " standard errors above national", " standard errors below national"), index=idx)
    size = fixed(e.abs(), 1) + side
    from_ks2 = parts.ks2.notna() & (parts.ks2 == e)
    from_ks4 = ~from_ks2 & parts.ks4.notna() & (parts.ks4 == e)
    from_att = ~from_ks2 & ~from_ks4 & parts.attainment.notna() & (parts.attainment == e)
    on = Rows(from_ks2)
    pooled = on(pooled_ok.reindex(idx).fillna(False).astype(bool))
    when_where = choose(
        [pooled],
        [" pooled over " + num(on(pooled_pupils.reindex(idx)), 0) + " pupils"],
        " in " + academic_year(on(s3_year)),
    )
    cohort = choose([pooled], [""], " for a cohort of " + num(on(ctx.at("ks2_cohort", s3_year)), 0))
    ks2 = (
        on(parts.ks2_subject)
        + " progress "
        + on(size)
        + " ("
        + num(on(parts.ks2_score))
        + when_where
        + ", standard error "
        + fixed(on(parts.ks2_se), 2)
        + ", shrunk towards national to "
        + fixed(on(parts.ks2_shrunk), 1)
        + cohort
        + ")"
    )
    on4 = Rows(from_ks4)
    ks4 = (
        "Progress 8 "
        + on4(size)
        + " ("
        + num(on4(parts.p8), 2)
        + " in "
        + academic_year(on4(parts.ks4_year))
        + ", standard error "
        + fixed(on4(parts.p8_se), 2)
        + ", shrunk towards national to "
        + fixed(on4(parts.p8_shrunk), 2)
        + " for a cohort of "
        + num(on4(ctx.at("ks4_cohort", parts.ks4_year)), 0)
        + ")"
    )
    weighted = "" if rule.attainment_weight == 1 else f", weighted {rule.attainment_weight:g}"
    on_a = Rows(from_att)
    att = (
        "KS2 reading, writing and maths at the expected standard "
        + on_a(size)
        + " ("
        + num(on_a(parts.rwm))
        + "% in "
        + academic_year(on_a(parts.ks2_year))
        + " against "
        + num(on_a(parts.national))
        + "% nationally, a cohort of "
        + num(on_a(parts.cohort), 0)
        + "; no progress figure"
        + weighted
        + ")"
    )
    return choose(
        [from_ks2, from_ks4, from_att],
        [_placed(ks2, idx), _placed(ks4, idx), _placed(att, idx)],
        "no published progress or attainment to weigh (counted as national, 0)",
    )


def _placed(narrowed: pd.Series, idx: pd.Index) -> pd.Series:
    return narrowed.reindex(idx).fillna("").astype(object)
