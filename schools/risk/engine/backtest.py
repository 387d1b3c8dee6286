"""The backtest's arithmetic: what happened next, simple baselines, ROC AUC and shares (pure pandas, no I/O).

A backtest categorises every school *as at* an academic year ``Y`` (its ending year: 2018 is 2017/18) from the
data known on 31 August of ``Y``, then asks how well the proposed category and the score picked out the schools
that went on to:

* **decline** (the headline outcome): the school's headline result against the national figure fell by at least
  a fixed step from ``Y`` to ``Y + 1`` (``StageMeasure.decline``) in a key stage it has results for in both
  years, with a cohort big enough in both;
* **be judged below good**: its first graded inspection in the three academic years after ``Y`` had a legacy
  overall grade of 3 or 4 (only where the data has such an inspection; report cards have no overall grade and
  are never converted);
* **have KS2 progress banded below or well below average** (#14 item 7): in ``Y + 1`` its reading or its maths
  progress had a 95% confidence interval wholly below zero, which is how the DfE bands a school "below" or
  "well below average" (bands 4 and 5 of ``READPROG_DESCR``/``MATPROG_DESCR``). The band columns are not
  imported; on Surrey's 2017/18 and 2018/19 files the interval agrees with the band for every banded school
  (221 and 223, each subject), and the interval also covers the one school the DfE left unbanded (cohort 6).

Baselines for it (the best single indicators): last year's lowest progress score (reading or maths), its
two-year mean, and last year's reading, writing and maths attainment.

Every predictor is "higher means more at risk". Nothing here knows about the database.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field

import pandas as pd

ROUND = 3
Z95 = 1.959964  # two-sided 95% normal quantile
FEW = 10  # fewer positives or negatives than this: the AUC is flagged as very uncertain


@dataclass(frozen=True)
class StageMeasure:
    """The headline result of one key stage, and the fall against national that counts as a decline."""

    stage: str
    label: str
    code: str
    cohort_code: str
    min_cohort: int
    decline: float
    unit: str


@dataclass(frozen=True)
class BacktestDefinition:
    """What the backtest measures; fixed here (not in the rule set) so the yardstick does not move with the rules.

    Decline steps: about one standard deviation of Surrey schools' year-to-year change against national in
    2017-2019 (KS2 11 points, KS4 5 to 7), i.e. three pupils in a class of 30 at KS2 and half a grade in each of
    the ten Attainment 8 slots at KS4. Cohort minimums are DOMAIN's small-cohort rule (KS2 11, KS4 6).
    """

    stages: tuple[StageMeasure, ...] = (
        StageMeasure(
            "ks2",
            "KS2 reading, writing and maths at the expected standard",
            "ks2_rwm_exp",
            "ks2_cohort",
            11,
            10.0,
            "percentage points",
        ),
        StageMeasure("ks4", "KS4 Attainment 8", "ks4_att8", "ks4_cohort", 6, 5.0, "points"),
    )
    national_area: str = "england"
    inspection_years: int = 3
    concern_categories: tuple[int, ...] = (3, 4)
    below_good_grades: tuple[int, ...] = (3, 4)


DEFINITION = BacktestDefinition()

# Legacy overall grades as GIAS names them (same four-point scale; "Satisfactory" was grade 3 before 2012).
REGISTER_GRADES = {
    "outstanding": 1,
    "good": 2,
    "satisfactory": 3,
    "requires improvement": 3,
    "serious weaknesses": 4,
    "special measures": 4,
    "inadequate": 4,
}


def year_label(year: int) -> str:
    """An academic year by its ending year, as people write it: 2018 → "2017/18"."""
    return f"{year - 1}/{str(year)[-2:]}"


# --------------------------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Auc:
    """ROC AUC of a predictor for an outcome; ``value`` is None (with ``reason``) when it cannot be computed."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    positives: int
    negatives: int
    reason: str = ""


