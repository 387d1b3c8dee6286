"""Issue #9, item 8: people managed after invitation (roles, school, leads, archive and restore, two-factor reset,
resend and revoke), within what the actor may grant, every change logged and shown on the person's page."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnership.models import Invitation, Membership, MembershipEvent, Role
from tests.conftest import client_for, make_member
from tests.factories import UserFactory
from tests.partnership.people_helpers import people_world


@pytest.fixture
def admin(world):
    return make_member(world, Role.ADMIN)


@pytest.fixture
def officer(world):
    return make_member(world, Role.OFFICER)


def _page(client, membership) -> str:
    response = client.get(reverse("partnership:person", args=[membership.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_officer_changes_roles_and_school_and_it_is_logged(world, officer):
    people = people_world(world)
    client = client_for(officer.user)
    response = client.post(
        reverse("partnership:person_roles", args=[people.head.pk]),
        {"roles": [Role.CHAIR_OF_GOVERNORS, Role.SYSTEM_LEADER], "urn": world.cluster_school.urn},
    )
    assert response.status_code == 302
    people.head.refresh_from_db()
    assert people.head.roles == [Role.CHAIR_OF_GOVERNORS, Role.SYSTEM_LEADER]
    assert people.head.school == world.cluster_school
    event = MembershipEvent.objects.get(membership=people.head)
    assert event.by == officer.user and event.action == MembershipEvent.Action.ROLES
    assert event.before["roles"] == ["Headteacher"] and event.after["school"].startswith("Peer Primary School")
    page = _page(client, people.head)
    assert "Roles changed" in page and officer.user.email in page and "Own Primary School" in page


def test_officer_cannot_grant_admin_nor_change_an_admin(world, officer):
    people = people_world(world)
    client = client_for(officer.user)
    refused = client.post(reverse("partnership:person_roles", args=[people.head.pk]), {"roles": [Role.ADMIN]})
    assert refused.status_code == 200 and "Select roles from the list" in refused.content.decode()
    people.head.refresh_from_db()
    assert people.head.roles == [Role.HEADTEACHER]
    assert client.get(reverse("partnership:person_roles", args=[people.admin.pk])).status_code == 403
    assert client.post(reverse("partnership:person_archive", args=[people.admin.pk])).status_code == 403
    people.admin.refresh_from_db()
    assert people.admin.roles == [Role.ADMIN] and people.admin.archived_at is None
    assert not MembershipEvent.objects.exists()


def test_admin_makes_an_officer_an_admin(world, admin):
    people = people_world(world)
    response = client_for(admin.user).post(
        reverse("partnership:person_roles", args=[people.head.pk]), {"roles": [Role.ADMIN, Role.OFFICER]}
    )
    assert response.status_code == 302
    people.head.refresh_from_db()
    assert people.head.roles == [Role.ADMIN, Role.OFFICER] and people.head.school is None


def test_school_roles_need_a_school_of_this_partnership(world, officer):
    people = people_world(world)
    client = client_for(officer.user)
    none = client.post(reverse("partnership:person_roles", args=[people.head.pk]), {"roles": [Role.HEADTEACHER]})
    assert "Enter the URN of the school for a headteacher or chair of governors" in none.content.decode()
    other = client.post(
        reverse("partnership:person_roles", args=[people.head.pk]),
        {"roles": [Role.HEADTEACHER], "urn": world.other_school.urn},
    )
    assert "Enter the URN of a school in this partnership" in other.content.decode()
    people.head.refresh_from_db()
    assert people.head.school == world.own_school


def test_make_someone_the_lead_of_a_cluster_and_an_alliance(world, officer):
    people = people_world(world)
    client = client_for(officer.user)
    response = client.post(
        reverse("partnership:person_leads", args=[people.head.pk]),
        {"clusters": [world.cluster.pk, world.other_cluster.pk], "alliances": [world.alliance.pk]},
    )
    assert response.status_code == 302
    people.head.refresh_from_db()
    assert set(people.head.roles) == {Role.HEADTEACHER, Role.CLUSTER_LEAD, Role.ALLIANCE_LEAD}
    assert set(people.head.clusters.all()) == {world.cluster, world.other_cluster}
    assert list(people.head.alliances.all()) == [world.alliance]
    # The cluster's page now names its lead (today: "Cluster leads: none recorded").
    cluster_page = client.get(reverse("clusters:detail", args=[world.cluster.pk])).content.decode()
    assert people.head.user.full_name in cluster_page
    # Leading nothing any more removes the lead roles.
    client.post(reverse("partnership:person_leads", args=[people.head.pk]), {})
    people.head.refresh_from_db()
    assert people.head.roles == [Role.HEADTEACHER] and not people.head.clusters.exists()
    assert MembershipEvent.objects.filter(membership=people.head, action="leads").count() == 2


def test_an_archived_lead_is_no_longer_shown_as_the_lead(world, officer):
    """Same class (found while fixing #9): cluster and alliance pages listed archived members as their leads."""
    people = people_world(world)
    people.lead.alliances.add(world.alliance)
    client = client_for(officer.user)
    cluster_url = reverse("clusters:detail", args=[world.cluster.pk])
    alliance_url = reverse("clusters:alliance_detail", args=[world.alliance.pk])
    name = people.lead.user.full_name
    assert name in client.get(cluster_url).content.decode() and name in client.get(alliance_url).content.decode()
    client.post(reverse("partnership:person_archive", args=[people.lead.pk]), follow=True)  # (its message read)
    assert name not in client.get(cluster_url).content.decode()
    assert name not in client.get(alliance_url).content.decode()


def test_leads_form_offers_only_this_partnerships_clusters(world, officer):
    people = people_world(world)
    client = client_for(officer.user)
    page = client.get(reverse("partnership:person_leads", args=[people.head.pk])).content.decode()
    assert "Esher Cluster" in page and "Camden Cluster" not in page
    client.post(reverse("partnership:person_leads", args=[people.head.pk]), {"clusters": [world.other_cluster_obj.pk]})
    assert not people.head.clusters.exists()


def test_archive_and_restore(world, officer):
    people = people_world(world)
    client = client_for(officer.user)
    head_client = client_for(people.head.user)
    assert head_client.get(reverse("schools:list")).status_code == 200
    assert client.post(reverse("partnership:person_archive", args=[people.head.pk])).status_code == 302
    people.head.refresh_from_db()
    assert people.head.archived_at is not None
    assert head_client.get(reverse("schools:list")).status_code == 403  # no membership any more
    assert client.post(reverse("partnership:person_restore", args=[people.head.pk])).status_code == 302
    people.head.refresh_from_db()
    assert people.head.archived_at is None
    actions = list(MembershipEvent.objects.filter(membership=people.head).values_list("action", flat=True))
    assert actions == ["restored", "archived"]
    page = _page(client, people.head)
    assert "Archived" in page and "Restored" in page


def test_cannot_archive_yourself_or_the_last_admin(world, admin):
    client = client_for(admin.user)
    client.post(reverse("partnership:person_archive", args=[admin.pk]))
    admin.refresh_from_db()
    assert admin.archived_at is None
    demote = client.post(reverse("partnership:person_roles", args=[admin.pk]), {"roles": [Role.OFFICER]})
    assert "at least one admin" in demote.content.decode()


def test_person_page_shows_last_sign_in_and_two_factor_state(world, officer):
    people = people_world(world)
    client = client_for(officer.user)
    page = _page(client, people.head)
    assert "Never signed in" in page and "Not set up" in page
    officer_page = _page(client, officer)
    assert "Authenticator app" in officer_page
    people_page = client.get(reverse("partnership:people")).content.decode()
    assert "Never signed in" in people_page and reverse("partnership:person", args=[people.head.pk]) in people_page


def test_admin_resets_someones_two_factor(world, admin):
    target = make_member(world, Role.OFFICER)
    assert Authenticator.objects.filter(user=target.user).exists()
    response = client_for(admin.user).post(reverse("partnership:person_mfa_reset", args=[target.pk]))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=target.user).exists()
    assert MembershipEvent.objects.get(membership=target).action == "mfa_reset"


