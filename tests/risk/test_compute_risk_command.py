"""``manage.py compute_risk``: queue a run per partnership, or run it here with --wait and print the counts."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from schools.risk.models import IntelligenceEntry, RiskAssessment, RiskRun, RuleSetVersion
from schools.risk.services import ruleset_version_active
from tests.risk.helpers import entry


def _call(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("compute_risk", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_wait_computes_here_and_prints_counts_by_category(world):
    entry(
        world.own_school,
        kind=IntelligenceEntry.Kind.WARNING_NOTICE,
        rating=IntelligenceEntry.Rating.RED,
        recorded_on=dt.date.today(),
    )
    out, _ = _call("--partnership", "home", "--wait")
    run = RiskRun.objects.get(partnership=world.home)
    assert run.state == RiskRun.State.SUCCEEDED and run.trigger == RiskRun.Trigger.COMMAND
    assert f"Risk run {run.pk} for home: 4 schools categorised" in out
    assert "4 Intensive (causing concern): 1" in out
    assert "Schools categorised: 4" in out
    lines = [line.strip() for line in out.splitlines() if line.strip()[:1].isdigit()]
    unknown = next(line for line in out.splitlines() if "Insufficient evidence: officer to categorise" in line)
    # every school in exactly one category, or counted apart as insufficient evidence (#14.1)
    assert sum(int(line.rsplit(": ", 1)[1]) for line in lines) + int(unknown.rsplit(": ", 1)[1]) == 4
    assert RiskAssessment.objects.filter(run=run).count() == 4
    assert not RiskRun.objects.filter(partnership=world.other).exists()


def test_without_wait_one_run_per_partnership_is_queued_and_a_waiting_one_reused(world):
    out, _ = _call()
    runs = {r.partnership.slug: r for r in RiskRun.objects.select_related("partnership")}
    assert set(runs) == {"home", "other"} and all(r.state == RiskRun.State.QUEUED for r in runs.values())
    assert f"Queued risk run {runs['home'].pk} for home" in out
    again, _ = _call("--partnership", "home")
    assert f"Already waiting for a worker: risk run {runs['home'].pk} for home" in again
    assert RiskRun.objects.count() == 2


def test_a_waiting_run_is_computed_by_wait(world):
    _call("--partnership", "home")
    out, _ = _call("--partnership", "home", "--wait")
    assert RiskRun.objects.get().state == RiskRun.State.SUCCEEDED and "4 schools categorised" in out


def test_a_failed_run_is_reported_and_the_command_fails(world):
    version = ruleset_version_active(partnership=world.home)
    RuleSetVersion.objects.filter(pk=version.pk).update(config={**version.config, "bands": {"d_min_reds": -1}})
    err = StringIO()
    with pytest.raises(CommandError, match="Risk runs failed for home"):
        call_command("compute_risk", "--partnership", "home", "--wait", stdout=StringIO(), stderr=err)
    assert "The rule set is not valid" in err.getvalue()
    assert RiskRun.objects.get().state == RiskRun.State.FAILED


def test_an_unknown_partnership_is_refused(world):
    with pytest.raises(CommandError, match="There is no partnership 'nowhere'"):
        _call("--partnership", "nowhere")


def test_as_at_is_honoured_a_waiting_run_for_another_year_is_never_reused(world):
    """#14.2: an import queued a run as at today; ``--wait --as-at 2019`` must categorise 2019, not reuse it."""
    from schools.risk.services import performance_imported

    queued = performance_imported(partnership=world.home, school_ids=[world.own_school.pk])
    out, _ = _call("--partnership", "home", "--wait", "--as-at", "2019")
    ran = RiskRun.objects.get(partnership=world.home, as_at=2019)
    assert ran.pk != queued.pk and ran.state == RiskRun.State.SUCCEEDED
    assert f"Risk run {ran.pk} for home" in out
    queued.refresh_from_db()
    assert (queued.state, queued.as_at) == (RiskRun.State.QUEUED, None)  # still waiting for its worker
    # the same year again reuses its own waiting run, and another year waits beside it
    _call("--partnership", "home", "--as-at", "2020")
    _call("--partnership", "home", "--as-at", "2020")
    assert RiskRun.objects.filter(partnership=world.home, as_at=2020, state=RiskRun.State.QUEUED).count() == 1
    assert RiskRun.objects.filter(partnership=world.home, state=RiskRun.State.QUEUED).count() == 2
