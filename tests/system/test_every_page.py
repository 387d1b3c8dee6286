"""Every page, as every role that may open it, in real Chromium: axe (WCAG 2.2 AA), no CSP refusals, no errors.

The pages come from the permission matrix (``tests/url_matrix.py``), so a new page is visited here as soon
as it has a permission decision: each GET URL is opened by every role the matrix lets in. Each form page is
also submitted empty, so its error state (error summary, inline messages) is checked too. Pages a role may
not open are visited once each as a 403 and a 404, so the error pages are checked as well.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from partnership.models import SCHOOL_ROLES
from tests.conftest import client_for, make_member
from tests.system.axe import axe_violations, format_violations
from tests.url_matrix import ALLAUTH_URLS, DENY, HIDDEN, MATRIX, OK, ROLES

SERVICE = "School improvement partnership"
# Downloads (the browser saves them rather than showing a page). JSON endpoints are recognised by content type.
NOT_HTML = {"schools:export", "risk:register_export"}
NOT_HTML |= {"board:paper", "board:pack_pdf", "board:pack_xlsx"}  # issue #13
# Signed-in allauth pages every role reaches from "Your account".
ACCOUNT_PAGES = ["mfa_index", "account_change_password", "account_email", "mfa_list_webauthn"]
# Form pages, submitted empty to check the error state (the first submit button on the page).
FORMS = {
    "partnership:board_member_add",
    "partnership:invite",
    "schools:network_create",
    "schools:import_upload",
    "clusters:create",
    "clusters:alliance_create",
    "risk:intelligence_add",
    "risk:ruleset_edit",
    "risk:round_create",
    "risk:termly_open",
    "risk:in_year_open",
    "risk:round_agree",
    "risk:round_adjust",
    "risk:round_moderate",
    "risk:holidays",
    "risk:reply_answer",
    "risk:own_category",
    "peerreview:protocol_create",
    "peerreview:programme_create",
    "peerreview:review_create",
    "peerreview:sharing",
    "peerreview:excellence_add",
    "partnership:person_roles",
    "partnership:person_leads",
    "cluster_health:create",
    "cluster_health:rate",
    "cluster_health:consensus",
    "cluster_health:action_add",
    "cluster_health:meeting_add",
    "cluster_health:framework_copy",
    "cluster_health:framework_edit",
    "cluster_health:dimension_add",
    "cluster_health:strand_add",
}
# Forms that open filled in with the current values: cleared (boxes unticked, text emptied) before that submit.
PREFILLED_FORMS = {"partnership:person_roles", "partnership:person_leads"}
PREFILLED_FORMS |= {"cluster_health:framework_copy", "cluster_health:framework_edit"}  # issue #12
# issue #13: the board's forms (the standing and RAG-override forms are valid even untouched, so not here)
FORMS |= {
    "board:terms",
    "board:declaration_add",
    "board:meeting_add",
    "board:meeting_state",
    "board:agenda_add",
    "board:paper_add",
    "board:minutes",
    "board:decision_add",
    "board:action_add",
    "board:strategy_edit",
    "board:priority_add",
    "board:priority_edit",
    "board:deliverable_add",
    "board:deliverable_edit",
    "board:kpi_library_add",
    "board:kpi_add",
    "board:kpi_edit",
    "board:kpi_value_add",
}
PREFILLED_FORMS |= {
    "board:terms",
    "board:strategy_edit",
    "board:priority_edit",
    "board:deliverable_edit",
    "board:kpi_edit",
}
# issue #11: brokerage forms (settings valid untouched; provider edit: test_brokerage_pages); export: a download
FORMS |= {
    "brokerage:provider_create",
    "brokerage:request_create",
    "brokerage:deployment_create",
    "brokerage:deployment_vary",
    "brokerage:visit_create",
    "brokerage:evaluation",
    "brokerage:deployment_note",
    "brokerage:visit_respond",
    "brokerage:fund_create",
}
PREFILLED_FORMS |= {
    "brokerage:deployment_create",
    "brokerage:deployment_vary",
    "brokerage:visit_create",
    "brokerage:fund_create",
}
NOT_HTML |= {"brokerage:export"}
# notes of visit (issue #14 item 10): the settings page's radios are valid untouched, so it is not here
FORMS |= {"visits:create", "visits:edit", "visits:respond", "visits:promote", "visits:action_add"}
PREFILLED_FORMS |= {"visits:edit"}


def _sign_in(page, live_server, user) -> None:
    """Put a signed-in session (MFA satisfied) into the browser, as if the person had signed in."""
    client = client_for(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _problems(page, console, url: str) -> list[str]:
    """Everything wrong with the page now open: axe violations, CSP refusals, console errors, missing h1/title."""
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe on {url}:\n{format_violations(violations)}")
    if console.errors:
        problems.append(f"console errors on {url}: {console.errors}")
    if page.locator("h1").count() != 1:
        problems.append(f"{url} has {page.locator('h1').count()} h1 headings, not 1")
    if not page.title().endswith(f"– {SERVICE}"):
        problems.append(f"{url} has the title {page.title()!r}")
    if "govuk-frontend-supported" not in (page.locator("body").get_attribute("class") or ""):
        problems.append(f"{url}: GOV.UK Frontend's JavaScript did not start")
    console.errors.clear()
    return problems


def _pages_for(role: str, world) -> list[tuple[str, str, int]]:
    """(name, url, expected status) for every GET page ``role`` may open, plus one 403 and one 404 if any."""
    pages = []
    denied = hidden = None
    for name, case in sorted(MATRIX.items()):
        if case.method != "get" or name in NOT_HTML or case.public:
            continue
        url = reverse(name, args=case.args(world))
        outcome = case.roles[role]
        if outcome == OK:
            pages.append((name, url, 200))
        elif outcome == DENY and denied is None:
            denied = (name, url, 403)
        elif outcome == HIDDEN and hidden is None:
            hidden = (name, url, 404)
    pages += [(name, reverse(name), 200) for name in ACCOUNT_PAGES]
    return pages + [p for p in (denied, hidden) if p]


@pytest.mark.parametrize("role", [r.value for r in ROLES])
def test_every_page_a_role_can_open_is_accessible(page, console, world, live_server, role):
    membership = make_member(world, role)
    _sign_in(page, live_server, membership.user)
    pages = _pages_for(role, world)
    if role in SCHOOL_ROLES:  # the full school page, only for their own school
        pages.append(("schools:detail (own school)", reverse("schools:detail", args=[world.own_school.urn]), 200))

    problems = []
    for name, url, status in pages:
        fetched = page.request.get(url, max_redirects=0)  # same cookies; not a navigation
        if fetched.ok and not fetched.headers.get("content-type", "").startswith("text/html"):
            # a JSON endpoint, not a page to look at; it must still be JSON
            assert fetched.headers["content-type"].startswith("application/json"), (name, url)
            continue
        response = page.goto(url)
        assert response is not None and response.status == status, f"{role} on {name} ({url}): {response.status}"
        if status != 200:
            console.errors.clear()  # the browser logs the 403/404 status itself as an error
        problems += _problems(page, console, url)

        if status == 200 and name in FORMS:
            if name in PREFILLED_FORMS:
                form = page.locator("main form").last
                for box in form.locator("input[type=checkbox]:checked").all():
                    box.uncheck()
                for text in form.locator("input[type=text], input[type=number], textarea").all():
                    text.fill("")
            page.locator("main form").last.locator("button[type=submit], input[type=submit]").first.click()
            expect(page.locator(".govuk-error-summary")).to_be_visible()
            expect(page).to_have_title(re.compile(r"^Error: "))
            problems += _problems(page, console, f"{url} (submitted empty)")

    assert not problems, f"{len(problems)} problem(s) for {role}:\n" + "\n".join(problems)
    assert len(pages) >= 5, pages


def test_signed_out_pages_are_accessible(page, console, world):
    names = [n for n, anonymous in ALLAUTH_URLS.items() if anonymous]
    problems = []
    for name in ["account_login", "account_reset_password", "account_signup", "account_logout"]:
        assert name in names
        url = reverse(name)
        page.goto(url)
        problems += _problems(page, console, url)
    assert not problems, "\n".join(problems)