def auc_compute(predictor: pd.Series, outcome: pd.Series, *, event: str = "had the outcome") -> Auc:
    """ROC AUC of ``predictor`` (higher = more at risk) for the boolean ``outcome``, by the rank formula.

    AUC = (sum of the positives' ranks - n1(n1+1)/2) / (n1 n0), ranks averaged over ties (a tie counts half).
    Rows where either side is missing are left out. With no row, or only one class, there is no AUC: ``value``
    is None and ``reason`` says why (``event`` words it: "declined"). The 95% interval is Hanley and McNeil's
    normal approximation, clipped to [0, 1].
    """
    frame = pd.DataFrame({"p": pd.to_numeric(predictor, errors="coerce"), "y": outcome.astype("boolean")}).dropna()
    y = frame["y"].to_numpy(dtype=bool)
    n, positives = len(frame), int(y.sum())
    negatives = n - positives
    reason = ""
    if n == 0:
        reason = "no school has both this value and a known outcome"
    elif positives == 0:
        reason = f"none of the {n} schools {event}, so there is nothing to rank"
    elif negatives == 0:
        reason = f"all {n} schools {event}, so there is nothing to rank"
    if reason:
        return Auc(None, None, None, n, positives, negatives, reason)
    ranks = frame["p"].rank(method="average").to_numpy(dtype="float64")
    value = float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))
    se = _hanley_mcneil_se(value, positives, negatives)
    return Auc(
        round(value, ROUND),
        round(max(0.0, value - Z95 * se), ROUND),
        round(min(1.0, value + Z95 * se), ROUND),
        n,
        positives,
        negatives,
    )


def _hanley_mcneil_se(auc: float, positives: int, negatives: int) -> float:
    """Standard error of an AUC (Hanley and McNeil, 1982)."""
    q1 = auc / (2 - auc)
    q2 = 2 * auc * auc / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (
        positives * negatives
    )
    return math.sqrt(max(variance, 0.0))


def concern_capture(category: pd.Series, outcome: pd.Series, *, concern: tuple[int, ...] = (3, 4)) -> dict:
    """How many of the schools with the outcome were in the concern categories, against how many schools were.

    Only schools with both a category and a known outcome count. Shares are None when their denominator is 0.
    """
    frame = pd.DataFrame({"c": pd.to_numeric(category, errors="coerce"), "y": outcome.astype("boolean")}).dropna()
    y = frame["y"].to_numpy(dtype=bool)
    flagged = frame["c"].isin(concern).to_numpy()
    n, positives, n_flagged = len(frame), int(y.sum()), int(flagged.sum())
    caught = int((y & flagged).sum())
    return {
        "schools": n,
        "positives": positives,
        "flagged": n_flagged,
        "positives_flagged": caught,
        "share_of_positives_flagged": _ratio(caught, positives),
        "share_flagged": _ratio(n_flagged, n),
        "rate_flagged": _ratio(caught, n_flagged),
        "rate_not_flagged": _ratio(positives - caught, n - n_flagged),
    }


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, ROUND) if denominator else None


# --------------------------------------------------------------------------------------------- attainment


def stage_gaps(measures: pd.DataFrame, averages: pd.DataFrame, *, definition: BacktestDefinition) -> pd.DataFrame:
    """Per school, year and key stage: the headline result, the national figure and the gap (result - national).

    Left out: rows with no value (suppressed or missing), no national figure for the year, or a cohort unknown
    or smaller than the stage's minimum. Columns ``school_id, year, stage, value, national, gap``.
    """
    columns = ["school_id", "year", "stage", "value", "national", "gap"]
    if measures.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    values = measures.assign(value=pd.to_numeric(measures["value"], errors="coerce"))
    national = averages[averages["area"] == definition.national_area]
    parts = []
    for stage in definition.stages:
        result = values.loc[values["code"] == stage.code, ["school_id", "year", "value"]].dropna()
        cohort = values.loc[values["code"] == stage.cohort_code, ["school_id", "year", "value"]]
        result = result.merge(cohort.rename(columns={"value": "cohort"}), on=["school_id", "year"], how="left")
        result = result[result["cohort"] >= stage.min_cohort]
        nat = national.loc[national["code"] == stage.code, ["year", "value"]].rename(columns={"value": "national"})
        result = result.merge(nat.astype({"national": "float64"}), on="year", how="inner")
        parts.append(result.assign(stage=stage.stage, gap=result["value"] - result["national"]))
    frame = pd.concat(parts, ignore_index=True)[columns]
    return frame.astype({"school_id": "int64", "year": "int64"})


