"""Remove a person's authenticators (operations staff: for an admin whom no other admin can reset)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from partnership.services import mfa_reset_by_operations


class Command(BaseCommand):
    help = (
        "Remove every authenticator and recovery code of the account with EMAIL, logged on each of its "
        "memberships; with an admin or officer role they set up a new authenticator at their next sign-in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, **options) -> None:
        try:
            removed = mfa_reset_by_operations(email=options["email"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Removed {removed} authenticator(s) of {options['email']}.")
