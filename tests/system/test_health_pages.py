"""Every cluster-health page, as every role the matrix lets in, in real Chromium: axe, CSP, forms' error states.

The same checks as test_every_page.py, limited to the ``cluster_health:`` URLs and with agreed checks in the
world, so the charts (heat map, trend, portfolio) are drawn by plotly.js under the real CSP.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clusters.health.models import HealthCheck
from tests.clusters.health.helpers import agree_all, health_world, make_check
from tests.conftest import make_member
from tests.system.test_every_page import FORMS, PREFILLED_FORMS, _problems, _sign_in
from tests.url_matrix import DENY, MATRIX, OK, ROLES


def _pages_for(role: str, world) -> list[tuple[str, str, int]]:
    """(name, url, status) for every health GET page ``role`` may open, plus one 403 (as test_every_page does)."""
    pages, denied = [], None
    for name, case in sorted(MATRIX.items()):
        if case.method != "get" or not name.startswith("cluster_health:"):
            continue
        url = reverse(name, args=case.args(world))
        if case.roles[role] == OK:
            pages.append((name, url, 200))
        elif case.roles[role] == DENY and denied is None:
            denied = (name, url, 403)
    return pages + ([denied] if denied else [])


def _agreed_checks(world) -> None:
    for term, days, level in (("Summer 2025", 400, 0), ("Summer 2026", 30, 2)):
        check = make_check(world.cluster, term=term, held_on=dt.date.today() - dt.timedelta(days=days))
        agree_all(check, level=level)
        check.state = HealthCheck.State.PUBLISHED
        check.indicators = {
            "outcomes": {},
            "risk": {"none": "No round"},
            "peer_review": {"none": "Not yet"},
            "support": {"none": "Not yet"},
            "engagement": {"none": "None"},
            "isolated": {"none": "None"},
        }
        check.save()


@pytest.mark.parametrize("role", [r.value for r in ROLES])
def test_health_pages_are_accessible_with_charts_under_the_csp(page, console, world, live_server, role):
    health_world(world)
    _agreed_checks(world)
    _sign_in(page, live_server, make_member(world, role).user)
    pages = _pages_for(role, world)
    problems = []
    charts = 0
    for name, url, status in pages:
        response = page.goto(url)
        assert response is not None and response.status == status, f"{role} on {name}: {response.status}"
        if status != 200:
            console.errors.clear()  # the browser logs the 403 status itself as an error
        for holder in page.locator("[data-app-chart]").all():
            holder.locator(".main-svg").first.wait_for(state="attached")
            charts += 1
        problems += _problems(page, console, url)
        if status == 200 and name in FORMS:
            form = page.locator("main form").last
            if name in PREFILLED_FORMS:
                for text in form.locator("input[type=text], textarea").all():
                    text.fill("")
            form.locator("button[type=submit]").first.click()
            expect(page.locator(".govuk-error-summary")).to_be_visible()
            expect(page).to_have_title(re.compile(r"^Error: "))
            problems += _problems(page, console, f"{url} (submitted empty)")
    assert not problems, "\n".join(problems)
    if role in ("officer", "headteacher", "cluster_lead", "alliance_lead", "board_member"):
        assert charts >= 1, f"{role} saw no chart"
