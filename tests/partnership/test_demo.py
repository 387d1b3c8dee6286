"""``load_demo`` and ``demo_totp``: the Surrey demo from the real GIAS files, one account per role, never in production;
and its risk picture from the real performance files: one run computed in process, a round published to schools.

The demo is loaded once for the module (committed to the test database, so the imports' on-commit hooks really
fire; removed at the end); each test runs in its own transaction on top of it, so the second run, the reset and
the sign-in are rolled back afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pyotp
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clusters.models import Alliance, AllianceMembership, Cluster, ClusterMembership
from demo.builder import (
    DEMO_ACCOUNTS,
    DEMO_INTELLIGENCE,
    DEMO_PASSWORD,
    DEMO_SLUG,
    INVENTED,
    NOT_SCHOOLS,
    OFFICER_TOTP_SEED,
    demo_delete,
    demo_school_holidays,
)
from partnership.calendar import school_days_after
from partnership.models import BoardMember, Membership, Partnership, Role, SchoolHoliday, User
from schools.models import (
    AreaAverage,
    Inspection,
    Network,
    NetworkMembership,
    PerformanceValue,
    School,
    SchoolChange,
    SchoolLink,
)
from schools.risk import DEFAULT_RULESET, ruleset_to_dict
from schools.risk.inputs import academic_year_end
from schools.risk.models import (
    CategorisationRound,
    CategoryDecision,
    IntelligenceEntry,
    RiskAssessment,
    RiskRun,
    RuleSetVersion,
    SchoolCategory,
)
from schools.risk.selectors import assessments_expand
from tests.conftest import client_for
from tests.paths import SHARED_DATA


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo as ``make demo`` loads it, with what the command printed."""
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("load_demo", data_dir=SHARED_DATA, stdout=out)
        yield SimpleNamespace(output=out.getvalue(), partnership=Partnership.objects.get(slug=DEMO_SLUG))
        demo_delete()


def _state(partnership: Partnership) -> dict[str, list]:
    """Every row the demo writes for ``partnership``, as comparable values (timestamps of rows left alone)."""
    in_partnership = {"partnership": partnership}
    return {
        "schools": list(School.objects.filter(**in_partnership).order_by("urn").values_list("urn", "name", "status")),
        "changes": list(SchoolChange.objects.filter(school__partnership=partnership).order_by("pk").values_list()),
        "links": list(SchoolLink.objects.filter(**in_partnership).order_by("pk").values_list()),
        "networks": list(Network.objects.filter(**in_partnership).order_by("pk").values_list()),
        "network_members": list(
            NetworkMembership.objects.filter(school__partnership=partnership).order_by("pk").values_list()
        ),
        "clusters": list(Cluster.objects.filter(**in_partnership).order_by("pk").values_list()),
        "cluster_members": list(
            ClusterMembership.objects.filter(cluster__partnership=partnership).order_by("pk").values_list()
        ),
        "alliances": list(Alliance.objects.filter(**in_partnership).order_by("pk").values_list()),
        "alliance_members": list(
            AllianceMembership.objects.filter(alliance__partnership=partnership).order_by("pk").values_list()
        ),
        "board": list(BoardMember.objects.filter(**in_partnership).order_by("pk").values_list()),
        "memberships": list(
            Membership.objects.filter(**in_partnership)
            .order_by("pk")
            .values_list("pk", "user__email", "roles", "school_id", "clusters", "alliances")
        ),
        "users": list(User.objects.filter(email__endswith="@demo.test").order_by("pk").values_list("pk", "password")),
        "authenticators": list(Authenticator.objects.order_by("pk").values_list("pk", "user_id", "data")),
        "emails": list(EmailAddress.objects.order_by("pk").values_list()),
        "performance_values": list(
            PerformanceValue.objects.filter(**in_partnership).order_by("pk").values_list("pk", "value", "missing")
        ),
        "averages": list(AreaAverage.objects.filter(**in_partnership).order_by("pk").values_list("pk", "value")),
        "inspections": list(Inspection.objects.filter(**in_partnership).order_by("pk").values_list("pk")),
        "rulesets": list(
            RuleSetVersion.objects.filter(**in_partnership).order_by("pk").values_list("pk", "version", "is_active")
        ),
        "runs": list(RiskRun.objects.filter(**in_partnership).order_by("pk").values_list("pk", "state", "finished_at")),
        "assessments": list(
            RiskAssessment.objects.filter(run__partnership=partnership).order_by("pk").values_list("pk")
        ),
        "intelligence": list(
            IntelligenceEntry.objects.filter(**in_partnership).order_by("pk").values_list("pk", "school_id", "kind")
        ),
        "rounds": list(CategorisationRound.objects.filter(**in_partnership).order_by("pk").values_list("pk", "state")),
        "school_categories": list(
            SchoolCategory.objects.filter(round__partnership=partnership)
            .order_by("pk")
            .values_list("pk", "category", "status")
        ),
        "decisions": list(
            CategoryDecision.objects.filter(school_category__round__partnership=partnership)
            .order_by("pk")
            .values_list("pk", "step")
        ),
    }


