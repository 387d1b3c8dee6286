"""The loader: rows in PostgreSQL land in the right engine frames, predecessors map to successors, few queries."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schools.models import AreaAverage, Inspection, PerformanceValue, SchoolChange, SchoolLink
from schools.risk.inputs import CONFIDENTIAL_SUMMARY, academic_year_end, risk_inputs_load
from schools.risk.models import IntelligenceEntry
from tests.factories import SchoolFactory
from tests.risk.helpers import entry

TODAY = dt.date(2025, 11, 20)


def _change(school, field, on, old="Old", new="New"):
    return SchoolChange.objects.create(school=school, field=field, old_value=old, new_value=new, changed_on=on)


def _link(partnership, urn, linked_urn, link_type="Predecessor"):
    return SchoolLink.objects.create(partnership=partnership, urn=urn, linked_urn=linked_urn, link_type=link_type)


def _value(partnership, urn, year, code, value=None, missing="", rank=3):
    return PerformanceValue.objects.create(
        source_rank=rank,
        partnership=partnership,
        urn=urn,
        year=year,
        code=code,
        value=value,
        missing=missing if value is None else "",
        raw=missing if value is None else str(value),
    )


@pytest.mark.parametrize(
    ("day", "year"), [(dt.date(2025, 8, 31), 2025), (dt.date(2025, 9, 1), 2026), (dt.date(2026, 1, 5), 2026)]
)
def test_the_academic_year_is_named_by_its_ending_year(day, year):
    assert academic_year_end(day) == year


def test_schools_are_the_open_state_funded_register_with_their_facts(world):
    academy = SchoolFactory(
        partnership=world.home,
        name="Hill Academy",
        type_group="Academies",
        type_name="Academy converter",
        phase="Secondary",
        number_of_pupils=900,
        statutory_high_age=16,
    )
    special_academy = SchoolFactory(
        partnership=world.home, type_group="Special schools", type_name="Academy special converter"
    )
    closed = SchoolFactory(partnership=world.home, status="Closed")
    independent = SchoolFactory(partnership=world.home, type_group="Independent schools")
    inputs = risk_inputs_load(partnership=world.home, today=TODAY)
    schools = inputs.schools
    assert (inputs.as_at, inputs.today) == (2026, TODAY)
    assert schools.index.name == "school_id"
    assert closed.pk not in schools.index and independent.pk not in schools.index
    assert world.other_school.pk not in schools.index
    assert set(schools.index) == {
        world.own_school.pk,
        world.cluster_school.pk,
        world.outside_school.pk,
        world.isolated_school.pk,
        academy.pk,
        special_academy.pk,
    }
    row = schools.loc[academy.pk]
    assert (row["urn"], row["name"], row["phase"], row["number_of_pupils"], row["statutory_high_age"]) == (
        academy.urn,
        "Hill Academy",
        "Secondary",
        900,
        16,
    )
    assert schools["is_academy"].to_dict() == {pk: pk in (academy.pk, special_academy.pk) for pk in schools.index}
    assert schools.loc[world.outside_school.pk, "district"] == "Tandridge"


def test_head_changes_count_distinct_dates_in_three_years_from_gias_history(world):
    own, peer = world.own_school, world.cluster_school
    recent = TODAY - dt.timedelta(days=100)
    _change(own, "head_first_name", recent)
    _change(own, "head_last_name", recent)  # the same change of head: one change, not two
    _change(own, "head_last_name", TODAY - dt.timedelta(days=700))
    _change(own, "head_last_name", TODAY - dt.timedelta(days=4 * 365))  # too long ago to count
    _change(own, "head_title", TODAY - dt.timedelta(days=50), "Mrs", "Ms")  # a new title is not a new head
    _change(own, "name", TODAY - dt.timedelta(days=20))
    _change(peer, "head_last_name", TODAY + dt.timedelta(days=5))  # after "today": not known yet
    schools = risk_inputs_load(partnership=world.home, today=TODAY).schools
    assert schools.loc[own.pk, "head_changes_3y"] == 2
    assert schools.loc[own.pk, "head_since"] == pd.Timestamp(recent)
    assert schools.loc[peer.pk, "head_changes_3y"] == 0
    assert pd.isna(schools.loc[peer.pk, "head_since"])


def _head(school, title, first, last):
    school.head_title, school.head_first_name, school.head_last_name = title, first, last
    school.save()


def test_head_changes_compare_people_not_strings_and_the_officers_word_wins(world):
    """#14.5: a spelling fix or a marriage is not a new head; an officer may say "same person" (or not)."""
    from schools.risk.headchanges import head_changes_list
    from schools.risk.models import HeadChangeJudgement

    own, peer = world.own_school, world.cluster_school
    _head(own, "Mrs", "Alexandra", "Jones")
    marriage = TODAY - dt.timedelta(days=30)
    _change(own, "head_title", marriage, "Miss", "Mrs")
    _change(own, "head_last_name", marriage, "Allan", "Jones")
    spelling = TODAY - dt.timedelta(days=200)
    _change(own, "head_last_name", spelling, "Alan", "Allan")
    _head(peer, "Mr", "Duncan", "Steele")
    real = TODAY - dt.timedelta(days=60)
    _change(peer, "head_first_name", real, "Sarah", "Duncan")
    _change(peer, "head_last_name", real, "Fletcher", "Steele")
    schools = risk_inputs_load(partnership=world.home, today=TODAY).schools
    assert schools.loc[own.pk, "head_changes_3y"] == 0 and pd.isna(schools.loc[own.pk, "head_since"])
    assert schools.loc[peer.pk, "head_changes_3y"] == 1 and schools.loc[peer.pk, "head_since"] == pd.Timestamp(real)

    changes = head_changes_list(partnership=world.home, school_ids=[own.pk], until=TODAY)
    assert [(str(c.old), str(c.new), c.changed_on, c.same_person) for c in changes] == [
        ("Miss Alexandra Allan", "Mrs Alexandra Jones", marriage, True),
        ("Miss Alexandra Alan", "Miss Alexandra Allan", spelling, True),
    ]
    assert all(c.judgement is None and not c.new_head for c in changes)

    # The officer's word wins over the name match, either way.
    HeadChangeJudgement.objects.create(
        partnership=world.home, school=peer, changed_on=real, same_person=True, old_name="x", new_name="y"
    )
    HeadChangeJudgement.objects.create(
        partnership=world.home, school=own, changed_on=marriage, same_person=False, old_name="x", new_name="y"
    )
    schools = risk_inputs_load(partnership=world.home, today=TODAY).schools
    assert schools.loc[peer.pk, "head_changes_3y"] == 0 and pd.isna(schools.loc[peer.pk, "head_since"])
    assert schools.loc[own.pk, "head_changes_3y"] == 1 and schools.loc[own.pk, "head_since"] == pd.Timestamp(marriage)


