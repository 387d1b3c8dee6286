"""#14.9 in real Chromium under the real CSP: the school page with a category, results (a trend chart), inspections,
peer reviews and active support, and the schools list with its category column, pass axe for an officer and the
school's head, with no console error or CSP refusal."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse

from partnership.models import Role
from schools.models import AreaAverage, Inspection, PerformanceValue
from schools.risk.categorisation import services as rounds
from tests.conftest import client_for, make_member
from tests.peerreview.helpers import pr_world
from tests.risk.helpers import succeeded_run
from tests.system.axe import assert_accessible


def _sign_in(page, live_server, user) -> None:
    cookie = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def _day_one_data(world, officer) -> None:
    school = world.own_school
    for year, rwm, pa in ((2017, 58.0, 10.0), (2018, 61.0, 9.5), (2019, 64.5, 11.25)):
        for code, value in (("ks2_rwm_exp", rwm), ("abs_persistent", pa)):
            PerformanceValue.objects.create(
                partnership=world.home, school=school, urn=school.urn, year=year, code=code, value=value
            )
            AreaAverage.objects.create(partnership=world.home, year=year, code=code, area="england", value=60.0)
    Inspection.objects.create(
        partnership=world.home, school=school, urn=school.urn, inspection_number="1", framework="oeif",
        start_date=dt.date(2018, 3, 6), overall=2, relates_to_current_urn=True,
    )  # fmt: skip
    opened = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name="Autumn round", user=officer.user
    )
    rounds.categorisation_round_agree(round_=opened, agreed_on=dt.date.today(), minute="SB/1", user=officer.user)
    rounds.categorisation_round_publish(round_=opened, user=officer.user, base_url="http://testserver/")
    succeeded_run(world.home)  # a newer proposal
    pr_world(world)


def test_school_page_and_list_are_accessible_with_every_section(page, live_server, world, console):
    officer = make_member(world, Role.OFFICER)
    _day_one_data(world, officer)
    head = make_member(world, Role.HEADTEACHER)
    for member in (officer, head):
        page.context.clear_cookies()
        _sign_in(page, live_server, member.user)
        for url in (reverse("schools:detail", args=[world.own_school.urn]), reverse("schools:list")):
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            if "schools/" in url and url != reverse("schools:list"):
                page.locator("#chart-school-results .main-svg").first.wait_for(state="attached")
                assert page.locator("h2", has_text="Risk category").count() == 1
                assert page.locator("h2", has_text="Peer reviews").count() == 1
            assert_accessible(page)
            assert console.csp_violations() == [], url
            assert console.errors == [], url
