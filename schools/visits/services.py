"""The only writers of notes of visit: keyword-only, validated (``full_clean``), atomic.

``visit_transition`` is the one way a visit changes state (the table in ``transitions``): it locks the row, checks
the move and the actor's right, records who and when, and queues the email with ``transaction.on_commit`` on the
email queue (the task is looked up by name: tasks import services, never the other way round).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnership.celery import task_named
from partnership.models import SCHOOL_ROLES, Membership, Partnership, Role
from partnership.permissions import Permission, membership_can
from partnership.services import tracked_save
from schools.models import School
from schools.risk.models import IntelligenceEntry
from schools.risk.services import intelligence_entry_create
from schools.visits.models import LinkAdviser, Visit, VisitAction, VisitPoint, VisitResponse, VisitSettings
from schools.visits.selectors import is_officer, is_school_of
from schools.visits.transitions import move_for

logger = logging.getLogger(__name__)
VISIT_EMAIL_TASK = "schools.visits.tasks.visit_email_task"
S = Visit.State


@dataclass(frozen=True)
class ActionData:
    """An agreed action as a form gives it."""

    action: str
    owner: str
    due_on: dt.date


def _require_officer(by: Membership) -> None:
    if not is_officer(by):
        raise PermissionDenied("Only LA officers record notes of visit")


def _add_actions(visit: Visit, actions: Sequence[ActionData]) -> None:
    for data in actions:
        action = VisitAction(visit=visit, action=data.action.strip(), owner=data.owner.strip(), due_on=data.due_on)
        action.full_clean()
        action.save()


@transaction.atomic
def visit_create(
    *,
    school: School,
    by: Membership,
    visited_on: dt.date,
    purpose: str,
    focus: str,
    attendees: str,
    notes: str,
    actions: Sequence[ActionData] = (),
) -> Visit:
    """Record a visit as a draft (only the LA sees it until it is shared), with its agreed actions."""
    _require_officer(by)
    if school.partnership_id != by.partnership_id:
        raise ValidationError({"school": "Choose a school in this partnership"})
    visit = tracked_save(
        Visit(
            partnership_id=by.partnership_id,
            school=school,
            visited_on=visited_on,
            purpose=purpose,
            focus=focus.strip(),
            attendees=attendees.strip(),
            notes=notes.strip(),
            visitor=by.user,
        ),
        user=by.user,
        creating=True,
    )
    _add_actions(visit, actions)
    return visit


def _locked(visit: Visit) -> Visit:
    return Visit.objects.select_for_update().select_related("school").get(pk=visit.pk)


def _require_draft(visit: Visit) -> None:
    if visit.state != S.DRAFT:
        raise ValidationError("This note has been shared with the school and can no longer be changed")


@transaction.atomic
def visit_update(
    *, visit: Visit, by: Membership, visited_on: dt.date, purpose: str, focus: str, attendees: str, notes: str
) -> Visit:
    """Change a draft note (a shared note is what the school answered: it is never changed)."""
    _require_officer(by)
    visit = _locked(visit)
    _require_draft(visit)
    visit.visited_on, visit.purpose = visited_on, purpose
    visit.focus, visit.attendees, visit.notes = focus.strip(), attendees.strip(), notes.strip()
    tracked_save(visit, user=by.user, creating=False)
    for action in visit.actions.all():
        action.full_clean()  # a visit date moved past an action's due date is refused
    return visit


@transaction.atomic
def visit_action_add(*, visit: Visit, by: Membership, action: str, owner: str, due_on: dt.date) -> VisitAction:
    """Add an agreed action to a draft note."""
    _require_officer(by)
    visit = _locked(visit)
    _require_draft(visit)
    _add_actions(visit, [ActionData(action, owner, due_on)])
    return visit.actions.order_by("-pk").first()  # type: ignore[return-value]


@transaction.atomic
def visit_action_remove(*, action: VisitAction, by: Membership) -> None:
    """Remove an action from a draft note."""
    _require_officer(by)
    visit = _locked(action.visit)
    _require_draft(visit)
    action.delete()


@transaction.atomic
def visit_transition(
    *,
    obj: Visit,
    to: str,
    by: Membership,
    base_url: str,
    accurate: bool | None = None,
    reply: str = "",
) -> Visit:
    """Move a visit along the table: share it with the school (officer), or record the head's or chair's response
    (is it accurate, and their reply; a reply is required when it is not). Emails the other side after commit."""
    visit = _locked(obj)
    move = move_for(visit, to)
    if move is None:
        raise ValidationError(f"A note that is {visit.get_state_display().lower()} cannot move to {to}")
    actor = "officer" if is_officer(by) else "school" if is_school_of(by, visit.school_id) else ""
    if actor not in move.actors:
        raise PermissionDenied("You may not make this change")
    now = timezone.now()
    if to == S.SHARED:
        visit.shared_at, visit.shared_by = now, by.user
        event = "shared"
    else:
        _respond(visit, by, accurate, reply, now)
        event = "responded"
    visit.state = to
    tracked_save(visit, user=by.user, creating=False)
    transaction.on_commit(lambda: visit_email_enqueue(visit_id=visit.pk, event=event, base_url=base_url))
    return visit


def _respond(visit: Visit, by: Membership, accurate: bool | None, reply: str, now: dt.datetime) -> None:
    if accurate is None:
        raise ValidationError({"accurate": "Select whether the note is accurate"})
    reply = reply.strip()
    if not accurate and not reply:
        raise ValidationError({"reply": "Enter what is not accurate in the note"})
    if VisitResponse.objects.filter(visit=visit, user=by.user).exists():
        raise ValidationError("You have already responded to this note of visit")
    roles = " and ".join(Role(r).label for r in by.roles if r in SCHOOL_ROLES)
    response = VisitResponse(
        visit=visit, user=by.user, role=roles[:60], accurate=accurate, reply=reply, responded_at=now
    )
    response.full_clean()
    response.save()


@transaction.atomic
def visit_point_promote(
    *,
    visit: Visit,
    by: Membership,
    kind: str,
    rating: str,
    summary: str,
    evidence: str,
    confidential: bool,
) -> IntelligenceEntry:
    """Record a point of the visit as soft intelligence (dated the day of the visit, the visit named in its
    evidence) and link the two both ways; the risk app recomputes the school's category as for any entry."""
    _require_officer(by)
    if not membership_can(by, Permission.RECORD_INTELLIGENCE):
        raise PermissionDenied("You may not record soft intelligence")
    visit = _locked(visit)
    source = f"From the note of visit of {visit.visited_on:%-d %B %Y} ({visit.get_purpose_display().lower()})."
    entry = intelligence_entry_create(
        partnership=Partnership.objects.get(pk=visit.partnership_id),
        school=visit.school,
        kind=kind,
        rating=rating,
        recorded_on=visit.visited_on,
        summary=summary,
        evidence=f"{evidence.strip()}\n\n{source}",
        confidential=confidential,
        user=by.user,
    )
    VisitPoint.objects.create(visit=visit, entry=entry, created_by=by.user)
    return entry


