"""Cluster health checks' URLs in the permission matrix (merged into ``tests.url_matrix.MATRIX``)."""

from __future__ import annotations

from tests.clusters.health.helpers import health_world

# Imported at the end of tests.url_matrix, once Case and the role sets exist there.
from tests.url_matrix import DENY, HIDDEN, OK, Case, expect  # noqa: E402

H = health_world
VIEW = expect(DENY, admin=OK, officer=OK, headteacher=OK, cluster_lead=OK, alliance_lead=OK)
RUN = expect(DENY, admin=OK, officer=OK, cluster_lead=OK)
MODERATE = expect(DENY, admin=OK, officer=OK, alliance_lead=OK)
ADMIN = expect(DENY, admin=OK)


def _check(*extra: str):
    """args/other_args: the check (home and other partnership), then the named attributes of each."""

    def args(w):
        return [H(w).check.pk, *(getattr(H(w), e).pk for e in extra)]

    def other(w):
        return [H(w).other_check.pk, *(getattr(H(w), f"other_{e}").pk for e in extra)]

    return {"args": args, "other_args": other}


def _framework(*extra: str):
    def args(w):
        return [H(w).framework.pk, *(getattr(H(w), e).pk for e in extra)]

    def other(w):
        return [H(w).other_framework.pk, *(getattr(H(w), f"other_{e}").pk for e in extra)]

    return {"args": args, "other_args": other}


HEALTH_MATRIX: dict[str, Case] = {
    "cluster_health:list": Case(args=lambda w: H(w) and [], roles=VIEW),
    "cluster_health:create": Case(roles=RUN),
    "cluster_health:portfolio": Case(
        args=lambda w: H(w) and [], roles=expect(DENY, admin=OK, officer=OK, alliance_lead=OK, board_member=OK)
    ),
    "cluster_health:detail": Case(**_check(), roles=VIEW),
    # Opening ratings on a draft check: done by those who run the cluster's checks; a draft is not shown to
    # heads and alliance leads (404); 403 for roles without health pages.
    "cluster_health:transition": Case(
        method="post",
        args=lambda w: [H(w).draft.pk],
        other_args=lambda w: [H(w).other_draft.pk],
        data=lambda w: {"to": "rating"},
        roles={**RUN, "headteacher": HIDDEN, "alliance_lead": HIDDEN},
    ),
    "cluster_health:rate": Case(**_check(), roles=expect(DENY, headteacher=OK)),
    "cluster_health:consensus": Case(**_check("strand"), roles=RUN),
    "cluster_health:moderate": Case(**_check("strand"), roles=MODERATE),
    "cluster_health:action_add": Case(**_check(), roles=RUN),
    "cluster_health:action_complete": Case(method="post", **_check("action"), roles=RUN),
    "cluster_health:cluster": Case(
        args=lambda w: [w.cluster.pk], other_args=lambda w: [w.other_cluster_obj.pk], roles=VIEW
    ),
    "cluster_health:meeting_add": Case(
        args=lambda w: [w.cluster.pk], other_args=lambda w: [w.other_cluster_obj.pk], roles=RUN
    ),
    "cluster_health:framework_list": Case(roles=VIEW),
    "cluster_health:framework_detail": Case(**_framework(), roles=VIEW),
    "cluster_health:framework_copy": Case(**_framework(), roles=ADMIN),
    "cluster_health:framework_edit": Case(**_framework(), roles=ADMIN),
    "cluster_health:dimension_add": Case(**_framework(), roles=ADMIN),
    "cluster_health:strand_add": Case(**_framework("dimension"), roles=ADMIN),
    "cluster_health:strand_edit": Case(**_framework("framework_strand"), roles=ADMIN),
}
