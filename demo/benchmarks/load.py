"""The ``load`` benchmark: the production shape on loopback under 50 simulated people, measured with locust.

What runs: gunicorn with the image's settings (``DJANGO_ENV=production``, 3 sync workers as the Dockerfile's
``WEB_CONCURRENCY``), a real Celery worker, the PostgreSQL and Redis of this machine; over a regional data set
generated into a bench partnership (10 local authorities, about 4,000 schools with three years of measures,
inspections and intelligence from ``demo.benchmarks.risk``, a risk run, clusters and alliances, and people in
every role). The only change to production settings: cookies without the ``Secure`` flag and no HTTPS redirect,
because the load runs over plain HTTP on loopback (``load_settings.py`` written beside the results).

Two runs, each bounded in time and in users:
- **mixed**: 50 users (officers browsing, filtering and exporting the register and the risk pages; heads on
  their school, category, cluster and peer review; board members on dashboards), 1–5 s think time, 2 minutes;
  the health endpoint polled throughout is the baseline. Printed: the p95 of page requests and of dashboard
  requests against the health endpoint's p95, the error count, requests per second, the slowest pages.
- **saturation**: the same mix with no think time for 30 seconds: the throughput the two cores give.

``BENCH_LOAD_SECONDS`` / ``BENCH_LOAD_SATURATION_SECONDS`` / ``BENCH_LOAD_SCHOOLS`` shorten a local trial.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess  # noqa: S404 - we start our own gunicorn, celery and locust processes
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clusters.models import Alliance, AllianceMembership, Cluster, ClusterMembership
from demo.benchmarks.gias import Timing
from demo.benchmarks.risk import AS_AT, bench_partnerships_delete, risk_bench_partnership_create
from partnership.models import Membership, Partnership, Role, User
from schools.choices import choices_changed
from schools.models import School
from schools.risk.services import risk_run_create, risk_run_execute

LOAD_SCHOOLS = int(os.environ.get("BENCH_LOAD_SCHOOLS", 4_000))
LOAD_USERS = 50
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", 120))
SATURATION_SECONDS = int(os.environ.get("BENCH_LOAD_SATURATION_SECONDS", 30))
# People arrive over the first ten seconds of the mixed run (locust's own default is one a second). All fifty in two
# seconds, each sending a request at once, queued the first ~50 requests for up to 1.7 s behind each other: the
# start was most of the page p95 (0.18 s over the run, 0.14 s without its first five seconds). The saturation run
# keeps the fast start (its throughput is counted over the steady part).
MIXED_SPAWN_RATE = 5
SATURATION_SPAWN_RATE = 25
WEB_WORKERS = 3  # the Dockerfile's WEB_CONCURRENCY
USER_DOMAIN = "load.bench.invalid"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")

# URL names whose pages are dashboards (charts and aggregates): their own p95 aim (500 ms; pages 150 ms).
DASHBOARDS = {
    "board:dashboard",
    "board:scorecard",
    "board:home",
    "board:round",
    "cluster_health:portfolio",
    "peerreview:rollup",
    "brokerage:summary",
    "brokerage:ledger",
    "partnership:home",
}


@dataclass(frozen=True)
class Target:
    """One URL a simulated person requests: its group ("page"/"dashboard"), its URL name and path, its weight."""

    name: str
    path: str
    weight: int = 1

    @property
    def group(self) -> str:
        return "dashboard" if self.name in DASHBOARDS else "page"


def _session(user: User, membership: Membership) -> str:
    """A signed-in session (second factor done), as the sign-in pages would leave it; returns its key."""
    store = SessionStore()
    now = int(time.time())
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["mfa_ok"] = True
    store["signed_in_at"] = now + 3600  # the idle and absolute timeouts never end a bench session
    store["last_seen"] = now + 3600
    store["partnership_id"] = membership.partnership_id
    store.create()
    return str(store.session_key)


def _clusters(partnership: Partnership, schools: list[School]) -> list[Cluster]:
    """Clusters of about 12 neighbouring schools (by LA and district), an alliance per LA; a few left isolated."""
    by_area: dict[tuple[str, str], list[School]] = {}
    for school in schools:
        by_area.setdefault((school.la_code, school.district or ""), []).append(school)
    clusters: list[Cluster] = []
    cluster_la: list[str] = []
    chosen_schools: list[list[School]] = []
    today = timezone.localdate()
    for (la, district), group in sorted(by_area.items()):
        for start in range(0, len(group) - 2, 12):  # the last one or two of an area stay in no cluster
            clusters.append(Cluster(partnership=partnership, name=f"{district or la} ({la}) cluster {start // 12 + 1}"))
            cluster_la.append(la)
            chosen_schools.append(group[start : start + 12])
    Cluster.objects.bulk_create(clusters)  # primary keys set (PostgreSQL)
    ClusterMembership.objects.bulk_create(
        ClusterMembership(cluster_id=cluster.pk, school_id=school.pk, joined_on=today)
        for cluster, chosen in zip(clusters, chosen_schools, strict=True)
        for school in chosen
    )
    alliances = {la: Alliance(partnership=partnership, name=f"LA {la} alliance") for la, _ in by_area}
    Alliance.objects.bulk_create(alliances.values())
    links = [
        AllianceMembership(alliance_id=alliances[la].pk, cluster_id=cluster.pk, joined_on=today)
        for cluster, la in zip(clusters, cluster_la, strict=True)
    ]
    AllianceMembership.objects.bulk_create(links)
    choices_changed(partnership_id=partnership.pk)  # bulk_create sends no signals (schools.choices)
    return clusters


def _people(partnership: Partnership, clusters: list[Cluster]) -> dict[str, list[tuple[str, dict]]]:
    """People per role with their sessions and what each may look at: {role: [(session key, context)]}."""
    rng = random.Random(20261207)  # noqa: S311 - a fixed choice of schools, not security
    counts = {Role.OFFICER: 10, Role.HEADTEACHER: 20, Role.BOARD_MEMBER: 6, Role.CLUSTER_LEAD: 5}
    people: dict[str, list[tuple[str, dict]]] = {}
    clustered = list(
        ClusterMembership.objects.filter(cluster__partnership=partnership).values_list(
            "school_id", "school__urn", "cluster_id"
        )
    )
    for role, count in counts.items():
        people[role.value] = []
        for n in range(count):
            user = User.objects.create_user(email=f"{role.value}-{n}@{USER_DOMAIN}", password=None)
            school_id, urn, cluster_id = rng.choice(clustered)
            membership = Membership.objects.create(
                user=user,
                partnership=partnership,
                roles=[role.value],
                school_id=school_id if role == Role.HEADTEACHER else None,
            )
            if role == Role.CLUSTER_LEAD:
                membership.clusters.add(cluster_id)
            context = {"school_id": school_id, "urn": urn, "cluster_id": cluster_id}
            people[role.value].append((_session(user, membership), context))
    return people


def _reverse(name: str, *args: object) -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def targets_for(role: str, context: dict, urns: list[int], run_id: int) -> list[Target]:
    """What a person in ``role`` requests, with weights (officers browse the register and the risk pages most)."""
    rng = random.Random(context["school_id"])  # noqa: S311
    some_school = rng.choice(urns)
    wanted: list[tuple[str, tuple, int, str]] = []
    if role == Role.OFFICER:
        wanted = [
            ("partnership:home", (), 2, ""),
            ("schools:list", (), 3, ""),
            ("schools:list", (), 2, "?phase=Primary"),
            ("schools:detail", (some_school,), 3, ""),
            ("risk:register", (), 3, ""),
            ("risk:register", (), 2, "?category=3"),
            ("risk:school", (some_school,), 3, ""),
            ("risk:run_detail", (run_id,), 1, ""),
            ("risk:register_export", (), 1, ""),
            ("clusters:list", (), 1, ""),
            ("clusters:detail", (context["cluster_id"],), 1, ""),
            ("brokerage:queue", (), 1, ""),
            ("cluster_health:portfolio", (), 1, ""),
            ("board:dashboard", (), 1, ""),
        ]
    elif role == Role.HEADTEACHER:
        wanted = [
            ("partnership:home", (), 2, ""),
            ("schools:detail", (context["urn"],), 3, ""),
            ("risk:own_category", (), 3, ""),
            ("clusters:detail", (context["cluster_id"],), 2, ""),
            ("peerreview:home", (), 2, ""),
            ("peerreview:excellence", (), 1, ""),
            ("schools:list", (), 1, ""),
        ]
    elif role == Role.CLUSTER_LEAD:
        wanted = [
            ("partnership:home", (), 1, ""),
            ("clusters:detail", (context["cluster_id"],), 3, ""),
            ("cluster_health:cluster", (context["cluster_id"],), 2, ""),
            ("peerreview:rollup", (), 1, ""),
        ]
    elif role == Role.BOARD_MEMBER:
        wanted = [
            ("partnership:home", (), 2, ""),
            ("board:home", (), 1, ""),
            ("board:dashboard", (), 3, ""),
            ("board:scorecard", (), 2, ""),
            ("board:strategy", (), 1, ""),
            ("cluster_health:portfolio", (), 1, ""),
            ("peerreview:rollup", (), 1, ""),
            ("brokerage:summary", (), 1, ""),
        ]
    found = []
    for name, args, weight, query in wanted:
        path = _reverse(name, *args)
        if path is not None:
            found.append(Target(name=name, path=path + query, weight=weight))
    return found


def _target_json(target: Target) -> dict:
    return {"name": target.name, "path": target.path, "weight": target.weight, "group": target.group}


def _write_settings(out_dir: Path) -> None:
    (out_dir / "load_settings.py").write_text(
        "from partnership.settings import *  # noqa: F403\n"
        "# Plain HTTP on loopback: cookies without Secure, no HTTPS redirect; everything else as in production.\n"
        "SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False\n"
        "SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = 'sessionid', 'csrftoken'\n"
        "SECURE_SSL_REDIRECT = False\n"
        f"STATIC_ROOT = {str(out_dir / 'static')!r}\n"
    )


def _server_env(out_dir: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TEST_RUN_ID", "PARTNERSHIP_"))}
    return {
        **keep,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": os.pathsep.join([str(out_dir), str(settings.BASE_DIR)]),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions written here are signed with it
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(WEB_WORKERS),
    }


def gunicorn_arguments(*, port: int) -> list[str]:
    """The Dockerfile's own gunicorn command (read from it, so the benchmark cannot drift from the image), bound
    to loopback; the worker count is ``WEB_CONCURRENCY`` as in the image."""
    dockerfile = Path(settings.BASE_DIR) / "Dockerfile"
    commands = [line for line in _joined_lines(dockerfile.read_text()) if line.startswith('CMD ["gunicorn"')]
    if len(commands) != 1:
        raise RuntimeError(f"expected one gunicorn CMD in {dockerfile}, found {len(commands)}")
    arguments: list[str] = json.loads(commands[0].removeprefix("CMD "))[1:]
    bind = arguments.index("--bind")
    arguments[bind + 1] = f"127.0.0.1:{port}"
    return arguments


def _joined_lines(text: str) -> list[str]:
    """A Dockerfile's lines with each instruction's continuation lines joined to it."""
    return text.replace("\\\n", " ").splitlines()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(port: int, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready/", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not become ready: {log.read_text()[-3000:]}")


def _locust(
    port: int, config: Path, results: Path, *, seconds: int, think: bool, out_dir: Path, spawn_rate: int
) -> dict:
    """Run locust headless (bounded in users and time); returns the per-request results it wrote."""
    env = {**os.environ, "LOAD_CONFIG": str(config), "LOAD_RESULTS": str(results), "LOAD_THINK": "1" if think else "0"}
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(LOAD_USERS),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{port}",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    with (out_dir / "locust.log").open("a") as log:
        done = subprocess.run(  # noqa: S603
            command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=seconds + 120, check=False
        )
    if not results.exists():
        raise RuntimeError(f"locust wrote no results (exit {done.returncode}); see {out_dir / 'locust.log'}")
    return json.loads(results.read_text())


STEADY_AFTER = 5.0  # seconds from the first answer: all 50 users spawned (25 a second) and every worker warm


def _steady_rps(run: dict) -> float:
    """Requests answered per second in the steady part of a run: from ``STEADY_AFTER`` seconds after the first answer
    to the last one, so locust's start-up, the users' spawning and the stop are not counted as idle server time.
    Results without end times (a run from before they were recorded) fall back to all requests over the whole run."""
    ends = [entry[4] for entry in run["requests"] if len(entry) > 4]
    if not ends or len(ends) != len(run["requests"]):
        return len(run["requests"]) / run["seconds"]
    start, last = min(ends) + STEADY_AFTER, max(ends)
    if last <= start:
        return len(ends) / run["seconds"]
    return sum(1 for end in ends if end > start) / (last - start)


def _cpu_seconds(server_pid: int, database: str) -> dict[str, float]:
    """CPU seconds used so far by the web server's processes, PostgreSQL's backends and the whole machine.

    A process that ended is counted through its parent's reaped children's times: gunicorn recycles workers, and
    a worker's database connection ends with it, so counting live processes only made both figures fall, even
    below zero, when workers were replaced during the run. The PostgreSQL figure is this run's live backends (their
    process title names the database) plus every backend the server reaped meanwhile (of any database: on a quiet
    machine, this run's own and autovacuum's)."""
    import psutil

    def used(process: psutil.Process, *, reaped: bool = False) -> float:
        try:
            times = process.cpu_times()
        except psutil.Error:
            return 0.0
        own = float(times.user + times.system)
        return own + float(times.children_user + times.children_system) if reaped else own

    server = psutil.Process(server_pid)
    web = sum(used(process, reaped=True) for process in [server, *server.children(recursive=True)])
    backends = 0.0
    processes = {process.pid: process for process in psutil.process_iter(["name", "cmdline", "ppid"])}
    for process in processes.values():
        if not (process.info["name"] or "").startswith("postgres"):
            continue
        parent = processes.get(process.info["ppid"])
        if parent is None or not (parent.info["name"] or "").startswith("postgres"):  # the server itself
            backends += used(process, reaped=True) - used(process)
        elif f" {database} " in f" {' '.join(process.info['cmdline'] or [])} ":
            backends += used(process)
    machine = psutil.cpu_times()
    return {"web": web, "postgres": backends, "machine_busy": float(sum(machine) - machine.idle - machine.iowait)}


def _locust_cpu() -> float:
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return float(children.ru_utime + children.ru_stime)


def cpu_line(before: dict[str, float], after: dict[str, float], *, requests: int, seconds: float) -> str:
    """Where the saturation run's CPU went, per request: the web workers, PostgreSQL, the load generator, and the
    machine's two cores in use (other processes included)."""
    per = {key: (after[key] - before[key]) / max(requests, 1) * 1000 for key in ("web", "postgres", "locust")}
    busy = (after["machine_busy"] - before["machine_busy"]) / max(seconds, 1e-9) / (os.cpu_count() or 1) * 100
    return (
        f"BENCH load_saturation_cpu_per_request web={per['web']:.1f}ms postgres={per['postgres']:.1f}ms "
        f"locust={per['locust']:.1f}ms machine_busy={busy:.0f}%"
    )


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) / 1000 if values else float("nan")


