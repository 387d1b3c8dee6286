"""Issue #15 item 4: a worker killed (SIGKILL, no goodbye) in the middle of a job; after a new worker starts, the
job completes, exactly once in its effects. One test per job kind not covered elsewhere (imports:
tests/schools/test_import_worker.py and tests/partnership/test_job_recovery.py; risk runs: tests/risk/test_worker.py;
publication emails: tests/risk/test_publication_notices.py):

- board KPI refresh and meeting pack: the worker is held mid-job by a table lock the test takes, then killed; the
  new worker finds the job RUNNING with its lock free (the dead worker's connection took it) and runs it again;
- support hand-over emails and peer-review reminders: the worker is held while it sends (a mail server of the
  test's own that answers the first message and then never answers), then killed; the new worker sends the rest
  through the file backend, and nothing is sent twice.

The killed worker's message is restored by the broker after its visibility timeout (5 s here, an hour in
production: ``CELERY_VISIBILITY_TIMEOUT``) and run again by the new worker: the second run finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.conf import settings

from tests.conftest import ROOT, _test_database_url
from tests.factories import PartnershipFactory, UserFactory
from tests.risk.conftest import other_session

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
DEADLINE = 90
VISIBILITY_SECONDS = 5


class FakeSmtp:
    """A mail server on loopback that takes the first ``answered`` messages and then accepts connections without
    ever answering (a worker sending to it hangs, as on a mail server that stopped mid-conversation)."""

    def __init__(self, answered: int) -> None:
        self.answered = answered
        self.messages: list[email.message.Message] = []
        self.connections = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            if self.connections <= self.answered:
                threading.Thread(target=self._talk, args=(conn,), daemon=True).start()
            else:
                self.held.append(conn)  # never answered

    def _talk(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(b"220 fake ESMTP\r\n")
        while line := reader.readline():
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP")):
                conn.sendall(b"250 OK\r\n")
            elif command == b"DATA":
                conn.sendall(b"354 go on\r\n")
                data = b""
                while (chunk := reader.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.messages.append(email.message_from_bytes(data))
                conn.sendall(b"250 queued\r\n")
            elif command == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                break
            else:
                conn.sendall(b"502 no\r\n")
        conn.close()

    def close(self) -> None:
        self.server.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def workers(tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """``workers(smtp=None, visibility=5)``: a real worker on this run's queues with that visibility timeout (the
    broker restores a dead worker's message after it); with ``smtp`` it sends mail to that server, else to files in
    ``tmp_path / "mail"``. Every worker is stopped afterwards."""
    started: list[subprocess.Popen] = []
    queues = redis.Redis.from_url(settings.REDIS_URL)
    # This run's queues and unacknowledged messages: a killed worker's message left behind by an earlier failed
    # test would otherwise be restored into this one.
    keys = [*settings.CELERY_QUEUE_NAMES.values(), *_unacked_keys()]
    queues.delete(*keys)

    def start(smtp: FakeSmtp | None = None, visibility: int = VISIBILITY_SECONDS) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "PARTNERSHIP_TESTING": "1",
            "EMAIL_FILE_PATH": str(tmp_path / "mail"),
            "CELERY_VISIBILITY_TIMEOUT": str(visibility),
        }
        if smtp is not None:
            (tmp_path / "smtp_settings.py").write_text(
                "from partnership.settings import *  # noqa: F403\n"
                "EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'\n"
                f"EMAIL_HOST, EMAIL_PORT, EMAIL_TIMEOUT = '127.0.0.1', {smtp.port}, 300\n"
                "EMAIL_USE_TLS = EMAIL_USE_SSL = False\n"
            )
            env |= {"DJANGO_SETTINGS_MODULE": "smtp_settings", "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
        log = tmp_path / f"worker-{len(started)}.log"
        command = [str(Path(sys.executable).with_name("celery")), "-A", "partnership", "worker", "-l", "info"]
        command += ["-P", "solo", "-Q", ",".join(settings.CELERY_QUEUE_NAMES.values())]
        command += ["--hostname", f"killed{len(started)}@%h"]
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        process.log_path = log  # type: ignore[attr-defined]
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
    queues.delete(*keys)


def _unacked_keys() -> list[str]:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    return [
        str(options.get(name, default))
        for name, default in (("unacked_key", "unacked"), ("unacked_index_key", "unacked_index"))
    ]


def _until(what: Callable[[], object], worker: subprocess.Popen, text: str, seconds: float = DEADLINE) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if what():
            return
        time.sleep(0.25)
    raise AssertionError(f"{text}; the worker's log:\n{worker.log_path.read_text()[-4000:]}")  # type: ignore[attr-defined]


def _kill(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=15)


def _nothing_unacked() -> bool:
    """The killed worker's message was restored and run again (the run's own unacknowledged-message hash is
    empty and its queues too): only then can a test say the job's effects happened exactly once."""
    r = redis.Redis.from_url(settings.REDIS_URL)
    return r.hlen(_unacked_keys()[0]) == 0 and not any(r.llen(q) for q in settings.CELERY_QUEUE_NAMES.values())


