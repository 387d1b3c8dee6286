"""Benchmarks, each timed against a baseline and printed as ``BENCH <name> <s>s baseline=<s>s ratio=<x>``.

Benchmarks are registered by name with ``@benchmark("name")``; their generators live in ``demo/benchmarks/``
(development only, like this command). Any installed app may also add its own in a ``benchmarks`` module, which
this command imports before running. ``--only gias`` runs a selection.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import autodiscover_modules

from demo.benchmarks.gias import ENGLAND_ESTABLISHMENTS, Timing, gias_import_benchmark
from demo.benchmarks.load import load_benchmark
from demo.benchmarks.risk import ENGLAND_SCHOOLS, risk_run_benchmark

BenchmarkFunction = Callable[[Path], list[Timing]]
BENCHMARKS: dict[str, BenchmarkFunction] = {}


def benchmark(name: str) -> Callable[[BenchmarkFunction], BenchmarkFunction]:
    """Register ``function(out_dir) -> list[Timing]`` under ``name`` for ``manage.py bench``."""

    def register(function: BenchmarkFunction) -> BenchmarkFunction:
        BENCHMARKS[name] = function
        return function

    return register


@benchmark("gias")
def gias(out_dir: Path) -> list[Timing]:
    """England-sized GIAS extract: full import and idempotent re-import against a bare pandas read (best of 3)."""
    return gias_import_benchmark(out_dir=out_dir, rows=ENGLAND_ESTABLISHMENTS, repeats=3)


@benchmark("risk_run")
def risk_run(out_dir: Path) -> list[Timing]:
    """England-sized risk data set in PostgreSQL: full risk run (load, compute, write) against the load (best of 3)."""
    return risk_run_benchmark(schools=ENGLAND_SCHOOLS, repeats=3)


@benchmark("load")
def load(out_dir: Path) -> list[Timing]:
    """Regional data set served in the production shape (gunicorn, Celery) under 50 locust users: p95 of pages and
    dashboards against the health endpoint's, errors, requests per second, saturation throughput."""
    return load_benchmark(out_dir=out_dir / "load")


class Command(BaseCommand):
    help = "Run the benchmarks (generated data goes to .data/bench/, which is not committed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only", action="append", default=[], help="run only these benchmarks (repeat or comma-separate)"
        )
        parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
        parser.add_argument("--out-dir", default=str(Path(settings.BASE_DIR) / ".data" / "bench"))

    def handle(self, *args, **options) -> None:
        autodiscover_modules("benchmarks")
        if options["list"]:
            for name, function in sorted(BENCHMARKS.items()):
                self.stdout.write(f"{name}: {(function.__doc__ or '').strip()}")
            return
        for name in self._selected(options["only"]):
            for timing in BENCHMARKS[name](Path(options["out_dir"])):
                self.stdout.write(timing.line())

    def _selected(self, only: list[str]) -> list[str]:
        names = [n.strip() for chunk in only for n in chunk.split(",") if n.strip()] or sorted(BENCHMARKS)
        unknown = sorted(set(names) - set(BENCHMARKS))
        if unknown:
            raise CommandError(f"Unknown benchmark {', '.join(unknown)}: choose from {', '.join(sorted(BENCHMARKS))}")
        return names
