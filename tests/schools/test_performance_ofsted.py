"""The real Ofsted management-information sample (2026 layout): one inspection per block a row carries."""

from __future__ import annotations

import datetime as dt

from schools.models import Inspection, School
from schools.performance.service import performance_import
from tests.paths import OFSTED_MI
from tests.schools.conftest import import_performance, performance_state


def _import(partnership, path=OFSTED_MI):
    result = performance_import(partnership=partnership, kind="ofsted", year=None, path=path)
    assert result.ok, result.errors
    return result


def _inspection(urn: int, framework: str) -> Inspection:
    return Inspection.objects.get(urn=urn, framework=framework)


def test_every_inspection_block_of_camdens_rows_becomes_an_inspection(camden):
    counts = _import(camden).counts
    # 39 rows: City of London's (URN 100000) is not Camden's. Of Camden's 38: 3 report cards, 21 graded (OEIF)
    # and 22 ungraded inspections.
    assert counts["rows"] == 39 and counts["skipped_other_la"] == 1 and counts["schools_matched"] == 38
    assert (counts["report_card_inspections"], counts["oeif_inspections"], counts["ungraded_inspections"]) == (
        3,
        21,
        22,
    )
    assert counts["inspections_found"] == counts["inspections_created"] == Inspection.objects.count() == 46
    assert not Inspection.objects.filter(urn=100000).exists()
    assert counts["years_covered"] == "2020, 2022, 2023, 2024, 2025, 2026"


def test_a_report_card_keeps_its_grades_as_published(camden):
    _import(camden)
    card = _inspection(100025, "report_card")  # Gospel Oak Primary School
    assert card.inspection_number == "10428056" and card.inspection_type == "S5 Inspection"
    assert (card.start_date, card.publication_date) == (dt.date(2026, 1, 13), dt.date(2026, 2, 9))
    assert card.rc_safeguarding_met is True
    assert (card.rc_inclusion, card.rc_curriculum_teaching, card.rc_achievement) == ("strong", "strong", "strong")
    assert (card.rc_attendance_behaviour, card.rc_personal_development) == ("expected", "strong")
    assert (card.rc_leadership_governance, card.rc_early_years) == ("strong", "strong")
    assert card.rc_post16 == ""  # "Not applicable"
    assert card.overall is None and card.quality_of_education is None  # never converted to the old scale
    assert card.category_of_concern == "" and card.school == School.objects.get(partnership=camden, urn=100025)
    ungraded = _inspection(100025, "ungraded")
    assert (ungraded.inspection_number, ungraded.start_date) == ("10199513", dt.date(2021, 10, 20))
    assert ungraded.ungraded_outcome == "School remains Outstanding"


def test_legacy_grades_not_judged_and_not_applicable(camden):
    _import(camden)
    graded = _inspection(100050, "oeif")  # a secondary with a sixth form, no early years
    assert (graded.overall, graded.quality_of_education, graded.leadership_management) == (1, 1, 1)
    assert (graded.sixth_form, graded.early_years) == (2, None)  # 9 = not applicable
    assert graded.safeguarding_effective is True and graded.relates_to_current_urn is True
    assert graded.urn_at_inspection == 100050 and graded.rc_inclusion == ""
    # After September 2024 a graded inspection has no overall grade: "Not judged".
    not_judged = _inspection(100032, "oeif")
    assert (not_judged.overall, not_judged.quality_of_education) == (None, 1)
    assert not_judged.start_date == dt.date(2024, 11, 19)
    exempt = _inspection(100022, "oeif")
    assert exempt.inspection_type == "Exempt School Inspection" and exempt.start_date == dt.date(2019, 10, 16)
    assert _inspection(100022, "ungraded").ungraded_outcome == "Standards maintained"


def test_the_cp1252_original_with_crlf_imports_the_same(camden, write_file):
    # Ofsted publishes the MI in Windows-1252 with CRLF; a curly apostrophe is byte 0x92 there.
    text = OFSTED_MI.read_text(encoding="utf-8").replace("St Paul's Church", "St Paul\u2019s Church")
    path = write_file("ofsted_cp1252.csv", text.replace("\n", "\r\n").encode("cp1252"))
    assert b"\x92" in path.read_bytes()
    _import(camden, path)
    original = performance_state(camden)
    Inspection.objects.all().delete()
    _import(camden)
    assert [row[3:] for row in performance_state(camden)["inspections"]] == [row[3:] for row in original["inspections"]]


def test_an_inspection_of_a_predecessor_is_kept_with_the_urn_inspected(camden, write_file):
    text = OFSTED_MI.read_text(encoding="utf-8")
    lines = text.split("\n")
    number = next(i for i, line in enumerate(lines) if ",100050," in line)
    lines[number] = lines[number].replace(",Yes,100050,2024166,", ",No,123456,2024166,", 1)
    _import(camden, write_file("converted.csv", "\n".join(lines)))
    graded = _inspection(100050, "oeif")
    assert graded.relates_to_current_urn is False and graded.urn_at_inspection == 123456
    assert graded.school.urn == 100050


def test_importing_the_same_file_twice_changes_nothing(camden):
    _import(camden)
    before = performance_state(camden)
    output = import_performance(OFSTED_MI, camden, "ofsted")
    assert performance_state(camden) == before
    assert "46 inspections (3 report cards, 21 graded, 22 ungraded): 0 new, 0 updated" in output
