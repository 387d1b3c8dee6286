"""Writers for the partnership app: invitations, memberships, the board; and shared write helpers."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnership.models import (
    SCHOOL_ROLES,
    BoardMember,
    Invitation,
    Membership,
    MembershipEvent,
    Partnership,
    Role,
    TrackedModel,
    User,
)
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


class InvitationRefused(ValidationError):
    """The invitation cannot be accepted as things stand (said in a sentence the invitee can act on)."""


def invitation_account(*, invitation: Invitation) -> User | None:
    """The existing account that holds the invitation's address (verified or not), or None."""
    return User.objects.filter(email__iexact=invitation.email).first()


def invitation_binds_to(*, invitation: Invitation, user: User) -> bool:
    """True when ``user`` owns the invitation's address: it is their account's address and it is verified."""
    from allauth.account.models import EmailAddress

    return (
        user.email.lower() == invitation.email.lower()
        and EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()
    )


def _check_inviter_may_grant(invitation: Invitation) -> None:
    """Re-check, at acceptance, that the inviter may still grant every invited role (no inviter: operations)."""
    if invitation.created_by_id is None:
        return
    inviter = Membership.objects.filter(
        user_id=invitation.created_by_id, partnership_id=invitation.partnership_id, archived_at__isnull=True
    ).first()
    if inviter is None or set(invitation.roles) - _invitable_roles(inviter):
        raise InvitationRefused(
            "The person who invited you can no longer grant these roles. Ask them, or an administrator, "
            "to send a new invitation."
        )


@transaction.atomic
def invitation_account_create(*, invitation: Invitation, password: str, full_name: str) -> User:
    """Create the invitee's account from the emailed link (which proves the address: it is saved as verified)
    and accept the invitation with it. Refused when an account already holds the address."""
    from allauth.account.models import EmailAddress

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationRefused("This invitation has already been used or has expired")
    if invitation_account(invitation=invitation) is not None:
        raise InvitationRefused("An account already uses this email address: sign in to accept the invitation")
    _check_inviter_may_grant(invitation)
    user = User.objects.create_user(invitation.email, password, full_name=full_name or invitation.full_name)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    _membership_from_invitation(invitation, user)
    return user


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Accept ``invitation`` as signed-in ``user``, who must own its (verified) address.

    A new or archived membership gets exactly the invited roles and school (nothing merged, no clusters or
    alliances kept), re-checked against what the inviter may grant now; an active member is refused (their roles
    change on the people pages).
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationRefused("This invitation has already been used or has expired")
    if not invitation_binds_to(invitation=invitation, user=user):
        raise InvitationRefused(f"This invitation is for {invitation.email}, a verified address of another account")
    _check_inviter_may_grant(invitation)
    return _membership_from_invitation(invitation, user)


def _membership_from_invitation(invitation: Invitation, user: User) -> Membership:
    membership = Membership.objects.select_for_update().filter(user=user, partnership=invitation.partnership).first()
    if membership is not None and membership.archived_at is None:
        raise InvitationRefused(
            f"You are already a member of {invitation.partnership.name}. "
            "An administrator or officer can change your roles on your page in People."
        )
    before = membership_snapshot(membership) if membership is not None else None
    membership = membership or Membership(user=user, partnership=invitation.partnership)
    membership.roles = sorted(invitation.roles)
    membership.school = invitation.school
    membership.archived_at = None
    tracked_save(membership, user=invitation.created_by, creating=membership.pk is None)
    membership.clusters.clear()
    membership.alliances.clear()
    membership_event_record(
        membership=membership,
        by=invitation.created_by,
        action=MembershipEvent.Action.JOINED if before is None else MembershipEvent.Action.REJOINED,
        before=before,
        note=f"Accepted the invitation sent to {invitation.email}",
    )
    invitation.state = Invitation.State.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["state", "accepted_at", "modified_at"])
    return membership


def invitation_may_manage(*, actor: Membership, invitation: Invitation) -> bool:
    """Whether ``actor`` may resend or revoke ``invitation``: only those who may invite admins touch an admin's."""
    return not (set(invitation.roles) - _invitable_roles(actor))


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: Membership) -> Invitation:
    """Revoke a pending invitation so its link no longer works (officers cannot revoke an admin's invitation)."""
    if not invitation_may_manage(actor=by, invitation=invitation):
        raise PermissionDenied("Only a partnership admin can revoke an invitation to be an admin")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != Invitation.State.PENDING:
        raise ValidationError("This invitation has already been used or revoked")
    invitation.state = Invitation.State.REVOKED
    return tracked_save(invitation, user=by.user, creating=False)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: Membership, base_url: str) -> Invitation:
    """Send a pending (or expired) invitation again: a new link, valid afresh; the old link stops working."""
    if not invitation_may_manage(actor=by, invitation=invitation):
        raise PermissionDenied("Only a partnership admin can resend an invitation to be an admin")
    if Membership.objects.filter(
        partnership_id=invitation.partnership_id, user__email__iexact=invitation.email, archived_at__isnull=True
    ).exists():
        raise ValidationError(f"{invitation.email} is already a member of the partnership")
    fresh, token = _new_invitation(
        partnership=invitation.partnership,
        email=invitation.email,
        full_name=invitation.full_name,
        roles=invitation.roles,
        school=invitation.school,
        user=by.user,
    )
    _send_invitation(fresh, token, base_url=base_url, inviter=by.user)
    return fresh


