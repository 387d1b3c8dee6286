"""The board's kinds of background job on the admins' jobs page: KPI refreshes and meeting packs."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from partnership.board.models import KpiRefresh, Meeting, MeetingPack
from partnership.board.services import kpi_refresh_request, meeting_pack_request
from partnership.jobs import JobKind, JobKindCounts, job_counts
from partnership.models import User


def _refreshes(*, partnership_id: int, since) -> JobKindCounts:
    return job_counts(KpiRefresh.objects.filter(partnership_id=partnership_id), since=since)


def _refresh_retry(*, partnership_id: int, user: User | None) -> int:
    """A new refresh when the latest one failed (a refresh recomputes everything, so one is enough)."""
    latest = KpiRefresh.objects.filter(partnership_id=partnership_id).order_by("-created_at", "-pk").first()
    if latest is None or latest.state != KpiRefresh.State.FAILED:
        return 0
    kpi_refresh_request(partnership_id=partnership_id, user=user)
    return 1


def _packs(*, partnership_id: int, since) -> JobKindCounts:
    return job_counts(MeetingPack.objects.filter(partnership_id=partnership_id), since=since)


def _packs_retry(*, partnership_id: int, user: User | None) -> int:
    """A new pack for every meeting whose latest pack failed."""
    latest_state = Subquery(
        MeetingPack.objects.filter(meeting=OuterRef("pk")).order_by("-created_at", "-pk").values("state")[:1]
    )
    meetings = Meeting.objects.filter(partnership_id=partnership_id).annotate(latest_state=latest_state)
    failed = list(meetings.filter(latest_state=MeetingPack.State.FAILED))
    for meeting in failed:
        meeting_pack_request(meeting=meeting, user=user)
    return len(failed)


KPI_REFRESHES = JobKind(key="kpi-refreshes", label="Board KPI refreshes", counts=_refreshes, retry=_refresh_retry)
MEETING_PACKS = JobKind(key="meeting-packs", label="Board meeting packs", counts=_packs, retry=_packs_retry)
