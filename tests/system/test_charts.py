"""Charts in real Chromium under the real CSP: plotly.js draws from our static build, axe finds nothing."""

from __future__ import annotations

import pytest
from django.conf import settings

from partnership.models import Role
from tests.conftest import client_for, make_member
from tests.system.axe import assert_accessible


def _sign_in(page, live_server, user) -> None:
    client = client_for(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


@pytest.mark.urls("tests.system.chart_urls")
def test_charts_draw_under_the_csp_and_pass_axe(page, live_server, world, console):
    """Three charts draw (SVG from plotly.js), no CSP refusal or console error, plotly's own <style> not added."""
    _sign_in(page, live_server, make_member(world, Role.OFFICER).user)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto("/chart-check/")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "style-src 'self'" in csp and "unsafe" not in csp

    for key in ("bars", "lines", "grid"):
        page.locator(f"#chart-{key} .main-svg").first.wait_for(state="attached")
    assert page.locator("#chart-grid text", has_text="Leading").count() >= 1
    assert page.locator("#chart-bars rect, #chart-bars path.point").count() >= 3
    # plotly found our <link> and did not try to inject its <style> (which the CSP would refuse).
    assert page.locator("style#plotly\\.js-style-global").count() == 0
    assert page.locator("link#plotly\\.js-style-global.no-inline-styles").count() == 1
    # Its rules are applied from our stylesheet: the plot's wrapper gets plotly's "direction: ltr".
    assert page.evaluate("getComputedStyle(document.querySelector('.js-plotly-plot .plotly')).direction") == "ltr"
    # Everything came from our own server: no CDN.
    assert all(url.startswith(live_server.url) for url in requests), requests
    assert sum("plotly-strict.min.js" in url for url in requests) == 1

    # The tables carry the same numbers.
    assert page.locator("#chart-bars table").inner_text().count("No data") == 1
    assert "30" in page.locator("#chart-bars table").inner_text()
    assert_accessible(page)
    assert console.csp_violations() == []
    assert console.errors == []
