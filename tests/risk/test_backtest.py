"""The backtest against the database: only what was known at the as-at date, bad input, the command and the pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from io import StringIO

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnership.models import Role
from schools.models import AreaAverage, Inspection, PerformanceValue
from schools.risk import risk_compute
from schools.risk.backtest.services import (
    BacktestError,
    backtest_year_problems,
    backtest_years_available,
    hidden_counts,
    risk_backtest_run,
)
from schools.risk.inputs import risk_inputs_load
from schools.risk.models import IntelligenceEntry, RiskBacktest
from tests.conftest import client_for, make_member
from tests.factories import PartnershipFactory, SchoolFactory
from tests.risk.backtest_helpers import stored_backtest
from tests.risk.helpers import entry

AS_AT = 2018
ON = dt.date(AS_AT, 8, 31)
NATIONAL = {2016: 53.0, 2017: 61.0, 2018: 64.0, 2019: 65.0}


def _value(school, year, code, value, rank=3):
    PerformanceValue.objects.create(
        partnership=school.partnership,
        school=school,
        urn=school.urn,
        year=year,
        code=code,
        value=value,
        source_rank=rank,
    )


def _results(school, rows, rank=3):
    """KS2 results: (year, % at the expected standard) with a cohort of 30, from the year's own file by default."""
    for year, percent in rows:
        _value(school, year, "ks2_rwm_exp", percent, rank)
        _value(school, year, "ks2_cohort", 30, rank)


@pytest.fixture
def leaky(db):
    """A partnership where data recorded or published after 31 August 2018 would change the 2018 categories.

    * ``inspected``: judged inadequate at an inspection started in June 2018 but published in September;
    * ``late_results``: its 2017/18 results (very low) are only in the 2018/19 file's previous-year columns;
    * ``backdated``: a warning notice dated May 2018 but recorded in 2020;
    * ``archived``: a warning notice recorded in March 2018 and archived in 2020 (it counted in 2018).
    Every school falls steeply in 2018/19, so each has a decline to measure.
    """
    p = PartnershipFactory(slug="leaky", name="Leaky", la_codes=["936"])
    for year, value in NATIONAL.items():
        AreaAverage.objects.create(partnership=p, year=year, code="ks2_rwm_exp", area="england", value=value)
    w = type("Leaky", (), {})()
    w.partnership = p
    w.inspected, w.late_results, w.backdated, w.archived, w.plain = (
        SchoolFactory(partnership=p, name=name)
        for name in ("Inspected", "Late Results", "Backdated", "Archived", "Plain")
    )
    for school in (w.inspected, w.backdated, w.archived, w.plain):
        _results(school, [(2017, 66), (2018, 68), (2019, 40)])
    _results(w.late_results, [(2017, 63), (2019, 30)])
    _results(w.late_results, [(2018, 20)], rank=2)
    Inspection.objects.create(
        partnership=p,
        school=w.inspected,
        urn=w.inspected.urn,
        inspection_number="10001",
        framework=Inspection.Framework.OEIF,
        start_date=dt.date(2018, 6, 20),
        publication_date=dt.date(2018, 9, 15),
        overall=4,
    )
    warning = {"kind": IntelligenceEntry.Kind.WARNING_NOTICE, "rating": IntelligenceEntry.Rating.RED}
    late = entry(w.backdated, recorded_on=dt.date(2018, 5, 1), **warning)
    IntelligenceEntry.objects.filter(pk=late.pk).update(created_at=timezone.make_aware(dt.datetime(2020, 1, 6)))
    gone = entry(w.archived, recorded_on=dt.date(2018, 3, 1), **warning)
    IntelligenceEntry.objects.filter(pk=gone.pk).update(
        created_at=timezone.make_aware(dt.datetime(2018, 3, 1)),
        archived_at=timezone.make_aware(dt.datetime(2020, 2, 1)),
    )
    return w


