"""factory-boy factories for the project's models (invented data only; no real people)."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from clusters.models import Alliance, AllianceMembership, Cluster, ClusterMembership
from partnership.models import BoardMember, Membership, Partnership, Role, User
from schools.models import Network, NetworkMembership, School

TEST_PASSWORD = "correct-horse-battery-staple"  # noqa: S105


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"partnership-{n}")
    name = factory.Sequence(lambda n: f"Partnership {n}")
    la_codes = factory.LazyFunction(lambda: ["936"])


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Test User {n}")
    password = factory.django.Password(TEST_PASSWORD)


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    partnership = factory.SubFactory(PartnershipFactory)
    urn = factory.Sequence(lambda n: 900000 + n)
    la_code = "936"
    la_name = "Surrey"
    establishment_number = factory.Sequence(lambda n: f"{2000 + n % 7000:04d}")
    name = factory.Sequence(lambda n: f"Testfield Primary School {n}")
    type_name = "Community school"
    type_group = "Local authority maintained schools"
    phase = "Primary"
    status = "Open"
    district = "Elmbridge"
    town = "Esher"
    postcode = "KT10 9AA"
    easting = factory.Sequence(lambda n: 510000 + n * 10)
    northing = factory.Sequence(lambda n: 160000 + n * 10)
    number_of_pupils = 210
    head_title = "Ms"
    head_first_name = "Alex"
    head_last_name = factory.Sequence(lambda n: f"Example{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    roles = factory.LazyFunction(lambda: [Role.OFFICER])


class ClusterFactory(DjangoModelFactory):
    class Meta:
        model = Cluster

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Cluster {n}")


class ClusterMembershipFactory(DjangoModelFactory):
    class Meta:
        model = ClusterMembership

    cluster = factory.SubFactory(ClusterFactory)
    school = factory.SubFactory(SchoolFactory)
    joined_on = dt.date(2024, 9, 1)


class AllianceFactory(DjangoModelFactory):
    class Meta:
        model = Alliance

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Alliance {n}")


class AllianceMembershipFactory(DjangoModelFactory):
    class Meta:
        model = AllianceMembership

    alliance = factory.SubFactory(AllianceFactory)
    cluster = factory.SubFactory(ClusterFactory)
    joined_on = dt.date(2024, 9, 1)


class NetworkFactory(DjangoModelFactory):
    class Meta:
        model = Network

    partnership = factory.SubFactory(PartnershipFactory)
    kind = Network.Kind.TRUST
    name = factory.Sequence(lambda n: f"Test Learning Trust {n}")


class NetworkMembershipFactory(DjangoModelFactory):
    class Meta:
        model = NetworkMembership

    network = factory.SubFactory(NetworkFactory)
    school = factory.SubFactory(SchoolFactory)
    joined_on = dt.date(2024, 9, 1)


class BoardMemberFactory(DjangoModelFactory):
    class Meta:
        model = BoardMember

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Board Member {n}")
    seat = BoardMember.Seat.PRIMARY_HEAD
    term_start = dt.date(2024, 9, 1)
