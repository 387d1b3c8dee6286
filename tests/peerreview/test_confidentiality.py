"""The confidentiality matrix, cell by cell, over HTTP: every role of the partnership, the review's own team
(cleared and not yet cleared), a peer school's head, and another partnership's admin; then each kind of share
grant opening exactly its audience, revocation and expiry closing it again, and the read log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from partnership.models import Membership, Role
from peerreview.models import ReportRead, ReportVersion, SafeguardingConcern, ShareGrant
from tests.conftest import client_for, make_member
from tests.factories import UserFactory
from tests.peerreview.helpers import pr_world

ROLES = [
    "admin",
    "officer",
    "headteacher",
    "chair_of_governors",
    "cluster_lead",
    "alliance_lead",
    "board_member",
    "system_leader",
]
VIEWERS = [*ROLES, "lead", "pending", "peer_head", "other_admin"]

# viewer: (workspace, report, concern to the head, sharing page, concern about the head, timetable)
DEFAULT = {
    "admin": (404, 404, 404, 404, 200, 200),
    "officer": (404, 404, 404, 404, 200, 200),
    "headteacher": (200, 200, 200, 200, 404, 200),
    "chair_of_governors": (404, 404, 404, 404, 404, 200),
    "cluster_lead": (404, 404, 404, 404, 404, 200),
    "alliance_lead": (404, 404, 404, 404, 404, 200),
    "board_member": (404, 404, 404, 404, 404, 200),
    "system_leader": (404, 404, 404, 404, 404, 200),
    "lead": (200, 200, 200, 403, 200, 200),  # raised both concerns; sharing is the host's alone
    "pending": (302, 404, 404, 403, 404, 200),  # sent to declare conflicts first; knows the review exists
    "peer_head": (404, 404, 404, 404, 404, 200),
    "other_admin": (404, 404, 404, 404, 404, 404),
}


def _viewer(w, name: str) -> Membership:
    if name in ROLES:
        return make_member(w, name)
    if name == "lead":
        return w.lead
    if name == "pending":
        return w.pending
    if name == "peer_head":
        return Membership.objects.create(
            user=UserFactory(email="peer-head@home.example.test"),
            partnership=w.home,
            roles=[Role.HEADTEACHER],
            school=w.cluster_school,
        )
    return make_member(w, Role.ADMIN, partnership=w.other)


@pytest.fixture
def pw(world):
    w = pr_world(world)
    w.head_concern = SafeguardingConcern.objects.create(
        review=w.pr_review, raised_by=w.lead.user, concerns_head=True, summary="SECRET-ABOUT-HEAD"
    )
    w.pr_concern.review = w.pr_review
    w.pr_concern.save()
    return w


def _urls(w) -> list[str]:
    return [
        reverse("peerreview:review_detail", args=[w.pr_review.pk]),
        reverse("peerreview:report", args=[w.pr_review.pk]),
        reverse("peerreview:concern_detail", args=[w.pr_concern.pk]),
        reverse("peerreview:sharing", args=[w.pr_review.pk]),
        reverse("peerreview:concern_detail", args=[w.head_concern.pk]),
        reverse("peerreview:programme_detail", args=[w.programme.pk]),
    ]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_default_matrix(pw, viewer):
    client = client_for(_viewer(pw, viewer).user)
    got = tuple(client.get(url).status_code for url in _urls(pw))
    assert got == DEFAULT[viewer], f"{viewer}: {got}"
    timetable = client.get(_urls(pw)[-1])
    for secret in (b"SECRET-EVIDENCE-NOTE", b"SECRET-REPORT-SUMMARY", b"SECRET-CONCERN", b"SECRET-ABOUT-HEAD"):
        assert secret not in timetable.content
    if viewer != "other_admin":
        assert b"Own Primary School" in timetable.content and b"Actions live" in timetable.content


@pytest.mark.parametrize("viewer", VIEWERS)
def test_lists_show_only_what_the_viewer_may_open(pw, viewer):
    """The home page lists the same reviews, reports and concerns the access helpers let through."""
    membership = _viewer(pw, viewer)
    page = client_for(membership.user).get(reverse("peerreview:home"))
    if viewer == "other_admin":
        assert b"Own Primary School" not in page.content
        return
    workspace_link = reverse("peerreview:review_detail", args=[pw.pr_review.pk]).encode()
    assert (workspace_link in page.content) == (viewer in ("headteacher", "lead")), viewer
    concern_link = reverse("peerreview:concern_detail", args=[pw.head_concern.pk]).encode()
    assert (concern_link in page.content) == (viewer in ("admin", "officer", "lead")), viewer


GRANTS = [
    # (artefact, audience, who newly gets 200 on that artefact)
    ("report", "la_officers", {"admin", "officer"}),
    ("report", "governors", {"chair_of_governors"}),
    ("report", "cluster", {"cluster_lead", "peer_head"}),
    ("report", "alliance_lead", {"alliance_lead"}),
    ("report", "person", {"system_leader"}),
    ("evidence", "governors", {"chair_of_governors"}),
    ("evidence", "la_officers", {"admin", "officer"}),
]


@pytest.mark.parametrize(("artefact", "audience", "opened"), GRANTS)
def test_each_grant_opens_exactly_its_audience(pw, artefact, audience, opened):
    viewers = {name: _viewer(pw, name) for name in VIEWERS}
    person = viewers["system_leader"].user if audience == "person" else None
    grant = ShareGrant.objects.create(review=pw.pr_review, artefact=artefact, audience=audience, person=person)
    column = 1 if artefact == "report" else 0
    url = _urls(pw)[column]
    for name, membership in viewers.items():
        expected = 200 if name in opened else DEFAULT[name][column]
        assert client_for(membership.user).get(url).status_code == expected, (name, artefact, audience)
    if artefact == "evidence":  # read only: the evidence is there, no form to change anything
        page = client_for(viewers[next(iter(opened))].user).get(url)
        assert b"SECRET-EVIDENCE-NOTE" in page.content and b"Log evidence" not in page.content
        assert b"SECRET-CONCERN" not in page.content  # the concern list stays restricted
        other_column = client_for(viewers[next(iter(opened))].user).get(_urls(pw)[1])
        assert other_column.status_code == 404  # the evidence grant does not open the report
    grant.revoked_at = timezone.now()
    grant.save()
    for name in opened:
        assert client_for(viewers[name].user).get(url).status_code == DEFAULT[name][column], name


def test_expired_grant_closes(pw):
    officer = make_member(pw, Role.OFFICER)
    grant = ShareGrant.objects.create(review=pw.pr_review, artefact="report", audience="la_officers")
    url = _urls(pw)[1]
    assert client_for(officer.user).get(url).status_code == 200
    grant.expires_on = timezone.localdate() - dt.timedelta(days=1)
    grant.save()
    assert client_for(officer.user).get(url).status_code == 404


def test_reads_by_grantees_are_logged_and_shown_to_the_host(pw):
    officer = make_member(pw, Role.OFFICER)
    head = make_member(pw, Role.HEADTEACHER)
    ShareGrant.objects.create(review=pw.pr_review, artefact="report", audience="la_officers")
    url = _urls(pw)[1]
    client_for(head.user).get(url)
    client_for(pw.lead.user).get(url)
    assert ReportRead.objects.count() == 0  # host and team reads are not logged
    page = client_for(officer.user).get(url)
    assert b"your reading it is recorded" in page.content
    assert list(ReportRead.objects.values_list("user_id", flat=True)) == [officer.user_id]
    sharing = client_for(head.user).get(_urls(pw)[3])
    assert officer.user.email.encode() in sharing.content or str(officer.user).encode() in sharing.content


def test_grantees_see_only_the_latest_agreed_version(pw):
    officer = make_member(pw, Role.OFFICER)
    ShareGrant.objects.create(review=pw.pr_review, artefact="report", audience="la_officers")
    ReportVersion.objects.create(review=pw.pr_review, number=2, summary="DRAFT-TWO", body="draft")
    page = client_for(officer.user).get(_urls(pw)[1])
    assert b"SECRET-REPORT-SUMMARY" in page.content and b"DRAFT-TWO" not in page.content
    assert client_for(officer.user).get(_urls(pw)[1] + "?version=2").status_code == 404
    lead_page = client_for(pw.lead.user).get(_urls(pw)[1])
    assert b"DRAFT-TWO" in lead_page.content  # the team sees the draft


def test_safeguarding_never_reaches_the_report_or_the_rollup(pw):
    head = make_member(pw, Role.HEADTEACHER)
    officer = make_member(pw, Role.OFFICER)
    report = client_for(head.user).get(_urls(pw)[1])
    rollup = client_for(officer.user).get(reverse("peerreview:rollup"))
    for page in (report, rollup):
        assert b"SECRET-CONCERN" not in page.content and b"SECRET-ABOUT-HEAD" not in page.content
    assert b"Own Primary School" not in rollup.content


def test_grant_form_is_the_hosts_and_refuses_strangers(pw):
    head = make_member(pw, Role.HEADTEACHER)
    url = reverse("peerreview:sharing", args=[pw.pr_review.pk])
    response = client_for(head.user).post(
        url, {"artefact": "report", "audience": "person", "person_email": "nobody@nowhere.example"}
    )
    assert (
        response.status_code == 200 and b"Enter the email address of a member of this partnership" in response.content
    )
    response = client_for(head.user).post(url, {"artefact": "report", "audience": "la_officers"})
    assert response.status_code == 302
    assert ShareGrant.objects.filter(review=pw.pr_review, audience="la_officers", created_by=head.user).exists()


# --- a manager cannot make themselves (or an LA colleague) a reader of a review (review of this round) ----------


@pytest.mark.parametrize("role", ["officer", "cluster_lead", "admin"])
def test_a_manager_cannot_add_themselves_to_a_team_and_so_cannot_read_the_review(world, role):
    w = pr_world(world)
    manager = make_member(world, role)
    client = client_for(manager.user)
    assert client.get(reverse("peerreview:review_detail", args=[w.pr_planned.pk])).status_code == 404
    before = w.pr_planned.team.count()
    response = client.post(
        reverse("peerreview:review_team", args=[w.pr_planned.pk]), {"email": manager.user.email, "role": "observer"}
    )
    assert response.status_code in (200, 403)  # the form again with its error, or refused: never a new member
    assert w.pr_planned.team.count() == before
    assert client.get(reverse("peerreview:review_detail", args=[w.pr_planned.pk])).status_code == 404


def test_only_the_host_adds_someone_from_no_school_and_the_host_hears_of_every_addition(world, mailoutbox):
    from peerreview import services

    w = pr_world(world)
    officer = make_member(world, "officer")
    colleague = Membership.objects.create(
        user=UserFactory(email="la-colleague@home.example.test"), partnership=world.home, roles=[Role.OFFICER]
    )
    with pytest.raises(ValidationError, match="Only the host head"):
        services.team_member_add(review=w.pr_planned, user=colleague.user, role="observer", by=officer)
    head = make_member(world, "headteacher")  # the host school's head (make_member attaches the own school)
    peer = Membership.objects.create(
        user=UserFactory(email="peer-reviewer@home.example.test"),
        partnership=world.home,
        roles=[Role.HEADTEACHER],
        school=world.outside_school,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.team_member_add(review=w.pr_planned, user=peer.user, role="peer_reviewer", by=officer)
    told = [m for m in mailoutbox if "was added to the peer review" in m.subject]
    assert told and head.user.email in told[0].to
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.team_member_add(review=w.pr_planned, user=colleague.user, role="observer", by=head)  # the host may
    assert w.pr_planned.team.filter(user=colleague.user).exists()


def test_estimates_are_fixed_once_the_host_has_agreed_the_report(world):
    w = pr_world(world)
    lead = client_for(w.lead.user)
    response = lead.post(
        reverse("peerreview:focus_estimate", args=[w.pr_focus.pk]), {f"e{w.pr_focus.pk}-estimate": "Ineffective"}
    )
    assert response.status_code in (200, 302, 403)
    w.pr_focus.refresh_from_db()
    assert w.pr_focus.estimate != "Ineffective"
