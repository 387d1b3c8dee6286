"""Writers for the partnership app: invitations, memberships, the board; and shared write helpers."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnership.models import SCHOOL_ROLES, BoardMember, Invitation, Membership, Partnership, Role, TrackedModel, User
from schools.models import School

logger = logging.getLogger(__name__)
T = TypeVar("T", bound=TrackedModel)


def tracked_save(obj: T, *, user: User | None, creating: bool) -> T:
    """Validate and save a tracked row, stamping who created/changed it."""
    if creating:
        obj.created_by = user
    obj.modified_by = user
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def dated_membership_end(*, membership: T, left_on: dt.date | None, user: User | None) -> T:
    """End a dated membership (cluster, alliance or network): history is kept, never deleted."""
    left = left_on or timezone.localdate()
    if left < membership.joined_on:  # type: ignore[attr-defined]
        raise ValidationError({"left_on": "The leaving date must be the same as or after the joining date"})
    membership.left_on = left  # type: ignore[attr-defined]
    return tracked_save(membership, user=user, creating=False)


def _invitable_roles(inviter: Membership) -> set[str]:
    from partnership.permissions import Permission, membership_can

    roles = set(Role.values)
    if not membership_can(inviter, Permission.INVITE_ADMINS):
        roles.discard(Role.ADMIN)
    return roles


def _send_invitation(invitation: Invitation, token: str, *, base_url: str, inviter: User | None) -> str:
    link = base_url.rstrip("/") + reverse("partnership:accept_invitation", args=[token])
    context = {
        "invitation": invitation,
        "link": link,
        "inviter": inviter or "The service administrator",
        "partnership": invitation.partnership,
    }
    invitation.delivery_error = None

    def deliver() -> None:
        # After commit, so a rolled-back invitation never emails. A mail server that is down must not turn a
        # saved invitation into an error page: the failure is logged and left on the object for the caller.
        try:
            send_mail(
                subject=f"You have been invited to {invitation.partnership.name}",
                message=render_to_string("partnership/email/invitation.txt", context),
                from_email=None,
                recipient_list=[invitation.email],
            )
        except (OSError, smtplib.SMTPException) as error:
            logger.exception("Invitation %s: the email could not be sent", invitation.pk)
            invitation.delivery_error = str(error) or error.__class__.__name__

    transaction.on_commit(deliver)
    return link


def _new_invitation(
    *, partnership: Partnership, email: str, full_name: str, roles: list[str], school: School | None, user: User | None
) -> tuple[Invitation, str]:
    Invitation.objects.filter(partnership=partnership, email=email, state=Invitation.State.PENDING).update(
        state=Invitation.State.REVOKED
    )
    token, token_hash = Invitation.new_token()
    invitation = tracked_save(
        Invitation(
            partnership=partnership,
            email=email,
            full_name=full_name,
            roles=roles,
            school=school,
            token_hash=token_hash,
            expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_VALID_DAYS),
        ),
        user=user,
        creating=True,
    )
    return invitation, token


@transaction.atomic
def first_admin_invite(*, partnership: Partnership, email: str, base_url: str) -> str:
    """Invite the first admin of a new partnership (from the shell); returns the one-time link."""
    invitation, token = _new_invitation(
        partnership=partnership, email=email.strip().lower(), full_name="", roles=[Role.ADMIN], school=None, user=None
    )
    return _send_invitation(invitation, token, base_url=base_url, inviter=None)


@transaction.atomic
def invitation_create(
    *,
    inviter: Membership,
    email: str,
    full_name: str,
    roles: list[str],
    school: School | None,
    base_url: str,
) -> Invitation:
    """Invite ``email`` to the inviter's partnership; emails a one-time link valid for INVITATION_VALID_DAYS."""
    email = email.strip().lower()
    partnership = inviter.partnership
    forbidden = set(roles) - _invitable_roles(inviter)
    if forbidden:
        raise ValidationError({"roles": "You cannot invite people as partnership admins"})
    if SCHOOL_ROLES & set(roles) and school is None:
        raise ValidationError({"urn": "Enter the URN of the school for a headteacher or chair of governors"})
    if school is not None and school.partnership_id != partnership.pk:
        raise ValidationError({"urn": "Enter the URN of a school in this partnership"})
    if Membership.objects.filter(partnership=partnership, user__email__iexact=email, archived_at__isnull=True).exists():
        raise ValidationError({"email": "This person is already a member of the partnership"})
    invitation, token = _new_invitation(
        partnership=partnership, email=email, full_name=full_name, roles=roles, school=school, user=inviter.user
    )
    _send_invitation(invitation, token, base_url=base_url, inviter=inviter.user)
    return invitation


def invitation_from_token(*, token: str) -> Invitation | None:
    """The usable invitation for ``token`` (pending, not expired), or None."""
    invitation = (
        Invitation.objects.select_related("partnership", "school")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    return invitation if invitation is not None and invitation.is_usable else None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, full_name: str) -> User:
    """Create (or reuse) the user, give them the invited membership, and spend the invitation."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError("This invitation has already been used or has expired")
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(invitation.email, password, full_name=full_name or invitation.full_name)
    membership, _ = Membership.objects.get_or_create(user=user, partnership=invitation.partnership)
    membership.roles = sorted(set(membership.roles) | set(invitation.roles))
    membership.school = invitation.school or membership.school
    membership.archived_at = None
    tracked_save(membership, user=invitation.created_by, creating=False)
    invitation.state = Invitation.State.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["state", "accepted_at", "modified_at"])
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, user: User) -> Invitation:
    """Revoke a pending invitation so its link no longer works."""
    invitation.state = Invitation.State.REVOKED
    return tracked_save(invitation, user=user, creating=False)


@transaction.atomic
def board_member_save(*, member: BoardMember, user: User | None) -> BoardMember:
    """Create or update a board seat."""
    return tracked_save(member, user=user, creating=member.pk is None)


def partnership_for_user(*, user: User, partnership_id: int) -> Partnership | None:
    """The partnership with ``partnership_id`` if ``user`` has an active membership of it."""
    return Partnership.objects.filter(
        pk=partnership_id, memberships__user=user, memberships__archived_at__isnull=True
    ).first()
