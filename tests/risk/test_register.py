"""The officers' risk register: its CSV (download and ``export_risk``), the register page and a school's risk page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from clusters.models import Cluster, ClusterMembership
from partnership.models import Role
from schools.risk.engine.indicators import CODES
from schools.risk.models import IntelligenceEntry, RiskAssessment, RiskRun
from schools.risk.presenters import count_table
from schools.risk.selectors import assessments_expand
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory
from tests.risk.helpers import entry, succeeded_run

HEADER = (
    "urn,school_name,proposed_category,agreed_category,standards_band,capacity_band,leading,score,"
    "S1,S2,S3,S4,S5,S6,S7,S8,S9,C1,C2,C3,C4,C5,C6,C7,C8,C9,missing_inputs,reasons"
)
# a run's CSV names its score as its rule set computes it (rule set default-2: the evidence score, in tenths)
SCORE = "score (standard errors below national + 0.25 × points)"
RUN_HEADER = HEADER.replace(",score,", f",{SCORE},")


def assess(run: RiskRun, school, category: int, score: int = 0, **fields) -> RiskAssessment:
    """An assessment of ``school`` in ``run`` (bands B/C unless given)."""
    values = {"standards_band": "B", "capacity_band": "C", "leading": False, "indicators": {}, "reasons": []}
    values.update(fields)
    return RiskAssessment.objects.create(run=run, school=school, proposed_category=category, score=score, **values)


def officer_client(world):
    return client_for(make_member(world, Role.OFFICER).user)


def download(client) -> str:
    response = client.get(reverse("risk:register_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode("utf-8")


def parse(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def register(world):
    """Two finished runs of ``home`` (an earlier and the latest) and a failed one after them, which is ignored."""
    earlier = succeeded_run(world.home, assess=False)
    latest = succeeded_run(world.home, assess=False)
    a = assess(
        latest,
        world.own_school,
        3,
        score=17,
        standards_band="C",
        capacity_band="B",
        indicators={
            "S1": {"rating": "G", "value": None, "sentence": "Report card fine"},
            "S2": {"rating": "A", "value": -7.5, "sentence": "KS2 7.5 points below national"},
            "S3": {"rating": None, "value": None, "sentence": "KS2 progress not published"},
            "C1": {"rating": "R", "value": 2, "sentence": "Two heads in three years"},
        },
        reasons=["S2 amber: KS2 7.5 points below national", "C1 red: Two heads in three years"],
        missing_inputs=["S3: KS2 progress not published", "S7: no exclusions data"],
        overrides=["Warning notice in force: at least category 3"],
    )
    b = assess(latest, world.cluster_school, 1, score=2, leading=True)
    c = assess(latest, world.outside_school, 3, score=20)
    d = assess(latest, world.isolated_school, 2, score=9)
    assess(earlier, world.own_school, 2)  # up
    assess(earlier, world.cluster_school, 1)  # same
    assess(earlier, world.outside_school, 4)  # down; isolated_school is new
    RiskRun.objects.create(
        partnership=world.home,
        ruleset_version=latest.ruleset_version,
        trigger=RiskRun.Trigger.BUTTON,
        state=RiskRun.State.FAILED,
    )
    other_run = succeeded_run(world.other, assess=False)
    assess(other_run, world.other_school, 4)
    return {"latest": latest, "earlier": earlier, "own": a, "peer": b, "outside": c, "isolated": d}


# --- the CSV ---------------------------------------------------------------------------------------------------


def test_csv_header_is_exact_and_a_row_matches_its_assessment(world, register):
    text = download(officer_client(world))
    assert text.removeprefix("\ufeff").split("\r\n")[0] == RUN_HEADER
    rows = parse(text)
    assert [r["urn"] for r in rows] == [
        str(s.urn) for s in (world.outside_school, world.own_school, world.isolated_school, world.cluster_school)
    ], "highest category first, then highest score"
    own = next(r for r in rows if r["urn"] == str(world.own_school.urn))
    assert own == {
        "urn": str(world.own_school.urn),
        "school_name": "Own Primary School",
        "proposed_category": "3",
        "agreed_category": "",
        "standards_band": "C",
        "capacity_band": "B",
        "leading": "no",
        SCORE: "1.7",
        **{code: "" for code in CODES},
        "S1": "G",
        "S2": "A",
        "C1": "R",
        "missing_inputs": "S3: KS2 progress not published | S7: no exclusions data",
        "reasons": "S2 amber: KS2 7.5 points below national | C1 red: Two heads in three years",
    }
    peer = next(r for r in rows if r["urn"] == str(world.cluster_school.urn))
    assert peer["leading"] == "yes"
    assert str(world.other_school.urn) not in text


def test_csv_is_formula_safe(world, register):
    world.own_school.name = '=HYPERLINK("http://evil.example","x")'
    world.own_school.save()
    register["own"].reasons = ["+SUM(1,2)", "@cmd", "plain"]
    register["own"].save()
    rows = parse(download(officer_client(world)))
    own = next(r for r in rows if r["urn"] == str(world.own_school.urn))
    assert own["school_name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert own["reasons"] == "'+SUM(1,2) | @cmd | plain"


def test_csv_without_a_finished_run_is_only_the_header(world):
    assert download(officer_client(world)) == "\ufeff" + HEADER + "\r\n"


def test_export_risk_writes_the_same_csv_as_the_download(world, register, tmp_path):
    path = tmp_path / "register.csv"
    call_command("export_risk", "--partnership", "home", "--output", str(path), stderr=io.StringIO())
    downloaded = officer_client(world).get(reverse("risk:register_export")).content
    assert path.read_bytes() == downloaded
    assert len(parse(downloaded.decode())) == 4

    out = io.StringIO()
    call_command("export_risk", "--partnership", "other", stdout=out)
    rows = parse(out.getvalue())
    assert [(r["urn"], r["proposed_category"]) for r in rows] == [(str(world.other_school.urn), "4")]


def test_export_risk_needs_a_partnership_when_there_are_several(world):
    with pytest.raises(CommandError, match="--partnership"):
        call_command("export_risk", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no partnership 'nope'"):
        call_command("export_risk", "--partnership", "nope", stdout=io.StringIO())


# --- the register page -----------------------------------------------------------------------------------------


def register_names(client, query: str = "") -> list[str]:
    response = client.get(reverse("risk:register") + query)
    assert response.status_code == 200
    return [a.school.name for a in response.context["page_obj"]]


def test_register_lists_the_latest_run_by_category_then_score(world, register):
    assert register_names(officer_client(world)) == [
        "Far Away Academy",
        "Own Primary School",
        "Lonely Infant School",
        "Peer Primary School",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?movement=up", ["Own Primary School"]),
        ("?movement=down", ["Far Away Academy"]),
        ("?movement=same", ["Peer Primary School"]),
        ("?movement=new", ["Lonely Infant School"]),
        ("?category=3", ["Far Away Academy", "Own Primary School"]),
        ("?district=Tandridge", ["Far Away Academy"]),
        ("?phase=Secondary", ["Lonely Infant School"]),
        ("?trust=Example+Learning+Trust", ["Peer Primary School"]),
        ("?cluster=CLUSTER", ["Own Primary School", "Peer Primary School"]),
        ("?category=3&district=Elmbridge", ["Own Primary School"]),
    ],
)
def test_register_filters(world, register, query, expected):
    world.isolated_school.phase = "Secondary"
    world.isolated_school.save()
    world.cluster_school.trust_name = "Example Learning Trust"
    world.cluster_school.save()
    query = query.replace("CLUSTER", str(world.cluster.pk))
    assert register_names(officer_client(world), query) == expected


def test_register_cluster_filter_ignores_schools_that_left(world, register):
    ClusterMembership.objects.filter(cluster=world.cluster, school=world.cluster_school).update(left_on="2025-01-01")
    names = register_names(officer_client(world), f"?cluster={world.cluster.pk}")
    assert names == ["Own Primary School"]


def test_register_counts_by_category_and_district_and_phase(world, register):
    client = officer_client(world)
    response = client.get(reverse("risk:register"))
    by_district, by_phase = response.context["tables"]
    assert [c.number for c in by_district.categories] == [1, 2, 3, 4]
    assert by_district.rows == [("Elmbridge", [1, 1, 1, 0], 3), ("Tandridge", [0, 0, 1, 0], 1)]
    assert by_district.totals == [1, 1, 2, 0] and by_district.total == 4
    assert by_phase.rows == [("Primary", [1, 1, 2, 0], 4)]
    filtered = client.get(reverse("risk:register") + "?district=Tandridge").context["tables"][0]
    assert filtered.rows == [("Tandridge", [0, 0, 1, 0], 1)]
    page = response.content.decode()
    cell = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    elmbridge = '<th scope="row" class="govuk-table__header">Elmbridge</th>' + "".join(
        cell.format(n) for n in (1, 1, 1, 0, 3)
    )
    assert elmbridge in page  # the rows are written by CountTable.rows_html


def test_count_table_rows_escape_their_labels():
    table = count_table({("<b>Ward & Co</b>", 1): 2, ("", 2): 1}, caption="c", row_label="r", labels={})
    html = str(table.rows_html())
    assert "&lt;b&gt;Ward &amp; Co&lt;/b&gt;" in html and "<b>" not in html
    assert html.count("<tr ") == 2 and "Not recorded" in html


def test_register_without_runs_says_so(world):
    response = officer_client(world).get(reverse("risk:register"))
    assert response.status_code == 200
    assert "No risk run has finished yet" in response.content.decode()


def test_register_pages(world):
    run = succeeded_run(world.home, assess=False)
    schools = SchoolFactory.create_batch(60, partnership=world.home)
    RiskAssessment.objects.bulk_create(
        RiskAssessment(run=run, school=s, proposed_category=2, score=i, standards_band="B", capacity_band="B")
        for i, s in enumerate(schools)
    )
    client = officer_client(world)
    first = client.get(reverse("risk:register")).context["page_obj"]
    second = client.get(reverse("risk:register") + "?page=2").context["page_obj"]
    assert (len(first), len(second), first.paginator.count) == (50, 10, 60)
    assert [a.score for a in first][:3] == [59, 58, 57]


def test_register_and_download_are_for_officers_and_admins_only(world, register):
    head = client_for(make_member(world, Role.HEADTEACHER).user)
    assert head.get(reverse("risk:register")).status_code == 403
    assert head.get(reverse("risk:register_export")).status_code == 403
    assert head.get(reverse("risk:school", args=[world.own_school.urn])).status_code == 403
    admin = client_for(make_member(world, Role.ADMIN).user)
    assert len(parse(download(admin))) == 4


# --- a school's risk page --------------------------------------------------------------------------------------


def test_school_risk_page_shows_everything_and_the_history(world, register):
    response = officer_client(world).get(reverse("risk:school", args=[world.own_school.urn]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Standards band",
        "KS2 7.5 points below national",
        "Two heads in three years",
        "Warning notice in force: at least category 3",
        "S7: no exclusions data",
        "Headteacher stability",
        "-7.5",
    ):
        assert text in html, text
    indicators = response.context["trace"].indicators
    assert [row.code for row in indicators] == list(CODES)
    assert [(r.code, r.rating) for r in indicators if r.code in ("S1", "S2", "S3", "C1")] == [
        ("S1", "Green"),
        ("S2", "Amber"),
        ("S3", "Not rated"),
        ("C1", "Red"),
    ]
    history = response.context["history"]
    assert [(h.run.pk, h.category) for h in history] == [(register["latest"].pk, 3), (register["earlier"].pk, 2)]


def test_school_risk_page_of_another_partnership_is_hidden(world, register):
    response = officer_client(world).get(reverse("risk:school", args=[world.other_school.urn]))
    assert response.status_code == 404


def test_school_risk_page_before_any_run(world):
    response = officer_client(world).get(reverse("risk:school", args=[world.own_school.urn]))
    assert response.status_code == 200
    assert "No finished risk run has categorised this school yet" in response.content.decode()


def test_register_links_to_each_school_risk_page(world, register):
    html = officer_client(world).get(reverse("risk:register")).content.decode()
    assert reverse("risk:school", args=[world.own_school.urn]) in html
    assert Cluster.objects.filter(partnership=world.home).exists()


# --- with the real engine --------------------------------------------------------------------------------------


def test_a_real_run_exports_and_shows_every_indicator(world, tmp_path):
    entry(
        world.own_school,
        kind=IntelligenceEntry.Kind.WARNING_NOTICE,
        rating=IntelligenceEntry.Rating.RED,
        recorded_on=dt.date.today(),
    )
    call_command("compute_risk", "--partnership", "home", "--wait", stdout=io.StringIO(), stderr=io.StringIO())
    path = tmp_path / "risk.csv"
    call_command("export_risk", "--partnership", "home", "--output", str(path), stderr=io.StringIO())
    rows = parse(path.read_text(encoding="utf-8"))
    assert len(rows) == 4
    own = next(r for r in rows if r["urn"] == str(world.own_school.urn))
    assessment = RiskAssessment.objects.get(school=world.own_school)
    assessments_expand([assessment])
    assert own["proposed_category"] == str(assessment.proposed_category) == "4"
    assert own[SCORE] == f"{assessment.score / 10:.1f}"
    assert own["missing_inputs"] == " | ".join(assessment.missing_inputs) != ""
    assert own["reasons"] == " | ".join(assessment.reasons)
    for code in CODES:
        assert own[code] == (assessment.indicators[code]["rating"] or "")

    response = officer_client(world).get(reverse("risk:school", args=[world.own_school.urn]))
    assert response.status_code == 200
    sentences = [row.sentence for row in response.context["trace"].indicators]
    assert all(sentences) and len(sentences) == len(CODES)
    assert assessment.overrides and assessment.overrides[0] in response.content.decode()


@pytest.mark.parametrize(
    "text",
    ["", "plain", "a,b", 'say "hi"', "line\nbreak", "cr\rhere", "crlf\r\n", '",\n', "=SUM(A1)", "tab\tkept", "é ü"],
)
def test_csv_field_writes_what_the_csv_module_writes(text):
    from schools.risk.presenters import csv_field

    out = io.StringIO()
    csv.writer(out).writerow([text, "x"])  # default dialect; a lone empty field would be written as ""
    assert csv_field(text) == out.getvalue().removesuffix(",x\r\n")


def test_register_facets_count_as_the_paginator_does_in_one_query(world, register, django_assert_num_queries):
    """The total and both tables come from one statement (GROUPING SETS), equal to counting the rows the page lists
    and to ``count()``, which the paginator is given: also where a join lists a school twice (a school in two
    clusters), and for an empty register (no query at all)."""
    from collections import Counter

    from schools.risk.selectors import risk_register_facets

    second = Cluster.objects.create(partnership=world.home, name="Second cluster")
    ClusterMembership.objects.create(cluster=second, school=world.own_school, joined_on=dt.date(2025, 9, 1))
    world.isolated_school.phase = "Secondary"
    world.isolated_school.save()
    run = register["latest"]
    base = RiskAssessment.objects.filter(run=run)
    joined = base.filter(school__cluster_memberships__left_on__isnull=True)  # own school twice
    assert joined.count() == joined.distinct().count() + 1
    cases = ((base, 1), (base.filter(proposed_category=3), 1), (joined, 1), (joined.distinct(), 1), (base.none(), 0))
    for rows, queries in cases:
        listed = list(rows.select_related("school"))
        with django_assert_num_queries(queries):
            facets = risk_register_facets(assessments=rows, by=("district", "phase"))
        assert facets.total == len(listed) == rows.count()
        for field in ("district", "phase"):
            expected = Counter((getattr(a.school, field), a.proposed_category) for a in listed)
            assert facets.counts[field] == dict(expected)
