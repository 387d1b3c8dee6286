"""Shared fixtures: one partnership with a small world in it, and one signed-in client per role.

``world`` builds: partnership ``home`` with two clusters in one alliance, schools in and out of them,
a trust; and a second partnership ``other`` with its own school, cluster and alliance (for 404 tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from partnership.models import Membership, Partnership, Role, User
from tests import factories as f

MFA_TEST_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - a well-known example secret, tests only


@dataclass
class World:
    home: Partnership
    other: Partnership
    own_school: object
    cluster_school: object
    outside_school: object
    isolated_school: object
    cluster: object
    other_cluster: object
    alliance: object
    network: object
    other_school: object
    other_cluster_obj: object
    other_alliance: object
    board_member: object


@pytest.fixture
def world(db) -> World:
    home = f.PartnershipFactory(slug="home", name="Home Partnership")
    other = f.PartnershipFactory(slug="other", name="Other Partnership", la_codes=["202"])
    own = f.SchoolFactory(partnership=home, name="Own Primary School")
    peer = f.SchoolFactory(partnership=home, name="Peer Primary School")
    outside = f.SchoolFactory(partnership=home, name="Far Away Academy", district="Tandridge")
    isolated = f.SchoolFactory(partnership=home, name="Lonely Infant School")
    cluster = f.ClusterFactory(partnership=home, name="Esher Cluster")
    other_cluster = f.ClusterFactory(partnership=home, name="Oxted Cluster")
    f.ClusterMembershipFactory(cluster=cluster, school=own)
    f.ClusterMembershipFactory(cluster=cluster, school=peer)
    f.ClusterMembershipFactory(cluster=other_cluster, school=outside)
    alliance = f.AllianceFactory(partnership=home, name="North Alliance")
    f.AllianceMembershipFactory(alliance=alliance, cluster=cluster)
    network = f.NetworkFactory(partnership=home, name="Example Learning Trust")
    f.NetworkMembershipFactory(network=network, school=outside)
    other_school = f.SchoolFactory(partnership=other, name="Camden Secret School", la_code="202")
    other_cluster_obj = f.ClusterFactory(partnership=other, name="Camden Cluster")
    f.ClusterMembershipFactory(cluster=other_cluster_obj, school=other_school)
    other_alliance = f.AllianceFactory(partnership=other, name="Camden Alliance")
    board_member = f.BoardMemberFactory(partnership=home, name="Chair Person", seat="chair")
    return World(
        home, other, own, peer, outside, isolated, cluster, other_cluster, alliance, network,
        other_school, other_cluster_obj, other_alliance, board_member,
    )


ROLES = [r.value for r in Role]


def make_member(world: World, role: str, *, partnership: Partnership | None = None) -> Membership:
    """A membership in ``world.home`` (or ``partnership``) holding ``role`` and its natural attachments."""
    partnership = partnership or world.home
    user = f.UserFactory(email=f"{role}@{partnership.slug}.example.test")
    membership = Membership.objects.create(
        user=user,
        partnership=partnership,
        roles=[role],
        school=world.own_school if role == Role.HEADTEACHER and partnership == world.home else None,
    )
    if role == Role.CLUSTER_LEAD:
        membership.clusters.add(world.cluster)
    if role == Role.ALLIANCE_LEAD:
        membership.alliances.add(world.alliance)
    if role in (Role.ADMIN, Role.OFFICER):
        TOTP.activate(user, MFA_TEST_SECRET)
    return membership


def client_for(user: User) -> Client:
    """A test client signed in as ``user`` (MFA already satisfied for this session)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["mfa_ok"] = True
    session.save()
    return client


@pytest.fixture
def member_client(world):
    """Factory fixture: ``member_client(role)`` → (client, membership) for a fresh user in ``home``."""

    def make(role: str):
        membership = make_member(world, role)
        return client_for(membership.user), membership

    return make


@pytest.fixture
def officer_client(member_client):
    return member_client(Role.OFFICER)[0]
