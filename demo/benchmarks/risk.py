"""An England-sized risk data set, generated straight into PostgreSQL, and the ``risk_run`` benchmark.

``risk_bench_partnership_create`` writes a bench partnership with about 24,000 open, state-funded schools (the
mix of England's: primary, infant and junior, secondary with and without a sixth form, special, alternative
provision, nursery, all-through, middle and 16-19; about half academies), three years of KS2 / KS4 measures
under the contract's codes (small cohorts suppressed, progress measures not published where the DfE did not
publish them), absence and census figures, England, phase and LA averages, the head-teacher change history,
predecessor links for some converter academies (their oldest year filed under the predecessor URN), Ofsted
inspections (graded and ungraded under the old framework, report cards since November 2025) and soft
intelligence. Everything is drawn from a fixed seed with numpy and COPied as CSV, so generation takes seconds.
The values are invented; nothing describes a real school or person.

``risk_run_benchmark`` times the full run (``risk_run_create`` + ``risk_run_execute``: load, compute, write the
assessments) against the baseline of loading the inputs alone (``risk_inputs_load``), best of ``repeats`` each.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from typing import cast

import numpy as np
import pandas as pd
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg import sql

from demo.benchmarks.gias import LOCAL_AUTHORITIES, PLACES, Timing, bench_rows_delete, timed
from partnership.models import Partnership
from schools.importers.columns import FIELD_HEAD_FIRST_NAME, FIELD_HEAD_LAST_NAME
from schools.importers.db import allocate_ids
from schools.models import AreaAverage, Inspection, PerformanceValue, School, SchoolChange, SchoolLink
from schools.risk.inputs import risk_inputs_load
from schools.risk.models import IntelligenceEntry, RiskRun
from schools.risk.services import risk_run_create, risk_run_execute

ENGLAND_SCHOOLS = 24_000
SEED = 20260126
AS_AT = 2026  # the categorisation is for 2025/26 ...
YEARS = (2023, 2024, 2025)  # ... from the last three published years of measures
BENCH_SLUG_PREFIX = "bench-risk-"
REPORT_CARDS_FROM = dt.date(2025, 11, 10)
NO_OVERALL_FROM = dt.date(2024, 9, 1)  # graded inspections without an overall grade
NULL = "\\N"

# phase, share, statutory low age, high age, share of academies, kind
PHASE_MIX: tuple[tuple[str, float, int, int, float, str], ...] = (
    ("Primary", 0.745, 4, 11, 0.42, "mainstream"),
    ("Secondary", 0.142, 11, 16, 0.81, "mainstream"),
    ("Not applicable", 0.045, 3, 19, 0.45, "special"),
    ("Not applicable", 0.014, 5, 16, 0.50, "ap"),
    ("Nursery", 0.016, 2, 5, 0.00, "nursery"),
    ("All-through", 0.012, 4, 18, 0.80, "mainstream"),
    ("Middle deemed primary", 0.004, 8, 12, 0.50, "mainstream"),
    ("Middle deemed secondary", 0.004, 9, 13, 0.50, "mainstream"),
    ("16 plus", 0.018, 16, 19, 1.00, "post16"),
)
# kind → (academy?) → [(type name, type group, share)]
TYPES: dict[str, dict[bool, tuple[tuple[str, str, float], ...]]] = {
    "mainstream": {
        True: (
            ("Academy converter", "Academies", 0.75),
            ("Academy sponsor led", "Academies", 0.20),
            ("Free schools", "Free Schools", 0.05),
        ),
        False: (
            ("Community school", "Local authority maintained schools", 0.60),
            ("Voluntary aided school", "Local authority maintained schools", 0.20),
            ("Voluntary controlled school", "Local authority maintained schools", 0.13),
            ("Foundation school", "Local authority maintained schools", 0.07),
        ),
    },
    "special": {
        True: (
            ("Academy special converter", "Academies", 0.55),
            ("Academy special sponsor led", "Academies", 0.15),
            ("Free schools special", "Free Schools", 0.30),
        ),
        False: (
            ("Community special school", "Special schools", 0.9),
            ("Foundation special school", "Special schools", 0.1),
        ),
    },
    "ap": {
        True: (
            ("Academy alternative provision converter", "Academies", 0.6),
            ("Free schools alternative provision", "Free Schools", 0.4),
        ),
        False: (("Pupil referral unit", "Local authority maintained schools", 1.0),),
    },
    "nursery": {True: (), False: (("Local authority nursery school", "Local authority maintained schools", 1.0),)},
    "post16": {
        True: (("Academy 16-19 converter", "Academies", 0.6), ("Free schools 16 to 19", "Free Schools", 0.4)),
        False: (),
    },
}
PUPILS = {  # kind or phase → (mean, sd, low, high)
    "Primary": (290, 130, 25, 900),
    "Secondary": (1050, 350, 180, 2400),
    "All-through": (1400, 400, 400, 2600),
    "Middle deemed primary": (450, 120, 150, 900),
    "Middle deemed secondary": (500, 120, 150, 900),
    "special": (130, 60, 20, 400),
    "ap": (45, 25, 6, 200),
    "nursery": (95, 30, 30, 200),
    "post16": (700, 300, 150, 2500),
}
DISTRICTS = ("North", "South", "East", "West", "Central")
INTELLIGENCE_KINDS = (
    ("head_new", 6),
    ("head_acting", 3),
    ("head_vacant", 1),
    ("governance", 6),
    ("finance_deficit", 5),
    ("finance_recovery_plan", 2),
    ("staffing", 6),
    ("complaints", 4),
    ("send", 3),
    ("safeguarding", 2),
    ("warning_notice", 1),
    ("ieb", 1),
    ("network_attendance", 4),
    ("self_evaluation", 4),
    ("peer_review", 3),
    ("roll", 3),
)
RC_GRADES = np.array(["exceptional", "strong", "expected", "needs_attention", "urgent"], dtype=object)
UNGRADED_OUTCOMES = (
    "The school continues to be good",
    "The school continues to be outstanding",
    "Evidence suggests the school would be judged higher",
    "Some aspects may not be as strong: next inspection graded",
)


# --------------------------------------------------------------------------------------------- COPY


def copy_csv(model: type[models.Model], frame: pd.DataFrame) -> None:
    """COPY ``frame`` into ``model``'s table as one CSV text; columns it lacks that may not be NULL get defaults.

    Missing values (NaN, None, pd.NA) become NULL; ``""`` stays an empty string. Integer columns must be integer
    (or nullable ``Int64``) so PostgreSQL is not sent ``3.0``.
    """
    if frame.empty:
        return
    frame = frame.copy()
    now = timezone.now().isoformat()
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in frame.columns or field.null:
            continue
        if isinstance(field, models.DateTimeField):
            frame[field.column] = now
        elif isinstance(field, models.BooleanField):
            frame[field.column] = bool(field.get_default())
        elif isinstance(field, models.JSONField):
            frame[field.column] = json.dumps(field.get_default())
        else:
            frame[field.column] = "" if field.get_default() is None else field.get_default()
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep=NULL)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, NULL {})").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, frame.columns)), sql.Literal(NULL)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.write(buffer.getvalue())


def _allocate_ids(model: type[models.Model], count: int) -> np.ndarray:
    return allocate_ids(table=model._meta.db_table, count=count)


# --------------------------------------------------------------------------------------------- generating


def risk_bench_partnership_create(*, schools: int = ENGLAND_SCHOOLS, seed: int = SEED):
    """A fresh bench partnership holding the generated data set (see the module docstring); returns it."""

    rng = np.random.default_rng(seed)
    with transaction.atomic():
        partnership = Partnership.objects.create(
            slug=f"{BENCH_SLUG_PREFIX}{time.time_ns()}",
            name="Risk benchmark (deleted after the run)",
            la_codes=[code for code, _, _ in LOCAL_AUTHORITIES],
        )
        register = _schools(partnership.pk, schools, rng)
        _head_changes(register, rng)
        predecessors = _links(partnership.pk, register, rng)
        values = _measures(register, rng)
        _store_measures(partnership.pk, register, predecessors, values)
        _averages(partnership.pk, register, values)
        _inspections(partnership.pk, register, predecessors, rng)
        _intelligence(partnership.pk, register, rng)
    with connection.cursor() as cursor:
        for table in BENCH_TABLES:
            cursor.execute(f"ANALYZE {table}")
    return partnership


def _choose(rng: np.random.Generator, weights, n: int) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def _schools(partnership_id: int, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """The register: one row per school with its latent quality ``q`` (not stored) for the measures to follow."""

    mix = _choose(rng, [p[1] for p in PHASE_MIX], n)
    phase = np.array([p[0] for p in PHASE_MIX], dtype=object)[mix]
    kind = np.array([p[5] for p in PHASE_MIX], dtype=object)[mix]
    low = np.array([p[2] for p in PHASE_MIX])[mix]
    high = np.array([p[3] for p in PHASE_MIX])[mix]
    draw = rng.random(n)
    primary = phase == "Primary"
    low, high = np.where(primary & (draw < 0.08), 4, low), np.where(primary & (draw < 0.08), 7, high)  # infant
    low = np.where(primary & (draw >= 0.08) & (draw < 0.13), 7, low)  # junior
    high = np.where((phase == "Secondary") & (draw < 0.6), 18, high)  # a sixth form
    academy = rng.random(n) < np.array([p[4] for p in PHASE_MIX])[mix]
    type_name = np.empty(n, dtype=object)
    type_group = np.empty(n, dtype=object)
    for k, by_academy in TYPES.items():
        for is_academy, options in by_academy.items():
            rows = np.flatnonzero((kind == k) & (academy == is_academy))
            if not len(rows):
                continue
            if not options:  # no such type (a maintained 16-19 school, an academy nursery): the other side's
                options = by_academy[not is_academy]
                academy[rows] = not is_academy
            pick = _choose(rng, [o[2] for o in options], len(rows))
            type_name[rows] = np.array([o[0] for o in options], dtype=object)[pick]
            type_group[rows] = np.array([o[1] for o in options], dtype=object)[pick]
    pupils = np.zeros(n, dtype=np.int64)
    for key, (mean, sd, lo, hi) in PUPILS.items():
        rows = ((phase == key) | (kind == key)) & (pupils == 0)
        pupils[rows] = np.clip(rng.normal(mean, sd, rows.sum()), lo, hi).astype(np.int64)
    infant_or_junior = primary & (high - low < 7)
    pupils = np.where(infant_or_junior, (pupils * 0.6).astype(np.int64) + 10, pupils)
    la = _choose(rng, [w for _, _, w in LOCAL_AUTHORITIES], n)
    la_code = np.array([c for c, _, _ in LOCAL_AUTHORITIES], dtype=object)[la]
    la_name = np.array([name for _, name, _ in LOCAL_AUTHORITIES], dtype=object)[la]
    place = np.array(PLACES, dtype=object)[rng.integers(0, len(PLACES), n)]
    suffix = np.select(
        [primary & (high == 7), primary & (low == 7), primary, kind == "special", kind == "ap", kind == "nursery"],
        ["Infant School", "Junior School", "Primary School", "Special School", "Learning Centre", "Nursery School"],
        "Academy",
    ).astype(object)
    suffix = np.where(~academy & np.isin(phase, ["Secondary", "All-through"]), "High School", suffix)
    frame = pd.DataFrame(
        {
            "id": _allocate_ids(School, n),
            "partnership_id": partnership_id,
            "urn": 100_000 + np.arange(n) * 5 + rng.integers(0, 5, n),
            "la_code": la_code,
            "la_name": la_name,
            "establishment_number": rng.integers(1000, 7999, n).astype(str),
            "name": place + " " + suffix,
            "type_name": type_name,
            "type_group": type_group,
            "phase": phase,
            "status": "Open",
            "statutory_low_age": low,
            "statutory_high_age": high,
            "gender": "Mixed",
            "number_of_pupils": pupils,
            "school_capacity": (pupils * rng.uniform(0.95, 1.3, n)).astype(np.int64),
            "percentage_fsm": np.round(np.clip(rng.gamma(2.5, 9.0, n), 0, 95), 1),
            "town": la_name,
            "district": la_name + " " + np.array(DISTRICTS, dtype=object)[rng.integers(0, len(DISTRICTS), n)],
            "ofsted_rating": "",
        }
    )
    copy_csv(School, frame)
    frame["kind"] = kind
    frame["academy"] = academy
    frame["q"] = rng.normal(0, 1, n)  # the school's underlying strength: measures and grades follow it
    frame["ks2"] = np.isin(phase, ["Primary", "Middle deemed primary", "Middle deemed secondary", "All-through"]) & (
        high >= 11
    )
    frame["ks4"] = np.isin(phase, ["Secondary", "All-through"])
    frame["group"] = np.where(frame["ks4"] | (phase == "Middle deemed secondary"), "secondary", "primary")
    return frame


def _head_changes(register: pd.DataFrame, rng: np.random.Generator) -> None:
    """A change of head (first and last name, same day) for about a third of schools in the last four years."""

    changed = register[rng.random(len(register)) < 0.35]
    twice = rng.random(len(changed)) < 0.15
    school_id = np.concatenate([changed["id"].to_numpy(), changed["id"].to_numpy()[twice]])
    days = rng.integers(0, 4 * 365, len(school_id))
    on = pd.Timestamp("2026-08-31") - pd.to_timedelta(days, unit="D")
    rows = pd.DataFrame({"school_id": school_id, "changed_on": on.strftime("%Y-%m-%d")})
    frame = pd.concat(
        [
            rows.assign(field=FIELD_HEAD_FIRST_NAME, old_value="Alex", new_value="Sam"),
            rows.assign(field=FIELD_HEAD_LAST_NAME, old_value="Smith", new_value="Jones"),
        ],
        ignore_index=True,
    )
    copy_csv(SchoolChange, frame)


def _links(partnership_id: int, register: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """GIAS links for about one converter academy in six: predecessor URN (not in the register) by school row."""

    converted = register["type_name"].str.contains("converter", regex=False) & (rng.random(len(register)) < 0.16)
    schools = register[converted]
    predecessor = pd.Series(900_000 + np.arange(len(schools)), index=schools.index)
    established = "2022-09-01"
    frame = pd.concat(
        [
            pd.DataFrame(
                {"urn": schools["urn"], "linked_urn": predecessor, "link_type": "Predecessor", "linked_name": "Old"}
            ),
            pd.DataFrame(
                {"urn": predecessor, "linked_urn": schools["urn"], "link_type": "Successor", "linked_name": "New"}
            ),
        ],
        ignore_index=True,
    ).assign(partnership_id=partnership_id, established_on=established)
    copy_csv(SchoolLink, frame)
    return predecessor


def _grid(register: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """One row per school in ``mask`` and year, with its register facts."""
    rows = register[mask]
    grid = rows.loc[rows.index.repeat(len(YEARS))].reset_index(names="row")
    grid["year"] = np.tile(YEARS, len(rows))
    grid["drift"] = 0.0
    return grid


def _measures(register: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Long measure rows: ``row`` (of the register), ``year``, ``code``, ``value`` (NaN when missing), ``missing``."""
    parts: list[pd.DataFrame] = []

    def add(grid: pd.DataFrame, code: str, value, missing=None, decimals: int = 1) -> None:
        value = np.round(np.asarray(value, dtype=float), decimals)
        reason = np.full(len(grid), "", dtype=object) if missing is None else np.asarray(missing, dtype=object)
        value = np.where(reason == "", value, np.nan)
        parts.append(
            pd.DataFrame({"row": grid["row"], "year": grid["year"], "code": code, "value": value}).assign(
                missing=reason
            )
        )

    def noisy(grid: pd.DataFrame, scale: float) -> np.ndarray:
        return grid["q"].to_numpy() + rng.normal(0, scale, len(grid))

    def suppressed(count: np.ndarray, grid: pd.DataFrame, at_most: int = 5, other: float = 0.01) -> np.ndarray:
        reason = np.where(count <= at_most, "SUPP", "")
        odd = rng.random(len(grid)) < other
        return np.where(odd & (reason == ""), rng.choice(["NP", "NE", "LOWCOV", "x"], len(grid)), reason)

    # KS2
    g = _grid(register, register["ks2"])
    cohort = np.maximum(1, (g["number_of_pupils"].to_numpy() / np.where(g["phase"] == "All-through", 14, 6.5)))
    cohort = np.round(cohort * rng.uniform(0.85, 1.15, len(g))).astype(int)
    new = (g["type_name"] == "Free schools") & (g["year"] == YEARS[0]) & (rng.random(len(g)) < 0.3)
    no_results = np.where(new, "NEW", "")
    add(g, "ks2_cohort", cohort, no_results, 0)
    ability = noisy(g, 0.35)
    small = suppressed(cohort, g)
    small = np.where(new, "NEW", small)
    add(g, "ks2_rwm_exp", np.clip(61 + 14 * ability, 0, 100), small, 0)
    add(g, "ks2_rwm_high", np.clip(8 + 6 * ability + rng.normal(0, 3, len(g)), 0, 100), small, 0)
    width = 3.9 * 3.0 / np.sqrt(np.maximum(cohort, 1))
    unpublished = np.where(g["year"] >= 2024, "NP", small)  # no KS1 baseline: progress not published since 2024
    for subject in ("read", "writ", "mat"):
        score = np.clip(1.6 * ability + rng.normal(0, 1.0, len(g)), -12, 12)
        add(g, f"ks2_{subject}_prog", score, unpublished, 2)
        add(g, f"ks2_{subject}_prog_lower", score - width, unpublished, 2)
        add(g, f"ks2_{subject}_prog_upper", score + width, unpublished, 2)
    disadv_pct = np.clip(g["percentage_fsm"].to_numpy() * 1.2 + rng.normal(0, 4, len(g)), 0, 100)
    add(g, "ks2_disadv_pct", disadv_pct, small, 0)
    disadv = np.round(cohort * disadv_pct / 100)
    add(g, "ks2_rwm_exp_disadv", np.clip(47 + 15 * ability + rng.normal(0, 8, len(g)), 0, 100), suppressed(disadv, g))
    add(g, "ks2_rwm_exp_nondisadv", np.clip(67 + 13 * ability, 0, 100), suppressed(cohort - disadv, g), 0)

    # KS4
    g = _grid(register, register["ks4"])
    cohort = np.round(g["number_of_pupils"].to_numpy() / np.where(g["statutory_high_age"] >= 18, 6.5, 5.0)).astype(int)
    cohort = np.maximum(5, cohort)
    ability = noisy(g, 0.3)
    small = suppressed(cohort, g)
    add(g, "ks4_cohort", cohort, None, 0)
    att8 = np.clip(46 + 8 * ability, 5, 85)
    add(g, "ks4_att8", att8, small)
    p8 = np.clip(0.45 * ability + rng.normal(0, 0.15, len(g)), -4, 3)
    p8_missing = np.where(g["year"] >= 2025, "NP", small)  # no KS2 baseline (2020): Progress 8 not published
    half = 1.96 * 1.25 / np.sqrt(cohort)
    add(g, "ks4_p8", p8, p8_missing, 2)
    add(g, "ks4_p8_lower", p8 - half, p8_missing, 2)
    add(g, "ks4_p8_upper", p8 + half, p8_missing, 2)
    add(g, "ks4_basics_94", np.clip(65 + 15 * ability, 0, 100), small, 0)
    add(g, "ks4_basics_95", np.clip(45 + 15 * ability, 0, 100), small, 0)
    add(g, "ks4_ebacc_aps", np.clip(4.1 + 0.8 * ability, 0, 9), small, 2)
    disadv_pct = np.clip(g["percentage_fsm"].to_numpy() * 1.2 + rng.normal(0, 4, len(g)), 0, 100)
    disadv = np.round(cohort * disadv_pct / 100)
    add(g, "ks4_disadv_pct", disadv_pct, small, 0)
    add(g, "ks4_att8_disadv", np.clip(att8 - 12 + rng.normal(0, 4, len(g)), 0, 90), suppressed(disadv, g))
    add(g, "ks4_att8_nondisadv", np.clip(att8 + 3 + rng.normal(0, 2, len(g)), 0, 90), suppressed(cohort - disadv, g))
    add(g, "ks4_p8_disadv", p8 - 0.55 + rng.normal(0, 0.2, len(g)), np.where(p8_missing != "", p8_missing, small), 2)

    # Absence (compulsory school age only) and the census (every school)
    g = _grid(register, ~register["kind"].isin(["nursery", "post16"]))
    special, ap, secondary = (g["kind"] == "special"), (g["kind"] == "ap"), (g["group"] == "secondary")
    overall = np.select([special, ap, secondary], [10.0, 30.0, 8.6], 5.6)
    persistent = np.select([special, ap, secondary], [30.0, 65.0, 24.0], 15.0)
    strength = noisy(g, 0.5)
    missing = np.where(rng.random(len(g)) < 0.01, "x", np.where(g["number_of_pupils"] < 10, "SUPP", ""))
    add(g, "abs_overall", np.clip(overall * (1 - 0.15 * strength), 0.5, 80), missing, 2)
    add(g, "abs_persistent", np.clip(persistent * (1 - 0.25 * strength), 0, 100), missing, 2)
    g = _grid(register, register["id"].notna())
    roll = np.round(g["number_of_pupils"].to_numpy() * (1 + 0.03 * (g["year"].to_numpy() - YEARS[-1]))).astype(int)
    add(g, "census_roll", roll, None, 0)
    add(g, "census_fsm_ever", np.clip(g["percentage_fsm"] * 1.25 + rng.normal(0, 2, len(g)), 0, 100))
    special = g["kind"].isin(["special"]).to_numpy()
    add(g, "census_sen_support", np.where(special, 2.0, np.clip(rng.normal(13.5, 4, len(g)), 0, 60)))
    add(g, "census_ehcp", np.where(special, 97 + rng.random(len(g)) * 3, np.clip(rng.gamma(2, 1.3, len(g)), 0, 30)))
    add(g, "census_eal", np.clip(rng.gamma(1.2, 18, len(g)), 0, 95))
    return pd.concat(parts, ignore_index=True)


