"""The real KS4 performance-table files: Surrey 2016/17–2018/19 and the England 2024/25 extract (Camden rows)."""

from __future__ import annotations

import pytest

from schools.models import AreaAverage, PerformanceValue, School
from schools.performance.service import performance_import
from tests.paths import KS4_2017, KS4_2018, KS4_2019, KS4_2025_CAMDEN
from tests.schools.conftest import performance_state

SURREY_KS4 = [(KS4_2017, 2017), (KS4_2018, 2018), (KS4_2019, 2019)]


def _value(partnership, urn: int, year: int, code: str) -> PerformanceValue:
    return PerformanceValue.objects.get(partnership=partnership, urn=urn, year=year, code=code)


def _import(partnership, path, year: int):
    result = performance_import(partnership=partnership, kind="ks4", year=year, path=path)
    assert result.ok, result.errors
    return result


@pytest.mark.parametrize(
    ("path", "year", "school_rows", "via_links", "unmatched", "years"),
    [
        # RECTYPE 1 and 2 rows. 2015/16 is there only for P8 and the disadvantaged %: A8 was re-scaled in 2017.
        (KS4_2017, 2017, 127, 16, 2, "2016, 2017"),
        (KS4_2018, 2018, 127, 10, 0, "2016, 2017, 2018"),
        (KS4_2019, 2019, 130, 4, 0, "2017, 2018, 2019"),
    ],
)
def test_each_surrey_file_imports_every_school_row(
    surrey_register, path, year, school_rows, via_links, unmatched, years
):
    counts = _import(surrey_register, path, year).counts
    assert counts["school_rows"] == school_rows and counts["skipped_other_la"] == 0
    assert counts["schools_matched"] == school_rows - unmatched
    assert counts["schools_matched_through_links"] == via_links
    assert counts["unmatched_urns"] == unmatched
    assert counts["years_covered"] == years
    assert counts["values_created"] == counts["values_stored"] == PerformanceValue.objects.count()


def test_known_values_are_stored_as_published(surrey_register):
    _import(surrey_register, KS4_2019, 2019)
    # Line 2 of the 2018/19 file: Jubilee High School, URN 139948.
    assert _value(surrey_register, 139948, 2019, "ks4_cohort").value == 129
    assert _value(surrey_register, 139948, 2019, "ks4_att8").value == 46.0
    assert _value(surrey_register, 139948, 2019, "ks4_p8").value == 0.22
    assert _value(surrey_register, 139948, 2019, "ks4_p8_lower").value == -0.01
    assert _value(surrey_register, 139948, 2019, "ks4_p8_upper").value == 0.45
    basics = _value(surrey_register, 139948, 2019, "ks4_basics_94")
    assert (basics.value, basics.raw) == (63.0, "63%")
    assert _value(surrey_register, 139948, 2019, "ks4_ebacc_aps").value == 3.81
    assert _value(surrey_register, 139948, 2019, "ks4_p8_disadv").value == -0.13
    previous = _value(surrey_register, 139948, 2018, "ks4_att8")
    assert (previous.value, previous.source_rank) == (40.9, 2)
    # An independent school (line 14, St Catherine's) has no Progress 8: "NP", kept as the reason.
    not_published = _value(surrey_register, 125320, 2019, "ks4_p8")
    assert (not_published.value, not_published.missing) == (None, "NP")


def test_attainment_8_before_the_new_grades_is_not_stored(surrey_register):
    _import(surrey_register, KS4_2017, 2017)
    # The 2016/17 file repeats 2015/16 (ATT8SCR_16 = 51.5 for Therfield) on the old point scale: not a trend.
    assert not PerformanceValue.objects.filter(code="ks4_att8", year__lt=2017).exists()
    assert _value(surrey_register, 125252, 2016, "ks4_p8").source_rank == 2


def test_england_state_funded_and_la_averages(surrey_register):
    for path, year in SURREY_KS4:
        _import(surrey_register, path, year)
    att8 = AreaAverage.objects.filter(partnership=surrey_register, code="ks4_att8")
    # RECTYPE 7 (state-funded) is preferred over RECTYPE 5 (all schools: 44.6, 44.5, 44.7).
    assert dict(att8.filter(area="england").values_list("year", "value")) == {2017: 46.3, 2018: 46.5, 2019: 46.7}
    assert dict(att8.filter(area="936").values_list("year", "value")) == {2017: 50.0, 2018: 50.3, 2019: 50.3}
    basics = AreaAverage.objects.get(partnership=surrey_register, code="ks4_basics_94", area="england", year=2019)
    assert basics.value == 65.0
    p8 = AreaAverage.objects.get(partnership=surrey_register, code="ks4_p8", area="england", year=2019)
    assert p8.value == -0.03