def test_intelligence_is_the_latest_current_entry_of_each_kind_in_the_engines_kinds(world):
    own = world.own_school
    entry(own, kind="governance", rating="red", recorded_on=dt.date(2024, 1, 10), summary="older")
    entry(own, kind="governance", rating="green", recorded_on=dt.date(2025, 6, 1), summary="latest governance")
    entry(own, kind="head_vacant", rating="red", recorded_on=dt.date(2025, 9, 1), summary="head left")
    awkward = "Deficit, \"£40,000\"\nsecond line, with \\ and 'quotes'"  # CSV's special characters survive
    entry(own, kind="finance_deficit", rating="amber", recorded_on=dt.date(2025, 3, 1), summary=awkward)
    archived = timezone.make_aware(dt.datetime(2025, 10, 15))  # before TODAY: gone (archived after it would count)
    entry(own, kind="staffing", rating="red", recorded_on=dt.date(2025, 10, 1), archived_at=archived)
    entry(own, kind="complaints", rating="red", recorded_on=dt.date(2025, 12, 1), summary="after today")
    entry(world.other_school, kind="governance", rating="red", recorded_on=dt.date(2025, 1, 1))
    closed = SchoolFactory(partnership=world.home, status="Closed")
    entry(closed, kind="governance", rating="red", recorded_on=dt.date(2025, 1, 1))
    intel = risk_inputs_load(partnership=world.home, today=TODAY).intelligence
    rows = intel.sort_values("kind").to_dict("records")
    assert [(r["school_id"], r["kind"], r["rating"], r["summary"]) for r in rows] == [
        (own.pk, "finance", "amber", awkward),
        (own.pk, "governance", "green", "latest governance"),
        (own.pk, "head", "red", "head left"),
    ]
    assert rows[0]["recorded_on"] == pd.Timestamp("2025-03-01")