def test_clusters_are_drawn_from_geography_within_districts(demo, db):
    clusters = Cluster.objects.filter(partnership=demo.partnership)
    sizes = {c.name: c.memberships.filter(left_on__isnull=True).count() for c in clusters}
    assert len(sizes) >= 40, "about 400 Surrey schools make dozens of clusters"
    assert all(3 <= n <= 10 for n in sizes.values()), sizes
    current = ClusterMembership.objects.filter(cluster__partnership=demo.partnership, left_on__isnull=True)
    assert all(m.school.is_open and m.cluster.name.startswith(m.school.district) for m in current)
    assert current.values("school").distinct().count() == current.count(), "a school is in one cluster"
    # Schools that closed after the clusters formed (academy conversions) left on their close date.
    past = ClusterMembership.objects.filter(cluster__partnership=demo.partnership, left_on__isnull=False)
    assert past.exists() and all(m.left_on == m.school.close_date for m in past)


def test_a_few_schools_are_left_isolated(demo, db):
    schools = School.objects.filter(partnership=demo.partnership)
    open_schools = schools.open().state_funded().exclude(type_group__in=NOT_SCHOOLS).count()
    isolated = schools.isolated().exclude(type_group__in=NOT_SCHOOLS)
    assert 1 <= isolated.count() <= 0.05 * open_schools
    assert isolated.filter(type_name="Pupil referral unit").exists()
    assert isolated.exclude(type_name="Pupil referral unit").exists(), "and some far from the others"
    assert re.search(rf"Isolated:\s+{isolated.count()} schools", demo.output)


def test_two_or_three_alliances_hold_every_cluster_once(demo, db):
    alliances = Alliance.objects.filter(partnership=demo.partnership)
    assert 2 <= alliances.count() <= 3
    held = AllianceMembership.objects.filter(alliance__in=alliances, left_on__isnull=True)
    assert sorted(held.values_list("cluster_id", flat=True)) == sorted(
        Cluster.objects.filter(partnership=demo.partnership).values_list("pk", flat=True)
    )
    for alliance in alliances:
        districts = {m.cluster.memberships.first().school.district for m in held.filter(alliance=alliance)}
        others = {m.cluster.memberships.first().school.district for m in held.exclude(alliance=alliance)}
        assert districts and not districts & others, "an alliance holds whole districts"


def test_schools_have_history_from_the_second_file(demo, db):
    changes = SchoolChange.objects.filter(school__partnership=demo.partnership)
    assert changes.count() > 50
    assert changes.filter(field="head_last_name").exists() and changes.filter(field="status").exists()
    assert SchoolLink.objects.filter(partnership=demo.partnership).exists()
    assert Network.objects.filter(partnership=demo.partnership, kind=Network.Kind.TRUST).exists()


