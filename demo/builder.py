"""The demo partnership for newcomers (``manage.py load_demo``): real Surrey GIAS data, invented people.

``demo_build`` makes partnership ``surrey`` from the real GIAS files (the 2021 extract, then the 2022 one, so
schools have a change history; then the England links file) through the normal importer, draws clusters and
alliances from geography (``clusters.geography``), seats a board of obviously fictional members and gives
one demo user per role a documented password, with documented TOTP seeds for the roles that must use MFA.

Then the risk picture: the real Surrey KS2 and KS4 results (2016/17 to 2018/19) and the England census and
absence files (2018/19) through the performance importer, a demo rule set that lets 2018/19 count as the
latest results, a few invented soft-intelligence entries, one risk run computed here (not by a worker), and a
categorisation round walked through the people's workflow (adjusted, referred and moderated, agreed, published)
so the head and chair of the demo school see its category and may reply.

Running it again changes nothing: every part is found by its natural key (file rows by URN, clusters and
alliances by name, board seats by name, users by email) and only what is missing is written; the risk part is
skipped once the demo has a published round. ``demo_delete`` removes the partnership and the demo users, for a
clean rebuild. Both refuse to run in production, so demo accounts with published passwords can never be created
there this way (and the ``demo`` app is not even installed there).

Adding a feature to the demo: write ``demo/<feature>.py`` with a ``DemoStep`` (``demo.context``: a label, a
``build(ctx) -> list[str]`` that writes through the feature's services and returns summary lines, and optionally
a ``delete(partnership) -> int`` for rows that protect the partnership from ``--reset``), import it here and add
it to ``DEMO_STEPS``. Steps run in that order after the risk part, each in its own transaction, on every build
(so each must find what it wrote before and write only what is missing), and see everything the earlier parts
built (``DemoContext``: the partnership, the demo accounts by role, clusters, alliances, the cluster plan, today).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from dateutil.easter import easter
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from clusters.geography import districts_in_alliances, schools_clustered
from clusters.models import Alliance, AllianceMembership, Cluster, ClusterMembership
from clusters.services import alliance_add_cluster, alliance_create, cluster_add_school, cluster_create
from demo.board import BOARD_STEP
from demo.brokerage import BROKERAGE_STEP
from demo.context import DemoContext, DemoStep
from demo.day_one import DAY_ONE_STEP
from demo.health import HEALTH_STEP
from demo.peerreview import PEER_REVIEW_STEP
from demo.people import PEOPLE_STEP
from demo.reviews import REVIEWS_STEP
from demo.visits import VISITS_STEP
from partnership import calendar
from partnership.models import BoardMember, Invitation, Membership, Partnership, Role, User
from partnership.services import board_member_save, dated_membership_end, tracked_save
from schools.importers.db import partnership_import_lock
from schools.importers.service import gias_import
from schools.models import Inspection, Network, PerformanceValue, School, SchoolChange, SchoolLink
from schools.performance.layouts import ABSENCE, CENSUS, KS2, KS4, OFSTED
from schools.performance.service import performance_import
from schools.performance.years import academic_year_parse
from schools.risk import DEFAULT_RULESET, ruleset_to_dict
from schools.risk import services as risk_services
from schools.risk.categorisation import services as rounds
from schools.risk.inputs import academic_year_end
from schools.risk.models import (
    CategorisationRound,
    CategoryDecision,
    IntelligenceEntry,
    RiskBacktest,
    RiskRun,
    RuleSetVersion,
    SchoolCategory,
)
from schools.risk.presenters import category_labels

DEMO_SLUG = "surrey"
DEMO_NAME = "Surrey School Improvement Partnership"
DEMO_LA_CODES = ["936"]
DEMO_AREA = "Surrey"

# Published on purpose (README "Demo accounts"): the demo is for trying the service, never for real data.
DEMO_PASSWORD = "surrey-demo-partnership-2026"  # noqa: S105
ADMIN_TOTP_SEED = "SURREYDEMOADMINTOTPSEED234567ABC"  # noqa: S105
OFFICER_TOTP_SEED = "SURREYDEMOOFFICERTOTPSEED234567A"  # noqa: S105

GIAS_FILES = (
    "gias/gias_search_results_936_2021.csv",
    "gias/gias_search_results_936_20220420.csv",
    "gias/links_edubasealldata20250422.csv",
)
# The real performance files (kind, academic year as in the file names, path under the data folder). KS2 and
# KS4 are Surrey's own; census and absence are England-wide files, of which the importer keeps Surrey's schools
# and the national averages.
PERFORMANCE_FILES: tuple[tuple[str, str, str], ...] = (
    (KS2, "2016-2017", "performance/ks2/2016-2017_936_ks2final.csv"),
    (KS2, "2017-2018", "performance/ks2/2017-2018_936_ks2final.csv"),
    (KS2, "2018-2019", "performance/ks2/2018-2019_936_ks2final.csv"),
    (KS4, "2016-2017", "performance/ks4/2016-2017_936_ks4final.csv"),
    (KS4, "2017-2018", "performance/ks4/2017-2018_936_ks4final.csv"),
    (KS4, "2018-2019", "performance/ks4/2018-2019_936_ks4final.csv"),
    (CENSUS, "2018-2019", "census/2018-2019_england_census.csv"),
    (ABSENCE, "2018-2019", "attendance/2018-2019_england_abs.csv"),
)
# Ofsted management information: a sample, imported when present (the importer keeps only the partnership's
# schools; the shared sample happens to hold none in Surrey, so the demo has no inspections).
OFSTED_SAMPLE = "ofsted/ofsted_mi_sample.csv"
# The sample's latest school-level results are for 2018/19 (academic year ending 2019).
LATEST_RESULTS_YEAR = 2019
CLUSTERS_FORMED = dt.date(2019, 9, 1)
ALLIANCES_FORMED = dt.date(2020, 9, 1)
ALLIANCE_COUNT = 3
# Where the demo is served (``make demo``): the link in the "your category is published" emails.
DEMO_BASE_URL = "http://127.0.0.1:8000/"

# GIAS establishment groups that are not schools (the register still holds them, but no cluster will).
NOT_SCHOOLS = ("Children's Centres", "Colleges")
# Left out of geographic clusters on purpose, so the demo shows isolated schools a partnership would chase.
LEFT_OUT_TYPES = {"Pupil referral unit": "pupil referral unit"}

# The features' demo steps, in the order they run after the risk part (see the module docstring). Add yours as
# ``from demo.<feature> import <FEATURE>_STEP`` above and one line here.
DEMO_STEPS: tuple[DemoStep, ...] = (PEER_REVIEW_STEP,)
DEMO_STEPS += (HEALTH_STEP,)  # cluster health checks (issue #12)
DEMO_STEPS += (BROKERAGE_STEP,)  # brokerage (issue #11): after peer review, whose needs and days it reads
DEMO_STEPS += (PEOPLE_STEP,)  # people managed after invitation (issue #9)
DEMO_STEPS += (VISITS_STEP,)  # notes of visit (issue #14 item 10): after the round, whose categories it reads
DEMO_STEPS += (DAY_ONE_STEP,)  # issue #14 item 9: the head's reply to the annual round, answered, before later rounds
DEMO_STEPS += (REVIEWS_STEP,)  # in-year and termly reviews (issue #14 item 11): after the visits, before the board
DEMO_STEPS += (BOARD_STEP,)  # the strategic board (issue #13): last, its KPIs and pack read every other feature


@dataclass(frozen=True)
class DemoAccount:
    """One demo user: the role they hold, how they sign in, and the TOTP seed if their role needs MFA."""

    role: str
    email: str
    full_name: str
    job_title: str
    totp_seed: str = ""

    @property
    def role_label(self) -> str:
        return Role(self.role).label


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(Role.ADMIN, "admin@demo.test", "Demo Admin", "Partnership administrator (demo)", ADMIN_TOTP_SEED),
    DemoAccount(
        Role.OFFICER, "officer@demo.test", "Demo Officer", "School improvement officer (demo)", OFFICER_TOTP_SEED
    ),
    DemoAccount(Role.HEADTEACHER, "head@demo.test", "Demo Headteacher", "Headteacher (demo)"),
    DemoAccount(Role.CHAIR_OF_GOVERNORS, "chair@demo.test", "Demo Chair of Governors", "Chair of governors (demo)"),
    DemoAccount(Role.CLUSTER_LEAD, "cluster-lead@demo.test", "Demo Cluster Lead", "Cluster lead (demo)"),
    DemoAccount(Role.ALLIANCE_LEAD, "alliance-lead@demo.test", "Demo Alliance Lead", "Alliance lead (demo)"),
    DemoAccount(Role.BOARD_MEMBER, "board@demo.test", "Demo Board Member", "Board member (demo)"),
    DemoAccount(
        Role.SYSTEM_LEADER, "system-leader@demo.test", "Demo System Leader", "Local leader of education (demo)"
    ),
)


@dataclass(frozen=True)
class DemoSeat:
    """A fictional board member: the name says it is a demo, the seat and term are realistic."""

    name: str
    seat: str
    organisation: str
    term_start: dt.date
    term_end: dt.date | None
    is_demo_user: bool = False


def _september(year: int) -> dt.date:
    return dt.date(year, 9, 1)


def _august(year: int) -> dt.date:
    return dt.date(year, 8, 31)


_Seat = BoardMember.Seat
_PRIMARY_HEADS = "Surrey primary headteachers"
DEMO_BOARD: tuple[DemoSeat, ...] = (
    DemoSeat("Board Member A (demo)", _Seat.CHAIR, "Independent chair", _september(2024), _august(2027)),
    DemoSeat("Board Member B (demo)", _Seat.PRIMARY_HEAD, _PRIMARY_HEADS, _september(2025), _august(2028)),
    DemoSeat("Board Member C (demo)", _Seat.SECONDARY_HEAD, "Surrey secondary headteachers", _september(2025), None),
    DemoSeat("Board Member D (demo)", _Seat.SPECIAL_HEAD, "Special schools and AP", _september(2024), _august(2027)),
    DemoSeat("Board Member E (demo)", _Seat.GOVERNOR, "Surrey governors", _september(2025), _august(2028), True),
    DemoSeat("Board Member F (demo)", _Seat.TRUST, "Multi-academy trusts", dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    DemoSeat("Board Member G (demo)", _Seat.DIOCESE, "Diocesan board of education", _september(2024), None),
    DemoSeat("Board Member H (demo)", _Seat.LA, "Surrey County Council", dt.date(2023, 4, 1), None),
    # A seat whose term has ended, so the board page shows its history.
    DemoSeat("Board Member I (demo)", _Seat.PRIMARY_HEAD, _PRIMARY_HEADS, _september(2021), _august(2025)),
)


class DemoRefused(Exception):  # noqa: N818 - reads as "the demo was refused"
    """The demo may not be built here (production settings)."""


class DemoDataError(Exception):
    """A demo data file is missing or the importer rejected it."""


@dataclass
class DemoSummary:
    """What the demo partnership holds after a build (counted from the database, not from what was written)."""

    partnership: Partnership
    schools: int
    open_schools: int
    changes: int
    links: int
    networks: int
    clusters: int
    cluster_sizes: tuple[int, int]
    clustered_schools: int
    alliances: dict[str, int]
    isolated: int
    isolated_reasons: dict[str, int]
    isolated_not_schools: int
    board_members: int
    users: int
    accounts: list[tuple[DemoAccount, str]] = field(default_factory=list)
    risk: DemoRisk | None = None
    features: list[str] = field(default_factory=list)  # what each DEMO_STEPS step reported, in order


@dataclass
class DemoRisk:
    """The demo's risk picture: data imported, the latest run's proposals and the latest round's decisions."""

    values: int
    years: list[int]
    inspections: int
    intelligence: int
    confidential: int
    ruleset_version: int | None
    ruleset_note: str
    run_schools: int
    proposed: dict[str, int]
    round_name: str
    round_state: str
    agreed: dict[str, int]
    statuses: dict[str, int]
    reply_deadline: dt.date | None