def test_intelligence_adds_every_concern_in_the_window_and_hides_confidential_summaries(world):
    own = world.own_school
    for day, rating in ((dt.date(2025, 1, 10), "red"), (dt.date(2025, 4, 1), "amber"), (dt.date(2025, 6, 1), "green")):
        entry(own, kind="complaints", rating=rating, recorded_on=day, summary=f"complaint {day}")
    entry(own, kind="complaints", rating="red", recorded_on=dt.date(2024, 11, 20), summary="a day too old")
    entry(
        own, kind="staffing", rating="red", recorded_on=dt.date(2025, 5, 1), summary="Named teacher", confidential=True
    )
    intel = risk_inputs_load(partnership=world.home, today=TODAY).intelligence
    rows = sorted((r["kind"], str(r["recorded_on"].date()), r["summary"]) for r in intel.to_dict("records"))
    assert rows == [
        ("complaints", "2025-01-10", "complaint 2025-01-10"),  # concerns in the 365 days to today ...
        ("complaints", "2025-04-01", "complaint 2025-04-01"),
        ("complaints", "2025-06-01", "complaint 2025-06-01"),  # ... and the latest of the kind (green)
        ("staffing", "2025-05-01", CONFIDENTIAL_SUMMARY),  # never "Named teacher"
    ]


def test_updates_on_one_issue_reach_the_engine_as_one_thread_and_count_once(world):
    """#14.5: an entry recorded as an update on an issue carries the issue's first entry as its thread."""
    from schools.risk import DEFAULT_RULESET, risk_compute

    own = world.own_school
    first = entry(own, kind="complaints", rating="amber", recorded_on=dt.date(2025, 3, 1), summary="first")
    for day in (dt.date(2025, 4, 1), dt.date(2025, 5, 1)):
        entry(own, kind="complaints", rating="amber", recorded_on=day, summary=f"update {day}", thread=first)
    inputs = risk_inputs_load(partnership=world.home, today=TODAY)
    assert set(inputs.intelligence["thread"]) == {first.pk}
    result = risk_compute(inputs, DEFAULT_RULESET)
    assert result.schools.loc[own.pk, "concerns"] == 1