def test_one_demo_user_per_role_attached_where_the_role_needs(demo, db):
    # the other peer-review schools' heads are invented members who cannot sign in (demo/peerreview.py)
    from demo.people import INVENTED_MEMBERS

    memberships = (
        Membership.objects.filter(partnership=demo.partnership)
        .exclude(user__email__startswith="peer-head-")
        .exclude(user__email__startswith="support-head-")  # brokerage's invented heads (demo/brokerage.py)
        .exclude(user__email__in=INVENTED_MEMBERS)  # managed on the People pages (demo/people.py)
    )
    for role in Role.values:
        holders = memberships.filter(roles__contains=[role])
        assert holders.count() == 1 and holders.get().user.email.endswith("@demo.test"), role
    head = memberships.get(roles__contains=[Role.HEADTEACHER])
    lead = memberships.get(roles__contains=[Role.CLUSTER_LEAD])
    alliance_lead = memberships.get(roles__contains=[Role.ALLIANCE_LEAD])
    cluster = lead.clusters.get()
    assert cluster.memberships.filter(school=head.school, left_on__isnull=True).exists()
    assert alliance_lead.alliances.get().memberships.filter(cluster=cluster, left_on__isnull=True).exists()
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.filter(user=user, email=account.email, verified=True, primary=True).exists()
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert has_totp == (account.role in (Role.ADMIN, Role.OFFICER)) == bool(account.totp_seed)
        assert account.email in demo.output
    assert DEMO_PASSWORD in demo.output


def test_the_board_is_fictional(demo, db):
    board = BoardMember.objects.filter(partnership=demo.partnership)
    assert 6 <= board.count() <= 9
    assert all(m.name.startswith("Board Member ") and m.name.endswith("(demo)") for m in board)
    assert [m.seat for m in board if m.is_current()].count(BoardMember.Seat.CHAIR) == 1
    assert any(not m.is_current() for m in board), "one past member shows the board's history"
    assert board.get(user__email="board@demo.test").is_current()


def test_totp_secrets_are_stored_encrypted(demo, db):
    officer = User.objects.get(email="officer@demo.test")
    stored = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data["secret"]
    assert OFFICER_TOTP_SEED not in stored


def test_a_second_run_changes_nothing(demo, db):
    before = _state(demo.partnership)
    call_command("load_demo", data_dir=SHARED_DATA, stdout=StringIO())
    assert _state(demo.partnership) == before


def test_reset_rebuilds_the_same_partnership(demo, db):
    def counts(partnership: Partnership) -> dict[str, int]:
        return {key: len(rows) for key, rows in _state(partnership).items()}

    before = counts(demo.partnership)
    call_command("load_demo", "--reset", data_dir=SHARED_DATA, stdout=StringIO())
    rebuilt = Partnership.objects.get(slug=DEMO_SLUG)
    assert rebuilt.pk != demo.partnership.pk
    assert counts(rebuilt) == before


def _open_schools(partnership: Partnership):
    return School.objects.filter(partnership=partnership).open().state_funded()


def test_the_real_performance_files_are_imported_for_surrey_only(demo, db):
    values = PerformanceValue.objects.filter(partnership=demo.partnership, value__isnull=False)
    assert {2017, 2018, 2019} <= set(values.order_by().values_list("year", flat=True).distinct())
    for stage in ("ks2", "ks4"):
        for year in (2017, 2018, 2019):
            assert values.filter(year=year, code__startswith=f"{stage}_").exists(), (stage, year)
    # Census and absence are England-wide files: only the partnership's own schools are kept, with the averages.
    assert values.filter(year=2019, code__startswith="census_").exists()
    assert values.filter(year=2019, code__startswith="abs_").exists()
    urns = set(values.order_by().values_list("urn", flat=True).distinct())
    register = set(School.objects.filter(partnership=demo.partnership).values_list("urn", flat=True))
    assert len(urns) < 1000 and len(urns & register) > 0.9 * len(urns)
    assert AreaAverage.objects.filter(partnership=demo.partnership, year=2019, area="england").exists()
    assert not Inspection.objects.filter(partnership=demo.partnership).exists(), "the Ofsted sample has no Surrey rows"
    assert re.search(r"Data:\s+[\d,]+ performance values \(academic years ending \d{4}–2019\)", demo.output)


