"""Reading a DfE CSV file into a frame of strings, refusing anything that is not a readable CSV.

Encoding: strict UTF-8 (a BOM is dropped) and, failing that, Windows-1252, which is what the full GIAS extract
and the links file use. UTF-8 files that carry C1 control characters (cp1252 bytes mis-decoded somewhere upstream,
such as the U+0092 in DfE's own test fixture) get those characters mapped back to the cp1252 characters they
stood for. Rows shorter than the heading row are padded with blanks; fields beyond the last heading are ignored
(GIAS web exports spill ``Linked establishments`` into extra unnamed fields). Only the columns an importer asks
for are parsed, which keeps reading a 135-column extract cheaper than a bare ``pandas.read_csv`` of it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from schools.importers.errors import file_error

NOT_CSV = "The file is not a CSV file"
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "The file is a spreadsheet or zip archive, not a CSV file: open it and save it as CSV"),
    (b"\xd0\xcf\x11\xe0", "The file is an Excel workbook, not a CSV file: open it and save it as CSV"),
    (b"%PDF", "The file is a PDF, not a CSV file"),
    (b"\x1f\x8b", "The file is compressed (gzip): unzip it and upload the CSV inside"),
    (b"\xff\xfe", "The file is UTF-16 text: save it as CSV UTF-8 or CSV (comma delimited) and upload it again"),
    (b"\xfe\xff", "The file is UTF-16 text: save it as CSV UTF-8 or CSV (comma delimited) and upload it again"),
)
_BINARY = f"{NOT_CSV}: it contains binary data. Upload the CSV file downloaded from GIAS"
# Control characters never occur in a text CSV; a binary file shows them in its first few kilobytes. NUL is
# looked for everywhere because PostgreSQL cannot store it.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_SCAN_BYTES = 64 * 1024
_C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_C1_TO_CP1252 = {0x80 + i: (bytes([0x80 + i]).decode("cp1252", errors="ignore") or None) for i in range(32)}
_PARSER_LINE = re.compile(r"(?:row|line) (\d+)")


@dataclass
class CsvSource:
    """A CSV file that passed the file-level checks: its bytes (UTF-8 or cp1252), encoding and headings."""

    raw: bytes = field(repr=False)
    encoding: str
    header: list[str]

    def table(self, *, columns: list[str], max_rows: int) -> Table:
        """Parse the data rows, keeping only ``columns`` (headings of this file), as strings."""
        positions = [self.header.index(c) for c in columns]
        frame = _parse_rows(self, positions, max_rows)
        frame.columns = [self.header[p] for p in sorted(positions)]
        return Table(header=self.header, frame=frame, source=self)

    def text(self) -> str:
        """The whole file decoded (only needed to report exact line numbers)."""
        return self.raw.decode(self.encoding)


@dataclass
class Table:
    """Parsed data rows (columns named by heading, all strings) and where they came from."""

    header: list[str]
    frame: pd.DataFrame
    source: CsvSource = field(repr=False)
    _lines: np.ndarray | None = field(default=None, repr=False)

    def line_numbers(self, positions: np.ndarray | list[int]) -> list[int]:
        """File line numbers (1 = headings) of the data rows at 0-based ``positions``."""
        if self._lines is None:
            self._lines = _record_start_lines(self.source.text())
        lines = self._lines
        return [int(lines[p]) if p < len(lines) else int(p) + 2 for p in positions]


def csv_open(path: Path, *, max_bytes: int, ragged_rows: bool = False) -> CsvSource:
    """Read ``path`` and check it is a CSV text file of an acceptable size; raise ImportRejected if not.

    ``ragged_rows``: rows shorter than the headings are normal in this kind of file (DfE performance tables), so a
    last row without a line end is only taken as cut short when no other row near it has as many fields.
    """
    if not path.is_file():
        raise file_error("The uploaded file is no longer available: upload it again")
    size = path.stat().st_size
    if size == 0:
        raise file_error("The file is empty")
    if size > max_bytes:
        limit = f"{max_bytes // 2**20}MB" if max_bytes >= 2**20 else f"{max(max_bytes // 1024, 1)}KB"
        raise file_error(f"The file must be smaller than {limit}")
    raw = path.read_bytes()
    _check_text_bytes(raw)
    raw, encoding = _encoding(raw)
    if encoding == "cp1252":
        _check_cp1252(raw)
    header = parse_header(raw, encoding)
    _check_not_truncated(raw, encoding, header, ragged_rows=ragged_rows)
    return CsvSource(raw=raw, encoding=encoding, header=header)


def _check_text_bytes(raw: bytes) -> None:
    for signature, message in _SIGNATURES:
        if raw.startswith(signature):
            raise file_error(message)
    if b"\x00" in raw or _CONTROL_BYTES.search(raw, 0, _CONTROL_SCAN_BYTES):
        raise file_error(_BINARY)


def _encoding(raw: bytes) -> tuple[bytes, str]:
    """UTF-8 if the bytes are valid UTF-8 (BOM dropped, C1 characters repaired), else cp1252 if they decode."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not _is_utf8(raw):
        return raw, "cp1252"  # bytes cp1252 leaves undefined are caught when the rows are parsed
    if _C1_IN_UTF8.search(raw):
        raw = raw.decode("utf-8").translate(_C1_TO_CP1252).encode("utf-8")
    return raw, "utf-8"


