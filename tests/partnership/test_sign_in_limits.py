"""Issue #9, item 4: sign-in throttling counts each client behind the reverse proxy, not the proxy; with Redis
down, sign-in answers a clear "unavailable" page (fails closed, ADR 0016), never a 500."""

from __future__ import annotations

import random
import socket
import sys

import pytest
from django.urls import reverse

from partnership.models import Role
from tests.conftest import make_member
from tests.partnership.test_production import production_env, run

PROXY = "10.0.0.1"


def _client_ip() -> str:
    """A fresh documentation-range address, so rate-limit counters of earlier runs (kept in Redis) do not meet."""
    return f"198.51.{random.randint(0, 255)}.{random.randint(1, 254)}"  # noqa: S311 - not security


def _fail_sign_in(client, client_ip: str, n: int):
    return client.post(
        reverse("account_login"),
        {"login": f"nobody-{n}-{client_ip}@example.test", "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_ip,  # nginx's $proxy_add_x_forwarded_for with no header from the client
    )


def _throttled(response) -> bool:
    return "You have tried to sign in too many times" in response.content.decode()


def test_two_clients_behind_one_proxy_have_separate_buckets(client, db):
    """Before: every request came from the proxy's address, so one client's failures locked out everyone."""
    noisy, quiet = _client_ip(), _client_ip()
    answers = [_throttled(_fail_sign_in(client, noisy, n)) for n in range(11)]
    assert answers == [False] * 10 + [True]  # "10/m/ip" for failed sign-ins
    assert not _throttled(_fail_sign_in(client, quiet, 0))  # another client through the same proxy


def test_a_client_cannot_pick_its_own_address(client, db):
    """The proxy appends the address it saw: a forged X-Forwarded-For from the client is ignored."""
    noisy = _client_ip()
    for n in range(10):
        client.post(
            reverse("account_login"),
            {"login": f"forger-{n}-{noisy}@example.test", "password": "wrong-password"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"{_client_ip()}, {noisy}",
        )
    assert _throttled(_fail_sign_in(client, noisy, 99))


def test_production_trusts_exactly_one_proxy():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = run([sys.executable, "-c", code], production_env(DJANGO_SETTINGS_MODULE="partnership.settings"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_sign_in_with_redis_down_says_it_is_unavailable(world, redis_down):
    from django.test import Client

    member = make_member(world, Role.HEADTEACHER)
    client = Client(raise_request_exception=False)
    response = client.post(reverse("account_login"), {"login": member.user.email, "password": "anything-at-all"})
    assert response.status_code == 503
    page = response.content.decode()
    assert "Sign-in is unavailable" in page and "try again in a few minutes" in page.lower()
    assert response["Retry-After"] == "120"
    assert "_auth_user_id" not in client.session
