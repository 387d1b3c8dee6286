"""allauth's two-factor code forms, with two answers it does not give: a code already used in its 30 seconds is
called that (not "not correct"), and a secret no key opens says what to do instead of failing with a 500."""

from __future__ import annotations

from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from django import forms

from partnership.adapters import MFASecretUnreadable

ALREADY_USED = (
    "This security code has already been used. Wait for your authenticator app to show a new code, then enter it"
)
UNREADABLE = (
    "We cannot check your security code because the service's keys have changed. Ask a partnership admin to "
    "reset your two-factor authentication (People, then your name), then sign in and set it up again"
)


class _ClearerCodeErrors:
    """Mixin for allauth's authenticate forms."""

    user: object
    cleaned_data: dict

    def clean_code(self) -> str:
        try:
            return super().clean_code()  # type: ignore[misc]
        except MFASecretUnreadable:
            raise forms.ValidationError(UNREADABLE, code="unreadable") from None
        except forms.ValidationError:
            if self._valid_but_used(self.cleaned_data.get("code", "")):
                raise forms.ValidationError(ALREADY_USED, code="already_used") from None
            raise

    def _valid_but_used(self, code: str) -> bool:
        """The code is right for this time step, so it failed only because it was used already."""
        for authenticator in Authenticator.objects.filter(user=self.user, type=Authenticator.Type.TOTP):
            try:
                if validate_totp_code(decrypt(authenticator.data["secret"]), code):
                    return True
            except MFASecretUnreadable:
                return False
        return False


class AuthenticateForm(_ClearerCodeErrors, AllauthAuthenticateForm):
    """The security-code step of signing in."""


class ReauthenticateForm(_ClearerCodeErrors, AllauthReauthenticateForm):
    """The security-code step of confirming it is you again."""
