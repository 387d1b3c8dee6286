#!/usr/bin/env python
"""Django's command-line utility."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
    if os.environ.get("DJANGO_ENV") != "production":
        from partnership.embedded import environ_setdefault

        environ_setdefault()  # the embedded PostgreSQL and Redis, unless DATABASE_URL / REDIS_URL are set
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
