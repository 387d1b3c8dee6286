"""Issue #9, items 1-3: an invitation binds only to the person who owns its address, never signs anyone in by
itself, and re-activation sets exactly the invited roles (each test failed before the fix)."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnership.models import Invitation, Membership, Role, User
from tests.conftest import client_for, make_member
from tests.factories import TEST_PASSWORD

STRONG = "a-long-unusual-passphrase-42"


def _invite(partnership, email: str, roles: list[str], *, school=None, by=None) -> tuple[Invitation, str]:
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        partnership=partnership,
        email=email,
        roles=roles,
        school=school,
        token_hash=token_hash,
        expires_at=timezone.now() + dt.timedelta(days=14),
        created_by=by,
    )
    return invitation, reverse("partnership:accept_invitation", args=[token])


def _verified(user: User) -> EmailAddress:
    return EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def test_an_unverified_address_never_becomes_the_accounts_address(world):
    """Item 1: adding someone else's address and making it primary does not change whose account it is."""
    attacker = make_member(world, Role.HEADTEACHER, partnership=world.other)
    _verified(attacker.user)
    client = client_for(attacker.user)
    client.post(reverse("account_email"), {"action_add": "", "email": "victim.head@example.test"})
    client.post(reverse("account_email"), {"action_primary": "", "email": "victim.head@example.test"})
    attacker.user.refresh_from_db()
    assert attacker.user.email == "headteacher@other.example.test"
    assert not EmailAddress.objects.filter(email="victim.head@example.test", verified=True).exists()


def test_an_unverified_address_cannot_capture_an_invitation(world):
    """Item 1, the reproduced takeover: a head in partnership B claims a headteacher invitation of partnership A."""
    attacker = make_member(world, Role.HEADTEACHER, partnership=world.other)  # no verified address at all
    invitation, link = _invite(world.home, "victim.head@example.test", [Role.HEADTEACHER], school=world.own_school)
    client = client_for(attacker.user)
    client.post(reverse("account_email"), {"action_add": "", "email": "victim.head@example.test"})
    client.post(reverse("account_email"), {"action_primary": "", "email": "victim.head@example.test"})
    client.post(link, {"full_name": "Anyone", "password1": STRONG, "password2": STRONG})
    client.post(link, {"accept": "1"})
    assert not Membership.objects.filter(user=attacker.user, partnership=world.home).exists()
    # The real invitee still gets their own account from the link, and the address is verified by following it.
    victim = Client()
    response = victim.post(link, {"full_name": "Real Head", "password1": STRONG, "password2": STRONG})
    assert response.status_code == 302
    membership = Membership.objects.get(partnership=world.home, roles=[Role.HEADTEACHER], school=world.own_school)
    assert membership.user != attacker.user and membership.user.email == "victim.head@example.test"
    assert EmailAddress.objects.filter(user=membership.user, email="victim.head@example.test", verified=True).exists()


def test_invitation_link_does_not_sign_in_an_existing_account(world):
    """Item 2: whoever holds the link of an existing officer's address is not signed in as that officer."""
    officer = make_member(world, Role.OFFICER, partnership=world.other)  # MFA-protected, in another partnership
    _verified(officer.user)
    _, link = _invite(world.home, officer.user.email, [Role.BOARD_MEMBER])
    holder = Client()
    page = holder.get(link)
    assert page.status_code == 200 and "Sign in to accept" in page.content.decode()
    holder.post(link, {"full_name": "x", "password1": STRONG, "password2": STRONG})
    holder.post(link, {"accept": "1"})
    assert "_auth_user_id" not in holder.session
    assert holder.get(reverse("risk:register")).status_code == 302  # to sign in
    assert not Membership.objects.filter(user=officer.user, partnership=world.home).exists()


def test_existing_account_accepts_after_signing_in(world):
    """Item 2: signed in normally (password and MFA), the owner of the address accepts with one button."""
    officer = make_member(world, Role.OFFICER, partnership=world.other)
    _verified(officer.user)
    invitation, link = _invite(world.home, officer.user.email, [Role.BOARD_MEMBER])
    client = client_for(officer.user)
    page = client.get(link)
    assert page.status_code == 200 and "Accept invitation" in page.content.decode()
    response = client.post(link, {"accept": "1"})
    assert response.status_code == 302
    assert Membership.objects.get(user=officer.user, partnership=world.home).roles == [Role.BOARD_MEMBER]
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED


