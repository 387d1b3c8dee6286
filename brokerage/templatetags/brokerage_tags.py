"""``{% active_support school %}``: the school's active support, for pages of other apps (the school page, the
officer's risk page) without those apps importing brokerage."""

from __future__ import annotations

from django import template

from brokerage.selectors import active_support_for_school

register = template.Library()


@register.inclusion_tag("brokerage/includes/active_support.html", takes_context=True)
def active_support(context, school) -> dict:
    """One query: the school's signed, active or paused deployments the viewer may see."""
    membership = getattr(context.get("request"), "membership", None)
    if membership is None or school is None:
        return {"support": []}
    return {"support": active_support_for_school(membership=membership, school_id=school.pk)}