def _store_measures(partnership_id: int, register: pd.DataFrame, predecessors: pd.Series, values: pd.DataFrame) -> None:
    """PerformanceValue rows; a converter's oldest year is filed under its predecessor's URN (no school)."""

    rows = values["row"].to_numpy()
    moved = values["row"].isin(predecessors.index).to_numpy() & (values["year"].to_numpy() == YEARS[0])
    urn = np.where(moved, predecessors.reindex(rows).to_numpy(), register["urn"].to_numpy()[rows]).astype(np.int64)
    value = values["value"].to_numpy()
    raw = np.where(np.isnan(value), values["missing"].to_numpy(), pd.Series(value).map("{:g}".format).to_numpy())
    frame = pd.DataFrame(
        {
            "partnership_id": partnership_id,
            "school_id": pd.Series(register["id"].to_numpy()[rows], dtype="Int64").mask(moved),
            "urn": urn,
            "year": values["year"].to_numpy(),
            "code": values["code"].to_numpy(),
            "value": value,
            "missing": values["missing"].to_numpy(),
            "raw": raw,
            "source_rank": 3,
        }
    )
    copy_csv(PerformanceValue, frame)


def _averages(partnership_id: int, register: pd.DataFrame, values: pd.DataFrame) -> None:
    """England, England-by-phase and LA averages of every measure: published for KS2/KS4, school means otherwise."""

    known = values[values["missing"] == ""]
    known = known.assign(
        la=register["la_code"].to_numpy()[known["row"]], group=register["group"].to_numpy()[known["row"]]
    )
    known = known[~known["code"].str.endswith("_cohort") & (known["code"] != "census_roll")]
    england = known.groupby(["year", "code"])["value"].agg(["mean", "size"]).reset_index().assign(area="england")
    by_phase = known.groupby(["year", "code", "group"])["value"].agg(["mean", "size"]).reset_index()
    by_phase = by_phase.assign(area="england/" + by_phase.pop("group"))
    by_la = known.groupby(["year", "code", "la"])["value"].agg(["mean", "size"]).reset_index()
    by_la = by_la.assign(area=by_la.pop("la"))
    frame = pd.concat([england, by_phase, by_la], ignore_index=True)
    published = frame["code"].str.startswith(("ks2_", "ks4_"))
    copy_csv(
        AreaAverage,
        pd.DataFrame(
            {
                "partnership_id": partnership_id,
                "year": frame["year"],
                "code": frame["code"],
                "area": frame["area"],
                "value": frame["mean"].round(2),
                "basis": np.where(published, "published", "school_mean"),
                "schools_counted": pd.Series(frame["size"], dtype="Int64").mask(published),
                "source_rank": 3,
            }
        ),
    )