def decline_outcomes(gaps: pd.DataFrame, *, as_at: int, definition: BacktestDefinition) -> pd.DataFrame:
    """Per school: the change in its gap to national from ``as_at`` to the next year in each stage, and ``declined``.

    ``declined`` is True when any stage fell by at least its step, False when at least one stage was measured
    in both years and none fell that far, and missing (NA) when no stage was measured in both years.
    """
    stages = [s.stage for s in definition.stages]
    before = _by_stage(gaps, as_at, stages)
    after = _by_stage(gaps, as_at + 1, stages)
    index = before.index.union(after.index)
    change = (after.reindex(index) - before.reindex(index)).round(6)  # 6 dp: 46.5 - 46.7 must not fall short
    steps = pd.Series({s.stage: s.decline for s in definition.stages})
    measured = change.notna()
    fell = change.le(-steps) & measured
    declined = pd.Series(fell.any(axis=1), index=index, dtype="boolean").where(measured.any(axis=1), pd.NA)
    out = change.add_prefix("change_")
    out["declined"] = declined
    out.index.name = "school_id"
    return out


def _by_stage(gaps: pd.DataFrame, year: int, stages: list[str]) -> pd.DataFrame:
    rows = gaps[gaps["year"] == year]
    table = rows.pivot_table(index="school_id", columns="stage", values="gap", aggfunc="first")
    return table.reindex(columns=stages).astype("float64")


def attainment_baseline(gaps: pd.DataFrame, *, as_at: int) -> pd.Series:
    """Last year's attainment alone: per school, how low its ``as_at`` gap ranks among the partnership's schools.

    The percentile rank (1 = lowest gap) within each key stage, so KS2 percentage points and KS4 points compare;
    a school with both stages takes the higher (worse) one. Missing when the school has no result that year.
    """
    rows = gaps[gaps["year"] == as_at]
    if rows.empty:
        return pd.Series(dtype="float64")
    risk = rows.groupby("stage")["gap"].rank(pct=True, ascending=False, method="average")
    return risk.groupby(rows["school_id"].to_numpy()).max().rename_axis("school_id")


# --------------------------------------------------------------------------------------------- inspections


