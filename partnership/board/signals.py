"""Recompute the partnership's KPIs after a successful import or risk run (connected in ``BoardConfig.ready``).

The register and the risk app know nothing of the board: the board listens to ``partnership.jobs.job_finished``,
sent when any job (an import, a risk run) finishes. An import or run that succeeded asks for a KPI refresh once
its transaction commits; nothing is queued otherwise, and a KPI refresh finishing asks for nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from partnership.jobs import job_finished
from partnership.models import Job

logger = logging.getLogger(__name__)


TRIGGERS = {"ImportJob", "RiskRun"}


@receiver(job_finished, dispatch_uid="board_kpis_after_job")
def kpis_after_job(sender, job: Job, state: str, **kwargs) -> None:
    """An import or risk run that succeeded queues one KPI refresh for its partnership (shared with any waiting)."""
    if sender.__name__ not in TRIGGERS or state != Job.State.SUCCEEDED:
        return
    partnership_id = job.partnership_id

    def queue() -> None:
        from partnership.board.services import kpi_refresh_request

        try:
            kpi_refresh_request(partnership_id=partnership_id, user=None)
        except Exception:  # never break the import or run that has already committed
            logger.warning("Could not queue a KPI refresh for partnership %s", partnership_id, exc_info=True)

    transaction.on_commit(queue)
