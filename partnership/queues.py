"""Celery queues: imports, risk runs, email and board packs each have their own, so a long national risk run never
holds up an email, and each can be given its own workers (docker-compose.yml: one worker service per queue).

A task's queue is chosen by ``route_task`` from its name (a table of name rules below, checked in order); a
task matching no rule goes to the default queue, which also carries beat's small housekeeping tasks. A worker
started without ``-Q`` consumes every queue (``make demo``, ``make run``, the tests); in production each worker
service names its own (``celery worker -Q imports``). Under test every name carries the run's suffix, so several
test runs share one Redis without taking each other's tasks.
"""

from __future__ import annotations

import re
from typing import Any

DEFAULT, IMPORTS, RISK, EMAIL, PACKS = "default", "imports", "risk", "email", "packs"
KINDS = (DEFAULT, IMPORTS, RISK, EMAIL, PACKS)

# (pattern on the task's dotted name, queue kind): the first match wins. Housekeeping first, so a task that
# only re-sends waiting work (a few milliseconds) is never stuck behind the work it re-sends.
RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(requeue|schedule|recover|sweep)"), DEFAULT),
    (re.compile(r"(email|notice|notification|notify|remind|mail)"), EMAIL),
    (re.compile(r"pack"), PACKS),
    (re.compile(r"^schools\.(tasks|importers|performance)\."), IMPORTS),
    (re.compile(r"(^schools\.risk\.|backtest|risk_run|kpi)"), RISK),
]


def queue_kind(task_name: str) -> str:
    """The kind of queue (one of ``KINDS``) a task of this name is sent to."""
    for pattern, kind in RULES:
        if pattern.search(task_name):
            return kind
    return DEFAULT


def queue_names(prefix: str) -> dict[str, str]:
    """The real queue name of each kind for ``prefix`` (the default queue is the prefix itself)."""
    return {kind: prefix if kind == DEFAULT else f"{prefix}-{kind}" for kind in KINDS}


def route_task(name: str, args: Any, kwargs: Any, options: dict[str, Any], task: Any = None, **kw: Any) -> dict:
    """Celery router (``task_routes``): send ``name`` to its queue unless the caller named one."""
    from django.conf import settings

    if options.get("queue"):
        return {}
    return {"queue": settings.CELERY_QUEUE_NAMES[queue_kind(name)]}
