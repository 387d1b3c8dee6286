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