def _wait_restorable(worker: subprocess.Popen) -> None:
    """Wait until every unacknowledged message of this run is older than the visibility timeout. A worker restores
    such messages as it starts, and then only every ``unacked_restore_interval * unacked_restore_throttle`` seconds
    (kombu's defaults: 10 x 10): a worker started before the killed worker's message is restorable would not take
    it within the test's deadline."""
    r = redis.Redis.from_url(settings.REDIS_URL)
    index = _unacked_keys()[1]

    def restorable() -> bool:
        newest = r.zrange(index, 0, 0, desc=True, withscores=True)  # [(tag, delivered at)]
        return not newest or float(newest[0][1]) < time.time() - VISIBILITY_SECONDS - 1

    _until(restorable, worker, "the killed worker's message never became restorable", seconds=VISIBILITY_SECONDS + 10)


def _reset_broker_pools() -> None:
    """Forget pooled broker connections (kombu's global pools too), so a publish connects afresh: another test that
    closed a pool in this process must not make this one fail with "Acquire on closed pool"."""
    from partnership.celery import app as celery_app

    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _lock_free(namespace: int, key: int) -> bool:
    with other_session() as other:
        row = other.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s AND granted",
            [namespace, key],
        ).fetchone()
    return row is not None and row[0] == 0


def _mail_files(folder: Path) -> list[email.message.Message]:
    if not folder.exists():
        return []
    messages = []
    for path in sorted(folder.iterdir()):
        for chunk in path.read_text().split("-" * 79):  # the file backend separates messages with a rule
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip() + "\n"))
    return messages


# --------------------------------------------------------------------------------------------- board jobs


def _kpi_world():
    from partnership.board import services
    from schools.models import AreaAverage

    partnership = PartnershipFactory(slug="killed-kpi", la_codes=["936"])
    for year, la, england in [(2017, 60.0, 61.0), (2018, 63.0, 64.0), (2019, 66.0, 65.0)]:
        AreaAverage.objects.create(partnership=partnership, year=year, code="ks2_rwm_exp", area="936", value=la)
        AreaAverage.objects.create(
            partnership=partnership, year=year, code="ks2_rwm_exp", area="england", value=england
        )
    officer = UserFactory(email="killed-kpi@example.test")
    kpi = services.kpi_create_from_library(
        partnership=partnership, code="ks2_rwm_la", target=65.0, target_on=dt.date(2028, 7, 31), user=officer
    )
    return partnership, officer, kpi


def test_a_kpi_refresh_whose_worker_is_killed_completes_once_after_restart(workers):
    from partnership.board import services
    from partnership.board.models import KpiRefresh, KpiValue
    from partnership.models import JobStart

    partnership, officer, kpi = _kpi_world()
    finished: list[str] = []
    from partnership.jobs import job_finished

    table = KpiValue._meta.db_table
    with other_session() as held:
        held.execute("BEGIN")
        held.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # reads go on; the refresh's first write waits
        job = services.kpi_refresh_request(partnership_id=partnership.pk, user=officer)
        first = workers()
        _until(lambda: KpiRefresh.objects.get(pk=job.pk).state == "running", first, "the refresh never started")
        time.sleep(1)  # now waiting on the lock, mid-job
        _kill(first)
        held.execute("ROLLBACK")
    _until(lambda: _lock_free(services.KPI_REFRESH_LOCK_NAMESPACE, job.pk), first, "the dead worker kept its lock")
    assert KpiRefresh.objects.get(pk=job.pk).state == "running"  # orphaned: nobody will finish it but a new worker

    job_finished.connect(lambda **kw: finished.append(kw["state"]), sender=KpiRefresh, weak=False)
    # The production visibility timeout (an hour): the new worker finishes the job at start, not by the broker's
    # restoring the dead worker's message; a third worker then takes that message, which finds nothing to do.
    second = workers(visibility=3600)
    _until(lambda: KpiRefresh.objects.get(pk=job.pk).is_finished, second, "the refresh was not finished")
    _wait_restorable(second)  # the third worker restores the killed worker's message as it starts
    third = workers()
    _until(_nothing_unacked, third, "the killed worker's message was not restored and run")
    job.refresh_from_db()
    assert job.state == "succeeded" and job.counts == {"values": 3}, (job.state, job.message)
    assert JobStart.objects.get(job_model="board.kpirefresh", job_id=job.pk).starts == 2
    # Exactly once in its effects: one value per period, one refresh, nothing queued again.
    assert sorted(KpiValue.objects.filter(kpi=kpi).values_list("period", flat=True)) == [2017, 2018, 2019]
    assert KpiRefresh.objects.filter(partnership=partnership).count() == 1


