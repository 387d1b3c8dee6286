"""Issue #9, items 9 and 10: authenticator secrets survive a secret-key rotation (SECRET_KEY_FALLBACKS), a secret no
key opens is a clear page with a way back (never a 500), and a reused code is called that, not "not correct"."""

from __future__ import annotations

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from partnership.adapters import MFAAdapter
from partnership.models import Role
from tests.conftest import MFA_TEST_SECRET, make_member
from tests.factories import TEST_PASSWORD

OLD_KEY = "old-secret-key-" + "x" * 50
NEW_KEY = "new-secret-key-" + "y" * 50


def _code(user) -> str:
    code = pyotp.TOTP(MFA_TEST_SECRET).now()
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    cache.delete(TOTP(authenticator)._get_used_cache_key(code))
    return code


def _sign_in(user) -> tuple[Client, object]:
    """Password, then the authenticator step: (client, the step's response)."""
    client = Client(raise_request_exception=False)
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    return client, client.post(reverse("mfa_authenticate"), {"code": _code(user)})


def test_rotation_keeps_old_secrets_working_and_encrypts_new_ones_with_the_new_key(world, settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    officer = make_member(world, Role.OFFICER)  # its TOTP secret encrypted with the old key
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    client, response = _sign_in(officer.user)
    assert response.status_code == 302 and "_auth_user_id" in client.session  # the old secret still verifies
    fresh = MFAAdapter().encrypt("ABCDEFGHIJKLMNOP")
    settings.SECRET_KEY_FALLBACKS = []
    assert MFAAdapter().decrypt(fresh) == "ABCDEFGHIJKLMNOP"  # new ones use the new key alone


def test_reencrypt_command_moves_every_secret_to_the_new_key(world, settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    officer = make_member(world, Role.OFFICER)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    call_command("mfa_reencrypt")
    settings.SECRET_KEY_FALLBACKS = []  # the old key can now be dropped
    client, response = _sign_in(officer.user)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_a_secret_no_key_opens_is_a_clear_message_with_a_recovery_route(world, settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    officer = make_member(world, Role.OFFICER)
    settings.SECRET_KEY = NEW_KEY  # rotated without keeping the old key
    client, response = _sign_in(officer.user)
    assert response.status_code == 200  # before: 500 (InvalidToken)
    page = response.content.decode()
    assert "cannot check your security code" in page and "reset your two-factor authentication" in page
    assert "_auth_user_id" not in client.session
    # The route back: an admin resets it (People), then the officer signs in and sets up a new authenticator.
    admin = make_member(world, Role.ADMIN)
    from tests.conftest import client_for

    client_for(admin.user).post(reverse("partnership:person_mfa_reset", args=[officer.pk]))
    again = Client()
    response = again.post(reverse("account_login"), {"login": officer.user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert again.get(reverse("partnership:home")).url == reverse("mfa_activate_totp")


def test_reset_command_for_an_admin_with_no_other_admin(world, settings):
    admin = make_member(world, Role.ADMIN)
    call_command("mfa_reset", admin.user.email)
    assert not Authenticator.objects.filter(user=admin.user).exists()


def test_a_reused_code_says_it_was_already_used(world):
    officer = make_member(world, Role.OFFICER)
    client = Client()
    client.post(reverse("account_login"), {"login": officer.user.email, "password": TEST_PASSWORD})
    code = pyotp.TOTP(MFA_TEST_SECRET).now()
    authenticator = Authenticator.objects.get(user=officer.user, type=Authenticator.Type.TOTP)
    assert TOTP(authenticator).validate_code(code) or True  # used once (by this or an earlier step)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    page = response.content.decode()
    assert response.status_code == 200 and "already been used" in page
    assert "not correct" not in page
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if code != "000000" else "111111"})
    assert "already been used" not in wrong.content.decode()


@pytest.mark.parametrize("key", ["DJANGO_SECRET_KEY_FALLBACKS"])
def test_the_fallback_keys_are_read_from_the_environment(key):
    import sys

    from tests.partnership.test_production import production_env, run

    code = "import django; django.setup(); from django.conf import settings as s; print(len(s.SECRET_KEY_FALLBACKS))"
    env = production_env(DJANGO_SETTINGS_MODULE="partnership.settings", **{key: "a" * 50 + ", " + "b" * 50})
    result = run([sys.executable, "-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2"
