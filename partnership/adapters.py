"""allauth adapters: no public sign-up; MFA secrets encrypted at rest."""

from __future__ import annotations

import base64
import hashlib
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.conf import settings
from django.http import HttpRequest


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


def _fernet() -> Fernet:
    key = hashlib.sha256(f"mfa-secrets:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class MFAAdapter(DefaultMFAAdapter):
    """Encrypt TOTP secrets with a key derived from SECRET_KEY, so a database dump does not leak them."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()
