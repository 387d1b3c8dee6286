"""Opening a performance or Ofsted file: the shared CSV checks, then its kind from the heading row.

The byte-level work is the GIAS importer's (``schools.importers.reading``): UTF-8 tried strictly (a BOM dropped)
with a fall-back to Windows-1252 (Ofsted's original MI is cp1252), CRLF or LF, rows shorter than the headings
padded with blanks, size and row caps, binary files and files cut short refused. On top of that a file must be of
the kind the officer chose: a KS4 file given as KS2 is refused by its headings, before any row is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.conf import settings

from schools.importers.errors import ImportRejected, RowError, file_error
from schools.importers.reading import CsvSource, Table, csv_open
from schools.performance.layouts import LABELS, file_kind, heading_index, heading_key
from schools.performance.values import stripped


@dataclass
class PerformanceSource:
    """A readable file of the expected kind, and its headings by key (see ``layouts.heading_key``)."""

    source: CsvSource
    kind: str
    index: dict[str, str]

    def heading(self, name: str) -> str | None:
        """The heading as written in this file for ``name``, if the file has it."""
        return self.index.get(heading_key(name))

    def table(self, headings: list[str]) -> Table:
        """The data rows of ``headings`` (distinct headings of this file), spaces trimmed from every cell."""
        table = self.source.table(columns=list(dict.fromkeys(headings)), max_rows=settings.IMPORT_MAX_ROWS)
        table.frame = pd.DataFrame({c: stripped(table.frame[c]) for c in table.frame.columns})
        return table


def performance_source_open(*, path: Path | str, kind: str) -> PerformanceSource:
    """Open ``path`` and check it is a ``kind`` file; raise ImportRejected (nothing read further) if not."""
    source = csv_open(Path(path), max_bytes=settings.IMPORT_MAX_BYTES, ragged_rows=True)
    kind_check(header=source.header, kind=kind)
    return PerformanceSource(source=source, kind=kind, index=heading_index(source.header))


def kind_check(*, header: list[str], kind: str) -> None:
    """Refuse a heading row that is not of ``kind``, saying what the file looks like instead."""
    found = file_kind(header)
    if found == kind:
        return
    wanted = LABELS[kind]
    if found is not None:
        raise ImportRejected(
            [RowError(1, "", f"The file is a {LABELS[found]} file, not a {wanted} file: choose the right kind of file")]
        )
    if heading_key("URN") not in heading_index(header):
        raise file_error("The file has no URN column", column="URN", row=1)
    raise file_error(f"The file is not a {wanted} file: none of its headings are ones a {wanted} file has", row=1)
