"""Every cluster-health page, as every role the matrix lets in, in real Chromium: axe, CSP, forms' error states.

The same checks as test_every_page.py, limited to the ``cluster_health:`` URLs and with agreed checks in the
world, so the charts (heat map, trend, portfolio) are drawn by plotly.js under the real CSP.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from clusters.health.models import HealthCheck
from tests.clusters.health.helpers import agree_all, health_world, make_check
from tests.conftest import make_member
from tests.system.test_every_page import FORMS, PREFILLED_FORMS, _pages_for, _problems, _sign_in
from tests.url_matrix import ROLES


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
    pages = [p for p in _pages_for(role, world) if p[0].startswith("cluster_health:")]
    problems = []
    charts = 0
    for name, url, status in pages:
        response = page.goto(url)
        assert response is not None and response.status == status, f"{role} on {name}: {response.status}"
        for holder in page.locator("[data-app-chart]").all():
            holder.locator(".main-svg").first.wait_for(state="attached")
            charts += 1
        problems += _problems(page, console, url)
        if name in FORMS:
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
