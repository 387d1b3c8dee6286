"""The benchmark's generated extract is a valid full-layout GIAS file, and the bench command selects by name."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from demo.benchmarks.gias import EDUBASE_HEADINGS, gias_bench_file
from schools.importers import gias_import
from schools.models import Network, School
from tests.paths import GIAS_FULL_SAMPLE


def test_generated_file_has_the_real_layout_and_imports_cleanly(england, tmp_path):
    path = gias_bench_file(tmp_path / "bench.csv", rows=400)
    assert gias_bench_file(tmp_path / "again.csv", rows=400).read_bytes() == path.read_bytes()  # deterministic
    with GIAS_FULL_SAMPLE.open(encoding="utf-8", newline="") as sample:
        assert list(EDUBASE_HEADINGS) == next(csv.reader(sample))
    text = path.read_bytes().decode("cp1252")
    assert "\u2019" in text  # Windows-1252 apostrophes, as in the real extract
    first = gias_import(partnership=england, path=path)
    assert first.ok and first.counts["created"] == 400
    assert first.counts["networks_created"] > 10 and first.counts["memberships_started"] > 100
    assert School.objects.filter(partnership=england, status="Closed").exists()
    trusts = Network.objects.filter(partnership=england, kind=Network.Kind.TRUST)
    assert any(t.memberships.count() > 1 for t in trusts)  # trusts shared by several schools
    for latitude, longitude in School.objects.filter(partnership=england).values_list("latitude", "longitude"):
        assert 49.8 < latitude < 55.9 and -6.5 < longitude < 2.0
    again = gias_import(partnership=england, path=path)
    assert again.counts["unchanged"] == 400 and again.counts["changes_recorded"] == 0


def test_bench_command_lists_and_refuses_unknown_benchmarks():
    out = StringIO()
    call_command("bench", "--list", stdout=out)
    assert out.getvalue().startswith("gias: ")
    with pytest.raises(CommandError, match="Unknown benchmark risk"):
        call_command("bench", "--only", "gias,risk")
