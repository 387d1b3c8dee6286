"""Telling heads and chairs that their category is published: a notice per person written with the publication,
sent by a Celery job at most once each, refused addresses retried then shown to officers, nothing lost when
the broker or the mail server is down."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import time

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.urls import reverse

from partnership.celery import app as celery_app
from partnership.models import Membership, Role
from schools.risk.categorisation import services as rounds
from schools.risk.categorisation.notices import (
    LATER,
    MAX_ATTEMPTS,
    REFUSED,
    SERVER,
    TRY_LATER_DAYS,
    publication_notices_requeue,
    publication_notices_retry,
    publication_notices_send,
    smtp_failure,
)
from schools.risk.models import CategorisationRound, PublicationNotice
from tests.conftest import client_for, make_member
from tests.factories import PartnershipFactory, SchoolFactory, UserFactory
from tests.risk.helpers import succeeded_run
from tests.risk.smtp_server import SmtpBehaviour, SmtpServer
from tests.risk.test_runs import _reset_broker_connections

State = PublicationNotice.State
TASK = "schools.risk.tasks.publication_notices_task"


@pytest.fixture
def officer(world):
    return UserFactory(email="publishing-officer@example.test")


@pytest.fixture
def agreed(world, officer):
    SchoolFactory.create_batch(3, partnership=world.home)
    opened = rounds.categorisation_round_create(
        partnership=world.home, run=succeeded_run(world.home), name="Autumn 2026", user=officer
    )
    return rounds.categorisation_round_agree(round_=opened, agreed_on=dt.date.today(), minute="SB/7", user=officer)


def member(partnership, school, role=Role.HEADTEACHER, email="head@x.example.test") -> Membership:
    user = UserFactory(email=email)
    return Membership.objects.create(user=user, partnership=partnership, roles=[role], school=school)


def publish(round_, officer, capture, today=dt.date(2026, 11, 23)) -> CategorisationRound:
    with capture(execute=True):
        return rounds.categorisation_round_publish(
            round_=round_, user=officer, base_url="https://app.example/", today=today
        )


def test_publication_writes_one_notice_per_head_and_chair_and_queues_the_sending(
    world, agreed, officer, django_capture_on_commit_callbacks, queue
):
    head = member(world.home, world.own_school)
    chair = member(world.home, world.own_school, Role.CHAIR_OF_GOVERNORS, "chair@x.example.test")
    second = agreed.schools.exclude(school=world.own_school).first().school
    both = member(world.home, second, email="both@x.example.test")
    both.roles = [Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS]
    both.save()
    gone = member(world.home, world.own_school, email="gone@x.example.test")
    gone.archived_at = dt.datetime.now(dt.UTC)
    gone.save()
    member(world.home, world.own_school, Role.OFFICER, "officer@x.example.test")
    member(world.other, world.other_school, email="other@x.example.test")  # another partnership: never told

    published = publish(agreed, officer, django_capture_on_commit_callbacks)

    assert (published.state, published.reply_deadline) == (CategorisationRound.State.PUBLISHED, dt.date(2026, 12, 7))
    notices = {n.email: n for n in PublicationNotice.objects.filter(round=published)}
    assert set(notices) == {head.user.email, chair.user.email, both.user.email}
    assert notices[both.user.email].roles == "headteacher and chair of governors"
    assert all(n.state == State.WAITING and n.link == "https://app.example/risk/my-school/" for n in notices.values())
    assert [(m["task"], m["args"]) for m in queue.messages()] == [(TASK, f"[{published.pk}]")]
    assert mail.outbox == []  # nothing is sent inside the request


def test_sending_tells_each_person_once(world, agreed, officer, django_capture_on_commit_callbacks, queue):
    head = member(world.home, world.own_school)
    chair = member(world.home, world.own_school, Role.CHAIR_OF_GOVERNORS, "chair@x.example.test")
    published = publish(agreed, officer, django_capture_on_commit_callbacks)

    assert publication_notices_send(round_id=published.pk) == {"sent": 2, "failed": 0, "waiting": 0, "skipped": 0}
    assert publication_notices_send(round_id=published.pk) == {"sent": 0, "failed": 0, "waiting": 0, "skipped": 0}

    assert sorted(m.to[0] for m in mail.outbox) == sorted([head.user.email, chair.user.email])
    body = next(m.body for m in mail.outbox if m.to == [chair.user.email])
    assert "https://app.example/risk/my-school/" in body and "7 December 2026" in body
    assert "As chair of governors you may reply" in body and world.own_school.name in body
    assert mail.outbox[0].subject == "Your school's category is published: Autumn 2026"
    sent = PublicationNotice.objects.filter(round=published)
    assert {(n.state, n.attempts, n.last_error) for n in sent} == {(State.SENT, 1, "")}
    assert all(n.sent_at is not None for n in sent)


@pytest.mark.django_db(transaction=True)  # the other session must see the notices
def test_a_notice_another_job_holds_is_skipped_not_sent_twice(
    world, agreed, officer, django_capture_on_commit_callbacks, queue
):
    from tests.risk.conftest import other_session

    member(world.home, world.own_school)
    chair = member(world.home, world.own_school, Role.CHAIR_OF_GOVERNORS, "chair@x.example.test")
    published = publish(agreed, officer, django_capture_on_commit_callbacks)
    held = PublicationNotice.objects.get(round=published, email="head@x.example.test")
    with other_session() as other, other.transaction():  # another worker is sending this one right now
        other.execute("SELECT 1 FROM risk_publicationnotice WHERE id = %s FOR UPDATE", [held.pk])
        assert publication_notices_send(round_id=published.pk) == {"sent": 1, "failed": 0, "waiting": 0, "skipped": 0}
    assert [m.to for m in mail.outbox] == [[chair.user.email]]
    held.refresh_from_db()
    assert (held.state, held.attempts) == (State.WAITING, 0)


@pytest.fixture
def smtp(settings):
    """A real SMTP conversation with a local server whose refusals and hang-ups each test chooses."""
    behaviour = SmtpBehaviour()
    with SmtpServer(behaviour) as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield behaviour


def test_a_refused_address_is_tried_again_then_listed_for_officers_and_sent_again_on_request(
    world, agreed, officer, django_capture_on_commit_callbacks, smtp, queue
):
    refused = member(world.home, world.own_school, email="refused@x.example.test")
    chair = member(world.home, world.own_school, Role.CHAIR_OF_GOVERNORS, "chair@x.example.test")
    smtp.refuse["refused@x.example.test"] = "550 5.1.1 mailbox unavailable"
    published = publish(agreed, officer, django_capture_on_commit_callbacks)

    assert publication_notices_send(round_id=published.pk) == {"sent": 1, "failed": 0, "waiting": 1, "skipped": 0}
    assert smtp.delivered == [chair.user.email]  # one refusal does not stop the others
    for _ in range(MAX_ATTEMPTS - 2):
        assert publication_notices_send(round_id=published.pk)["waiting"] == 1
    assert publication_notices_send(round_id=published.pk) == {"sent": 0, "failed": 1, "waiting": 0, "skipped": 0}
    notice = PublicationNotice.objects.get(round=published, email=refused.user.email)
    assert (notice.state, notice.attempts) == (State.FAILED, MAX_ATTEMPTS)
    assert notice.last_error.startswith("SMTPRecipientsRefused") and "mailbox unavailable" in notice.last_error
    assert publication_notices_send(round_id=published.pk)["failed"] == 0  # given up: not tried again by itself
    assert smtp.delivered == [chair.user.email]

    officer_client = client_for(make_member(world, Role.OFFICER).user)
    page = officer_client.get(reverse("risk:round_detail", args=[published.pk])).content.decode()
    assert "1 sent, 0 waiting to be sent, 1 could not be sent." in page
    assert "refused@x.example.test (headteacher)" in page and "mailbox unavailable" in page
    assert "Send the failed emails again" in page

    refused.user.email = "corrected@x.example.test"  # the officer puts the address right first
    refused.user.save()
    queue.purge()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(reverse("risk:round_notices_retry", args=[published.pk]))
    assert response.status_code == 302 and response.url == reverse("risk:round_detail", args=[published.pk])
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.email) == (State.WAITING, 0, "corrected@x.example.test")
    assert [(m["task"], m["args"]) for m in queue.messages()] == [(TASK, f"[{published.pk}]")]
    assert publication_notices_send(round_id=published.pk)["sent"] == 1
    assert smtp.delivered == [chair.user.email, "corrected@x.example.test"]
    page = officer_client.get(reverse("risk:round_detail", args=[published.pk])).content.decode()
    assert "2 sent, 0 waiting to be sent, 0 could not be sent." in page and "Send the failed emails again" not in page


def test_a_recipient_s_try_later_counts_against_nobody_holds_up_nobody_and_is_given_up_after_days(
    world, agreed, officer, django_capture_on_commit_callbacks, smtp
):
    member(world.home, world.own_school, email="greylisted@x.example.test")  # first by pk: sent first
    member(world.home, world.own_school, Role.CHAIR_OF_GOVERNORS, "chair@x.example.test")
    member(world.home, world.own_school, email="full@x.example.test")
    smtp.refuse["greylisted@x.example.test"] = "450 4.2.0 greylisted, try again later"
    smtp.refuse["full@x.example.test"] = "452 4.2.2 mailbox full"
    published = publish(agreed, officer, django_capture_on_commit_callbacks)

    assert publication_notices_send(round_id=published.pk) == {"sent": 1, "failed": 0, "waiting": 2, "skipped": 0}
    assert smtp.delivered == ["chair@x.example.test"], "the others are not held up behind a 'try later'"
    for _ in range(MAX_ATTEMPTS + 1):  # however often beat tries, a temporary refusal is not counted
        assert publication_notices_send(round_id=published.pk)["waiting"] == 2
    notice = PublicationNotice.objects.get(round=published, email="greylisted@x.example.test")
    assert (notice.state, notice.attempts) == (State.WAITING, 0)
    assert (
        notice.last_error.startswith("Waiting: the recipient's server said try later")
        and "greylisted" in notice.last_error
    )
    del smtp.refuse["greylisted@x.example.test"]  # greylisting passes on a later try
    assert publication_notices_send(round_id=published.pk)["sent"] == 1
    assert sorted(smtp.delivered) == ["chair@x.example.test", "greylisted@x.example.test"]

    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=TRY_LATER_DAYS, hours=1)
    with time_machine.travel(later):  # a mailbox still full days later: given up, and officers are shown why
        assert publication_notices_send(round_id=published.pk) == {"sent": 0, "failed": 1, "waiting": 0, "skipped": 0}
    full = PublicationNotice.objects.get(round=published, email="full@x.example.test")
    assert (full.state, full.attempts) == (State.FAILED, MAX_ATTEMPTS) and "mailbox full" in full.last_error

    with time_machine.travel(later), django_capture_on_commit_callbacks():  # sent again: a fresh few days
        assert publication_notices_retry(round_=published) == 1
        assert publication_notices_send(round_id=published.pk)["waiting"] == 1
    full.refresh_from_db()
    assert (full.state, full.attempts) == (State.WAITING, 0)


def test_a_try_later_about_the_message_itself_stops_the_job_uncounted(
    world, agreed, officer, django_capture_on_commit_callbacks, monkeypatch
):
    member(world.home, world.own_school)
    member(world.home, world.own_school, Role.CHAIR_OF_GOVERNORS, "chair@x.example.test")
    published = publish(agreed, officer, django_capture_on_commit_callbacks)

    def send(message, *args, **kwargs):
        raise smtplib.SMTPDataError(451, b"4.3.0 local error in processing")

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    assert publication_notices_send(round_id=published.pk) == {"sent": 0, "failed": 0, "waiting": 2, "skipped": 0}
    notices = PublicationNotice.objects.filter(round=published).order_by("pk")
    assert [(n.state, n.attempts) for n in notices] == [(State.WAITING, 0)] * 2
    assert notices[0].last_error.startswith("Waiting: the mail server failed") and notices[1].last_error == ""


def test_a_mail_server_that_hangs_up_mid_job_leaves_the_rest_waiting_uncounted(
    world, agreed, officer, django_capture_on_commit_callbacks, smtp
):
    for n in range(4):
        member(world.home, world.own_school, email=f"head{n}@x.example.test")
    smtp.hang_up_after = 1
    published = publish(agreed, officer, django_capture_on_commit_callbacks)

    waiting = {"sent": 0, "failed": 0, "waiting": 3, "skipped": 0}
    assert publication_notices_send(round_id=published.pk) == {**waiting, "sent": 1}
    for _ in range(MAX_ATTEMPTS):  # however often beat tries while the relay is down
        assert publication_notices_send(round_id=published.pk) == waiting
    assert smtp.delivered == ["head0@x.example.test"]
    rest = PublicationNotice.objects.filter(round=published).exclude(email="head0@x.example.test")
    assert {(n.state, n.attempts) for n in rest} == {(State.WAITING, 0)}, "a dropped connection is nobody's fault"
    smtp.hang_up_after = None  # the relay is back
    assert publication_notices_send(round_id=published.pk) == {"sent": 3, "failed": 0, "waiting": 0, "skipped": 0}
    assert sorted(smtp.delivered) == [f"head{n}@x.example.test" for n in range(4)]


def test_a_person_who_left_the_school_is_not_emailed(world, agreed, officer, django_capture_on_commit_callbacks):
    stayed = member(world.home, world.own_school, email="stayed@x.example.test")
    left = member(world.home, world.own_school, email="left@x.example.test")
    moved = member(world.home, world.own_school, Role.CHAIR_OF_GOVERNORS, "moved@x.example.test")
    published = publish(agreed, officer, django_capture_on_commit_callbacks)
    left.archived_at = dt.datetime.now(dt.UTC)  # between publication and the job
    left.save()
    moved.school = agreed.schools.exclude(school=world.own_school).first().school
    moved.save()

    assert publication_notices_send(round_id=published.pk) == {"sent": 1, "failed": 0, "waiting": 0, "skipped": 2}
    assert [m.to for m in mail.outbox] == [[stayed.user.email]]
    skipped = PublicationNotice.objects.filter(round=published, state=State.SKIPPED)
    assert {(n.email, n.last_error) for n in skipped} == {
        (left.user.email, "No longer the school's head or chair"),
        (moved.user.email, "No longer the school's head or chair"),
    }
    page = client_for(make_member(world, Role.OFFICER).user).get(reverse("risk:round_detail", args=[published.pk]))
    assert "2 not sent because the person is no longer the school's head or chair" in page.content.decode()


def test_send_again_skips_a_person_who_has_left_since(
    world, agreed, officer, django_capture_on_commit_callbacks, queue
):
    left = member(world.home, world.own_school, email="left@x.example.test")
    stays = member(world.home, world.own_school, Role.CHAIR_OF_GOVERNORS, email="stays@x.example.test")
    published = publish(agreed, officer, django_capture_on_commit_callbacks)
    PublicationNotice.objects.filter(round=published).update(state=State.FAILED, attempts=MAX_ATTEMPTS)
    left.archived_at = dt.datetime.now(dt.UTC)
    left.save()
    queue.purge()
    with django_capture_on_commit_callbacks(execute=True):
        assert publication_notices_retry(round_=published) == 1
    states = dict(PublicationNotice.objects.filter(round=published).values_list("email", "state"))
    assert states == {left.user.email: State.SKIPPED, stays.user.email: State.WAITING}
    assert [(m["task"], m["args"]) for m in queue.messages()] == [(TASK, f"[{published.pk}]")]
    assert publication_notices_send(round_id=published.pk)["sent"] == 1
    assert [m.to for m in mail.outbox] == [[stays.user.email]]


def test_a_job_out_of_time_leaves_the_notice_it_was_sending_untouched(
    world, agreed, officer, django_capture_on_commit_callbacks, monkeypatch
):
    member(world.home, world.own_school)
    published = publish(agreed, officer, django_capture_on_commit_callbacks)

    def send(message, *args, **kwargs):
        raise SoftTimeLimitExceeded()  # what Celery raises inside the task at its soft time limit

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    with pytest.raises(SoftTimeLimitExceeded):
        publication_notices_send(round_id=published.pk)
    notice = PublicationNotice.objects.get(round=published)
    assert (notice.state, notice.attempts, notice.last_error) == (State.WAITING, 0, "")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"no such user")}), REFUSED),
        (smtplib.SMTPRecipientsRefused({"a@x.test": (451, b"try later")}), LATER),
        (smtplib.SMTPDataError(554, b"message refused"), REFUSED),
        (smtplib.SMTPDataError(452, b"insufficient storage"), SERVER),
        (smtplib.SMTPSenderRefused(550, b"sender not allowed", "no-reply@x.test"), SERVER),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), SERVER),
        (smtplib.SMTPServerDisconnected("please run connect() first"), SERVER),
        (TimeoutError("timed out"), SERVER),
        (ConnectionRefusedError(111, "refused"), SERVER),
        (ValueError("Header values may not contain linefeed or carriage return characters"), REFUSED),
    ],
)
def test_a_failed_send_is_put_down_to_the_recipient_or_the_server(error, kind):
    assert smtp_failure(error) == kind


def test_a_mail_server_that_cannot_be_reached_leaves_every_notice_waiting(
    world, agreed, officer, django_capture_on_commit_callbacks, settings
):
    member(world.home, world.own_school)
    published = publish(agreed, officer, django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 1  # nobody listens
    assert publication_notices_send(round_id=published.pk) == {"sent": 0, "failed": 0, "waiting": 1, "skipped": 0}
    notice = PublicationNotice.objects.get(round=published)
    assert (notice.state, notice.attempts) == (State.WAITING, 0)  # not the address's fault: not counted


def test_with_the_broker_down_the_publication_stands_and_beat_queues_the_emails_later(
    world, agreed, officer, django_capture_on_commit_callbacks, queue
):
    member(world.home, world.own_school)
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = f"redis://127.0.0.1:{_free_port()}/0"
    _reset_broker_connections()
    try:
        officer_client = client_for(make_member(world, Role.OFFICER).user)
        with django_capture_on_commit_callbacks(execute=True):
            response = officer_client.post(reverse("risk:round_publish", args=[agreed.pk]))
    finally:
        celery_app.conf.broker_url = original
        _reset_broker_connections()
    assert response.status_code == 302
    agreed.refresh_from_db()
    assert agreed.state == CategorisationRound.State.PUBLISHED
    assert queue.messages() == []
    assert PublicationNotice.objects.get(round=agreed).state == State.WAITING
    assert publication_notices_requeue() == 1  # beat, once the broker is back
    assert [(m["task"], m["args"]) for m in queue.messages()] == [(TASK, f"[{agreed.pk}]")]


def test_the_retry_button_only_acts_on_the_officers_own_partnership(world):
    from tests.risk.helpers import rounds_world

    other_round = rounds_world(world).other_published
    failed = PublicationNotice.objects.create(
        round=other_round,
        school=world.other_school,
        email="x@y.example.test",
        roles="headteacher",
        link="http://t/",
        state=State.FAILED,
        attempts=MAX_ATTEMPTS,
    )
    officer_client = client_for(make_member(world, Role.OFFICER).user)
    assert officer_client.post(reverse("risk:round_notices_retry", args=[other_round.pk])).status_code == 404
    failed.refresh_from_db()
    assert failed.state == State.FAILED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_emails_of_a_publication(start_worker, tmp_path):
    partnership = PartnershipFactory(slug="notices-worker")
    school = SchoolFactory(partnership=partnership, name="Worker Lane Primary School")
    member(partnership, school, email="worker-head@x.example.test")
    officer = UserFactory(email="worker-publisher@example.test")
    opened = rounds.categorisation_round_create(
        partnership=partnership, run=succeeded_run(partnership), name="Worker round", user=officer
    )
    rounds.categorisation_round_agree(round_=opened, agreed_on=dt.date.today(), minute="SB/9", user=officer)
    rounds.categorisation_round_publish(round_=opened, user=officer, base_url="https://app.example/")  # commits
    worker = start_worker()
    deadline = time.monotonic() + 90
    notice = PublicationNotice.objects.get(round=opened)
    while notice.state == State.WAITING and time.monotonic() < deadline:
        assert worker.poll() is None, worker.log_path.read_text()
        time.sleep(0.25)
        notice.refresh_from_db()
    assert notice.state == State.SENT, worker.log_path.read_text()
    written = "".join(path.read_text() for path in (tmp_path / "mail").glob("*.log"))
    assert "To: worker-head@x.example.test" in written and "Worker Lane Primary School" in written


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
