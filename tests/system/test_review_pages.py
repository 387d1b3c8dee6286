"""#14.11 pages in real Chromium with axe, with a review suggested: the banner on the school's risk page, the
suggestions page with its one-click button (clicked: the in-year review opens), the review's pages and the
termly review's form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partnership.models import Role
from schools.models import Inspection
from schools.risk.categorisation import services as rounds
from schools.risk.models import CategorisationRound, SchoolCategory
from tests.conftest import make_member
from tests.factories import UserFactory
from tests.risk.helpers import succeeded_run
from tests.system.test_capacity_pages import _check
from tests.system.test_every_page import _sign_in

pytestmark = pytest.mark.browser


def test_review_pages_are_accessible_with_a_suggestion(page, console, world, live_server):
    officer_user = UserFactory(email="browser-round-officer@example.test")
    annual = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name="Autumn 2026", user=officer_user
    )
    SchoolCategory.objects.filter(round=annual).update(category=3, proposed_category=3)
    CategorisationRound.objects.filter(pk=annual.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    annual.refresh_from_db()
    rounds.categorisation_round_agree(
        round_=annual, agreed_on=timezone.localdate(annual.created_at), minute="SB/1", user=officer_user
    )
    rounds.categorisation_round_publish(round_=annual, user=officer_user, base_url="http://t/")
    day = timezone.localdate() - dt.timedelta(days=3)
    Inspection.objects.create(
        partnership=world.home,
        school=world.own_school,
        urn=world.own_school.urn,
        inspection_number="30001",
        framework=Inspection.Framework.OEIF,
        start_date=day,
        publication_date=day,
        overall=4,
    )
    officer = make_member(world, Role.OFFICER)
    _sign_in(page, live_server, officer.user)
    problems = []
    for url in (
        reverse("risk:school", args=[world.own_school.urn]),
        reverse("risk:in_year_open", args=[world.own_school.urn]),
        reverse("risk:termly_open"),
        reverse("risk:review_suggestions"),
    ):
        page.goto(live_server.url + url)
        assert f"new inspection on {day:%-d %B %Y}" in page.content() or "termly" in url, url
        problems += _check(page, console, url)
    page.get_by_role("button", name=f"Open in-year review of {world.own_school.name}").click()
    review = CategorisationRound.objects.get(kind=CategorisationRound.Kind.IN_YEAR)
    assert page.url.endswith(reverse("risk:round_detail", args=[review.pk]))
    problems += _check(page, console, page.url)
    school_url = reverse("risk:round_school", args=[review.pk, world.own_school.urn])
    page.goto(live_server.url + school_url)
    problems += _check(page, console, school_url)
    assert not problems, "\n".join(problems)
