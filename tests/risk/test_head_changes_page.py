"""#14.5: the officer marks a change of the head's name "same person" (or "a new head") on the school's risk page."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from partnership.models import Role
from schools.models import SchoolChange
from schools.risk.headchanges import head_changes_list
from schools.risk.inputs import risk_inputs_load
from schools.risk.models import HeadChangeJudgement, RiskRun
from tests.conftest import client_for, make_member
from tests.risk.helpers import succeeded_run

CHANGED = dt.date(2025, 11, 3)
TODAY = dt.date(2026, 1, 15)


def _new_surname(school, old="Fletcher", new="Marsh"):
    """The head's surname changed with no change of title: the rule says a new head (it may be a marriage)."""
    school.head_title, school.head_first_name, school.head_last_name = "Ms", "Alex", new
    school.save()
    SchoolChange.objects.create(school=school, field="head_last_name", old_value=old, new_value=new, changed_on=CHANGED)


def test_the_risk_page_lists_head_changes_and_an_officer_marks_one_same_person(
    world, django_capture_on_commit_callbacks
):
    school = world.own_school
    _new_surname(school)
    succeeded_run(world.home)
    officer = make_member(world, Role.OFFICER)
    client = client_for(officer.user)
    page = client.get(reverse("risk:school", args=[school.urn])).content.decode()
    assert "Changes of headteacher recorded in GIAS" in page
    assert "Recorded on 3 November 2025" in page
    assert "Ms Alex Fletcher" in page and "Ms Alex Marsh" in page
    assert "A new head (name rule)" in page
    assert reverse("risk:head_change_judge", args=[school.urn]) in page

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("risk:head_change_judge", args=[school.urn]),
            {"changed_on": CHANGED.isoformat(), "same_person": "yes"},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse("risk:school", args=[school.urn])
    assert "Recorded: the same person" in response.content.decode()
    judgement = HeadChangeJudgement.objects.get(school=school)
    assert judgement.same_person and judgement.created_by == officer.user
    assert (judgement.old_name, judgement.new_name) == ("Ms Alex Fletcher", "Ms Alex Marsh")
    assert RiskRun.objects.filter(partnership=world.home, state=RiskRun.State.QUEUED).exists()
    assert "Same person (officer)" in response.content.decode()
    [change] = head_changes_list(partnership=world.home, school_ids=[school.pk])
    assert change.same_person and not change.matched_same_person
    assert risk_inputs_load(partnership=world.home, today=TODAY).schools.loc[school.pk, "head_changes_3y"] == 0

    # The officer may change their word: "a new head".
    client.post(
        reverse("risk:head_change_judge", args=[school.urn]), {"changed_on": CHANGED.isoformat(), "same_person": "no"}
    )
    assert HeadChangeJudgement.objects.get(school=school).same_person is False
    assert risk_inputs_load(partnership=world.home, today=TODAY).schools.loc[school.pk, "head_changes_3y"] == 1


def test_a_judgement_needs_a_change_on_that_date_and_an_answer(world):
    school = world.own_school
    _new_surname(school)
    client = client_for(make_member(world, Role.OFFICER).user)
    url = reverse("risk:head_change_judge", args=[school.urn])
    response = client.post(url, {"changed_on": "2025-11-04", "same_person": "yes"}, follow=True)
    assert "There is no change of headteacher recorded on 4 November 2025" in response.content.decode()
    response = client.post(url, {"changed_on": CHANGED.isoformat()}, follow=True)
    assert "Select whether it is the same person" in response.content.decode()
    assert not HeadChangeJudgement.objects.exists()


def test_only_officers_and_admins_may_judge_and_heads_see_no_form(world):
    school = world.own_school
    _new_surname(school)
    head = make_member(world, Role.HEADTEACHER)
    response = client_for(head.user).post(
        reverse("risk:head_change_judge", args=[school.urn]), {"changed_on": CHANGED.isoformat(), "same_person": "yes"}
    )
    assert response.status_code == 403
    assert not HeadChangeJudgement.objects.exists()