def demo_guard() -> None:
    """Raise DemoRefused under production settings: published demo passwords must never exist there."""
    if settings.PRODUCTION:
        raise DemoRefused(
            "Demo commands are refused in production (DJANGO_ENV=production): "
            "the demo accounts have published passwords and TOTP seeds."
        )


def default_data_dir() -> Path:
    """The shared data folder beside the repository (``<BASE_DIR>/../shared/data``)."""
    return (Path(settings.BASE_DIR) / ".." / "shared" / "data").resolve()


def demo_files(data_dir: Path | None = None) -> list[Path]:
    """The GIAS files the demo imports, in order; DemoDataError if any is missing."""
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    paths = [base / name for name in GIAS_FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise DemoDataError(f"Demo data not found: {', '.join(missing)} (use --data-dir to point at shared/data)")
    return paths


@dataclass(frozen=True)
class PerformanceFile:
    """A performance file the demo imports: its kind, academic year (ending year; None for Ofsted) and path."""

    kind: str
    year: int | None
    path: Path


def demo_performance_files(data_dir: Path | None = None) -> list[PerformanceFile]:
    """The performance files the demo imports, in order; DemoDataError if a KS2, KS4, census or absence file is
    missing (the Ofsted sample is optional)."""
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    files = [PerformanceFile(kind, academic_year_parse(label), base / name) for kind, label, name in PERFORMANCE_FILES]
    missing = [str(f.path) for f in files if not f.path.is_file()]
    if missing:
        raise DemoDataError(f"Demo data not found: {', '.join(missing)} (use --data-dir to point at shared/data)")
    ofsted = base / OFSTED_SAMPLE
    return files + ([PerformanceFile(OFSTED, None, ofsted)] if ofsted.is_file() else [])


def demo_delete() -> int:
    """Delete the demo partnership (with everything in it) and the demo users; returns rows deleted."""
    demo_guard()
    in_demo = {"partnership__slug": DEMO_SLUG}
    with transaction.atomic():
        features = sum(
            step.delete(partnership)
            for step in DEMO_STEPS
            for partnership in Partnership.objects.filter(slug=DEMO_SLUG)
            if step.delete is not None
        )
        # Memberships and invitations protect the schools they point at: remove them before the schools go.
        people, _ = Membership.objects.filter(**in_demo).delete()
        invitations, _ = Invitation.objects.filter(**in_demo).delete()
        # Rounds protect their runs, and runs and backtests the rule-set versions they used: newest first.
        risk = sum(
            model.objects.filter(**in_demo).delete()[0] for model in (CategorisationRound, RiskBacktest, RiskRun)
        )
        deleted, _ = Partnership.objects.filter(slug=DEMO_SLUG).delete()
        users, _ = User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).delete()
    return features + people + invitations + risk + deleted + users


