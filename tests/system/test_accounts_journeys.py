"""Signing in, two-factor authentication, password reset and signing out, in a real browser.

Each journey is what a person would do (find fields by their labels, press buttons by their names), and
every page it reaches is checked with axe (WCAG 2.2 AA) and for Content-Security-Policy refusals.
"""

from __future__ import annotations

import re
import time
import uuid

import pyotp
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from django.views.defaults import server_error
from playwright.sync_api import expect

from partnership.models import Membership, Role
from tests import factories as f
from tests.conftest import MFA_TEST_SECRET, make_member
from tests.system.axe import assert_accessible

SERVICE = "School improvement partnership"


def check_page(page, console) -> None:
    """The checks every visited page gets: axe, no CSP refusals, no console errors, our JS ran."""
    assert_accessible(page)
    assert console.csp_violations() == [], f"CSP refusals on {page.url}: {console.csp_violations()}"
    assert console.errors == [], f"Console errors on {page.url}: {console.errors}"
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))


def fresh_code(user, secret: str = MFA_TEST_SECRET) -> str:
    """The current TOTP code, with allauth's "already used" marker cleared (an earlier run may have used it).

    allauth accepts only the current 30-second step (MFA_TOTP_TOLERANCE 0), so a code taken in the last few
    seconds of a step waits for the next one rather than expiring between typing and submitting.
    """
    remaining = 30 - time.time() % 30
    if remaining < 5:
        time.sleep(remaining + 0.2)
    code = pyotp.TOTP(secret).now()
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        cache.delete(TOTP(authenticator)._get_used_cache_key(code))
    return code


