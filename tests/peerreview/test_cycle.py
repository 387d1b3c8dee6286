"""The whole cycle through the services: every move by the actor the table names, refusals for everyone else,
each move dated and attributed, reports locked and versioned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from partnership.models import Membership, Role
from peerreview import services
from peerreview.models import Programme, ReportVersion, Review, TeamMember
from peerreview.transitions import TRANSITIONS, moves_from
from tests.conftest import make_member
from tests.factories import UserFactory
from tests.peerreview.helpers import general, make_review

S = Review.State


@pytest.fixture
def cycle(world, django_capture_on_commit_callbacks):
    officer = make_member(world, Role.OFFICER)
    head = make_member(world, Role.HEADTEACHER)
    programme = services.programme_create(
        partnership=world.home,
        name="Esher 2026/27",
        academic_year=2027,
        scope="cluster",
        cluster=world.cluster,
        by=officer,
    )
    review = services.review_create(
        programme=programme,
        host=world.own_school,
        framework=general(),
        visit_starts_on=dt.date(2026, 11, 3),
        days=2,
        by=officer,
    )
    lead = Membership.objects.create(
        user=UserFactory(email="lead@peer.example.test"),
        partnership=world.home,
        roles=[Role.HEADTEACHER],
        school=world.cluster_school,
    )
    champion = Membership.objects.create(
        user=UserFactory(email="ic@peer.example.test"), partnership=world.home, roles=[Role.SYSTEM_LEADER]
    )
    return world, officer, head, lead, champion, programme, review


def _clear(member: TeamMember, membership: Membership) -> None:
    services.team_member_clear(
        member=member, by=membership, no_conflicts=True, declaration="", accept_confidentiality=True
    )


def test_the_whole_cycle_by_the_right_people(cycle, django_capture_on_commit_callbacks):
    w, officer, head, lead, champion, programme, review = cycle
    assert review.visit_ends_on == dt.date(2026, 11, 4)
    lead_row = services.team_member_add(review=review, user=lead.user, role="lead_reviewer", by=officer)
    ic_row = services.team_member_add(review=review, user=champion.user, role="improvement_champion", by=head)
    assert lead_row.home_school == w.cluster_school
    # the peer school's head (the lead, here) releases... only the head of the member's own school can
    with pytest.raises(PermissionDenied):
        services.team_member_release(member=lead_row, by=head)
    _clear(lead_row, lead)
    _clear(ic_row, champion)

    theme = general().themes.first()
    # only the host sets the focus; at most two
    with pytest.raises(PermissionDenied):
        services.focus_area_add(review=review, theme=theme, title="x", by=lead)
    focus = services.focus_area_add(review=review, theme=theme, title="Reading", by=head)
    services.focus_area_add(review=review, theme=theme, title="Writing", by=head)
    with pytest.raises(ValidationError):
        services.focus_area_add(review=review, theme=theme, title="Third", by=head)

    with pytest.raises(PermissionDenied):  # the lead may not agree the focus for the host
        services.review_transition(review=review, to=S.FOCUS_AGREED, by=lead)
    review = services.review_transition(review=review, to=S.FOCUS_AGREED, by=head)
    with pytest.raises(ValidationError):  # needs the self-evaluation first
        services.review_transition(review=review, to=S.PRE_REVIEW, by=head)
    services.review_pre_review_update(review=review, self_evaluation_summary="SEF", data_shared_note="", by=head)
    review = services.review_transition(review=review, to=S.PRE_REVIEW, by=head)
    review = services.review_transition(review=review, to=S.VISIT, by=lead)

    services.evidence_add(review=review, activity="lesson_visit", joint=True, notes="Seen", focus_area=focus, by=lead)
    finding = services.finding_add(review=review, kind="www", text="Strong phonics", focus_area=focus, by=lead)
    excellence = services.finding_add(review=review, kind="excellence", text="Early reading", by=lead)
    services.focus_area_estimate(focus_area=focus, estimate="Effective", by=lead)
    with pytest.raises(ValidationError):
        services.focus_area_estimate(focus_area=focus, estimate="Outstanding", by=lead)
    with pytest.raises(ValidationError):  # every finding answered first
        services.review_transition(review=review, to=S.FINDINGS_AGREED, by=head)
    with pytest.raises(PermissionDenied):
        services.finding_answer(finding=finding, agreed=True, by=lead)
    services.finding_answer(finding=finding, agreed=True, by=head)
    services.finding_answer(finding=excellence, agreed=True, by=head)
    review = services.review_transition(review=review, to=S.FINDINGS_AGREED, by=head)

    with pytest.raises(PermissionDenied):
        services.report_save(review=review, summary="s", body="b", by=head)
    v1 = services.report_save(review=review, summary="Summary", body="Body", by=lead)
    review = services.review_transition(review=review, to=S.REPORT_DRAFT, by=lead)
    v1b = services.report_save(review=review, summary="Summary", body="Body, corrected", by=lead)
    assert v1b.pk == v1.pk and v1b.number == 1  # a draft is edited in place
    with pytest.raises(PermissionDenied):
        services.report_agree(review=review, by=lead)
    services.report_agree(review=review, by=head, right_of_reply="We would add context on staffing.")
    review.refresh_from_db()
    assert review.state == S.REPORT_AGREED and review.report_agreed_on is not None
    v1.refresh_from_db()
    assert v1.is_locked and v1.right_of_reply.startswith("We would")
    v2 = services.report_save(review=review, summary="Summary", body="Body, with an addendum", by=lead)
    assert v2.number == 2 and v2.state == ReportVersion.State.DRAFT  # locked v1 untouched
    v1.refresh_from_db()
    assert v1.body == "Body, corrected"

    services.workshop_record(
        review=review, held_on=dt.date(2026, 12, 1), facilitator="IC", attendees="SLT", outputs="Plan", by=champion
    )
    review = services.review_transition(review=review, to=S.WORKSHOP_HELD, by=champion)
    action = services.action_add(
        review=review,
        description="Daily reading",
        owner="English lead",
        success_criteria="All read daily",
        due_on=dt.date(2027, 3, 1),
        support_needed=True,
        support_note="A phonics specialist",
        by=head,
    )
    review = services.review_transition(review=review, to=S.ACTIONS_LIVE, by=head)
    with pytest.raises(ValidationError):
        services.action_update(action=action, status="completed", by=head)
    services.action_update(action=action, status="completed", completed_on=dt.date(2027, 2, 20), by=head)
    services.impact_check_add(
        action=action, checked_on=dt.date(2027, 3, 5), progress="achieved", evidence="Reading logs", by=champion
    )
    review = services.review_transition(review=review, to=S.IMPACT_REVIEWED, by=champion)
    with pytest.raises(PermissionDenied):
        services.review_transition(review=review, to=S.CLOSED, by=officer)
    review = services.review_transition(review=review, to=S.CLOSED, by=head)

    events = list(review.events.values_list("to_state", "by__email"))
    assert events[0] == (S.PLANNED, officer.user.email)
    assert [e[0] for e in events] == [
        S.PLANNED,
        S.FOCUS_AGREED,
        S.PRE_REVIEW,
        S.VISIT,
        S.FINDINGS_AGREED,
        S.REPORT_DRAFT,
        S.REPORT_AGREED,
        S.WORKSHOP_HELD,
        S.ACTIONS_LIVE,
        S.IMPACT_REVIEWED,
        S.CLOSED,
    ]
    assert events[2][1] == head.user.email and events[3][1] == lead.user.email


def test_emails_go_after_commit(cycle, django_capture_on_commit_callbacks):
    w, officer, head, lead, champion, programme, review = cycle
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.team_member_add(review=review, user=lead.user, role="lead_reviewer", by=officer)
    # the invitee, and the host head, who hears of every person someone else adds to their review
    assert [m.to for m in mail.outbox] == [[lead.user.email], [head.user.email]]
    assert "conflicts of interest" in mail.outbox[0].body
    assert "was added to the peer review" in mail.outbox[1].subject


def test_postpone_resume_and_cancel(cycle):
    w, officer, head, lead, champion, programme, review = cycle
    with pytest.raises(ValidationError):
        services.review_transition(review=review, to=S.POSTPONED, by=officer)  # a reason is required
    review = services.review_transition(review=review, to=S.POSTPONED, by=officer, reason="Staff illness")
    assert review.resume_state == S.PLANNED
    assert [to for to, _ in moves_from(review)] == [S.PLANNED, S.CANCELLED]
    review = services.review_transition(review=review, to=S.PLANNED, by=head)
    assert review.resume_state == ""
    with pytest.raises(ValidationError):  # not a move in the table
        services.review_transition(review=review, to=S.CLOSED, by=head)
    other_lead = Membership.objects.create(
        user=UserFactory(email="other-lead@peer.example.test"), partnership=w.home, roles=[Role.CLUSTER_LEAD]
    )
    other_lead.clusters.add(w.other_cluster)
    with pytest.raises(PermissionDenied):  # a cluster lead of another cluster does not manage this programme
        services.review_transition(review=review, to=S.CANCELLED, by=other_lead, reason="x")
    cluster_lead = make_member(w, Role.CLUSTER_LEAD)
    review = services.review_transition(review=review, to=S.CANCELLED, by=cluster_lead, reason="Closed")
    assert review.state == S.CANCELLED and moves_from(review) == []


def test_every_table_move_names_actors_and_the_table_has_no_dead_end():
    reachable = {S.PLANNED}
    for (frm, to), move in TRANSITIONS.items():
        assert move.actors, (frm, to)
        reachable.add(to)
    assert S.CLOSED in reachable and S.CANCELLED in reachable


def test_reviewers_from_the_host_school_are_refused_and_conflicts_suggested(cycle):
    w, officer, head, lead, champion, programme, review = cycle
    with pytest.raises(ValidationError):
        services.team_member_add(review=review, user=head.user, role="peer_reviewer", by=officer)
    # same trust: the register suggests the conflict
    w.cluster_school.trust_code = w.own_school.trust_code = "T1"
    w.cluster_school.trust_name = w.own_school.trust_name = "Example Learning Trust"
    assert services.suggested_conflicts(home_school=w.cluster_school, host=w.own_school) == [
        "same trust (Example Learning Trust)"
    ]
    assert services.suggested_conflicts(home_school=None, host=w.own_school) == []


def test_declaration_needs_an_answer_and_acceptance(cycle):
    w, officer, head, lead, champion, programme, review = cycle
    row = services.team_member_add(review=review, user=lead.user, role="lead_reviewer", by=officer)
    with pytest.raises(ValidationError) as error:
        services.team_member_clear(
            member=row, by=lead, no_conflicts=False, declaration="", accept_confidentiality=False
        )
    assert set(error.value.message_dict) == {"declaration", "accept_confidentiality"}
    with pytest.raises(PermissionDenied):  # nobody declares for someone else
        services.team_member_clear(member=row, by=head, no_conflicts=True, declaration="", accept_confidentiality=True)
    row = services.team_member_clear(
        member=row,
        by=lead,
        no_conflicts=False,
        declaration="Former colleague of the deputy",
        accept_confidentiality=True,
    )
    assert row.is_cleared and row.conflict_declaration


def test_programme_scope_for_cluster_leads(world):
    lead = make_member(world, Role.CLUSTER_LEAD)
    services.programme_create(
        partnership=world.home, name="Mine", academic_year=2027, scope="cluster", cluster=world.cluster, by=lead
    )
    with pytest.raises(PermissionDenied):
        services.programme_create(
            partnership=world.home,
            name="Not mine",
            academic_year=2027,
            scope="cluster",
            cluster=world.other_cluster,
            by=lead,
        )
    with pytest.raises(PermissionDenied):
        services.programme_create(
            partnership=world.home, name="All", academic_year=2027, scope=Programme.Scope.PARTNERSHIP, by=lead
        )


def test_protocol_versions_and_signatures(world):
    officer = make_member(world, Role.OFFICER)
    head, chair = make_member(world, Role.HEADTEACHER), make_member(world, Role.CHAIR_OF_GOVERNORS)
    from peerreview.frameworks_default import DEFAULT_CLAUSES

    p1 = services.protocol_create(
        partnership=world.home,
        name="MoU",
        adopted_on=dt.date(2026, 9, 1),
        review_on=dt.date(2027, 9, 1),
        clauses=DEFAULT_CLAUSES,
        by=officer,
    )
    p2 = services.protocol_create(
        partnership=world.home,
        name="MoU",
        adopted_on=dt.date(2026, 10, 1),
        review_on=dt.date(2027, 9, 1),
        clauses=DEFAULT_CLAUSES,
        by=officer,
    )
    assert (p1.version, p2.version) == (1, 2)
    with pytest.raises(ValidationError):
        services.protocol_create(
            partnership=world.home,
            name="No confidentiality",
            adopted_on=dt.date(2026, 9, 1),
            review_on=dt.date(2027, 9, 1),
            clauses=[("escalation", "x")],
            by=officer,
        )
    services.protocol_sign(protocol=p2, by=head)
    services.protocol_sign(protocol=p2, by=chair)
    assert sorted(p2.signatures.values_list("signatory", flat=True)) == ["chair", "head"]
    with pytest.raises(ValidationError):
        services.protocol_sign(protocol=p2, by=head)
    with pytest.raises(PermissionDenied):
        services.protocol_sign(protocol=p2, by=officer)


@pytest.mark.django_db
def test_shipped_frameworks():
    from peerreview.models import Framework

    shipped = {f.slug: f for f in Framework.objects.filter(partnership=None)}
    assert shipped["school-improvement"].estimate_scale == [
        "Leading",
        "Effective",
        "Working towards effective",
        "Ineffective",
    ]
    assert shipped["collaborative-enquiry"].estimate_scale == []
    assert shipped["collaborative-enquiry"].themes.count() == 4
    assert all(t.questions.exists() for f in shipped.values() for t in f.themes.all())


def test_enquiry_reviews_take_no_estimates(world):
    from peerreview.models import FocusArea
    from tests.peerreview.helpers import cleared, enquiry

    programme = Programme.objects.create(partnership=world.home, name="P", academic_year=2027, scope="partnership")
    review = make_review(programme, world.own_school, S.VISIT, framework=enquiry())
    lead = make_member(world, Role.SYSTEM_LEADER)
    cleared(review, lead.user)
    focus = FocusArea.objects.create(review=review, theme=enquiry().themes.first(), title="x")
    with pytest.raises(ValidationError):
        services.focus_area_estimate(focus_area=focus, estimate="Effective", by=lead)
