"""The register's kinds of background job on the admins' jobs page (``partnership.jobs.job_kind_register``)."""

from __future__ import annotations

from partnership.jobs import JobKind, JobKindCounts, job_counts
from schools.models import ImportJob


def _imports(*, partnership_id: int, since) -> JobKindCounts:
    return job_counts(ImportJob.objects.filter(partnership_id=partnership_id), since=since)


IMPORTS = JobKind(
    key="imports",
    label="Imports (GIAS and performance files)",
    counts=_imports,
    no_retry="An import's file is deleted when its job ends: upload the file again.",
)
