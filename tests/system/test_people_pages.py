"""The people pages (issue #9) in real Chromium with axe, as an admin and an officer: list, person, both forms
submitted cleared (their error states), the invitation pages of an existing account, and the error pages added.

``test_every_page`` visits these too (from the URL matrix); this file checks them on their own, so the people
pages are checked even while another part of the matrix cannot be built."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from playwright.sync_api import expect

from partnership.models import Role
from tests.conftest import make_member
from tests.partnership.people_helpers import people_world
from tests.partnership.test_invitation_security import _invite
from tests.system.test_every_page import _problems, _sign_in


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICER])
def test_people_pages_are_accessible(page, console, world, live_server, role):
    people = people_world(world)
    _sign_in(page, live_server, make_member(world, role).user)
    problems = []
    for url in (
        reverse("partnership:people"),
        reverse("partnership:person", args=[people.head.pk]),
        reverse("partnership:person", args=[people.archived.pk]),
        reverse("partnership:person", args=[people.admin.pk]),
    ):
        assert page.goto(live_server.url + url).status == 200, url
        problems += _problems(page, console, url)
    for name, target in (("partnership:person_roles", people.head), ("partnership:person_leads", people.lead)):
        url = reverse(name, args=[target.pk])
        assert page.goto(live_server.url + url).status == 200
        problems += _problems(page, console, url)
        form = page.locator("main form").last
        for box in form.locator("input[type=checkbox]:checked").all():
            box.uncheck()
        for text in form.locator("input[type=number]").all():
            text.fill("")
        form.locator("button[type=submit]").first.click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        expect(page).to_have_title(re.compile(r"^Error: "))
        problems += _problems(page, console, f"{url} (submitted cleared)")
    # A change, then its log on the person's page.
    page.goto(live_server.url + reverse("partnership:person_leads", args=[people.head.pk]))
    page.get_by_label("Esher Cluster").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Clusters and alliances led changed")).to_be_visible()
    problems += _problems(page, console, "person page after a change")
    assert not problems, "\n".join(problems)


def test_invitation_pages_for_an_existing_account_are_accessible(page, console, world, live_server):
    someone = make_member(world, Role.BOARD_MEMBER, partnership=world.other)
    EmailAddress.objects.create(user=someone.user, email=someone.user.email, verified=True, primary=True)
    _, link = _invite(world.home, someone.user.email, [Role.SYSTEM_LEADER])
    problems = []
    page.goto(live_server.url + link)
    expect(page.get_by_role("link", name="Sign in to accept")).to_be_visible()
    problems += _problems(page, console, "sign in to accept")
    _sign_in(page, live_server, someone.user)
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Accept invitation").click()
    expect(page).to_have_url(f"{live_server.url}/")
    problems += _problems(page, console, "after accepting")
    _, other_link = _invite(world.home, "not-you@example.test", [Role.SYSTEM_LEADER])
    page.goto(live_server.url + other_link)
    console.errors.clear()  # the 403 status itself
    problems += _problems(page, console, "someone else's invitation")
    assert not problems, "\n".join(problems)
