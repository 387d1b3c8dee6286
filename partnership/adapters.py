"""allauth adapters: no public sign-up; MFA secrets encrypted at rest."""

from __future__ import annotations

import base64
import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created only by accepting an invitation (see ``partnership.services``)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


def _fernet() -> Fernet:
    key = hashlib.sha256(f"mfa-secrets:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class MFAAdapter(DefaultMFAAdapter):
    """Encrypt TOTP secrets with a key derived from SECRET_KEY, so a database dump does not leak them."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()
