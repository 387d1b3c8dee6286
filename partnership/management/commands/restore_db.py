"""``manage.py restore_db PATH --database-url URL``: restore a backup into an empty database (``make restore``)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnership.backup import BackupError, database_restore, target_from_url


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_db into an EMPTY database (never over live data): create the database, "
        "restore, check it, then point DATABASE_URL at it."
    )

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path, help="the .dump file written by backup_db")
        parser.add_argument(
            "--database-url", required=True, help="postgres:// URL of the empty database to restore into"
        )

    def handle(self, *args, dump: Path, database_url: str, **options):
        try:
            target = target_from_url(database_url)
            database_restore(dump=dump, target=target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {dump} into {target.name}")
