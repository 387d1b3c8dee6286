"""What the import contracts (.importlinter, ``make lint``) rely on at run time."""

from __future__ import annotations

from partnership.celery import app as celery_app
from schools.importers.service import GIAS_IMPORT_TASK, PERFORMANCE_IMPORT_TASK
from schools.risk.categorisation.notices import PUBLICATION_NOTICES_TASK
from schools.risk.services import RISK_RUN_TASK
from schools.signals import register_data_changed


def test_services_queue_tasks_by_names_that_are_registered():
    """Services look their task up by name (they may not import tasks): each name must be a real task."""
    celery_app.loader.import_default_modules()
    for name in (GIAS_IMPORT_TASK, PERFORMANCE_IMPORT_TASK, RISK_RUN_TASK, PUBLICATION_NOTICES_TASK):
        assert name in celery_app.tasks, name


def test_risk_listens_to_the_register():
    """The register imports no consumer; the risk app connects to its event in ready()."""
    receivers = [entry[1]() for entry in register_data_changed.receivers]  # (key, weak reference, ...)
    assert any(getattr(r, "__module__", "") == "schools.risk.receivers" for r in receivers)


def test_the_engine_reads_inspection_columns_the_register_keeps():
    """One inspection field list (schools.models.INSPECTION_FIELDS); the engine's frame contract is a subset."""
    from schools.models import INSPECTION_FIELDS, Inspection
    from schools.risk.engine.frames import INSPECTION_GRADES, INSPECTION_TEXT

    assert set(INSPECTION_GRADES) | set(INSPECTION_TEXT) <= set(INSPECTION_FIELDS)
    columns = {f.name for f in Inspection._meta.get_fields()}
    assert set(INSPECTION_FIELDS) <= columns


def test_a_web_process_finds_the_tasks_it_queues_by_name():
    """In a process where no worker started (web, commands), autodiscovery has not imported the tasks modules:
    task_named imports them on first use, so a service never fails to queue (it did before this test)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup()\n"
        "from partnership.celery import app, task_named\n"
        f"names = {[GIAS_IMPORT_TASK, PERFORMANCE_IMPORT_TASK, RISK_RUN_TASK, PUBLICATION_NOTICES_TASK]!r}\n"
        "assert not set(names) & set(app.tasks), 'already registered: the test would prove nothing'\n"
        "print(sorted(task_named(name).name for name in names))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnership.settings"}
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert RISK_RUN_TASK in done.stdout
