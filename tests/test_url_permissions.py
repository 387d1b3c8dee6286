"""Default deny: every URL is classified, and every role gets exactly what the matrix says.

Walks the URL configuration, so a new URL without a decision in ``tests/url_matrix.py`` fails here.
"""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partnership.models import Role
from tests.conftest import client_for, make_member
from tests.url_matrix import ALLAUTH_URLS, DENY, HIDDEN, MATRIX, OK, ROLES


def _all_url_names(resolver: URLResolver | None = None, namespace: str | None = None) -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            names |= _all_url_names(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_is_classified():
    """A URL added without a permission decision fails here; a decision for a removed URL too."""
    names = _all_url_names()
    unclassified = names - set(MATRIX) - set(ALLAUTH_URLS)
    stale = (set(MATRIX) | set(ALLAUTH_URLS)) - names
    assert not unclassified, f"Add these URLs to tests/url_matrix.py with a decision per role: {sorted(unclassified)}"
    assert not stale, f"These matrix entries name no URL: {sorted(stale)}"


def _request(client: Client, name: str, case, world, *, other: bool = False):
    args = (case.other_args if other else case.args)(world)
    url = reverse(name, args=args)
    if case.method == "post":
        return client.post(url, case.data(world))
    return client.get(url)


def _outcome(response, method: str = "get") -> object:
    """Exactly what the request got. ``OK`` (served) is a GET answered 200, or a POST that did its work: redirected
    (302) with no error or warning message. Anything else reads as what it was: 403, 404, a sign-in redirect, a
    GET redirected elsewhere, a POST answered 200 (a form shown again with its errors) or a POST redirected with
    an error message (refused), so that a refused POST can never pass as served."""
    code = response.status_code
    if code in (403, 404):
        return code
    location = response.get("Location", "")
    if code == 302 and "/accounts/" in location:
        return f"redirect to {location}"
    if method != "post":
        return OK if code == 200 else f"{code} to {location}" if location else code
    refused = [str(m) for m in get_messages(response.wsgi_request) if m.level >= messages.WARNING]
    if code == 302 and not refused:
        return OK
    return f"{code} refused: {refused}" if refused else f"{code} (not redirected: the form was shown again)"


@pytest.mark.parametrize("name", sorted(n for n, c in MATRIX.items() if not c.public))
def test_anonymous_is_sent_to_sign_in(world, name):
    response = _request(Client(), name, MATRIX[name], world)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_outcome_tells_a_refused_post_from_a_served_one(world):
    """The rule itself can fail: a POST whose view refuses with an error message and redirects is not served, nor
    is a POST that shows its form again (200), nor a GET that redirects."""
    import datetime as dt

    officer = client_for(make_member(world, Role.OFFICER).user)
    day = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    served = officer.post(reverse("risk:holidays"), {"name": "INSET day", "starts_on": day, "ends_on": day})
    assert _outcome(served, "post") == OK
    shown_again = officer.post(reverse("risk:holidays"), {"name": "", "starts_on": "", "ends_on": ""})
    assert shown_again.status_code == 200 and _outcome(shown_again, "post") != OK
    assert _outcome(served, "get") != OK  # a GET that redirects is not "served"


@pytest.mark.parametrize("name", sorted(n for n, c in MATRIX.items() if c.public))
def test_public_urls_answer_anonymous(world, name):
    response = _request(Client(), name, MATRIX[name], world)
    assert _outcome(response, MATRIX[name].method) == MATRIX[name].roles[Role.ADMIN.value]


@pytest.mark.parametrize("role", [r.value for r in ROLES])
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_gets_what_the_matrix_says(world, name, role):
    membership = make_member(world, role)
    response = _request(client_for(membership.user), name, MATRIX[name], world)
    assert _outcome(response, MATRIX[name].method) == MATRIX[name].roles[role], f"{role} on {name}"


@pytest.mark.parametrize("name", sorted(n for n, c in MATRIX.items() if c.other_args))
def test_another_partnerships_objects_are_not_found(world, name):
    """Even an admin of one partnership gets 404 for the same URL pointed at another partnership's object."""
    membership = make_member(world, Role.ADMIN)
    response = _request(client_for(membership.user), name, MATRIX[name], world, other=True)
    assert response.status_code == HIDDEN


@pytest.mark.parametrize("name", sorted(n for n, anonymous_ok in ALLAUTH_URLS.items() if not anonymous_ok))
def test_account_pages_need_sign_in(name):
    from django.urls import NoReverseMatch

    try:
        url = reverse(name)
    except NoReverseMatch:
        url = reverse(name, args=[1])
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_user_without_membership_is_told_so(world):
    from tests.factories import UserFactory

    response = client_for(UserFactory()).get(reverse("partnership:home"))
    assert response.status_code == DENY
    assert b"not a member of a partnership" in response.content


def test_archived_membership_loses_access(world):
    from django.utils import timezone

    membership = make_member(world, Role.OFFICER)
    membership.archived_at = timezone.now()
    membership.save()
    assert client_for(membership.user).get(reverse("schools:list")).status_code == DENY
