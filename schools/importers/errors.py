"""Problems found in an uploaded file, reported by file line and column."""

from __future__ import annotations

from dataclasses import dataclass

# Enough to fix a file from; a garbage file could otherwise produce one error per cell.
MAX_STORED_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    """One problem: the file line it is on (None for the whole file), the column heading and what is wrong."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        """The JSON shape stored on an ImportJob: {row, column, message}."""
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        column = f", column {self.column}" if self.column else ""
        return f"{where}{column}: {self.message}"


class ImportRejected(Exception):  # noqa: N818 - reads as "the import was rejected"
    """The file cannot be imported; nothing has been written. ``total`` counts every error found."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        self.errors = errors[:MAX_STORED_ERRORS]
        self.total = total if total is not None else len(errors)
        super().__init__(self.summary())

    def summary(self, first: int = 10) -> str:
        """A message listing the first ``first`` errors and how many there are in all."""
        noun = "problem" if self.total == 1 else "problems"
        lines = [f"The file was not imported: {self.total} {noun} found. Nothing was changed."]
        lines += [f"  {e}" for e in self.errors[:first]]
        if self.total > first:
            lines.append(f"  … and {self.total - first} more")
        return "\n".join(lines)


def file_error(message: str, column: str = "", row: int | None = None) -> ImportRejected:
    """A rejection for a problem with the file as a whole (or its header)."""
    return ImportRejected([RowError(row, column, message)])
