"""Signal receivers: stamp the sign-in time that the absolute session lifetime counts from."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in)
def stamp_sign_in(sender, request, user, **kwargs) -> None:
    """Record when this session signed in (see SessionTimeoutMiddleware)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session["signed_in_at"] = now
        request.session["last_seen"] = now