def test_one_run_in_process_categorises_every_open_school_with_the_demo_rules(demo, db):
    runs = RiskRun.objects.filter(partnership=demo.partnership)
    run = runs.get()  # the imports' and entries' recomputations joined it: nothing is left queued for a worker
    assert (run.state, run.trigger) == (RiskRun.State.SUCCEEDED, RiskRun.Trigger.COMMAND)
    assert run.created_by.email == "officer@demo.test"
    version = RuleSetVersion.objects.get(partnership=demo.partnership, is_active=True)
    assert run.ruleset_version == version and version.note.startswith("Demo: the sample's latest school-level")
    max_age = academic_year_end(timezone.localdate()) - 2019
    default = ruleset_to_dict(DEFAULT_RULESET)
    expected = ruleset_to_dict(
        dataclasses.replace(DEFAULT_RULESET, data=dataclasses.replace(DEFAULT_RULESET.data, max_age_years=max_age))
    )
    assert version.config == expected and version.config != default
    assessed = set(RiskAssessment.objects.filter(run=run).values_list("school_id", flat=True))
    assert assessed == set(_open_schools(demo.partnership).values_list("pk", flat=True)) and len(assessed) > 300
    categories = RiskAssessment.objects.filter(run=run).values_list("proposed_category", flat=True)
    spread = {c: list(categories).count(c) for c in set(categories)}
    assert len(spread) >= 3 and max(spread.values()) < 0.8 * len(assessed), spread
    expanded = list(RiskAssessment.objects.filter(run=run))
    assessments_expand(expanded)
    rated = [a for a in expanded if a.indicators["S2"]["rating"]]
    assert len(rated) > 150, "2018/19 results count as the latest under the demo rules"
    assert f"Risk run:  {len(assessed)} schools categorised" in demo.output


def test_invented_intelligence_with_one_confidential_entry_and_a_register_of_concern(demo, db):
    entries = IntelligenceEntry.objects.filter(partnership=demo.partnership)
    assert entries.count() == len(DEMO_INTELLIGENCE)
    assert sorted(entries.values_list("summary", flat=True)) == sorted(e.summary for e in DEMO_INTELLIGENCE)
    assert all(INVENTED in e.evidence and e.recorded_by.email == "officer@demo.test" for e in entries)
    assert entries.filter(confidential=True).count() == 1
    head = Membership.objects.get(partnership=demo.partnership, user__email="head@demo.test")
    assert entries.filter(school=head.school, confidential=False).exists()
    run = RiskRun.objects.get(partnership=demo.partnership)
    concerned = list(RiskAssessment.objects.filter(run=run, school__in=entries.values("school")))
    assessments_expand(concerned)
    escalated = [
        a for a in concerned if any(r.startswith("Raised as a concern 3 times in the 12 months") for r in a.reasons)
    ]
    assert len(escalated) == 1
    # #14.5: the update on the complaints issue is linked to it and counted once (3 concerns from 4 entries)
    update = entries.get(summary__startswith="Update: the complaints panel")
    assert update.thread is not None and update.thread.school_id == update.school_id
    assert escalated[0].school_id == update.school_id
    # the new head's school: "head new in post" and network attendance are not concerns (C1 counts the head)
    new_head = entries.get(kind="head_new").school_id
    assert not any(r.startswith("Raised as a concern") for a in concerned if a.school_id == new_head for r in a.reasons)


