"""Broken copies of the real files are refused whole, with the line and column of each problem, changing nothing."""

from __future__ import annotations

import random

import pytest
from django.core.management import CommandError

from schools.models import School
from tests.paths import GIAS_2021, GIAS_2022
from tests.schools.conftest import import_gias, register_state

CRLF = b"\r\n"


def _lines(data: bytes) -> list[bytes]:
    return data.split(CRLF)


def _with_line(data: bytes, number: int, edit) -> bytes:
    """``data`` with file line ``number`` (1 = headings) replaced by ``edit(line)``."""
    lines = _lines(data)
    lines[number - 1] = edit(lines[number - 1])
    return CRLF.join(lines)


@pytest.fixture
def imported(surrey):
    """Surrey with the 2021 export already imported, and the register as it stands."""
    import_gias(GIAS_2021, surrey)
    return surrey, register_state(surrey)


def _rejected(path, partnership, before) -> str:
    """Import ``path``, expect a refusal, check nothing changed; return the message."""
    with pytest.raises(CommandError) as error:
        import_gias(path, partnership)
    assert register_state(partnership) == before
    return str(error.value)


def test_missing_urn_column(imported, gias_2022_bytes, write_file):
    partnership, before = imported
    path = write_file("no-urn.csv", gias_2022_bytes.replace(b'"URN",', b'"Reference",', 1))
    message = _rejected(path, partnership, before)
    assert "row 1, column URN: The file has no URN column" in message


def test_urn_that_is_not_a_number_is_named_by_line_and_column(imported, gias_2022_bytes, write_file):
    partnership, before = imported
    # Line 5 of the real file is Kingswood Primary School, URN 124937.
    data = _with_line(gias_2022_bytes, 5, lambda line: line.replace(b"124937,", b"12A45,", 1))
    message = _rejected(write_file("bad-urn.csv", data), partnership, before)
    assert "1 problem found" in message
    assert "row 5, column URN: URN must be a whole number, like 100000" in message


def test_duplicate_urn(imported, gias_2022_bytes, write_file):
    partnership, before = imported
    data = _with_line(gias_2022_bytes, 6, lambda line: line.replace(b"124938,", b"124937,", 1))
    message = _rejected(write_file("duplicate.csv", data), partnership, before)
    assert "row 6, column URN: URN 124937 appears more than once: it is also on row 5" in message


def test_bad_date_and_unparseable_number_are_both_reported(imported, gias_2022_bytes, write_file):
    partnership, before = imported
    data = _with_line(gias_2022_bytes, 5, lambda line: line.replace(b'"21-03-2022"', b'"31-02-2022"', 1))
    data = _with_line(data, 7, lambda line: line.replace(b',"208",', b',"lots",', 1))
    message = _rejected(write_file("bad-values.csv", data), partnership, before)
    assert "2 problems found" in message
    assert "row 5, column LastChangedDate: LastChangedDate must be a real date written dd-mm-yyyy" in message
    assert "row 7, column NumberOfPupils: NumberOfPupils must be a whole number" in message


def test_truncated_file(imported, gias_2022_bytes, write_file):
    partnership, before = imported
    cut = gias_2022_bytes[: len(gias_2022_bytes) * 3 // 5]
    message = _rejected(write_file("truncated.csv", cut), partnership, before)
    assert "cut short" in message


def test_truncated_between_fields_names_the_last_line(imported, gias_2022_bytes, write_file):
    partnership, before = imported
    lines = _lines(gias_2022_bytes)
    cut = CRLF.join(lines[:10]) + CRLF + lines[10][: lines[10].index(b'","') + 1]
    message = _rejected(write_file("cut-at-field.csv", cut), partnership, before)
    assert "row 11" in message and "cut short" in message


def test_binary_garbage(imported, write_file):
    partnership, before = imported
    noise = random.Random(7).randbytes(4096)
    message = _rejected(write_file("garbage.csv", noise), partnership, before)
    assert "not a CSV file" in message


def test_utf16_file(imported, write_file):
    partnership, before = imported
    text = GIAS_2022.read_text(encoding="utf-8")
    message = _rejected(write_file("utf16.csv", text.encode("utf-16")), partnership, before)
    assert "UTF-16" in message


def test_bytes_that_are_neither_utf8_nor_cp1252(imported, gias_2022_bytes, write_file):
    partnership, before = imported
    data = _with_line(gias_2022_bytes, 5, lambda line: line.replace(b"Kingswood", b"King\x81\xe9wood", 1))
    message = _rejected(write_file("mojibake.csv", data), partnership, before)
    assert "text encoding we can read" in message


def test_spreadsheet_saved_instead_of_csv(imported, write_file):
    partnership, before = imported
    message = _rejected(write_file("register.csv", b"PK\x03\x04" + bytes(200)), partnership, before)
    assert "save it as CSV" in message


def test_empty_file_and_headings_only(imported, gias_2022_bytes, write_file):
    partnership, before = imported
    assert "The file is empty" in _rejected(write_file("empty.csv", b""), partnership, before)
    headings_only = _lines(gias_2022_bytes)[0] + CRLF
    assert "no rows below the column headings" in _rejected(write_file("h.csv", headings_only), partnership, before)


def test_not_a_gias_file(imported, write_file):
    partnership, before = imported
    message = _rejected(write_file("notes.csv", "Name,Notes\r\nSomeone,Hello\r\n"), partnership, before)
    assert "not a GIAS establishments or links file" in message


def test_more_rows_than_allowed(imported, settings):
    partnership, before = imported
    settings.IMPORT_MAX_ROWS = 100
    message = _rejected(GIAS_2022, partnership, before)
    assert "more than 100 rows" in message


def test_bigger_than_allowed(imported, settings):
    partnership, before = imported
    settings.IMPORT_MAX_BYTES = 100 * 1024
    message = _rejected(GIAS_2022, partnership, before)
    assert "must be smaller than 100KB" in message


def test_many_problems_are_counted_and_the_first_listed(imported, gias_2022_bytes, write_file):
    partnership, before = imported
    lines = _lines(gias_2022_bytes)
    broken = [lines[0]] + [b"x" + line if line else line for line in lines[1:]]
    message = _rejected(write_file("all-bad.csv", CRLF.join(broken)), partnership, before)
    assert "576 problems found" in message
    assert "row 2, column URN" in message and "… and 556 more" in message


def test_hostile_strings_are_stored_verbatim(surrey, gias_2022_bytes, write_file):
    formula = b'=HYPERLINK(""http://example.invalid"",""Click"")'
    script = b"<script>alert(1)</script>"
    data = _with_line(
        gias_2022_bytes, 5, lambda line: line.replace(b'"Kingswood Primary School"', b'"' + formula + b'"')
    )
    data = _with_line(data, 5, lambda line: line.replace(b'"Powell"', b'"' + script + b'"'))
    import_gias(write_file("hostile.csv", data), surrey)
    school = School.objects.get(partnership=surrey, urn=124937)
    assert school.name == '=HYPERLINK("http://example.invalid","Click")'
    assert school.head_last_name == "<script>alert(1)</script>"
