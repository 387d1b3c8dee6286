"""A council starts by creating its partnership and inviting its first admin from the shell."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from partnership.models import Invitation, Membership, Partnership


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_create_partnership_and_accept_first_admin_invitation(db, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_partnership",
            slug="kent",
            name="Kent Partnership",
            la_codes="886",
            admin_email="Lead@Kent.example",
            base_url="http://testserver",
            stdout=out,
        )
    partnership = Partnership.objects.get(slug="kent")
    assert partnership.la_codes == ["886"]
    link = re.search(r"http://testserver(/invitation/\S+/)", out.getvalue()).group(1)
    assert mail.outbox[0].to == ["lead@kent.example"] and link in mail.outbox[0].body
    response = Client().post(
        link, {"full_name": "Kent Lead", "password1": "kent-partnership-lead-1", "password2": "kent-partnership-lead-1"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(partnership=partnership)
    assert membership.roles == ["admin"] and membership.user.email == "lead@kent.example"


def test_refuses_bad_la_codes_and_second_admin(db):
    with pytest.raises(CommandError, match="3 digits"):
        call_command("create_partnership", slug="x", name="X", la_codes="88", admin_email="a@x.example")
    assert not Partnership.objects.filter(slug="x").exists()
    call_command("create_partnership", slug="y", name="Y", admin_email="a@y.example", stdout=StringIO())
    invitation = Invitation.objects.get(email="a@y.example")
    from partnership.services import invitation_account_create

    invitation_account_create(invitation=invitation, password="y-partnership-admin-1", full_name="Y Admin")
    with pytest.raises(CommandError, match="already exists and has an admin"):
        call_command("create_partnership", slug="y", name="Y", admin_email="b@y.example")
