"""What a round's pages show: decision rows, and the school-facing trace (confidential details and, for
academies, category numbers left out)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from schools.risk.engine.confidential import school_facing
from schools.risk.models import CategoryDecision, RiskAssessment, SchoolCategory
from schools.risk.presenters import IndicatorRow, indicator_rows


def academy_threshold(sc: SchoolCategory) -> int | None:
    """For an academy, the category from which it is "concern" (the run's rule set); None for other schools."""
    if not sc.assessment.academy_view:
        return None
    return int(sc.round.run.ruleset_version.config.get("academy_concern_min_category", 3))


def category_text(category: int | None, threshold: int | None) -> str:
    if category is None:
        return ""
    if threshold is None:
        return str(category)
    return "concern" if category >= threshold else "no concern"


@dataclass(frozen=True)
class DecisionRow:
    decision: CategoryDecision
    category: str  # "2 → 3", "3", "3 requested", or for academies "no concern → concern"


def decision_rows(decisions, threshold: int | None = None) -> list[DecisionRow]:
    rows = []
    for d in decisions:
        to = category_text(d.to_category, threshold)
        before = category_text(d.from_category, threshold)
        if d.step == CategoryDecision.Step.REFERRED:
            text = f"{to} requested"
        elif before and before != to:
            text = f"{before} → {to}"
        else:
            text = to
        rows.append(DecisionRow(d, text))
    return rows


@dataclass(frozen=True)
class SchoolTrace:
    """A proposal's trace: its reasons, indicator rows and missing inputs (``officer_trace`` in full,
    ``school_trace`` as the school reads it)."""

    reasons: list[str]
    indicators: list[IndicatorRow]
    missing_inputs: list[str]


def officer_trace(assessment: RiskAssessment) -> SchoolTrace:
    """The whole trace, confidential intelligence included, for the officers' risk and round pages."""
    return SchoolTrace(
        reasons=list(assessment.reasons),
        indicators=indicator_rows(assessment.indicators),
        missing_inputs=list(assessment.missing_inputs),
    )


def school_trace(sc: SchoolCategory) -> SchoolTrace:
    """The trace as the school's head and chair read it: confidential entries without their details."""
    assessment = sc.assessment
    return SchoolTrace(
        reasons=[school_facing(r) for r in assessment.reasons],
        indicators=[
            dataclasses.replace(row, sentence=school_facing(row.sentence))
            for row in indicator_rows(assessment.indicators)
        ],
        missing_inputs=list(assessment.missing_inputs),
    )
