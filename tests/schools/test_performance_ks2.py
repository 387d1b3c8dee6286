"""The real KS2 performance-table files: Surrey 2016/17–2018/19 and the Hertfordshire 2024/25 extract."""

from __future__ import annotations

import pytest

from schools.models import AreaAverage, PerformanceValue, School
from schools.performance.service import performance_import
from tests.paths import KS2_2017, KS2_2018, KS2_2019, KS2_2025_HERTS
from tests.schools.conftest import import_performance, performance_state

SURREY_KS2 = [(KS2_2017, 2017), (KS2_2018, 2018), (KS2_2019, 2019)]


def _value(partnership, urn: int, year: int, code: str) -> PerformanceValue:
    return PerformanceValue.objects.get(partnership=partnership, urn=urn, year=year, code=code)


def _import(partnership, path, year: int):
    result = performance_import(partnership=partnership, kind="ks2", year=year, path=path)
    assert result.ok, result.errors
    return result


@pytest.mark.parametrize(
    ("path", "year", "school_rows", "via_links", "values"),
    [
        # RECTYPE 1 + 2 rows; values = rows × (15 measures of the year + 14 repeated for 2015/16: no TELIG_16).
        (KS2_2017, 2017, 219 + 13, 5, 232 * (15 + 14)),
        # 2017/18 and 2018/19 repeat two earlier years (_17/_16, _18/_17); TELIG_17 and TELIG_18 only in 2018/19.
        (KS2_2018, 2018, 222 + 13, 4, 235 * (15 + 14 + 14)),
        (KS2_2019, 2019, 223 + 16, 2, 239 * (15 + 15 + 15)),
    ],
)
def test_each_surrey_file_imports_every_school_row(surrey_register, path, year, school_rows, via_links, values):
    result = _import(surrey_register, path, year)
    counts = result.counts
    assert counts["school_rows"] == school_rows and counts["skipped_other_la"] == 0
    assert counts["schools_matched"] == school_rows and counts["unmatched_urns"] == 0
    assert counts["schools_matched_through_links"] == via_links
    assert counts["values_stored"] == counts["values_created"] == values
    assert PerformanceValue.objects.filter(partnership=surrey_register).count() == values
    assert counts["averages_found"] > 0 and str(year) in counts["years_covered"]
    assert f"KS2 results {year - 1}-{year}: {school_rows} schools matched" in result.summary()


def test_known_values_are_stored_as_published(surrey_register):
    _import(surrey_register, KS2_2019, 2019)
    # Line 2 of the 2018/19 file: Wyke Primary School, URN 145543.
    rwm = _value(surrey_register, 145543, 2019, "ks2_rwm_exp")
    assert (rwm.value, rwm.raw, rwm.missing, rwm.source_rank) == (78.0, "78%", "", 3)
    assert rwm.school == School.objects.get(partnership=surrey_register, urn=145543)
    assert _value(surrey_register, 145543, 2019, "ks2_cohort").value == 27
    assert _value(surrey_register, 145543, 2019, "ks2_rwm_high").value == 11
    assert _value(surrey_register, 145543, 2019, "ks2_read_prog").value == 1.7
    assert _value(surrey_register, 145543, 2019, "ks2_read_prog_lower").value == -0.6
    # The file's previous-year columns give the two years before, ranked below a year's own file.
    earlier = _value(surrey_register, 145543, 2018, "ks2_rwm_exp")
    assert (earlier.value, earlier.raw, earlier.source_rank) == (66.0, "66%", 2)
    two_back = _value(surrey_register, 145543, 2017, "ks2_rwm_exp")
    assert (two_back.value, two_back.source_rank) == (70.0, 1)


def test_suppression_codes_are_kept_as_missing_with_their_reason(surrey_register):
    result = _import(surrey_register, KS2_2019, 2019)
    # Wyke Primary's disadvantaged RWM is "SUPP"; Kingswood Primary's (line 4) is an empty cell.
    suppressed = _value(surrey_register, 145543, 2019, "ks2_rwm_exp_disadv")
    assert (suppressed.value, suppressed.missing, suppressed.raw) == (None, "SUPP", "SUPP")
    blank = _value(surrey_register, 124937, 2019, "ks2_rwm_exp_disadv")
    assert (blank.value, blank.missing, blank.raw) == (None, "blank", "")
    # Wishmore Cross Academy (a special school of three pupils): every result suppressed, none turned into 0.
    assert _value(surrey_register, 138766, 2019, "ks2_rwm_exp").missing == "SUPP"
    assert not PerformanceValue.objects.filter(partnership=surrey_register, missing__gt="", value__isnull=False)
    assert result.counts["missing_SUPP"] == PerformanceValue.objects.filter(missing="SUPP").count() > 0
    assert result.counts["values_missing_with_reason"] == PerformanceValue.objects.filter(value__isnull=True).count()