def demo_build(
    *, data_dir: Path | None = None, reset: bool = False, on_step: Callable[[str], None] | None = None
) -> DemoSummary:
    """Build (or bring up to date) the demo partnership; the same data twice changes nothing."""
    demo_guard()
    step = on_step or (lambda message: None)
    paths = demo_files(data_dir)
    performance = demo_performance_files(data_dir)
    if reset:
        step("Deleting the existing demo partnership")
        demo_delete()
    partnership = _partnership_ensure()
    run = None
    with partnership_import_lock(partnership.pk) as acquired:
        if not acquired:
            raise DemoDataError(f"An import into {partnership.slug} is running: try again when it finishes")
        with transaction.atomic():
            for path in paths:
                step(f"Importing {path.name}")
                _import(partnership, path)
            step("Drawing clusters from geography")
            plan = cluster_plan(partnership=partnership)
            clusters = _clusters_write(partnership, plan)
            _predecessors_write(partnership, plan, clusters)
            step("Grouping clusters into alliances")
            alliances = _alliances_write(partnership, plan, clusters)
            step("Creating the demo accounts and the board")
            accounts = _accounts_write(partnership, plan, clusters, alliances)
            _board_write(partnership, accounts[Role.BOARD_MEMBER].user)
            if not _risk_built(partnership):
                run = _risk_data_write(partnership, plan, accounts, performance, step)
        # Committed: the imports' and entries' requests for a recomputation have all joined the waiting run.
        if run is not None:
            step("Categorising every school (in this process)")
            run = _risk_run_here(run)
            step("Deciding, agreeing and publishing a categorisation round")
            _round_write(partnership, run, accounts, plan)
    context = DemoContext(
        partnership=partnership,
        accounts=accounts,
        clusters=clusters,
        alliances=alliances,
        plan=plan,
        today=timezone.localdate(),
        step=step,
    )
    features = _features_write(context)
    summary = demo_summary(partnership=partnership, plan=plan)
    summary.features = features
    return summary


def _features_write(context: DemoContext) -> list[str]:
    """Run every DEMO_STEPS step in order, each in its own transaction; their summary lines, in order."""
    lines: list[str] = []
    for feature in DEMO_STEPS:
        context.step(feature.label)
        with transaction.atomic():
            lines += feature.build(context)
    return lines


def _partnership_ensure() -> Partnership:
    with transaction.atomic():
        partnership, created = Partnership.objects.get_or_create(
            slug=DEMO_SLUG, defaults={"name": DEMO_NAME, "la_codes": DEMO_LA_CODES}
        )
        if not created and (partnership.name, partnership.la_codes) != (DEMO_NAME, DEMO_LA_CODES):
            partnership.name, partnership.la_codes = DEMO_NAME, DEMO_LA_CODES
            tracked_save(partnership, user=None, creating=False)
    return partnership


def _import(partnership: Partnership, path: Path) -> None:
    result = gias_import(partnership=partnership, path=path)
    if not result.ok:
        raise DemoDataError(f"{path.name} was rejected: {result.summary()}")


# --- Clusters and alliances ------------------------------------------------------------------------


def cluster_plan(*, partnership: Partnership) -> pd.DataFrame:
    """Open state-funded schools (not children's centres or colleges) with their cluster, or why they have none.

    Columns: id, urn, name, district, town, phase, type_name, open_date, easting, northing, cluster, alone.
    """
    columns = ["id", "urn", "name", "district", "town", "phase", "type_name", "open_date", "easting", "northing"]
    schools = (
        School.objects.filter(partnership=partnership)
        .open()
        .state_funded()
        .exclude(type_group__in=NOT_SCHOOLS)
        .order_by("urn")
        .values_list(*columns)
    )
    frame = pd.DataFrame.from_records(list(schools), columns=columns)
    frame["easting"] = pd.to_numeric(frame["easting"], errors="coerce").astype(float)
    frame["northing"] = pd.to_numeric(frame["northing"], errors="coerce").astype(float)
    left_out = frame["type_name"].isin(list(LEFT_OUT_TYPES))
    clustered = schools_clustered(frame[~left_out])
    kept_apart = frame[left_out].assign(cluster="", alone=frame.loc[left_out, "type_name"].map(LEFT_OUT_TYPES))
    return pd.concat([clustered, kept_apart]).sort_values("urn", kind="stable").reset_index(drop=True)