# --- People: a member's roles, school, leads, archive and restore, each change logged ------------------------


def membership_snapshot(membership: Membership) -> dict:
    """What a membership grants, in the words the person's page shows (kept in the change log as it was)."""
    school = membership.school
    return {
        "roles": [Role(r).label for r in sorted(membership.roles) if r in Role.values],
        "school": f"{school.name} ({school.urn})" if school else "",
        "clusters": sorted(c.name for c in membership.clusters.all()),
        "alliances": sorted(a.name for a in membership.alliances.all()),
        "status": "Archived" if membership.archived_at else "Active",
    }


def membership_event_record(
    *, membership: Membership, by: User | None, action: str, before: dict | None, note: str = ""
) -> MembershipEvent:
    """Log one change to ``membership`` (its state now is the ``after``)."""
    return MembershipEvent.objects.create(
        membership=membership,
        by=by,
        action=action,
        before=before,
        after=membership_snapshot(membership),
        note=note[:500],
    )


def membership_may_manage(*, actor: Membership, target: Membership) -> bool:
    """Whether ``actor`` may change ``target``: an admin's membership only by someone who may invite admins."""
    from partnership.permissions import Permission, membership_can

    if target.partnership_id != actor.partnership_id or not membership_can(actor, Permission.MANAGE_PEOPLE):
        return False
    return not (set(target.roles) - _invitable_roles(actor))


def _check_may_manage(actor: Membership, target: Membership) -> None:
    if not membership_may_manage(actor=actor, target=target):
        raise PermissionDenied("Only a partnership admin can change an admin's membership")


def _locked(membership: Membership) -> Membership:
    return Membership.objects.select_for_update(of=("self",)).select_related("school", "user").get(pk=membership.pk)


def _active_admins(partnership_id: int) -> int:
    return Membership.objects.filter(
        partnership_id=partnership_id, archived_at__isnull=True, roles__contains=[Role.ADMIN]
    ).count()


@transaction.atomic
def membership_roles_change(
    *, membership: Membership, roles: list[str], school: School | None, by: Membership
) -> Membership:
    """Set a member's roles and school: only roles ``by`` may grant, a school for school roles (in this
    partnership), never removing the partnership's last admin. Leads of clusters/alliances lose those clusters
    or alliances with the role."""
    membership = _locked(membership)
    _check_may_manage(by, membership)
    roles = sorted(set(roles))
    if not roles:
        raise ValidationError({"roles": "Select at least one role"})
    if set(roles) - _invitable_roles(by):
        raise ValidationError({"roles": "You cannot make people partnership admins"})
    if SCHOOL_ROLES & set(roles) and school is None:
        raise ValidationError({"urn": "Enter the URN of the school for a headteacher or chair of governors"})
    if school is not None and school.partnership_id != membership.partnership_id:
        raise ValidationError({"urn": "Enter the URN of a school in this partnership"})
    if Role.ADMIN in membership.roles and Role.ADMIN not in roles and _active_admins(membership.partnership_id) <= 1:
        raise ValidationError({"roles": "The partnership needs at least one admin: make someone else an admin first"})
    before = membership_snapshot(membership)
    membership.roles = roles
    membership.school = school if SCHOOL_ROLES & set(roles) else None
    tracked_save(membership, user=by.user, creating=False)
    if Role.CLUSTER_LEAD not in roles:
        membership.clusters.clear()
    if Role.ALLIANCE_LEAD not in roles:
        membership.alliances.clear()
    after = membership_snapshot(membership)
    if after != before:
        action = MembershipEvent.Action.ROLES if after["roles"] != before["roles"] else MembershipEvent.Action.SCHOOL
        membership_event_record(membership=membership, by=by.user, action=action, before=before)
    return membership


@transaction.atomic
def membership_leads_change(*, membership: Membership, clusters: list, alliances: list, by: Membership) -> Membership:
    """Make a member the lead of exactly ``clusters`` and ``alliances`` (of this partnership); the cluster lead and
    alliance lead roles follow: held while they lead at least one, removed when they lead none."""
    membership = _locked(membership)
    _check_may_manage(by, membership)
    if membership.archived_at is not None:
        raise ValidationError("Restore this person before changing what they lead")
    foreign = [x for x in [*clusters, *alliances] if x.partnership_id != membership.partnership_id]
    if foreign:
        raise ValidationError("Choose clusters and alliances of this partnership")
    before = membership_snapshot(membership)
    roles = set(membership.roles)
    for role, chosen in ((Role.CLUSTER_LEAD, clusters), (Role.ALLIANCE_LEAD, alliances)):
        if chosen:
            roles.add(role)
        else:
            roles.discard(role)
    if not roles:
        raise ValidationError(
            "Select at least one cluster or alliance: leading nothing would leave them no role (archive them instead)"
        )
    membership.roles = sorted(roles)
    tracked_save(membership, user=by.user, creating=False)
    membership.clusters.set(clusters)
    membership.alliances.set(alliances)
    if membership_snapshot(membership) != before:
        membership_event_record(membership=membership, by=by.user, action=MembershipEvent.Action.LEADS, before=before)
    return membership


