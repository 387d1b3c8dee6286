"""What a round's pages show: decision rows, and the school-facing trace (confidential details and, for
academies, category numbers left out)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from schools.risk.engine.confidential import CONFIDENTIAL_SUMMARY, school_facing
from schools.risk.models import CategoryDecision, RiskAssessment, SchoolCategory
from schools.risk.presenters import (
    IndicatorRow,
    indicator_rows,
    register_inspection_note,
    sentence_text,
    sentences_text,
    with_register_inspection,
)


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


def officer_trace(assessment: RiskAssessment, school=None) -> SchoolTrace:
    """The whole trace, confidential intelligence included, for the officers' risk and round pages (``school``,
    the assessment's school when already fetched, for what the register says about its inspection)."""
    note = register_inspection_note(school if school is not None else assessment.school)
    return SchoolTrace(
        reasons=sentences_text(assessment.reasons, note),
        indicators=indicator_rows(assessment.indicators, note),
        missing_inputs=sentences_text(assessment.missing_inputs, note),
    )


_CATEGORY = re.compile(r"\b(?:at least )?category (\d)\b")
_RAISED_TO = re.compile(r"\b(raises?|lowers?) it to (\d)\b")
_CONFIDENTIAL_RATING = re.compile(
    r"recorded \d{1,2} [A-Z][a-z]+ \d{4} \((red|amber|green)\): " + re.escape(CONFIDENTIAL_SUMMARY)
)
_SEVERITY = {"G": 1, "A": 2, "R": 3, "green": 1, "amber": 2, "red": 3}
NOT_SHOWN = "Not shown"


def for_academy(sentence: str, threshold: int) -> str:
    """An academy reads "concern" or "no concern" wherever the engine wrote a category number."""

    def word(number: str) -> str:
        return "concern" if int(number) >= threshold else "no concern"

    sentence = _CATEGORY.sub(lambda m: word(m.group(1)), sentence)
    return _RAISED_TO.sub(lambda m: f"{m.group(1)} it to {word(m.group(2))}", sentence)


def rated_by_confidential(rating: str | None, sentence: str) -> bool:
    """True when a confidential entry in ``sentence`` is as bad as the indicator's ``rating`` (so it may be what
    set it): showing that rating would tell the school what the confidential entry says."""
    found = [_SEVERITY[r] for r in _CONFIDENTIAL_RATING.findall(sentence)]
    return bool(found) and rating in _SEVERITY and max(found) >= _SEVERITY[rating]


def school_trace(sc: SchoolCategory) -> SchoolTrace:
    """The trace as the school's head and chair read it: confidential entries without their details, dates or
    the ratings they set; for an academy, "concern" or "no concern" in every sentence instead of a number."""
    assessment = sc.assessment
    threshold = academy_threshold(sc)

    note = register_inspection_note(sc.school)

    def written(sentence: str) -> str:
        sentence = school_facing(with_register_inspection(sentence_text(sentence), note))
        return for_academy(sentence, threshold) if threshold is not None else sentence

    indicators = []
    for row in indicator_rows(assessment.indicators):
        raw = (assessment.indicators.get(row.code) or {}).get("rating")
        hidden = rated_by_confidential(raw, row.sentence)
        indicators.append(
            dataclasses.replace(
                row,
                sentence=written(row.sentence),
                rating=NOT_SHOWN if hidden else row.rating,
                tag="" if hidden else row.tag,
            )
        )
    return SchoolTrace(
        reasons=[written(r) for r in assessment.reasons],
        indicators=indicators,
        missing_inputs=[written(m) for m in assessment.missing_inputs],
    )
