"""Load the Surrey demo partnership (real GIAS data, fictional people, one account per role). Never in production."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.builder import DEMO_PASSWORD, DemoDataError, DemoRefused, DemoSummary, demo_build


class Command(BaseCommand):
    help = (
        "Build the demo partnership 'surrey' from the real Surrey GIAS files (../shared/data/gias/): schools with "
        "change history, clusters and alliances drawn from geography, a fictional board and one demo user per "
        "role; then the real KS2, KS4, census and absence files, invented soft intelligence, a risk run computed "
        "here and a published categorisation round. Running it again changes nothing; --reset rebuilds it. "
        "Refuses to run in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            help="folder holding gias/, performance/, census/, attendance/ (default: <repo>/../shared/data)",
        )
        parser.add_argument("--reset", action="store_true", help="delete the demo partnership and users first")

    def handle(self, *args, **options) -> None:
        verbose = options["verbosity"] >= 2
        try:
            summary = demo_build(
                data_dir=options["data_dir"],
                reset=options["reset"],
                on_step=(lambda message: self.stdout.write(message)) if verbose else None,
            )
        except (DemoRefused, DemoDataError) as error:
            raise CommandError(str(error)) from error
        self._summary(summary)
        self._accounts(summary)

    def _summary(self, s: DemoSummary) -> None:
        low, high = s.cluster_sizes
        reasons = "; ".join(f"{reason}: {n}" for reason, n in sorted(s.isolated_reasons.items(), key=lambda r: -r[1]))
        self.stdout.write(self.style.SUCCESS(f"{s.partnership.name} ({s.partnership.slug}) is ready."))
        lines = [
            f"Schools:   {s.schools} in the register ({s.open_schools} open), {s.changes} recorded changes, "
            f"{s.links} links, {s.networks} networks",
            f"Clusters:  {s.clusters} of {low}–{high} schools ({s.clustered_schools} schools in a cluster)",
            f"Isolated:  {s.isolated - s.isolated_not_schools} schools ({reasons})",
            f"           plus {s.isolated_not_schools} children's centres and colleges, which the register's "
            "isolated filter also lists",
            f"Alliances: {len(s.alliances)}: " + ", ".join(f"{name} ({n} clusters)" for name, n in s.alliances.items()),
            f"Board:     {s.board_members} seats (fictional members)    Users: {s.users}",
        ]
        lines += self._risk_lines(s)
        lines += s.features
        for line in lines:
            self.stdout.write(line)

    def _risk_lines(self, s: DemoSummary) -> list[str]:
        r = s.risk
        if r is None or not r.run_schools:
            return ["Risk:      no risk run yet"]
        years = f"{r.years[0]}–{r.years[-1]}" if r.years else "none"
        lines = [
            f"Data:      {r.values:,} performance values (academic years ending {years}), {r.inspections} Ofsted "
            f"inspections; {r.intelligence} soft-intelligence entries (invented, {r.confidential} confidential)",
            f"Rules:     version {r.ruleset_version}: {r.ruleset_note}",
            f"Risk run:  {r.run_schools} schools categorised: "
            + ", ".join(f"{name}: {n}" for name, n in r.proposed.items()),
        ]
        if r.round_name:
            deadline = f"; replies until {r.reply_deadline:%-d %B %Y}" if r.reply_deadline else ""
            lines += [
                f"Round:     {r.round_name} ({r.round_state.lower()}{deadline})",
                "           agreed: " + ", ".join(f"{name}: {n}" for name, n in r.agreed.items()),
                "           " + ", ".join(f"{status.lower()}: {n}" for status, n in r.statuses.items()),
            ]
        return lines

    def _accounts(self, s: DemoSummary) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}; TOTP codes: manage.py demo_totp)")
        rows = [("Role", "Email", "TOTP seed", "Attached to")]
        rows += [(a.role_label, a.email, a.totp_seed or "-", attached) for a, attached in s.accounts]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + row[3])
