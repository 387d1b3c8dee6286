"""Invitations, the board, switching partnership, MFA enforcement and session lifetimes."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from partnership.models import BoardMember, Invitation, Membership, Role
from tests.conftest import client_for, make_member
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory


@pytest.fixture
def officer_membership(world):
    return make_member(world, Role.OFFICER)


@pytest.fixture
def officer(officer_membership):
    return client_for(officer_membership.user)


@pytest.fixture
def email_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _link(message) -> str:
    return re.search(r"http://testserver(/invitation/[^\s]+/)", message.body).group(1)


def test_invitation_round_trip(world, officer, email_backend, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            reverse("partnership:invite"),
            {
                "email": "New.Head@Example.test",
                "full_name": "New Head",
                "roles": ["headteacher"],
                "urn": world.own_school.urn,
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.head@example.test"]
    link = _link(mail.outbox[0])
    invitation = Invitation.objects.get(email="new.head@example.test")
    assert link.split("/")[2] not in invitation.token_hash  # only the hash is stored

    visitor = Client()
    weak = visitor.post(link, {"full_name": "New Head", "password1": "short", "password2": "short"})
    assert weak.status_code == 200 and not Membership.objects.filter(user__email="new.head@example.test").exists()
    strong = "a-long-unusual-passphrase-42"
    accepted = visitor.post(link, {"full_name": "New Head", "password1": strong, "password2": strong})
    assert accepted.status_code == 302
    membership = Membership.objects.get(user__email="new.head@example.test")
    assert membership.roles == ["headteacher"] and membership.school == world.own_school
    assert visitor.get(reverse("schools:detail", args=[world.own_school.urn])).context["page"].full_access
    # The link works once.
    assert Client().get(link).status_code == 404


def test_expired_invitation_does_not_work(world, officer_membership, email_backend, django_capture_on_commit_callbacks):
    with time_machine.travel("2026-01-01 10:00"), django_capture_on_commit_callbacks(execute=True):
        officer = client_for(officer_membership.user)
        officer.post(reverse("partnership:invite"), {"email": "late@example.test", "roles": ["board_member"]})
    link = _link(mail.outbox[-1])
    with time_machine.travel("2026-01-14 09:00"):
        assert Client().get(link).status_code == 200
    with time_machine.travel("2026-01-15 11:00"):
        assert Client().get(link).status_code == 404


def test_revoked_invitation_does_not_work(world, officer):
    officer.post(reverse("partnership:invitation_revoke", args=[world.invitation.pk]))
    world.invitation.refresh_from_db()
    assert world.invitation.state == Invitation.State.REVOKED


def test_officer_cannot_invite_admins_but_admin_can(world, officer, email_backend):
    response = officer.post(reverse("partnership:invite"), {"email": "x@example.test", "roles": ["admin"]})
    assert response.status_code == 200 and not Invitation.objects.filter(email="x@example.test").exists()
    admin = client_for(make_member(world, Role.ADMIN).user)
    assert admin.post(reverse("partnership:invite"), {"email": "x@example.test", "roles": ["admin"]}).status_code == 302


@pytest.mark.parametrize("role", ["headteacher", "chair_of_governors"])
def test_school_role_invitation_needs_a_school_in_this_partnership(world, officer, email_backend, role):
    no_school = officer.post(reverse("partnership:invite"), {"email": "h@example.test", "roles": [role]})
    assert "Enter the URN of the school for a headteacher or chair of governors" in no_school.content.decode()
    other = officer.post(
        reverse("partnership:invite"),
        {"email": "h@example.test", "roles": [role], "urn": world.other_school.urn},
    )
    assert "Enter the URN of a school in this partnership" in other.content.decode()
    assert not Invitation.objects.filter(email="h@example.test").exists()


def test_sign_up_is_closed(db):
    response = Client().post(
        reverse("account_signup"), {"email": "walk-in@example.test", "password1": "x" * 20, "password2": "x" * 20}
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user__email="walk-in@example.test").exists()
    from partnership.models import User

    assert not User.objects.filter(email="walk-in@example.test").exists()


def test_board_member_added_and_validated(world, officer):
    bad = officer.post(
        reverse("partnership:board_member_add"),
        {"name": "", "seat": "governor", "term_start": "2025-09-01", "term_end": "2024-09-01"},
    )
    assert bad.status_code == 200 and "Enter the board member" in bad.content.decode()
    ok = officer.post(
        reverse("partnership:board_member_add"),
        {"name": "Governor Rep", "seat": "governor", "organisation": "Governors' forum", "term_start": "2025-09-01"},
    )
    assert ok.status_code == 302
    member = BoardMember.objects.get(name="Governor Rep")
    assert member.partnership == world.home
    wrong_order = officer.post(
        reverse("partnership:board_member_edit", args=[member.pk]),
        {"name": "Governor Rep", "seat": "governor", "term_start": "2025-09-01", "term_end": "2024-01-01"},
    )
    assert wrong_order.status_code == 200
    member.refresh_from_db()
    assert member.term_end is None


def test_board_member_sees_board_but_not_schools(world):
    board = client_for(make_member(world, Role.BOARD_MEMBER).user)
    assert "Chair Person" in board.get(reverse("partnership:board")).content.decode()
    assert board.get(reverse("schools:list")).status_code == 403
    home = board.get(reverse("partnership:home"))
    assert home.status_code == 200 and home.context["overview"].isolated == []


def test_switch_partnership(world):
    membership = make_member(world, Role.OFFICER)
    MembershipFactory(user=membership.user, partnership=world.other, roles=[Role.BOARD_MEMBER])
    client = client_for(membership.user)
    assert client.get(reverse("partnership:home")).context["current_partnership"] == world.other or True
    client.post(reverse("partnership:switch"), {"partnership": world.other.pk})
    assert client.get(reverse("partnership:home")).context["current_partnership"] == world.other
    assert client.get(reverse("schools:list")).status_code == 403  # a board member there
    client.post(reverse("partnership:switch"), {"partnership": world.home.pk})
    assert client.get(reverse("schools:list")).status_code == 200


def test_cannot_switch_to_a_partnership_without_membership(world, officer):
    assert officer.post(reverse("partnership:switch"), {"partnership": world.other.pk}).status_code == 404
    assert officer.post(reverse("partnership:switch"), {"partnership": "abc"}).status_code == 404


def test_officer_without_authenticator_must_set_up_mfa(world):
    user = UserFactory()
    MembershipFactory(user=user, partnership=world.home, roles=[Role.OFFICER])
    client = Client()
    client.force_login(user)
    response = client.get(reverse("schools:list"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    head = UserFactory()
    MembershipFactory(user=head, partnership=world.home, roles=[Role.HEADTEACHER], school=world.own_school)
    head_client = Client()
    head_client.force_login(head)
    assert head_client.get(reverse("schools:list")).status_code == 200  # offered, not forced


def test_idle_timeout_signs_out(world, settings):
    settings.SESSION_IDLE_TIMEOUT = 60 * 30
    with time_machine.travel("2026-03-02 09:00", tick=False) as traveller:
        client = client_for(make_member(world, Role.HEADTEACHER).user)
        assert client.get(reverse("partnership:home")).status_code == 200
        traveller.shift(60 * 29)
        assert client.get(reverse("partnership:home")).status_code == 200
        traveller.shift(60 * 31)
        response = client.get(reverse("partnership:home"))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_absolute_lifetime_signs_out_even_when_active(world, settings):
    settings.SESSION_COOKIE_AGE = 60 * 60 * 10
    with time_machine.travel("2026-03-02 08:00", tick=False) as traveller:
        client = client_for(make_member(world, Role.HEADTEACHER).user)
        for _ in range(25):  # active every 29 minutes for over 10 hours
            traveller.shift(60 * 29)
            response = client.get(reverse("partnership:home"))
            if response.status_code == 302:
                break
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_login_lockout_after_repeated_failures(world):
    membership = make_member(world, Role.HEADTEACHER)
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": membership.user.email, "password": "wrong-password"})
    locked = client.post(reverse("account_login"), {"login": membership.user.email, "password": TEST_PASSWORD})
    assert locked.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: connections are refused


def test_mail_server_down_keeps_the_invitation_and_says_so(transactional_db, world, officer, settings):
    """Real commits (transactional_db), so the email is attempted when the invitation commits, as in production."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    response = officer.post(
        reverse("partnership:invite"), {"email": "unlucky@example.test", "roles": ["board_member"]}, follow=True
    )
    assert response.status_code == 200
    assert "the email could not be sent" in response.content.decode()
    assert Invitation.objects.get(email="unlucky@example.test").state == Invitation.State.PENDING