def test_a_years_own_file_wins_over_a_later_files_previous_year_column(surrey_register):
    # URN 125457: the 2017/18 file's ATT8SCR is 5.2; the 2018/19 file's ATT8SCR_18 for it is "NA".
    _import(surrey_register, KS4_2019, 2019)
    stand_in = _value(surrey_register, 125457, 2018, "ks4_att8")
    assert (stand_in.value, stand_in.missing, stand_in.source_rank) == (None, "NA", 2)
    _import(surrey_register, KS4_2018, 2018)
    own = _value(surrey_register, 125457, 2018, "ks4_att8")
    assert (own.value, own.missing, own.source_rank) == (5.2, "", 3)
    later = _import(surrey_register, KS4_2019, 2019)
    assert _value(surrey_register, 125457, 2018, "ks4_att8").value == 5.2
    assert later.counts["values_kept_from_a_better_source"] > 0 and later.counts["values_updated"] == 0


def test_a_converted_school_is_matched_through_its_link_and_unknown_urns_are_kept(surrey_register):
    counts = _import(surrey_register, KS4_2017, 2017).counts
    therfield = School.objects.get(partnership=surrey_register, urn=143902)  # an academy since; was URN 125252
    assert _value(surrey_register, 125252, 2017, "ks4_att8").school == therfield
    assert _value(surrey_register, 125252, 2017, "ks4_att8").value == 47.8
    assert counts["schools_matched_through_links"] == 16
    # Two Surrey schools of the file are in neither the register nor the links: kept, with no school yet.
    unmatched = PerformanceValue.objects.filter(partnership=surrey_register, school__isnull=True)
    assert set(unmatched.values_list("urn", flat=True)) == {142328, 142860}


def test_the_2024_25_england_extract_keeps_camden_and_its_three_year_trend(camden):
    result = _import(camden, KS4_2025_CAMDEN, 2025)
    counts = result.counts
    assert counts["school_rows"] == 24 and counts["skipped_other_la"] == 3  # City of London's three schools
    assert counts["schools_matched"] == 21 and counts["years_covered"] == "2023, 2024, 2025"
    assert not PerformanceValue.objects.filter(urn__in=[100001, 100003, 100544]).exists()
    # Line 6: Acland Burghley School. Progress 8 is "NA" for 2024/25 (not published), so P8MEA_PREV matters.
    assert _value(camden, 100053, 2025, "ks4_p8").missing == "NA"
    p8 = {y: _value(camden, 100053, y, "ks4_p8") for y in (2023, 2024)}
    assert [(p8[y].value, p8[y].source_rank) for y in (2023, 2024)] == [(-0.16, 1), (-0.3, 2)]
    assert [_value(camden, 100053, y, "ks4_att8").value for y in (2023, 2024, 2025)] == [50.3, 50.4, 49.9]
    basics = _value(camden, 100053, 2025, "ks4_basics_95")
    assert (basics.value, basics.raw) == (52.0, "52.00%")
    assert _value(camden, 100053, 2024, "ks4_basics_95").value == 59.9
    # Camden's LA row (RECTYPE 4) gives the LA average for each year; City of London's LA row is not ours.
    la = AreaAverage.objects.filter(partnership=camden, code="ks4_att8", area="202")
    assert dict(la.values_list("year", "value")) == {2023: 48.0, 2024: 47.9, 2025: 46.9}
    assert not AreaAverage.objects.filter(partnership=camden, area="201").exists()


def test_importing_the_same_file_twice_changes_nothing(camden):
    _import(camden, KS4_2025_CAMDEN, 2025)
    before = performance_state(camden)
    again = _import(camden, KS4_2025_CAMDEN, 2025)
    assert performance_state(camden) == before
    assert again.counts["values_created"] == again.counts["values_updated"] == 0
    assert again.counts["values_unchanged"] == again.counts["values_stored"]