@transaction.atomic
def visit_point_link(*, visit: Visit, entry: IntelligenceEntry, by: Membership) -> VisitPoint:
    """Link a soft-intelligence entry already recorded to the visit it came from (same school, recorded on or
    after the visit day, not linked to another visit). The entry is left as it is, so no recomputation is asked."""
    _require_officer(by)
    if entry.school_id != visit.school_id or entry.partnership_id != visit.partnership_id:
        raise ValidationError({"entry": "Choose an entry about the school visited"})
    if entry.recorded_on < visit.visited_on:
        raise ValidationError({"entry": "Choose an entry recorded on or after the day of the visit"})
    if VisitPoint.objects.filter(entry=entry).exists():
        raise ValidationError({"entry": "This entry is already linked to a visit"})
    return VisitPoint.objects.create(visit=visit, entry=entry, created_by=by.user)


@transaction.atomic
def link_adviser_set(*, school: School, adviser_id: int | None, by: Membership) -> LinkAdviser | None:
    """Make a current officer or admin of the partnership the school's link adviser (None: no adviser)."""
    _require_officer(by)
    if school.partnership_id != by.partnership_id:
        raise ValidationError({"school": "Choose a school in this partnership"})
    found = LinkAdviser.objects.select_for_update().filter(school=school).first()
    if adviser_id is None:
        if found is not None:
            found.delete()
        return None
    adviser = Membership.objects.filter(
        partnership_id=by.partnership_id, user_id=adviser_id, archived_at__isnull=True
    ).first()
    if adviser is None or not is_officer(adviser):
        raise ValidationError({"adviser": "Choose an LA officer of this partnership"})
    row = found or LinkAdviser(partnership_id=by.partnership_id, school=school)
    row.adviser_id = adviser_id
    return tracked_save(row, user=by.user, creating=found is None)


