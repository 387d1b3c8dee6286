"""Property tests (hypothesis) over many random schools per example, each run through the engine at once.

(a) worsening any single input an indicator rates never lowers a school's category;
(b) any combination of missing inputs never raises, and every unrated applicable indicator says what is missing;
(c) results do not depend on row order; (d) no school is ever dropped or added.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schools.risk import RiskInputs, risk_compute
from schools.risk.engine.indicators import CODES
from tests.schools.risk.builders import TODAY, averages

# RISK_HYPOTHESIS_EXAMPLES=500 for a deeper run; each example already holds up to 8 schools.
SETTINGS = settings(
    max_examples=int(os.environ.get("RISK_HYPOTHESIS_EXAMPLES", "15")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# code, low, high, higher_is_better (None: context such as cohort sizes, never "worsened")
MEASURES: tuple[tuple[str, float, float, bool | None], ...] = (
    ("ks2_cohort", 5, 60, None),
    ("ks2_rwm_exp", 20, 95, True),
    ("ks2_rwm_exp_disadv", 10, 90, True),
    ("ks2_disadv_pct", 5, 60, None),
    ("ks2_read_prog", -8, 5, True),
    ("ks2_read_prog_upper", -5, 8, True),
    ("ks2_mat_prog", -8, 5, True),
    ("ks4_cohort", 4, 250, None),
    ("ks4_att8", 25, 65, True),
    ("ks4_att8_disadv", 20, 60, True),
    ("ks4_disadv_pct", 5, 60, None),
    ("ks4_p8", -1.2, 1.0, True),
    ("ks4_p8_upper", -1.0, 1.2, True),
    ("abs_persistent", 5, 45, False),
    ("abs_overall", 3, 15, False),
    ("exc_suspension_rate", 0, 40, False),
    ("ey_phonics_pct", 50, 95, True),
    ("ey_gld_pct", 40, 90, True),
    ("census_roll", 50, 600, None),
)
RC_GRADES = ("exceptional", "strong", "expected", "needs_attention", "urgent")
RC_AREAS = (
    "rc_inclusion",
    "rc_curriculum_teaching",
    "rc_achievement",
    "rc_attendance_behaviour",
    "rc_personal_development",
    "rc_leadership_governance",
)
LEGACY = ("overall", "quality_of_education", "leadership_management")
KINDS = (
    "head",
    "governance",
    "finance",
    "roll",
    "staffing",
    "complaints",
    "send",
    "self_evaluation",
    "peer_review",
    "safeguarding",
    "warning_notice",
    "ieb",
    "network_attendance",
)
RATINGS = ("green", "amber", "red")
PHASES = ("Primary", "Secondary", "All-through", "Not applicable", "Nursery")

# A cell is absent (no row), missing (a row with a marker) or a value.
cell = st.one_of(
    st.just(("absent", None)),
    st.sampled_from(["SUPP", "NE", "NP", "x", "LOWCOV"]).map(lambda m: ("missing", m)),
    st.integers(0, 1000).map(lambda i: ("value", i / 1000)),
)


@st.composite
def inspection_rows(draw: st.DrawFn) -> dict[str, Any]:
    framework = draw(st.sampled_from(["oeif", "report_card", "ungraded"]))
    row: dict[str, Any] = {
        "framework": framework,
        "start_date": pd.Timestamp("2015-01-01") + pd.Timedelta(days=draw(st.integers(0, 4100))),
        "category_of_concern": draw(st.sampled_from(["", "", "", "Special measures", "Serious weaknesses"])),
    }
    if framework == "oeif":
        for field in LEGACY:
            row[field] = draw(st.one_of(st.none(), st.integers(1, 4)))
        row["safeguarding_effective"] = draw(st.sampled_from(["yes", "yes", "no", ""]))
    elif framework == "report_card":
        for area in RC_AREAS:
            row[area] = draw(st.one_of(st.none(), st.sampled_from(RC_GRADES)))
        row["rc_safeguarding_met"] = draw(st.sampled_from([True, True, True, False, None]))
    return row


@st.composite
def school_cases(draw: st.DrawFn) -> dict[str, Any]:
    """One school: register fields, three years of measures (absent, missing or a value), inspections, intelligence."""
    return {
        "phase": draw(st.sampled_from(PHASES)),
        "is_academy": draw(st.booleans()),
        "head_changes_3y": draw(st.one_of(st.none(), st.integers(0, 3))),
        "head_days": draw(st.one_of(st.none(), st.integers(0, 4000))),
        "measures": {code: draw(st.lists(cell, min_size=3, max_size=3)) for code, *_ in MEASURES},
        "inspections": draw(st.lists(inspection_rows(), max_size=3)),
        "intelligence": draw(
            st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(RATINGS), st.integers(-30, 1200)), max_size=4)
        ),
    }


def _value(code: str, fraction: float) -> float:
    low, high = next((lo, hi) for c, lo, hi, _ in MEASURES if c == code)
    return round(low + (high - low) * fraction, 1)


def build(cases: dict[int, dict[str, Any]], as_at: int, *, national: bool = True) -> RiskInputs:
    """Input frames from school cases keyed by school_id."""
    years = (as_at - 2, as_at - 1, as_at)
    school_rows, measure_rows, inspection_list, intel_rows = [], [], [], []
    for sid, case in cases.items():
        school_rows.append(
            {
                "school_id": sid,
                "urn": 100000 + sid,
                "name": f"School {sid}",
                "phase": case["phase"],
                "is_academy": case["is_academy"],
                "head_changes_3y": case["head_changes_3y"],
                "head_since": None
                if case["head_days"] is None
                else pd.Timestamp(TODAY) - pd.Timedelta(days=case["head_days"]),
            }
        )
        for code, cells in case["measures"].items():
            for year, (kind, payload) in zip(years, cells, strict=True):
                if kind == "missing":
                    measure_rows.append(
                        {"school_id": sid, "year": year, "code": code, "value": None, "missing": payload}
                    )
                elif kind == "value":
                    value = _value(code, payload)
                    measure_rows.append({"school_id": sid, "year": year, "code": code, "value": value, "missing": ""})
        for n, ins in enumerate(case["inspections"]):
            inspection_list.append({"school_id": sid, "inspection_number": f"{sid}-{n}", **ins})
        for kind, rating, days in case["intelligence"]:
            recorded = pd.Timestamp(TODAY) - pd.Timedelta(days=days)
            intel_rows.append(
                {"school_id": sid, "kind": kind, "rating": rating, "recorded_on": recorded, "summary": f"{kind} note"}
            )
    return RiskInputs(
        as_at=as_at,
        today=TODAY,
        schools=pd.DataFrame(
            school_rows, columns=["school_id", "urn", "name", "phase", "is_academy", "head_changes_3y", "head_since"]
        ).set_index("school_id"),
        measures=pd.DataFrame(measure_rows, columns=["school_id", "year", "code", "value", "missing"]),
        averages=averages(_national(years)) if national else pd.DataFrame(),
        inspections=pd.DataFrame(inspection_list),
        intelligence=pd.DataFrame(intel_rows),
    )


def _national(years: tuple[int, ...]) -> dict[str, dict[int, float]]:
    base = {
        "ks2_rwm_exp": 61.0,
        "ks2_rwm_exp_disadv": 46.0,
        "ks2_rwm_exp_nondisadv": 68.0,
        "ks4_att8": 46.0,
        "ks4_att8_disadv": 35.0,
        "ks4_att8_nondisadv": 50.0,
        "abs_persistent": 20.0,
        "abs_overall": 7.0,
        "exc_suspension_rate": 10.0,
        "ey_phonics_pct": 80.0,
        "ey_gld_pct": 68.0,
    }
    return {code: {y: value for y in years} for code, value in base.items()}


# ---------------------------------------------------------------------------------------------- (a) monotone


def _worsen(case: dict[str, Any], knob: tuple) -> dict[str, Any] | None:
    """A copy of ``case`` with one input made worse, or None when the knob has nothing to act on."""
    worse = {**case, "measures": dict(case["measures"]), "inspections": [dict(i) for i in case["inspections"]]}
    worse["intelligence"] = list(case["intelligence"])
    kind = knob[0]
    if kind == "measure":
        _, code, step = knob
        cells = list(worse["measures"][code])
        state, fraction = cells[-1]  # the latest year: the value the indicator rates
        better = next(b for c, _, _, b in MEASURES if c == code)
        if state != "value":
            return None
        cells[-1] = ("value", max(0.0, fraction - step) if better else min(1.0, fraction + step))
        worse["measures"][code] = cells
        return worse
    if kind == "inspection":
        _, n, field = knob
        if n >= len(worse["inspections"]):
            return None
        ins = worse["inspections"][n]
        return worse if _worsen_grade(ins, field) else None
    if kind == "intel":
        _, n = knob
        if n >= len(worse["intelligence"]) or worse["intelligence"][n][1] == "red":
            return None
        k, rating, days = worse["intelligence"][n]
        worse["intelligence"][n] = (k, RATINGS[RATINGS.index(rating) + 1], days)
        return worse
    if kind == "head_changes":
        worse["head_changes_3y"] = (case["head_changes_3y"] or 0) + 1
        return worse
    worse["head_days"] = 10  # a new head
    return worse


def _worsen_grade(ins: dict[str, Any], field: str) -> bool:
    value = ins.get(field)
    if field in LEGACY and value is not None and value < 4:
        ins[field] = value + 1
        return True
    if field in RC_AREAS and value is not None and value != "urgent":
        ins[field] = RC_GRADES[RC_GRADES.index(value) + 1]
        return True
    if field == "safeguarding" and ins["framework"] == "report_card" and ins.get("rc_safeguarding_met") is not False:
        ins["rc_safeguarding_met"] = False
        return True
    if field == "safeguarding" and ins["framework"] == "oeif" and ins.get("safeguarding_effective") != "no":
        ins["safeguarding_effective"] = "no"
        return True
    return False


knobs = st.one_of(
    st.tuples(
        st.just("measure"),
        st.sampled_from([c for c, _, _, better in MEASURES if better is not None]),
        st.floats(0.01, 1.0),
    ),
    st.tuples(st.just("inspection"), st.integers(0, 2), st.sampled_from([*LEGACY, *RC_AREAS, "safeguarding"])),
    st.tuples(st.just("intel"), st.integers(0, 3)),
    st.tuples(st.just("head_changes")),
    st.tuples(st.just("head_new")),
)


@SETTINGS
@given(
    cases=st.lists(st.tuples(school_cases(), knobs), min_size=1, max_size=8),
    as_at=st.sampled_from([2023, 2024, 2025]),
)
def test_worsening_one_input_never_lowers_the_category(cases: list, as_at: int) -> None:
    base: dict[int, dict[str, Any]] = {}
    pairs = []
    for n, (case, knob) in enumerate(cases, start=1):
        worse = _worsen(case, knob)
        if worse is None:
            continue
        base[n] = case
        base[1000 + n] = worse
        pairs.append((n, 1000 + n, knob))
    if not pairs:
        return
    result = risk_compute(build(base, as_at))
    cat = result.schools["proposed_category"]
    for before, after, knob in pairs:
        assert cat[after] >= cat[before], (
            f"{knob} lowered the category from {cat[before]} to {cat[after]}:\n"
            + "\n".join(result.schools.loc[before, "reasons"])
            + "\n--\n"
            + "\n".join(result.schools.loc[after, "reasons"])
        )


# ---------------------------------------------------------------------------------------------- (b) missing


@SETTINGS
@given(
    cases=st.lists(school_cases(), min_size=1, max_size=8),
    as_at=st.sampled_from([2023, 2024, 2025, 2026]),
    drop=st.sets(st.sampled_from(["measures", "averages", "inspections", "intelligence", "head", "phase"])),
)
def test_missing_inputs_never_raise_and_are_always_listed(cases: list, as_at: int, drop: set[str]) -> None:
    inputs = build(dict(enumerate(cases, start=1)), as_at, national="averages" not in drop)
    changes: dict[str, pd.DataFrame] = {}
    for frame in ("measures", "inspections", "intelligence"):
        if frame in drop:
            changes[frame] = pd.DataFrame()
    schools = inputs.schools
    if "head" in drop:
        schools = schools.drop(columns=["head_since", "head_changes_3y"])
    if "phase" in drop:
        schools = schools.drop(columns=["phase"])
    inputs = RiskInputs(
        as_at=inputs.as_at,
        today=inputs.today,
        schools=schools,
        measures=changes.get("measures", inputs.measures),
        averages=inputs.averages,
        inspections=changes.get("inspections", inputs.inspections),
        intelligence=changes.get("intelligence", inputs.intelligence),
    )
    result = risk_compute(inputs)
    long = result.indicators
    unrated = long[long["rating"].isna() & long["applicable"]]
    assert (unrated["missing"] != "").all(), unrated[unrated["missing"] == ""][["school_id", "code", "sentence"]]
    for sid, code, missing in unrated[["school_id", "code", "missing"]].itertuples(index=False):
        assert f"{code}: {missing}" in result.schools.loc[sid, "missing_inputs"]
    not_applicable = long[~long["applicable"]]
    assert not_applicable["rating"].isna().all()
    assert (not_applicable["missing"] == "").all()
    categorised = result.schools["proposed_category"]
    assert (categorised.between(1, 4) | (categorised == 0)).all()
    # "insufficient evidence" (category 0) exactly when no standards indicator is rated and nothing overrides
    no_standards = long[(long["dimension"] == "standards") & long["scored"]].groupby("school_id")["rating"].count() == 0
    expected = no_standards.reindex(result.schools.index) & (result.schools["override_floor"] == 0)
    expected &= ~result.schools["concern_escalated"]
    assert ((categorised == 0) == expected).all()
    assert result.schools["standards_band"].isin(list("ABCD")).all()


# ---------------------------------------------------------------------------------------------- (c) row order


@SETTINGS
@given(
    cases=st.lists(school_cases(), min_size=1, max_size=8),
    as_at=st.sampled_from([2023, 2025]),
    seed=st.integers(0, 2**32 - 1),
    duplicates=st.booleans(),
)
def test_results_do_not_depend_on_row_order(cases: list, as_at: int, seed: int, duplicates: bool) -> None:
    inputs = build(dict(enumerate(cases, start=1)), as_at)
    measures = inputs.measures
    if duplicates and len(measures):
        extra = measures.sample(frac=0.3, random_state=seed % 1000).assign(value=lambda d: d["value"] - 1.0)
        measures = pd.concat([measures, extra], ignore_index=True)
    ordered = RiskInputs(
        as_at=as_at,
        today=inputs.today,
        schools=inputs.schools,
        measures=measures,
        averages=inputs.averages,
        inspections=inputs.inspections,
        intelligence=inputs.intelligence,
    )
    rng = np.random.default_rng(seed)

    def shuffle(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.iloc[rng.permutation(len(frame))] if len(frame) else frame

    shuffled = RiskInputs(
        as_at=as_at,
        today=inputs.today,
        schools=shuffle(inputs.schools),
        measures=shuffle(measures),
        averages=shuffle(inputs.averages),
        inspections=shuffle(inputs.inspections),
        intelligence=shuffle(inputs.intelligence),
    )
    a, b = risk_compute(ordered), risk_compute(shuffled)
    pd.testing.assert_frame_equal(a.schools.sort_index(), b.schools.sort_index())
    key = ["school_id", "code"]
    pd.testing.assert_frame_equal(
        a.indicators.sort_values(key).reset_index(drop=True), b.indicators.sort_values(key).reset_index(drop=True)
    )


# ---------------------------------------------------------------------------------------------- (d) no school dropped


@SETTINGS
@given(
    cases=st.lists(school_cases(), min_size=0, max_size=8),
    strangers=st.lists(school_cases(), max_size=2),
    as_at=st.sampled_from([2023, 2025]),
)
def test_no_school_is_ever_dropped_or_added(cases: list, strangers: list, as_at: int) -> None:
    ids = list(range(1, len(cases) + 1))
    everyone = build({**dict(zip(ids, cases, strict=True)), **{900 + n: s for n, s in enumerate(strangers)}}, as_at)
    schools = everyone.schools.loc[ids] if ids else everyone.schools.iloc[:0]
    inputs = RiskInputs(
        as_at=as_at,
        today=everyone.today,
        schools=schools,
        measures=everyone.measures,  # rows of schools not in the register are ignored
        averages=everyone.averages,
        inspections=everyone.inspections,
        intelligence=everyone.intelligence,
    )
    result = risk_compute(inputs)
    assert list(result.schools.index) == ids
    assert len(result.indicators) == len(ids) * len(CODES)
    assert set(result.indicators["school_id"]) == set(ids)
    assert result.schools["reasons"].map(len).gt(0).all()  # at least the band and matrix sentence


def test_the_strategy_builds_inputs_the_engine_accepts() -> None:
    """A fixed example, so a broken generator fails loudly rather than silently testing nothing."""
    case = {
        "phase": "Primary",
        "is_academy": False,
        "head_changes_3y": 0,
        "head_days": 900,
        "measures": {code: [("value", 0.5)] * 3 for code, *_ in MEASURES},
        "inspections": [{"framework": "oeif", "start_date": pd.Timestamp("2022-01-01"), "overall": 2}],
        "intelligence": [("finance", "amber", 10)],
    }
    inputs = build({1: case}, 2025)
    assert len(inputs.measures) == 3 * len(MEASURES)
    result = risk_compute(inputs)
    assert result.schools.loc[1, "C4"] == "A"
    assert result.schools.loc[1, "S2"] == "G"  # 57.5% against 61%: 3.5 points below, within the 5-point margin
    assert "3.5 points below national (61%)" in result.schools.loc[1, "S2_sentence"]
