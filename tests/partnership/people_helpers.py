"""People to manage in the ``world`` fixture, made once on first use (for the URL matrix and the people tests)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from partnership.models import Invitation, Membership, Role
from tests.factories import UserFactory


def _member(world, email: str, roles: list[str], *, partnership=None, school=None, archived=False) -> Membership:
    return Membership.objects.create(
        user=UserFactory(email=email, full_name=email.split("@")[0].replace(".", " ").title()),
        partnership=partnership or world.home,
        roles=roles,
        school=school,
        archived_at=timezone.now() if archived else None,
    )


def _admin_invitation(partnership, email: str) -> Invitation:
    _, token_hash = Invitation.new_token()
    return Invitation.objects.create(
        partnership=partnership,
        email=email,
        roles=[Role.ADMIN],
        token_hash=token_hash,
        expires_at=timezone.now() + dt.timedelta(days=14),
    )


def people_world(world) -> SimpleNamespace:
    """``world.people``: a head, a second admin, a cluster lead and an archived member in ``home``; members of
    ``other``; an admin's invitation."""
    if not hasattr(world, "people"):
        world.people = SimpleNamespace(
            head=_member(world, "managed.head@example.test", [Role.HEADTEACHER], school=world.own_school),
            admin=_member(world, "second.admin@example.test", [Role.ADMIN]),
            lead=_member(world, "managed.lead@example.test", [Role.CLUSTER_LEAD]),
            archived=_member(world, "gone.officer@example.test", [Role.SYSTEM_LEADER], archived=True),
            other=_member(world, "camden.head@example.test", [Role.SYSTEM_LEADER], partnership=world.other),
            other_archived=_member(
                world, "camden.gone@example.test", [Role.SYSTEM_LEADER], partnership=world.other, archived=True
            ),
            admin_invitation=_admin_invitation(world.home, "future.admin@example.test"),
        )
        world.people.lead.clusters.add(world.cluster)
    return world.people
