"""Peer review on other apps' pages: a cluster's review programmes (dates and states only)."""

from __future__ import annotations

from django import template

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
