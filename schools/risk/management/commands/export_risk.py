"""Write the officers' risk register (the latest finished run) as CSV: the same file as the page's download."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnership.models import Partnership
from schools.risk.categorisation.selectors import last_agreed_round
from schools.risk.presenters import risk_register_csv_text
from schools.risk.selectors import risk_register_csv_rows, risk_runs_latest


class Command(BaseCommand):
    help = (
        "Export a partnership's risk register (the latest finished risk run) as CSV: urn, school_name, categories, "
        "bands, leading, score, S1-S9 and C1-C9 ratings, missing_inputs and reasons. Writes to standard output "
        "unless --output is given. --partnership may be left out when there is only one partnership."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partnership", help="slug of the partnership (needed when there are several)")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, **options) -> None:
        partnership = _partnership(options["partnership"])
        run, _previous = risk_runs_latest(partnership_id=partnership.pk)
        if run is None:
            self.stderr.write(f"{partnership.slug} has no finished risk run yet: the CSV has only its header")
        rows = risk_register_csv_rows(run=run, agreed=last_agreed_round(partnership_id=partnership.pk))
        text = risk_register_csv_text(rows, version=run.ruleset_version if run else None)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            source = f"risk run {run.pk}" if run else "no run"
            self.stderr.write(f"Wrote {len(rows):,} schools ({source}) to {options['output']}")
        else:
            self.stdout.write(text, ending="")


def _partnership(slug: str | None) -> Partnership:
    if slug:
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None:
            raise CommandError(f"There is no partnership {slug!r}")
        return partnership
    partnerships = list(Partnership.objects.order_by("slug")[:2])
    if len(partnerships) != 1:
        names = ", ".join(Partnership.objects.order_by("slug").values_list("slug", flat=True)) or "none"
        raise CommandError(f"Name the partnership with --partnership (partnerships: {names})")
    return partnerships[0]
