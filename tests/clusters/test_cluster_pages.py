"""Officers create clusters and alliances and keep their dated memberships; leads see their own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clusters.models import AllianceMembership, Cluster, ClusterMembership
from partnership.models import Role
from tests.conftest import client_for, make_member


@pytest.fixture
def officer(world):
    return client_for(make_member(world, Role.OFFICER).user)


def test_create_cluster_and_reject_duplicate_name(world, officer):
    response = officer.post(reverse("clusters:create"), {"name": "Woking Cluster", "description": "North Woking"})
    cluster = Cluster.objects.get(name="Woking Cluster")
    assert response.status_code == 302 and cluster.partnership == world.home and cluster.created_by is not None
    again = officer.post(reverse("clusters:create"), {"name": "Woking Cluster"})
    assert again.status_code == 200
    assert "already exists" in again.content.decode()
    assert Cluster.objects.filter(name="Woking Cluster").count() == 1


def test_same_cluster_name_allowed_in_another_partnership(world, officer):
    officer.post(reverse("clusters:create"), {"name": "Camden Cluster"})
    assert Cluster.objects.filter(name="Camden Cluster", partnership=world.home).exists()


def test_add_school_then_end_membership_keeps_history(world, officer):
    add = reverse("clusters:add_school", args=[world.cluster.pk])
    assert officer.post(add, {"urn": world.isolated_school.urn, "joined_on": "2025-01-01"}).status_code == 302
    duplicate = officer.post(add, {"urn": world.isolated_school.urn, "joined_on": "2025-02-01"})
    assert "already in this cluster" in duplicate.content.decode()
    membership = ClusterMembership.objects.get(cluster=world.cluster, school=world.isolated_school)
    end = reverse("clusters:end_membership", args=[world.cluster.pk, membership.pk])
    too_early = officer.post(end, {"left_on": "2024-12-31"}, follow=True)
    assert "must be the same as or after" in too_early.content.decode()
    membership.refresh_from_db()
    assert membership.left_on is None
    officer.post(end, {"left_on": "2025-07-31"})
    membership.refresh_from_db()
    assert str(membership.left_on) == "2025-07-31"
    page = officer.get(reverse("clusters:detail", args=[world.cluster.pk])).content.decode()
    assert "Former members" in page and "Lonely Infant School" in page
    # Leaving makes the school isolated again, and it can rejoin later.
    assert officer.post(add, {"urn": world.isolated_school.urn, "joined_on": "2025-09-01"}).status_code == 302
    assert ClusterMembership.objects.filter(cluster=world.cluster, school=world.isolated_school).count() == 2


def test_add_school_form_errors_are_govuk(world, officer):
    response = officer.post(reverse("clusters:add_school", args=[world.cluster.pk]), {"urn": "abc", "joined_on": ""})
    content = response.content.decode()
    assert response.status_code == 200
    assert "URN must be a number, like 125123" in content and "Enter the date the school joined" in content
    assert 'class="govuk-input govuk-input--error"' in content


def test_alliance_add_and_end_cluster(world, officer):
    add = reverse("clusters:alliance_add_cluster", args=[world.alliance.pk])
    assert officer.post(add, {"cluster": world.other_cluster.pk, "joined_on": "2025-01-01"}).status_code == 302
    membership = AllianceMembership.objects.get(alliance=world.alliance, cluster=world.other_cluster)
    other_tenant = officer.post(add, {"cluster": world.other_cluster_obj.pk, "joined_on": "2025-01-01"})
    assert other_tenant.status_code == 200  # not a valid choice: the other partnership's cluster
    assert not AllianceMembership.objects.filter(cluster=world.other_cluster_obj, alliance=world.alliance).exists()
    officer.post(
        reverse("clusters:alliance_end_membership", args=[world.alliance.pk, membership.pk]), {"left_on": "2025-08-01"}
    )
    membership.refresh_from_db()
    assert membership.left_on is not None


def test_headteacher_sees_only_own_clusters(world):
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    listed = [c.name for c in head.get(reverse("clusters:list")).context["clusters"]]
    assert listed == ["Esher Cluster"]
    assert head.get(reverse("clusters:detail", args=[world.other_cluster.pk])).status_code == 404
    assert [a.name for a in head.get(reverse("clusters:alliance_list")).context["alliances"]] == ["North Alliance"]


def test_alliance_lead_sees_clusters_of_led_alliance(world):
    lead = client_for(make_member(world, Role.ALLIANCE_LEAD).user)
    assert [c.name for c in lead.get(reverse("clusters:list")).context["clusters"]] == ["Esher Cluster"]
    assert lead.get(reverse("clusters:detail", args=[world.other_cluster.pk])).status_code == 404


def test_officer_sees_all_clusters_with_counts(world, officer):
    clusters = {c.name: c.school_count for c in officer.get(reverse("clusters:list")).context["clusters"]}
    assert clusters == {"Esher Cluster": 2, "Oxted Cluster": 1}


def test_alliance_page_lists_clusters_and_schools(world, officer):
    response = officer.get(reverse("clusters:alliance_detail", args=[world.alliance.pk]))
    shown = [m.cluster.name for m in response.context["alliance"].current_clusters]
    assert shown == ["Esher Cluster"]
    assert "Own Primary School" in response.content.decode()
    choices = [c.name for c in response.context["add_form"].fields["cluster"].queryset]
    assert choices == ["Oxted Cluster"]  # clusters already in the alliance are not offered again


def test_a_regions_clusters_are_listed_a_page_at_a_time(world, officer, monkeypatch):
    from clusters import views

    monkeypatch.setattr(views, "CLUSTER_PAGE_SIZE", 2)
    Cluster.objects.create(partnership=world.home, name="Woking Cluster")
    first = officer.get(reverse("clusters:list"))
    assert [c.name for c in first.context["clusters"]] == ["Esher Cluster", "Oxted Cluster"]
    page = first.content.decode()
    assert "Clusters 1 to 2 of 3." in page and 'class="govuk-pagination"' in page
    second = officer.get(reverse("clusters:list"), {"page": "2"})
    assert [c.name for c in second.context["clusters"]] == ["Woking Cluster"]
    assert [c.name for c in officer.get(reverse("clusters:list"), {"page": "x"}).context["clusters"]] == [
        "Esher Cluster",
        "Oxted Cluster",
    ]
