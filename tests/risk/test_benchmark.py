"""The risk benchmark's generated data set is loadable, and the bench writes an assessment for every school."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from demo.benchmarks import risk as benchmark
from demo.benchmarks.risk import BENCH_SLUG_PREFIX, risk_bench_partnership_create, risk_run_benchmark
from partnership.models import Partnership
from schools.models import AreaAverage, Inspection, PerformanceValue, School
from schools.risk.inputs import risk_inputs_load
from schools.risk.models import IntelligenceEntry, RiskAssessment, RiskRun

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^BENCH risk_run \d+\.\d\ds baseline=\d+\.\d\ds ratio=\d+\.\d\d$")


def test_generated_data_set_has_the_contracts_shape():
    partnership = risk_bench_partnership_create(schools=200)
    schools = School.objects.filter(partnership=partnership)
    assert schools.count() == 200
    assert {"Primary", "Secondary"} <= set(schools.values_list("phase", flat=True))
    assert schools.filter(type_group="Academies").exists()
    values = PerformanceValue.objects.filter(partnership=partnership)
    assert set(values.values_list("year", flat=True)) == set(benchmark.YEARS)
    assert {"ks2_rwm_exp", "ks4_att8", "ks4_p8", "abs_overall", "abs_persistent"} <= set(
        values.values_list("code", flat=True)
    )
    assert values.filter(value__isnull=True, missing="SUPP").exists()
    assert values.filter(school__isnull=True).exists()  # a converter's oldest year, under its predecessor's URN
    assert AreaAverage.objects.filter(partnership=partnership, area="england").exists()
    assert Inspection.objects.filter(partnership=partnership, framework="report_card").exists()
    assert Inspection.objects.filter(partnership=partnership, framework="oeif").exists()
    assert IntelligenceEntry.objects.filter(partnership=partnership).exists()
    inputs = risk_inputs_load(partnership=partnership, as_at=benchmark.AS_AT)
    assert len(inputs.schools) == 200 and len(inputs.measures) > 200 * 3 * 5
    again = risk_bench_partnership_create(schools=200)  # the same seed draws the same data set
    assert list(School.objects.filter(partnership=again).order_by("urn").values_list("urn", "name", "phase")) == list(
        schools.order_by("urn").values_list("urn", "name", "phase")
    )


def test_bench_prints_its_line_and_assesses_every_school(monkeypatch):
    runs: list[RiskRun] = []
    original = benchmark.bench_partnerships_delete

    def keep_counts() -> None:  # look at the runs before the clean-up deletes them
        runs.extend(RiskRun.objects.filter(partnership__slug__startswith=BENCH_SLUG_PREFIX))
        for run in runs:
            run.assessed = RiskAssessment.objects.filter(run=run).values("school").distinct().count()
            run.schools = School.objects.filter(partnership=run.partnership_id).count()
        original()

    monkeypatch.setattr(benchmark, "bench_partnerships_delete", keep_counts)
    (timing,) = risk_run_benchmark(schools=200, repeats=2)
    assert LINE.match(timing.line())
    assert len(runs) == 2
    assert all(run.state == RiskRun.State.SUCCEEDED and run.assessed == run.schools == 200 for run in runs)
    assert not Partnership.objects.filter(slug__startswith=BENCH_SLUG_PREFIX).exists()  # cleaned up


def test_bench_command_knows_risk_run():
    out = StringIO()
    call_command("bench", "--list", stdout=out)
    assert "risk_run: " in out.getvalue()
