"""``{% school_visits school %}`` (the school page's panel of notes of visit) and ``{% visit_sources school as x %}``
(the visits soft-intelligence entries were promoted from), for pages of other apps without those apps importing
this one."""

from __future__ import annotations

from django import template

from schools.visits.selectors import school_visit_panel
from schools.visits.selectors import visit_sources as _visit_sources

register = template.Library()


@register.inclusion_tag("visits/includes/school_panel.html", takes_context=True)
def school_visits(context, school) -> dict:
    """Recent notes of visit of ``school`` and, for officers, when the next is due; nothing for anyone else."""
    membership = getattr(context.get("request"), "membership", None)
    if membership is None or school is None:
        return {"panel": None}
    return {"panel": school_visit_panel(membership=membership, school=school), "school": school}


@register.simple_tag(takes_context=True)
def visit_sources(context, school) -> dict:
    """``{entry_id: visit}`` for the entries of ``school`` promoted from a visit the viewer may see (one query)."""
    membership = getattr(context.get("request"), "membership", None)
    if membership is None or school is None:
        return {}
    return _visit_sources(membership=membership, school=school)
