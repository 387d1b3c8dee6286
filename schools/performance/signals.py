"""The hook the risk engine hangs on: called once performance data has changed and the change is committed.

``performance_imported`` runs after the transaction of every successful performance import commits (through
``transaction.on_commit``, so it never sees, or acts on, data that was rolled back). It is deliberately empty for
now: the risk categorisation will recompute the schools named here (issue #3). Keep it cheap and never let it
raise into the import: queue work (a Celery task) rather than doing it inline.
"""

from __future__ import annotations

from partnership.models import Partnership


def performance_imported(*, partnership: Partnership, school_ids: list[int]) -> None:
    """React to imported performance data: ``school_ids`` are the register schools whose values or inspections
    were created or changed (every matched school of the file when its area averages changed); empty when the
    import changed nothing. Does nothing yet."""
    return None