def _inspections(partnership_id: int, register: pd.DataFrame, predecessors: pd.Series, rng) -> None:
    """One to three inspections a school: graded and ungraded (old framework), report cards since November 2025."""

    n = len(register)
    count = _choose(rng, [25, 45, 30], n) + 1
    row = np.repeat(np.arange(n), count)
    nth = np.concatenate([np.arange(c) for c in count])  # 0 = the latest
    latest = pd.Timestamp("2021-09-06") + pd.to_timedelta(rng.integers(0, 1775, n), unit="D")  # to mid-July 2026
    start = latest[row] - pd.to_timedelta(nth * rng.integers(3 * 365, 5 * 365, len(row)), unit="D")
    start = pd.DatetimeIndex(start)
    q = register["q"].to_numpy()[row] + rng.normal(0, 0.6, len(row))
    report_card = start.date >= REPORT_CARDS_FROM
    ungraded = ~report_card & (nth < count[row] - 1) & (rng.random(len(row)) < 0.45)
    framework = np.select([report_card, ungraded], ["report_card", "ungraded"], "oeif").astype(object)
    oeif = framework == "oeif"
    grade = np.digitize(-q, [-1.0, 1.2, 1.85]) + 1  # 1 outstanding … 4 inadequate (about 16/72/9/3 %)

    def legacy(shift) -> pd.Series:
        return pd.Series(np.clip(grade + shift, 1, 4), dtype="Int64").mask(~oeif)

    frame = pd.DataFrame(
        {
            "partnership_id": partnership_id,
            "school_id": register["id"].to_numpy()[row],
            "urn": register["urn"].to_numpy()[row],
            "inspection_number": (10_000_000 + np.arange(len(row))).astype(str),
            "framework": framework,
            "inspection_type": np.select(
                [report_card, ungraded], ["Report card inspection", "Section 8 inspection"], "Section 5 inspection"
            ),
            "start_date": start.strftime("%Y-%m-%d"),
            "publication_date": (start + pd.to_timedelta(rng.integers(14, 40, len(row)), unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "relates_to_current_urn": True,
            "overall": legacy(np.zeros(len(row), dtype=int)),
            "quality_of_education": legacy(rng.choice([-1, 0, 0, 0, 1], len(row))),
            "behaviour_attitudes": legacy(rng.choice([-1, 0, 0, 0, 1], len(row))),
            "personal_development": legacy(rng.choice([-1, 0, 0, 0], len(row))),
            "leadership_management": legacy(rng.choice([-1, 0, 0, 0, 1], len(row))),
            "safeguarding_effective": pd.Series((grade < 4) | (rng.random(len(row)) < 0.5), dtype="boolean").mask(
                ~oeif
            ),
            "category_of_concern": np.where(
                oeif & (grade == 4), np.where(rng.random(len(row)) < 0.6, "Special measures", "Serious weaknesses"), ""
            ),
            "ungraded_outcome": np.where(
                ungraded, np.array(UNGRADED_OUTCOMES, dtype=object)[_choose(rng, [70, 10, 8, 12], len(row))], ""
            ),
        }
    )
    no_overall = oeif & (start.date >= NO_OVERALL_FROM)  # graded inspections since September 2024: no overall grade
    frame.loc[no_overall, "overall"] = pd.NA
    rc_grade = np.clip(np.digitize(-q, [-1.9, -0.7, 0.9, 1.9]) + rng.choice([-1, 0, 0, 0, 1], len(row)), 0, 4)
    for area in (
        "rc_inclusion",
        "rc_curriculum_teaching",
        "rc_achievement",
        "rc_attendance_behaviour",
        "rc_personal_development",
        "rc_leadership_governance",
    ):
        shifted = np.clip(rc_grade + rng.choice([-1, 0, 0, 0, 0, 1], len(row)), 0, 4)
        frame[area] = np.where(report_card, RC_GRADES[shifted], "")
    early = register["statutory_low_age"].to_numpy()[row] <= 4
    sixth = register["statutory_high_age"].to_numpy()[row] >= 18
    frame["rc_early_years"] = np.where(report_card & early, RC_GRADES[rc_grade], "")
    frame["rc_post16"] = np.where(report_card & sixth, RC_GRADES[rc_grade], "")
    frame["rc_safeguarding_met"] = pd.Series(rng.random(len(row)) < 0.98, dtype="boolean").mask(~report_card)
    # A converter's inspections before conversion were of its predecessor URN, filed by Ofsted under the new one.
    before = register.index.to_numpy()[row]
    old = pd.Series(before).isin(predecessors.index).to_numpy() & (nth > 0)
    frame["urn_at_inspection"] = pd.Series(predecessors.reindex(before).to_numpy(), dtype="Int64").mask(~old)
    frame.loc[old, "relates_to_current_urn"] = False
    copy_csv(Inspection, frame)


def _intelligence(partnership_id: int, register: pd.DataFrame, rng: np.random.Generator) -> None:
    """Soft intelligence about roughly one school in fifteen, one to four entries each, a tenth archived."""

    about = register[rng.random(len(register)) < 0.065]
    count = _choose(rng, [50, 30, 15, 5], len(about)) + 1
    school_id = np.repeat(about["id"].to_numpy(), count)
    m = len(school_id)
    kinds = np.array([k for k, _ in INTELLIGENCE_KINDS], dtype=object)[
        _choose(rng, [w for _, w in INTELLIGENCE_KINDS], m)
    ]
    recorded = pd.Timestamp("2024-09-02") + pd.to_timedelta(rng.integers(0, 720, m), unit="D")
    archived = rng.random(m) < 0.1
    now = timezone.now().isoformat()
    copy_csv(
        IntelligenceEntry,
        pd.DataFrame(
            {
                "partnership_id": partnership_id,
                "school_id": school_id,
                "kind": kinds,
                "rating": np.array(["green", "amber", "red"], dtype=object)[_choose(rng, [30, 50, 20], m)],
                "recorded_on": recorded.strftime("%Y-%m-%d"),
                "summary": "Generated for the benchmark: " + kinds,
                "evidence": "Invented evidence (benchmark data)",
                "confidential": rng.random(m) < 0.2,
                "archived_at": np.where(archived, np.array(now, dtype=object), np.array(None, dtype=object)),
            }
        ),
    )


# --------------------------------------------------------------------------------------------- timing and cleanup


def risk_run_benchmark(*, schools: int = ENGLAND_SCHOOLS, repeats: int = 3) -> list[Timing]:
    """Time a full risk run (create + execute) against loading its inputs alone, best of ``repeats`` each.

    The data set is generated once into a fresh bench partnership, which is deleted afterwards (also on failure).
    """

    bench_partnerships_delete()
    try:
        partnership = risk_bench_partnership_create(schools=schools)
        loads, runs = [], []
        for _ in range(repeats):
            seconds, inputs = timed(lambda: risk_inputs_load(partnership=partnership, as_at=AS_AT))
            loads.append(seconds)
            del inputs

        for _ in range(repeats):

            def run() -> RiskRun:
                queued = risk_run_create(
                    partnership=partnership, trigger=RiskRun.Trigger.COMMAND, as_at=AS_AT, enqueue=False
                )
                return risk_run_execute(run=queued)

            seconds, result = timed(run)
            finished = cast(RiskRun, result)
            if finished.state != RiskRun.State.SUCCEEDED or finished.counts.get("schools") != schools:
                raise RuntimeError(f"benchmark risk run did not do what it should: {finished.state} {finished.counts}")
            runs.append(seconds)
    finally:
        bench_partnerships_delete()
    return [Timing("risk_run", min(runs), min(loads))]


BENCH_TABLES = (
    "risk_riskassessment",
    "risk_risktext",
    "risk_riskrun",
    "risk_rulesetversion",
    "risk_intelligenceentry",
    "schools_inspection",
    "schools_areaaverage",
    "schools_performancevalue",
    "schools_schoollink",
    "schools_schoolchange",
    "schools_school",
)


RISK_DELETES = (
    "DELETE FROM risk_riskassessment WHERE run_id IN (SELECT id FROM risk_riskrun WHERE partnership_id = ANY(%s))",
    "DELETE FROM risk_risktext WHERE run_id IN (SELECT id FROM risk_riskrun WHERE partnership_id = ANY(%s))",
    "DELETE FROM risk_riskrun WHERE partnership_id = ANY(%s)",
    "DELETE FROM risk_rulesetversion WHERE partnership_id = ANY(%s)",
    "DELETE FROM risk_intelligenceentry WHERE partnership_id = ANY(%s)",
    "DELETE FROM schools_inspection WHERE partnership_id = ANY(%s)",
    "DELETE FROM schools_areaaverage WHERE partnership_id = ANY(%s)",
    "DELETE FROM schools_performancevalue WHERE partnership_id = ANY(%s)",
    "DELETE FROM schools_schoollink WHERE partnership_id = ANY(%s)",
    "DELETE FROM schools_schoolchange WHERE school_id IN "
    "(SELECT id FROM schools_school WHERE partnership_id = ANY(%s))",
    "DELETE FROM schools_school WHERE partnership_id = ANY(%s)",
)


def bench_partnerships_delete() -> None:
    """Remove risk bench partnerships and every row generated or computed for them (plain SQL: no ORM cascade)."""
    bench_rows_delete(prefix=BENCH_SLUG_PREFIX, statements=RISK_DELETES, vacuum=())