def graded_inspections(inspections: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """Legacy overall grades (1-4) with their dates: Ofsted MI graded (OEIF) inspections and the register's grade.

    ``inspections``: the loader's frame (``school_id, framework, start_date, overall``). ``register``: the
    register's latest GIAS grade per school (``school_id, ofsted_rating, ofsted_last_inspection``). Report-card
    inspections carry no overall grade and are not converted, so they are left out. One row per school and date
    (the Ofsted MI row first). Columns ``school_id, date, grade, source``.
    """
    columns = ["school_id", "date", "grade", "source"]
    parts = []
    if not inspections.empty:
        ins = inspections.assign(grade=pd.to_numeric(inspections["overall"], errors="coerce"))
        ins = ins[(ins["framework"].astype(str).str.lower() == "oeif") & ins["grade"].isin([1, 2, 3, 4])]
        parts.append(pd.DataFrame({"school_id": ins["school_id"], "date": ins["start_date"], "grade": ins["grade"]}))
        parts[-1]["source"] = "ofsted"
    if not register.empty:
        grade = register["ofsted_rating"].fillna("").astype(str).str.strip().str.lower().map(REGISTER_GRADES)
        reg = pd.DataFrame(
            {"school_id": register["school_id"], "date": register["ofsted_last_inspection"], "grade": grade}
        )
        parts.append(reg.assign(source="register"))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    frame = pd.concat(parts, ignore_index=True)
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
    frame = frame.dropna(subset=["date", "grade"]).drop_duplicates(["school_id", "date"], keep="first")
    return frame.astype({"school_id": "int64", "grade": "int64"})[columns].reset_index(drop=True)


def latest_grade(graded: pd.DataFrame, *, on: dt.date) -> pd.Series:
    """Last inspection grade alone: each school's latest grade from an inspection on or before ``on``."""
    rows = graded[graded["date"] <= pd.Timestamp(on)].sort_values(["school_id", "date"])
    return rows.groupby("school_id")["grade"].last().astype("float64")


def inspection_outcomes(
    graded: pd.DataFrame, *, after: dt.date, until: dt.date, below_good: tuple[int, ...] = (3, 4)
) -> pd.DataFrame:
    """Per school with a graded inspection after ``after`` and on or before ``until``: the first one's grade and
    ``below_good`` (its grade is one of ``below_good``). Schools with no such inspection are not in the frame."""
    window = graded[(graded["date"] > pd.Timestamp(after)) & (graded["date"] <= pd.Timestamp(until))]
    first = window.sort_values(["school_id", "date"]).groupby("school_id").first()
    return pd.DataFrame(
        {
            "later_grade": first["grade"].astype("float64"),
            "later_date": first["date"],
            "below_good": first["grade"].isin(below_good).astype("boolean"),
        },
        index=first.index.rename("school_id"),
    )


# --------------------------------------------------------------------------------------------- one year


@dataclass(frozen=True)
class YearFrames:
    """Everything ``backtest_year`` reads for one as-at year (built by the service from the loader's frames)."""

    as_at: int
    categorised: pd.DataFrame  # the engine's schools frame: proposed_category, score
    indicators: pd.DataFrame  # the engine's long indicators frame (code, label, rating, applicable, ...)
    gaps_before: pd.DataFrame  # stage_gaps of the data known at the as-at date
    gaps_after: pd.DataFrame  # stage_gaps of everything known now, for the as-at year and the next
    graded_before: pd.DataFrame  # graded_inspections known at the as-at date
    graded_after: pd.DataFrame  # graded_inspections known now
    hidden: dict[str, int] = field(default_factory=dict)  # rows left out because they were not known then
    progress_before: pd.DataFrame = field(default_factory=pd.DataFrame)  # progress_frame of the data known then
    progress_after: pd.DataFrame = field(default_factory=pd.DataFrame)  # progress_frame of everything known now
    score_label: str = "Risk score (indicator points)"


PREDICTORS = (
    ("score", "Risk score (indicator points)"),
    ("category", "Proposed category"),
    ("attainment", "Last year's attainment alone"),
    ("inspection", "Last inspection grade alone"),
    ("lowest_progress", "Last year's lowest KS2 progress score (reading or maths) alone"),
    ("progress_two_years", "Its two-year mean alone"),
    ("rwm", "Last year's KS2 reading, writing and maths (% expected standard) alone"),
)
BASELINES = ("attainment", "inspection", "lowest_progress", "progress_two_years", "rwm")
PROGRESS_CODES = (
    "ks2_read_prog",
    "ks2_read_prog_upper",
    "ks2_mat_prog",
    "ks2_mat_prog_upper",
    "ks2_rwm_exp",
)


# --------------------------------------------------------------------------------------------- KS2 progress


def progress_frame(measures: pd.DataFrame) -> pd.DataFrame:
    """The KS2 progress and attainment values the progress outcome and its baselines read, one row per school and
    year (columns ``PROGRESS_CODES``; NaN where suppressed or missing)."""
    if measures.empty:
        return pd.DataFrame(
            columns=list(PROGRESS_CODES), index=pd.MultiIndex.from_arrays([[], []], names=["school_id", "year"])
        )
    rows = measures[measures["code"].isin(PROGRESS_CODES)]
    rows = rows.assign(value=pd.to_numeric(rows["value"], errors="coerce")).dropna(subset=["value"])
    table = rows.pivot_table(index=["school_id", "year"], columns="code", values="value", aggfunc="first")
    return table.reindex(columns=list(PROGRESS_CODES)).astype("float64")


def _year_rows(progress: pd.DataFrame, year: int) -> pd.DataFrame:
    if progress.empty or "year" not in (progress.index.names or []):
        empty = pd.Index([], name="school_id", dtype="int64")
        return pd.DataFrame(index=empty, columns=list(PROGRESS_CODES), dtype="float64")
    rows = progress[progress.index.get_level_values("year") == year]
    return rows.droplevel("year").reindex(columns=list(PROGRESS_CODES))


def progress_band_outcomes(progress_after: pd.DataFrame, *, as_at: int) -> pd.Series:
    """Per school with KS2 progress in ``as_at + 1``: True when its reading or maths progress interval lay wholly
    below zero (the DfE's "below" or "well below average"), False when neither did."""
    rows = _year_rows(progress_after, as_at + 1)
    upper = rows[["ks2_read_prog_upper", "ks2_mat_prog_upper"]]
    known = upper.notna().any(axis=1)
    return (upper < 0).any(axis=1).where(known).dropna().astype("boolean").rename_axis("school_id")


def progress_baselines(progress_before: pd.DataFrame, *, as_at: int) -> dict[str, pd.Series]:
    """The single-indicator baselines (higher = more at risk): last year's lowest of reading and maths progress,
    the mean of that over the as-at year and the one before (one year where only one is on file), and last year's
    reading, writing and maths attainment."""
    now = _year_rows(progress_before, as_at)
    before = _year_rows(progress_before, as_at - 1)
    lowest = now[["ks2_read_prog", "ks2_mat_prog"]].min(axis=1)
    lowest_before = before[["ks2_read_prog", "ks2_mat_prog"]].min(axis=1)
    two = pd.concat([lowest, lowest_before], axis=1).mean(axis=1)
    return {
        "lowest_progress": -lowest,
        "progress_two_years": -two,
        "rwm": -now["ks2_rwm_exp"],
    }


def backtest_year(frames: YearFrames, *, definition: BacktestDefinition = DEFINITION) -> dict:
    """The figures of one as-at year, JSON-ready: counts, both outcomes with every predictor's AUC, and notes."""
    as_at = frames.as_at
    index = frames.categorised.index
    as_at_date = dt.date(as_at, 8, 31)
    until = dt.date(as_at + definition.inspection_years, 8, 31)
    decline = decline_outcomes(frames.gaps_after, as_at=as_at, definition=definition).reindex(index)
    later = inspection_outcomes(
        frames.graded_after, after=as_at_date, until=until, below_good=definition.below_good_grades
    ).reindex(index)
    # "Insufficient evidence" (0) is no prediction: those schools are left out of the category's figures (#14).
    proposed = frames.categorised["proposed_category"].astype("float64")
    proposed = proposed.where(proposed != 0)
    predictors = {
        "score": frames.categorised["score"].astype("float64"),
        "category": proposed,
        "attainment": attainment_baseline(frames.gaps_before, as_at=as_at).reindex(index),
        "inspection": latest_grade(frames.graded_before, on=as_at_date).reindex(index),
    }
    predictors |= {k: v.reindex(index) for k, v in progress_baselines(frames.progress_before, as_at=as_at).items()}
    banded = progress_band_outcomes(frames.progress_after, as_at=as_at).reindex(index)
    labels = dict(PREDICTORS) | {"score": frames.score_label}
    outcomes = [
        _outcome_report(
            "decline",
            "Attainment decline",
            decline["declined"],
            "declined",
            predictors,
            proposed,
            definition,
        ),
        _outcome_report(
            "inspection",
            "Later inspection below good",
            later["below_good"],
            "were judged below good",
            predictors,
            proposed,
            definition,
        ),
        _outcome_report(
            "progress_band",
            "KS2 reading or maths progress banded below or well below average",
            banded,
            "had reading or maths progress banded below or well below average",
            predictors,
            proposed,
            definition,
        ),
    ]
    for outcome in outcomes:
        for row in outcome["predictors"]:
            row["label"] = labels[row["key"]]
    outcomes[0]["by_stage"] = _stage_counts(decline, definition)
    categories = frames.categorised["proposed_category"].value_counts().sort_index()
    report = {
        "as_at": as_at,
        "outcome_year": as_at + 1,
        "as_at_date": as_at_date.isoformat(),
        "inspections_until": until.isoformat(),
        "schools": len(index),
        "categories": {str(int(k)): int(v) for k, v in categories.items()},
        "hidden": {k: int(v) for k, v in frames.hidden.items()},
        "coverage": indicator_coverage(frames.indicators),
        "outcomes": outcomes,
    }
    report["notes"] = year_notes(report, predictors, definition)
    return report


def _outcome_report(
    key: str,
    label: str,
    outcome: pd.Series,
    event: str,
    predictors: dict[str, pd.Series],
    category: pd.Series,
    definition: BacktestDefinition,
) -> dict:
    """One outcome: how many schools it is known for, each predictor's AUC, and the concern-category share."""
    known = outcome.dropna()
    rows = []
    for name, predictor_label in PREDICTORS:
        auc = auc_compute(predictors[name], outcome, event=event)
        row = {"key": name, "label": predictor_label, **asdict(auc), "few": _few(auc)}
        if name in BASELINES:
            # The engine's score on exactly the schools the baseline could be computed for: a fair comparison.
            same = predictors[name].notna()
            row["score_same_schools"] = asdict(auc_compute(predictors["score"][same], outcome[same], event=event))
        rows.append(row)
    return {
        "key": key,
        "label": label,
        "event": event,
        "measured": len(known),
        "positives": int(known.astype(bool).sum()),
        "negatives": int((~known.astype(bool)).sum()),
        "predictors": rows,
        "capture": concern_capture(category, outcome, concern=definition.concern_categories),
    }


def _few(auc: Auc) -> bool:
    """True when an AUC was computed from fewer than ``FEW`` schools on either side (very uncertain)."""
    return auc.value is not None and min(auc.positives, auc.negatives) < FEW


def _stage_counts(decline: pd.DataFrame, definition: BacktestDefinition) -> dict:
    """Per key stage: schools measured in both years, and how many of them fell by at least the step."""
    counts = {}
    for stage in definition.stages:
        change = decline.get(f"change_{stage.stage}", pd.Series(dtype="float64")).dropna()
        counts[stage.stage] = {"measured": len(change), "declines": int((change <= -stage.decline).sum())}
    return counts


def indicator_coverage(indicators: pd.DataFrame) -> list[dict]:
    """Per indicator code: schools it applied to, schools it rated, and schools it applied to but could not rate."""
    if indicators.empty:
        return []
    frame = indicators.assign(
        applies=indicators["applicable"].astype(bool),
        rated=indicators["rating"].notna() & indicators["rating"].astype(str).isin(["G", "A", "R"]),
    )
    grouped = frame.groupby("code", sort=False).agg(
        label=("label", "first"), applicable=("applies", "sum"), rated=("rated", "sum")
    )
    grouped["missing"] = (grouped["applicable"] - grouped["rated"]).clip(lower=0)
    records = grouped.reset_index()[["code", "label", "applicable", "rated", "missing"]].to_dict("records")
    counts = ("applicable", "rated", "missing")
    return [{"code": str(r["code"]), "label": str(r["label"])} | {k: int(r[k]) for k in counts} for r in records]


def year_notes(report: dict, predictors: dict[str, pd.Series], definition: BacktestDefinition) -> list[str]:
    """Plain sentences on what limits this year's figures: small samples, missing inputs, values left out."""
    notes = []
    for outcome in report["outcomes"]:
        positives, negatives = outcome["positives"], outcome["negatives"]
        if outcome["measured"] == 0:
            notes.append(f"{outcome['label']}: no school has a known outcome, so nothing could be measured.")
        elif min(positives, negatives) < FEW:
            notes.append(
                f"{outcome['label']}: only {positives} of {outcome['measured']} schools {outcome['event']}; with "
                f"fewer than {FEW} on either side an AUC is very uncertain (read the interval, not the figure)."
            )
    if predictors["inspection"].notna().sum() == 0:
        notes.append(
            "No school has a graded inspection on record before the as-at date, so the last-inspection baseline "
            "cannot be computed."
        )
    notes += _ranking_notes(report)
    banded = next((o for o in report["outcomes"] if o["key"] == "progress_band"), None)
    if banded is not None and progress_note(banded):
        notes.append(progress_note(banded))
    rated_s1 = next((c for c in report["coverage"] if c["code"] == "S1"), None)
    if rated_s1 is not None and rated_s1["rated"] == 0:
        notes.append(
            "The engine had no inspection input for any school (no Ofsted management information before the as-at "
            "date); grades from the register's GIAS snapshot are used by the baseline only."
        )
    hidden = report["hidden"]
    if hidden.get("values") or hidden.get("averages"):
        notes.append(
            f"{hidden.get('values', 0):,} school values and {hidden.get('averages', 0):,} averages for "
            f"{year_label(report['as_at'])} or earlier were published only in later files "
            "(their previous-year columns), so the categorisation did not see them."
        )
    if hidden.get("intelligence") or hidden.get("inspections"):
        notes.append(
            f"{hidden.get('intelligence', 0):,} intelligence entries recorded after the as-at date (about earlier "
            f"events) and {hidden.get('inspections', 0):,} inspections published after it were left out."
        )
    return notes


def _ranking_notes(report: dict) -> list[str]:
    """Sentences for two findings a reader could misread: a ranking the wrong way round, a baseline with no overlap."""
    notes = []
    for outcome in report["outcomes"]:
        rows = {p["key"]: p for p in outcome["predictors"]}
        score, attainment = rows["score"], rows["attainment"]
        if score["value"] is not None and score["high"] < 0.5:
            also = (
                " So did last year's attainment alone: schools with low results tended to do better the next year "
                "and the falls came mostly from schools with higher results, as regression to the mean would produce."
                if attainment["value"] is not None and attainment["high"] < 0.5
                else ""
            )
            notes.append(
                f"{outcome['label']}: the score ranked the schools that {outcome['event']} below the others (its "
                f"whole interval is under 0.5), so it did not anticipate this outcome.{also}"
            )
        inspection = rows["inspection"]
        if outcome["key"] == "inspection" and inspection["n"] == 0 and outcome["measured"]:
            notes.append(
                "No school has both a graded inspection before the as-at date and one after it on file (the "
                "register keeps only each school's latest GIAS grade), so the last-inspection baseline cannot be "
                "compared on later inspections."
            )
    return notes


def definition_dict(definition: BacktestDefinition = DEFINITION) -> dict:
    """The definition as stored with a report and shown on its page (numbers and sentences)."""
    decline = [
        f"{s.label}: the school's figure minus the national figure fell by {s.decline:g} {s.unit} or more from the "
        f"as-at year to the next (cohorts of at least {s.min_cohort} pupils in both years)"
        for s in definition.stages
    ]
    return {
        "stages": [asdict(s) for s in definition.stages],
        "national_area": definition.national_area,
        "inspection_years": definition.inspection_years,
        "concern_categories": list(definition.concern_categories),
        "below_good_grades": list(definition.below_good_grades),
        "decline_sentences": decline,
    }


def summary(years: list[dict]) -> dict:
    """Headline figures across years for a list page: per year, the score's and category's decline AUCs."""
    out = {}
    for year in years:
        decline = next(o for o in year["outcomes"] if o["key"] == "decline")
        aucs = {p["key"]: p["value"] for p in decline["predictors"]}
        out[str(year["as_at"])] = {
            "schools": decline["measured"],
            "declines": decline["positives"],
            "score_auc": aucs.get("score"),
            "category_auc": aucs.get("category"),
            "share_in_concern": decline["capture"]["share_of_positives_flagged"],
        }
        banded = next((o for o in year["outcomes"] if o["key"] == "progress_band"), None)
        if banded is not None and banded["measured"]:
            out[str(year["as_at"])] |= _progress_summary(banded)
    return out


def best_baseline(outcome: dict) -> dict | None:
    """The KS2 baseline with the highest AUC on ``outcome`` (None when none could be computed)."""
    rows = [
        p
        for p in outcome["predictors"]
        if p["key"] in ("lowest_progress", "progress_two_years", "rwm") and p["value"] is not None
    ]
    return max(rows, key=lambda p: p["value"]) if rows else None


def _progress_summary(outcome: dict) -> dict:
    score = next(p for p in outcome["predictors"] if p["key"] == "score")
    best = best_baseline(outcome)
    return {
        "banded_schools": outcome["measured"],
        "banded": outcome["positives"],
        "banded_score_auc": score["value"],
        "banded_best_baseline": None if best is None else best["label"],
        "banded_best_baseline_auc": None if best is None else best["value"],
    }


def progress_note(outcome: dict) -> str:
    """One honest sentence: did the score rank the banded schools better than the best single indicator?"""
    score = next(p for p in outcome["predictors"] if p["key"] == "score")
    best = best_baseline(outcome)
    if score["value"] is None or best is None:
        return ""
    same = best["score_same_schools"]
    verdict = "better than" if same["value"] is not None and same["value"] > best["value"] else "no better than"
    overlap = (
        " The intervals overlap, so the difference is within chance."
        if same["value"] is not None and not (same["low"] > best["high"] or best["low"] > same["high"])
        else ""
    )
    return (
        f"{outcome['label']}: on the {best['n']:,} schools it could be computed for, the score's AUC is "
        f"{same['value']:.2f} against {best['value']:.2f} for the best single indicator "
        f"({best['label'][0].lower() + best['label'][1:]}), so the score ranked them {verdict} it.{overlap}"
    )
