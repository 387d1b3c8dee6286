"""Signal receivers: other apps announce events, brokerage turns them into requests and ledger entries."""

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
    try:  # the peer-review app's events, when it offers them (issue #10)
        from peerreview import signals as peer  # type: ignore[attr-defined]
    except ImportError:
        return
    support_needed = getattr(peer, "action_support_needed", None)
    if support_needed is not None:
        support_needed.connect(on_support_needed, dispatch_uid="brokerage.on_support_needed")


def on_support_needed(sender: Any, *, partnership_id: int, school_id: int, action_id: int, **kwargs: Any) -> None:
    """A peer-review action marked "support needed": a new request (the LA sees the request, never the report)."""
    from brokerage.services import support_request_from_peer_action

    support_request_from_peer_action(
        partnership_id=partnership_id, school_id=school_id, action_id=action_id, focus_name=kwargs.get("focus", "")
    )
