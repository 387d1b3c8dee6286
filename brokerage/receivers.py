"""Signal receivers: other apps announce events, brokerage turns them into requests."""

from __future__ import annotations

from typing import Any


def on_round_agreed(sender: Any, *, partnership_id: int, round_id: int, schools: list, **kwargs: Any) -> None:
    """Schools agreed in categories 3–4 with no active support: draft requests (academies: referrals)."""
    from brokerage.services import requests_from_categorisation

    requests_from_categorisation(partnership_id=partnership_id, round_key=f"round:{round_id}", schools=schools)


def connect() -> None:
    """Connect every receiver (called once from ``BrokerageConfig.ready``)."""
    from schools.risk.signals import categorisation_round_agreed

    categorisation_round_agreed.connect(on_round_agreed, dispatch_uid="brokerage.on_round_agreed")