def test_measures_follow_gias_links_from_predecessors_and_the_schools_own_rows_win(world):
    successor = world.own_school
    predecessor_urn, older_urn = 100001, 100002
    SchoolLink.objects.create(
        partnership=world.home, urn=successor.urn, linked_urn=predecessor_urn, link_type="Predecessor"
    )
    # The chain's first link is told from the other side: the older school's successor is the predecessor.
    SchoolLink.objects.create(
        partnership=world.home, urn=older_urn, linked_urn=predecessor_urn, link_type="Successor - amalgamated"
    )
    # A "predecessor" that is itself an open school in the register keeps its own rows.
    SchoolLink.objects.create(
        partnership=world.home, urn=successor.urn, linked_urn=world.cluster_school.urn, link_type="Predecessor"
    )
    home = world.home
    _value(home, older_urn, 2018, "ks2_rwm_exp", 51.0)
    _value(home, older_urn, 2017, "ks2_rwm_exp", 49.0)  # older than the default rules can look (2026 - 2 - 6)
    _value(home, predecessor_urn, 2019, "ks2_rwm_exp", 58.0)
    _value(home, predecessor_urn, 2023, "ks2_rwm_exp", 40.0)  # the successor has its own 2023 figure
    _value(home, successor.urn, 2023, "ks2_rwm_exp", 66.0)
    _value(home, successor.urn, 2024, "ks2_read_prog", missing="SUPP")
    _value(home, successor.urn, 2027, "ks2_rwm_exp", 99.0)  # after the year categorised
    _value(home, world.cluster_school.urn, 2023, "ks2_rwm_exp", 75.0)
    _value(home, 555555, 2023, "ks2_rwm_exp", 12.0)  # a URN nobody in scope descends from
    _value(world.other, world.other_school.urn, 2023, "ks2_rwm_exp", 1.0)
    measures = risk_inputs_load(partnership=home, today=TODAY).measures
    got = {
        (r["school_id"], r["year"], r["code"]): (None if np.isnan(r["value"]) else r["value"], r["missing"])
        for r in measures.to_dict("records")
    }
    assert got == {
        (successor.pk, 2018, "ks2_rwm_exp"): (51.0, ""),
        (successor.pk, 2019, "ks2_rwm_exp"): (58.0, ""),
        (successor.pk, 2023, "ks2_rwm_exp"): (66.0, ""),
        (successor.pk, 2024, "ks2_read_prog"): (None, "SUPP"),
        (world.cluster_school.pk, 2023, "ks2_rwm_exp"): (75.0, ""),
    }
    assert measures["year"].dtype == "int64" and measures["value"].dtype == "float64"


def test_a_predecessors_own_year_file_beats_the_successors_previous_year_column(world):
    """A converted school: its 2018 figure published under the old URN in the 2018 file (rank 3) and again under
    the new URN in the 2019 file's previous-year column (rank 2). The year's own file wins."""
    successor, predecessor_urn = world.own_school, 100001
    SchoolLink.objects.create(
        partnership=world.home, urn=successor.urn, linked_urn=predecessor_urn, link_type="Predecessor"
    )
    _value(world.home, predecessor_urn, 2023, "ks2_rwm_exp", 61.0, rank=3)
    _value(world.home, successor.urn, 2023, "ks2_rwm_exp", 59.0, rank=2)
    _value(world.home, successor.urn, 2024, "ks2_rwm_exp", 70.0, rank=3)
    _value(world.home, predecessor_urn, 2024, "ks2_rwm_exp", 10.0, rank=2)  # a worse source loses to the own row
    measures = risk_inputs_load(partnership=world.home, today=TODAY).measures
    mine = measures[measures["school_id"] == successor.pk].set_index("year")["value"].to_dict()
    assert mine == {2023: 61.0, 2024: 70.0}


