"""Import a KS2, KS4, absence, census or Ofsted MI file into a partnership from the command line."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from schools.importers import ImportRejected
from schools.importers.db import partnership_import_lock
from schools.management.commands.import_gias import _partnership
from schools.performance.layouts import PERFORMANCE_KINDS, YEARLESS_KINDS
from schools.performance.service import performance_import
from schools.performance.years import academic_year_parse

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import a performance file (KS2 or KS4 results, absence, census, or Ofsted management information) into a "
        "partnership. A file with any problem is rejected whole and nothing is changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV file as downloaded (Compare school performance, Ofsted MI)")
        parser.add_argument("--kind", required=True, choices=PERFORMANCE_KINDS, help="what the file holds")
        parser.add_argument(
            "--year", help="academic year the file is for, like 2018-2019 (not used for Ofsted: its rows carry dates)"
        )
        parser.add_argument("--partnership", help="slug of the partnership (default: the only one there is)")
        parser.add_argument(
            "--allow-no-match",
            action="store_true",
            help="import even when no school row is for the partnership (it is refused otherwise)",
        )

    def handle(self, *args, **options) -> None:
        self.verbosity = options["verbosity"]
        kind = options["kind"]
        year = _year(options["year"], kind)
        partnership = _partnership(options["partnership"])
        path = Path(options["path"])
        with partnership_import_lock(partnership.pk) as acquired:
            if not acquired:
                raise CommandError(f"Another import into {partnership.slug} is running: try again when it finishes")
            result = performance_import(
                partnership=partnership,
                kind=kind,
                year=year,
                path=path,
                on_progress=self._progress,
                allow_no_match=options["allow_no_match"],
            )
        if not result.ok:
            raise CommandError(ImportRejected(result.errors, result.error_count).summary(first=SHOWN_ERRORS))
        self.stdout.write(self.style.SUCCESS(f"Imported {path.name} into {partnership.slug}: {result.summary()}"))
        if self.verbosity >= 2:
            for key, value in result.counts.items():
                self.stdout.write(f"  {key.replace('_', ' ')}: {value}")

    def _progress(self, percent: int, message: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(f"{percent:3d}% {message}")


def _year(label: str | None, kind: str) -> int | None:
    if not label:
        if kind in YEARLESS_KINDS:
            return None
        raise CommandError("Give the academic year the file is for with --year, like --year 2018-2019")
    try:
        return academic_year_parse(label)
    except ValidationError as error:
        raise CommandError(f"--year {label}: {error.messages[0]}") from error
