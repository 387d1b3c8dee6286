"""The hook the risk engine hangs on: called once performance data has changed and the change is committed.

``performance_imported`` runs after the transaction of every successful performance import commits (through
``transaction.on_commit``, so it never sees, or acts on, data that was rolled back). It asks the risk app for a
recomputation of categories (``schools.risk.services.performance_imported``: a queued RiskRun, shared with any
run already waiting, sent to a worker). It stays cheap and never raises into the import: a failure to queue is
logged, and the nightly schedule recomputes anyway.
"""

from __future__ import annotations

import logging

from partnership.models import Partnership

logger = logging.getLogger(__name__)


def performance_imported(*, partnership: Partnership, school_ids: list[int]) -> None:
    """React to imported performance data: ``school_ids`` are the register schools whose values or inspections
    were created or changed (every matched school of the file when its area averages changed); empty when the
    import changed nothing, which asks for no recomputation."""
    from schools.risk.services import performance_imported as risk_recompute

    try:
        risk_recompute(partnership=partnership, school_ids=school_ids)
    except Exception:  # never let the risk app break an import that has already committed
        logger.warning("Could not queue a risk recomputation after an import into %s", partnership.pk, exc_info=True)


def register_imported(*, partnership: Partnership, school_ids: list[int]) -> None:
    """React to a GIAS import that created or changed ``school_ids`` (a new head, a closure, a conversion): the
    same recomputation as after performance data; empty when the file changed nothing."""
    performance_imported(partnership=partnership, school_ids=school_ids)