def _joined_on(opened: dt.date | None, formed: dt.date) -> dt.date:
    return max(formed, opened) if opened else formed


def _cluster_description(rows: pd.DataFrame) -> str:
    towns = [t for t, _ in Counter(t for t in rows["town"] if t).most_common(3)]
    around = f" in and around {', '.join(towns)}" if towns else ""
    return f"{len(rows)} schools{around} ({rows['district'].iloc[0]}). Drawn from geography for the demo."


def _clusters_write(partnership: Partnership, plan: pd.DataFrame) -> dict[str, Cluster]:
    """Create the planned clusters that are missing and add the schools that are not current members."""
    clusters = {c.name: c for c in Cluster.objects.filter(partnership=partnership)}
    current = set(
        ClusterMembership.objects.filter(cluster__partnership=partnership, left_on__isnull=True).values_list(
            "cluster__name", "school_id"
        )
    )
    members = plan[plan["cluster"] != ""]
    schools = School.objects.in_bulk(members["id"].tolist())
    for name, rows in members.groupby("cluster", sort=True):
        if name not in clusters:
            clusters[name] = cluster_create(
                partnership=partnership, name=name, description=_cluster_description(rows), user=None
            )
        for school_id in rows["id"]:
            if (name, school_id) not in current:
                school = schools[school_id]
                cluster_add_school(
                    cluster=clusters[name],
                    school=school,
                    joined_on=_joined_on(school.open_date, CLUSTERS_FORMED),
                    user=None,
                )
    return clusters


def _predecessors_write(partnership: Partnership, plan: pd.DataFrame, clusters: dict[str, Cluster]) -> None:
    """Schools that closed (academy conversions, mergers) after clusters formed were members until they closed.

    Their membership of their successor's cluster ends on the close date: the cluster pages show the history.
    """
    cluster_of_urn = dict(zip(plan["urn"], plan["cluster"], strict=True))
    closed = {
        s.urn: s
        for s in School.objects.filter(partnership=partnership, status="Closed", close_date__gt=CLUSTERS_FORMED)
    }
    links = (
        SchoolLink.objects.filter(partnership=partnership, urn__in=list(closed), link_type__startswith="Successor")
        .order_by("urn", "linked_urn")
        .values_list("urn", "linked_urn")
    )
    successor: dict[int, int] = {}
    for urn, linked in links:
        successor.setdefault(urn, linked)
    had = set(ClusterMembership.objects.filter(school__in=closed.values()).values_list("school_id", flat=True))
    for urn, linked in successor.items():
        name = cluster_of_urn.get(linked, "")
        school = closed[urn]
        joined = _joined_on(school.open_date, CLUSTERS_FORMED)
        if not name or school.pk in had or school.close_date is None or school.close_date < joined:
            continue
        membership = cluster_add_school(cluster=clusters[name], school=school, joined_on=joined, user=None)
        dated_membership_end(membership=membership, left_on=school.close_date, user=None)


def _alliances_write(partnership: Partnership, plan: pd.DataFrame, clusters: dict[str, Cluster]) -> dict[str, Alliance]:
    """Group each district's clusters into geographic alliances; add clusters that are not current members."""
    alliance_of_district = districts_in_alliances(plan, count=ALLIANCE_COUNT, area=DEMO_AREA)
    district_of_cluster = plan[plan["cluster"] != ""].groupby("cluster")["district"].first()
    alliances = {a.name: a for a in Alliance.objects.filter(partnership=partnership)}
    current = set(
        AllianceMembership.objects.filter(alliance__partnership=partnership, left_on__isnull=True).values_list(
            "alliance__name", "cluster_id"
        )
    )
    for name in sorted(set(alliance_of_district.values())):
        if name not in alliances:
            districts = sorted(d for d, a in alliance_of_district.items() if a == name)
            alliances[name] = alliance_create(
                partnership=partnership,
                name=name,
                description=f"District alliance of the clusters in {', '.join(districts)}.",
                user=None,
            )
    for cluster_name, district in district_of_cluster.items():
        alliance_name = alliance_of_district[district]
        cluster = clusters[str(cluster_name)]
        if (alliance_name, cluster.pk) not in current:
            alliance_add_cluster(
                alliance=alliances[alliance_name], cluster=cluster, joined_on=ALLIANCES_FORMED, user=None
            )
    return alliances


# --- People ----------------------------------------------------------------------------------------


@dataclass
class _Attachments:
    school: School | None = None
    clusters: list[Cluster] = field(default_factory=list)
    alliances: list[Alliance] = field(default_factory=list)


def _demo_attachments(
    plan: pd.DataFrame, clusters: dict[str, Cluster], alliances: dict[str, Alliance]
) -> dict[str, _Attachments]:
    """The head's and chair's school (a real clustered primary), the lead's cluster (its cluster) and that alliance."""
    members = plan[plan["cluster"] != ""]
    cluster_name = sorted(members["cluster"].unique())[0]
    in_cluster = members[members["cluster"] == cluster_name].sort_values(["name", "urn"])
    primaries = in_cluster[in_cluster["phase"] == "Primary"]
    school = School.objects.get(pk=(primaries if len(primaries) else in_cluster)["id"].iloc[0])
    cluster = clusters[cluster_name]
    alliance = next(
        a
        for a in alliances.values()
        if AllianceMembership.objects.filter(alliance=a, cluster=cluster, left_on__isnull=True).exists()
    )
    return {
        Role.HEADTEACHER: _Attachments(school=school),
        Role.CHAIR_OF_GOVERNORS: _Attachments(school=school),
        Role.CLUSTER_LEAD: _Attachments(clusters=[cluster]),
        Role.ALLIANCE_LEAD: _Attachments(alliances=[alliance]),
    }


def _accounts_write(
    partnership: Partnership, plan: pd.DataFrame, clusters: dict[str, Cluster], alliances: dict[str, Alliance]
) -> dict[str, Membership]:
    """One verified user per role with the demo password, its membership, and TOTP for the MFA roles."""
    attachments = _demo_attachments(plan, clusters, alliances)
    memberships = {}
    for account in DEMO_ACCOUNTS:
        user = _user_ensure(account)
        attached = attachments.get(account.role, _Attachments())
        memberships[account.role] = _membership_ensure(partnership, user, account, attached)
        if account.totp_seed:
            _totp_ensure(user, account.totp_seed)
    return memberships


