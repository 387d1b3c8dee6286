"""Small literal input frames for the risk engine tests: a few rows built inline, national figures by year."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from schools.risk import RiskInputs

AS_AT = 2025
TODAY = dt.date(2026, 1, 15)
YEARS = (2023, 2024, 2025)

# National figures (area "england") used by every test unless a test passes its own.
NATIONAL: dict[str, dict[int, float]] = {
    "ks2_rwm_exp": {2019: 65.0, 2022: 59.0, 2023: 60.0, 2024: 61.0, 2025: 62.0},
    "ks2_rwm_exp_disadv": {2023: 44.0, 2024: 46.0, 2025: 47.0},
    "ks2_rwm_exp_nondisadv": {2023: 66.0, 2024: 67.0, 2025: 69.0},
    "ks4_att8": {2023: 46.0, 2024: 46.0, 2025: 46.0},
    "ks4_att8_disadv": {2023: 35.0, 2024: 35.0, 2025: 35.0},
    "ks4_att8_nondisadv": {2023: 50.0, 2024: 50.0, 2025: 50.0},
    "abs_persistent": {2023: 20.0, 2024: 20.0, 2025: 20.0},
    "abs_overall": {2023: 7.0, 2024: 7.0, 2025: 7.0},
    "exc_suspension_rate": {2023: 10.0, 2024: 10.0, 2025: 10.0},
    "ey_phonics_pct": {2023: 79.0, 2024: 80.0, 2025: 80.0},
    "ey_gld_pct": {2023: 67.0, 2024: 68.0, 2025: 68.0},
}


def school(school_id: int = 1, **fields: Any) -> dict[str, Any]:
    """One row of the schools frame (a primary maintained school with a settled head by default)."""
    row: dict[str, Any] = {
        "school_id": school_id,
        "urn": 100000 + school_id,
        "name": f"School {school_id}",
        "phase": "Primary",
        "is_academy": False,
        "type_group": "Local authority maintained schools",
        "district": "North",
        "number_of_pupils": 300,
        "head_changes_3y": 0,
        "head_since": pd.Timestamp("2018-09-01"),
    }
    row.update(fields)
    return row


def schools(*rows: dict[str, Any]) -> pd.DataFrame:
    """The schools frame indexed by school_id."""
    return pd.DataFrame(list(rows) or [school()]).set_index("school_id")


def series(school_id: int, code: str, values: dict[int, float | None], missing: str = "") -> list[dict[str, Any]]:
    """Measure rows for one school and code: {year: value}; a None value carries the ``missing`` marker."""
    return [
        {"school_id": school_id, "year": y, "code": code, "value": v, "missing": "" if v is not None else missing}
        for y, v in values.items()
    ]


def measures(*groups: list[dict[str, Any]]) -> pd.DataFrame:
    """Concatenate ``series`` groups into the measures frame."""
    rows = [row for group in groups for row in group]
    return pd.DataFrame(rows, columns=["school_id", "year", "code", "value", "missing"])


def averages(
    national: dict[str, dict[int, float]] | None = None, **extra_areas: dict[str, dict[int, float]]
) -> pd.DataFrame:
    """The averages frame: national figures, plus any other areas given as area=code->{year: value}."""
    rows = [
        {"year": y, "code": code, "area": "england", "value": v}
        for code, by_year in (NATIONAL if national is None else national).items()
        for y, v in by_year.items()
    ]
    for area, codes in extra_areas.items():
        rows += [
            {"year": y, "code": code, "area": area.replace("__", "/"), "value": v}
            for code, by_year in codes.items()
            for y, v in by_year.items()
        ]
    return pd.DataFrame(rows, columns=["year", "code", "area", "value"])


def inspection(school_id: int = 1, start: str = "2022-05-10", framework: str = "oeif", **fields: Any) -> dict[str, Any]:
    """One inspection row (legacy OEIF good by default)."""
    row: dict[str, Any] = {
        "school_id": school_id,
        "inspection_number": f"{school_id}-{start}",
        "framework": framework,
        "start_date": pd.Timestamp(start),
        "publication_date": pd.Timestamp(start) + pd.Timedelta(days=30),
        "category_of_concern": "",
    }
    if framework == "oeif":
        row.update(overall=2, quality_of_education=2, behaviour_attitudes=2, personal_development=2,
                   leadership_management=2, safeguarding_effective="yes")  # fmt: skip
    elif framework == "report_card":
        row.update(
            rc_inclusion="expected", rc_curriculum_teaching="expected", rc_achievement="expected",
            rc_attendance_behaviour="expected", rc_personal_development="expected",
            rc_leadership_governance="expected", rc_safeguarding_met=True,
        )  # fmt: skip
    row.update(fields)
    return row


def intel(school_id: int, kind: str, rating: str, recorded_on: str = "2025-11-01", summary: str = "") -> dict[str, Any]:
    """One soft-intelligence entry."""
    return {
        "school_id": school_id,
        "kind": kind,
        "rating": rating,
        "recorded_on": pd.Timestamp(recorded_on),
        "summary": summary or f"{kind} {rating}",
    }


def inputs(
    schools_frame: pd.DataFrame | None = None,
    measures_frame: pd.DataFrame | None = None,
    *,
    inspections: list[dict[str, Any]] | None = None,
    intelligence: list[dict[str, Any]] | None = None,
    averages_frame: pd.DataFrame | None = None,
    as_at: int = AS_AT,
    today: dt.date = TODAY,
) -> RiskInputs:
    """A ``RiskInputs`` from the pieces (national averages by default)."""
    return RiskInputs(
        as_at=as_at,
        today=today,
        schools=schools_frame if schools_frame is not None else schools(),
        measures=measures_frame if measures_frame is not None else measures(),
        averages=averages_frame if averages_frame is not None else averages(),
        inspections=pd.DataFrame(inspections or []),
        intelligence=pd.DataFrame(intelligence or []),
    )


def ks2(
    school_id: int, rwm: dict[int, float | None], cohort: float = 30, **codes: dict[int, float | None]
) -> list[dict[str, Any]]:
    """KS2 rows: RWM expected standard by year, a cohort each year, and any further codes given."""
    rows = series(school_id, "ks2_rwm_exp", rwm, missing="SUPP") + series(
        school_id, "ks2_cohort", {y: cohort for y in rwm}
    )
    for code, by_year in codes.items():
        rows += series(school_id, code, by_year, missing="NP")
    return rows


def generated_inputs(n_schools: int, *, seed: int = 1) -> RiskInputs:
    """A large random input (three years of every measure) built with numpy, for the vectorisation check."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ids = np.arange(1, n_schools + 1)
    phase = rng.choice(
        ["Primary", "Secondary", "All-through", "Not applicable"], size=n_schools, p=[0.8, 0.15, 0.02, 0.03]
    )
    schools_frame = pd.DataFrame(
        {
            "school_id": ids,
            "urn": 100000 + ids,
            "name": [f"School {i}" for i in ids],
            "phase": phase,
            "is_academy": rng.random(n_schools) < 0.5,
            "type_group": "Academies",
            "district": rng.choice(["North", "South", "East", "West"], size=n_schools),
            "number_of_pupils": rng.integers(20, 1500, size=n_schools),
            "head_changes_3y": rng.integers(0, 3, size=n_schools),
            "head_since": pd.Timestamp("2026-01-15")
            - pd.to_timedelta(rng.integers(30, 5000, size=n_schools), unit="D"),
        }
    ).set_index("school_id")
    primary = np.isin(phase, ["Primary", "All-through"])
    secondary = np.isin(phase, ["Secondary", "All-through"])
    codes: list[tuple[str, np.ndarray, float, float]] = [
        ("ks2_cohort", primary, 30, 15),
        ("ks2_rwm_exp", primary, 60, 15),
        ("ks2_rwm_exp_disadv", primary, 45, 18),
        ("ks2_disadv_pct", primary, 25, 12),
        ("ks2_read_prog", primary, 0, 3),
        ("ks2_writ_prog", primary, 0, 3),
        ("ks2_mat_prog", primary, 0, 3),
        ("ks2_read_prog_upper", primary, 2, 3),
        ("ks2_writ_prog_upper", primary, 2, 3),
        ("ks2_mat_prog_upper", primary, 2, 3),
        ("ey_phonics_pct", primary, 78, 10),
        ("ey_gld_pct", primary, 67, 10),
        ("ks4_cohort", secondary, 180, 60),
        ("ks4_att8", secondary, 46, 8),
        ("ks4_att8_disadv", secondary, 35, 8),
        ("ks4_disadv_pct", secondary, 25, 12),
        ("ks4_p8", secondary, 0, 0.5),
        ("ks4_p8_upper", secondary, 0.2, 0.5),
        ("abs_persistent", np.ones(n_schools, dtype=bool), 20, 7),
        ("abs_overall", np.ones(n_schools, dtype=bool), 7, 2),
        ("census_roll", np.ones(n_schools, dtype=bool), 300, 100),
    ]
    frames = []
    for year in YEARS:
        for code, mask, mean, sd in codes:
            sel = ids[mask]
            values = rng.normal(mean, sd, size=len(sel)).round(1)
            suppressed = rng.random(len(sel)) < 0.03
            frames.append(
                pd.DataFrame(
                    {
                        "school_id": sel,
                        "year": year,
                        "code": code,
                        "value": np.where(suppressed, np.nan, values),
                        "missing": np.where(suppressed, "SUPP", ""),
                    }
                )
            )
    measures_frame = pd.concat(frames, ignore_index=True)
    n_ins = n_schools * 2
    ins_ids = rng.choice(ids, size=n_ins)
    rc = rng.random(n_ins) < 0.2
    grades = np.array(["exceptional", "strong", "expected", "needs_attention", "urgent"])
    p = [0.05, 0.3, 0.5, 0.14, 0.01]
    inspections = pd.DataFrame(
        {
            "school_id": ins_ids,
            "inspection_number": np.arange(n_ins).astype(str),
            "framework": np.where(rc, "report_card", "oeif"),
            "start_date": pd.Timestamp("2012-01-01") + pd.to_timedelta(rng.integers(0, 5100, size=n_ins), unit="D"),
            "overall": np.where(rc, np.nan, rng.choice([1, 2, 3, 4], size=n_ins, p=[0.15, 0.65, 0.17, 0.03])),
            "quality_of_education": np.where(rc, np.nan, rng.choice([1, 2, 3, 4], size=n_ins)),
            "leadership_management": np.where(rc, np.nan, rng.choice([1, 2, 3, 4], size=n_ins)),
            "safeguarding_effective": np.where(rc, "", rng.choice(["yes", "no"], size=n_ins, p=[0.98, 0.02])),
            "rc_achievement": np.where(rc, rng.choice(grades, size=n_ins, p=p), ""),
            "rc_curriculum_teaching": np.where(rc, rng.choice(grades, size=n_ins, p=p), ""),
            "rc_inclusion": np.where(rc, rng.choice(grades, size=n_ins, p=p), ""),
            "rc_attendance_behaviour": np.where(rc, rng.choice(grades, size=n_ins, p=p), ""),
            "rc_leadership_governance": np.where(rc, rng.choice(grades, size=n_ins, p=p), ""),
            "rc_safeguarding_met": np.where(rc, rng.random(n_ins) > 0.01, None),
            "category_of_concern": np.where(rng.random(n_ins) < 0.01, "Special measures", ""),
        }
    )
    n_int = n_schools
    kinds = ["head", "governance", "finance", "staffing", "complaints", "send", "self_evaluation", "safeguarding"]
    intelligence = pd.DataFrame(
        {
            "school_id": rng.choice(ids, size=n_int),
            "kind": rng.choice(kinds, size=n_int),
            "rating": rng.choice(["green", "amber", "red"], size=n_int, p=[0.6, 0.3, 0.1]),
            "recorded_on": pd.Timestamp("2024-06-01") + pd.to_timedelta(rng.integers(0, 590, size=n_int), unit="D"),
            "summary": "entry",
        }
    )
    avg = averages()
    return RiskInputs(
        as_at=AS_AT,
        today=TODAY,
        schools=schools_frame,
        measures=measures_frame,
        averages=avg,
        inspections=inspections,
        intelligence=intelligence,
    )


def run(
    schools_frame: pd.DataFrame | None = None,
    measures_frame: pd.DataFrame | None = None,
    ruleset: Any = None,
    **kwargs: Any,
) -> Any:
    """``risk_compute`` on the pieces (default rule set unless given)."""
    from schools.risk import DEFAULT_RULESET, risk_compute

    return risk_compute(inputs(schools_frame, measures_frame, **kwargs), ruleset or DEFAULT_RULESET)


def indicator(result: Any, school_id: int, code: str) -> pd.Series:
    """One school's row of the long indicator frame for ``code``."""
    long = result.indicators
    rows = long[(long["school_id"] == school_id) & (long["code"] == code)]
    assert len(rows) == 1, f"expected one {code} row for school {school_id}, got {len(rows)}"
    return rows.iloc[0]
