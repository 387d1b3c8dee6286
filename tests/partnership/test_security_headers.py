"""Every kind of response carries the security headers: pages, redirects, errors, JSON and failed forms."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from partnership.models import Role
from tests.conftest import client_for, make_member

PERMISSIONS_POLICY_OFF = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


def csp_directives(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on a {response.status_code} response"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, *, signed_in: bool) -> None:
    """The headers a browser needs to refuse script injection, framing, sniffing and leaking referrers."""
    csp = csp_directives(response)
    assert csp["default-src"] == ["'none'"]
    script_src = csp["script-src"]
    assert "'self'" in script_src
    forbidden = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:"}
    assert not forbidden & set(script_src), script_src
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]

    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin"
    assert response.headers.get("Cross-Origin-Resource-Policy") == "same-origin"
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in PERMISSIONS_POLICY_OFF:
        assert feature in permissions, permissions
    if signed_in:  # a shared computer's back button or cache must not show someone's pages
        assert "no-store" in response.headers.get("Cache-Control", "")


@pytest.fixture
def officer(world):
    return client_for(make_member(world, Role.OFFICER).user)


def test_a_signed_in_page(officer):
    response = officer.get(reverse("partnership:home"))
    assert response.status_code == 200
    assert_security_headers(response, signed_in=True)


def test_the_sign_in_page(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert_security_headers(response, signed_in=False)


def test_a_redirect_to_sign_in(client, db):
    response = client.get(reverse("schools:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert_security_headers(response, signed_in=False)


def test_a_redirect_after_a_successful_post(world, officer):
    response = officer.post(reverse("partnership:switch"), {"partnership": world.home.pk})
    assert response.status_code == 302
    assert_security_headers(response, signed_in=True)


def test_not_found_for_another_partnerships_object(world, officer):
    response = officer.get(reverse("schools:detail", args=[world.other_school.urn]))
    assert response.status_code == 404
    assert_security_headers(response, signed_in=True)


def test_not_found_for_a_url_that_does_not_exist(officer):
    response = officer.get("/no-such-page/")
    assert response.status_code == 404
    assert_security_headers(response, signed_in=True)


def test_forbidden_for_a_role_without_the_permission(world):
    board_member = client_for(make_member(world, Role.BOARD_MEMBER).user)
    response = board_member.get(reverse("schools:import_list"))
    assert response.status_code == 403
    assert_security_headers(response, signed_in=True)


def test_forbidden_for_a_post_without_a_csrf_token(world):
    membership = make_member(world, Role.OFFICER)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(membership.user)
    response = strict.post(reverse("partnership:invite"), {"email": "someone@example.test"})
    assert response.status_code == 403
    assert_security_headers(response, signed_in=True)


def test_the_import_status_json(world, officer):
    response = officer.get(reverse("schools:import_status", args=[world.job.pk]))
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert response.json()["state"] == "queued"
    assert_security_headers(response, signed_in=True)


def test_a_form_posted_with_errors(officer):
    response = officer.post(reverse("partnership:invite"), {"email": "not an email", "roles": []})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert_security_headers(response, signed_in=True)


def test_a_failed_sign_in(client, world):
    make_member(world, Role.HEADTEACHER)
    response = client.post(reverse("account_login"), {"login": "headteacher@home.example.test", "password": "wrong"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content or b"govuk-error-message" in response.content
    assert_security_headers(response, signed_in=False)


def test_pages_hold_no_inline_script(officer, client):
    """The CSP forbids inline script, so a page that relied on one would silently break: none may."""
    for response in (officer.get(reverse("partnership:home")), client.get(reverse("account_login"))):
        html = response.content.decode()
        assert " onclick=" not in html and " onload=" not in html and "javascript:" not in html
        for tag in html.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert " src=" in opening, f"inline <script{opening}> on {response.request['PATH_INFO']}"