def test_a_round_is_adjusted_moderated_agreed_and_published(demo, db):
    round_ = CategorisationRound.objects.get(partnership=demo.partnership, kind="annual")
    run = RiskRun.objects.get(partnership=demo.partnership)
    assert round_.run == run and round_.state == CategorisationRound.State.PUBLISHED
    assert round_.agreed_on == timezone.localdate() and round_.agreed_minute
    assert round_.reply_deadline > timezone.localdate()
    rows = SchoolCategory.objects.filter(round=round_)
    assert rows.count() == _open_schools(demo.partnership).count()
    # #14: schools with insufficient evidence (proposed 0) are categorised by the officer before agreement
    unknown = rows.filter(proposed_category=0)
    assert not rows.filter(category=0).exists()
    assert unknown.filter(status=SchoolCategory.Status.ADJUSTED).count() == unknown.count()
    adjusted = rows.filter(status=SchoolCategory.Status.ADJUSTED).exclude(proposed_category=0)
    assert adjusted.count() == 2
    assert {abs(sc.category - sc.proposed_category) for sc in adjusted} == {1}
    assert {sc.category - sc.proposed_category for sc in adjusted} == {1, -1}, "one up, one down"
    moderated = rows.get(status=SchoolCategory.Status.MODERATED)
    steps = list(moderated.decisions.values_list("step", "from_category", "to_category"))
    p = moderated.proposed_category
    Step = CategoryDecision.Step
    assert steps[:3] == [(Step.PROPOSED, None, p), (Step.REFERRED, p, p + 2), (Step.MODERATED, p, p + 1)]
    assert moderated.decisions.get(step=Step.MODERATED).meeting_on == timezone.localdate()
    assert all(d.reason and len(d.rationale) >= 20 for sc in adjusted for d in sc.decisions.filter(step=Step.ADJUSTED))
    decisions = CategoryDecision.objects.filter(school_category__round=round_)
    for step in (Step.PROPOSED, Step.AGREED, Step.PUBLISHED):
        assert decisions.filter(step=step).count() == rows.count(), step
    assert len({sc.category for sc in rows}) >= 3
    assert re.search(rf"Round:\s+{round_.name} \(published to schools; replies until ", demo.output)


@pytest.mark.parametrize("today", [dt.date(2026, 9, 1), dt.date(2026, 12, 31), dt.date(2027, 8, 31)])
def test_example_holidays_cover_the_school_year_of_today_in_order_without_overlap(today):
    holidays = demo_school_holidays(today)
    autumn = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    assert [name.split(" (")[0] for name, *_ in holidays] == [
        "October half term",
        "Christmas holiday",
        "February half term",
        "Easter holiday",
        "May half term",
        "Summer holiday",
    ]
    assert all("example dates" in name for name, *_ in holidays), "never passed off as a council's term dates"
    assert autumn < holidays[0][1] and holidays[-1][2] == autumn.replace(year=autumn.year + 1, month=8, day=31)
    for (_, start, end), (_, next_start, _) in zip(holidays, holidays[1:], strict=False):
        assert start <= end < next_start
    easter_start, easter_end = holidays[3][1:]
    assert easter_start.weekday() == 0 and easter_end.weekday() == 4 and (easter_end - easter_start).days == 11


def test_the_demo_enters_example_holidays_before_it_publishes(demo, db):
    """The holidays are there, and the deadline was counted with them. Whether they move it depends on the day
    the demo is built (today no example holiday may fall in the window); the stepping itself is tested in
    tests/risk/test_school_holidays.py."""
    holidays = SchoolHoliday.objects.filter(partnership=demo.partnership).order_by("starts_on")
    today = timezone.localdate()
    assert [(h.name, h.starts_on, h.ends_on) for h in holidays] == demo_school_holidays(today)
    assert all(
        h.created_at <= CategorisationRound.objects.get(partnership=demo.partnership, kind="annual").published_at
        for h in holidays
    )
    round_ = CategorisationRound.objects.get(partnership=demo.partnership, kind="annual")
    closures = [(h.starts_on, h.ends_on) for h in holidays]
    assert round_.reply_deadline == school_days_after(today, 10, closures)
    without = school_days_after(today, 10)
    if any(start <= without and end > today for start, end in closures):  # a holiday inside the plain window
        assert round_.reply_deadline > without


