"""Peer-review data that grows with the register, for the constant-query-count test: called after each growth
step, it brings the programme to one review per ten schools (each with team, focus, evidence, findings, actions
and a grant) and the heads' own review to as many evidence items, findings and actions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerreview.models import Action, EvidenceItem, ExcellenceEntry, Finding, FocusArea, ShareGrant
from schools.models import School
from tests.peerreview.helpers import cleared, general, make_review, pr_world


def grown(w):
    pr_world(w)
    schools = list(School.objects.filter(partnership=w.home).exclude(pk=w.own_school.pk).order_by("pk"))
    target = min(len(schools) // 10, 40)
    have = w.programme.reviews.exclude(host=w.own_school).count()
    theme = general().themes.first()
    today = timezone.localdate()
    for school in schools[have:target]:
        review = make_review(w.programme, school, "findings_agreed", visit=today - dt.timedelta(days=3))
        cleared(review, w.lead.user, home_school=w.cluster_school)
        focus = FocusArea.objects.create(review=review, theme=theme, title="Reading", estimate="Effective")
        Finding.objects.create(review=review, focus_area=focus, kind="www", text="t", agreed=True)
        Action.objects.create(review=review, description="a", owner="o", success_criteria="s", due_on=today)
        ShareGrant.objects.create(review=review, artefact="report", audience="la_officers")
        ExcellenceEntry.objects.create(
            school=school, title="Reading", description="d", contact_name="c", contact_email="c@example.test"
        )
    own = w.pr_review
    for i in range(own.evidence.count(), target):
        EvidenceItem.objects.create(review=own, focus_area=w.pr_focus, activity="data", joint=False, notes=f"n{i}")
        Finding.objects.create(review=own, focus_area=w.pr_focus, kind="ebi", text=f"f{i}", agreed=True)
        Action.objects.create(review=own, description=f"a{i}", owner="o", success_criteria="s", due_on=today)
        ShareGrant.objects.create(review=own, artefact="evidence", audience="cluster")
    return w


PEERREVIEW_PAGES = [
    ("peerreview:home", lambda w: grown(w) and []),
    ("peerreview:programme_list", lambda w: grown(w) and []),
    ("peerreview:programme_detail", lambda w: [grown(w).programme.pk]),
    ("peerreview:review_team", lambda w: [grown(w).pr_review.pk]),
    ("peerreview:review_detail", lambda w: [grown(w).pr_review.pk]),
    ("peerreview:report", lambda w: [grown(w).pr_review.pk]),
    ("peerreview:sharing", lambda w: [grown(w).pr_review.pk]),
    ("peerreview:protocol_list", lambda w: grown(w) and []),
    ("peerreview:protocol_detail", lambda w: [grown(w).protocol.pk]),
    ("peerreview:rollup", lambda w: grown(w) and []),
    ("peerreview:excellence", lambda w: grown(w) and []),
    ("peerreview:excellence?q=reading", lambda w: grown(w) and []),
]
PEERREVIEW_OFFICER_ONLY = {"peerreview:rollup"}
PEERREVIEW_SCHOOL_ONLY = {"peerreview:review_detail", "peerreview:report", "peerreview:sharing"}
