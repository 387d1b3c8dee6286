"""Notes of visit (issue #14 item 10): record, share, respond, promote to soft intelligence, and visits due by
category, for every role they serve; bad input gets a clear error and loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from partnership.models import Role
from schools.risk.models import IntelligenceEntry
from schools.visits import selectors, services
from schools.visits.models import Visit, VisitPoint
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory
from tests.visits.helpers import action, agree_categories, officer_of, record, school_person, share

TODAY = timezone.localdate


@pytest.fixture
def queued(monkeypatch):
    """The emails the services queue (event, visit id), instead of a broker."""
    sent: list[tuple[str, int]] = []

    def enqueue(*, visit_id: int, event: str, base_url: str) -> bool:
        sent.append((event, visit_id))
        return True

    monkeypatch.setattr(services, "visit_email_enqueue", enqueue)
    return sent


def _form(**changes) -> dict:
    data = {
        "visited_on": (TODAY() - dt.timedelta(days=2)).isoformat(),
        "purpose": "link",
        "focus": "Attendance of disadvantaged pupils",
        "attendees": "Headteacher\nAttendance lead",
        "notes": "Persistent absence is falling; the new first-day calling routine is working.",
    }
    for i in (1, 2, 3):
        data |= {f"action_{i}": "", f"owner_{i}": "", f"due_{i}": ""}
    return data | changes


# ------------------------------------------------------------------------------------------------ recording


def test_officer_records_a_draft_with_actions_that_the_school_cannot_see_yet(world):
    officer_m = make_member(world, Role.OFFICER)
    officer = client_for(officer_m.user)
    due = (TODAY() + dt.timedelta(days=40)).isoformat()
    response = officer.post(
        reverse("visits:create", args=[world.own_school.urn]),
        _form(action_1="Send the attendance policy to governors", owner_1="Headteacher", due_1=due),
    )
    visit = Visit.objects.get(school=world.own_school)
    assert response.status_code == 302 and response.url == reverse("visits:detail", args=[visit.pk])
    assert visit.state == Visit.State.DRAFT and visit.visitor == officer_m.user
    assert [(a.action, a.owner, a.due_on.isoformat()) for a in visit.actions.all()] == [
        ("Send the attendance policy to governors", "Headteacher", due)
    ]
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    assert head.get(reverse("visits:detail", args=[visit.pk])).status_code == 404
    page = head.get(reverse("visits:school", args=[world.own_school.urn]))
    assert b"Attendance of disadvantaged pupils" not in page.content


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"visited_on": "2999-01-01"}, "visited_on", "Date of the visit must be today or in the past"),
        ({"visited_on": "31/02/2026"}, "visited_on", "Date of the visit must be a real date"),
        ({"visited_on": ""}, "visited_on", "Enter the date of the visit"),
        ({"purpose": "party"}, "purpose", "Select the purpose of the visit"),
        ({"notes": ""}, "notes", "Enter the notes of the visit"),
        ({"action_1": "Write a plan", "due_1": "2099-01-01"}, "owner_1", "Enter who owns action 1"),
        ({"action_2": "Write a plan", "owner_2": "Head"}, "due_2", "Enter the date action 2 is due"),
        ({"owner_1": "Head", "due_1": "2099-01-01"}, "action_1", "Enter agreed action 1, or clear its owner and date"),
        (
            {"action_1": "Write a plan", "owner_1": "Head", "due_1": "2001-01-01"},
            "due_1",
            "Date action 1 is due must be on or after the date of the visit",
        ),
        ({"focus": "x" * 201}, "focus", "Focus of the visit must be 200 characters or fewer"),
    ],
)
def test_bad_input_gets_a_clear_error_and_loses_nothing(world, changes, field, message):
    officer = client_for(make_member(world, Role.OFFICER).user)
    data = _form(**changes)
    response = officer.post(reverse("visits:create", args=[world.own_school.urn]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()  # the error summary and the field say it
    assert "Persistent absence is falling" in response.content.decode() or field == "notes"
    assert not Visit.objects.exists()


def test_hostile_strings_are_shown_as_text(world, queued):
    officer_m = make_member(world, Role.OFFICER)
    hostile = '<script>alert("x")</script> =HYPERLINK("http://evil")'
    visit = share(
        record(world.own_school, officer_m, focus=hostile, notes=hostile, actions=[action(hostile, hostile)]),
        officer_m,
    )
    for member in (officer_m, make_member(world, Role.HEADTEACHER)):
        page = client_for(member.user).get(reverse("visits:detail", args=[visit.pk])).content.decode()
        assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    with pytest.raises(ValidationError):  # a NUL byte never reaches the database
        record(world.own_school, officer_m, notes="bad\x00byte")


def test_only_officers_record_and_only_in_their_partnership(world):
    head = make_member(world, Role.HEADTEACHER)
    with pytest.raises(PermissionDenied):
        record(world.own_school, head)
    with pytest.raises(ValidationError):
        record(world.other_school, officer_of(world.home))


# ------------------------------------------------------------------------------- sharing and responding


def test_share_then_head_and_chair_respond_and_the_other_side_is_emailed(
    world, queued, django_capture_on_commit_callbacks
):
    officer_m = make_member(world, Role.OFFICER)
    visit = record(world.own_school, officer_m, actions=[action()])
    officer = client_for(officer_m.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("visits:share", args=[visit.pk]))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.state == Visit.State.SHARED and visit.shared_by == officer_m.user and visit.shared_at
    assert queued == [("shared", visit.pk)]

    head_m, chair_m = make_member(world, Role.HEADTEACHER), make_member(world, Role.CHAIR_OF_GOVERNORS)
    head = client_for(head_m.user)
    page = head.get(reverse("visits:detail", args=[visit.pk]))
    assert b"Respond to the note of visit" in page.content
    url = reverse("visits:respond", args=[visit.pk])
    refused = head.post(url, {"accurate": "no", "reply": "  "})
    assert refused.context["form"].errors["reply"] == ["Enter what is not accurate in the note"]
    assert head.post(url, {"accurate": "", "reply": ""}).context["form"].errors["accurate"] == [
        "Select whether the note is accurate"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert head.post(url, {"accurate": "no", "reply": "Year 1 groups are 15, not 25."}).status_code == 302
    visit.refresh_from_db()
    assert visit.state == Visit.State.RESPONDED
    assert queued[-1] == ("responded", visit.pk)
    again = head.post(url, {"accurate": "yes", "reply": ""})
    assert again.status_code == 200 and "You have already responded" in again.content.decode()
    assert head.get(url).status_code == 302  # the form is not offered twice

    chair = client_for(chair_m.user)
    assert chair.post(url, {"accurate": "yes", "reply": "Agreed."}).status_code == 302
    responses = list(visit.responses.order_by("pk"))
    assert [(r.role, r.accurate) for r in responses] == [("Headteacher", False), ("Chair of governors", True)]
    page = officer.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Year 1 groups are 15, not 25." in page and "Not accurate" in page


def test_a_shared_note_is_never_changed(world, queued):
    officer_m = make_member(world, Role.OFFICER)
    visit = share(record(world.own_school, officer_m, actions=[action()]), officer_m)
    officer = client_for(officer_m.user)
    response = officer.get(reverse("visits:edit", args=[visit.pk]))
    assert response.status_code == 302  # back to the note, with the reason
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.visit_update(
            visit=visit, by=officer_m, visited_on=TODAY(), purpose="link", focus="x", attendees="x", notes="changed"
        )
    with pytest.raises(ValidationError):
        services.visit_action_add(visit=visit, by=officer_m, action="x", owner="y", due_on=TODAY())
    with pytest.raises(ValidationError):
        services.visit_action_remove(action=visit.actions.get(), by=officer_m)
    with pytest.raises(ValidationError):  # not shared twice
        share(visit, officer_m)


def test_the_table_says_who_moves_a_note(world, queued):
    officer_m = make_member(world, Role.OFFICER)
    head_m = make_member(world, Role.HEADTEACHER)
    visit = record(world.own_school, officer_m)
    with pytest.raises(PermissionDenied):
        share(visit, head_m)
    with pytest.raises(ValidationError):  # a draft cannot be answered
        services.visit_transition(obj=visit, to="responded", by=head_m, base_url="/", accurate=True)
    share(visit, officer_m)
    with pytest.raises(PermissionDenied):  # the officer does not answer for the school
        services.visit_transition(obj=visit, to="responded", by=officer_m, base_url="/", accurate=True)
    other_head = school_person(world.cluster_school)
    with pytest.raises(PermissionDenied):
        services.visit_transition(obj=visit, to="responded", by=other_head, base_url="/", accurate=True)


def test_other_schools_heads_and_other_partnerships_get_404(world, queued):
    officer_m = make_member(world, Role.OFFICER)
    visit = share(record(world.own_school, officer_m), officer_m)
    other_head = client_for(school_person(world.cluster_school).user)
    assert other_head.get(reverse("visits:detail", args=[visit.pk])).status_code == 404
    assert other_head.get(reverse("visits:school", args=[world.own_school.urn])).status_code == 404
    assert other_head.get(reverse("visits:respond", args=[visit.pk])).status_code == 404
    other_officer = client_for(officer_of(world.other).user)
    assert other_officer.get(reverse("visits:detail", args=[visit.pk])).status_code == 404
    assert other_officer.post(reverse("visits:share", args=[visit.pk])).status_code == 404


def test_emails_go_to_the_schools_head_and_chair_then_to_the_officer(world, queued):
    officer_m = make_member(world, Role.OFFICER)
    head_m, chair_m = make_member(world, Role.HEADTEACHER), make_member(world, Role.CHAIR_OF_GOVERNORS)
    school_person(world.cluster_school)  # another school's head: never told
    visit = share(record(world.own_school, officer_m, notes="Confidential detail"), officer_m)
    assert services.visit_email_send(visit_id=visit.pk, event="shared", base_url="https://p.example/") == 2
    message = mail.outbox[-1]
    assert sorted(message.to) == sorted([head_m.user.email, chair_m.user.email])
    assert f"https://p.example/visits/{visit.pk}/" in message.body and "Confidential detail" not in message.body
    services.visit_transition(obj=visit, to="responded", by=head_m, base_url="/", accurate=True)
    assert services.visit_email_send(visit_id=visit.pk, event="responded", base_url="https://p.example/") == 1
    assert mail.outbox[-1].to == [officer_m.user.email]


def test_sharing_queues_the_email_task_on_the_email_queue_after_commit(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    class FakeTask:
        def apply_async(self, args, retry):
            calls.append(args)

    monkeypatch.setattr(services, "task_named", lambda name: calls.append(name) or FakeTask())
    officer_m = make_member(world, Role.OFFICER)
    visit = record(world.own_school, officer_m)
    with django_capture_on_commit_callbacks(execute=True):
        share(visit, officer_m)
    assert calls == [services.VISIT_EMAIL_TASK, [visit.pk, "shared", "http://testserver/"]]
    from partnership.queues import EMAIL, queue_kind

    assert queue_kind(services.VISIT_EMAIL_TASK) == EMAIL


# ------------------------------------------------------------------------------ soft intelligence


def test_a_point_is_promoted_to_soft_intelligence_and_linked_both_ways(world, queued):
    officer_m = make_member(world, Role.OFFICER)
    visit = share(record(world.own_school, officer_m, days_ago=5), officer_m)
    officer = client_for(officer_m.user)
    url = reverse("visits:promote", args=[visit.pk])
    refused = officer.post(url, {"kind": "staffing", "rating": "", "summary": "", "evidence": "x"})
    assert refused.context["form"].errors["rating"] == ["Select the rating"]
    assert refused.context["form"].errors["summary"] == ["Enter the summary"]
    response = officer.post(
        url,
        {
            "kind": "staffing",
            "rating": "amber",
            "summary": "Two long-term absences in Year 6",
            "evidence": "Said by the head.",
        },
    )
    assert response.status_code == 302
    entry = IntelligenceEntry.objects.get(school=world.own_school)
    assert entry.recorded_on == visit.visited_on and entry.recorded_by == officer_m.user
    assert "From the note of visit of" in entry.evidence
    assert entry.visit_point.visit == visit  # visit → entry and entry → visit
    assert VisitPoint.objects.get(visit=visit).entry == entry
    detail = officer.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Two long-term absences in Year 6" in detail
    listing = officer.get(reverse("risk:intelligence_list", args=[world.own_school.urn])).content.decode()
    assert reverse("visits:detail", args=[visit.pk]) in listing
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    assert head.get(url).status_code == 403


# ---------------------------------------------------------------------------------------- visits due


def test_visits_due_follow_the_agreed_category_and_the_settings(world, queued):
    officer_m = make_member(world, Role.OFFICER)
    cat3, cat1, cat4, quiet = world.own_school, world.cluster_school, world.outside_school, world.isolated_school
    agree_categories(
        world.home, {cat3.pk: 3, cat1.pk: 1, cat4.pk: 4, quiet.pk: 2}, agreed_on=TODAY() - dt.timedelta(days=130)
    )
    record(cat3, officer_m, days_ago=200)  # termly: due after 122 days → overdue
    record(cat1, officer_m, days_ago=200)  # yearly: not due for another 165 days
    # cat4 never visited: due 122 days after the category was agreed (130 days ago) → overdue
    record(quiet, officer_m, days_ago=10)
    overdue = selectors.visit_schedule(membership=officer_m, show="overdue")
    assert [r.school for r in overdue] == [cat3, cat4]  # the most overdue first
    assert overdue[0].due_on == TODAY() - dt.timedelta(days=200 - 122) and overdue[0].days_overdue == 78
    assert overdue[1].last_visit_on is None
    assert selectors.overdue_count(membership=officer_m) == 2  # counted in the database, as the schedule lists

    officer = client_for(officer_m.user)
    home = officer.get(reverse("partnership:home")).content.decode()
    assert "school visits overdue" in home
    page = officer.get(reverse("visits:due")).content.decode()
    assert cat3.name in page and cat4.name in page and cat1.name not in page
    names = selectors.category_names(membership=officer_m)
    assert names[3] and f"3 {names[3]}" in page  # the rule set's own name for the category
    assert f"Category 3: {names[3]}" in officer.get(reverse("visits:settings")).content.decode()

    response = officer.post(
        reverse("visits:settings"),
        {
            "category_1": "termly",
            "category_2": "yearly",
            "category_3": "termly",
            "category_4": "half_termly",
            "uncategorised": "none",
        },
    )
    assert response.status_code == 302
    overdue = selectors.visit_schedule(membership=officer_m, show="overdue")
    assert {r.school for r in overdue} == {cat3, cat4, cat1}
    assert selectors.overdue_count(membership=officer_m) == 3
    assert "school visits overdue" in officer.get(reverse("partnership:home")).content.decode()
    head_m = make_member(world, Role.HEADTEACHER)
    assert selectors.overdue_count(membership=head_m) == 0
    assert client_for(head_m.user).get(reverse("visits:due")).status_code == 403


def test_settings_refuse_an_unknown_frequency(world):
    officer = client_for(make_member(world, Role.OFFICER).user)
    response = officer.post(reverse("visits:settings"), {"category_1": "daily"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["category_1"] == ["Select how often to visit schools in category 1"]
    assert errors["uncategorised"] == ["Select how often to visit schools with no agreed category"]


def test_a_school_with_no_agreed_category_has_no_routine_visit_by_default(world):
    officer_m = make_member(world, Role.OFFICER)
    SchoolFactory(partnership=world.home, name="Brand New Free School")
    assert selectors.visit_schedule(membership=officer_m, show="all") == []


# ------------------------------------------------------------------------------------- school page, home


def test_the_school_page_shows_visits_to_officers_and_the_schools_own_people_only(world, queued):
    officer_m = make_member(world, Role.OFFICER)
    share(record(world.own_school, officer_m, focus="Maths mastery review"), officer_m)
    record(world.own_school, officer_m, focus="Draft about governance")
    url = reverse("schools:detail", args=[world.own_school.urn])
    officer_page = client_for(officer_m.user).get(url).content.decode()
    assert "Notes of visit" in officer_page and "Draft about governance" in officer_page
    assert "Record a visit" in officer_page and "Next visit due" in officer_page
    head_m = make_member(world, Role.HEADTEACHER)
    head_page = client_for(head_m.user).get(url).content.decode()
    assert "Maths mastery review" in head_page and "Draft about governance" not in head_page
    assert "1 note of visit waits for your response" in head_page
    lead_page = client_for(make_member(world, Role.CLUSTER_LEAD).user).get(url).content.decode()
    assert "Notes of visit" not in lead_page
    home = client_for(head_m.user).get(reverse("partnership:home")).content.decode()
    assert "notes of visit to read and respond to" in home


def test_the_email_task_is_registered_under_its_name_and_sends(world, queued):
    from partnership.celery import task_named
    from schools.visits.tasks import visit_email_task

    assert task_named(services.VISIT_EMAIL_TASK).name == visit_email_task.name == services.VISIT_EMAIL_TASK
    officer_m = make_member(world, Role.OFFICER)
    head_m = make_member(world, Role.HEADTEACHER)
    visit = share(record(world.own_school, officer_m), officer_m)
    assert visit_email_task.apply(args=[visit.pk, "shared", "http://testserver/"]).get() == 1
    assert mail.outbox[-1].to == [head_m.user.email]


def test_an_entry_already_recorded_is_linked_to_the_visit_it_came_from(world):
    officer_m = make_member(world, Role.OFFICER)
    visit = record(world.own_school, officer_m, days_ago=10)

    def entry(school, days_ago: int) -> IntelligenceEntry:
        return IntelligenceEntry.objects.create(
            partnership=school.partnership,
            school=school,
            kind="staffing",
            rating="amber",
            recorded_on=TODAY() - dt.timedelta(days=days_ago),
            summary="s",
            evidence="e",
        )

    with pytest.raises(ValidationError, match="about the school visited"):
        services.visit_point_link(visit=visit, entry=entry(world.cluster_school, 5), by=officer_m)
    with pytest.raises(ValidationError, match="on or after the day of the visit"):
        services.visit_point_link(visit=visit, entry=entry(world.own_school, 20), by=officer_m)
    linked = entry(world.own_school, 10)
    assert services.visit_point_link(visit=visit, entry=linked, by=officer_m).entry == linked
    with pytest.raises(ValidationError, match="already linked"):
        services.visit_point_link(visit=visit, entry=linked, by=officer_m)
    with pytest.raises(PermissionDenied):
        services.visit_point_link(
            visit=visit, entry=entry(world.own_school, 1), by=make_member(world, Role.HEADTEACHER)
        )


def test_a_link_advisers_own_overdue_schools_come_first_on_their_list(world):
    officer_m = make_member(world, Role.OFFICER)
    colleague = officer_of(world.home, email="colleague@example.test")
    cat3, cat4 = world.own_school, world.outside_school
    agree_categories(world.home, {cat3.pk: 3, cat4.pk: 4}, agreed_on=TODAY() - dt.timedelta(days=130))
    officer = client_for(officer_m.user)
    url = reverse("visits:adviser", args=[cat3.urn])
    assert officer.post(url, {"adviser": str(officer_m.user_id)}).status_code == 302
    services.link_adviser_set(school=cat4, adviser_id=colleague.user_id, by=officer_m)
    mine = selectors.visit_schedule(membership=officer_m, show="overdue", mine=True)
    assert [(r.school, r.adviser_email) for r in mine] == [(cat3, officer_m.user.email)]
    assert len(selectors.visit_schedule(membership=officer_m, show="overdue")) == 2
    items = {item.text: item.count for item in selectors.home_work_items(membership=officer_m)}
    assert items["overdue visits to schools you are link adviser for"] == 1 and items["school visits overdue"] == 2
    home = officer.get(reverse("partnership:home")).content.decode()
    assert "overdue visits to schools you are link adviser for" in home and "school visits overdue" in home
    page = officer.get(reverse("visits:due") + "?mine=1").content.decode()
    assert cat3.name in page and cat4.name not in page
    school_page = officer.get(reverse("visits:school", args=[cat3.urn])).content.decode()
    assert "Link adviser" in school_page and officer_m.user.email in school_page

    head = school_person(world.cluster_school)
    refused = officer.post(url, {"adviser": str(head.user_id)})  # not an officer: not even offered
    assert refused.status_code == 302
    with pytest.raises(ValidationError, match="Choose an LA officer"):
        services.link_adviser_set(school=cat3, adviser_id=head.user_id, by=officer_m)
    with pytest.raises(ValidationError, match="Choose an LA officer"):
        services.link_adviser_set(school=cat3, adviser_id=officer_of(world.other).user_id, by=officer_m)
    assert officer.post(url, {"adviser": ""}).status_code == 302
    assert selectors.visit_schedule(membership=officer_m, show="overdue", mine=True) == []