class MembershipState:
    """A membership is active or archived (archived: no access, history kept; restoring gives it back)."""

    ACTIVE = "active"
    ARCHIVED = "archived"
    TRANSITIONS = {ACTIVE: {ARCHIVED}, ARCHIVED: {ACTIVE}}


@transaction.atomic
def membership_transition(*, membership: Membership, to: str, by: Membership, note: str = "") -> Membership:
    """Archive or restore a member: row locked, move and actor's right checked, who and when logged."""
    membership = _locked(membership)
    _check_may_manage(by, membership)
    state = MembershipState.ARCHIVED if membership.archived_at else MembershipState.ACTIVE
    if to not in MembershipState.TRANSITIONS[state]:
        raise ValidationError(f"This person is already {'archived' if state == MembershipState.ARCHIVED else 'active'}")
    if to == MembershipState.ARCHIVED:
        if membership.pk == by.pk:
            raise ValidationError("You cannot archive yourself: ask another admin or officer")
        if Role.ADMIN in membership.roles and _active_admins(membership.partnership_id) <= 1:
            raise ValidationError("The partnership needs at least one admin: make someone else an admin first")
    before = membership_snapshot(membership)
    membership.archived_at = timezone.now() if to == MembershipState.ARCHIVED else None
    tracked_save(membership, user=by.user, creating=False)
    action = MembershipEvent.Action.ARCHIVED if to == MembershipState.ARCHIVED else MembershipEvent.Action.RESTORED
    membership_event_record(membership=membership, by=by.user, action=action, before=before, note=note)
    return membership


@transaction.atomic
def membership_mfa_reset(*, membership: Membership, by: Membership) -> int:
    """Remove a member's authenticators and recovery codes (lost phone, or a secret no key opens after a key
    change); with an MFA role they must set up a new authenticator at their next sign-in. Returns how many."""
    from allauth.mfa.models import Authenticator

    membership = _locked(membership)
    _check_may_manage(by, membership)
    if membership.pk == by.pk:
        raise ValidationError("You cannot reset your own two-factor authentication: ask another admin")
    removed, _ = Authenticator.objects.filter(user_id=membership.user_id).delete()
    membership_event_record(
        membership=membership,
        by=by.user,
        action=MembershipEvent.Action.MFA_RESET,
        before=membership_snapshot(membership),
        note=f"{removed} authenticator(s) removed",
    )
    return removed


@transaction.atomic
def board_member_save(*, member: BoardMember, user: User | None) -> BoardMember:
    """Create or update a board seat."""
    return tracked_save(member, user=user, creating=member.pk is None)


def partnership_for_user(*, user: User, partnership_id: int) -> Partnership | None:
    """The partnership with ``partnership_id`` if ``user`` has an active membership of it."""
    return Partnership.objects.filter(
        pk=partnership_id, memberships__user=user, memberships__archived_at__isnull=True
    ).first()


# --- Two-factor secrets: rotation and operations' reset ------------------------------------------------------


def mfa_secrets_reencrypt() -> tuple[int, list[str]]:
    """Re-encrypt every authenticator's secret (TOTP) and seed (recovery codes) with the current key; returns how
    many were moved and the emails of accounts whose secrets no key opens (they need a reset)."""
    from allauth.mfa.models import Authenticator
    from cryptography.fernet import InvalidToken

    from partnership.adapters import mfa_fernet

    fernet = mfa_fernet()
    moved, unreadable = 0, []
    for authenticator in Authenticator.objects.select_related("user").order_by("pk"):
        data = dict(authenticator.data)
        try:
            for name in ("secret", "seed"):
                if isinstance(data.get(name), str):
                    data[name] = fernet.rotate(data[name].encode()).decode()
            if isinstance(data.get("migrated_codes"), list):
                data["migrated_codes"] = [fernet.rotate(c.encode()).decode() for c in data["migrated_codes"]]
        except InvalidToken:
            unreadable.append(authenticator.user.email)
            continue
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
            moved += 1
    return moved, sorted(set(unreadable))


@transaction.atomic
def mfa_reset_by_operations(*, email: str) -> int:
    """Remove every authenticator of the account with ``email`` (operations staff, from the shell), logged on each
    of its memberships; ValueError if there is no such account."""
    from allauth.mfa.models import Authenticator

    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValueError(f"No account has the email address {email}")
    removed, _ = Authenticator.objects.filter(user=user).delete()
    for membership in Membership.objects.filter(user=user):
        membership_event_record(
            membership=membership,
            by=None,
            action=MembershipEvent.Action.MFA_RESET,
            before=membership_snapshot(membership),
            note=f"{removed} authenticator(s) removed by the service's operations staff (manage.py mfa_reset)",
        )
    return removed
