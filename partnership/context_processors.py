"""Template context shared by every page: the current partnership and what the user may reach."""

from __future__ import annotations

from django.http import HttpRequest

from partnership.permissions import Permission, permissions_for


def partnership(request: HttpRequest) -> dict:
    """``current_partnership``, ``current_membership`` and ``perms_in_partnership`` (a set of names)."""
    membership = getattr(request, "membership", None)
    return {
        "current_partnership": getattr(request, "partnership", None),
        "current_membership": membership,
        "can": {p.name: True for p in permissions_for(membership)},
        "Permission": Permission,
    }