def test_the_head_and_chair_see_their_school_s_published_category(demo, db):
    for email in ("head@demo.test", "chair@demo.test"):
        membership = Membership.objects.get(partnership=demo.partnership, user__email=email)
        sc = (  # the school's current published category (#14.11: the in-year review of the head's school)
            SchoolCategory.objects.filter(round__partnership=demo.partnership, school=membership.school)
            .order_by("-round__agreed_on", "-round__created_at")
            .first()
        )
        response = client_for(membership.user).get(reverse("risk:own_category"))
        assert response.status_code == 200
        page = response.content.decode()
        assert membership.school.name in page and "Agreed category" in page
        assert "Send the reply" in page, "the reply window is open"
        assert sc.round.name in page
        confidential = IntelligenceEntry.objects.filter(partnership=demo.partnership, confidential=True).get()
        assert confidential.summary not in page


def test_missing_data_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Demo data not found"):
        call_command("load_demo", data_dir=tmp_path, stdout=StringIO())


def test_both_commands_refuse_in_production(db, settings):
    settings.PRODUCTION = True
    before = (Partnership.objects.count(), User.objects.count(), School.objects.count())
    with pytest.raises(CommandError, match="refused in production"):
        call_command("load_demo", "--reset", data_dir=SHARED_DATA, stdout=StringIO())
    with pytest.raises(CommandError, match="refused in production"):
        call_command("demo_totp", stdout=StringIO())
    assert (Partnership.objects.count(), User.objects.count(), School.objects.count()) == before


