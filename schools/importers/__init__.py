"""GIAS importers: the establishment register, its change history and networks, and the links file.

Public entry points (everything else in the package is an implementation detail):

* ``gias_import(partnership=, path=, job=None, on_progress=None) -> ImportResult`` — the import service.
* ``import_job_create(partnership=, uploaded_file=, created_by=) -> ImportJob`` — store an upload and queue it.
* ``TRACKED_FIELDS`` and the ``FIELD_*`` constants — the SchoolChange field names the history uses.
"""

from schools.importers.columns import (
    FIELD_CLOSE_DATE,
    FIELD_DIOCESE,
    FIELD_FEDERATION,
    FIELD_HEAD_FIRST_NAME,
    FIELD_HEAD_LAST_NAME,
    FIELD_HEAD_TITLE,
    FIELD_NAME,
    FIELD_OFSTED_RATING,
    FIELD_PHASE,
    FIELD_STATUS,
    FIELD_TRUST,
    FIELD_TYPE,
    HEAD_FIELDS,
    TRACKED_FIELDS,
)
from schools.importers.errors import ImportRejected, RowError
from schools.importers.service import (
    WAITING_MESSAGE,
    ImportLocked,
    ImportResult,
    gias_import,
    import_job_create,
    import_job_run,
)

__all__ = [
    "FIELD_CLOSE_DATE",
    "FIELD_DIOCESE",
    "FIELD_FEDERATION",
    "FIELD_HEAD_FIRST_NAME",
    "FIELD_HEAD_LAST_NAME",
    "FIELD_HEAD_TITLE",
    "FIELD_NAME",
    "FIELD_OFSTED_RATING",
    "FIELD_PHASE",
    "FIELD_STATUS",
    "FIELD_TRUST",
    "FIELD_TYPE",
    "HEAD_FIELDS",
    "TRACKED_FIELDS",
    "WAITING_MESSAGE",
    "ImportLocked",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "gias_import",
    "import_job_create",
    "import_job_run",
]
