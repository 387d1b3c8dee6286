"""List and detail pages run a constant number of SQL queries whatever the data size (10 vs 500 schools)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import Alliance, AllianceMembership, Cluster, ClusterMembership
from partnership.models import Membership, Role
from schools.choices import choices_changed
from schools.models import Network, NetworkMembership, School, SchoolChange
from tests.conftest import client_for, make_member
from tests.factories import SchoolFactory, UserFactory
from tests.partnership.people_helpers import people_world
from tests.risk.helpers import grown_entries, grown_runs, succeeded_run


def _grow(world, n: int) -> None:
    """Add ``n`` schools in clusters of 5 (clusters in the alliance), a trust each, and history rows.

    Written with bulk_create (a few queries, not one per row: this runs twice in each of some 130 tests), then
    the filter forms' lists are marked changed, as the models' save signals would have done.
    """
    schools = School.objects.bulk_create(SchoolFactory.build_batch(n, partnership=world.home))
    joined = dt.date(2024, 9, 1)
    clusters = Cluster.objects.bulk_create(
        Cluster(partnership=world.home, name=f"Grown cluster {n}-{i}") for i in range(0, n, 5)
    )
    AllianceMembership.objects.bulk_create(
        AllianceMembership(alliance=world.alliance, cluster=cluster, joined_on=joined) for cluster in clusters
    )
    ClusterMembership.objects.bulk_create(
        [
            *(
                ClusterMembership(cluster=cluster, school=s, joined_on=joined)
                for number, cluster in enumerate(clusters)
                for s in schools[number * 5 : number * 5 + 5]
            ),
            *(ClusterMembership(cluster=world.cluster, school=s, joined_on=joined) for s in schools[::5]),
        ]
    )
    trust = Network.objects.create(partnership=world.home, kind=Network.Kind.TRUST, name=f"Grown trust {n}")
    NetworkMembership.objects.bulk_create(
        NetworkMembership(network=network, school=s, joined_on=joined)
        for network in (trust, world.network)
        for s in schools
    )
    Network.objects.bulk_create(
        Network(partnership=world.home, kind=Network.Kind.FEDERATION, name=f"Fed {s.pk}")
        for s in [*schools, world.own_school]
    )
    SchoolChange.objects.bulk_create(
        SchoolChange(
            school=world.own_school, field="head_last_name", old_value=str(i), new_value=str(i + 1), changed_on=joined
        )
        for i in range(n)
    )
    Alliance.objects.create(partnership=world.home, name=f"Extra alliance {n}")
    choices_changed(partnership_id=world.home.pk)


PAGES = [
    ("partnership:home", lambda w: []),
    ("schools:list", lambda w: []),
    ("schools:list?isolated=true&phase=Primary&sort=-pupils", lambda w: []),
    ("schools:export", lambda w: []),
    ("schools:detail", lambda w: [w.own_school.urn]),
    ("schools:network_list", lambda w: []),
    ("schools:network_detail", lambda w: [w.network.pk]),
    ("clusters:list", lambda w: []),
    ("clusters:detail", lambda w: [w.cluster.pk]),
    ("clusters:alliance_list", lambda w: []),
    ("clusters:alliance_detail", lambda w: [w.alliance.pk]),
    ("partnership:board", lambda w: []),
    ("partnership:people", lambda w: []),
    ("partnership:person", lambda w: [people_world(w).head.pk]),
    ("partnership:person_roles", lambda w: [people_world(w).head.pk]),
    ("partnership:person_leads", lambda w: [people_world(w).lead.pk]),
    ("schools:import_list", lambda w: []),
    ("risk:intelligence_list", lambda w: [grown_entries(w).urn]),
    ("risk:run_list", grown_runs),
    ("risk:run_detail", lambda w: [succeeded_run(w.home).pk]),
    ("risk:ruleset", lambda w: []),
    ("risk:register", lambda w: _register_runs(w) and []),
    ("risk:register?movement=same&category=2&district=Elmbridge&phase=Primary", lambda w: _register_runs(w) and []),
    ("risk:register_export", lambda w: _register_runs(w) and []),
    ("risk:school", lambda w: _register_runs(w) and [w.own_school.urn]),
    ("risk:round_list", lambda w: _published_round(w) and []),
    ("risk:round_detail", lambda w: [_published_round(w).pk]),
    ("risk:round_detail?status=proposed&page=2", lambda w: [_published_round(w).pk]),
    ("risk:round_school", lambda w: [_published_round(w).pk, w.own_school.urn]),
    ("risk:reply_answer", lambda w: [_reply(w).pk]),
    ("risk:round_publish", lambda w: [_published_round(w).pk]),
    ("risk:own_category", lambda w: _reply(w) and []),
    ("risk:holidays", lambda w: _holidays(w) and []),
    ("risk:termly_open", lambda w: _published_round(w) and []),  # #14.11
    ("risk:review_suggestions", lambda w: _published_round(w) and []),
    ("risk:in_year_open", lambda w: _published_round(w) and [w.own_school.urn]),
]
OFFICER_ONLY = {
    "partnership:board",
    "partnership:people",
    "partnership:person",
    "partnership:person_roles",
    "partnership:person_leads",
    "schools:import_list",
    "risk:run_list",
    "risk:run_detail",
    "risk:ruleset",
    "risk:register",
    "risk:register_export",
    "risk:school",
    "risk:round_list",
    "risk:round_detail",
    "risk:round_school",
    "risk:reply_answer",
    "risk:round_publish",
    "risk:holidays",
    "risk:termly_open",
    "risk:review_suggestions",
    "risk:in_year_open",
}
SCHOOL_ONLY = {"risk:own_category"}

# The strategic board's pages (issue #13), listed beside its tests.
from tests.board.query_pages import BOARD_OFFICER_ONLY, BOARD_PAGES  # noqa: E402

PAGES += BOARD_PAGES
OFFICER_ONLY |= BOARD_OFFICER_ONLY

from tests.peerreview.grow import (  # noqa: E402 - the peer-review pages and the data they grow with
    PEERREVIEW_OFFICER_ONLY,
    PEERREVIEW_PAGES,
    PEERREVIEW_SCHOOL_ONLY,
)

PAGES += PEERREVIEW_PAGES
OFFICER_ONLY |= PEERREVIEW_OFFICER_ONLY
SCHOOL_ONLY |= PEERREVIEW_SCHOOL_ONLY

from tests.clusters.health.query_pages import (  # noqa: E402 - cluster health checks' pages (issue #12)
    HEALTH_OFFICER_ONLY,
    HEALTH_PAGES,
    HEALTH_SCHOOL_ONLY,
)

PAGES += HEALTH_PAGES
OFFICER_ONLY |= HEALTH_OFFICER_ONLY
SCHOOL_ONLY |= HEALTH_SCHOOL_ONLY

from tests.brokerage.query_pages import BROKERAGE_OFFICER_ONLY, BROKERAGE_PAGES  # noqa: E402 - brokerage (#11)

PAGES += BROKERAGE_PAGES
OFFICER_ONLY |= BROKERAGE_OFFICER_ONLY

from tests.visits.query_pages import (  # noqa: E402 - notes of visit (issue #14 item 10)
    VISITS_OFFICER_ONLY,
    VISITS_PAGES,
    VISITS_SCHOOL_ONLY,
)

PAGES += VISITS_PAGES
OFFICER_ONLY |= VISITS_OFFICER_ONLY
SCHOOL_ONLY |= VISITS_SCHOOL_ONLY


def _holidays(w) -> list:
    """One closed day per school in the partnership (up to 40), so the holiday list grows with the data."""
    import datetime as dt

    from partnership.models import SchoolHoliday
    from schools.models import School

    first = dt.date.today() + dt.timedelta(days=7)
    count = min(School.objects.filter(partnership=w.home).count(), 40)
    SchoolHoliday.objects.bulk_create(
        (
            SchoolHoliday(partnership=w.home, name=f"INSET day {i}", starts_on=day, ends_on=day)
            for i, day in enumerate(first + dt.timedelta(days=i) for i in range(count))
        ),
        ignore_conflicts=True,  # called again after the world grows: the first days already exist
    )
    return []


def _published_round(w):
    """A new published round from a run assessing every school now, with a moderated and an adjusted school."""
    from schools.risk.categorisation import services as rounds
    from schools.risk.models import SchoolCategory

    officer = UserFactory(email=f"round-officer-{SchoolCategory.objects.count()}@example.test")
    opened = rounds.categorisation_round_create(
        partnership=w.home, run=succeeded_run(w.home), name="Grown round", user=officer
    )
    for sc in SchoolCategory.objects.filter(round=opened).select_related("round__run__ruleset_version")[:3]:
        rounds.school_category_adjust(
            school_category=sc,
            category=sc.category + 1 if sc.category < 4 else 3,
            reason="other",
            rationale="x" * 30,
            user=officer,
        )
    rounds.categorisation_round_agree(round_=opened, agreed_on=dt.date.today(), minute="SB/1", user=officer)
    return rounds.categorisation_round_publish(round_=opened, user=officer, base_url="http://testserver/")


def _reply(w):
    """A published round with a reply from the own school's head (a new membership each time)."""
    from schools.risk.categorisation import services as rounds
    from schools.risk.models import SchoolCategory

    published = _published_round(w)
    head = Membership.objects.create(
        user=UserFactory(email=f"replying-head-{published.pk}@example.test"),
        partnership=w.home,
        roles=[Role.HEADTEACHER],
        school=w.own_school,
    )
    sc = SchoolCategory.objects.get(round=published, school=w.own_school)
    return rounds.category_reply_create(school_category=sc, membership=head, text="Please consider our evidence here.")