def test_officers_cannot_revoke_or_resend_an_admin_invitation(world, officer, admin, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitation = people_world(world).admin_invitation
    client = client_for(officer.user)
    assert client.post(reverse("partnership:invitation_revoke", args=[invitation.pk])).status_code == 403
    assert client.post(reverse("partnership:invitation_resend", args=[invitation.pk])).status_code == 403
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
    assert (
        client_for(admin.user).post(reverse("partnership:invitation_revoke", args=[invitation.pk])).status_code == 302
    )
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED


def test_resend_sends_a_new_link_and_the_old_one_stops_working(
    world, officer, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old = world.invitation
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer.user).post(reverse("partnership:invitation_resend", args=[old.pk]))
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.state == Invitation.State.REVOKED
    fresh = Invitation.objects.get(email=old.email, state=Invitation.State.PENDING)
    assert fresh.roles == old.roles and len(mail.outbox) == 1 and mail.outbox[0].to == [old.email]


def test_another_partnerships_person_is_not_found(world, admin):
    people = people_world(world)
    client = client_for(admin.user)
    for name in ("partnership:person", "partnership:person_roles", "partnership:person_leads"):
        assert client.get(reverse(name, args=[people.other.pk])).status_code == 404
    assert client.post(reverse("partnership:person_archive", args=[people.other.pk])).status_code == 404
    people.other.refresh_from_db()
    assert people.other.archived_at is None


def test_the_403_page_advice_is_true(world):
    """The 403 page says "ask an administrator to change your role": an admin now can, and it works."""
    head = make_member(world, Role.HEADTEACHER)
    head_client = client_for(head.user)
    assert head_client.get(reverse("risk:run_list")).status_code == 403
    admin = make_member(world, Role.ADMIN)
    client_for(admin.user).post(reverse("partnership:person_roles", args=[head.pk]), {"roles": [Role.OFFICER]})
    Authenticator.objects.create(user=head.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert head_client.get(reverse("risk:run_list")).status_code == 200


def _grow_people(world, n: int, start: int) -> None:
    for i in range(start, start + n):
        m = Membership.objects.create(
            user=UserFactory(email=f"grown{i}@example.test"), partnership=world.home, roles=[Role.OFFICER]
        )
        m.clusters.add(world.cluster)
        Authenticator.objects.create(user=m.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
        MembershipEvent.objects.create(membership=m, action="roles", before={}, after={})


@pytest.mark.parametrize("name", ["partnership:people", "partnership:person"])
def test_people_pages_run_a_fixed_number_of_queries(world, admin, name):
    client = client_for(admin.user)
    client.get(reverse("partnership:home"))
    args = [admin.pk] if name == "partnership:person" else []

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name, args=args)).status_code == 200
        return len(ctx.captured_queries)

    _grow_people(world, 3, 0)
    for _ in range(3):
        MembershipEvent.objects.create(membership=admin, action="roles", before={}, after={}, by=admin.user)
    small = count()
    _grow_people(world, 40, 100)
    for _ in range(40):
        MembershipEvent.objects.create(membership=admin, action="roles", before={}, after={}, by=admin.user)
    large = count()
    assert small == large and large <= 20, (small, large)
