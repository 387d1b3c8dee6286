"""The anonymised roll-up (small cells suppressed in the selector) and the facts other apps read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partnership.models import Role
from peerreview import selectors
from peerreview.models import (
    Action,
    ExcellenceEntry,
    Finding,
    FocusArea,
    Programme,
    Review,
    SafeguardingConcern,
    TeamMember,
)
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory
from tests.peerreview.helpers import general, make_review, pr_world

S = Review.State


def _reviews(w, n: int) -> list[Review]:
    programme = Programme.objects.create(
        partnership=w.home,
        name=f"Grown {n}",
        academic_year=selectors.academic_year_of(timezone.localdate()),
        scope="partnership",
    )
    theme = general().themes.get(order=2)
    made = []
    for i in range(n):
        school = SchoolFactory(partnership=w.home, name=f"Rollup school {i}")
        review = make_review(programme, school, S.FINDINGS_AGREED, visit=timezone.localdate() - dt.timedelta(days=2))
        focus = FocusArea.objects.create(review=review, theme=theme, title="x", estimate="Effective")
        Finding.objects.create(review=review, focus_area=focus, kind="www", text="t", agreed=True)
        Finding.objects.create(review=review, focus_area=focus, kind="ebi", text="not agreed", agreed=False)
        made.append(review)
    return made


def test_small_cells_are_suppressed_and_say_so(world):
    officer = make_member(world, Role.OFFICER)
    _reviews(world, 2)
    rollup = selectors.review_rollup(membership=officer)
    assert rollup.reviews_held.count is None and rollup.reviews_held.shown == "fewer than 3"
    assert rollup.suppressed_any
    assert all(row.count is None for row in rollup.themes)
    page = client_for(officer.user).get(reverse("peerreview:rollup"))
    assert b"fewer than 3" in page.content and b"Rollup school" not in page.content


def test_cells_at_the_minimum_are_shown(world, settings):
    board = make_member(world, Role.BOARD_MEMBER)
    _reviews(world, 3)
    rollup = selectors.review_rollup(membership=board)
    assert rollup.reviews_held.count == 3
    assert [(r.label, r.count) for r in rollup.themes] == [("Curriculum, teaching and assessment", 3)]
    assert [(r.label, r.count) for r in rollup.estimates] == [("Effective", 3)]
    title, cells = rollup.findings[0]
    assert [(c.label, c.count) for c in cells] == [
        ("What went well", 3),
        ("Even better if", 0),
        ("Area of excellence", 0),  # the unagreed EBIs not counted
    ]
    settings.PEER_REVIEW_MIN_CELL = 5
    assert selectors.review_rollup(membership=board).reviews_held.count is None


def test_cluster_lead_rollup_counts_only_their_clusters(world):
    _reviews(world, 3)  # none in the lead's cluster
    lead = make_member(world, Role.CLUSTER_LEAD)
    rollup = selectors.review_rollup(membership=lead)
    assert rollup.reviews_held.count == 0 and rollup.schools_in_scope == 2


def test_facts_for_brokerage_health_checks_and_risk(world):
    w = pr_world(world)
    today = timezone.localdate()
    assert list(selectors.support_needed_actions(partnership=w.home)) == [w.pr_action]
    assert selectors.support_needed_actions(partnership=w.other).count() == 0
    assert set(selectors.reviews_of_school_within(school=w.own_school, since=today - dt.timedelta(days=365))) == {
        w.pr_review,
        w.pr_visit,
        w.pr_planned,
        w.pr_draft,
    }
    days = list(selectors.review_team_days(partnership=w.home, academic_year=selectors.academic_year_of(today)))
    assert {(d["user_id"], d["host_id"], d["days"]) for d in days} >= {(w.lead.user_id, w.own_school.pk, 1)}
    coverage = selectors.cluster_review_coverage(partnership=w.home, academic_year=selectors.academic_year_of(today))
    assert coverage[w.cluster.pk] == (2, 1)  # own school reviewed (a visit held), the peer school not
    Action.objects.create(
        review=w.pr_review, description="late", owner="o", success_criteria="s", due_on=today - dt.timedelta(days=3)
    )
    Action.objects.create(
        review=w.pr_review,
        description="on time",
        owner="o",
        success_criteria="s",
        due_on=today - dt.timedelta(days=3),
        status="completed",
        completed_on=today - dt.timedelta(days=4),
    )
    assert selectors.cluster_actions_on_time(partnership=w.home)[w.cluster.pk] == (2, 1)
    assert selectors.overdue_action_counts(partnership=w.home) == {w.own_school.pk: 1}
    assert selectors.last_agreed_review_dates(partnership=w.home) == {w.own_school.pk: w.pr_review.report_agreed_on}
    never = set(selectors.schools_without_review_since(partnership=w.home, since=today - dt.timedelta(days=730)))
    assert w.own_school.pk not in never and w.cluster_school.pk in never


def test_excellence_directory_search_and_opt_in(world):
    w = pr_world(world)
    head = make_member(w, Role.HEADTEACHER)
    finding = Finding.objects.create(review=w.pr_review, kind="excellence", text="Early reading", agreed=True)
    response = client_for(head.user).post(
        reverse("peerreview:excellence_add"),
        {
            "finding": finding.pk,
            "title": "Early reading",
            "description": "Phonics from day one",
            "contact_name": "Reading lead",
            "contact_email": "reading@own.example.test",
        },
    )
    assert response.status_code == 302
    entry = ExcellenceEntry.objects.get()
    assert entry.school == w.own_school and entry.review == w.pr_review
    assert list(selectors.excellence_directory(partnership=w.home, query="phonics")) == [entry]
    assert list(selectors.excellence_directory(partnership=w.home, query="own primary")) == [entry]
    assert not selectors.excellence_directory(partnership=w.home, query="maths").exists()
    assert not selectors.excellence_directory(partnership=w.other).exists()
    board = make_member(w, Role.BOARD_MEMBER)
    page = client_for(board.user).get(reverse("peerreview:excellence") + "?q=phonics")
    assert b"Early reading" in page.content and b"Own Primary School" in page.content
    empty = client_for(head.user).post(reverse("peerreview:excellence_add"), {})
    assert b"There is a problem" in empty.content


@pytest.mark.parametrize("role", [Role.HEADTEACHER])
def test_workspace_form_errors_keep_the_input(world, role):
    w = pr_world(world)
    head = make_member(w, role)
    url = reverse("peerreview:evidence_add", args=[w.pr_visit.pk])
    response = client_for(head.user).post(url, {"evidence-activity": "lesson_visit", "evidence-notes": "KEEP-ME"})
    assert response.status_code == 200
    assert b"Select yes if it was done jointly with host staff" in response.content
    assert b"KEEP-ME" in response.content and b"<title>Error: " in response.content


def test_uncleared_member_is_sent_to_declare_and_then_sees_the_review(world):
    w = pr_world(world)
    client = client_for(w.pending.user)
    response = client.get(reverse("peerreview:review_detail", args=[w.pr_review.pk]))
    assert response.url == reverse("peerreview:team_declare", args=[w.pr_pending.pk])
    page = client.get(response.url)
    assert b"confidentiality clause" in page.content
    response = client.post(response.url, {"no_conflicts": "on", "accept_confidentiality": "on"})
    assert response.status_code == 302
    assert client.get(reverse("peerreview:review_detail", args=[w.pr_review.pk])).status_code == 200
    TeamMember.objects.filter(pk=w.pr_pending.pk).update(removed_at=timezone.now())
    assert client.get(reverse("peerreview:review_detail", args=[w.pr_review.pk])).status_code == 404


def test_the_cluster_page_shows_its_review_programme_without_content(world):
    w = pr_world(world)
    lead = make_member(w, Role.CLUSTER_LEAD)
    page = client_for(lead.user).get(reverse("clusters:detail", args=[w.cluster.pk]))
    assert b"Peer review programme" in page.content and b"Esher cluster reviews" in page.content
    assert b"Actions live" in page.content and b"SECRET" not in page.content


def test_board_kpi_and_work_queue(world):
    w = pr_world(world)
    year = selectors.academic_year_of(w.pr_review.visit_starts_on)
    share = selectors.kpi_peer_reviewed_share(partnership_id=w.home.pk)
    open_schools = w.home.schools.filter(status__startswith="Open").count()
    assert share == {year: round(100 / open_schools, 1)}  # one school, two held reviews, counted once
    officer = make_member(w, Role.OFFICER)
    SafeguardingConcern.objects.create(review=w.pr_review, raised_by=w.lead.user, concerns_head=True, summary="x")
    items = {text: count for count, text, _ in selectors.work_queue_items(membership=officer)}
    assert items["Safeguarding concerns from peer reviews about a head (LADO)"] == 1
    head_items = {text for _, text, _ in selectors.work_queue_items(membership=make_member(w, Role.HEADTEACHER))}
    assert "Safeguarding concerns from peer reviews about a head (LADO)" not in head_items


def test_home_work_queue_lines(world):
    w = pr_world(world)
    officer = make_member(w, Role.OFFICER)
    page = client_for(officer.user).get(reverse("partnership:home"))
    open_schools = w.home.schools.filter(status__startswith="Open").exclude(pk=w.own_school.pk).count()
    assert f"Open schools with no agreed peer review in 24 months: {open_schools}".encode() in page.content
    head = make_member(w, Role.HEADTEACHER)
    page = client_for(head.user).get(reverse("partnership:home"))
    assert b"Peer review reports waiting for your agreement: 1" in page.content  # the draft report
    assert b"Peer review findings waiting for your answer: 1" in page.content
    page = client_for(w.pending.user).get(reverse("partnership:home"))
    assert b"Peer reviews waiting for your declaration of interests: 1" in page.content


def test_a_cell_counted_from_one_school_is_suppressed_even_when_its_count_is_large(world):
    """Review finding: three agreed findings from one review showed "3" beside "Schools reviewed: fewer than 3"."""
    from peerreview.models import Finding

    w = pr_world(world)
    officer = make_member(world, Role.OFFICER)
    for text in ("One", "Two", "Three"):
        Finding.objects.create(review=w.pr_review, focus_area=w.pr_focus, kind="ebi", text=text, agreed=True)
    rollup = selectors.review_rollup(membership=officer, year=_year_of(w.pr_review))
    cells = [c for _, row in rollup.findings for c in row]
    assert cells and all(c.count in (None, 0) for c in cells)
    assert all(r.count in (None, 0) for r in rollup.themes)


def _year_of(review) -> int:
    from peerreview.selectors import academic_year_of

    return academic_year_of(review.visit_starts_on)
