"""Import a GIAS establishments file or links file into a partnership from the command line."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnership.models import Partnership
from schools.importers import ImportRejected, gias_import
from schools.importers.db import partnership_import_lock

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import a GIAS file (all establishment data, a search-results download, or the links file) into a "
        "partnership. A file with any problem is rejected whole and nothing is changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV file downloaded from Get Information About Schools")
        parser.add_argument("--partnership", help="slug of the partnership (default: the only one there is)")

    def handle(self, *args, **options) -> None:
        self.verbosity = options["verbosity"]
        partnership = _partnership(options["partnership"])
        path = Path(options["path"])
        with partnership_import_lock(partnership.pk) as acquired:
            if not acquired:
                raise CommandError(f"Another import into {partnership.slug} is running: try again when it finishes")
            result = gias_import(partnership=partnership, path=path, on_progress=self._progress)
        if not result.ok:
            raise CommandError(ImportRejected(result.errors, result.error_count).summary(first=SHOWN_ERRORS))
        self.stdout.write(self.style.SUCCESS(f"Imported {path.name} into {partnership.slug}: {result.summary()}"))

    def _progress(self, percent: int, message: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(f"{percent:3d}% {message}")


def _partnership(slug: str | None) -> Partnership:
    if slug:
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None:
            raise CommandError(f"There is no partnership {slug!r}")
        return partnership
    partnerships = list(Partnership.objects.all()[:2])
    if len(partnerships) != 1:
        found = "no partnerships" if not partnerships else "several partnerships"
        raise CommandError(f"There are {found}: name one with --partnership SLUG")
    return partnerships[0]
