"""``{% school_category school %}``: a school's risk category on pages of the register (the school page), without
the register importing risk (the template names the library; ``schools`` code never imports ``schools.risk``)."""

from __future__ import annotations

from django import template

from schools.risk.categorisation.presenters import academy_threshold, category_text
from schools.risk.categorisation.selectors import school_page_category
from schools.risk.presenters import category_labels, score_meaning, score_text

register = template.Library()


@register.inclusion_tag("risk/includes/school_page_category.html", takes_context=True)
def school_category(context, school) -> dict:
    """The school's current category (and, for officers, a newer run's proposal), with links: three queries."""
    membership = context.get("current_membership")
    if membership is None or school is None:
        return {"shown": False}
    found = school_page_category(membership=membership, school=school)
    if not found.shown:
        return {"shown": False}
    current = found.current
    current_text = ""
    if current is not None:
        threshold = None if found.officer else academy_threshold(current)
        current_text = category_text(current.category, threshold)
    proposal = found.proposal
    return {
        "shown": True,
        "school": school,
        "officer": found.officer,
        "current": current,
        "current_text": current_text,
        "current_labels": category_labels(current.round.run.ruleset_version) if current is not None else {},
        "proposal": proposal if found.proposal_newer else None,
        "proposal_labels": category_labels(proposal.run.ruleset_version) if proposal is not None else {},
    }


@register.filter
def risk_score(score, version) -> str:
    """``{{ assessment.score|risk_score:run.ruleset_version }}``: the score as that rule-set version means it
    ("2.3" for a stored 23 under the evidence score, "4" under points; ``presenters.score_text``)."""
    return score_text(score, version)


@register.filter
def risk_score_meaning(version) -> str:
    """``{{ run.ruleset_version|risk_score_meaning }}``: what that version's scores are, in one sentence."""
    return score_meaning(version)
