"""The per-request cost probe (demo/benchmarks/request_cost.py) runs over the load plan and reports every page.

Small by default (a check that it works); ``REQUEST_COST_SCHOOLS`` / ``REQUEST_COST_REPEATS`` /
``REQUEST_COST_PROFILE`` (a path for the cProfile dump) make it the real measurement, printed with ``-s``;
``REQUEST_COST_ONLY`` (comma-separated URL names) measures just those pages.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from demo.benchmarks.request_cost import request_cost_report, request_costs

pytestmark = pytest.mark.django_db


def test_every_planned_page_is_costed_against_the_health_endpoint():
    schools = int(os.environ.get("REQUEST_COST_SCHOOLS", 150))
    repeats = int(os.environ.get("REQUEST_COST_REPEATS", 2))
    profile = os.environ.get("REQUEST_COST_PROFILE")
    only = set(filter(None, os.environ.get("REQUEST_COST_ONLY", "").split(","))) or None
    health, costs = request_costs(
        schools=schools, repeats=repeats, profile_path=Path(profile) if profile else None, only=only
    )
    lines = request_cost_report(health, costs)
    print("\n" + "\n".join(lines))
    assert health > 0
    roles = {cost.role for cost in costs}
    assert only is not None or roles == {"officer", "headteacher", "board_member", "cluster_lead"}
    assert all(cost.queries > 0 and cost.cpu > 0 for cost in costs)
    assert lines[-1].startswith("COST median over pages")