def _everything_on_file(partnership):
    """The 2018 inputs as if every row on file now had been known then (what the loader must not do)."""
    inputs = risk_inputs_load(partnership=partnership, as_at=AS_AT + 3, today=dt.date.today())
    measures = inputs.measures[inputs.measures["year"] <= AS_AT]
    inspections = inputs.inspections[inputs.inspections["start_date"] <= pd.Timestamp(ON)]
    intelligence = IntelligenceEntry.objects.filter(partnership=partnership, recorded_on__lte=ON, archived_at=None)
    entries = pd.DataFrame(
        list(intelligence.values("school_id", "kind", "rating", "recorded_on", "summary")),
        columns=["school_id", "kind", "rating", "recorded_on", "summary"],
    )
    return dataclasses.replace(
        inputs, as_at=AS_AT, today=ON, measures=measures, inspections=inspections, intelligence=entries
    )


def _state(partnership):
    return (
        PerformanceValue.objects.filter(partnership=partnership).count(),
        Inspection.objects.filter(partnership=partnership).count(),
        sorted(IntelligenceEntry.objects.filter(partnership=partnership).values_list("pk", "archived_at")),
    )


def test_the_loader_reads_only_what_was_known_at_the_as_at_date_and_changes_nothing(leaky):
    before = _state(leaky.partnership)
    hidden = hidden_counts(partnership=leaky.partnership, as_at=AS_AT, on=ON)
    inputs = risk_inputs_load(partnership=leaky.partnership, as_at=AS_AT, today=ON)
    assert hidden == {"values": 2, "averages": 0, "inspections": 1, "intelligence": 1, "intelligence_restored": 1}
    assert _state(leaky.partnership) == before, "reading writes nothing"
    measures = inputs.measures
    assert measures["year"].max() == AS_AT
    assert not ((measures["school_id"] == leaky.late_results.pk) & (measures["year"] == AS_AT)).any()
    assert inputs.inspections.empty
    assert set(inputs.intelligence["school_id"]) == {leaky.archived.pk}


def test_data_known_only_later_would_change_the_2018_categories(leaky):
    """The isolation matters: the same engine on everything on file now gives different answers for 2018."""
    then = risk_compute(risk_inputs_load(partnership=leaky.partnership, as_at=AS_AT, today=ON)).schools
    now = risk_compute(_everything_on_file(leaky.partnership)).schools
    category_then, category_now = then["proposed_category"], now["proposed_category"]
    assert category_now[leaky.inspected.pk] == 4 and category_then[leaky.inspected.pk] < 4
    assert category_now[leaky.backdated.pk] == 4 and category_then[leaky.backdated.pk] < 4
    assert category_then[leaky.archived.pk] == 4 and category_now[leaky.archived.pk] < 4
    assert then.loc[leaky.late_results.pk, "S2"] == "G"  # 2016/17, the latest published by then: above national
    assert now.loc[leaky.late_results.pk, "S2"] in ("A", "R")
    assert category_then[leaky.plain.pk] == category_now[leaky.plain.pk]


def test_the_stored_backtest_uses_the_data_known_then_and_measures_with_everything_known_now(leaky):
    backtest = risk_backtest_run(partnership=leaky.partnership, years=[AS_AT], trigger=RiskBacktest.Trigger.COMMAND)
    year = backtest.report["years"][0]
    assert year["categories"] == {"1": 4, "4": 1}, "only the warning notice in force then (archived since) counts"
    assert year["hidden"]["values"] == 2 and year["hidden"]["inspections"] == 1
    decline = year["outcomes"][0]
    assert (decline["measured"], decline["positives"]) == (5, 4)  # late_results: 20 → 30 is a rise
    baseline = next(p for p in decline["predictors"] if p["key"] == "attainment")
    assert baseline["n"] == 4, "no 2017/18 result was known then for late_results"
    assert backtest.summary == {
        "2018": {
            "schools": 5,
            "declines": 4,
            "score_auc": next(p["value"] for p in decline["predictors"] if p["key"] == "score"),
            "category_auc": next(p["value"] for p in decline["predictors"] if p["key"] == "category"),
            "share_in_concern": decline["capture"]["share_of_positives_flagged"],
        }
    }
    assert backtest.ruleset_version.version == 1 and backtest.seconds is not None