def test_signed_in_as_someone_else_cannot_accept(world):
    """Item 1/2: the invitation is for its address only, whoever is signed in."""
    other = make_member(world, Role.BOARD_MEMBER, partnership=world.other)
    _verified(other.user)
    _, link = _invite(world.home, "someone.else@example.test", [Role.OFFICER])
    client = client_for(other.user)
    page = client.get(link)
    assert page.status_code == 403 and "someone.else@example.test" in page.content.decode()
    client.post(link, {"accept": "1"})
    client.post(link, {"full_name": "x", "password1": STRONG, "password2": STRONG})
    assert not Membership.objects.filter(partnership=world.home, user=other.user).exists()
    assert not User.objects.filter(email="someone.else@example.test").exists()


def test_an_unverified_existing_address_is_not_accepted(world):
    """Item 1: an account whose address was never verified is told to verify it first."""
    user = make_member(world, Role.BOARD_MEMBER, partnership=world.other).user
    _, link = _invite(world.home, user.email, [Role.SYSTEM_LEADER])
    client = client_for(user)
    page = client.get(link)
    assert "has not been verified" in page.content.decode()
    client.post(link, {"accept": "1"})
    assert not Membership.objects.filter(partnership=world.home, user=user).exists()


def test_reactivation_sets_exactly_the_invited_roles(world):
    """Item 3: an archived admin re-invited as a board member by an officer is a board member only."""
    officer = make_member(world, Role.OFFICER)
    admin = make_member(world, Role.ADMIN)
    admin.clusters.add(world.cluster)
    admin.archived_at = timezone.now()
    admin.save()
    _verified(admin.user)
    _, link = _invite(world.home, admin.user.email, [Role.BOARD_MEMBER], by=officer.user)
    client = client_for(admin.user)
    assert client.post(link, {"accept": "1"}).status_code == 302
    admin.refresh_from_db()
    assert admin.roles == [Role.BOARD_MEMBER] and admin.archived_at is None
    assert list(admin.clusters.all()) == [] and admin.school is None


def test_acceptance_rechecks_what_the_inviter_may_grant(world):
    """Item 3: an admin invitation from someone who may not (or no longer may) invite admins is refused."""
    officer = make_member(world, Role.OFFICER)
    _, link = _invite(world.home, "would.be.admin@example.test", [Role.ADMIN], by=officer.user)
    response = Client().post(link, {"full_name": "Would Be", "password1": STRONG, "password2": STRONG})
    assert response.status_code == 200
    assert "can no longer grant" in response.content.decode()
    assert not Membership.objects.filter(user__email="would.be.admin@example.test").exists()


def test_accepting_when_already_an_active_member_changes_nothing(world):
    """Item 3: an active member's roles change on the people pages, never by an old invitation."""
    head = make_member(world, Role.HEADTEACHER)
    _verified(head.user)
    admin = make_member(world, Role.ADMIN)
    _, link = _invite(world.home, head.user.email, [Role.OFFICER], by=admin.user)
    response = client_for(head.user).post(link, {"accept": "1"})
    assert response.status_code == 200 and "already a member" in response.content.decode()
    head.refresh_from_db()
    assert head.roles == [Role.HEADTEACHER]


@pytest.mark.parametrize("password", [TEST_PASSWORD, "wrong"])
def test_anonymous_post_with_any_password_does_not_join_an_existing_account(world, password):
    user = make_member(world, Role.BOARD_MEMBER, partnership=world.other).user
    _verified(user)
    _, link = _invite(world.home, user.email, [Role.BOARD_MEMBER])
    client = Client()
    client.post(link, {"full_name": "x", "password1": password, "password2": password, "accept": "1"})
    assert "_auth_user_id" not in client.session
    assert not Membership.objects.filter(partnership=world.home, user=user).exists()
