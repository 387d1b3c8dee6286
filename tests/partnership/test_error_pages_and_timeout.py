"""Issue #9, item 10: production error pages are the service's GOV.UK pages (no debug list, no stack trace), and
the session-timeout redirect carries the page asked for, encoded, query string included."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from partnership.models import Role
from tests.conftest import client_for, make_member

SERVICE = "School improvement partnership"


@pytest.mark.urls("tests.partnership.error_urls")
def test_a_failing_view_answers_the_govuk_500_page(db, settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/broken-for-test/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page and "govuk-template" in page
    assert "Traceback" not in page and "RuntimeError" not in page and "a bug in a view" not in page


def test_a_missing_page_answers_the_govuk_404_page(world, settings):
    settings.DEBUG = False
    client = client_for(make_member(world, Role.OFFICER).user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f"<title>Page not found – {SERVICE}</title>" in page and "govuk-heading-l" in page
    assert "Using the URLconf" not in page  # Django's debug list of URL patterns
    anonymous = Client().get("/no-such-page/")
    assert anonymous.status_code in (302, 404)  # sign-in first, then the same page


def test_session_timeout_keeps_the_whole_page_asked_for_encoded(world, settings):
    settings.SESSION_IDLE_TIMEOUT = 60
    with time_machine.travel("2026-03-02 09:00", tick=False) as traveller:
        client = client_for(make_member(world, Role.HEADTEACHER).user)
        client.get(reverse("partnership:home"))
        traveller.shift(120)
        asked = "/schools/?" + urlencode({"district": "Elmbridge", "phase": "Primary", "q": "St Mary's & St John's"})
        response = client.get(asked)
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == reverse("account_login")
    assert parse_qs(target.query) == {"next": [asked]}  # before: next=/schools/ (query lost, path unencoded)
    assert "&phase" not in response.url  # the page's own parameters stay inside next
