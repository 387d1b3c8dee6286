"""Create a partnership (tenant) and invite its first admin: how a council starts using the service."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from partnership.models import Membership, Partnership, Role
from partnership.services import first_admin_invite


class Command(BaseCommand):
    help = "Create a partnership and email a one-time invitation link to its first admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="short identifier, e.g. surrey")
        parser.add_argument("--name", required=True, help='e.g. "Surrey School Improvement Partnership"')
        parser.add_argument("--la-codes", default="", help="comma-separated 3-digit DfE LA codes, e.g. 936")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="where the service is served")

    def handle(self, *args, **options) -> None:
        codes = [c.strip() for c in options["la_codes"].split(",") if c.strip()]
        bad = [c for c in codes if not re.fullmatch(r"\d{3}", c)]
        if bad:
            raise CommandError(f"LA codes must be 3 digits: {', '.join(bad)}")
        with transaction.atomic():
            partnership, created = Partnership.objects.get_or_create(
                slug=options["slug"], defaults={"name": options["name"], "la_codes": codes}
            )
            if (
                not created
                and Membership.objects.filter(partnership=partnership, roles__contains=[Role.ADMIN]).exists()
            ):
                raise CommandError(f"Partnership {partnership.slug} already exists and has an admin")
            try:
                link = first_admin_invite(
                    partnership=partnership, email=options["admin_email"], base_url=options["base_url"]
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"{partnership.name} ({partnership.slug}) ready."))
        self.stdout.write(
            f"Invitation emailed to {options['admin_email']}. One-time link (give it to them yourself if the email "
            f"does not arrive; a failed send is logged above): {link}"
        )