def _user_ensure(account: DemoAccount) -> User:
    user = User.objects.filter(email=account.email).first()
    if user is None:
        user = User.objects.create_user(account.email, None, full_name=account.full_name)
    validate_password(DEMO_PASSWORD, user)
    if user.full_name != account.full_name or not user.is_active or not user.check_password(DEMO_PASSWORD):
        user.full_name, user.is_active = account.full_name, True
        user.set_password(DEMO_PASSWORD)
        user.save()
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email=account.email, defaults={"verified": True, "primary": True}
    )
    if not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save()
    return user


def _membership_ensure(
    partnership: Partnership, user: User, account: DemoAccount, attached: _Attachments
) -> Membership:
    membership = Membership.objects.filter(user=user, partnership=partnership).first()
    wanted = ([account.role], attached.school, account.job_title, None)
    if membership is None or (membership.roles, membership.school, membership.job_title, membership.archived_at) != (
        wanted
    ):
        membership = membership or Membership(user=user, partnership=partnership)
        membership.roles, membership.school, membership.job_title, membership.archived_at = wanted
        tracked_save(membership, user=None, creating=membership.pk is None)
    if set(membership.clusters.all()) != set(attached.clusters):
        membership.clusters.set(attached.clusters)
    if set(membership.alliances.all()) != set(attached.alliances):
        membership.alliances.set(attached.alliances)
    return membership


def _totp_ensure(user: User, seed: str) -> None:
    """Give ``user`` a TOTP authenticator with ``seed`` through allauth (which encrypts it via our MFA adapter)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        if decrypt(existing.data["secret"]) == seed:
            return
        existing.delete()
    TOTP.activate(user, seed)


def _board_write(partnership: Partnership, board_user: User) -> None:
    """Seat the fictional board; the demo board member's account holds the governor seat."""
    stored = {m.name: m for m in BoardMember.objects.filter(partnership=partnership)}
    for seat in DEMO_BOARD:
        user = board_user if seat.is_demo_user else None
        member = stored.get(seat.name) or BoardMember(partnership=partnership, name=seat.name)
        facts = (seat.seat, seat.organisation, seat.term_start, seat.term_end, user)
        if (
            member.pk is None
            or (
                member.seat,
                member.organisation,
                member.term_start,
                member.term_end,
                member.user,
            )
            != facts
        ):
            member.seat, member.organisation, member.term_start, member.term_end, member.user = facts
            board_member_save(member=member, user=None)


# --- Risk: performance data, soft intelligence, a run and a categorisation round ---------------------------

_Kind = IntelligenceEntry.Kind
_Rating = IntelligenceEntry.Rating
_Reason = CategoryDecision.Reason
INVENTED = "Invented for the demo partnership: this did not happen at the real school."
RUN_LOCK_WAIT_SECONDS = 120


@dataclass(frozen=True)
class DemoEntry:
    """A fictional soft-intelligence entry for one of the demo's schools (``school``: see _intelligence_schools)."""

    school: str
    kind: str
    rating: str
    days_ago: int
    summary: str
    evidence: str
    confidential: bool = False
    update_of: str = ""  # the summary of the first entry, when this entry is an update on it (#14.5)


DEMO_INTELLIGENCE: tuple[DemoEntry, ...] = (
    # The demo head's own school: what its head and chair may see (nothing confidential).
    DemoEntry(
        "head",
        _Kind.SELF_EVALUATION,
        _Rating.GREEN,
        75,
        "Self-evaluation shared with the cluster: judgements accurate and well evidenced",
        "Self-evaluation summary discussed at the cluster meeting.",
    ),
    DemoEntry(
        "head",
        _Kind.STAFFING,
        _Rating.AMBER,
        20,
        "Two teachers on long-term absence this term; cover arranged within the cluster",
        "Note of the officer's termly call with the headteacher.",
    ),
    # Three concerns within twelve months: the register of concern proposes the next category up.
    DemoEntry(
        "concerns",
        _Kind.GOVERNANCE,
        _Rating.AMBER,
        290,
        "Two governor vacancies since the spring term",
        "Clerk's return to the governor services team.",
    ),
    DemoEntry(
        "concerns",
        _Kind.COMPLAINTS,
        _Rating.AMBER,
        130,
        "Three formal complaints about communication with parents reached the governing board",
        "Complaints log shared by the clerk to governors.",
    ),
    DemoEntry(  # an update on the complaints issue: the register of concern still counts that issue once
        "concerns",
        _Kind.COMPLAINTS,
        _Rating.AMBER,
        95,
        "Update: the complaints panel met the parents; the school is rewriting its communication policy",
        "Clerk's note of the complaints panel meeting.",
        update_of="Three formal complaints about communication with parents reached the governing board",
    ),
    DemoEntry(
        "concerns",
        _Kind.STAFFING,
        _Rating.RED,
        35,
        "Four teaching posts unfilled at the start of term; classes taught by supply staff",
        "Officer's visit note and the school's staffing return.",
    ),
    # Confidential: officers and admins only.
    DemoEntry(
        "finance",
        _Kind.FINANCE_DEFICIT,
        _Rating.RED,
        60,
        "Deficit budget forecast for this year; a recovery plan is being agreed with the LA finance team",
        "Budget monitoring report to the schools finance team.",
        confidential=True,
    ),
    DemoEntry(
        "new_head",
        _Kind.HEAD_NEW,
        _Rating.AMBER,
        80,
        "New headteacher started this term after the previous head retired",
        "Appointment confirmed by the chair of governors.",
    ),
    DemoEntry(
        "new_head",
        _Kind.NETWORK_ATTENDANCE,
        _Rating.AMBER,
        25,
        "Missed the last three cluster network meetings",
        "Cluster lead's attendance record.",
    ),
    DemoEntry(
        "send",
        _Kind.SEND,
        _Rating.AMBER,
        100,
        "Rising number of pupils with EHC plans; the SENCo post is part-time this year",
        "SEND team's termly summary.",
    ),
    DemoEntry(
        "send",
        _Kind.PEER_REVIEW,
        _Rating.GREEN,
        200,
        "Cluster peer review: behaviour and attitudes found to be an area of strength",
        "Peer review report agreed with the school.",
    ),
    # #14.11 (demo/reviews.py): events since the annual round was opened, four weeks ago in demo time. The
    # head's school: a complaint the officer reviews in-year; another school: a safeguarding incident whose
    # review is suggested on the officer's work queue.
    DemoEntry(
        "head",
        _Kind.COMPLAINTS,
        _Rating.AMBER,
        10,
        "The governing board upheld in part a parent's complaint about SEND provision",
        "Letter from the chair of governors to the parent, copied to the officer.",
    ),
    DemoEntry(
        "review",
        _Kind.SAFEGUARDING,
        _Rating.AMBER,
        5,
        "A pupil left the site unnoticed at lunchtime; found safe, and the school reviewed its procedures",
        "Designated safeguarding lead's report to the LA safeguarding team.",
    ),
)


