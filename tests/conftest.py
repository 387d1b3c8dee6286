"""Shared fixtures: one partnership with a small world in it, and one signed-in client per role.

``world`` builds: partnership ``home`` with two clusters in one alliance, schools in and out of them,
a trust; and a second partnership ``other`` with its own school, cluster and alliance (for 404 tests).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from partnership.models import SCHOOL_ROLES, Invitation, Membership, Partnership, Role, User
from schools.models import ImportJob
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent
MFA_TEST_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - a well-known example secret (160 bits), tests only


_FLUSHING_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Put back the frameworks data migrations ship (peer review, cluster health) once a test that empties every
    table (``transactional_db``, ``django_db(transaction=True)``, the browser tests' live server) is torn down, so no
    later test depends on the order tests run in (pytest-xdist runs them in another order than a serial run, where
    pytest-django runs such tests last). A hook, not a fixture: it runs after every fixture's teardown, the flush
    included, whichever way the test asked for it."""
    yield
    if nextitem is None:  # the session's (this worker's) last test: the test database has just been destroyed
        return
    marker = item.get_closest_marker("django_db")
    flushed = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    if not (flushed or _FLUSHING_FIXTURES & set(getattr(item, "fixturenames", ()))):
        return
    from pytest_django.plugin import blocking_manager_key

    from clusters.health.services import shipped_frameworks_ensure
    from peerreview.frameworks_default import load_shipped
    from peerreview.models import Framework, FrameworkQuestion, FrameworkTheme

    with item.config.stash[blocking_manager_key].unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "only ever write to a test database"
        load_shipped(Framework, FrameworkTheme, FrameworkQuestion)
        shipped_frameworks_ensure()


@pytest.fixture(autouse=True)
def _no_kept_choices():
    """Each test starts with no filter-form option lists kept from another (ids can repeat between databases)."""
    from schools.choices import choices_forget

    choices_forget()


@pytest.fixture
def world(db) -> SimpleNamespace:
    """Two partnerships with schools, clusters, an alliance, a network, a board, invitations and import jobs."""
    w = SimpleNamespace()
    w.home = f.PartnershipFactory(slug="home", name="Home Partnership")
    w.other = f.PartnershipFactory(slug="other", name="Other Partnership", la_codes=["202"])
    w.own_school = f.SchoolFactory(partnership=w.home, name="Own Primary School")
    w.cluster_school = f.SchoolFactory(partnership=w.home, name="Peer Primary School")
    w.outside_school = f.SchoolFactory(partnership=w.home, name="Far Away Academy", district="Tandridge")
    w.isolated_school = f.SchoolFactory(partnership=w.home, name="Lonely Infant School")
    w.cluster = f.ClusterFactory(partnership=w.home, name="Esher Cluster")
    w.other_cluster = f.ClusterFactory(partnership=w.home, name="Oxted Cluster")
    w.cluster_membership = f.ClusterMembershipFactory(cluster=w.cluster, school=w.own_school)
    f.ClusterMembershipFactory(cluster=w.cluster, school=w.cluster_school)
    f.ClusterMembershipFactory(cluster=w.other_cluster, school=w.outside_school)
    w.alliance = f.AllianceFactory(partnership=w.home, name="North Alliance")
    w.alliance_membership = f.AllianceMembershipFactory(alliance=w.alliance, cluster=w.cluster)
    w.network = f.NetworkFactory(partnership=w.home, name="Example Learning Trust")
    w.network_membership = f.NetworkMembershipFactory(network=w.network, school=w.outside_school)
    w.board_member = f.BoardMemberFactory(partnership=w.home, name="Chair Person", seat="chair")
    w.invitation = _invitation(w.home, "invitee@example.test")
    w.job = ImportJob.objects.create(partnership=w.home, kind="gias", original_filename="home.csv", stored_path="x")

    w.other_school = f.SchoolFactory(partnership=w.other, name="Camden Secret School", la_code="202")
    w.other_cluster_obj = f.ClusterFactory(partnership=w.other, name="Camden Cluster")
    w.other_cluster_membership = f.ClusterMembershipFactory(cluster=w.other_cluster_obj, school=w.other_school)
    w.other_alliance = f.AllianceFactory(partnership=w.other, name="Camden Alliance")
    w.other_alliance_membership = f.AllianceMembershipFactory(alliance=w.other_alliance, cluster=w.other_cluster_obj)
    w.other_network = f.NetworkFactory(partnership=w.other, name="Camden Trust")
    w.other_network_membership = f.NetworkMembershipFactory(network=w.other_network, school=w.other_school)
    w.other_board_member = f.BoardMemberFactory(partnership=w.other, name="Other Chair", seat="chair")
    w.other_invitation = _invitation(w.other, "someone@example.test")
    w.other_job = ImportJob.objects.create(
        partnership=w.other, kind="gias", original_filename="other.csv", stored_path="x"
    )
    return w


def _invitation(partnership: Partnership, email: str) -> Invitation:
    _, token_hash = Invitation.new_token()
    return Invitation.objects.create(
        partnership=partnership,
        email=email,
        roles=[Role.HEADTEACHER],
        token_hash=token_hash,
        expires_at=timezone.now() + dt.timedelta(days=14),
    )


ROLES = [r.value for r in Role]


def make_member(world: SimpleNamespace, role: str, *, partnership: Partnership | None = None) -> Membership:
    """A membership in ``world.home`` (or ``partnership``) holding ``role`` and its natural attachments."""
    partnership = partnership or world.home
    user = f.UserFactory(email=f"{role}@{partnership.slug}.example.test")
    membership = Membership.objects.create(
        user=user,
        partnership=partnership,
        roles=[role],
        school=world.own_school if role in SCHOOL_ROLES and partnership == world.home else None,
    )
    if role == Role.CLUSTER_LEAD:
        membership.clusters.add(world.cluster)
    if role == Role.ALLIANCE_LEAD:
        membership.alliances.add(world.alliance)
    if role in (Role.ADMIN, Role.OFFICER):
        TOTP.activate(user, MFA_TEST_SECRET)
    return membership


def client_for(user: User) -> Client:
    """A test client signed in as ``user`` (MFA already satisfied for this session)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["mfa_ok"] = True
    session.save()
    return client


@pytest.fixture
def member_client(world):
    """Factory fixture: ``member_client(role)`` → (client, membership) for a fresh user in ``home``."""

    def make(role: str):
        membership = make_member(world, role)
        return client_for(membership.user), membership

    return make


@pytest.fixture
def officer_client(member_client):
    return member_client(Role.OFFICER)[0]


def _test_database_url() -> str:
    """settings.DATABASE_URL pointed at the database pytest created."""
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def start_worker(tmp_path):
    """``start_worker()`` starts a real ``celery worker`` process on this run's test queue, reading the test
    database; its log is at ``process.log_path``. Every worker started is stopped afterwards. A factory, so a
    test can start the worker after queuing work (or start a second one after killing the first)."""
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PARTNERSHIP_TESTING": "1",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),  # what the worker emails, for the test to read
    }
    started: list[tuple[subprocess.Popen, object]] = []

    def start() -> subprocess.Popen:
        log_path = tmp_path / f"worker-{len(started)}.log"
        log = log_path.open("w")
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "partnership",
            "worker",
            "-l",
            "warning",
            "-P",
            "solo",
            "-Q",
            ",".join(settings.CELERY_QUEUE_NAMES.values()),  # every queue of this test run
        ]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        process.log_path = log_path  # type: ignore[attr-defined]
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()
