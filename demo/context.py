"""What a feature's demo module receives (``DemoContext``) and gives the builder (``DemoStep``).

Each later feature adds its demo content in its own module, ``demo/<feature>.py``, exposing one ``DemoStep``;
``demo.builder.DEMO_STEPS`` lists the steps in the order they run. See ``demo.builder`` for how to add one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from clusters.models import Alliance, Cluster
from partnership.models import Membership, Partnership, Role, User
from schools.models import School


@dataclass(frozen=True)
class DemoContext:
    """The built demo partnership as a feature step sees it (everything already committed).

    ``accounts``: the demo memberships by role (``Role.OFFICER`` → the officer's membership, …);
    ``plan``: the cluster plan (one row per school: id, urn, name, phase, district, cluster, alone);
    ``today``: the build date (use it for every date the step writes, so the demo reads "as at today");
    ``step``: prints a progress line with ``load_demo -v 2``.
    """

    partnership: Partnership
    accounts: dict[str, Membership]
    clusters: dict[str, Cluster]
    alliances: dict[str, Alliance]
    plan: pd.DataFrame
    today: dt.date
    step: Callable[[str], None] = field(default=lambda message: None)

    def user(self, role: str) -> User:
        """The demo user holding ``role`` (e.g. ``ctx.user(Role.OFFICER)``)."""
        return self.accounts[role].user

    @property
    def head_school(self) -> School | None:
        """The demo headteacher's (and chair's) school: a real primary in the cluster lead's cluster."""
        return self.accounts[Role.HEADTEACHER].school


@dataclass(frozen=True)
class DemoStep:
    """One feature's part of the demo.

    ``build(ctx)`` writes the feature's demo content through the feature's services and returns lines for
    ``load_demo``'s summary (e.g. ``["Peer review: 3 reviews, 1 completed"]``). It must be idempotent: running
    ``load_demo`` again finds what it wrote (by natural key) and writes only what is missing. It runs in its own
    transaction after the risk part. Everything invented is marked as demo (names ending "(demo)", "Invented for
    the demo" in free text); schools are the real DfE ones in ``ctx.plan``.

    ``delete(partnership)`` (optional) removes rows that would stop ``load_demo --reset`` from deleting the
    partnership (``on_delete=PROTECT`` foreign keys); it runs before the partnership is deleted and returns the
    number of rows deleted.
    """

    label: str
    build: Callable[[DemoContext], list[str]]
    delete: Callable[[Partnership], int] | None = None