def _risk_built(partnership: Partnership) -> bool:
    """True once the demo (or anyone) has opened a categorisation round: the risk part is then left alone."""
    return CategorisationRound.objects.filter(partnership=partnership).exists()


def demo_ruleset_config(today: dt.date | None = None) -> tuple[dict, str]:
    """The default rule set with only ``data.max_age_years`` raised so 2018/19 results count as the latest today,
    and the note saying why."""
    year = academic_year_end(today or timezone.localdate())
    default = DEFAULT_RULESET.data.max_age_years
    max_age = max(default, year - LATEST_RESULTS_YEAR)
    ruleset = dataclasses.replace(
        DEFAULT_RULESET, data=dataclasses.replace(DEFAULT_RULESET.data, max_age_years=max_age)
    )
    note = (
        f"Demo: the sample's latest school-level results are {_short_year(LATEST_RESULTS_YEAR)}, so results may be "
        f"up to {max_age} years older than the year categorised ({_short_year(year)}) instead of {default}, or every "
        "result would be too old to count. Nothing else differs from the default."
    )
    return ruleset_to_dict(ruleset), note


def _short_year(year: int) -> str:
    """2019 → "2018/19"."""
    return f"{year - 1}/{year % 100:02d}"


def _ruleset_ensure(partnership: Partnership, admin: User) -> RuleSetVersion:
    """Make the demo rule set the active version (a new version only when the active one differs)."""
    config, note = demo_ruleset_config()
    active = RuleSetVersion.objects.filter(partnership=partnership, is_active=True).first()
    if active is not None and active.config == config:
        return active
    return risk_services.ruleset_version_create(partnership=partnership, config=config, note=note, created_by=admin)


def _risk_data_write(
    partnership: Partnership,
    plan: pd.DataFrame,
    accounts: dict[str, Membership],
    performance: list[PerformanceFile],
    step: Callable[[str], None],
) -> RiskRun:
    """Inside the build's transaction: the demo rule set, then ONE waiting run (sent to no worker) that every
    recomputation the imports and entries ask for joins, then the performance files and the intelligence."""
    version = _ruleset_ensure(partnership, accounts[Role.ADMIN].user)
    officer = accounts[Role.OFFICER].user
    run = risk_services.risk_run_create(
        partnership=partnership, trigger=RiskRun.Trigger.COMMAND, requested_by=officer, enqueue=False
    )
    if run.state != RiskRun.State.QUEUED:
        raise DemoDataError(f"Risk run {run.pk} for {partnership.slug} is computing: try again when it finishes")
    if run.ruleset_version_id != version.pk:
        # A run an earlier build left waiting (after its GIAS import) has computed nothing: it uses the demo rules.
        RiskRun.objects.filter(pk=run.pk, state=RiskRun.State.QUEUED).update(ruleset_version=version)
        run.ruleset_version = version
    for file in performance:
        step(f"Importing {file.path.name}")
        result = performance_import(  # the Ofsted sample has no Surrey row: imported knowingly, as "nothing matched"
            partnership=partnership,
            kind=file.kind,
            year=file.year,
            path=file.path,
            allow_no_match=file.kind == OFSTED,
        )
        if not result.ok:
            raise DemoDataError(f"{file.path.name} was rejected: {result.summary()}")
    step("Recording soft intelligence (invented)")
    _intelligence_write(partnership, plan, accounts)
    return run


def _intelligence_schools(plan: pd.DataFrame, head_school: School | None) -> dict[str, int]:
    """School ids for the entries: the head's school, then one clustered school in each of four other districts
    (first by name: primaries for the concerns and the new head, secondaries for finance and SEND)."""
    members = plan[(plan["cluster"] != "") & (plan["id"] != (head_school.pk if head_school else 0))]
    members = members.sort_values(["name", "urn"], kind="stable")
    districts = sorted(members["district"].unique())
    picks = {"head": head_school.pk} if head_school else {}
    wanted: tuple[tuple[str, str], ...] = (
        ("concerns", "Primary"),
        ("finance", "Secondary"),
        ("new_head", "Primary"),
        ("send", "Secondary"),
    )
    wanted += (("review", "Primary"),)  # #14.11: a safeguarding incident since the round suggests an in-year review
    for number, (name, phase) in enumerate(wanted, start=1):
        in_district = members[members["district"] == districts[number % len(districts)]]
        rows = in_district[in_district["phase"] == phase]
        picks[name] = int((rows if len(rows) else in_district)["id"].iloc[0])
    return picks


def _intelligence_write(partnership: Partnership, plan: pd.DataFrame, accounts: dict[str, Membership]) -> None:
    """The fictional entries (each found again by school, kind and summary, so none is written twice)."""
    officer = accounts[Role.OFFICER].user
    picks = _intelligence_schools(plan, accounts[Role.HEADTEACHER].school)
    schools = School.objects.in_bulk(list(picks.values()))
    stored = set(IntelligenceEntry.objects.filter(partnership=partnership).values_list("school_id", "kind", "summary"))
    today = timezone.localdate()
    for entry in DEMO_INTELLIGENCE:
        school = schools.get(picks.get(entry.school, 0))
        if school is None or (school.pk, entry.kind, entry.summary) in stored:
            continue
        thread = (
            IntelligenceEntry.objects.filter(partnership=partnership, school=school, summary=entry.update_of).first()
            if entry.update_of
            else None
        )
        risk_services.intelligence_entry_create(
            thread=thread,
            partnership=partnership,
            school=school,
            kind=entry.kind,
            rating=entry.rating,
            recorded_on=today - dt.timedelta(days=entry.days_ago),
            summary=entry.summary,
            evidence=f"{entry.evidence} {INVENTED}",
            confidential=entry.confidential,
            user=officer,
        )


