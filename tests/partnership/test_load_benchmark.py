"""The load benchmark's plan: every page a simulated person requests answers 200 for that role with the session the
benchmark wrote (so the load measures real pages, not error pages); its report reads like the other BENCH lines."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from demo.benchmarks.load import DASHBOARDS, _cpu_seconds, cpu_line, gunicorn_arguments, load_plan_create, report

pytestmark = pytest.mark.django_db


def test_every_planned_request_answers_200_for_its_role():
    plan = load_plan_create(schools=200)
    assert set(plan) == {"officer", "headteacher", "board_member", "cluster_lead"}
    seen_groups = set()
    for role, people in plan.items():
        assert len(people) >= 5, role
        person = people[0]
        assert len(person["targets"]) >= 4, role
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = person["session"]
        for target in person["targets"]:
            response = client.get(target["path"])
            assert response.status_code == 200, (role, target["path"], response.status_code)
            seen_groups.add(target["group"])
            assert target["group"] == ("dashboard" if target["name"] in DASHBOARDS else "page")
    assert seen_groups == {"page", "dashboard"}


def test_the_report_gives_p95s_against_the_health_baseline_errors_and_throughput():
    requests = [["page", "schools:list", float(ms), False] for ms in range(1, 101)]
    requests += [["dashboard", "board:dashboard", 300.0, False]] * 19 + [["dashboard", "board:dashboard", 900.0, True]]
    requests += [["health", "live", 10.0, False]] * 20
    lines = [t.line() for t in report({"seconds": 10.0, "requests": requests}, {"seconds": 5.0, "requests": requests})]
    assert re.match(r"^BENCH load_pages_p95 0\.10s baseline=0\.01s ratio=9\.5\d$", lines[0]), lines[0]
    assert re.match(r"^BENCH load_dashboards_p95 0\.\d\ds baseline=0\.01s ratio=\d+\.\d\d$", lines[1]), lines[1]
    assert lines[2] == "BENCH load_errors 2 requests=280"
    assert lines[3].startswith("BENCH load_rps 14.0 ")
    assert lines[4].startswith("BENCH load_saturation_rps 28.0 ")
    assert lines[5].startswith("BENCH load_slowest board:dashboard p95=")


def test_saturation_throughput_is_counted_over_the_steady_part_of_the_run():
    """Spawning and start-up are not counted as idle server time: 40 answers a second from second 5 to 35 (the
    first answer at 2 s, after locust's start-up) is 40 requests/s, not the 1,200 answers over the run's 40 s."""
    steady = [["page", "schools:list", 20.0, False, 2.0 + n / 40] for n in range(1201)]
    lines = [
        t.line() for t in report({"seconds": 10.0, "requests": steady[:50]}, {"seconds": 40.0, "requests": steady})
    ]
    assert lines[4].startswith("BENCH load_saturation_rps 40.0 "), lines[4]


def test_the_cpu_line_splits_each_requests_cpu_between_server_database_and_load_generator():
    before = {"web": 10.0, "postgres": 2.0, "locust": 1.0, "machine_busy": 100.0}
    after = {"web": 30.0, "postgres": 6.0, "locust": 2.0, "machine_busy": 100.0 + 20.0 * (os.cpu_count() or 1)}
    line = cpu_line(before, after, requests=1000, seconds=40.0)
    assert line == ("BENCH load_saturation_cpu_per_request web=20.0ms postgres=4.0ms locust=1.0ms machine_busy=50%"), (
        line
    )


def test_the_benchmark_serves_with_the_images_own_gunicorn_command_on_loopback():
    arguments = gunicorn_arguments(port=8123)
    assert arguments[0] == "partnership.wsgi"
    assert arguments[arguments.index("--bind") + 1] == "127.0.0.1:8123"
    for option in ("--preload", "--max-requests", "--max-requests-jitter", "--access-logfile"):
        assert option in arguments, option


_BURN = "import time\\nend = time.process_time() + 0.4\\nwhile time.process_time() < end: pass"
_PARENT = f"""
import subprocess, sys, time
subprocess.run([sys.executable, "-c", "{_BURN}"])
print("reaped", flush=True)
time.sleep(30)
"""


def test_the_web_cpu_counts_a_worker_that_ended_during_the_run():
    """gunicorn recycles workers: one that burned CPU and was replaced must still count (it made the figure
    negative when only live processes were read)."""
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "reaped"
        assert _cpu_seconds(parent.pid, "no-such-database")["web"] >= 0.35
    finally:
        parent.kill()
        parent.wait(timeout=10)
