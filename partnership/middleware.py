"""Request plumbing: session lifetimes, the current partnership, mandatory MFA and security headers."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
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
                # The whole page asked for, query string included, encoded (a path or query may hold "&", "#", " ").
                next_page = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('account_login')}?{next_page}")
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
    Also an authenticator secret no key opens (after a key change): a page saying how to get back in.

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

        from partnership.adapters import MFASecretUnreadable

        if isinstance(exception, MFASecretUnreadable):  # read outside the code forms (they say it themselves)
            return render(request, "mfa_unreadable.html", status=200)
        if not isinstance(exception, RedisConnectionError | RedisTimeoutError):
            return None
        logger.error("Redis unavailable while answering %s: %s", request.path, exception)
        signing_in = request.path.startswith("/accounts/") or not request.user.is_authenticated
        response = render(request, "service_unavailable.html", {"signing_in": signing_in}, status=503)
        response["Retry-After"] = "120"
        return response


# Room for the multipart framing and the form's other fields around a file of IMPORT_MAX_BYTES.
UPLOAD_SLACK_BYTES = 64 * 1024


def _size_text(size: int) -> str:
    return f"{size // 2**20}MB" if size >= 2**20 else f"{max(size // 1024, 1)}KB"


class UploadCapHandler(FileUploadHandler):
    """First upload handler: stops a multipart body whose files grow past IMPORT_MAX_BYTES as they are read
    (a chunked body, or a Content-Length that lied), and marks the request so the middleware refuses it."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > getattr(self.request, "upload_cap", settings.IMPORT_MAX_BYTES):
            if self.request is not None:
                self.request.upload_over_cap = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class UploadCapMiddleware:
    """Refuse a body over the upload cap before anything reads it (placed before CsrfViewMiddleware, which would
    parse it): from Content-Length when it is too large, else while it is parsed (``UploadCapHandler``)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        cap = self.cap_for(view_func)
        request.upload_cap = cap  # type: ignore[attr-defined]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > cap + UPLOAD_SLACK_BYTES:
            return self.refuse(request)
        if request.content_type == "multipart/form-data":
            request.POST  # noqa: B018 - parse now, through UploadCapHandler, before anything else reads the body
            if getattr(request, "upload_over_cap", False):
                return self.refuse(request)
        return None

    @staticmethod
    def cap_for(view_func) -> int:
        """The view's own cap (``upload_max_bytes`` on its class: bytes, or a function giving them, e.g. a board
        paper's 20 MB), else IMPORT_MAX_BYTES."""
        cap = getattr(getattr(view_func, "view_class", None), "upload_max_bytes", None)
        if callable(cap):
            cap = cap()
        return int(cap) if cap else settings.IMPORT_MAX_BYTES

    def refuse(self, request: HttpRequest) -> HttpResponse:
        cap = getattr(request, "upload_cap", settings.IMPORT_MAX_BYTES)
        message = f"The selected file must be smaller than {_size_text(cap)}"
        response = render(request, "upload_too_large.html", {"message": message, "back": request.path}, status=413)
        response["Connection"] = "close"  # the rest of the body is not read
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