# --------------------------------------------------------------------------------------------- bad input


def test_years_available_need_own_year_results_and_the_next_years(leaky):
    assert backtest_years_available(partnership=leaky.partnership) == [2017, 2018]
    assert backtest_year_problems(partnership=leaky.partnership, years=[2017, 2018]) == []
    problems = backtest_year_problems(partnership=leaky.partnership, years=[2015, 2019, 1999])
    assert problems == [
        "As at 2014/15: there are no KS2 or KS4 results for 2014/15 to categorise from",
        "As at 2018/19: there are no KS2 or KS4 results for 2019/20 to compare with, so nothing that happened "
        "next can be measured",
        "1999 is not an academic year: give its ending year, like 2018 for 2017/18",
    ]


def test_a_year_known_only_from_later_files_cannot_be_the_as_at_year(db):
    p = PartnershipFactory(slug="later-only", la_codes=["936"])
    school = SchoolFactory(partnership=p)
    _results(school, [(2016, 60)], rank=2)
    _results(school, [(2017, 62)])
    with pytest.raises(BacktestError) as raised:
        risk_backtest_run(partnership=p, years=[2016], trigger=RiskBacktest.Trigger.COMMAND)
    assert raised.value.errors == [
        "As at 2015/16: the only 2015/16 results on file come from later files' previous-year columns, which "
        "were not published by 31 August 2016. Import the 2015-2016 files"
    ]
    assert not RiskBacktest.objects.exists()


def test_no_results_at_all_is_a_clear_error_and_stores_nothing(db):
    p = PartnershipFactory(slug="empty", la_codes=["936"])
    with pytest.raises(BacktestError, match="no two consecutive years of KS2 or KS4 results"):
        risk_backtest_run(partnership=p, trigger=RiskBacktest.Trigger.COMMAND)
    assert not RiskBacktest.objects.exists()


def test_the_command_prints_the_figures_and_stores_the_report(leaky):
    out = StringIO()
    call_command("risk_backtest", "--partnership", "leaky", "--as-at", "2018", stdout=out)
    text = out.getvalue()
    backtest = RiskBacktest.objects.get()
    assert backtest.trigger == RiskBacktest.Trigger.COMMAND and backtest.as_at_years == [2018]
    assert f"Backtest {backtest.pk} for leaky as at 2018" in text
    assert "As at 2017/18 (data known on 31 August 2018), outcomes in 2018/19:" in text
    assert "Attainment decline: Of the 5 schools with a known outcome, 4 (80%) declined." in text
    # A new partnership's rule set scores by evidence (#14 item 7); the label says which score was ranked.
    assert "AUC of risk score (standard errors below national, with the indicator points): " in text
    assert "KS2 reading or maths progress banded below or well below average: " in text
    assert "Note: 2 school values and 0 averages for 2017/18 or earlier were published only in later files" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--partnership", "nowhere"], "There is no partnership 'nowhere'"),
        (["--partnership", "leaky", "--as-at", "2019"], "Backtests could not run for leaky"),
        (["--partnership", "leaky", "--as-at", "2012", "2018"], "Backtests could not run for leaky"),
    ],
)
def test_the_command_fails_clearly_on_bad_input(leaky, args, message):
    err = StringIO()
    with pytest.raises(CommandError, match=message):
        call_command("risk_backtest", *args, stderr=err)
    if "leaky" in args:
        assert "No backtest for leaky:" in err.getvalue()
        assert "to compare with" in err.getvalue() or "to categorise from" in err.getvalue()
    assert not RiskBacktest.objects.exists()


# --------------------------------------------------------------------------------------------- pages