def _risk_run_here(run: RiskRun) -> RiskRun:
    """Compute ``run`` in this process (as ``compute_risk --wait`` does); behind a worker's run, wait for it."""
    deadline = time.monotonic() + RUN_LOCK_WAIT_SECONDS
    while True:
        try:
            risk_services.risk_run_execute(run=run)
            break
        except risk_services.RiskRunLocked:
            if time.monotonic() > deadline:
                raise DemoDataError("Another risk run for the demo kept running: try again later") from None
            time.sleep(1)
        except Exception as error:
            run.refresh_from_db()
            raise DemoDataError(f"The demo's risk run failed: {run.message or error}") from error
    run.refresh_from_db()
    if run.state != RiskRun.State.SUCCEEDED:
        raise DemoDataError(f"The demo's risk run did not finish: {run.message}")
    return run


def demo_school_holidays(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Typical English school holidays for the school year that contains ``today`` (September to August).

    Example dates built from the usual pattern (a week at the end of October, two weeks over Christmas and over
    Easter, a week in mid-February and at the spring bank holiday, the summer from late July), not any council's
    published term dates: officers replace them with their own at *School holidays*.
    """
    autumn = today.year if today.month >= 9 else today.year - 1
    spring = autumn + 1

    def monday_on_or_after(day: dt.date) -> dt.date:
        return day + dt.timedelta(days=(7 - day.weekday()) % 7)

    def week(monday: dt.date) -> tuple[dt.date, dt.date]:
        return monday, monday + dt.timedelta(days=4)

    last_may_monday = monday_on_or_after(dt.date(spring, 5, 25))
    good_friday = easter(spring) - dt.timedelta(days=2)
    return [
        ("October half term (example dates)", *week(monday_on_or_after(dt.date(autumn, 10, 24)))),
        ("Christmas holiday (example dates)", dt.date(autumn, 12, 20), dt.date(spring, 1, 2)),
        ("February half term (example dates)", *week(monday_on_or_after(dt.date(spring, 2, 12)))),
        ("Easter holiday (example dates)", good_friday - dt.timedelta(days=4), good_friday + dt.timedelta(days=7)),
        ("May half term (example dates)", *week(last_may_monday)),
        ("Summer holiday (example dates)", dt.date(spring, 7, 22), dt.date(spring, 8, 31)),
    ]


def _round_name(today: dt.date) -> str:
    term = "Autumn" if today.month >= 9 else "Spring" if today.month <= 3 else "Summer"
    return f"{term} {today.year} categorisation"


@transaction.atomic
def _round_write(partnership: Partnership, run: RiskRun, accounts: dict[str, Membership], plan: pd.DataFrame) -> None:
    """Open a round from ``run`` and walk it through the people's workflow as the demo officer: two one-step moves,
    a two-step move the panel decides, the board's agreement and publication (the reply window opens today)."""
    officer = accounts[Role.OFFICER].user
    today = timezone.localdate()
    round_ = rounds.categorisation_round_create(partnership=partnership, run=run, name=_round_name(today), user=officer)
    rows = {
        sc.school_id: sc for sc in SchoolCategory.objects.filter(round=round_).select_related("assessment", "school")
    }
    picks = _intelligence_schools(plan, accounts[Role.HEADTEACHER].school)
    top = max(rounds.category_numbers(run))
    used = set(picks.values())

    finance = rows.get(picks["finance"])
    if finance is not None and 0 < finance.proposed_category < top:
        rounds.school_category_adjust(
            school_category=finance,
            category=finance.proposed_category + 1,
            reason=_Reason.LOCAL_INTELLIGENCE,
            rationale="The deficit recovery plan (see the confidential finance entry) is at an early stage: one "
            "step up, so the officer follows the budget more closely until it is balanced.",
            user=officer,
        )
    improving = _first(
        rows,
        used,
        lambda sc: (
            sc.proposed_category > 1
            and sc.assessment.standards_band in ("C", "D")
            and not (sc.assessment.overrides or sc.assessment.trace_overrides)  # full or compact trace (ADR 0025)
            and sc.school.phase == "Primary"
        ),
    )
    if improving is not None:
        rounds.school_category_adjust(
            school_category=improving,
            category=improving.proposed_category - 1,
            reason=_Reason.RECENT_IMPROVEMENT,
            rationale="The school's own assessments since the last published results, seen at the officer's "
            "visit, show reading and maths recovering; the published results are several years old.",
            user=officer,
        )
    new_head = rows.get(picks["new_head"])
    if new_head is None or not 0 < new_head.proposed_category <= top - 2:
        new_head = _first(rows, used | {improving.school_id if improving else 0}, lambda sc: sc.proposed_category == 1)
    if new_head is not None:
        referred = rounds.school_category_adjust(
            school_category=new_head,
            category=new_head.proposed_category + 2,
            reason=_Reason.LEADERSHIP_CHANGE,
            rationale="A new headteacher this term and no attendance at the cluster's network meetings: the officer "
            "asks for two steps up, with the support that brings, while leadership settles.",
            user=officer,
        )
        rounds.school_category_moderate(
            school_category=referred,
            category=new_head.proposed_category + 1,
            rationale="The panel agreed leadership is changing but the published results are strong: one step up "
            "from the proposal rather than two, reviewed at the next termly review.",
            meeting_on=today,
            user=accounts[Role.ADMIN].user,  # the panel's decision is recorded by someone other than the referrer
        )
    for sc in SchoolCategory.objects.filter(round=round_, category=0).order_by("pk"):
        rounds.school_category_adjust(  # insufficient evidence (#14): the officer categorises, never a silent green
            school_category=sc,
            category=2,
            reason=_Reason.OTHER,
            rationale="No published results in the window (a new, special or alternative provision school): the "
            "officer categorises it as monitor until the link adviser's visit and the first published data.",
            user=officer,
        )
    rounds.categorisation_round_agree(
        round_=round_, agreed_on=today, minute=f"Partnership board {today:%B %Y}, item 4", user=officer
    )
    for name, starts_on, ends_on in demo_school_holidays(today):
        calendar.school_holiday_create(
            partnership=partnership, name=name, starts_on=starts_on, ends_on=ends_on, user=officer
        )
    rounds.categorisation_round_publish(round_=round_, user=officer, base_url=DEMO_BASE_URL, today=today)


def _first(rows: dict[int, SchoolCategory], skip: set[int], wanted: Callable[[SchoolCategory], bool]):
    """The first school (by name, then URN) not in ``skip`` whose row satisfies ``wanted``."""
    ordered = sorted(rows.values(), key=lambda sc: (sc.school.name, sc.school.urn))
    return next((sc for sc in ordered if sc.school_id not in skip and wanted(sc)), None)


# --- Summary and TOTP codes -----------------------------------------------------------------------


def demo_summary(*, partnership: Partnership, plan: pd.DataFrame | None = None) -> DemoSummary:
    """Count what the demo partnership holds; ``isolated`` uses the register's own definition."""
    plan = cluster_plan(partnership=partnership) if plan is None else plan
    schools = School.objects.filter(partnership=partnership)
    sizes = list(
        Cluster.objects.filter(partnership=partnership, archived_at__isnull=True)
        .annotate(n=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .values_list("n", flat=True)
    )
    alliances = dict(
        Alliance.objects.filter(partnership=partnership, archived_at__isnull=True)
        .annotate(n=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .values_list("name", "n")
    )
    isolated = schools.isolated()  # type: ignore[attr-defined]
    isolated_urns = set(isolated.values_list("urn", flat=True))
    reasons = plan[plan["urn"].isin(isolated_urns) & (plan["alone"] != "")]["alone"].value_counts()
    accounts = []
    for account in DEMO_ACCOUNTS:
        membership = (
            Membership.objects.filter(partnership=partnership, user__email=account.email)
            .select_related("school")
            .prefetch_related("clusters", "alliances")
            .first()
        )
        accounts.append((account, _attached_text(membership)))
    return DemoSummary(
        partnership=partnership,
        schools=schools.count(),
        open_schools=schools.open().count(),  # type: ignore[attr-defined]
        changes=SchoolChange.objects.filter(school__partnership=partnership).count(),
        links=SchoolLink.objects.filter(partnership=partnership).count(),
        networks=Network.objects.filter(partnership=partnership).count(),
        clusters=len(sizes),
        cluster_sizes=(min(sizes, default=0), max(sizes, default=0)),
        clustered_schools=sum(sizes),
        alliances=alliances,
        isolated=len(isolated_urns),
        isolated_reasons={str(k): int(v) for k, v in reasons.items()},
        isolated_not_schools=isolated.filter(type_group__in=NOT_SCHOOLS).count(),
        board_members=BoardMember.objects.filter(partnership=partnership).count(),
        users=Membership.objects.filter(partnership=partnership).count(),
        accounts=accounts,
        risk=demo_risk_summary(partnership=partnership),
    )


def demo_risk_summary(*, partnership: Partnership) -> DemoRisk:
    """Count the demo's risk picture from the database (the latest succeeded run and the latest round)."""
    values = PerformanceValue.objects.filter(partnership=partnership, value__isnull=False)
    entries = IntelligenceEntry.objects.filter(partnership=partnership, archived_at__isnull=True)
    run = (
        RiskRun.objects.filter(partnership=partnership, state=RiskRun.State.SUCCEEDED)
        .select_related("ruleset_version")
        .order_by("-finished_at", "-pk")
        .first()
    )
    round_ = (  # the annual round (#14.11: termly and in-year reviews follow it; demo/reviews.py reports them)
        CategorisationRound.objects.filter(partnership=partnership, kind=CategorisationRound.Kind.ANNUAL)
        .select_related("run__ruleset_version")
        .first()
    )
    version = RuleSetVersion.objects.filter(partnership=partnership, is_active=True).first()
    names = {number: label.name for number, label in category_labels(run.ruleset_version if run else None).items()}

    def named(counts: dict[int, int]) -> dict[str, int]:
        return {f"{n} {names.get(n, '')}".strip(): counts[n] for n in sorted(counts)}

    agreed, statuses = {}, {}
    if round_ is not None:
        rows = SchoolCategory.objects.filter(round=round_)
        agreed = dict(rows.values("category").annotate(n=Count("pk")).values_list("category", "n"))
        statuses = {
            SchoolCategory.Status(status).label: n
            for status, n in rows.values("status").annotate(n=Count("pk")).values_list("status", "n")
        }
    return DemoRisk(
        values=values.count(),
        years=sorted(values.order_by().values_list("year", flat=True).distinct()),
        inspections=Inspection.objects.filter(partnership=partnership).count(),
        intelligence=entries.count(),
        confidential=entries.filter(confidential=True).count(),
        ruleset_version=version.version if version else None,
        ruleset_note=version.note if version else "",
        run_schools=run.counts.get("schools", 0) if run else 0,
        proposed=named(_run_categories(run)),
        round_name=round_.name if round_ else "",
        round_state=round_.get_state_display() if round_ else "",
        agreed=named(agreed),
        statuses=statuses,
        reply_deadline=round_.reply_deadline if round_ else None,
    )


def _run_categories(run: RiskRun | None) -> dict[int, int]:
    counts = run.counts if run else {}
    return {int(key.removeprefix("category_")): n for key, n in counts.items() if key.startswith("category_")}


def _attached_text(membership: Membership | None) -> str:
    if membership is None:
        return "(missing)"
    parts = [f"school {membership.school.name} ({membership.school.urn})"] if membership.school else []
    parts += [f"cluster {c.name}" for c in membership.clusters.all()]
    parts += [f"alliance {a.name}" for a in membership.alliances.all()]
    parts += [
        f"board seat: {m.get_seat_display()}"
        for m in BoardMember.objects.filter(partnership_id=membership.partnership_id, user_id=membership.user_id)
    ]
    return "; ".join(parts)


@dataclass(frozen=True)
class DemoCode:
    """The current TOTP code of a demo account, read from its stored (encrypted) authenticator."""

    account: DemoAccount
    seed: str
    code: str
    seconds_left: int


def demo_totp_codes(*, at: float | None = None) -> list[DemoCode]:
    """Current codes for every demo account that has a TOTP authenticator (in DEMO_ACCOUNTS order)."""
    demo_guard()
    now = time.time() if at is None else at
    period = mfa_settings.TOTP_PERIOD
    stored = {
        a.user.email: decrypt(a.data["secret"])
        for a in Authenticator.objects.filter(
            user__email__in=[d.email for d in DEMO_ACCOUNTS], type=Authenticator.Type.TOTP
        ).select_related("user")
    }
    return [
        DemoCode(
            account=account,
            seed=stored[account.email],
            code=format_hotp_value(hotp_value(stored[account.email], int(now) // period)),
            seconds_left=period - int(now) % period,
        )
        for account in DEMO_ACCOUNTS
        if account.email in stored
    ]
