"""A peer-review world on top of the shared ``world`` fixture: a programme in the home cluster with a review
far into its cycle and one in its visit, both hosted by the heads' own school; a cleared lead reviewer from
the peer school; and the same shapes in the other partnership (for 404s)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from partnership.models import Membership, Role
from peerreview.frameworks_default import DEFAULT_CLAUSES
from peerreview.models import (
    Action,
    EvidenceItem,
    Finding,
    FocusArea,
    Framework,
    Programme,
    Protocol,
    ProtocolClause,
    ReportVersion,
    Review,
    SafeguardingConcern,
    ShareGrant,
    TeamMember,
    Workshop,
)
from peerreview.selectors import academic_year_of
from tests.factories import UserFactory

S = Review.State


def _shipped(slug: str) -> Framework:
    """A shipped framework (loaded again if a transactional test's flush removed the migration's rows)."""
    from peerreview.frameworks_default import load_shipped
    from peerreview.models import FrameworkQuestion, FrameworkTheme

    load_shipped(Framework, FrameworkTheme, FrameworkQuestion)
    return Framework.objects.get(partnership=None, slug=slug, version=1)


def general() -> Framework:
    return _shipped("school-improvement")


def enquiry() -> Framework:
    return _shipped("collaborative-enquiry")


def make_protocol(partnership, cluster=None) -> Protocol:
    protocol = Protocol.objects.create(
        partnership=partnership,
        cluster=cluster,
        name="Peer review protocol",
        adopted_on=dt.date(2025, 9, 1),
        review_on=dt.date(2026, 9, 1),
    )
    ProtocolClause.objects.bulk_create(
        ProtocolClause(protocol=protocol, order=i, kind=k, text=t) for i, (k, t) in enumerate(DEFAULT_CLAUSES, 1)
    )
    return protocol


def make_review(programme, host, state=S.PLANNED, *, framework=None, visit=None, **extra) -> Review:
    visit = visit or timezone.localdate() - dt.timedelta(days=30)
    return Review.objects.create(
        partnership=programme.partnership,
        programme=programme,
        host=host,
        framework=framework or general(),
        visit_starts_on=visit,
        visit_ends_on=visit,
        state=state,
        **extra,
    )


def cleared(review, user, role=TeamMember.Role.LEAD_REVIEWER, home_school=None) -> TeamMember:
    now = timezone.now()
    return TeamMember.objects.create(
        review=review,
        user=user,
        role=role,
        home_school=home_school,
        conflicts_declared_at=now,
        confidentiality_accepted_at=now,
    )


def _member(partnership, email, roles, school=None) -> Membership:
    return Membership.objects.create(user=UserFactory(email=email), partnership=partnership, roles=roles, school=school)


def pr_world(w):
    """Build once per test (idempotent on ``w``)."""
    if hasattr(w, "pr_done"):
        return w
    today = timezone.localdate()
    year = academic_year_of(today)
    w.protocol = make_protocol(w.home)
    w.programme = Programme.objects.create(
        partnership=w.home,
        name="Esher cluster reviews",
        academic_year=year,
        scope=Programme.Scope.CLUSTER,
        cluster=w.cluster,
        protocol=w.protocol,
    )
    w.lead = _member(w.home, "lead-reviewer@home.example.test", [Role.HEADTEACHER], w.cluster_school)
    w.pending = _member(w.home, "pending-reviewer@home.example.test", [Role.SYSTEM_LEADER])

    # far into the cycle: report agreed, workshop, actions
    w.pr_review = make_review(w.programme, w.own_school, S.ACTIONS_LIVE, report_agreed_on=today - dt.timedelta(days=10))
    w.pr_lead = cleared(w.pr_review, w.lead.user, home_school=w.cluster_school)
    w.pr_pending = TeamMember.objects.create(
        review=w.pr_review, user=w.pending.user, role=TeamMember.Role.PEER_REVIEWER
    )
    theme = general().themes.first()
    w.pr_focus = FocusArea.objects.create(review=w.pr_review, theme=theme, title="Reading in key stage 1")
    EvidenceItem.objects.create(
        review=w.pr_review, focus_area=w.pr_focus, activity="learning_walk", joint=True, notes="SECRET-EVIDENCE-NOTE"
    )
    Finding.objects.create(
        review=w.pr_review, focus_area=w.pr_focus, kind="www", text="Phonics is consistent", agreed=True
    )
    w.pr_report = ReportVersion.objects.create(
        review=w.pr_review,
        number=1,
        state=ReportVersion.State.AGREED,
        summary="SECRET-REPORT-SUMMARY",
        body="The report body.",
        agreed_at=timezone.now(),
    )
    Workshop.objects.create(
        review=w.pr_review, held_on=today - dt.timedelta(days=5), facilitator="IC", attendees="SLT", outputs="Plan"
    )
    w.pr_action = Action.objects.create(
        review=w.pr_review,
        description="Daily reading for the lowest 20%",
        owner="English lead",
        success_criteria="All read daily",
        due_on=today + dt.timedelta(days=60),
        support_needed=True,
        support_note="A phonics lead from another school",
    )
    w.stranger = _member(w.home, "stranger@home.example.test", [Role.SYSTEM_LEADER])
    w.pr_grant = ShareGrant.objects.create(
        review=w.pr_review, artefact="report", audience="person", person=w.stranger.user
    )

    # in its visit
    w.pr_visit = make_review(w.programme, w.own_school, S.VISIT)
    cleared(w.pr_visit, w.lead.user, home_school=w.cluster_school)
    w.pr_visit_focus = FocusArea.objects.create(review=w.pr_visit, theme=theme, title="Maths fluency")
    w.pr_finding = Finding.objects.create(review=w.pr_visit, kind="ebi", text="Even better if")
    w.pr_concern = SafeguardingConcern.objects.create(
        review=w.pr_visit, raised_by=w.lead.user, concerns_head=False, summary="SECRET-CONCERN"
    )

    # just planned, and with a draft report waiting for the host
    w.pr_planned = make_review(w.programme, w.own_school, S.PLANNED, visit=today + dt.timedelta(days=40))
    w.pr_theme = theme
    w.pr_draft = make_review(w.programme, w.own_school, S.REPORT_DRAFT)
    ReportVersion.objects.create(review=w.pr_draft, number=1, summary="Draft summary", body="Draft body")

    # the other partnership
    w.other_protocol = make_protocol(w.other)
    w.other_programme = Programme.objects.create(
        partnership=w.other, name="Camden reviews", academic_year=year, scope="partnership"
    )
    w.other_review = make_review(w.other_programme, w.other_school, S.VISIT)
    w.other_lead = _member(w.other, "lead@other.example.test", [Role.SYSTEM_LEADER])
    w.other_member = cleared(w.other_review, w.other_lead.user)
    w.other_focus = FocusArea.objects.create(review=w.other_review, theme=theme, title="Other focus")
    w.other_finding = Finding.objects.create(review=w.other_review, kind="www", text="Other")
    w.other_action = Action.objects.create(
        review=w.other_review, description="x", owner="y", success_criteria="z", due_on=today
    )
    w.other_grant = ShareGrant.objects.create(review=w.other_review, artefact="report", audience="la_officers")
    w.other_concern = SafeguardingConcern.objects.create(
        review=w.other_review, raised_by=w.other_lead.user, concerns_head=True, summary="x"
    )
    w.pr_done = True
    return w
