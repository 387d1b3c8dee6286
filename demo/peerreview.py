"""Peer review in the demo: the partnership's protocol (signed by the demo school's head and chair), a review
programme for the demo head's cluster, and four reviews in it, every one written through the services by the
person who would do it:

1. the demo head's own school, reviewed last term and now at "actions live": focus, evidence, agreed findings
   with estimates, a report agreed with a right of reply, a workshop, actions (one done on time, one needing
   support, one overdue) with a check-back, grants (report to the cluster, the governors and, until a date, the
   LA's officers; one to the alliance lead revoked), a read by the cluster lead, an area of excellence in the
   directory and a safeguarding concern routed to the head;
2. a neighbour school's review in its visit: evidence being logged, findings waiting for the host;
3. a review the demo head leads as lead reviewer, with findings agreed, so the head's next step is the report;
4. a review next half-term on which the demo head is a peer reviewer who has not yet declared conflicts.

The other schools' heads are invented accounts ("… (demo)", no password), so hosts can act in their reviews.
Idempotent: once the programme exists nothing is written again.
"""

from __future__ import annotations

import datetime as dt

from clusters.models import ClusterMembership
from demo.context import DemoContext, DemoStep
from partnership.models import Membership, Partnership, Role, User
from peerreview import selectors, services
from peerreview.frameworks_default import DEFAULT_CLAUSES, load_shipped
from peerreview.models import Framework, FrameworkQuestion, FrameworkTheme, Programme, Protocol, Review, TeamMember
from schools.models import School

DEMO = "Invented for the demo."
PROTOCOL = "Surrey peer review protocol (demo)"
S = Review.State