def test_averages_and_inspections_land_in_their_frames(world):
    AreaAverage.objects.create(partnership=world.home, year=2024, code="ks2_rwm_exp", area="england", value=61.0)
    AreaAverage.objects.create(partnership=world.home, year=2024, code="ks2_rwm_exp", area="936", value=64.0)
    AreaAverage.objects.create(partnership=world.other, year=2024, code="ks2_rwm_exp", area="england", value=1.0)
    Inspection.objects.create(
        partnership=world.home,
        school=world.own_school,
        urn=world.own_school.urn,
        inspection_number="10290001",
        framework="oeif",
        start_date=dt.date(2023, 5, 10),
        overall=3,
        leadership_management=3,
        safeguarding_effective=False,
    )
    Inspection.objects.create(
        partnership=world.home,
        urn=world.cluster_school.urn,
        inspection_number="10390002",
        framework="report_card",
        start_date=dt.date(2025, 10, 1),
        rc_achievement="needs_attention",
        rc_safeguarding_met=True,
    )
    Inspection.objects.create(  # after "today": not known yet
        partnership=world.home,
        urn=world.isolated_school.urn,
        inspection_number="10390003",
        framework="report_card",
        start_date=dt.date(2026, 1, 1),
    )
    inputs = risk_inputs_load(partnership=world.home, today=TODAY)
    averages = inputs.averages.sort_values("area").to_dict("records")
    assert averages == [
        {"year": 2024, "code": "ks2_rwm_exp", "area": "936", "value": 64.0},
        {"year": 2024, "code": "ks2_rwm_exp", "area": "england", "value": 61.0},
    ]
    ins = inputs.inspections.set_index("school_id")
    assert set(ins.index) == {world.own_school.pk, world.cluster_school.pk}
    legacy, card = ins.loc[world.own_school.pk], ins.loc[world.cluster_school.pk]
    assert (legacy["framework"], legacy["overall"], legacy["safeguarding_effective"]) == ("oeif", 3.0, "false")
    assert legacy["start_date"] == pd.Timestamp("2023-05-10") and legacy["inspection_number"] == "10290001"
    assert (card["rc_achievement"], card["rc_safeguarding_met"], card["safeguarding_effective"]) == (
        "needs_attention",
        "true",
        "",
    )
    assert np.isnan(card["overall"])


def test_a_past_year_sees_only_what_was_known_then(world):
    entry(world.own_school, kind="governance", rating="red", recorded_on=dt.date(2024, 1, 10))
    entry(world.own_school, kind="staffing", rating="red", recorded_on=dt.date(2025, 1, 10))
    inputs = risk_inputs_load(partnership=world.home, as_at=2024)
    assert (inputs.as_at, inputs.today) == (2024, dt.date(2024, 8, 31))
    assert inputs.intelligence["kind"].tolist() == ["governance"]


def _queries(partnership) -> int:
    with CaptureQueriesContext(connection) as ctx:
        risk_inputs_load(partnership=partnership, today=TODAY)
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_data(world):
    small = _queries(world.home)
    schools = SchoolFactory.create_batch(60, partnership=world.home)
    for i, school in enumerate(schools):
        _change(school, "head_last_name", TODAY - dt.timedelta(days=30 + i))
        entry(school, kind=IntelligenceEntry.Kind.SEND, recorded_on=dt.date(2025, 2, 1))
        _value(world.home, school.urn, 2024, "ks2_rwm_exp", 50.0 + i)
        SchoolLink.objects.create(
            partnership=world.home, urn=school.urn, linked_urn=200000 + i, link_type="Predecessor"
        )
        _value(world.home, 200000 + i, 2022, "ks2_rwm_exp", 40.0)
    # 10, and 1 for peer review's C9 facts (no reviews held here); head changes are 3 (#14.5: changes, the names
    # today to walk back from, the officers' "same person" judgements)
    assert _queries(world.home) == small <= 11
    assert len(risk_inputs_load(partnership=world.home, today=TODAY).measures) == 120


def test_special_schools_and_alternative_provision_are_marked_for_their_own_comparators(world):
    """#14.3: the loader tells the engine which schools have only their own national figures."""
    special = SchoolFactory(partnership=world.home, type_group="Special schools", type_name="Community special school")
    academy = SchoolFactory(partnership=world.home, type_group="Academies", type_name="Academy special converter")
    pru = SchoolFactory(partnership=world.home, type_name="Pupil referral unit")
    ap = SchoolFactory(
        partnership=world.home, type_group="Academies", type_name="Academy alternative provision converter"
    )
    schools = risk_inputs_load(partnership=world.home, today=TODAY).schools
    assert schools.loc[[special.pk, academy.pk, pru.pk, ap.pk], "provision"].tolist() == [
        "special",
        "special",
        "ap",
        "ap",
    ]
    assert schools.loc[world.own_school.pk, "provision"] == ""