def test_a_meeting_pack_whose_worker_is_killed_is_built_once_after_restart(workers):
    from partnership.board import services
    from partnership.board.models import Kpi, MeetingPack

    partnership = PartnershipFactory(slug="killed-pack")
    officer = UserFactory(email="killed-pack@example.test")
    meeting = services.meeting_create(
        partnership=partnership, title="Spring board", meets_on=dt.date.today(), location="County Hall", user=officer
    )
    services.agenda_item_add(meeting=meeting, title="Welcome", presenter="Chair", confidential=False)
    with other_session() as held:
        held.execute("BEGIN")
        held.execute(f"LOCK TABLE {Kpi._meta.db_table} IN ACCESS EXCLUSIVE MODE")  # the pack's reading waits
        pack = services.meeting_pack_request(meeting=meeting, user=officer)
        first = workers()
        _until(lambda: MeetingPack.objects.get(pk=pack.pk).progress >= 10, first, "the pack never started")
        time.sleep(1)
        _kill(first)
        held.execute("ROLLBACK")
    _until(lambda: _lock_free(services.MEETING_PACK_LOCK_NAMESPACE, pack.pk), first, "the dead worker kept its lock")

    second = workers(visibility=3600)  # finishes it at start (see the KPI refresh's test)
    _until(lambda: MeetingPack.objects.get(pk=pack.pk).is_finished, second, "the pack was not built")
    _wait_restorable(second)  # the third worker restores the killed worker's message as it starts
    third = workers()
    _until(_nothing_unacked, third, "the killed worker's message was not restored and run")
    pack = MeetingPack.objects.get(pk=pack.pk)
    assert pack.state == "succeeded", pack.message
    assert pack.pdf and bytes(pack.pdf).startswith(b"%PDF") and pack.page_count
    assert MeetingPack.objects.filter(meeting=meeting).count() == 1


# ------------------------------------------------------------------------------------------------- emails


def test_support_emails_whose_worker_is_killed_while_sending_go_once_each(workers, tmp_path):
    from brokerage.models import Notification
    from brokerage.services import notify

    partnership = PartnershipFactory(slug="killed-mail")
    smtp = FakeSmtp(answered=1)
    try:
        first = workers(smtp=smtp)
        addresses = ["first@example.test", "second@example.test", "third@example.test"]
        notify(partnership_id=partnership.pk, key="handover:1", emails=addresses, subject="Hand-over", body="Hello")
        _until(lambda: len(smtp.messages) == 1 and smtp.connections >= 2, first, "the worker never got stuck sending")
        _kill(first)  # while it waits for the mail server to answer about the second email
    finally:
        smtp.close()
    second = workers(visibility=3600)  # sends what waits when it starts
    rows = Notification.objects.filter(partnership=partnership)
    _until(lambda: rows.filter(state="sent").count() == 3, second, "the emails were not all sent")
    _wait_restorable(second)  # the third worker restores the killed worker's message as it starts
    third = workers()
    _until(_nothing_unacked, third, "the killed worker's message was not restored and run")
    by_smtp = [m["To"] for m in smtp.messages]
    by_file = [m["To"] for m in _mail_files(tmp_path / "mail")]
    assert by_smtp == ["first@example.test"]
    assert sorted(by_file) == ["second@example.test", "third@example.test"]  # each once, none again
    assert set(rows.values_list("attempts", flat=True)) == {1}


def test_peer_review_reminders_whose_worker_is_killed_while_sending_go_once_each(world, workers, tmp_path):
    from django.utils import timezone

    from partnership.models import Role
    from peerreview.models import ReminderSent, Review
    from peerreview.tasks import review_reminders_task
    from tests.conftest import make_member
    from tests.peerreview.helpers import pr_world

    w = pr_world(world)
    make_member(w, Role.HEADTEACHER)
    today = timezone.localdate()
    w.pr_visit.state = Review.State.PLANNED
    w.pr_visit.visit_starts_on = w.pr_visit.visit_ends_on = today + dt.timedelta(days=3)
    w.pr_visit.save()
    w.pr_action.due_on = today - dt.timedelta(days=1)
    w.pr_action.save()
    w.pr_review.state = Review.State.REPORT_DRAFT
    w.pr_review.state_changed_at = timezone.now() - dt.timedelta(days=6)
    w.pr_review.save()

    smtp = FakeSmtp(answered=1)
    try:
        first = workers(smtp=smtp)
        _reset_broker_pools()
        review_reminders_task.apply_async()
        _until(lambda: len(smtp.messages) == 1 and smtp.connections >= 2, first, "the worker never got stuck sending")
        _kill(first)
    finally:
        smtp.close()
    assert ReminderSent.objects.count() == 1  # the reminder being sent when the worker died is not claimed

    _wait_restorable(first)
    second = workers()  # takes the killed worker's message as it starts: the broker restores it
    _until(lambda: ReminderSent.objects.count() == 3, second, "the reminders were not all sent")
    _until(_nothing_unacked, second, "the killed worker's message was not restored and run")
    subjects = [m["Subject"] for m in smtp.messages] + [m["Subject"] for m in _mail_files(tmp_path / "mail")]
    assert len(subjects) == 3 and len(set(subjects)) == 3, subjects  # three reminders, each once
