"""Health-check pages as people use them: rating with errors, anonymity of the spread, the charts, the portfolio."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from clusters.health.models import HealthCheck, IndividualRating
from partnership.models import Role
from tests.clusters.health.helpers import agree_all, make_check, shipped, strands
from tests.conftest import client_for, make_member

State = HealthCheck.State


def test_a_head_rates_every_strand_and_a_missing_evidence_is_an_error_that_keeps_the_rest(world):
    head = make_member(world, Role.HEADTEACHER)
    check = make_check(world.cluster)
    client = client_for(head.user)
    url = reverse("cluster_health:rate", args=[check.pk])
    assert "What each level looks like" in client.get(url).content.decode()
    all_strands = strands(check)
    data = {f"level_{s.pk}": "2" for s in all_strands} | {
        f"evidence_{s.pk}": "Minutes of the spring meeting" for s in all_strands
    }
    data[f"evidence_{all_strands[0].pk}"] = ""
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert f"Enter the evidence for your rating of {all_strands[0].name}" in page
    assert "Minutes of the spring meeting" in page  # what was typed is kept
    assert not IndividualRating.objects.exists()
    data[f"evidence_{all_strands[0].pk}"] = "Now with evidence"
    assert client.post(url, data).status_code == 302
    assert IndividualRating.objects.filter(check_obj=check, school=world.own_school, rated_by=head.user).count() == len(
        all_strands
    )


def _rated_check(world, *, show_names: bool) -> HealthCheck:
    check = make_check(world.cluster)
    check.show_names = show_names
    check.save()
    for s in strands(check):
        IndividualRating.objects.create(
            check_obj=check,
            strand=s,
            school=world.cluster_school,
            level=3,
            evidence="Peer's private evidence",
            rated_at=timezone.now(),
        )
    return check


def test_the_spread_is_anonymous_unless_the_cluster_chooses_names(world):
    lead = client_for(make_member(world, Role.CLUSTER_LEAD).user)
    check = _rated_check(world, show_names=False)
    page = lead.get(reverse("cluster_health:detail", args=[check.pk])).content.decode()
    assert "A member school" in page and "Peer&#x27;s private evidence" in page
    assert f"{world.cluster_school.name}:" not in page.split("Individual ratings and evidence")[1]
    check.show_names = True
    check.save()
    page = lead.get(reverse("cluster_health:detail", args=[check.pk])).content.decode()
    assert f"{world.cluster_school.name}: <strong>" in page
    # A head sees neither the other school's rating nor its evidence, only their own.
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    page = head.get(reverse("cluster_health:detail", args=[check.pk])).content.decode()
    assert "Peer&#x27;s private evidence" not in page and "Your rating" in page


def _agreed(world, term: str, held_on: dt.date, level: int) -> HealthCheck:
    check = make_check(world.cluster, term=term, held_on=held_on)
    agree_all(check, level=level)
    check.state = State.PUBLISHED
    check.indicators = {
        "as_at": held_on.isoformat(),
        "outcomes": {},
        "risk": {"none": "No round"},
        "peer_review": {"none": "Not yet"},
        "support": {"none": "Not yet"},
        "engagement": {"none": "No meetings"},
        "isolated": {"none": "No meetings"},
    }
    check.save()
    return check


def test_cluster_health_page_has_the_heat_map_and_trend_with_tables(world):
    _agreed(world, "Summer 2025", dt.date(2025, 7, 1), 0)
    _agreed(world, "Summer 2026", dt.date(2026, 7, 1), 2)
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    page = head.get(reverse("cluster_health:cluster", args=[world.cluster.pk])).content.decode()
    assert 'id="chart-strands-figure" type="application/json"' in page
    assert 'id="chart-dimensions-figure" type="application/json"' in page
    assert "Since Summer 2025 (Jul 2025): 6 up, 0 down, 0 the same." in page
    assert "Not yet" in page  # an indicator without data says why


def test_portfolio_names_clusters_for_officers_and_only_aggregates_for_the_board(world):
    _agreed(world, "Summer 2026", timezone.localdate(), 1)
    officer = client_for(make_member(world, Role.OFFICER).user)
    page = officer.get(reverse("cluster_health:portfolio")).content.decode()
    assert world.cluster.name in page and "Not checked this academic year" in page and world.other_cluster.name in page
    other_href = reverse("cluster_health:cluster", args=[world.other_cluster.pk])
    assert f'<a class="govuk-link" href="{other_href}">{world.other_cluster.name}</a>' in page  # each cluster links
    # A check of another framework this year also counts as "checked this year".
    nine = make_check(world.other_cluster, term="Autumn", version=shipped("nine-conditions"))
    agree_all(nine)
    nine.state = State.CONSENSUS
    nine.save()
    page = officer.get(reverse("cluster_health:portfolio")).content.decode()
    assert world.other_cluster.name not in page.split("Not checked this academic year")[1]
    board = client_for(make_member(world, Role.BOARD_MEMBER).user)
    page = board.get(reverse("cluster_health:portfolio")).content.decode()
    assert world.cluster.name not in page and world.other_cluster.name not in page
    assert "Clusters at each level, by strand" in page
