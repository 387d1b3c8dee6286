"""Issue #15 item 6: admins see every kind of background job's waiting, running and failed counts (failed over the
last 7 days) with the latest failure's message, without personal data, and queue failed ones again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from brokerage.models import Notification
from partnership.board.models import KpiRefresh, Meeting, MeetingPack
from partnership.jobs import job_error_redacted, job_kinds, jobs_overview
from partnership.models import Role
from schools.models import ImportJob
from tests.conftest import client_for, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Retrying queues tasks: record them instead of reaching the broker."""
    from brokerage.tasks import notifications_send_task
    from partnership.board.tasks import kpi_refresh_task, meeting_pack_task

    sent: list = []
    for task in (notifications_send_task, kpi_refresh_task, meeting_pack_task):
        monkeypatch.setattr(task, "apply_async", lambda *a, _t=task, **k: sent.append(_t.name))
    return sent


def _row(partnership_id: int, key: str):
    return next(row for row in jobs_overview(partnership_id=partnership_id) if row.kind.key == key)


def test_every_kind_of_job_is_listed():
    keys = {kind.key for kind in job_kinds()}
    assert keys >= {"imports", "risk-runs", "publication-emails", "kpi-refreshes", "meeting-packs", "support-emails"}


def test_counts_are_per_partnership_and_failures_only_of_the_last_week(world):
    now = timezone.now()
    KpiRefresh.objects.create(
        partnership=world.home, state="failed", message="Old failure", finished_at=now - dt.timedelta(days=8)
    )
    KpiRefresh.objects.create(
        partnership=world.home, state="failed", message="The KPIs could not be computed: boom", finished_at=now
    )
    KpiRefresh.objects.create(partnership=world.home, state="running", started_at=now)
    KpiRefresh.objects.create(partnership=world.other, state="failed", message="Theirs", finished_at=now)
    ImportJob.objects.create(partnership=world.home, kind="gias", original_filename="a.csv", state="queued")
    row = _row(world.home.pk, "kpi-refreshes")
    assert (row.counts.queued, row.counts.running, row.counts.failed) == (0, 1, 1)
    assert row.counts.latest_error == "The KPIs could not be computed: boom"
    assert _row(world.home.pk, "imports").counts.queued >= 1
    assert _row(world.other.pk, "kpi-refreshes").counts.latest_error == "Theirs"


def test_error_messages_lose_email_addresses_and_quoted_values():
    assert job_error_redacted("550 5.1.1 <jane.smith@school.sch.uk>: Recipient address rejected") == (
        "550 5.1.1 <[email address]>: Recipient address rejected"
    )
    text = (
        'duplicate key value violates unique constraint "x"\nDETAIL:  Key (email, key)=(Jo Bloggs, k1) already exists.'
    )
    assert "Jo Bloggs" not in job_error_redacted(text) and "Key (email, key)=(…)" in job_error_redacted(text)


def test_the_page_shows_admins_the_counts_and_the_redacted_error(world):
    Notification.objects.create(
        partnership=world.home,
        key="k",
        email="head@school.example.test",
        subject="s",
        body="b",
        state="failed",
        attempts=5,
        last_error="550 <head@school.example.test> mailbox unavailable",
    )
    response = client_for(make_member(world, Role.ADMIN).user).get(reverse("partnership:jobs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Support hand-over emails" in page and "mailbox unavailable" in page
    assert "head@school.example.test" not in page
    assert reverse("partnership:jobs_retry", args=["support-emails"]) in page
    assert "upload the file again" not in page  # no failed import: no explanation needed


def test_officers_and_others_do_not_see_it(world):
    for role in (Role.OFFICER, Role.HEADTEACHER, Role.BOARD_MEMBER):
        response = client_for(make_member(world, role).user).get(reverse("partnership:jobs"))
        assert response.status_code == 403, role


def test_retrying_failed_emails_puts_them_back_in_the_queue(world, _no_broker):
    failed = Notification.objects.create(
        partnership=world.home, key="k", email="a@example.test", subject="s", body="b", state="failed", attempts=5
    )
    theirs = Notification.objects.create(
        partnership=world.other, key="k", email="b@example.test", subject="s", body="b", state="failed", attempts=5
    )
    client = client_for(make_member(world, Role.ADMIN).user)
    response = client.post(reverse("partnership:jobs_retry", args=["support-emails"]), follow=True)
    assert "1 queued again" in response.content.decode()
    failed.refresh_from_db()
    theirs.refresh_from_db()
    assert (failed.state, failed.attempts) == ("waiting", 0)
    assert theirs.state == "failed"  # another partnership's are not touched
    assert "brokerage.tasks.notifications_send_task" in _no_broker


def test_retrying_board_jobs_queues_a_new_refresh_and_a_new_pack(world, _no_broker):
    now = timezone.now()
    KpiRefresh.objects.create(partnership=world.home, state="failed", message="x", finished_at=now)
    meeting = Meeting.objects.create(partnership=world.home, title="Spring board", meets_on=dt.date.today())
    MeetingPack.objects.create(partnership=world.home, meeting=meeting, state="failed", message="x", finished_at=now)
    client = client_for(make_member(world, Role.ADMIN).user)
    client.post(reverse("partnership:jobs_retry", args=["kpi-refreshes"]))
    client.post(reverse("partnership:jobs_retry", args=["meeting-packs"]))
    assert KpiRefresh.objects.filter(partnership=world.home, state="queued").count() == 1
    assert MeetingPack.objects.filter(meeting=meeting, state="queued").count() == 1
    client.post(reverse("partnership:jobs_retry", args=["meeting-packs"]))  # the latest pack is not failed now
    assert MeetingPack.objects.filter(meeting=meeting).count() == 2


def test_a_kind_that_cannot_be_retried_says_why_and_refuses(world):
    ImportJob.objects.create(
        partnership=world.home,
        kind="gias",
        original_filename="a.csv",
        state="failed",
        message="Bad file",
        finished_at=timezone.now(),
    )
    client = client_for(make_member(world, Role.ADMIN).user)
    assert "upload the file again" in client.get(reverse("partnership:jobs")).content.decode()
    assert client.post(reverse("partnership:jobs_retry", args=["imports"])).status_code == 404
