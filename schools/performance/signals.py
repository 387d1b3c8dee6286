"""Called once performance data or the register has changed and the change is committed.

``performance_imported`` runs after the transaction of every successful performance import commits (through
``transaction.on_commit``, so it never sees, or acts on, data that was rolled back); ``register_imported`` after a
GIAS import. Both send ``schools.signals.register_data_changed``: the risk app, which connects to it in its
``AppConfig.ready()``, asks for a recomputation of categories (a queued RiskRun, shared with any run already
waiting, sent to a worker). The register imports none of its consumers. Sending never raises into the import: a
receiver's failure is logged, and the nightly schedule recomputes anyway.
"""

from __future__ import annotations

import logging

from partnership.models import Partnership
from schools.signals import register_data_changed

logger = logging.getLogger(__name__)


def performance_imported(*, partnership: Partnership, school_ids: list[int]) -> None:
    """React to imported performance data: ``school_ids`` are the register schools whose values or inspections
    were created or changed (every matched school of the file when its area averages changed); empty when the
    import changed nothing, which asks for no recomputation."""
    _send(partnership=partnership, school_ids=school_ids, source="performance")


def register_imported(*, partnership: Partnership, school_ids: list[int]) -> None:
    """React to a GIAS import that created or changed ``school_ids`` (a new head, a closure, a conversion): the
    same recomputation as after performance data; empty when the file changed nothing."""
    _send(partnership=partnership, school_ids=school_ids, source="register")


def _send(*, partnership: Partnership, school_ids: list[int], source: str) -> None:
    responses = register_data_changed.send_robust(
        sender=Partnership, partnership=partnership, school_ids=list(school_ids), source=source
    )
    for receiver, response in responses:
        if isinstance(response, Exception):  # never let a consumer break an import that has already committed
            logger.warning(
                "%s failed after an import into %s",
                getattr(receiver, "__qualname__", receiver),
                partnership.pk,
                exc_info=response,
            )
