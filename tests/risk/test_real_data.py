"""On the real Surrey files: an import asks for a recomputation, and a run categorises the real register."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from schools.importers.service import gias_import
from schools.models import PerformanceValue, School, SchoolLink
from schools.performance.service import performance_import
from schools.risk.inputs import risk_inputs_load
from schools.risk.models import RiskAssessment, RiskRun
from schools.risk.selectors import assessments_expand
from tests.factories import PartnershipFactory
from tests.paths import GIAS_2021, GIAS_2022, GIAS_LINKS, KS2_2018, KS2_2019, KS4_2019
from tests.schools.conftest import import_gias


@pytest.fixture
def surrey_register(db):
    """Surrey with its real register: the 2021 and 2022 GIAS exports and the links file."""
    surrey = PartnershipFactory(slug="surrey", name="Surrey Partnership", la_codes=["936"])
    for path in (GIAS_2021, GIAS_2022, GIAS_LINKS):
        import_gias(path, surrey)
    return surrey


def test_an_import_queues_a_recomputation_of_the_schools_it_touched(
    surrey_register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = performance_import(partnership=surrey_register, kind="ks2", year=2019, path=KS2_2019)
    assert result.ok
    run = RiskRun.objects.get(partnership=surrey_register)
    assert (run.trigger, run.state) == (RiskRun.Trigger.IMPORT, RiskRun.State.QUEUED)
    touched = set(PerformanceValue.objects.filter(partnership=surrey_register).values_list("school_id", flat=True))
    assert set(run.school_ids) == touched - {None} and len(run.school_ids) > 200
    with django_capture_on_commit_callbacks(execute=True):
        performance_import(partnership=surrey_register, kind="ks4", year=2019, path=KS4_2019)
    assert RiskRun.objects.filter(partnership=surrey_register).count() == 1  # the waiting run takes both


def test_a_gias_import_queues_a_recomputation_of_the_schools_it_created_or_changed(
    db, django_capture_on_commit_callbacks
):
    surrey = PartnershipFactory(slug="surrey-gias", name="Surrey", la_codes=["936"])
    with django_capture_on_commit_callbacks(execute=True):
        assert gias_import(partnership=surrey, path=GIAS_2021).ok
    run = RiskRun.objects.get(partnership=surrey)
    assert run.trigger == RiskRun.Trigger.IMPORT
    assert set(run.school_ids) == set(School.objects.filter(partnership=surrey).values_list("pk", flat=True))
    RiskRun.objects.filter(pk=run.pk).update(state=RiskRun.State.SUCCEEDED)
    with django_capture_on_commit_callbacks(execute=True):
        assert gias_import(partnership=surrey, path=GIAS_2021).ok  # the same file again changes nothing ...
    assert RiskRun.objects.filter(partnership=surrey).count() == 1  # ... so nothing is recomputed
    with django_capture_on_commit_callbacks(execute=True):
        result = gias_import(partnership=surrey, path=GIAS_2022)
    changed = RiskRun.objects.filter(partnership=surrey, state=RiskRun.State.QUEUED).get()
    assert len(changed.school_ids) == result.counts["created"] + result.counts["updated"] > 0


def test_a_run_as_at_2019_categorises_every_open_surrey_school_from_its_real_results(surrey_register):
    for kind, year, path in (("ks2", 2018, KS2_2018), ("ks2", 2019, KS2_2019), ("ks4", 2019, KS4_2019)):
        assert performance_import(partnership=surrey_register, kind=kind, year=year, path=path).ok
    out = StringIO()
    call_command("compute_risk", "--partnership", "surrey", "--wait", "--as-at", "2019", stdout=out)
    run = RiskRun.objects.get(partnership=surrey_register, trigger=RiskRun.Trigger.COMMAND)
    assert run.state == RiskRun.State.SUCCEEDED and run.as_at == 2019
    open_schools = School.objects.filter(partnership=surrey_register).open().state_funded()
    assert run.counts["schools"] == open_schools.count() > 300
    assert f"{run.counts['schools']:,} schools categorised" in out.getvalue()
    assessments = RiskAssessment.objects.filter(run=run)
    assert set(assessments.values_list("school_id", flat=True)) == set(open_schools.values_list("pk", flat=True))
    expanded = list(assessments)
    assessments_expand(expanded)
    rated_s2 = [a for a in expanded if a.indicators["S2"]["rating"] in ("G", "A", "R")]
    assert len(rated_s2) > 150, "most primaries have a KS2 expected-standard rating from the real files"
    assert any("national" in a.indicators["S2"]["sentence"] for a in rated_s2)
    # Woodmansterne Primary School (URN 147257, an academy since 2019) keeps the results published under its
    # predecessor's URN 124940, as the GIAS links file says.
    school = School.objects.get(partnership=surrey_register, urn=147257)
    assert SchoolLink.objects.filter(partnership=surrey_register, urn=147257, linked_urn=124940).exists()
    inputs = risk_inputs_load(partnership=surrey_register, as_at=2019)
    own = measures_of(surrey_register, 147257)
    inherited = measures_of(surrey_register, 124940)
    loaded = {
        (r["year"], r["code"]): r["value"]
        for r in inputs.measures[inputs.measures["school_id"] == school.pk].to_dict("records")
    }
    moved = {key: value for key, value in inherited.items() if key not in own}
    assert moved, "the predecessor published results the academy never did"
    assert all(loaded[key] == value or (value != value and loaded[key] != loaded[key]) for key, value in moved.items())
    assert all(loaded[key] == value or value != value for key, value in own.items())


def measures_of(partnership, urn: int) -> dict:
    """(year, code) → value (NaN when missing) of one URN's stored rows."""
    rows = PerformanceValue.objects.filter(partnership=partnership, urn=urn).values_list("year", "code", "value")
    return {(year, code): float("nan") if value is None else value for year, code, value in rows}
