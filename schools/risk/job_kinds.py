"""Risk's kinds of background job on the admins' jobs page: risk runs and publication emails."""

from __future__ import annotations

from django.db import transaction

from partnership.jobs import JobKind, JobKindCounts, job_counts
from partnership.models import Partnership, User
from schools.risk.categorisation.notices import publication_notices_retry
from schools.risk.models import CategorisationRound, PublicationNotice, RiskRun
from schools.risk.services import risk_run_create


def _runs(*, partnership_id: int, since) -> JobKindCounts:
    return job_counts(RiskRun.objects.filter(partnership_id=partnership_id), since=since)


def _runs_retry(*, partnership_id: int, user: User | None) -> int:
    """A failed run is not resumed: the latest one failed, so a new run of every school is queued (or the one
    already waiting is kept)."""
    latest = RiskRun.objects.filter(partnership_id=partnership_id).order_by("-created_at", "-pk").first()
    if latest is None or latest.state != RiskRun.State.FAILED:
        return 0
    partnership = Partnership.objects.get(pk=partnership_id)
    run = risk_run_create(partnership=partnership, trigger=RiskRun.Trigger.BUTTON, requested_by=user)
    return int(bool(getattr(run, "is_new", True)))


def _notices(*, partnership_id: int, since) -> JobKindCounts:
    notices = PublicationNotice.objects.filter(round__partnership_id=partnership_id)
    return job_counts(
        notices,
        since=since,
        queued=PublicationNotice.State.WAITING,
        running=None,
        failed_at="waiting_since",
        error="last_error",
    )


@transaction.atomic
def _notices_retry(*, partnership_id: int, user: User | None) -> int:
    rounds = CategorisationRound.objects.filter(
        partnership_id=partnership_id, notices__state=PublicationNotice.State.FAILED
    ).distinct()
    return sum(publication_notices_retry(round_=round_) for round_ in rounds)


RISK_RUNS = JobKind(key="risk-runs", label="Risk runs", counts=_runs, retry=_runs_retry)
PUBLICATION_EMAILS = JobKind(
    key="publication-emails",
    label="Emails telling schools their category is published",
    counts=_notices,
    retry=_notices_retry,
)
