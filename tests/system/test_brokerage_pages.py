"""The brokerage pages only, as every role the matrix lets in, in real Chromium with axe (a quicker run of
``test_every_page`` for issue #11; the full run visits the same pages with everyone else's)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import make_member
from tests.system.test_every_page import FORMS, NOT_HTML, PREFILLED_FORMS, _problems, _sign_in
from tests.url_matrix import MATRIX, OK, ROLES


@pytest.mark.parametrize("role", [r.value for r in ROLES])
def test_brokerage_pages_are_accessible(page, console, world, live_server, role):
    membership = make_member(world, role)
    _sign_in(page, live_server, membership.user)
    problems: list[str] = []
    for name, case in sorted((n, c) for n, c in MATRIX.items() if n.startswith("brokerage:")):
        if case.method != "get" or name in NOT_HTML or case.roles[role] != OK:
            continue
        url = reverse(name, args=case.args(world))
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{role} on {name}: {response and response.status}"
        problems += _problems(page, console, url)
        own_form = name == "brokerage:interest_add" or (
            name == "brokerage:catalogue" and page.locator("main form").count()
        )
        if name in FORMS or own_form:
            form = page.locator("main form").last
            if name in PREFILLED_FORMS:
                checked = form.locator("input[type=checkbox]:checked")
                while checked.count():
                    checked.first.uncheck()
                for text in form.locator("input[type=text], input[type=number], input[type=date], textarea").all():
                    text.fill("")
            form.locator("button[type=submit], input[type=submit]").first.click()
            expect(page.locator(".govuk-error-summary")).to_be_visible()
            expect(page).to_have_title(re.compile(r"^Error: "))
            problems += _problems(page, console, f"{url} (submitted empty)")
    assert not problems, f"{len(problems)} problem(s) for {role}:\n" + "\n".join(problems)
