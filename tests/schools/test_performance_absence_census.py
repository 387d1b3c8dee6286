"""The real England-wide absence (2018/19, 2023/24) and census (2018/19) files: only the partnership's rows are kept."""

from __future__ import annotations

import csv
import statistics

import pytest

from schools.models import AreaAverage, PerformanceValue, School
from schools.performance.service import performance_import
from tests.paths import ABSENCE_2019, ABSENCE_2024, CENSUS_2019
from tests.schools.conftest import performance_state


def _rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _mean(rows: list[dict[str, str]], column: str) -> float:
    """The plain mean of a column's figures over school rows, computed here without pandas."""
    figures = []
    for row in rows:
        try:
            figures.append(float(row[column]))
        except ValueError:
            continue
    return statistics.fmean(figures)


def _import(partnership, kind: str, path, year: int):
    result = performance_import(partnership=partnership, kind=kind, year=year, path=path)
    assert result.ok, result.errors
    return result


@pytest.mark.parametrize(
    ("path", "year", "surrey_rows", "unmatched"), [(ABSENCE_2019, 2019, 385, 0), (ABSENCE_2024, 2024, 388, 23)]
)
def test_absence_keeps_only_the_partnerships_schools(surrey_register, path, year, surrey_rows, unmatched):
    rows = _rows(path)
    counts = _import(surrey_register, "absence", path, year).counts
    schools = [r for r in rows if r["LA"] != "NAT"]
    assert counts["rows"] == len(rows) and counts["school_rows"] == len(schools)
    assert counts["skipped_other_la"] == len(schools) - surrey_rows
    assert counts["values_stored"] == PerformanceValue.objects.count() == surrey_rows * 2
    assert counts["schools_matched"] == surrey_rows - unmatched and counts["unmatched_urns"] == unmatched
    surrey_urns = {int(r["URN"]) for r in schools if r["LA"] == "936"}
    assert set(PerformanceValue.objects.values_list("urn", flat=True)) == surrey_urns
    assert counts["years_covered"] == str(year)


def test_absence_values_and_suppressed_persistent_absence(surrey_register):
    _import(surrey_register, "absence", ABSENCE_2019, 2019)
    # Line 20313: LA 936, URN 145543, PERCTOT 3.9, PPERSABS10 9.
    overall = PerformanceValue.objects.get(urn=145543, year=2019, code="abs_overall")
    assert (overall.value, overall.raw, overall.school.urn) == (3.9, "3.9", 145543)
    assert PerformanceValue.objects.get(urn=145543, year=2019, code="abs_persistent").value == 9.0
    # Line 20380: URN 145701, persistent absence "SUPP".
    suppressed = PerformanceValue.objects.get(urn=145701, year=2019, code="abs_persistent")
    assert (suppressed.value, suppressed.missing) == (None, "SUPP")


def test_absence_averages(surrey_register):
    rows = [r for r in _rows(ABSENCE_2024) if r["LA"] != "NAT"]
    _import(surrey_register, "absence", ABSENCE_2024, 2024)
    averages = AreaAverage.objects.filter(partnership=surrey_register, year=2024, code="abs_persistent")
    england = averages.get(area="england")
    assert england.basis == "school_mean" and england.schools_counted == len(rows)
    assert england.value == pytest.approx(_mean(rows, "PPERSABS10"))
    surrey = averages.get(area="936")
    assert surrey.value == pytest.approx(_mean([r for r in rows if r["LA"] == "936"], "PPERSABS10"))
    # The file's national rows (LA "NAT", ESTAB PRI/SEC/SPE) are published figures by phase.
    published = dict(averages.filter(basis="published").values_list("area", "value"))
    assert published == {"england/primary": 14.6, "england/secondary": 25.6, "england/special": 37.2}


def test_census_values_and_averages(surrey_register):
    rows = _rows(CENSUS_2019)
    counts = _import(surrey_register, "census", CENSUS_2019, 2019).counts
    assert counts["values_stored"] == 497 * 5 and counts["schools_matched"] == 497
    # Line 338: an independent school (URN 100528): 416 on roll; FSM ever and EAL "NA".
    assert PerformanceValue.objects.get(urn=100528, code="census_roll").value == 416
    assert PerformanceValue.objects.get(urn=100528, code="census_fsm_ever").missing == "NA"
    # PSENELSE is "statement or EHC plan" and PSENELK "SEN support" (line 12610: 0 and 12.5).
    assert PerformanceValue.objects.get(urn=124911, code="census_ehcp").value == 0.0
    assert PerformanceValue.objects.get(urn=124911, code="census_sen_support").value == 12.5
    assert counts["missing_NA"] > 0
    schools = [r for r in rows if r["URN"] != "NAT"]
    england = AreaAverage.objects.get(code="census_fsm_ever", area="england")
    assert england.value == pytest.approx(_mean(schools, "PNUMFSMEVER"))
    national = dict(AreaAverage.objects.filter(code="census_ehcp", basis="published").values_list("area", "value"))
    assert national == {"england/primary": 1.6, "england/secondary": 1.7, "england/special": 98.3}
    assert not AreaAverage.objects.filter(code="census_roll").exists()  # a count, not an average


def test_rows_of_other_las_are_kept_when_the_register_knows_the_school(surrey_register):
    # A school of the register outside the partnership's LA codes (here a City of London school) is kept too.
    elsewhere = School.objects.create(partnership=surrey_register, urn=100000, name="The Aldgate School", la_code="201")
    _import(surrey_register, "absence", ABSENCE_2024, 2024)
    assert PerformanceValue.objects.get(urn=100000, code="abs_overall").school == elsewhere
    assert AreaAverage.objects.filter(area="201").count() == 0  # its LA is not the partnership's


def test_importing_the_same_file_twice_changes_nothing(surrey_register):
    _import(surrey_register, "census", CENSUS_2019, 2019)
    before = performance_state(surrey_register)
    again = _import(surrey_register, "census", CENSUS_2019, 2019)
    assert performance_state(surrey_register) == before
    assert again.counts["values_created"] == again.counts["values_updated"] == again.counts["averages_updated"] == 0