def test_england_and_la_averages_come_from_the_summary_rows(surrey_register):
    for path, year in SURREY_KS2:
        _import(surrey_register, path, year)
    averages = AreaAverage.objects.filter(partnership=surrey_register, code="ks2_rwm_exp")
    england = dict(averages.filter(area="england").values_list("year", "value"))
    # 2016 (53%) comes from the 2016/17 file's England row, column PTRWM_EXP_16.
    assert england == {2016: 53.0, 2017: 61.0, 2018: 64.0, 2019: 65.0}
    assert dict(averages.filter(area="936").values_list("year", "value")) == {
        2016: 60.0,
        2017: 67.0,
        2018: 70.0,
        2019: 70.0,
    }
    own = averages.get(area="england", year=2019)
    assert own.basis == "published" and own.source_rank == 3
    # Pupil counts are not averages: the England row's TELIG is a total, and is not stored as one.
    assert not AreaAverage.objects.filter(code="ks2_cohort").exists()


def test_the_2024_25_file_gives_the_two_years_before(herts):
    result = performance_import(partnership=herts, kind="ks2", year=2025, path=KS2_2025_HERTS)
    assert result.ok, result.errors
    assert result.counts["schools_matched"] == 50 and result.counts["values_stored"] == 50 * 15 * 3
    assert result.counts["years_covered"] == "2023, 2024, 2025"
    # Line 2: Richard Whittington Primary School, URN 151078.
    own = _value(herts, 151078, 2025, "ks2_rwm_exp")
    assert (own.value, own.raw, own.source_rank) == (80.0, "80%", 3)
    one_back = _value(herts, 151078, 2024, "ks2_rwm_exp")
    assert (one_back.value, one_back.source_rank) == (68.0, 2)
    assert _value(herts, 151078, 2024, "ks2_cohort").value == 44
    two_back = _value(herts, 151078, 2023, "ks2_rwm_exp")
    assert (two_back.value, two_back.source_rank) == (64.0, 1)
    # Progress was last published for 2022/23: READPROG_23 is there, READPROG (2024/25) is blank.
    assert _value(herts, 151078, 2023, "ks2_read_prog").value == 0.7
    assert _value(herts, 151078, 2023, "ks2_read_prog_lower").value == -1.1
    assert _value(herts, 151078, 2025, "ks2_read_prog").missing == "blank"
    # A school row shorter than the headings (line 32, a new school): the missing trailing cells are blank.
    assert _value(herts, 150844, 2024, "ks2_rwm_exp").missing == "blank"


def test_a_years_own_file_wins_over_a_later_files_previous_year_columns(surrey_register):
    # Cobham Free School, URN 138226: 83% in the 2017/18 file, and in the 2018/19 file's PTRWM_EXP_18.
    _import(surrey_register, KS2_2019, 2019)
    assert _value(surrey_register, 138226, 2018, "ks2_rwm_exp").source_rank == 2
    result = _import(surrey_register, KS2_2018, 2018)
    own = _value(surrey_register, 138226, 2018, "ks2_rwm_exp")
    assert (own.value, own.source_rank) == (83.0, 3)
    assert result.counts["values_updated"] > 0
    # And the other way round: the 2019 file again does not push its _18 columns over the 2018 file's.
    again = _import(surrey_register, KS2_2019, 2019)
    assert again.counts["values_updated"] == 0 and again.counts["values_kept_from_a_better_source"] > 0
    assert _value(surrey_register, 138226, 2018, "ks2_rwm_exp").source_rank == 3


def test_a_converted_school_keeps_its_trend_through_the_gias_links(surrey_register):
    for path, year in SURREY_KS2:
        _import(surrey_register, path, year)
    west_hill = School.objects.get(partnership=surrey_register, urn=144228)  # West Hill School, now an academy
    # In 2016/17 it was URN 125463 (GIAS links: 144228 has predecessor 125463); its rows are matched to the academy.
    before = _value(surrey_register, 125463, 2017, "ks2_cohort")
    assert before.school == west_hill
    after = _value(surrey_register, 144228, 2019, "ks2_cohort")
    assert after.school == west_hill
    years = set(PerformanceValue.objects.filter(school=west_hill, code="ks2_cohort").values_list("year", flat=True))
    assert years == {2017, 2018, 2019}


def test_importing_the_same_file_twice_changes_nothing(surrey_register):
    first = _import(surrey_register, KS2_2018, 2018)
    before = performance_state(surrey_register)
    second = _import(surrey_register, KS2_2018, 2018)
    assert performance_state(surrey_register) == before
    assert second.counts["values_created"] == second.counts["values_updated"] == 0
    assert second.counts["values_unchanged"] == first.counts["values_stored"]
    assert second.counts["averages_created"] == second.counts["averages_updated"] == 0


def test_the_command_prints_the_summary(surrey_register):
    output = import_performance(KS2_2017, surrey_register, "ks2", "2016-2017")
    assert "Imported 2016-2017_936_ks2final.csv into surrey: KS2 results 2016-2017: 232 schools matched" in output
    assert "(5 through GIAS links)" in output and "years covered 2016, 2017" in output
