"""The Celery application: configuration comes from Django settings (``CELERY_*``)."""

import os
from typing import Any

from celery import Celery, Task

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


def task_named(name: str) -> Task:
    """The registered task ``name``. Services queue their tasks through this (a tasks module imports its services,
    so the services may not import it back); the apps' tasks modules are imported on first use in a process that
    has not loaded them (a web or command process: autodiscovery only runs when a worker starts)."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]
