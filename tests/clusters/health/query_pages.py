"""Health-check GET pages for ``tests/test_query_counts.py`` (constant queries at 10 and 500 schools)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clusters.health.models import ClusterAction, ClusterMeeting, ConsensusRating, HealthCheck, IndividualRating, Strand
from clusters.models import Cluster, ClusterMembership
from tests.clusters.health.helpers import make_check, shipped, strands

State = HealthCheck.State


def _grown(w) -> HealthCheck:
    """Two published checks a year apart for every cluster without one, a meeting attended by every member,
    and, on the head's cluster, a check with ratings open and a rating per member school per strand."""
    today, now = timezone.localdate(), timezone.now()
    version = shipped()
    version_strands = list(Strand.objects.filter(dimension__version=version).order_by("dimension__order", "order"))
    # Rows as make_check and agree_all write them, in bulk: some 100 clusters, twice in each of a dozen tests.
    checks = HealthCheck.objects.bulk_create(
        HealthCheck(
            partnership=cluster.partnership,
            cluster=cluster,
            version=version,
            term=f"T{years}",
            held_on=today - dt.timedelta(days=365 * years),
            state=State.PUBLISHED,
        )
        for cluster in Cluster.objects.filter(partnership=w.home, health_checks__isnull=True)
        for years in (1, 0)
    )
    ConsensusRating.objects.bulk_create(
        ConsensusRating(
            check_obj=check,
            strand=strand,
            level=0 if check.term == "T1" else 2,
            evidence="Evidence",
            next_step=f"Next step for {strand.name}",
            owner="Cluster lead",
            due_on=check.held_on + dt.timedelta(days=60),
            agreed_at=now,
        )
        for check in checks
        for strand in version_strands
    )
    ClusterAction.objects.bulk_create(
        ClusterAction(check_obj=check, title="Act", owner="Lead", due_on=today) for check in checks
    )
    members = list(
        ClusterMembership.objects.filter(cluster=w.cluster, left_on__isnull=True).values_list("school_id", flat=True)
    )
    meeting = ClusterMeeting.objects.create(cluster=w.cluster, held_on=today, title="Grown meeting")
    meeting.attended.set(members)
    if not hasattr(w, "health_rating_check"):
        w.health_rating_check = make_check(w.cluster, term="Open")
    check = w.health_rating_check
    done = set(IndividualRating.objects.filter(check_obj=check).values_list("school_id", "strand_id"))
    IndividualRating.objects.bulk_create(
        IndividualRating(check_obj=check, strand=s, school_id=m, level=1, evidence="E", rated_at=timezone.now())
        for m in members
        for s in strands(check)
        if (m, s.pk) not in done
    )
    return check


HEALTH_PAGES = [
    ("cluster_health:list", lambda w: _grown(w) and []),
    ("cluster_health:detail", lambda w: [_grown(w).pk]),
    ("cluster_health:cluster", lambda w: _grown(w) and [w.cluster.pk]),
    ("cluster_health:portfolio", lambda w: _grown(w) and []),
    ("cluster_health:framework_list", lambda w: []),
    ("cluster_health:framework_detail", lambda w: [_grown(w).version.framework_id]),
    ("cluster_health:rate", lambda w: [_grown(w).pk]),
]
HEALTH_OFFICER_ONLY = {"cluster_health:portfolio"}
HEALTH_SCHOOL_ONLY = {"cluster_health:rate"}
