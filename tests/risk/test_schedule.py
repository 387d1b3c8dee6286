"""Beat recomputes categories nightly (RISK_SCHEDULE_CRON) and re-sends waiting risk runs."""

from __future__ import annotations

import subprocess
import sys

from celery.schedules import crontab
from django.conf import settings

from partnership.celery import app as celery_app
from schools.risk.models import RiskRun
from schools.risk.tasks import risk_runs_schedule_task
from tests.conftest import ROOT


def test_beat_recomputes_nightly_and_resends_waiting_runs():
    celery_app.loader.import_default_modules()
    entries = settings.CELERY_BEAT_SCHEDULE
    nightly, requeue = entries["risk-recompute"], entries["risk-runs-requeue"]
    assert nightly["schedule"] == crontab(minute="30", hour="2")
    assert requeue["schedule"] == settings.IMPORT_REQUEUE_SECONDS
    assert {nightly["task"], requeue["task"]} <= set(celery_app.tasks)


def _schedule_with(cron: str) -> str:
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'partnership.settings'; "
        "from django.conf import settings; "
        "print(settings.CELERY_BEAT_SCHEDULE.get('risk-recompute', {}).get('schedule'))"
    )
    env = {"RISK_SCHEDULE_CRON": cron, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def test_the_schedule_is_configurable_and_can_be_switched_off():
    assert _schedule_with("0 6 * * 1-5") == "<crontab: 0 6 * * 1-5 (m/h/dM/MY/d)>"
    assert _schedule_with("off") == "None"
    assert "ValueError" in _schedule_with("every night")  # not five fields: settings refuse to load


def test_the_scheduled_task_asks_for_one_run_per_partnership(world):
    assert risk_runs_schedule_task.apply().get() == 2
    assert risk_runs_schedule_task.apply().get() == 2
    assert RiskRun.objects.filter(trigger=RiskRun.Trigger.SCHEDULE).count() == 2
