"""The Celery application: configuration comes from Django settings (``CELERY_*``)."""

import os
from typing import Any

from celery import Celery

from partnership.observability import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")

app = Celery("partnership")


@app.on_configure.connect
def _embedded_servers(sender: Celery, **kwargs: Any) -> None:
    """A worker or beat started with no DATABASE_URL / REDIS_URL starts (or reuses) the embedded servers first.

    Imported here, not at the top: production processes never load the embedded-server module."""
    from partnership.embedded import environ_setdefault

    environ_setdefault()


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
connect_celery_signals()  # the request id travels with every task queued while serving a request
