"""The schools list, school page, CSV export and networks, as their users see them."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from partnership.models import Role
from partnership.selectors import partnership_overview
from schools.models import Network, NetworkMembership, SchoolChange
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory


def _names(response) -> list[str]:
    return [s.name for s in response.context["page_obj"]]


@pytest.fixture
def officer(world):
    return client_for(make_member(world, Role.OFFICER).user)


def test_filters_narrow_the_list(world, officer):
    SchoolFactory(partnership=world.home, name="Hill Secondary", phase="Secondary", district="Woking")
    everyone = _names(officer.get(reverse("schools:list")))
    assert "Hill Secondary" in everyone and "Own Primary School" in everyone
    assert _names(officer.get(reverse("schools:list"), {"phase": "Secondary"})) == ["Hill Secondary"]
    assert _names(officer.get(reverse("schools:list"), {"district": "Tandridge"})) == ["Far Away Academy"]
    in_cluster = _names(officer.get(reverse("schools:list"), {"cluster": world.cluster.pk}))
    assert sorted(in_cluster) == ["Own Primary School", "Peer Primary School"]
    in_alliance = _names(officer.get(reverse("schools:list"), {"alliance": world.alliance.pk}))
    assert sorted(in_alliance) == ["Own Primary School", "Peer Primary School"]


def test_other_partnerships_schools_never_listed(world, officer):
    response = officer.get(reverse("schools:list"), {"q": "Camden"})
    assert _names(response) == []
    assert b"Camden Secret School" not in response.content


def test_search_by_urn_and_name(world, officer):
    assert _names(officer.get(reverse("schools:list"), {"q": str(world.own_school.urn)})) == ["Own Primary School"]
    assert _names(officer.get(reverse("schools:list"), {"q": "lonely"})) == ["Lonely Infant School"]


def test_isolated_filter_lists_schools_in_no_cluster(world, officer):
    names = _names(officer.get(reverse("schools:list"), {"isolated": "true"}))
    assert names == ["Lonely Infant School"]


def test_children_centres_colleges_and_independent_schools_are_never_isolated(world, officer):
    for group in ["Children's Centres", "Colleges", "Independent schools"]:
        SchoolFactory(partnership=world.home, name=f"Not a school: {group}", type_group=group)
    names = _names(officer.get(reverse("schools:list"), {"isolated": "true"}))
    assert names == ["Lonely Infant School"]


def test_independent_and_non_maintained_special_schools_are_not_counted_as_state_funded(world, officer):
    """#14.9: GIAS files "Other independent special school" under the "Special schools" group; the count of
    state-funded schools in no cluster (home page, list filter) must not include them."""
    for type_name in ("Other independent special school", "Non-maintained special school"):
        SchoolFactory(partnership=world.home, name=type_name, type_group="Special schools", type_name=type_name)
    SchoolFactory(
        partnership=world.home,
        name="Maintained Special",
        type_group="Special schools",
        type_name="Community special school",
    )
    names = _names(officer.get(reverse("schools:list"), {"isolated": "true"}))
    assert sorted(names) == ["Lonely Infant School", "Maintained Special"]
    member = make_member(world, Role.ADMIN)
    assert partnership_overview(membership=member).isolated_count == 2


def test_sort_and_pagination(world, officer):
    SchoolFactory.create_batch(60, partnership=world.home, number_of_pupils=5)
    SchoolFactory(partnership=world.home, name="Biggest School", number_of_pupils=2000)
    first = officer.get(reverse("schools:list"), {"sort": "-pupils"})
    assert _names(first)[0] == "Biggest School"
    assert first.context["page_obj"].paginator.num_pages == 2
    second = officer.get(reverse("schools:list"), {"sort": "-pupils", "page": 2})
    assert len(_names(second)) == 65 - 50
    assert b'aria-sort="descending"' in first.content


def test_invalid_filter_values_do_not_error(world, officer):
    response = officer.get(reverse("schools:list"), {"cluster": "not-a-number", "phase": "<script>", "page": "x"})
    assert response.status_code == 200
    assert b"<script>" not in response.content


def test_csv_export_is_formula_safe_and_filtered(world, officer):
    SchoolFactory(partnership=world.home, name='=HYPERLINK("http://evil")', district="Tandridge")
    response = officer.get(reverse("schools:export"), {"district": "Tandridge"})
    assert response["Content-Disposition"].startswith('attachment; filename="schools-home-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert sorted(r["School name"] for r in rows) == ['\'=HYPERLINK("http://evil")', "Far Away Academy"]
    assert {r["URN"] for r in rows} >= {str(world.outside_school.urn)}
    assert all(r["Clusters"] in ("Oxted Cluster", "") for r in rows)


def test_school_page_shows_facts_networks_clusters(world, officer):
    response = officer.get(reverse("schools:detail", args=[world.outside_school.urn]))
    content = response.content.decode()
    assert "Far Away Academy" in content and "Oxted Cluster" in content and "Example Learning Trust" in content


def test_isolated_school_page_warns(world, officer):
    content = officer.get(reverse("schools:detail", args=[world.isolated_school.urn])).content.decode()
    assert "in no cluster" in content


def test_headteacher_sees_history_of_own_school_only(world):
    for school in (world.own_school, world.cluster_school):
        SchoolChange.objects.create(
            school=school, field="head_last_name", old_value="Before", new_value="After", changed_on="2024-01-05"
        )
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    own = head.get(reverse("schools:detail", args=[world.own_school.urn]))
    other = head.get(reverse("schools:detail", args=[world.cluster_school.urn]))
    assert own.context["page"].full_access and b"Change history" in own.content and b"Before" in own.content
    assert not other.context["page"].full_access
    assert b"Change history" not in other.content and b"Before" not in other.content


def test_officer_sees_history_of_every_school(world, officer):
    SchoolChange.objects.create(
        school=world.cluster_school, field="status", old_value="Open", new_value="Closed", changed_on="2024-01-05"
    )
    content = officer.get(reverse("schools:detail", args=[world.cluster_school.urn])).content.decode()
    assert "Change history" in content and "Closed" in content


def test_manual_network_membership_added_and_ended(world, officer):
    url = reverse("schools:network_add_school", args=[world.network.pk])
    response = officer.post(url, {"urn": world.isolated_school.urn, "joined_on": "2025-01-01"})
    assert response.status_code == 302
    membership = NetworkMembership.objects.get(network=world.network, school=world.isolated_school)
    end = reverse("schools:network_end_membership", args=[world.network.pk, membership.pk])
    officer.post(end, {"left_on": "2025-06-30"})
    membership.refresh_from_db()
    assert str(membership.left_on) == "2025-06-30"


def test_add_school_rejects_unknown_and_other_partnerships_urns(world, officer):
    url = reverse("schools:network_add_school", args=[world.network.pk])
    response = officer.post(url, {"urn": world.other_school.urn, "joined_on": "2025-01-01"})
    assert response.status_code == 200
    assert "Enter the URN of a school in this partnership" in response.content.decode()
    assert not NetworkMembership.objects.filter(school=world.other_school, network=world.network).exists()


def test_gias_networks_are_not_edited_by_hand(world, officer):
    trust = Network.objects.create(
        partnership=world.home, kind=Network.Kind.TRUST, name="GIAS Trust", code="1234", source=Network.Source.GIAS
    )
    response = officer.post(
        reverse("schools:network_edit", args=[trust.pk]), {"kind": "trust", "name": "Renamed", "description": ""}
    )
    assert response.status_code == 200
    trust.refresh_from_db()
    assert trust.name == "GIAS Trust"
    officer.post(
        reverse("schools:network_add_school", args=[trust.pk]), {"urn": world.own_school.urn, "joined_on": "2025-01-01"}
    )
    assert not trust.memberships.exists()


def test_network_create(world, officer):
    response = officer.post(
        reverse("schools:network_create"), {"kind": "hub", "name": "South Teaching School Hub", "description": "x"}
    )
    network = Network.objects.get(name="South Teaching School Hub")
    assert response.status_code == 302 and network.partnership == world.home and network.source == "manual"
    empty = officer.post(reverse("schools:network_create"), {"kind": "hub", "name": ""})
    assert "Enter the network&#x27;s name" in empty.content.decode()


def test_school_page_links_to_soft_intelligence_only_with_full_access(world, officer):
    link = reverse("risk:intelligence_list", args=[world.own_school.urn])
    assert link in officer.get(reverse("schools:detail", args=[world.own_school.urn])).content.decode()
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    assert link in head.get(reverse("schools:detail", args=[world.own_school.urn])).content.decode()
    other = reverse("risk:intelligence_list", args=[world.cluster_school.urn])
    assert other not in head.get(reverse("schools:detail", args=[world.cluster_school.urn])).content.decode()
