"""allauth adapters: no public sign-up; MFA secrets encrypted at rest."""

from __future__ import annotations

import base64
import hashlib
import logging
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created only by accepting an invitation (see ``partnership.services``)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A password typed in this session within the re-authentication window counts as re-authenticating.

        allauth asks for the password again before two-factor set-up even straight after sign-in; for an
        officer whom the MFA middleware sends to set-up the moment they sign in, that is a second password
        prompt a few seconds after the first. Older sessions still re-authenticate as allauth intends.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = context.request
        if request is None or not request.user.is_authenticated:
            return True
        now = time.time()
        return not any(
            record.get("method") == "password" and now - record.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
            for record in get_authentication_records(request, request.user)
        )


class MFASecretUnreadable(Exception):  # noqa: N818 - reads as "the MFA secret is unreadable"
    """No key in DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FALLBACKS opens a stored authenticator secret."""


def _key(secret_key: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(f"mfa-secrets:{secret_key}".encode()).digest())


def mfa_fernet() -> MultiFernet:
    """Encrypts with a key derived from SECRET_KEY; decrypts with it or any of SECRET_KEY_FALLBACKS (rotation)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_key(k)) for k in keys])


class MFAAdapter(DefaultMFAAdapter):
    """Encrypt TOTP secrets and recovery-code seeds with a key derived from SECRET_KEY, so a database dump does
    not leak them; secrets written under a previous key still open while it is listed in SECRET_KEY_FALLBACKS
    (``manage.py mfa_reencrypt`` moves them to the current key; docs/deploy.md, "Rotating the secret key")."""

    def encrypt(self, text: str) -> str:
        return mfa_fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return mfa_fernet().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            logger.error(
                "An authenticator secret opens with no key: was DJANGO_SECRET_KEY changed without keeping the old "
                "one in DJANGO_SECRET_KEY_FALLBACKS? (docs/deploy.md, 'Rotating the secret key')"
            )
            raise MFASecretUnreadable from None
