"""Request plumbing: session lifetimes, the current partnership, mandatory MFA and security headers."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from partnership.models import Membership

logger = logging.getLogger(__name__)
Handler = Callable[[HttpRequest], HttpResponse]
SESSION_PARTNERSHIP = "partnership_id"


class SessionTimeoutMiddleware:
    """Sign a user out after ``SESSION_IDLE_TIMEOUT`` idle seconds or ``SESSION_COOKIE_AGE`` since sign-in."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault("signed_in_at", now)
            last_seen = request.session.get("last_seen", now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, "You were signed out because your session expired. Sign in again.")
                return HttpResponseRedirect(f"{reverse('account_login')}?next={request.path}")
            if now - last_seen >= 60 or "last_seen" not in request.session:
                request.session["last_seen"] = now  # written at most once a minute
        return self.get_response(request)


class CurrentPartnershipMiddleware:
    """Attach ``request.membership`` and ``request.partnership``: the tenant every view reads through."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.partnership = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            memberships = Membership.objects.filter(user=request.user, archived_at__isnull=True).select_related(
                "partnership", "school"
            )
            chosen = request.session.get(SESSION_PARTNERSHIP)
            found = list(memberships.filter(partnership_id=chosen)[:1]) if chosen else []
            if not found:
                found = list(memberships.order_by("partnership__name")[:1])
            if found:
                request.membership = found[0]  # type: ignore[attr-defined]
                request.partnership = found[0].partnership  # type: ignore[attr-defined]
        return self.get_response(request)


class RequireMFAMiddleware:
    """LA officers and admins must set up two-factor authentication before using anything else."""

    SESSION_FLAG = "mfa_ok"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = getattr(request, "membership", None)
        if (
            membership is not None
            and membership.has_role(*settings.MFA_REQUIRED_ROLES)
            and not request.session.get(self.SESSION_FLAG)
            and not request.path.startswith(("/accounts/", settings.STATIC_URL))
        ):
            from allauth.mfa.models import Authenticator

            if Authenticator.objects.filter(
                user=request.user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
            ).exists():
                request.session[self.SESSION_FLAG] = True
            else:
                messages.warning(request, "Your role needs two-factor authentication. Set up an authenticator app.")
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class RedisDownMiddleware:
    """Redis (the cache: sign-in rate limits, used authenticator codes) unreachable: a clear 503, never a 500.

    Sign-in fails closed (ADR 0016): without its counters it cannot limit guessing, so it refuses and says to
    try again in a few minutes rather than letting unlimited attempts through.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        if not isinstance(exception, RedisConnectionError | RedisTimeoutError):
            return None
        logger.error("Redis unavailable while answering %s: %s", request.path, exception)
        signing_in = request.path.startswith("/accounts/") or not request.user.is_authenticated
        response = render(request, "service_unavailable.html", {"signing_in": signing_in}, status=503)
        response["Retry-After"] = "120"
        return response


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy, CORP, and no caching of signed-in pages."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            response.setdefault("Cache-Control", "no-store, private")
        return response
