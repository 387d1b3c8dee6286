"""Display values for the people pages: account facts in words, and each logged change as before → after."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from partnership.models import Membership, MembershipEvent

_FIELDS = (("roles", "Roles"), ("school", "School"), ("clusters", "Leads clusters"), ("alliances", "Leads alliances"))
_FIELDS_STATUS = (*_FIELDS, ("status", "Status"))


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def last_sign_in(person: Membership) -> str:
    """When the person last signed in, or "Never signed in"."""
    return _when(person.user.last_login) if person.user.last_login else "Never signed in"


def two_factor(person: Membership) -> str:
    """Their two-factor state in words (``has_mfa`` is annotated by the selectors)."""
    if getattr(person, "has_mfa", False):
        return "Authenticator app or security key set up"
    if person.has_role(*settings.MFA_REQUIRED_ROLES):
        return "Not set up: they must set it up when they next sign in"
    return "Not set up (optional for their roles)"


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(value) if value else "None"
    return value or "None"


@dataclass(frozen=True)
class Change:
    """One field of a logged change."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EventRow:
    """One logged change, ready for the person's page."""

    when: str
    by: str
    action: str
    changes: list[Change]
    note: str


def event_rows(events: list[MembershipEvent]) -> list[EventRow]:
    """Each event with only the fields that changed (all fields for a first membership)."""
    rows = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        changes = [
            Change(label, _text(before.get(key)) if event.before is not None else "–", _text(after.get(key)))
            for key, label in _FIELDS_STATUS
            if event.before is None or before.get(key) != after.get(key)
        ]
        rows.append(
            EventRow(
                when=_when(event.at),
                by=event.by.email if event.by else "The service (invitation)",
                action=event.get_action_display(),
                changes=changes,
                note=event.note,
            )
        )
    return rows


_PK_PLACEHOLDER = 2147483647  # the largest serial: in no URL of a real row, so it marks where the pk goes


def pk_url(name: str) -> Callable[[int], str]:
    """``lambda pk: reverse(name, args=[pk])`` at the price of one ``reverse``: for a link on every row of a long
    list (a region's hundreds of clusters), where reversing per row was a large part of the page (#15)."""
    before, _, after = reverse(name, args=[_PK_PLACEHOLDER]).partition(str(_PK_PLACEHOLDER))
    return lambda pk: f"{before}{int(pk)}{after}"
