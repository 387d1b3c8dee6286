"""Telling heads and chairs that their category is published: a notice per person written with the publication,
sent by a Celery job at most once each, refused addresses retried then shown to officers, nothing lost when
the broker or the mail server is down."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from django.core import mail
from django.urls import reverse

from partnership.celery import app as celery_app
from partnership.models import Membership, Role
from schools.risk.categorisation import services as rounds
from schools.risk.categorisation.notices import (
    MAX_ATTEMPTS,
    publication_notices_requeue,
    publication_notices_send,
)
from schools.risk.models import CategorisationRound, PublicationNotice
from tests.conftest import client_for, make_member
from tests.factories import PartnershipFactory, SchoolFactory, UserFactory
from tests.risk.helpers import succeeded_run
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

    assert publication_notices_send(round_id=published.pk) == {"sent": 2, "failed": 0, "waiting": 0}
    assert publication_notices_send(round_id=published.pk) == {"sent": 0, "failed": 0, "waiting": 0}

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
        assert publication_notices_send(round_id=published.pk) == {"sent": 1, "failed": 0, "waiting": 0}
    assert [m.to for m in mail.outbox] == [[chair.user.email]]
    held.refresh_from_db()
    assert (held.state, held.attempts) == (State.WAITING, 0)


def test_a_refused_address_is_tried_again_then_listed_for_officers_and_sent_again_on_request(
    world, agreed, officer, django_capture_on_commit_callbacks, monkeypatch, queue
):
    refused = member(world.home, world.own_school, email="refused@x.example.test")
    chair = member(world.home, world.own_school, Role.CHAIR_OF_GOVERNORS, "chair@x.example.test")
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == ["refused@x.example.test"]:
            raise OSError("550 mailbox unavailable")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    published = publish(agreed, officer, django_capture_on_commit_callbacks)

    assert publication_notices_send(round_id=published.pk) == {"sent": 1, "failed": 0, "waiting": 1}
    assert [m.to for m in mail.outbox] == [[chair.user.email]]  # one refusal does not stop the others
    for _ in range(MAX_ATTEMPTS - 2):
        assert publication_notices_send(round_id=published.pk)["waiting"] == 1
    assert publication_notices_send(round_id=published.pk) == {"sent": 0, "failed": 1, "waiting": 0}
    notice = PublicationNotice.objects.get(round=published, email=refused.user.email)
    assert (notice.state, notice.attempts) == (State.FAILED, MAX_ATTEMPTS)
    assert notice.last_error == "OSError: 550 mailbox unavailable"
    assert publication_notices_send(round_id=published.pk) == {"sent": 0, "failed": 0, "waiting": 0}  # given up

    officer_client = client_for(make_member(world, Role.OFFICER).user)
    page = officer_client.get(reverse("risk:round_detail", args=[published.pk])).content.decode()
    assert "1 sent, 0 waiting to be sent, 1 could not be sent." in page
    assert "refused@x.example.test (headteacher)" in page and "550 mailbox unavailable" in page
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
    assert mail.outbox[-1].to == ["corrected@x.example.test"]
    page = officer_client.get(reverse("risk:round_detail", args=[published.pk])).content.decode()
    assert "2 sent, 0 waiting to be sent, 0 could not be sent." in page and "Send the failed emails again" not in page


def test_a_mail_server_that_cannot_be_reached_leaves_every_notice_waiting(
    world, agreed, officer, django_capture_on_commit_callbacks, settings
):
    member(world.home, world.own_school)
    published = publish(agreed, officer, django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 1  # nobody listens
    assert publication_notices_send(round_id=published.pk) == {"sent": 0, "failed": 0, "waiting": 1}
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
