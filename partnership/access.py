"""The one way views reach data: through the current partnership and the user's permissions.

``PartnershipViewMixin`` answers 403 to a request without a partnership membership (with a page
saying so) or without the view's ``permission``. Objects are fetched with the ``access_*`` helpers of
each app's selectors, which answer 404 both for "does not exist" and "not yours", so another tenant's
objects are indistinguishable from missing ones.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from partnership.models import Membership, Partnership, User
from partnership.permissions import Permission, membership_can


class PartnershipViewMixin:
    """Require a membership of the current partnership holding ``permission`` (None = any membership)."""

    permission: Permission | None = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        membership = getattr(request, "membership", None)
        if membership is None:
            return render(request, "partnership/no_membership.html", status=403)
        if self.permission is not None and not membership_can(membership, self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    @property
    def partnership(self) -> Partnership:
        return self.request.partnership  # type: ignore[attr-defined]

    @property
    def membership(self) -> Membership:
        return self.request.membership  # type: ignore[attr-defined]

    def can(self, permission: Permission) -> bool:
        return membership_can(self.membership, permission)


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request that passed ``PartnershipViewMixin`` (never anonymous there), typed as
    ``User`` for the services, so views need not import the models module."""
    return cast(User, request.user)
