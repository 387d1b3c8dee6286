"""Peer review on other apps' pages: a cluster's review programmes and a school's reviews (dates and states
only, unless the confidentiality matrix lets the reader open more)."""

from __future__ import annotations

from django import template

from peerreview import access as acc
from peerreview import presenters, selectors

register = template.Library()


@register.inclusion_tag("peerreview/_cluster_programmes.html", takes_context=True)
def cluster_review_programmes(context, cluster) -> dict:
    """The cluster's review programmes and their timetables (two queries; nothing confidential)."""
    membership = context.get("current_membership")
    if membership is None:
        return {"programmes": []}
    programmes = list(
        selectors.programmes_of_cluster(membership=membership, cluster_id=cluster.pk).prefetch_related("reviews__host")[
            :3
        ]
    )
    return {"programmes": [(p, [(r, presenters.state_tag(r.state)) for r in p.reviews.all()]) for p in programmes]}


@register.inclusion_tag("peerreview/includes/school_reviews.html", takes_context=True)
def school_reviews(context, school, full_access: bool = False) -> dict:
    """The school page's peer reviews (#14.9), by the confidentiality matrix (``peerreview.access``): that a
    review happened, its dates and state, for whoever sees everything about the school (the LA, the school
    itself); its report or workspace linked only where that membership may read it. Three queries at most."""
    membership = context.get("current_membership")
    if membership is None or school is None or not full_access:
        return {"shown": False}
    reviews = list(
        selectors.reviews_of_school(membership=membership, school_id=school.pk).select_related("programme")[:10]
    )
    ids = [r.pk for r in reviews]
    reports: set[int] = set()
    workspaces: set[int] = set()
    if ids:  # most schools have had no review: the confidentiality matrix is only asked about reviews listed
        reports = set(acc.reviews_with_report_access(membership).filter(pk__in=ids).values_list("pk", flat=True))
        workspaces = set(acc.reviews_with_evidence_access(membership).filter(pk__in=ids).values_list("pk", flat=True))
    return {
        "shown": True,
        "school": school,
        "rows": [(r, presenters.state_tag(r.state), r.pk in reports, r.pk in workspaces) for r in reviews],
    }
