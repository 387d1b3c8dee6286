"""Re-encrypt every stored authenticator secret with the current DJANGO_SECRET_KEY (after a key rotation)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from partnership.services import mfa_secrets_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt authenticator secrets and recovery-code seeds with the current DJANGO_SECRET_KEY, reading "
        "them with it or DJANGO_SECRET_KEY_FALLBACKS; afterwards the fallbacks can be removed. Safe to repeat."
    )

    def handle(self, *args, **options) -> None:
        moved, unreadable = mfa_secrets_reencrypt()
        self.stdout.write(f"Re-encrypted {moved} authenticator(s) with the current key.")
        if unreadable:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(unreadable)} could not be read with any key (their owners must have two-factor "
                    f"authentication reset: manage.py mfa_reset EMAIL, or People): {', '.join(unreadable)}"
                )
            )
