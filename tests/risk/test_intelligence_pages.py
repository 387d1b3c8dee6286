"""Soft intelligence pages: who sees which entries, the officers' form, archiving, and escaping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partnership.models import Role
from schools.risk.models import IntelligenceEntry, RiskRun
from tests.conftest import client_for, make_member
from tests.risk.helpers import entry

HOSTILE = '<script>alert("x")</script> & "quotes" \'single\' =HYPERLINK("http://evil")'


def _list(client, school):
    return client.get(reverse("risk:intelligence_list", args=[school.urn]))


@pytest.fixture
def entries(world):
    return {
        "open": entry(world.own_school, summary="Open governance concern"),
        "secret": entry(
            world.own_school,
            kind=IntelligenceEntry.Kind.SAFEGUARDING,
            rating=IntelligenceEntry.Rating.RED,
            summary="Confidential safeguarding allegation",
            evidence="Referral to the LADO",
            confidential=True,
        ),
        "archived": entry(world.own_school, summary="Old archived note", archived_at=timezone.now()),
    }


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICER])
def test_officers_see_every_current_entry_including_confidential(world, entries, role):
    response = _list(client_for(make_member(world, role).user), world.own_school)
    assert response.status_code == 200
    assert b"Open governance concern" in response.content
    assert b"Confidential safeguarding allegation" in response.content
    assert b"Referral to the LADO" in response.content
    assert b"Old archived note" not in response.content
    assert b"Add an entry" in response.content


def test_a_headteacher_never_sees_a_confidential_entry_even_of_their_own_school(world, entries):
    head = make_member(world, Role.HEADTEACHER)
    assert head.school == world.own_school
    response = _list(client_for(head.user), world.own_school)
    assert response.status_code == 200
    assert b"Open governance concern" in response.content
    assert b"Confidential safeguarding allegation" not in response.content
    assert b"Referral to the LADO" not in response.content
    assert b"Add an entry" not in response.content
    assert b"Archive" not in response.content


@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.CLUSTER_LEAD, Role.ALLIANCE_LEAD, Role.SYSTEM_LEADER])
def test_other_schools_intelligence_is_not_found(world, entries, role):
    entry(world.cluster_school, summary="Peer school's finance deficit")
    response = _list(client_for(make_member(world, role).user), world.cluster_school)
    assert response.status_code == 404
    assert b"finance deficit" not in response.content


def test_another_partnerships_school_and_entries_answer_404(world):
    other = entry(world.other_school, summary="Camden secret")
    client = client_for(make_member(world, Role.ADMIN).user)
    assert _list(client, world.other_school).status_code == 404
    add = reverse("risk:intelligence_add", args=[world.other_school.urn])
    assert client.get(add).status_code == 404
    assert client.post(add, _valid()).status_code == 404
    assert client.post(reverse("risk:intelligence_archive", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.archived_at is None
    assert not IntelligenceEntry.objects.filter(school=world.other_school).exclude(pk=other.pk).exists()


def _valid(**overrides) -> dict:
    data = {
        "kind": IntelligenceEntry.Kind.HEAD_ACTING,
        "rating": IntelligenceEntry.Rating.AMBER,
        "recorded_on": "2025-05-12",
        "summary": "Deputy is acting head while the head is on long-term leave",
        "evidence": "Email from the chair of governors, 12 May",
        "confidential": "on",
    }
    data.update(overrides)
    return data


def test_an_officer_records_an_entry_and_a_recomputation_is_queued(world, django_capture_on_commit_callbacks):
    officer = make_member(world, Role.OFFICER)
    client = client_for(officer.user)
    url = reverse("risk:intelligence_add", args=[world.own_school.urn])
    form = client.get(url)
    assert form.status_code == 200 and b"Add an entry" in form.content
    response = client.post(url, _valid(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("risk:intelligence_list", args=[world.own_school.urn])
    assert b"Entry recorded" in response.content
    saved = IntelligenceEntry.objects.get(school=world.own_school)
    assert (saved.kind, saved.rating, saved.recorded_on, saved.confidential) == (
        "head_acting",
        "amber",
        dt.date(2025, 5, 12),
        True,
    )
    assert saved.engine_kind == "head"
    assert saved.recorded_by == officer.user and saved.created_by == officer.user
    assert saved.partnership == world.home
    run = RiskRun.objects.get(partnership=world.home)
    assert (run.state, run.trigger, run.school_ids) == ("queued", "intelligence", [world.own_school.pk])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "", "Select what the intelligence is about"),
        ("kind", "gossip", "Select a kind"),
        ("rating", "", "Select a rating"),
        ("recorded_on", "", "Enter the date"),
        ("recorded_on", "2025-02-30", "Date must be a real date"),
        ("recorded_on", "2999-01-01", "Date must be today or in the past"),
        ("summary", "   ", "Enter a summary"),
        ("summary", "x" * 301, "Summary must be 300 characters or fewer"),
        ("evidence", "", "Enter the evidence"),
    ],
)
def test_the_form_explains_each_problem(world, field, value, message):
    client = client_for(make_member(world, Role.OFFICER).user)
    response = client.post(reverse("risk:intelligence_add", args=[world.own_school.urn]), _valid(**{field: value}))
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content and message in content
    assert f'href="#id_{field}' in content
    assert "<title>Error: " in content
    assert not IntelligenceEntry.objects.exists()
    assert not RiskRun.objects.exists()


def test_hostile_text_is_stored_as_typed_and_escaped_on_the_page(world):
    client = client_for(make_member(world, Role.OFFICER).user)
    url = reverse("risk:intelligence_add", args=[world.own_school.urn])
    client.post(url, _valid(summary=HOSTILE[:300], evidence=HOSTILE + "\nline two", confidential=""))
    saved = IntelligenceEntry.objects.get()
    assert saved.summary == HOSTILE[:300].strip()
    assert saved.evidence == HOSTILE + "\nline two"
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    content = _list(head, world.own_school).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in content


def test_archiving_keeps_the_entry_but_hides_it_and_recomputes(world, entries):
    officer = make_member(world, Role.OFFICER)
    client = client_for(officer.user)
    response = client.post(reverse("risk:intelligence_archive", args=[entries["open"].pk]))
    assert response.status_code == 302
    entries["open"].refresh_from_db()
    assert entries["open"].archived_at is not None and entries["open"].modified_by == officer.user
    assert b"Open governance concern" not in _list(client, world.own_school).content
    assert RiskRun.objects.filter(trigger="intelligence", school_ids=[world.own_school.pk]).exists()
    again = client.post(reverse("risk:intelligence_archive", args=[entries["open"].pk]))
    assert again.status_code == 404  # archived entries are no longer there to archive


def test_archiving_needs_a_post(world, entries):
    client = client_for(make_member(world, Role.OFFICER).user)
    assert client.get(reverse("risk:intelligence_archive", args=[entries["open"].pk])).status_code == 405


def test_an_entry_may_be_recorded_as_an_update_on_an_issue(world):
    """#14.5: updates on one issue are linked to its first entry, so the register of concern counts the issue once."""
    first = entry(world.own_school, kind=IntelligenceEntry.Kind.COMPLAINTS, summary="Complaint about transport")
    elsewhere = entry(world.cluster_school, summary="Another school's issue")
    client = client_for(make_member(world, Role.OFFICER).user)
    url = reverse("risk:intelligence_add", args=[world.own_school.urn])
    form = client.get(url).content.decode()
    assert "Is this an update on an issue already recorded?" in form
    assert "Complaint about transport" in form and "Another school&#x27;s issue" not in form
    response = client.post(url, _valid(summary="Parent met the head", thread=str(elsewhere.pk)))
    assert "Select an issue from the list" in response.content.decode()
    client.post(url, _valid(summary="Parent met the head", thread=str(first.pk)))
    update = IntelligenceEntry.objects.get(summary="Parent met the head")
    assert update.thread == first
    client.post(url, _valid(summary="A new issue", thread=""))
    assert IntelligenceEntry.objects.get(summary="A new issue").thread is None
    listed = client.get(reverse("risk:intelligence_list", args=[world.own_school.urn])).content.decode()
    assert "An update on the issue first recorded on 1 March 2025 (complaints): counted once" in listed
