"""#14.9: what an officer sees on a school's page on day one: its category (agreed, and a newer proposal), its
results and inspections by year (a table and a trend chart, percentages as percentages), active support, its
peer reviews as the confidentiality matrix allows, and a link to the risk page; the head sees their own school's
published category. The register still imports none of these apps (their template tags add the sections)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from partnership.models import Membership, Role
from schools.models import AreaAverage, Inspection, PerformanceValue
from schools.risk.categorisation import services as rounds
from schools.risk.models import RiskAssessment
from tests.conftest import client_for, make_member
from tests.factories import UserFactory
from tests.peerreview.helpers import pr_world
from tests.risk.helpers import succeeded_run


def _page(client, school) -> str:
    response = client.get(reverse("schools:detail", args=[school.urn]))
    assert response.status_code == 200
    return response.content.decode()


def _published_round(world, user, name="Autumn round"):
    opened = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name=name, user=user
    )
    agreed = rounds.categorisation_round_agree(round_=opened, agreed_on=dt.date.today(), minute="SB/1", user=user)
    return rounds.categorisation_round_publish(round_=agreed, user=user, base_url="http://testserver/")


def test_officer_sees_the_agreed_category_a_newer_proposal_and_the_risk_page_link(world):
    officer = make_member(world, Role.OFFICER)
    client = client_for(officer.user)
    assert "Risk category" in _page(client, world.own_school)  # the section is there, with nothing agreed yet
    assert "Not agreed in any round yet" in _page(client, world.own_school)
    round_ = _published_round(world, officer.user)
    agreed = round_.schools.get(school=world.own_school).category
    newer = succeeded_run(world.home, assess=False)
    RiskAssessment.objects.create(
        run=newer, school=world.own_school, proposed_category=4 if agreed != 4 else 3, score=1, indicators={}
    )
    page = _page(client, world.own_school)
    assert "Agreed category" in page and "Autumn round" in page
    assert f"Proposed by risk run {newer.pk}" in page
    assert f'href="{reverse("risk:school", args=[world.own_school.urn])}"' in page


def test_the_head_sees_their_own_school_s_published_category_and_nobody_else_s(world):
    officer = make_member(world, Role.OFFICER)
    _published_round(world, officer.user)
    head = make_member(world, Role.HEADTEACHER)  # head of own_school
    client = client_for(head.user)
    own = _page(client, world.own_school)
    assert "Published category" in own and reverse("risk:own_category") in own
    assert "Latest proposal" not in own and f'href="{reverse("risk:school", args=[world.own_school.urn])}"' not in own
    other = _page(client, world.cluster_school)
    assert "Risk category" not in other
    lead = client_for(make_member(world, Role.CLUSTER_LEAD).user)
    assert "Risk category" not in _page(lead, world.own_school)


def test_results_and_inspections_by_year_show_percentages_as_percentages_and_a_chart(world):
    school = world.own_school
    for year, rwm, pa in ((2018, 61.0, 9.5), (2019, 64.5, 11.25)):
        PerformanceValue.objects.create(
            partnership=world.home, school=school, urn=school.urn, year=year, code="ks2_rwm_exp", value=rwm
        )
        PerformanceValue.objects.create(
            partnership=world.home, school=school, urn=school.urn, year=year, code="abs_persistent", value=pa
        )
        AreaAverage.objects.create(partnership=world.home, year=year, code="ks2_rwm_exp", area="england", value=65.0)
    PerformanceValue.objects.create(
        partnership=world.home,
        school=school,
        urn=school.urn,
        year=2019,
        code="ks2_read_prog",
        value=None,
        missing="SUPP",
    )
    PerformanceValue.objects.create(
        partnership=world.home, school=school, urn=school.urn, year=2019, code="ks2_mat_prog", value=-1.234
    )
    Inspection.objects.create(
        partnership=world.home, school=school, urn=school.urn, inspection_number="10001", framework="oeif",
        start_date=dt.date(2018, 3, 6), overall=2, relates_to_current_urn=True,
    )  # fmt: skip
    Inspection.objects.create(
        partnership=world.home, school=school, urn=school.urn, inspection_number="10000", framework="oeif",
        start_date=dt.date(2014, 1, 9), overall=4, relates_to_current_urn=False, urn_at_inspection=123456,
    )  # fmt: skip
    page = _page(client_for(make_member(world, Role.OFFICER).user), school)
    assert "2018-2019" in page and "64.5% (England 65.0%)" in page and "11.2%" in page
    assert "0.645" not in page and "Suppressed (small numbers)" in page and "-1.23" in page
    assert 'data-app-chart="chart-school-results-figure"' in page  # a trend chart, drawn under the CSP
    assert "6 March 2018" in page and "Good" in page
    assert "A predecessor school&#x27;s inspection (URN 123456)" in page


def test_a_school_with_only_a_gias_rating_says_so_beside_its_inspections(world):
    world.own_school.ofsted_rating = "Good"
    world.own_school.save()
    page = _page(client_for(make_member(world, Role.OFFICER).user), world.own_school)
    assert "No Ofsted management information has been imported for this school" in page


def test_peer_reviews_follow_the_confidentiality_matrix(world):
    pr_world(world)
    officer_page = _page(client_for(make_member(world, Role.OFFICER).user), world.own_school)
    assert "Peer reviews" in officer_page
    assert "Confidential to the school and its review team" in officer_page
    assert reverse("peerreview:report", args=[world.pr_review.pk]) not in officer_page
    host = Membership.objects.create(
        user=UserFactory(email="host-head@example.test"),
        partnership=world.home,
        roles=[Role.HEADTEACHER],
        school=world.own_school,
    )
    host_page = _page(client_for(host.user), world.own_school)
    assert reverse("peerreview:report", args=[world.pr_review.pk]) in host_page
    assert reverse("peerreview:review_detail", args=[world.pr_review.pk]) in host_page
    # a head looking at another school (register facts only) sees nothing of its reviews
    assert "Peer reviews" not in _page(client_for(host.user), world.cluster_school)


# --- the schools list: category column and filter ----------------------------------------------------------------


def _names(response) -> list[str]:
    return sorted(s.name for s in response.context["page_obj"])


def test_the_schools_list_shows_and_filters_by_agreed_category_for_officers_only(world):
    officer = make_member(world, Role.OFFICER)
    round_ = _published_round(world, officer.user)
    categories = dict(round_.schools.values_list("school__name", "category"))
    client = client_for(officer.user)
    response = client.get(reverse("schools:list"))
    content = response.content.decode()
    assert '<th scope="col" class="govuk-table__header">Category</th>' in content
    assert "Agreed risk category" in content  # the filter
    listed = {s.name: s.category for s in response.context["page_obj"]}
    assert {name: listed[name] for name in categories} == categories
    some = sorted(set(categories.values()))[0]
    expected = sorted(name for name, c in categories.items() if c == some)
    assert _names(client.get(reverse("schools:list"), {"category": str(some)})) == expected
    # a school in no agreed round (not in the round's run) has no category
    from tests.factories import SchoolFactory

    SchoolFactory(partnership=world.home, name="Brand New Free School")
    assert _names(client.get(reverse("schools:list"), {"category": "none"})) == ["Brand New Free School"]

    head = client_for(make_member(world, Role.HEADTEACHER).user)
    head_list = head.get(reverse("schools:list"), {"category": str(some)})
    assert "Agreed risk category" not in head_list.content.decode()
    assert len(_names(head_list)) == len(categories) + 1  # the parameter means nothing to a head


def test_school_page_and_list_queries_do_not_grow_with_rounds_runs_results_and_reviews(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = make_member(world, Role.OFFICER)
    client = client_for(officer.user)
    client.get(reverse("partnership:home"))
    school = world.own_school

    def grow(year: int) -> None:
        _published_round(world, officer.user, name=f"Round {year}")
        succeeded_run(world.home)
        PerformanceValue.objects.create(
            partnership=world.home, school=school, urn=school.urn, year=year, code="ks2_rwm_exp", value=60.0
        )
        AreaAverage.objects.create(partnership=world.home, year=year, code="ks2_rwm_exp", area="england", value=65.0)
        Inspection.objects.create(
            partnership=world.home, school=school, urn=school.urn, inspection_number=f"I{year}", framework="oeif",
            start_date=dt.date(year, 3, 1), overall=2,
        )  # fmt: skip

    def count(url: str) -> int:
        client.get(url)  # the filter form's option lists read once per version of the data (schools.choices)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    pr_world(world)  # reviews of the school (an empty list needs fewer queries than one with rows)
    grow(2017)
    page, listing = reverse("schools:detail", args=[school.urn]), reverse("schools:list") + "?category=2"
    small = (count(page), count(listing))
    for year in (2018, 2019, 2020, 2021):
        grow(year)
    from tests.peerreview.helpers import make_review

    for _ in range(5):
        make_review(world.programme, school)
    assert (count(page), count(listing)) == small


def test_the_csv_export_honours_the_category_filter(world):
    officer = make_member(world, Role.OFFICER)
    round_ = _published_round(world, officer.user)
    some = round_.schools.order_by("category").first()
    expected = sorted(round_.schools.filter(category=some.category).values_list("school__name", flat=True))
    response = client_for(officer.user).get(reverse("schools:export"), {"category": str(some.category)})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    import csv
    import io

    assert sorted(r["School name"] for r in csv.DictReader(io.StringIO(body))) == expected