def _register_runs(w) -> bool:
    """Two more finished runs assessing every school of ``home`` now (the register reads the latest two)."""
    succeeded_run(w.home)
    succeeded_run(w.home)
    return True


def _count(client, name: str, args) -> int:
    path, _, query = name.partition("?")
    url = reverse(path, args=args) + (f"?{query}" if query else "")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.HEADTEACHER])
@pytest.mark.parametrize(("name", "args"), PAGES, ids=[p[0] for p in PAGES])
def test_query_count_does_not_grow_with_data(world, name, args, role):
    membership = make_member(world, role)
    client = client_for(membership.user)
    if role == Role.HEADTEACHER and name.split("?")[0] in OFFICER_ONLY:
        pytest.skip("not a headteacher page")
    if role == Role.OFFICER and name.split("?")[0] in SCHOOL_ONLY:
        pytest.skip("not an officer page")
    client.get(reverse("partnership:home"))  # first request of a session stamps it; measure steady state
    _grow(world, 10)
    small = _count(client, name, args(world))
    _grow(world, 490)
    assert School.objects.filter(partnership=world.home).count() >= 500
    large = _count(client, name, args(world))
    assert small == large, f"{name}: {small} queries at 10 schools, {large} at 500"
    assert large <= 20, f"{name} runs {large} queries"


