"""Events of the risk app that other apps react to (connected in their ``AppConfig.ready()``), so the risk app
imports none of its consumers."""

from __future__ import annotations

from django.dispatch import Signal

categorisation_round_agreed = Signal()
"""Sent inside the transaction that records the board's agreement of a round, with ``partnership_id``,
``round_id`` and ``schools``: a list of (school id, agreed category, is academy) for every school in it."""
