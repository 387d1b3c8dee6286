"""Broken copies of the real files are refused whole, naming the row and column of each problem, changing nothing."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError

from schools.models import ImportJob
from schools.performance.service import performance_import
from tests.paths import ABSENCE_2024, GIAS_2021, KS2_2017, KS2_2019, KS4_2019, OFSTED_MI
from tests.schools.conftest import import_performance, performance_state

BOM, CRLF = "\ufeff", "\r\n"


def _lines(path) -> list[str]:
    return path.read_bytes().decode("utf-8-sig").split(CRLF if b"\r\n" in path.read_bytes() else "\n")


def _join(lines: list[str], *, crlf: bool = True) -> bytes:
    return (BOM + (CRLF if crlf else "\n").join(lines)).encode("utf-8")


def _with_cell(path, line: int, heading: str, value: str) -> bytes:
    """The file with the cell of ``heading`` on file line ``line`` (1 = headings) replaced by ``value``."""
    lines = _lines(path)
    header = next(csv.reader([lines[0]]))
    cells = next(csv.reader([lines[line - 1]]))
    cells[header.index(heading)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    lines[line - 1] = out.getvalue()
    return _join(lines, crlf=b"\r\n" in path.read_bytes())


@pytest.fixture
def imported(surrey):
    """Surrey with the 2016/17 KS2 file imported, and what the performance tables hold."""
    import_performance(KS2_2017, surrey, "ks2", "2016-2017")
    return surrey, performance_state(surrey)


def _rejected(path, partnership, before, kind: str = "ks2", year: str | None = "2018-2019") -> str:
    """Import ``path``, expect a refusal, check nothing changed; return the message."""
    with pytest.raises(CommandError) as error:
        import_performance(path, partnership, kind, year)
    assert performance_state(partnership) == before
    return str(error.value)


def test_a_number_that_is_garbage_is_named_by_row_and_column(imported, write_file):
    partnership, before = imported
    # Line 4 of the 2018/19 file is Kingswood Primary School (PTRWM_EXP 65%).
    path = write_file("garbage.csv", _with_cell(KS2_2019, 4, "PTRWM_EXP", "lots"))
    message = _rejected(path, partnership, before)
    assert "1 problem found" in message
    assert "row 4, column PTRWM_EXP: PTRWM_EXP must be a percentage from 0 to 100, like 52.9%" in message


def test_a_percentage_over_100_and_a_bad_urn_are_both_reported(imported, write_file):
    partnership, before = imported
    data = _with_cell(KS2_2019, 4, "PTRWM_EXP", "250%")
    path = write_file("bad.csv", data)
    data = _with_cell(path, 5, "URN", "12A45")
    message = _rejected(write_file("bad.csv", data), partnership, before)
    assert "2 problems found" in message
    assert "row 4, column PTRWM_EXP: PTRWM_EXP must be a percentage from 0 to 100" in message
    assert "row 5, column URN: URN must be a whole number, like 100000" in message


def test_a_percentage_sign_on_a_score_and_a_progress_score_out_of_range(imported, write_file):
    partnership, before = imported
    path = write_file("bad.csv", _with_cell(KS2_2019, 4, "READPROG", "1.7%"))
    path = write_file("bad.csv", _with_cell(path, 5, "MATPROG_UPPER", "99"))
    message = _rejected(path, partnership, before)
    assert "row 4, column READPROG: READPROG must be a number from -50 to 50, like 0.5" in message
    assert "row 5, column MATPROG_UPPER: MATPROG_UPPER must be a number from -50 to 50" in message


def test_hostile_strings_are_refused_where_they_stand(imported, write_file):
    partnership, before = imported
    path = write_file("hostile.csv", _with_cell(KS2_2019, 4, "PTRWM_EXP", "=cmd|' /C calc'!A0"))
    path = write_file("hostile.csv", _with_cell(path, 5, "URN", "<script>alert(1)</script>"))
    path = write_file("hostile.csv", _with_cell(path, 6, "RECTYPE", "@SUM(1+1)"))
    message = _rejected(path, partnership, before)
    assert "3 problems found" in message
    assert "row 4, column PTRWM_EXP: PTRWM_EXP must be a percentage" in message
    assert "row 5, column URN: URN must be a whole number" in message
    assert "row 6, column RECTYPE: RECTYPE must be one of 1, 2, 3, 4, 5" in message


def test_hostile_text_in_an_ofsted_file_is_refused(camden, write_file):
    before = performance_state(camden)
    line = next(i for i, text in enumerate(_lines(OFSTED_MI), 1) if ",100022," in text)
    path = write_file(
        "mi.csv", _with_cell(OFSTED_MI, line, "Ungraded inspection overall outcome", "<script>x</script>")
    )
    path = write_file("mi.csv", _with_cell(path, line, "Latest OEIF overall effectiveness", "=1+1"))
    path = write_file("mi.csv", _with_cell(path, line, "Date of latest ungraded inspection", "31/02/2024"))
    message = _rejected(path, camden, before, kind="ofsted", year=None)
    assert "3 problems found" in message
    assert f"row {line}, column Ungraded inspection overall outcome: Ungraded inspection overall outcome must" in (
        message
    )
    assert (
        f"row {line}, column Latest OEIF overall effectiveness: Latest OEIF overall effectiveness must be a grade"
        in (message)
    )
    assert f"row {line}, column Date of latest ungraded inspection: Date of latest ungraded inspection must be a" in (
        message
    )


def test_duplicate_urn_rows(imported, write_file):
    partnership, before = imported
    path = write_file("duplicate.csv", _with_cell(KS2_2019, 5, "URN", "124937"))
    message = _rejected(path, partnership, before)
    assert "row 5, column URN: URN 124937 appears more than once: it is also on row 4" in message


def test_a_header_without_urn(imported, write_file):
    partnership, before = imported
    lines = _lines(KS2_2019)
    lines[0] = lines[0].replace(",URN,", ",REFERENCE,", 1)
    message = _rejected(write_file("no-urn.csv", _join(lines)), partnership, before)
    assert "row 1, column URN: The file has no URN column" in message


def test_a_truncated_row(imported, write_file):
    partnership, before = imported
    # The file cut part-way through line 200 (a full 318-field school row): no line end, 150 fields.
    lines = _lines(KS2_2019)[:200]
    lines[-1] = ",".join(lines[-1].split(",")[:150])
    message = _rejected(write_file("cut.csv", _join(lines)), partnership, before)
    assert "row 200" in message and "cut short" in message


def test_bytes_in_no_encoding_we_read(imported, write_file):
    partnership, before = imported
    # 0x81 is neither UTF-8 nor Windows-1252.
    data = KS2_2019.read_bytes().replace(b",Kingswood Primary School,", b",Kingswood Primary School\x81,", 1)
    message = _rejected(write_file("bytes.csv", data), partnership, before)
    assert "row 4, column SCHNAME: The file is not a CSV file in a text encoding we can read" in message


@pytest.mark.parametrize(
    ("path", "kind", "message"),
    [
        (KS4_2019, "ks2", "The file is a KS4 results file, not a KS2 results file"),
        (KS2_2019, "ks4", "The file is a KS2 results file, not a KS4 results file"),
        (ABSENCE_2024, "census", "The file is a pupil absence file, not a school census file"),
        (OFSTED_MI, "ks2", "The file is a Ofsted management information file, not a KS2 results file"),
        (GIAS_2021, "absence", "The file is a GIAS establishments file, not a pupil absence file"),
    ],
)
def test_the_wrong_kind_of_file_is_refused_by_its_headings(imported, path, kind, message):
    partnership, before = imported
    assert message in _rejected(path, partnership, before, kind=kind)


def test_the_year_must_match_the_files_previous_year_columns(imported):
    partnership, before = imported
    message = _rejected(KS2_2019, partnership, before, year="2017-2018")
    assert "say it is for 2018-2019, not 2017-2018: check the year" in message


@pytest.mark.parametrize("label", ["2019", "2018-2020", "2019-2018", "2018/2019", "twenty"])
def test_a_year_label_must_be_two_consecutive_years(imported, label):
    partnership, before = imported
    message = _rejected(KS2_2019, partnership, before, year=label)
    assert f"--year {label}: Enter the academic year as two consecutive years, like 2018-2019" in message


def test_a_file_over_the_size_cap_is_refused(imported, settings):
    partnership, before = imported
    settings.IMPORT_MAX_BYTES = 100 * 1024
    assert "The file must be smaller than 100KB" in _rejected(KS2_2019, partnership, before)


def test_a_file_over_the_row_cap_is_refused(imported, settings):
    partnership, before = imported
    settings.IMPORT_MAX_ROWS = 1000
    message = _rejected(ABSENCE_2024, partnership, before, kind="absence", year="2023-2024")
    assert "The file has more than 1,000 rows: import it in smaller files" in message


def test_an_unknown_national_phase_and_a_bad_la_code(imported, write_file):
    partnership, before = imported
    lines = _lines(ABSENCE_2024)
    lines[-1] = lines[-1].replace("NAT,SPE,", "NAT,ALL,")
    lines[1] = lines[1].replace("201,3614,", "21,3614,")
    message = _rejected(write_file("abs.csv", _join(lines)), partnership, before, kind="absence", year="2023-2024")
    assert "row 2, column LA: LA must be a three-digit LA code, like 936" in message
    assert f"row {len(lines)}, column ESTAB: ESTAB on a national row must be PRI, SEC or SPE" in message


def test_a_rejected_job_records_its_errors_and_writes_nothing(imported, write_file):
    partnership, before = imported
    path = write_file("garbage.csv", _with_cell(KS2_2019, 4, "PTRWM_EXP", "lots"))
    result = performance_import(partnership=partnership, kind="ks2", year=2019, path=path)
    assert not result.ok and result.error_count == 1
    assert result.errors[0].as_dict() == {
        "row": 4,
        "column": "PTRWM_EXP",
        "message": "PTRWM_EXP must be a percentage from 0 to 100, like 52.9%, or a DfE code such as SUPP or NE",
    }
    assert performance_state(partnership) == before and not ImportJob.objects.exists()


def test_an_inspection_number_without_a_start_date(camden, write_file):
    before = performance_state(camden)
    line = next(i for i, text in enumerate(_lines(OFSTED_MI), 1) if ",100022," in text)
    path = write_file("mi.csv", _with_cell(OFSTED_MI, line, "Date of latest ungraded inspection", "NULL"))
    message = _rejected(path, camden, before, kind="ofsted", year=None)
    assert (
        f"row {line}, column Date of latest ungraded inspection: Date of latest ungraded inspection must be given "
        "when the latest ungraded inspection has a number" in message
    )


# ---------------------------------------------------------------------------------------------- #14.8: say what it did


def test_a_file_with_no_row_for_the_partnership_is_refused_unless_confirmed(surrey):
    """Hertfordshire's real KS2 file into Surrey: nothing matches, so it is refused, not a green 'Import complete'."""
    from tests.paths import KS2_2025_HERTS

    before = performance_state(surrey)
    result = performance_import(partnership=surrey, kind="ks2", year=2025, path=KS2_2025_HERTS)
    assert not result.ok
    assert "Nothing matched this partnership" in result.errors[0].message
    assert "936" in result.errors[0].message
    assert performance_state(surrey) == before
    with pytest.raises(CommandError, match="Nothing matched this partnership"):
        import_performance(KS2_2025_HERTS, surrey, "ks2", "2024-2025")
    confirmed = performance_import(partnership=surrey, kind="ks2", year=2025, path=KS2_2025_HERTS, allow_no_match=True)
    assert confirmed.ok and confirmed.counts["schools_matched"] == 0
    assert confirmed.summary().startswith("Nothing matched this partnership")


def test_an_ofsted_file_with_no_row_for_the_partnership_is_refused(surrey):
    result = performance_import(partnership=surrey, kind="ofsted", year=None, path=OFSTED_MI)
    assert not result.ok and "Nothing matched this partnership" in result.errors[0].message


def test_result_tables_use_words_not_counter_names():
    from schools.presenters import import_count_rows

    rows = dict(import_count_rows({"missing_NA": 3, "skipped_other_la": 40, "oeif_inspections": 2, "rows": 9}))
    assert rows == {
        "Values missing: not applicable": "3",
        "Rows for schools in other local authorities (skipped)": "40",
        "Graded inspections (legacy framework)": "2",
        "Rows in the file": "9",
    }
