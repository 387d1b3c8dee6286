"""Simulated people for the ``load`` benchmark (demo/benchmarks/load.py); run by locust, never imported by Django.

Each simulated person takes a signed-in session of one role from ``LOAD_CONFIG`` and requests that role's pages
by weight; a separate probe polls ``/health/live/`` as the baseline. Every request's group, name, time, failure
and when it ended go to ``LOAD_RESULTS`` (JSON) when the run ends. ``LOAD_THINK=0`` removes the think time
(saturation). The people use locust's ``FastHttpUser`` (geventhttpclient): the load generator shares the two cores
with the server it measures, and this client costs several times less CPU per request than the requests-based one.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time

from locust import FastHttpUser, between, constant, events, task
from requests.cookies import create_cookie

CONFIG = json.loads(open(os.environ["LOAD_CONFIG"]).read())  # noqa: SIM115, PTH123
THINK = os.environ.get("LOAD_THINK", "1") == "1"
RESULTS: list[tuple[str, str, float, bool, float]] = []
STARTED = time.monotonic()
_sessions = {role: itertools.cycle(people) for role, people in CONFIG.items() if people}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, context=None, **kwargs) -> None:
    group, _, label = name.partition(" ")
    ended = time.monotonic() - STARTED
    RESULTS.append((group, label or name, float(response_time), exception is not None, ended))


@events.quitting.add_listener
def _write(environment, **kwargs) -> None:
    with open(os.environ["LOAD_RESULTS"], "w") as out:  # noqa: PTH123
        json.dump({"seconds": time.monotonic() - STARTED, "requests": RESULTS}, out)


class Person(FastHttpUser):
    """One signed-in person of ``role`` browsing that role's pages."""

    abstract = True
    role = ""
    wait_time = between(1, 5) if THINK else constant(0)

    def on_start(self) -> None:
        person = next(_sessions[self.role])
        self.client.cookiejar.set_cookie(create_cookie("sessionid", person["session"]))
        self.targets = person["targets"]
        self.weights = [t["weight"] for t in self.targets]

    @task
    def browse(self) -> None:
        target = random.choices(self.targets, weights=self.weights)[0]  # noqa: S311
        with self.client.get(
            target["path"], name=f"{target['group']} {target['name']}", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {target['path']}")


class Officer(Person):
    role = "officer"
    weight = 5


class Head(Person):
    role = "headteacher"
    weight = 3


class ClusterLead(Person):
    role = "cluster_lead"
    weight = 1


class BoardMember(Person):
    role = "board_member"
    weight = 2


class HealthProbe(FastHttpUser):
    """The baseline: the liveness endpoint, polled under the same load."""

    fixed_count = 2
    wait_time = constant(1)

    @task
    def live(self) -> None:
        self.client.get("/health/live/", name="health live")