def test_officer_signs_in_with_the_demo_password_and_totp_seed(demo, db):
    officer = User.objects.get(email="officer@demo.test")
    code = pyotp.TOTP(OFFICER_TOTP_SEED).now()
    # A code is accepted once per period; forget an earlier test run's use of this same code.
    cache.delete(TOTP(Authenticator.objects.get(user=officer, type="totp"))._get_used_cache_key(code))
    client = Client()
    response = client.post(reverse("account_login"), {"login": "officer@demo.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    home = client.get(reverse("partnership:home"))
    assert home.status_code == 200
    assert "Surrey School Improvement Partnership" in home.content.decode()


def test_demo_totp_prints_codes_that_verify(demo, db):
    out = StringIO()
    call_command("demo_totp", stdout=out)
    lines = out.getvalue().splitlines()
    printed = {line.split()[0]: line for line in lines}
    with_seeds = [a for a in DEMO_ACCOUNTS if a.totp_seed]
    assert sorted(printed) == sorted(a.email for a in with_seeds)
    for account in with_seeds:
        code = re.search(r"\s(\d{6})\s", printed[account.email]).group(1)
        assert account.totp_seed in printed[account.email]
        assert pyotp.TOTP(account.totp_seed).verify(code, valid_window=1)


def test_readme_documents_every_demo_account():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for account in DEMO_ACCOUNTS:
        row = next((line for line in readme.splitlines() if f"| `{account.email}` |" in line), "")
        assert row.startswith(f"| {account.role_label} |"), account.email
        assert f"`{DEMO_PASSWORD}`" in row
        assert (f"`{account.totp_seed}`" if account.totp_seed else "| none |") in row
    text = " ".join(readme.split())
    assert len(DEMO_INTELLIGENCE) == 13 and len({e.school for e in DEMO_INTELLIGENCE}) == 6
    assert "thirteen invented soft-intelligence entries on six real schools" in text
    assert sum(e.school == "head" and not e.confidential for e in DEMO_INTELLIGENCE) == 3
    assert [e.confidential for e in DEMO_INTELLIGENCE].count(True) == 1 and "One entry is confidential" in text


def test_the_demo_survives_a_backup_and_a_restore_into_an_empty_database(demo, db, tmp_path):
    """make backup / make restore on the whole demo: every table's row count and the key tables' checksums."""
    from tests.partnership.test_backup import round_trip

    counts = round_trip(tmp_path)
    assert counts["schools_school"] > 400 and counts["partnership_membership"] >= 8


def test_peer_review_shows_every_role_something(demo, db):
    """The demo head's cluster programme: a completed review with report, grants and actions, one in its visit,
    one the head leads, one the head has still to declare for; each role sees its part (demo/peerreview.py)."""
    from peerreview.models import Programme, ReportRead, Review, ShareGrant, TeamMember

    programme = Programme.objects.get(partnership=demo.partnership)
    head = Membership.objects.get(partnership=demo.partnership, user__email="head@demo.test")
    reviews = {r.state: r for r in programme.reviews.all()}
    assert set(reviews) == {"actions_live", "visit", "findings_agreed", "planned"}
    own = reviews["actions_live"]
    assert own.host == head.school and own.report_versions.get().is_locked
    assert own.actions.filter(support_needed=True).exists() and own.actions.filter(status="completed").exists()
    assert set(ShareGrant.objects.filter(review=own, revoked_at__isnull=True).values_list("audience", flat=True)) == {
        "cluster",
        "governors",
        "la_officers",
    }
    assert ReportRead.objects.filter(review=own).exists()
    assert TeamMember.objects.get(review=reviews["findings_agreed"], user=head.user).role == "lead_reviewer"
    assert not TeamMember.objects.get(review=reviews["planned"], user=head.user).is_cleared
    assert Review.objects.filter(partnership=demo.partnership, events__by__isnull=True).count() == 0
    pages = {
        "head@demo.test": [
            ("peerreview:review_detail", own.pk, 200),
            ("peerreview:report", own.pk, 200),
            ("peerreview:review_detail", reviews["findings_agreed"].pk, 200),
            ("peerreview:review_detail", reviews["visit"].pk, 404),
        ],
        "chair@demo.test": [("peerreview:report", own.pk, 200), ("peerreview:review_detail", own.pk, 404)],
        "cluster-lead@demo.test": [("peerreview:report", own.pk, 200), ("peerreview:rollup", None, 200)],
        "officer@demo.test": [("peerreview:report", own.pk, 200), ("peerreview:review_detail", own.pk, 404)],
        "alliance-lead@demo.test": [("peerreview:report", own.pk, 404), ("peerreview:rollup", None, 200)],
        "board@demo.test": [("peerreview:report", own.pk, 404), ("peerreview:rollup", None, 200)],
        "system-leader@demo.test": [("peerreview:review_detail", reviews["visit"].pk, 200)],
    }
    for email, visits in pages.items():
        client = client_for(User.objects.get(email=email))
        for name, pk, status in visits:
            url = reverse(name, args=[pk] if pk else [])
            assert client.get(url).status_code == status, (email, name)
    directory = client_for(head.user).get(reverse("peerreview:excellence"))
    assert b"Early reading and phonics (demo)" in directory.content


def test_people_are_managed_in_the_demo_with_every_change_logged(demo, db):
    """demo/people.py: a lead made by the officer, an archived member, a pending invitation, each on People."""
    from demo.people import DEPUTY_EMAIL, FORMER_EMAIL, INVITED_EMAIL
    from partnership.models import Invitation, MembershipEvent

    deputy = Membership.objects.get(partnership=demo.partnership, user__email=DEPUTY_EMAIL)
    assert Role.CLUSTER_LEAD in deputy.roles and deputy.clusters.count() == 1
    event = deputy.events.get(action=MembershipEvent.Action.LEADS)
    assert event.by.email == "officer@demo.test" and event.before["clusters"] == [] and event.after["clusters"]
    former = Membership.objects.get(partnership=demo.partnership, user__email=FORMER_EMAIL)
    assert former.archived_at is not None and former.events.get(action="archived").by.email == "admin@demo.test"
    assert Invitation.objects.filter(partnership=demo.partnership, email=INVITED_EMAIL, state="pending").exists()
    assert "People: Deputy Lead (demo)" in demo.output
    from tests.conftest import client_for

    officer = client_for(User.objects.get(email="officer@demo.test"))
    page = officer.get(reverse("partnership:person", args=[deputy.pk])).content.decode()
    assert "Clusters and alliances led changed" in page and "officer@demo.test" in page
    assert officer.get(reverse("partnership:people")).status_code == 200


def test_cluster_health_checks_in_the_demo(demo, db):
    """Two checks a year apart for the demo cluster (every state walked), one in progress, one moderated."""
    from clusters.health.models import HealthCheck

    lead = Membership.objects.get(partnership=demo.partnership, user__email="cluster-lead@demo.test")
    mine = list(HealthCheck.objects.filter(cluster=lead.clusters.get()).order_by("held_on"))
    assert [c.state for c in mine] == ["actions", "actions"]
    assert (mine[1].held_on - mine[0].held_on).days >= 350
    assert mine[0].indicators["outcomes"]["ks2_rwm"].get("england") is not None  # real Surrey KS2 against England
    others = set(
        HealthCheck.objects.filter(partnership=demo.partnership)
        .exclude(pk__in=[c.pk for c in mine])
        .values_list("state", flat=True)
    )
    assert others == {"rating", "moderated"}
    head = client_for(User.objects.get(email="head@demo.test"))
    page = head.get(reverse("cluster_health:cluster", args=[mine[0].cluster_id])).content.decode()
    assert 'id="chart-strands-figure"' in page and "Autumn 2025" in page


def test_categories_change_between_rounds_in_the_demo(demo, db):
    """#14.11: a termly review of categories 3-4 and an in-year review of the head's school, both published after
    the annual round; a suggestion left on the officer's work queue; every reader sees current categories."""
    from schools.risk.categorisation.selectors import current_categories
    from schools.risk.categorisation.triggers import review_suggestions

    found = CategorisationRound.objects.filter(partnership=demo.partnership)
    annual, termly, in_year = (found.get(kind=kind) for kind in ("annual", "termly", "in_year"))
    assert {r.state for r in (annual, termly, in_year)} == {CategorisationRound.State.PUBLISHED}
    termly_rows = SchoolCategory.objects.filter(round=termly)
    assert termly_rows.exists() and all(sc.previous_category >= 3 for sc in termly_rows)
    assert termly_rows.filter(status=SchoolCategory.Status.ADJUSTED).count() == 1
    head = Membership.objects.get(partnership=demo.partnership, user__email="head@demo.test")
    assert in_year.school == head.school and in_year.trigger == "complaint"
    current = {sc.school_id: sc.round_id for sc in current_categories(partnership_id=demo.partnership.pk)}
    assert current[head.school_id] == in_year.pk
    assert {sc.school_id for sc in termly_rows if sc.school_id != head.school_id} <= {
        s for s, r in current.items() if r == termly.pk
    }
    assert sum(1 for r in current.values() if r == annual.pk) > 300
    waiting = review_suggestions(partnership_id=demo.partnership.pk)
    assert "safeguarding" in [s.latest.trigger for s in waiting]
    officer = Membership.objects.get(partnership=demo.partnership, user__email="officer@demo.test")
    home = client_for(officer.user).get(reverse("partnership:home")).content.decode()
    assert "Schools with an in-year review suggested" in home
    page = client_for(head.user).get(reverse("risk:own_category")).content.decode()
    assert in_year.name in page and annual.name in page and in_year.trigger_note not in page
    assert "termly review of categories 3-4" in demo.output
