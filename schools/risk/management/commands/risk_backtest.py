"""Backtest the risk categorisation from the shell: categorise as at earlier years, compare with what happened next."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnership.models import Partnership
from schools.risk.backtest.presenters import backtest_lines
from schools.risk.backtest.services import BacktestError, risk_backtest_run
from schools.risk.models import RiskBacktest


class Command(BaseCommand):
    help = (
        "Categorise every school as at earlier academic years using only the data known then, compare with the "
        "next year's results and later inspections, print how well the categories and scores anticipated "
        "decline (ROC AUC, share of declines in categories 3 and 4, against simple baselines) and store the "
        "report (officers see it under Risk, Backtests). Exits non-zero when a backtest cannot run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partnership", help="slug of the partnership (default: every partnership)")
        parser.add_argument(
            "--as-at",
            type=int,
            nargs="+",
            metavar="YEAR",
            help="as-at academic years by their ending year (2018 = 2017/18); default: every year with results "
            "published that year and results for the next year on file",
        )

    def handle(self, *args, **options) -> None:
        failed = []
        for partnership in _partnerships(options["partnership"]):
            try:
                backtest = risk_backtest_run(
                    partnership=partnership, years=options["as_at"], trigger=RiskBacktest.Trigger.COMMAND
                )
            except BacktestError as error:
                self.stderr.write(f"No backtest for {partnership.slug}:")
                for message in error.errors:
                    self.stderr.write(f"  {message}")
                failed.append(partnership.slug)
                continue
            years = ", ".join(str(y) for y in backtest.as_at_years)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Backtest {backtest.pk} for {partnership.slug} as at {years} "
                    f"(rule set version {backtest.ruleset_version.version}, {backtest.seconds:.1f} s), stored"
                )
            )
            for line in backtest_lines(backtest):
                self.stdout.write(line)
        if failed:
            raise CommandError(f"Backtests could not run for {', '.join(failed)}")


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
