"""What the risk app does when other apps' events arrive (connected in ``RiskConfig.ready``)."""

from __future__ import annotations

from typing import Any

from partnership.models import Partnership
from schools.risk.services import performance_imported


def register_data_changed(*, partnership: Partnership, school_ids: list[int], **kwargs: Any) -> None:
    """New or changed register facts or performance data: queue a recomputation of those schools' categories."""
    performance_imported(partnership=partnership, school_ids=school_ids)