_UTF8_CHECK_BYTES = 2**20


def _is_utf8(raw: bytes) -> bool:
    """Whether ``raw`` is valid UTF-8, found without decoding more of it than needed.

    ASCII is answered at memory speed. Otherwise the bytes are decoded a megabyte at a time, so a Windows-1252
    file (the national GIAS extract) stops at the megabyte holding its first accented letter: decoded whole,
    CPython builds the full text before it finds the bad byte (#15: about 0.03 s of the national bench extract).
    """
    if raw.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), _UTF8_CHECK_BYTES):
            decoder.decode(view[start : start + _UTF8_CHECK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# The five bytes Windows-1252 leaves undefined (Python's codec refuses them). Looking for them is a few scans at
# memory speed; decoding the whole file to find out took a third of a second on a national GIAS extract (#15).
_CP1252_UNDEFINED = tuple(bytes([b]) for b in range(0x80, 0xA0) if not bytes([b]).decode("cp1252", errors="ignore"))


def _check_cp1252(raw: bytes) -> None:
    """Refuse bytes that are neither UTF-8 nor Windows-1252, naming the line and column they are in."""
    found = [at for at in map(raw.find, _CP1252_UNDEFINED) if at >= 0]
    if found:
        start = min(found)
        line_start = raw.rfind(b"\n", 0, start) + 1
        row = raw.count(b"\n", 0, start) + 1
        header_end = raw.find(b"\n")
        header = next(csv.reader([raw[: header_end if header_end >= 0 else len(raw)].decode("cp1252", "replace")]), [])
        fields = next(csv.reader([raw[line_start:start].decode("cp1252", "replace")]), [""])
        column = header[len(fields) - 1].strip() if 0 < len(fields) <= len(header) else ""
        byte = raw[start]
        raise file_error(
            f"{NOT_CSV} in a text encoding we can read (UTF-8 or Windows-1252): byte 0x{byte:02X} is neither",
            column=column,
            row=row,
        )


def parse_header(raw: bytes, encoding: str) -> list[str]:
    """The heading row; headings must be present and distinct (blank ones get a placeholder name)."""
    end = raw.find(b"\n")
    try:
        first_line = (raw if end < 0 else raw[:end]).decode(encoding)
    except UnicodeDecodeError as error:
        raise _undecodable(error) from error
    header = [h.strip() for h in next(csv.reader([first_line]), [])]
    if not any(header):
        raise file_error("The first row of the file must be the column headings", row=1)
    seen: set[str] = set()
    for heading in header:
        if heading and heading in seen:
            raise file_error(f"The heading {heading} appears more than once", column=heading, row=1)
        seen.add(heading)
    return [h or f"(unnamed column {i + 1})" for i, h in enumerate(header)]


def _check_not_truncated(raw: bytes, encoding: str, header: list[str], *, ragged_rows: bool = False) -> None:
    if raw.endswith((b"\n", b"\r")):
        return
    start = max(raw.rfind(b"\n"), raw.rfind(b"\r")) + 1
    if start == 0:
        return  # only a heading row
    fields = next(csv.reader([raw[start:].decode(encoding, errors="replace")]), [])
    if len(fields) < len(header) and not (ragged_rows and len(fields) in _recent_widths(raw[:start], encoding)):
        raise file_error(
            "The file ends part-way through this row: it may have been cut short. Download it again",
            column=header[max(len(fields) - 1, 0)],
            row=raw.count(b"\n") + 1,
        )


_TAIL_BYTES = 2 * 2**20


def _recent_widths(raw: bytes, encoding: str) -> set[int]:
    """Field counts of the complete rows in the last couple of megabytes before the final row."""
    tail = raw[-_TAIL_BYTES:]
    rows = list(csv.reader(io.StringIO(tail.decode(encoding, errors="replace"), newline="")))
    return {len(row) for row in rows[1 if len(tail) < len(raw) else 0 :] if row}


# Spill-over fields a row may carry beyond the last heading (GIAS web exports add a few; more are ignored).
_SPARE_FIELDS = 64


def _parse_rows(source: CsvSource, positions: list[int], max_rows: int) -> pd.DataFrame:
    try:
        frame = _read_rows(source, positions, max_rows)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame({p: pd.Series(dtype=str) for p in positions})
    except pd.errors.ParserError as error:
        raise _parser_rejection(error) from error
    except UnicodeDecodeError as error:
        raise _undecodable(error) from error
    if frame.empty:
        raise file_error("The file has no rows below the column headings")
    if len(frame) > max_rows:
        raise file_error(f"The file has more than {max_rows:,} rows: import it in smaller files")
    return frame


def _read_rows(source: CsvSource, positions: list[int], max_rows: int) -> pd.DataFrame:
    """Parse with pandas' C parser; rows shorter than the headings are padded, longer ones cut."""
    options = {
        "encoding": source.encoding,
        "header": None,
        "usecols": positions,
        "dtype": str,
        "keep_default_na": False,
        "na_filter": False,
        "skip_blank_lines": True,
    }
    width = len(source.header)
    try:
        return pd.read_csv(io.BytesIO(source.raw), skiprows=1, names=range(width), nrows=max_rows + 1, **options)
    except UnicodeDecodeError:
        raise
    except (pd.errors.ParserError, ValueError):
        pass  # pandas sizes rows by the first one: a first row longer, or every row shorter, than the headings
    # Put an all-blank row of generous width where the heading row was, so every real row fits.
    end = source.raw.find(b"\n")
    padded = b"," * (width + _SPARE_FIELDS - 1) + b"\n" + source.raw[end + 1 :]
    frame = pd.read_csv(io.BytesIO(padded), names=range(width + _SPARE_FIELDS), nrows=max_rows + 2, **options)
    return frame.iloc[1:].reset_index(drop=True)


def _undecodable(error: UnicodeDecodeError):
    return file_error(f"{NOT_CSV} in a text encoding we can read (UTF-8 or Windows-1252)")


def _parser_rejection(error: Exception):
    message = str(error).replace("Error tokenizing data. C error: ", "")
    match = _PARSER_LINE.search(message)
    row = int(match.group(1)) + 1 if match else None
    if "EOF inside string" in message:
        message = "a quoted value is not closed before the end of the file: the file may have been cut short"
    return file_error(f"{NOT_CSV} we can read: {message}", row=row)


def _record_start_lines(text: str) -> np.ndarray:
    """The file line on which each non-blank data record starts (a quoted value may span several lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    starts: list[int] = []
    previous_end = 0
    for record in reader:
        if record and reader.line_num > 1 and previous_end > 0:
            starts.append(previous_end + 1)
        previous_end = reader.line_num
    return np.asarray(starts, dtype=np.int64)
