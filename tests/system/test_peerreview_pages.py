"""Peer-review pages in real Chromium with axe (WCAG 2.2 AA), for the roles that open them, including the
workspace of a cleared reviewer and the declaration gate; form pages are also submitted empty. (The every-page
run covers them too; this one needs only the peer-review world, so it also runs while another area's world is
broken, and it screenshots the main pages into the test's tmp dir for a person to look at.)"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import make_member
from tests.peerreview.helpers import pr_world
from tests.system.test_every_page import FORMS, _problems, _sign_in
from tests.url_matrix import MATRIX, OK  # first: it merges the peer-review rows


def _visit(page, console, url: str, name: str, status: int = 200) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == status, f"{name} ({url}): {response.status}"
    problems = _problems(page, console, url)
    if name in FORMS:
        page.locator("main form").last.locator("button[type=submit], input[type=submit]").first.click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        expect(page).to_have_title(re.compile(r"^Error: "))
        problems += _problems(page, console, f"{url} (submitted empty)")
    return problems


@pytest.mark.parametrize("role", ["headteacher", "officer", "cluster_lead", "board_member", "chair_of_governors"])
def test_peer_review_pages_are_accessible(page, console, world, live_server, role, tmp_path):
    w = pr_world(world)
    membership = make_member(w, role)
    _sign_in(page, live_server, membership.user)
    problems = []
    for name, case in sorted((n, c) for n, c in MATRIX.items() if n.startswith("peerreview:")):
        if case.method != "get" or case.roles[role] != OK:
            continue
        url = live_server.url + reverse(name, args=case.args(w))
        problems += _visit(page, console, url, name)
        if name in ("peerreview:review_detail", "peerreview:report", "peerreview:programme_detail", "peerreview:home"):
            page.screenshot(path=str(tmp_path / f"{role}-{name.split(':')[1]}.png"), full_page=True)
    assert not problems, "\n".join(problems)


def test_reviewer_workspace_and_gate_are_accessible(page, console, world, live_server):
    w = pr_world(world)
    _sign_in(page, live_server, w.lead.user)
    problems = _visit(page, console, live_server.url + reverse("peerreview:review_detail", args=[w.pr_visit.pk]), "ws")
    problems += _visit(page, console, live_server.url + reverse("peerreview:report_edit", args=[w.pr_review.pk]), "r")
    _sign_in(page, live_server, w.pending.user)
    url = live_server.url + reverse("peerreview:team_declare", args=[w.pr_pending.pk])
    problems += _visit(page, console, url, "gate")
    page.locator("main form button[type=submit]").click()  # nothing ticked: the errors show
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    problems += _problems(page, console, f"{url} (submitted empty)")
    assert not problems, "\n".join(problems)
