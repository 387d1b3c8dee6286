"""The board's pages at 320px wide: nothing widens the page (wide tables scroll inside their own region)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnership.models import Role
from tests.board.helpers import board_world
from tests.conftest import make_member
from tests.system.test_every_page import _sign_in

pytestmark = pytest.mark.browser

# The innermost elements reaching past the screen's edge (for the failure message).
CULPRITS = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > 322)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > 322))
  .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_board_pages_fit_a_320px_screen(page, world, live_server):
    b = board_world(world)
    membership = make_member(world, Role.OFFICER)
    _sign_in(page, live_server, membership.user)
    page.set_viewport_size({"width": 320, "height": 640})
    wide = []
    for name, args in [
        ("board:scorecard", []),
        ("board:strategy", []),
        ("board:dashboard", []),
        ("board:kpi", [b.kpi.pk]),
        ("board:meeting", [b.meeting.pk]),
        ("board:home", []),
        ("board:round", [b.round.pk]),
    ]:
        page.goto(live_server.url + reverse(name, args=args))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            culprits = page.evaluate(CULPRITS)
            wide.append((name, width, culprits))
    assert not wide, f"pages wider than 320px: {wide}"
