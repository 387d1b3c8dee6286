"""With the broker (Redis) down or not answering, an upload still succeeds at once and its job waits.

Real sockets, no mocks: a TCP port with nothing listening (connection refused), and a listener that accepts
connections but never answers (a broker behind a dead NAT or firewall), where only the broker's socket
timeouts in settings stop the page from hanging.
"""

from __future__ import annotations

import socket
import threading
import time
from types import SimpleNamespace

import kombu.pools
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnership.celery import app as celery_app
from partnership.models import Role
from schools.importers import WAITING_MESSAGE
from schools.models import ImportJob
from tests.conftest import client_for, make_member
from tests.factories import PartnershipFactory
from tests.paths import GIAS_2021

WATCHDOG_SECONDS = 30  # a hung request is cut off here, so the test fails instead of hanging


def _reset_broker_connections() -> None:
    """Drop pooled broker connections, so the next publish connects to ``broker_url`` afresh.

    kombu's global pools are reset too: force-closing only the app's pool left a closed pool behind that later
    publishes in the same process acquired from ("Acquire on closed pool")."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_at():
    """``broker_at(url)`` points Celery at ``url`` for this test; the real broker is restored afterwards."""
    original = celery_app.conf.broker_url

    def point(url: str) -> None:
        celery_app.conf.broker_url = url
        _reset_broker_connections()

    yield point
    celery_app.conf.broker_url = original
    _reset_broker_connections()


@pytest.fixture
def closed_port() -> int:
    """A real local TCP port with nothing listening on it: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_broker():
    """A TCP listener that completes connections but never reads or answers; closed after WATCHDOG_SECONDS."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    watchdog = threading.Timer(WATCHDOG_SECONDS, listener.close)  # resets pending connections: unblocks a hang
    watchdog.start()
    yield listener.getsockname()[1]
    watchdog.cancel()
    listener.close()


@pytest.fixture
def officer(transactional_db, settings, tmp_path):
    """An officer of a fresh partnership, signed in; uploads go to tmp_path."""
    settings.UPLOAD_DIR = tmp_path / "uploads"
    partnership = PartnershipFactory(slug="broker-down", la_codes=["936"])
    world = SimpleNamespace(home=partnership, own_school=None, cluster=None, alliance=None)
    return client_for(make_member(world, Role.OFFICER).user)


def _upload(client) -> tuple[object, float]:
    upload = SimpleUploadedFile(GIAS_2021.name, GIAS_2021.read_bytes(), content_type="text/csv")
    started = time.monotonic()
    response = client.post(reverse("schools:import_upload"), {"file": upload})
    return response, time.monotonic() - started


def _assert_job_waits(client, response) -> None:
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("schools:import_detail", args=[job.pk])
    assert job.state == ImportJob.State.QUEUED and job.message == WAITING_MESSAGE
    page = client.get(response.url)
    assert page.status_code == 200 and WAITING_MESSAGE in page.content.decode()
    status = client.get(reverse("schools:import_status", args=[job.pk])).json()
    assert status["state"] == "queued" and status["message"] == WAITING_MESSAGE and status["finished"] is False


def test_upload_with_the_broker_refusing_connections(officer, broker_at, closed_port):
    broker_at(f"redis://127.0.0.1:{closed_port}/0")
    response, seconds = _upload(officer)
    _assert_job_waits(officer, response)
    assert seconds < 5, f"the upload took {seconds:.1f}s with the broker down"


def test_upload_with_a_broker_that_never_answers(officer, broker_at, silent_broker):
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert options["socket_connect_timeout"] <= 5 and options["socket_timeout"] <= 5
    broker_at(f"redis://127.0.0.1:{silent_broker}/0")
    response, seconds = _upload(officer)
    assert seconds < options["socket_connect_timeout"] + options["socket_timeout"] + 5, (
        f"the upload took {seconds:.1f}s with a silent broker: the broker socket timeouts do not apply"
    )
    _assert_job_waits(officer, response)
