"""Recompute every school's proposed risk category from the shell: queue a run, or run it here with --wait."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnership.models import Partnership
from schools.risk.models import RiskRun
from schools.risk.presenters import run_count_rows
from schools.risk.services import RiskRunLocked, risk_run_create, risk_run_execute

LOCK_POLL_SECONDS = 1.0


class Command(BaseCommand):
    help = (
        "Recompute proposed risk categories for a partnership (default: every partnership). Without --wait the "
        "run is queued for a worker (a run already waiting is reused); with --wait it runs here and prints the "
        "number of schools in each category."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partnership", help="slug of the partnership (default: every partnership)")
        parser.add_argument("--wait", action="store_true", help="run now, in this process, and print the counts")
        parser.add_argument("--as-at", type=int, help="academic year to categorise, as its ending year (2025)")

    def handle(self, *args, **options) -> None:
        failed = []
        for partnership in _partnerships(options["partnership"]):
            run = risk_run_create(
                partnership=partnership,
                trigger=RiskRun.Trigger.COMMAND,
                as_at=options["as_at"],
                enqueue=not options["wait"],
            )
            if not options["wait"]:
                verb = "Queued" if run.is_new else f"Already {run.get_state_display().lower()}:"
                self.stdout.write(f"{verb} risk run {run.pk} for {partnership.slug}")
                continue
            if self._run_here(partnership, run):
                continue
            failed.append(partnership.slug)
        if failed:
            raise CommandError(f"Risk runs failed for {', '.join(failed)}")

    def _run_here(self, partnership: Partnership, run: RiskRun) -> bool:
        """Compute ``run`` in this process; behind a run that is computing elsewhere, wait for the lock."""
        while True:
            try:
                risk_run_execute(run=run)
            except RiskRunLocked:
                time.sleep(LOCK_POLL_SECONDS)  # a worker is computing this partnership: wait, then take over
                continue
            except Exception:  # recorded on the run; report it and go on with the next partnership
                run.refresh_from_db()
                self.stderr.write(f"Risk run {run.pk} for {partnership.slug} failed: {run.message}")
                for error in run.errors[:20]:
                    self.stderr.write(f"  {error.get('message', error)}")
                return False
            break
        run.refresh_from_db()
        if run.state != RiskRun.State.SUCCEEDED:
            self.stderr.write(f"Risk run {run.pk} for {partnership.slug} failed: {run.message}")
            return False
        self.stdout.write(self.style.SUCCESS(f"Risk run {run.pk} for {partnership.slug}: {run.message}"))
        for label, count, _tag in run_count_rows(run):
            self.stdout.write(f"  {label}: {count:,}")
        return True


def _partnerships(slug: str | None) -> list[Partnership]:
    if slug:
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None:
            raise CommandError(f"There is no partnership {slug!r}")
        return [partnership]
    partnerships = list(Partnership.objects.order_by("slug"))
    if not partnerships:
        raise CommandError("There are no partnerships")
    return partnerships