def sign_in_with_password(page, email: str, password: str = f.TEST_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def officer_without_authenticator(world) -> Membership:
    """An LA officer who has never set up two-factor authentication."""
    user = f.UserFactory(email=f"new-officer-{uuid.uuid4().hex[:8]}@home.example.test")
    return Membership.objects.create(user=user, partnership=world.home, roles=[Role.OFFICER])


def test_sign_in_page_is_accessible_and_offers_no_sign_up(page, console, world):
    page.goto("/accounts/login/")

    expect(page).to_have_title(f"Sign in – {SERVICE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("Email address")).to_have_attribute("autocomplete", "email")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "password")
    expect(page.get_by_role("link", name="Forgotten your password?")).to_be_visible()
    expect(page.get_by_text(re.compile("sign up", re.I))).to_have_count(0)
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)  # no service navigation signed out
    check_page(page, console)


def test_empty_and_wrong_sign_in_show_govuk_errors(page, console, world):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title(f"Error: Sign in – {SERVICE}")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link", name="Enter your email address")).to_have_attribute("href", "#id_login")
    expect(summary.get_by_role("link", name="Enter your password")).to_have_attribute("href", "#id_password")
    expect(page.locator("#id_login-error")).to_have_text("Error: Enter your email address")
    expect(summary).to_be_focused()  # govuk-frontend's JS moves focus to the summary
    check_page(page, console)

    # A wrong password for an address nobody else uses, so allauth's per-address lockout never builds up.
    email = f"someone-{uuid.uuid4().hex[:8]}@home.example.test"
    f.UserFactory(email=email)
    sign_in_with_password(page, email, "not-the-password")

    expect(summary.get_by_role("link")).to_have_text("Enter a correct email address and password")
    expect(page.get_by_label("Email address")).to_have_value(email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    check_page(page, console)


def test_officer_signs_in_with_password_then_authenticator_code(page, console, world, live_server):
    officer = make_member(world, Role.OFFICER)
    sign_in_with_password(page, officer.user.email)

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    check_page(page, console)

    page.get_by_label("Security code").fill(fresh_code(officer.user))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overview")
    navigation = page.get_by_role("navigation", name="Menu")
    expect(navigation.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    for section in ["Schools", "Clusters", "Alliances", "Networks", "Board", "Imports", "People"]:
        expect(navigation.get_by_role("link", name=section)).to_be_visible()
    expect(page.get_by_text(world.home.name).first).to_be_visible()
    check_page(page, console)

    navigation.get_by_role("link", name="Networks").click()
    expect(navigation.get_by_role("link", name="Networks")).to_have_attribute("aria-current", "page")
    expect(navigation.get_by_role("link", name="Schools")).not_to_have_attribute("aria-current", "page")


def test_wrong_authenticator_code_is_a_govuk_error(page, console, world):
    officer = make_member(world, Role.OFFICER)
    sign_in_with_password(page, officer.user.email)
    page.get_by_role("button", name="Sign in").click()  # no code

    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_text("Enter the security code")
    check_page(page, console)

    right = pyotp.TOTP(MFA_TEST_SECRET).now()
    page.get_by_label("Security code").fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#id_code-error")).to_contain_text("The security code is not correct")
    check_page(page, console)


def test_officer_without_authenticator_must_set_one_up(page, console, world, live_server):
    officer = officer_without_authenticator(world)
    sign_in_with_password(page, officer.user.email)

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("region", name="Important")).to_contain_text("Your role needs two-factor authentication")
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    check_page(page, console)

    # Nothing else is reachable until it is set up.
    page.goto("/schools/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))

    secret = page.get_by_label("Authenticator secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    expect(page.get_by_role("alert")).to_contain_text("activated")
    assert len(page.get_by_label("Unused codes").input_value().split()) >= 10
    check_page(page, console)

    page.goto("/schools/")
    expect(page).to_have_url(f"{live_server.url}/schools/")
    assert Authenticator.objects.filter(user=officer.user, type=Authenticator.Type.TOTP).exists()


def test_password_reset_journey(page, console, world, live_server):
    headteacher = make_member(world, Role.HEADTEACHER)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()

    expect(page).to_have_title(f"Reset your password – {SERVICE}")
    check_page(page, console)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_text("Enter your email address")
    check_page(page, console)

    page.get_by_label("Email address").fill(headteacher.user.email)
    page.get_by_role("button", name="Send reset link").click()

    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check_page(page, console)

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body).group(0)
    page.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), live_server.url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    check_page(page, console)

    page.get_by_label("New password", exact=True).fill("a-brand-new-long-passphrase")
    page.get_by_label("Confirm new password").fill("something else entirely")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#id_password2-error")).to_contain_text("The passwords do not match")
    check_page(page, console)

    page.get_by_label("New password", exact=True).fill("a-brand-new-long-passphrase")
    page.get_by_label("Confirm new password").fill("a-brand-new-long-passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    check_page(page, console)

    sign_in_with_password(page, headteacher.user.email, "a-brand-new-long-passphrase")
    expect(page).to_have_url(f"{live_server.url}/")


def test_account_pages_and_sign_out(page, console, world, live_server):
    officer = make_member(world, Role.OFFICER)
    sign_in_with_password(page, officer.user.email)
    page.get_by_label("Security code").fill(fresh_code(officer.user))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
    account_nav = page.get_by_role("navigation", name="Account settings")
    expect(account_nav.get_by_role("link", name="Two-factor authentication")).to_have_attribute("aria-current", "page")
    check_page(page, console)

    for name, heading in [("Change your password", "Change your password"), ("Email address", "Email address")]:
        account_nav.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_page(page, console)

    account_nav.get_by_role("link", name="Change your password").click()
    page.get_by_role("button", name="Change password").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter your current password")).to_be_visible()
    expect(summary.get_by_role("link", name="Enter a new password")).to_be_visible()
    check_page(page, console)

    page.goto("/accounts/2fa/webauthn/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Security keys")
    check_page(page, console)

    page.goto("/accounts/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
    check_page(page, console)

    page.goto("/")
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("navigation", name="Your account")).to_have_count(0)
    check_page(page, console)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_content_security_policy_is_strict_and_enforced(page, console, world):
    response = page.goto("/accounts/login/")
    policy = {
        name: values
        for name, *values in (d.split() for d in response.headers["content-security-policy"].split(";") if d.strip())
    }
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert not any("unsafe" in v for values in policy.values() for v in values)

    # Our own scripts run (app.js adds the classes and starts GOV.UK Frontend)...
    body_classes = page.evaluate("() => [...document.body.classList]")
    assert {"js-enabled", "govuk-frontend-supported"} <= set(body_classes)
    assert console.errors == []
    # ...and an inline script is refused, with the refusal reported.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';"
        " document.head.appendChild(s); }"
    )
    assert page.evaluate("() => window.inlineRan === true") is False
    page.wait_for_timeout(200)
    assert console.csp_violations(), "the browser did not report the refused inline script"


def test_error_pages(page, console, world, member_client):
    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page).to_have_title(f"Page not found – {SERVICE}")
    console.errors.clear()  # the 404 status itself is logged by the browser
    assert_accessible(page)

    headteacher = make_member(world, Role.HEADTEACHER)
    sign_in_with_password(page, headteacher.user.email)
    response = page.goto("/schools/imports/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have permission to view this page")
    console.errors.clear()
    assert_accessible(page)

    html = server_error(RequestFactory().get("/")).content.decode()
    assert "Sorry, there is a problem with the service" in html
    page.route("**/broken/", lambda route: route.fulfill(status=500, body=html, content_type="text/html"))
    page.goto("/broken/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sorry, there is a problem with the service")
    assert_accessible(page)
