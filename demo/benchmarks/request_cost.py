"""Where a request's server time goes: CPU time and queries per page, for each role of the load benchmark's plan.

The load benchmark (``load.py``) measures the whole production shape from outside; this measures inside one
process, with Django's test client, so the machine's noise (other processes, the network, gunicorn's queueing)
is left out and each page's own cost shows. For every page one person of each role requests (the same plan and
sessions as the load benchmark, over the same generated regional data), it requests the page ``repeats`` times and
reports the median CPU time per request (``time.process_time``: this process only, so a busy machine slows it
less than wall time) and the number of queries, each page's median as a ratio to the liveness endpoint measured
in the same run. ``profile_path`` also writes a cProfile of a fifth as many further requests per page (read it
with ``pstats``).

Run it against a test database (it creates and deletes a bench partnership), e.g.
``REQUEST_COST_SCHOOLS=4000 REQUEST_COST_REPEATS=200 TEST_RUN_ID=me pytest tests/partnership/test_request_cost.py -s``.
"""

from __future__ import annotations

import cProfile
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client

from demo.benchmarks.load import USER_DOMAIN, load_plan_create
from demo.benchmarks.risk import bench_partnerships_delete
from partnership.models import User

HEALTH = "/health/live/"
broken: list[str] = []  # the pages of the last run that did not answer 200 (lines for the report)


def _health(repeats: int) -> float:
    measured = _measure(Client(), HEALTH, repeats, None)
    assert measured is not None, "the liveness endpoint did not answer"
    return measured[0]


@dataclass(frozen=True)
class PageCost:
    """One page's median CPU and wall time per request (seconds) and its queries, for one role."""

    role: str
    name: str
    path: str
    cpu: float
    wall: float
    queries: int

    def line(self, health_cpu: float) -> str:
        ratio = self.cpu / health_cpu if health_cpu else float("nan")
        return (
            f"COST {self.role:<12} {self.name:<26} cpu={self.cpu * 1000:6.1f}ms ratio={ratio:5.1f} "
            f"wall={self.wall * 1000:6.1f}ms queries={self.queries:3d}  {self.path}"
        )


def _measure(
    client: Client, path: str, repeats: int, profiler: cProfile.Profile | None
) -> tuple[float, float, int] | None:
    """Median CPU and wall seconds and the queries of ``path``; None when it does not answer 200."""
    for _ in range(3):  # warm: templates compiled and cached, connections open
        try:
            response = client.get(path)
        except Exception:  # noqa: BLE001 - a broken page is reported, not measured
            return None
        if response.status_code != 200:
            return None
    queries: list[tuple[float, str]] = []

    def count(execute, sql, params, many, context):  # a wrapper, not CaptureQueriesContext: requests reset its log
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(count):
        client.get(path)
    if shown := int(os.environ.get("REQUEST_COST_QUERIES") or 0):  # each page's 3 slowest queries, so many characters
        for seconds, sql in sorted(queries, reverse=True)[:3]:
            print(f"QUERY {path} {seconds * 1000:6.1f}ms {sql[:shown]}")
    cpu, wall = [], []
    for _ in range(repeats):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        client.get(path)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started_wall)
    if profiler is not None:  # apart from the timed requests, which it would slow
        profiler.enable()
        for _ in range(max(repeats // 5, 2)):
            client.get(path)
        profiler.disable()
    return statistics.median(cpu), statistics.median(wall), len(queries)


def request_costs(
    *, schools: int, repeats: int, profile_path: Path | None = None, only: set[str] | None = None
) -> tuple[float, list[PageCost]]:
    """The health endpoint's median CPU per request and every planned page's costs (slowest first); with ``only``
    (URL names), just those pages (to profile one page on its own)."""
    bench_partnerships_delete()
    User.objects.filter(email__endswith=f"@{USER_DOMAIN}").delete()
    profiler = cProfile.Profile() if profile_path else None
    broken.clear()
    with _production_rendering():
        return _request_costs(schools, repeats, profiler, profile_path, only)


@contextmanager
def _production_rendering() -> Iterator[None]:
    """Templates rendered as in production: the test environment wraps every template render to record its
    context for the test client (a copy of the context per template, a third of a page's CPU time here)."""
    from django.template import Template
    from django.test.utils import _TestState

    saved = getattr(getattr(_TestState, "saved_data", None), "template_render", None)
    instrumented = Template._render  # type: ignore[attr-defined]  # Django's own hook, not in the stubs
    if saved is not None:
        Template._render = saved  # type: ignore[attr-defined]
    try:
        yield
    finally:
        Template._render = instrumented  # type: ignore[attr-defined]


def _request_costs(
    schools: int, repeats: int, profiler: cProfile.Profile | None, profile_path: Path | None, only: set[str] | None
) -> tuple[float, list[PageCost]]:
    try:
        plan = load_plan_create(schools=schools)
        health_cpu = _health(repeats)
        costs: list[PageCost] = []
        for role, people in plan.items():
            person = people[0]
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = person["session"]
            seen = set()
            for target in person["targets"]:
                if target["path"] in seen or (only is None and target["name"].endswith("_export")):
                    continue  # downloads only when named in ``only``
                if only is not None and target["name"] not in only:
                    continue
                seen.add(target["path"])
                measured = _measure(client, target["path"], repeats, profiler)
                if measured is None:
                    broken.append(f"COST {role} {target['name']} did not answer 200: not measured  {target['path']}")
                    continue
                costs.append(PageCost(role, target["name"], target["path"], *measured))
        health_cpu = statistics.median([health_cpu, _health(repeats)])  # the machine's noise over the run
    finally:
        bench_partnerships_delete()
        User.objects.filter(email__endswith=f"@{USER_DOMAIN}").delete()
    if profiler is not None and profile_path is not None:
        profiler.dump_stats(str(profile_path))
    return health_cpu, sorted(costs, key=lambda c: c.cpu, reverse=True)


def request_cost_report(health_cpu: float, costs: list[PageCost]) -> list[str]:
    """Lines to print: the baseline, each page, and the median over pages (the figure to compare runs by)."""
    median_cpu = statistics.median(c.cpu for c in costs)
    return [
        f"COST health {HEALTH} cpu={health_cpu * 1000:.2f}ms",
        *[cost.line(health_cpu) for cost in costs],
        *broken,
        f"COST median over pages cpu={median_cpu * 1000:.1f}ms ratio={median_cpu / health_cpu:.1f}",
    ]