def _failed_jobs(w, n: int) -> None:
    """``n`` failed and a waiting job of every kind on the jobs page (issue #15), each failure with its message."""
    from django.utils import timezone

    from brokerage.models import Notification
    from partnership.board.models import KpiRefresh, Meeting, MeetingPack
    from schools.models import ImportJob
    from schools.risk.models import RiskRun

    now, run = timezone.now(), succeeded_run(w.home)
    meeting = Meeting.objects.create(partnership=w.home, title=f"Grown meeting {n}", meets_on=dt.date.today())
    for i in range(n):
        failed = {"state": "failed", "message": f"Failed {i}", "finished_at": now}
        ImportJob.objects.create(partnership=w.home, kind="gias", original_filename=f"{i}.csv", **failed)
        RiskRun.objects.create(partnership=w.home, ruleset_version=run.ruleset_version, trigger="button", **failed)
        KpiRefresh.objects.create(partnership=w.home, **failed)
        MeetingPack.objects.create(partnership=w.home, meeting=meeting, **failed)
        Notification.objects.create(
            partnership=w.home,
            key=f"grown-{n}-{i}",
            email=f"x{i}@example.test",
            subject="s",
            body="b",
            state="failed",
            last_error="550 refused",
        )


def test_the_jobs_page_query_count_does_not_grow_with_jobs(world):
    """The admins' background jobs page (issue #15): a fixed number of queries per kind of job."""
    client = client_for(make_member(world, Role.ADMIN).user)
    client.get(reverse("partnership:home"))
    _failed_jobs(world, 2)
    small = _count(client, "partnership:jobs", [])
    _failed_jobs(world, 40)
    large = _count(client, "partnership:jobs", [])
    assert small == large, f"partnership:jobs: {small} queries with 2 failed jobs of each kind, {large} with 42"
    assert large <= 25, f"partnership:jobs runs {large} queries"