def test_the_run_page_offers_the_years_the_data_allows_and_stores_who_ran_it(leaky):
    member = make_member_in(leaky.partnership, Role.OFFICER)
    client = client_for(member.user)
    page = client.get(reverse("risk:backtest_create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "As at 2016/17, compared with 2017/18" in html and "As at 2017/18, compared with 2018/19" in html
    response = client.post(reverse("risk:backtest_create"), {"years": ["2018"]})
    backtest = RiskBacktest.objects.get()
    assert response.status_code == 302 and response.url == reverse("risk:backtest_detail", args=[backtest.pk])
    assert backtest.created_by == member.user and backtest.trigger == RiskBacktest.Trigger.PAGE
    detail = client.get(response.url).content.decode()
    assert "As at 2017/18, compared with 2018/19" in detail
    assert "fell by 10 percentage points or more" in detail
    assert "Of the 5 schools with a known outcome, 4 (80%) declined." in detail


def test_the_run_page_refuses_years_it_did_not_offer(leaky):
    client = client_for(make_member_in(leaky.partnership, Role.ADMIN).user)
    response = client.post(reverse("risk:backtest_create"), {"years": ["2019"]})
    assert response.status_code == 200
    assert "Select as-at years from the list" in response.content.decode()
    empty = client.post(reverse("risk:backtest_create"), {})
    assert "Select at least one as-at year" in empty.content.decode()
    assert not RiskBacktest.objects.exists()


def test_the_run_page_says_why_no_year_can_be_backtested(db):
    p = PartnershipFactory(slug="nodata", la_codes=["936"])
    client = client_for(make_member_in(p, Role.OFFICER).user)
    html = client.get(reverse("risk:backtest_create")).content.decode()
    assert "No year can be backtested yet" in html and "Run the backtest" not in html


def test_the_detail_page_shows_figures_reasons_and_notes(world):
    backtest = stored_backtest(world.home)
    client = client_for(make_member(world, Role.OFFICER).user)
    html = client.get(reverse("risk:backtest_detail", args=[backtest.pk])).content.decode()
    assert f"Backtest {backtest.pk}: as at 2016/17 and as at 2017/18" in html
    assert "0.50 (" in html  # the sample's score AUC
    assert "Not computable: all 1 schools declined, so there is nothing to rank" in html
    assert "Very uncertain: few schools" in html
    assert "Schools that declined and were in categories 3 and 4" in html
    assert "Read these figures with care" in html
    assert '<th scope="row" class="govuk-table__header">S1 Report-card standards areas</th>' in html


def test_the_list_shows_stored_backtests_with_headline_figures(world):
    stored_backtest(world.home)
    stored_backtest(world.other)
    client = client_for(make_member(world, Role.ADMIN).user)
    html = client.get(reverse("risk:backtest_list")).content.decode()
    assert html.count("As at 2017/18: 3 of 6 declined; score 0.50") == 1, "the other partnership's is not listed"
    assert f'href="{reverse("risk:backtest_create")}"' in html


def test_the_list_runs_a_constant_number_of_queries(world):
    client = client_for(make_member(world, Role.OFFICER).user)
    stored_backtest(world.home)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("risk:backtest_list")).status_code == 200
    for _ in range(20):
        stored_backtest(world.home)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("risk:backtest_list")).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def make_member_in(partnership, role):
    """A membership of ``partnership`` with ``role`` (no school attachment)."""
    from partnership.models import Membership
    from tests.factories import UserFactory

    user = UserFactory(email=f"{role}@{partnership.slug}.example.test")
    return Membership.objects.create(user=user, partnership=partnership, roles=[role])


def test_a_partnership_too_big_to_run_while_people_wait_is_sent_to_the_command(leaky, monkeypatch):
    monkeypatch.setattr("schools.risk.backtest.services.PAGE_MAX_SCHOOLS", 3)
    client = client_for(make_member_in(leaky.partnership, Role.OFFICER).user)
    html = client.get(reverse("risk:backtest_create")).content.decode()
    assert "This partnership has 5 open schools, more than the 3" in html
    assert "python manage.py risk_backtest --partnership leaky" in html and "Run the backtest" not in html
    response = client.post(reverse("risk:backtest_create"), {"years": ["2018"]})
    assert response.status_code == 200 and not RiskBacktest.objects.exists()