@transaction.atomic
def visit_settings_update(*, partnership: Partnership, by: Membership, **frequencies: str) -> VisitSettings:
    """Set the visit frequency of each category (and of schools with no agreed category)."""
    if not membership_can(by, Permission.SET_VISIT_FREQUENCY):
        raise PermissionDenied("You may not change the visit frequency")
    found = VisitSettings.objects.select_for_update().filter(partnership=partnership).first()
    row = found or VisitSettings(partnership=partnership)
    for field in ("category_1", "category_2", "category_3", "category_4", "uncategorised"):
        if field in frequencies:
            setattr(row, field, frequencies[field])
    return tracked_save(row, user=by.user, creating=found is None)


# ----------------------------------------------------------------------------------------------------- email


def visit_email_enqueue(*, visit_id: int, event: str, base_url: str) -> bool:
    """Queue the email about ``event`` on the email queue; False (and logged) when the broker is down: the change
    is saved and the note waits on the school's page and the home page's work queue all the same."""
    try:
        task_named(VISIT_EMAIL_TASK).apply_async(args=[visit_id, event, base_url], retry=False)
    except Exception:  # noqa: BLE001 - the broker is unreachable; the email is a courtesy
        logger.warning("Could not queue the email of visit %s (%s)", visit_id, event, exc_info=True)
        return False
    return True


def _school_people_emails(visit: Visit) -> list[str]:
    members = Membership.objects.filter(
        partnership_id=visit.partnership_id,
        school_id=visit.school_id,
        archived_at__isnull=True,
        roles__overlap=[Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS],
    ).exclude(user__email="")
    return sorted(set(members.values_list("user__email", flat=True)))


def visit_email_send(*, visit_id: int, event: str, base_url: str) -> int:
    """Send the email of ``event``: ``shared`` tells the school's head and chair a note waits for them;
    ``responded`` tells the officer who shared it (and the visitor). The email says where to read it, never the
    note itself. Returns the number of recipients."""
    visit = Visit.objects.select_related("school", "shared_by", "visitor").filter(pk=visit_id).first()
    if visit is None:
        return 0
    if event == "shared":
        recipients = _school_people_emails(visit)
        path = reverse("visits:detail", args=[visit.pk])
        subject = f"Note of visit to {visit.school.name} on {visit.visited_on:%-d %B %Y}: please read and respond"
    elif event == "responded":
        people = [visit.shared_by, visit.visitor]
        recipients = sorted({p.email for p in people if p is not None and p.email})
        path = reverse("visits:detail", args=[visit.pk])
        subject = f"{visit.school.name} has responded to the note of visit of {visit.visited_on:%-d %B %Y}"
    else:
        raise ValueError(f"Unknown visit email event {event!r}")
    if not recipients:
        return 0
    body = render_to_string(
        "visits/email/visit.txt", {"visit": visit, "event": event, "link": base_url.rstrip("/") + path}
    )
    mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
