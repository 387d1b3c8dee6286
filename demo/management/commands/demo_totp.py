"""Print the current sign-in code of each demo account that has two-factor authentication. Never in production."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from demo.builder import DemoRefused, demo_totp_codes


class Command(BaseCommand):
    help = "Print the current 6-digit TOTP code (and the seed) of each demo account with an authenticator."

    def handle(self, *args, **options) -> None:
        try:
            codes = demo_totp_codes()
        except DemoRefused as error:
            raise CommandError(str(error)) from error
        if not codes:
            raise CommandError("No demo account has an authenticator: run `manage.py load_demo` first")
        for entry in codes:
            self.stdout.write(
                f"{entry.account.email:<22} {entry.code}  (valid for {entry.seconds_left:2d}s more; seed {entry.seed})"
            )
