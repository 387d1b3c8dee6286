"""The column checks and the header matching, on small literal data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from schools.importers import values as v
from schools.importers.columns import KIND_ESTABLISHMENTS, KIND_LINKS, resolve_headings, sniff_kind
from schools.importers.errors import ImportRejected
from schools.importers.reading import _UTF8_CHECK_BYTES, _check_cp1252, _is_utf8, csv_open


def _series(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype=str)


def test_whole_numbers_are_canonical_and_markers_mean_no_figure():
    checked = v.check_int(
        _series("209", "0042", "", "SUPP", "x", "lots", "1.5", "-3", "40000"), heading="N", maximum=32767
    )
    assert checked.values.tolist() == ["209", "42", "", "", "", "", "", "", ""]
    assert checked.bad.tolist() == [False, False, False, False, False, True, True, True, True]


def test_percentages_get_two_decimals():
    checked = v.check_percent(_series("2.9", "21.70", "6", "0", "", "SUPP", "101", "abc"), heading="PercentageFSM")
    assert checked.values.tolist() == ["2.90", "21.70", "6.00", "0.00", "", "", "", ""]
    assert checked.bad.tolist() == [False] * 6 + [True, True]


def test_dates_become_iso_and_impossible_dates_fail():
    checked = v.check_date(_series("31-08-2021", "1-9-2021", "28/02/2022", "", "31-02-2022", "2021-08-31"), heading="D")
    assert checked.values.tolist() == ["2021-08-31", "2021-09-01", "2022-02-28", "", "", ""]
    assert checked.bad.tolist() == [False, False, False, False, True, True]


def test_urns_must_be_plain_digits():
    checked = v.check_urn(_series("100000", "12A45", "", "1e5", " 12", "0"))
    assert checked.values.tolist() == [100000, 0, 0, 0, 0, 0]
    assert checked.bad.tolist() == [False, True, True, True, True, True]


def test_text_is_kept_verbatim_and_only_its_length_checked():
    hostile = '=HYPERLINK("x")'
    checked = v.check_text(_series(hostile, "<script>", "a" * 11), heading="T", max_length=10)
    assert checked.values.tolist() == [hostile, "<script>", "a" * 11]
    assert checked.bad.tolist() == [True, False, True]


def test_headings_match_across_layouts():
    header = ["URN", "TypeOfEstablishment", "typeofestablishment (CODE)", "LA (code)", "EstablishmentName"]
    found = resolve_headings(header, ("URN", "TypeOfEstablishment (name)", "TypeOfEstablishment (code)"))
    assert found == {
        "URN": "URN",
        "TypeOfEstablishment (name)": "TypeOfEstablishment",
        "TypeOfEstablishment (code)": "typeofestablishment (CODE)",
    }
    assert sniff_kind(header) == KIND_ESTABLISHMENTS
    assert sniff_kind(["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"]) == KIND_LINKS
    assert sniff_kind(["RECTYPE", "URN", "PTRWM_EXP"]) is None


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("URN,EstablishmentName\r\n1,St Mary\u2019s\r\n".encode("cp1252"), "cp1252"),
        ("\ufeffURN,EstablishmentName\n1,St Mary\u2019s\n".encode(), "utf-8"),
        ("URN,EstablishmentName\n1,St Mary\u0092s\n".encode(), "utf-8"),
    ],
)
def test_encodings_are_read_and_stray_c1_characters_repaired(tmp_path, data, encoding):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    source = csv_open(path, max_bytes=10_000)
    assert source.encoding == encoding and source.header == ["URN", "EstablishmentName"]
    frame = source.table(columns=["URN", "EstablishmentName"], max_rows=10).frame
    assert frame["EstablishmentName"].tolist() == ["St Mary\u2019s"]


@pytest.mark.parametrize(
    "text",
    [
        '"URN","Name","Linked"\r\n"1","A","2 Successor","3 Predecessor"\r\n"4","B"\r\n',  # first row longer
        '"URN","Name","Linked"\r\n"1","A","2 Successor"\r\n"4","B","","5 Successor"\r\n',  # a later row longer
        "URN,Name,Linked\n1,A,2 Successor\n4,B\n",  # a later row shorter
        "URN,Name,Linked,More\n1,A,2 Successor\n4,B\n",  # every row shorter
    ],
)
def test_rows_longer_or_shorter_than_the_headings(tmp_path, text):
    path = tmp_path / "ragged.csv"
    path.write_text(text, encoding="utf-8")
    frame = csv_open(path, max_bytes=10_000).table(columns=["URN", "Linked"], max_rows=10).frame
    assert frame.to_numpy().tolist() == [["1", "2 Successor"], ["4", ""]]


def test_a_nul_byte_anywhere_is_refused(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"URN,EstablishmentName\n" + b"1,A\n" * 40_000 + b"2,B\x00\n")
    with pytest.raises(ImportRejected, match="binary data"):
        csv_open(path, max_bytes=10**7)


def test_line_numbers_follow_quoted_line_breaks(tmp_path):
    from schools.importers import checking

    path = tmp_path / "multiline.csv"
    path.write_text(
        "URN,LA (code),EstablishmentName,EstablishmentStatus (name),TypeOfEstablishment (name),"
        "PhaseOfEducation (name)\n"
        '1,936,"Two\nlines",Open,Community school,Primary\n'
        "\n"
        "X,936,Bad,Open,Community school,Primary\n",
        encoding="utf-8",
    )
    source = csv_open(path, max_bytes=10_000)
    headings = checking.school_headings(source.header)
    table = source.table(columns=list(headings.values()), max_rows=10)
    with pytest.raises(ImportRejected) as rejected:
        checking.school_rows_check(table=table, headings=headings, la_codes=[], today=pd.Timestamp.now().date())
    assert [(e.row, e.column) for e in rejected.value.errors] == [(5, "URN")]
    assert np.array_equal(table.frame["URN"].to_numpy(dtype=object), np.array(["1", "X"], dtype=object))


@pytest.mark.parametrize("byte", range(256), ids=lambda b: f"0x{b:02X}")
def test_the_cp1252_check_refuses_exactly_the_bytes_the_codec_refuses(byte):
    raw = b"URN,EstablishmentName\r\n1,St M" + bytes([byte]) + b"ry\r\n"
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        with pytest.raises(ImportRejected) as refused:
            _check_cp1252(raw)
        assert f"byte 0x{byte:02X} is neither" in str(refused.value)
        assert refused.value.errors[0].row == 2 and refused.value.errors[0].column == "EstablishmentName"
    else:
        _check_cp1252(raw)


@pytest.mark.parametrize("shift", range(4), ids=lambda s: f"shift {s}")
@pytest.mark.parametrize("tail", ["utf-8", "cp1252"])
def test_utf8_is_recognised_a_megabyte_at_a_time(shift, tail):
    """``_is_utf8`` decodes in 1MB pieces (#15): a character split across two pieces is still UTF-8, and one
    Windows-1252 byte well past the first piece still makes the file Windows-1252."""
    head = b"URN,EstablishmentName\n" + b"x" * (_UTF8_CHECK_BYTES - 24 + shift)
    raw = head + "\u2019s\n".encode(tail)  # UTF-8 ’ (three bytes) split 2+1, 1+2, or just after the boundary
    assert _is_utf8(raw) is (tail == "utf-8")
    assert _is_utf8(raw) is _decodes_as_utf8(raw)
    assert _is_utf8(b"plain ascii") and not _is_utf8(b"cut short \xe2\x80")


def _decodes_as_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
