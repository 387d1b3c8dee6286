"""``manage.py backup_db [--output PATH]``: a custom-format pg_dump of the app's database (``make backup``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partnership.backup import BackupError, database_backup


class Command(BaseCommand):
    help = "Back up the database with pg_dump (custom format) to a file; restore with restore_db."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="the file to write (default: BACKUP_DIR/partnership-YYYYmmdd-HHMMSS.dump)",
        )

    def handle(self, *args, output: Path | None, **options):
        if output is None:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.BACKUP_DIR) / f"partnership-{stamp}.dump"
        try:
            written = database_backup(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written to {written} ({written.stat().st_size:,} bytes)")