def load_plan_create(*, schools: int) -> dict[str, list[dict]]:
    """The regional bench partnership (risk data, a run, clusters, people) and what each simulated person requests:
    ``{role: [{"session": key, "targets": [{"name", "path", "weight", "group"}]}]}``."""
    partnership = risk_bench_partnership_create(schools=schools)
    partnership.name = "Regional load benchmark (deleted after the run)"
    partnership.save(update_fields=["name"])
    run = risk_run_execute(run=risk_run_create(partnership=partnership, trigger="command", as_at=AS_AT, enqueue=False))
    open_schools = list(School.objects.filter(partnership=partnership, status="Open").order_by("la_code", "urn"))
    with transaction.atomic():
        clusters = _clusters(partnership, open_schools)
        people = _people(partnership, clusters)
    urns = [s.urn for s in open_schools]
    config = {
        role: [
            {
                "session": key,
                "targets": [_target_json(t) for t in targets_for(role, ctx, urns, run.pk)],
            }
            for key, ctx in sessions
        ]
        for role, sessions in people.items()
    }
    return config


def load_benchmark(*, out_dir: Path) -> list[Timing]:
    """Generate the regional data set, serve it in the production shape, load it with locust, report."""
    out_dir.mkdir(parents=True, exist_ok=True)
    bench_partnerships_delete()
    User.objects.filter(email__endswith=f"@{USER_DOMAIN}").delete()
    server = worker = None
    try:
        config = load_plan_create(schools=LOAD_SCHOOLS)
        config_path = out_dir / "load_config.json"
        config_path.write_text(json.dumps(config))

        _write_settings(out_dir)
        env = _server_env(out_dir)
        collected = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if collected.returncode:
            raise RuntimeError(collected.stderr[-3000:])
        port = _free_port()
        web_log = out_dir / "gunicorn.log"
        server = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).with_name("gunicorn")), *gunicorn_arguments(port=port)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=web_log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        worker = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "partnership",
                "worker",
                "-P",
                "solo",
                "-l",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=(out_dir / "worker.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_ready(port, server, web_log)
        mixed = _locust(
            port,
            config_path,
            out_dir / "mixed.json",
            seconds=LOAD_SECONDS,
            think=True,
            out_dir=out_dir,
            spawn_rate=MIXED_SPAWN_RATE,
        )
        database = str(settings.DATABASES["default"]["NAME"])
        before = {**_cpu_seconds(server.pid, database), "locust": _locust_cpu()}
        started = time.monotonic()
        saturated = _locust(
            port,
            config_path,
            out_dir / "saturation.json",
            seconds=SATURATION_SECONDS,
            think=False,
            out_dir=out_dir,
            spawn_rate=SATURATION_SPAWN_RATE,
        )
        after = {**_cpu_seconds(server.pid, database), "locust": _locust_cpu()}
        cpu = cpu_line(before, after, requests=len(saturated["requests"]), seconds=time.monotonic() - started)
    finally:
        for process in (server, worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=60)
        bench_partnerships_delete()
        User.objects.filter(email__endswith=f"@{USER_DOMAIN}").delete()
    return [*report(mixed, saturated), RawLine(cpu)]


def report(mixed: dict, saturated: dict) -> list[Timing]:
    """The BENCH lines: p95 of pages and of dashboards against the health endpoint's, errors, throughput."""
    times: dict[str, list[float]] = {"page": [], "dashboard": [], "health": []}
    by_name: dict[str, list[float]] = {}
    for group, name, millis, *_rest in mixed["requests"]:
        times[group].append(millis)
        by_name.setdefault(name, []).append(millis)
    health = _p95(times["health"])
    lines = [
        Timing("load_pages_p95", _p95(times["page"]), health),
        Timing("load_dashboards_p95", _p95(times["dashboard"]), health),
    ]
    errors = sum(1 for entry in (*mixed["requests"], *saturated["requests"]) if entry[3])
    slowest = sorted(((_p95(v), name, len(v)) for name, v in by_name.items()), reverse=True)[:6]
    extra = [
        f"BENCH load_errors {errors} requests={len(mixed['requests']) + len(saturated['requests'])}",
        f"BENCH load_rps {len(mixed['requests']) / mixed['seconds']:.1f} (mixed, 1-5 s think time, {LOAD_USERS} users)",
        f"BENCH load_saturation_rps {_steady_rps(saturated):.1f} (no think time)",
        *[f"BENCH load_slowest {name} p95={p95 * 1000:.0f}ms n={n}" for p95, name, n in slowest],
    ]
    return [*lines, *[RawLine(text) for text in extra]]


class RawLine(Timing):
    """A BENCH line that is a count or a rate, not a time against a baseline."""

    def __init__(self, text: str) -> None:
        super().__init__(text, 0.0, 0.0)

    def line(self) -> str:
        return self.name