def _invented_head(ctx: DemoContext, school: School) -> Membership:
    user, _ = User.objects.get_or_create(
        email=f"peer-head-{school.urn}@demo.test",
        defaults={"full_name": f"Headteacher of {school.name} (demo)"},
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.get_or_create(
        user=user,
        partnership=ctx.partnership,
        defaults={"roles": [Role.HEADTEACHER], "school": school, "job_title": "Headteacher (demo)"},
    )
    return membership


def _clear(member: TeamMember, by: Membership, declaration: str = "") -> None:
    services.team_member_clear(
        member=member, by=by, no_conflicts=not declaration, declaration=declaration, accept_confidentiality=True
    )


def _team(
    review: Review, by: Membership, people: list[tuple[Membership, str]], host: Membership | None = None
) -> list[TeamMember]:
    """Add the team: the programme's manager adds people from schools; the host head adds anyone from no school."""
    rows = []
    for membership, role in people:
        adder = host if host is not None and membership.school_id is None else by
        row = services.team_member_add(review=review, user=membership.user, role=role, by=adder)
        if row.home_school_id and row.home_school_id == membership.school_id:
            services.team_member_release(member=row, by=membership)  # heads release themselves
        rows.append(row)
    return rows


def _to_visit(review: Review, host: Membership, focus: list[tuple[int, str, str]], sef: str) -> Review:
    themes = {t.order: t for t in review.framework.themes.all()}
    for order, title, link in focus:
        theme = themes[order]
        services.focus_area_add(
            review=review,
            theme=theme,
            question=theme.questions.first(),
            title=title,
            self_evaluation_link=link,
            by=host,
        )
    review = services.review_transition(review=review, to=S.FOCUS_AGREED, by=host)
    services.review_pre_review_update(
        review=review,
        self_evaluation_summary=sef,
        data_shared_note=f"{DEMO} Published KS2 results for three years, attendance, the improvement plan.",
        by=host,
    )
    review = services.review_transition(review=review, to=S.PRE_REVIEW, by=host)
    return services.review_transition(review=review, to=S.VISIT, by=host)


def _completed(ctx, programme, general, host_school, head, lead, champion, peer) -> Review:
    today = ctx.today
    manager = ctx.accounts[Role.CLUSTER_LEAD]
    review = services.review_create(
        programme=programme,
        host=host_school,
        framework=general,
        visit_starts_on=today - dt.timedelta(days=75),
        days=2,
        data_sharing_on=today - dt.timedelta(days=95),
        pre_review_on=today - dt.timedelta(days=88),
        feedback_on=today - dt.timedelta(days=74),
        report_due_on=today - dt.timedelta(days=55),
        workshop_on=today - dt.timedelta(days=40),
        impact_review_on=today + dt.timedelta(days=30),
        by=manager,
    )
    lead_row, ic_row, peer_row = _team(
        review,
        manager,
        [(lead, "lead_reviewer"), (champion, "improvement_champion"), (peer, "peer_reviewer")],
        host=head,
    )
    _clear(lead_row, lead)
    _clear(ic_row, champion)
    _clear(peer_row, peer, declaration=f"{DEMO} Our schools ran a joint INSET day in 2024; no other tie.")
    review = _to_visit(
        review,
        head,
        [
            (2, "How consistently is early reading taught from Reception to Year 2?", f"{DEMO} SEF: phonics strong."),
            (4, "How well do disadvantaged pupils catch up in maths?", f"{DEMO} SEF: gap narrowing in Y6 only."),
        ],
        f"{DEMO} We judge the school effective, with early reading a strength and maths for disadvantaged pupils "
        "our priority. Staffing is stable after two new appointments.",
    )
    reading, maths = list(review.focus_areas.all())
    for activity, joint, focus, notes in [
        ("lesson_visit", True, reading, "Reception and Y1 phonics: same routines in every class, pace good."),
        ("work_scrutiny", True, reading, "Y2 reading records: daily reading for the lowest 20% in most classes."),
        ("pupil_voice", False, maths, "Y5 disadvantaged pupils could explain methods but not check answers."),
        ("staff_meeting", True, maths, "Maths lead: same-day intervention started in January."),
    ]:
        services.evidence_add(
            review=review, activity=activity, joint=joint, notes=f"{DEMO} {notes}", focus_area=focus, by=peer
        )
    findings = [
        ("www", reading, "Phonics is taught the same way in every class and staff model sounds precisely."),
        ("ebi", reading, "Even better if the daily reading for the lowest 20% happened in every class."),
        ("www", maths, "Same-day intervention is well set up and pupils value it."),
        ("ebi", maths, "Even better if pupils were taught to check their answers with inverse operations."),
        ("excellence", reading, "Early reading: a consistent, well-trained team from Reception to Year 2."),
    ]
    made = [
        services.finding_add(review=review, kind=k, text=f"{DEMO} {t}", focus_area=fa, by=lead) for k, fa, t in findings
    ]
    services.focus_area_estimate(focus_area=reading, estimate="Leading", by=lead)
    services.focus_area_estimate(focus_area=maths, estimate="Working towards effective", by=lead)
    for finding in made:
        services.finding_answer(finding=finding, agreed=True, by=head)
    review = services.review_transition(review=review, to=S.FINDINGS_AGREED, by=head)
    services.report_save(
        review=review,
        summary=f"{DEMO} Early reading is a strength the school could share; maths for disadvantaged pupils is "
        "improving and needs answer-checking taught explicitly.",
        body=f"{DEMO}\n\nFocus 1: early reading. Phonics is taught consistently and precisely in every class. "
        "Daily reading for the lowest 20% happens in most, but not all, classes.\n\n"
        "Focus 2: maths for disadvantaged pupils. Same-day intervention is well organised. Pupils can explain "
        "methods but rarely check their answers.\n\nThe team thanks the staff and pupils for their openness.",
        by=lead,
    )
    review = services.review_transition(review=review, to=S.REPORT_DRAFT, by=lead)
    services.report_agree(
        review=review,
        by=head,
        right_of_reply=f"{DEMO} We agree the report. Daily reading was missed in one class while a teacher was "
        "on long-term sick leave; cover is now in place.",
    )
    review.refresh_from_db()
    services.workshop_record(
        review=review,
        held_on=today - dt.timedelta(days=40),
        facilitator=f"{champion.user} (improvement champion)",
        attendees=f"{DEMO} Headteacher, deputy, English and maths leads, two governors.",
        outputs=f"{DEMO} Three actions agreed; support from another school requested for maths.",
        by=champion,
    )
    review = services.review_transition(review=review, to=S.WORKSHOP_HELD, by=champion)
    done = services.action_add(
        review=review,
        description=f"{DEMO} Timetable daily reading for the lowest 20% in every class, covered when staff are away.",
        owner="English lead (demo)",
        success_criteria="Reading records show daily reading in every class for six weeks.",
        due_on=today - dt.timedelta(days=10),
        by=head,
    )
    services.action_add(
        review=review,
        description=f"{DEMO} Teach answer-checking with inverse operations from Year 3.",
        owner="Maths lead (demo)",
        success_criteria="In pupil voice, most Y5 disadvantaged pupils check an answer unprompted.",
        due_on=today + dt.timedelta(days=60),
        support_needed=True,
        support_note=f"{DEMO} A maths lead from a school where this is strong, for two half-day visits.",
        by=head,
    )
    services.action_add(
        review=review,
        description=f"{DEMO} Share the phonics training with the cluster's newly qualified teachers.",
        owner="Reception lead (demo)",
        success_criteria="Two sessions held for the cluster.",
        due_on=today - dt.timedelta(days=3),
        by=head,
    )
    review = services.review_transition(review=review, to=S.ACTIONS_LIVE, by=head)
    services.action_update(action=done, status="completed", completed_on=today - dt.timedelta(days=14), by=head)
    services.impact_check_add(
        action=done,
        checked_on=today - dt.timedelta(days=7),
        progress="achieved",
        evidence=f"{DEMO} Reading records checked with the English lead: daily reading in all seven classes.",
        by=champion,
    )
    # sharing: the host decides
    cluster_grant = services.share_grant_create(review=review, artefact="report", audience="cluster", by=head)
    services.share_grant_create(review=review, artefact="report", audience="governors", by=head)
    services.share_grant_create(
        review=review, artefact="report", audience="la_officers", expires_on=today + dt.timedelta(days=90), by=head
    )
    revoked = services.share_grant_create(
        review=review, artefact="report", audience="person", person=ctx.user(Role.ALLIANCE_LEAD), by=head
    )
    services.share_grant_revoke(grant=revoked, by=head)
    version = review.report_versions.order_by("-number").first()
    assert version is not None
    services.report_read_record(review=review, version=version, user=ctx.user(Role.CLUSTER_LEAD), grant=cluster_grant)
    services.excellence_entry_create(
        school=host_school,
        finding=made[-1],
        title="Early reading and phonics (demo)",
        description=f"{DEMO} A consistent phonics programme from Reception to Year 2; staff training and "
        "lesson visits available.",
        contact_name="Reception lead (demo)",
        contact_email="reading-lead@demo.test",
        by=head,
    )
    services.safeguarding_concern_raise(
        review=review,
        summary=f"{DEMO} The side gate to the field was found unlocked during the school day on both visit days.",
        concerns_head=False,
        by=lead,
    )
    return review


def build(ctx: DemoContext) -> list[str]:
    """Write the peer-review demo content; summary lines for ``load_demo``."""
    year = selectors.academic_year_of(ctx.today)
    head = ctx.accounts[Role.HEADTEACHER]
    cluster = ctx.accounts[Role.CLUSTER_LEAD].clusters.first()
    name = f"{cluster.name} peer reviews {year - 1}/{str(year)[-2:]} (demo)" if cluster else ""
    programme = Programme.objects.filter(partnership=ctx.partnership, name=name).first()
    if programme is None and cluster is not None and head.school_id:
        ctx.step("Peer review: protocol, programme and four reviews")
        programme = _build(ctx, cluster, year, name, head)
    if programme is None:
        return ["Peer review: skipped (the demo head's cluster was not found)"]
    reviews = list(programme.reviews.select_related("host"))
    states = ", ".join(f"{r.host.name}: {r.get_state_display().lower()}" for r in reviews)
    return [f"Peer review: {programme.name}, {len(reviews)} reviews ({states})"]


def _build(ctx: DemoContext, cluster, year: int, name: str, head: Membership) -> Programme:
    officer = ctx.accounts[Role.OFFICER]
    protocol = Protocol.objects.filter(partnership=ctx.partnership, name=PROTOCOL).first()
    if protocol is None:
        protocol = services.protocol_create(
            partnership=ctx.partnership,
            name=PROTOCOL,
            adopted_on=ctx.today - dt.timedelta(days=120),
            review_on=ctx.today + dt.timedelta(days=245),
            clauses=DEFAULT_CLAUSES,
            by=officer,
        )
        services.protocol_sign(protocol=protocol, by=head, signed_on=ctx.today - dt.timedelta(days=110))
        services.protocol_sign(
            protocol=protocol, by=ctx.accounts[Role.CHAIR_OF_GOVERNORS], signed_on=ctx.today - dt.timedelta(days=105)
        )
    programme = services.programme_create(
        partnership=ctx.partnership,
        name=name,
        academic_year=year,
        scope=Programme.Scope.CLUSTER,
        cluster=cluster,
        protocol=protocol,
        by=ctx.accounts[Role.CLUSTER_LEAD],
    )
    others = list(
        School.objects.filter(
            pk__in=ClusterMembership.objects.filter(cluster=cluster, left_on__isnull=True).values("school_id")
        )
        .exclude(pk=head.school_id or 0)
        .order_by("name")[:3]
    )
    load_shipped(Framework, FrameworkTheme, FrameworkQuestion)  # in case a flushed test database lost them
    general = Framework.objects.get(partnership=None, slug="school-improvement", version=1)
    enquiry = Framework.objects.get(partnership=None, slug="collaborative-enquiry", version=1)
    heads = [_invented_head(ctx, school) for school in others]
    system_leader = ctx.accounts[Role.SYSTEM_LEADER]
    champion = ctx.accounts[Role.CLUSTER_LEAD]
    if others:
        for h in heads:
            services.protocol_sign(protocol=protocol, by=h, signed_on=ctx.today - dt.timedelta(days=100))
        _completed(ctx, programme, general, head.school, head, system_leader, champion, heads[0])
    manager = ctx.accounts[Role.CLUSTER_LEAD]
    if len(others) >= 1:  # 2. in its visit
        x, x_head = others[0], heads[0]
        review = services.review_create(
            programme=programme,
            host=x,
            framework=enquiry,
            visit_starts_on=ctx.today - dt.timedelta(days=1),
            days=2,
            data_sharing_on=ctx.today - dt.timedelta(days=20),
            pre_review_on=ctx.today - dt.timedelta(days=14),
            report_due_on=ctx.today + dt.timedelta(days=20),
            workshop_on=ctx.today + dt.timedelta(days=35),
            impact_review_on=ctx.today + dt.timedelta(days=120),
            by=manager,
        )
        rows = _team(review, manager, [(system_leader, "lead_reviewer")], host=x_head)
        _clear(rows[0], system_leader)
        review = _to_visit(
            review,
            x_head,
            [(3, "How well does feedback in Key Stage 2 writing move pupils on?", f"{DEMO} SEF: inconsistent.")],
            f"{DEMO} Writing is our priority this year; we want an outside view of feedback in KS2.",
        )
        focus = review.focus_areas.first()
        services.evidence_add(
            review=review,
            activity="work_scrutiny",
            joint=True,
            notes=f"{DEMO} Y4 and Y6 books with the English lead: redrafting seen in Y6, less in Y4.",
            focus_area=focus,
            by=system_leader,
        )
        services.finding_add(
            review=review,
            kind="www",
            text=f"{DEMO} Pupils in Y6 redraft with purpose after feedback.",
            focus_area=focus,
            by=system_leader,
        )
    if len(others) >= 2:  # 3. the demo head leads it
        y, y_head = others[1], heads[1]
        review = services.review_create(
            programme=programme,
            host=y,
            framework=general,
            visit_starts_on=ctx.today - dt.timedelta(days=14),
            days=1,
            data_sharing_on=ctx.today - dt.timedelta(days=35),
            report_due_on=ctx.today + dt.timedelta(days=7),
            workshop_on=ctx.today + dt.timedelta(days=21),
            by=manager,
        )
        rows = _team(review, manager, [(head, "lead_reviewer")], host=y_head)
        _clear(rows[0], head)
        review = _to_visit(
            review,
            y_head,
            [(1, "How well do middle leaders check the quality of their subjects?", f"{DEMO} SEF: developing.")],
            f"{DEMO} Three new subject leaders this year; we want to know how well they are supported.",
        )
        focus = review.focus_areas.first()
        services.evidence_add(
            review=review,
            activity="staff_meeting",
            joint=True,
            notes=f"{DEMO} Meetings with the science, history and music leads.",
            focus_area=focus,
            by=head,
        )
        for kind, text in [
            ("www", "Subject leaders have a clear annual monitoring plan."),
            ("ebi", "Even better if subject leaders fed back to teachers after lesson visits."),
        ]:
            finding = services.finding_add(review=review, kind=kind, text=f"{DEMO} {text}", focus_area=focus, by=head)
            services.finding_answer(finding=finding, agreed=True, by=y_head)
        if focus is not None:
            services.focus_area_estimate(focus_area=focus, estimate="Effective", by=head)
        services.review_transition(review=review, to=S.FINDINGS_AGREED, by=y_head)
    if len(others) >= 3:  # 4. next half-term: the head is invited, not yet declared
        review = services.review_create(
            programme=programme,
            host=others[2],
            framework=general,
            visit_starts_on=ctx.today + dt.timedelta(days=45),
            days=1,
            data_sharing_on=ctx.today + dt.timedelta(days=25),
            pre_review_on=ctx.today + dt.timedelta(days=35),
            by=manager,
        )
        rows = _team(review, manager, [(system_leader, "lead_reviewer"), (head, "peer_reviewer")], host=heads[2])
        _clear(rows[0], system_leader)
    return programme


def delete(partnership: Partnership) -> int:
    """Reviews protect schools, programmes and users; the invented heads protect their schools."""
    count = Review.objects.filter(partnership=partnership).delete()[0]
    count += Programme.objects.filter(partnership=partnership).delete()[0]
    count += Protocol.objects.filter(partnership=partnership).delete()[0]
    count += Membership.objects.filter(partnership=partnership, user__email__startswith="peer-head-").delete()[0]
    count += User.objects.filter(email__startswith="peer-head-", email__endswith="@demo.test").delete()[0]
    return count


PEER_REVIEW_STEP = DemoStep(label="Peer review", build=build, delete=delete)
