"""Reads for cluster health checks, scoped to what the membership may see (another's or out of scope → 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from clusters.health.models import (
    ClusterAction,
    ClusterMeeting,
    ConsensusRating,
    Dimension,
    Framework,
    FrameworkVersion,
    HealthCheck,
    IndividualRating,
    Strand,
)
from clusters.models import Cluster, ClusterMembership
from partnership.models import Membership
from partnership.permissions import Permission, membership_can
from schools.models import School

State = HealthCheck.State


# --- scopes -------------------------------------------------------------------------------------------------


def _clusters(membership: Membership) -> QuerySet[Cluster]:
    return Cluster.objects.filter(partnership_id=membership.partnership_id, archived_at__isnull=True)


def _led_alliance_clusters(membership: Membership) -> Q:
    return Q(
        alliance_memberships__alliance__lead_memberships=membership,
        alliance_memberships__left_on__isnull=True,
    )


def clusters_visible(*, membership: Membership) -> QuerySet[Cluster]:
    """Clusters whose health pages the membership sees: all, or led, in a led alliance, or its school's."""
    clusters = _clusters(membership)
    if not membership_can(membership, Permission.VIEW_HEALTH_CHECKS):
        return clusters.none()
    if membership_can(membership, Permission.VIEW_ALL_CLUSTERS):
        return clusters
    scope = Q(lead_memberships=membership) | _led_alliance_clusters(membership)
    if membership.school_id:
        scope |= Q(memberships__school_id=membership.school_id, memberships__left_on__isnull=True)
    return clusters.filter(pk__in=Cluster.objects.filter(scope).values("pk"))


def clusters_runnable(*, membership: Membership) -> QuerySet[Cluster]:
    """Clusters whose checks the membership runs: every cluster (officers), or the clusters it leads."""
    clusters = _clusters(membership)
    if not membership_can(membership, Permission.RUN_HEALTH_CHECKS):
        return clusters.none()
    if membership_can(membership, Permission.VIEW_ALL_CLUSTERS):
        return clusters
    return clusters.filter(pk__in=Cluster.objects.filter(lead_memberships=membership).values("pk"))


def clusters_moderatable(*, membership: Membership) -> QuerySet[Cluster]:
    """Clusters whose checks the membership moderates: every cluster (officers), or its alliances' clusters."""
    clusters = _clusters(membership)
    if not membership_can(membership, Permission.MODERATE_HEALTH_CHECKS):
        return clusters.none()
    if membership_can(membership, Permission.VIEW_ALL_CLUSTERS):
        return clusters
    return clusters.filter(pk__in=Cluster.objects.filter(_led_alliance_clusters(membership)).values("pk"))


def can_run(membership: Membership, cluster_id: int) -> bool:
    """True when the membership runs this cluster's checks."""
    return clusters_runnable(membership=membership).filter(pk=cluster_id).exists()


def can_moderate(membership: Membership, cluster_id: int) -> bool:
    """True when the membership moderates this cluster's checks."""
    return clusters_moderatable(membership=membership).filter(pk=cluster_id).exists()


def can_rate(membership: Membership, check: HealthCheck) -> bool:
    """True when the membership's school is a current member of the check's cluster and it may rate."""
    return bool(
        membership.school_id
        and membership_can(membership, Permission.RATE_HEALTH_CHECKS)
        and ClusterMembership.objects.filter(
            cluster_id=check.cluster_id, school_id=membership.school_id, left_on__isnull=True
        ).exists()
    )


def current_member_schools(*, cluster_id: int) -> QuerySet[School]:
    """The cluster's current member schools, by name."""
    return School.objects.filter(
        cluster_memberships__cluster_id=cluster_id, cluster_memberships__left_on__isnull=True
    ).order_by("name")


# --- frameworks ---------------------------------------------------------------------------------------------


def framework_list(*, membership: Membership) -> QuerySet[Framework]:
    """Shipped frameworks and the partnership's own, not archived, with their versions."""
    return (
        Framework.objects.filter(Q(partnership__isnull=True) | Q(partnership_id=membership.partnership_id))
        .filter(archived_at__isnull=True)
        .prefetch_related("versions")
        .order_by("partnership_id", "name")
    )


def access_framework(*, membership: Membership, pk: int) -> Framework:
    """A shipped framework or one of the partnership's; else 404."""
    framework = framework_list(membership=membership).filter(pk=pk).first()
    if framework is None:
        raise Http404("No such framework")
    return framework


def access_own_framework(*, membership: Membership, pk: int) -> Framework:
    """One of the partnership's own (editable) frameworks; shipped ones and others' answer 404."""
    framework = Framework.objects.filter(
        partnership_id=membership.partnership_id, archived_at__isnull=True, pk=pk
    ).first()
    if framework is None:
        raise Http404("No such framework")
    return framework


def latest_version(*, framework: Framework) -> FrameworkVersion:
    """The framework's newest version."""
    version = FrameworkVersion.objects.filter(framework=framework).order_by("-number").first()
    if version is None:
        raise Http404("Framework has no version")
    return version


def version_tree(*, version_id: int) -> list[Dimension]:
    """A version's dimensions with their strands and descriptors, in order (three queries)."""
    strands = Prefetch("strands", Strand.objects.order_by("order").prefetch_related("descriptors"))
    return list(Dimension.objects.filter(version_id=version_id).order_by("order").prefetch_related(strands))


def version_strands(*, version_id: int) -> list[Strand]:
    """A version's strands in order, with their dimension."""
    return list(
        Strand.objects.filter(dimension__version_id=version_id)
        .select_related("dimension")
        .prefetch_related("descriptors")
        .order_by("dimension__order", "order")
    )


def access_strand(*, framework: Framework, pk: int) -> Strand:
    """A strand of the framework's latest version; else 404."""
    version = latest_version(framework=framework)
    strand = Strand.objects.filter(dimension__version=version, pk=pk).select_related("dimension").first()
    if strand is None:
        raise Http404("No such strand")
    return strand


def access_dimension(*, framework: Framework, pk: int) -> Dimension:
    """A dimension of the framework's latest version; else 404."""
    dimension = Dimension.objects.filter(version=latest_version(framework=framework), pk=pk).first()
    if dimension is None:
        raise Http404("No such dimension")
    return dimension


def versions_for_new_check(*, membership: Membership) -> QuerySet[FrameworkVersion]:
    """The latest version of each framework the partnership can use."""
    frameworks = framework_list(membership=membership)
    latest = []
    for framework in frameworks:
        numbers = [v.number for v in framework.versions.all()]
        if numbers:
            latest.append((framework.pk, max(numbers)))
    query = Q(pk__in=[])
    for framework_id, number in latest:
        query |= Q(framework_id=framework_id, number=number)
    return FrameworkVersion.objects.filter(query).select_related("framework").order_by("framework__name")


# --- checks -------------------------------------------------------------------------------------------------


def health_check_list(*, membership: Membership) -> QuerySet[HealthCheck]:
    """Checks of the clusters the membership sees; drafts only for those who run the cluster's checks."""
    checks = HealthCheck.objects.filter(
        partnership_id=membership.partnership_id,
        cluster__in=clusters_visible(membership=membership),
    )
    runnable = clusters_runnable(membership=membership).values("pk")
    return checks.filter(~Q(state=State.DRAFT) | Q(cluster__in=runnable)).select_related(
        "cluster", "version__framework"
    )


def access_health_check(*, membership: Membership, pk: int) -> HealthCheck:
    """A check the membership may see; else 404."""
    check = health_check_list(membership=membership).filter(pk=pk).first()
    if check is None:
        raise Http404("No such health check")
    return check


def access_cluster(*, membership: Membership, pk: int) -> Cluster:
    """A cluster whose health page the membership sees; else 404."""
    cluster = clusters_visible(membership=membership).filter(pk=pk).first()
    if cluster is None:
        raise Http404("No such cluster")
    return cluster


def access_check_strand(*, check: HealthCheck, pk: int) -> Strand:
    """A strand of the check's framework version; else 404."""
    strand = Strand.objects.filter(dimension__version_id=check.version_id, pk=pk).select_related("dimension").first()
    if strand is None:
        raise Http404("No such strand")
    return strand


def access_action(*, check: HealthCheck, pk: int) -> ClusterAction:
    """An action of the check; else 404."""
    action = ClusterAction.objects.filter(check_obj=check, pk=pk).first()
    if action is None:
        raise Http404("No such action")
    return action


@dataclass
class StrandRow:
    """One strand on a check's page: its consensus and the spread of individual ratings."""

    strand: Strand
    consensus: ConsensusRating | None
    ratings: list[IndividualRating]
    spread: list[int] = field(default_factory=list)  # count per level
    own: IndividualRating | None = None


def check_strand_rows(*, check: HealthCheck, own_school_id: int | None = None) -> list[StrandRow]:
    """Every strand of the check in order with its consensus, individual ratings and their spread per level."""
    levels = len(check.version.levels)
    strands = version_strands(version_id=check.version_id)
    consensus = {
        c.strand_id: c
        for c in ConsensusRating.objects.filter(check_obj=check).select_related("agreed_by", "moderated_by")
    }
    ratings: dict[int, list[IndividualRating]] = {}
    for r in (
        IndividualRating.objects.filter(check_obj=check).select_related("school", "rated_by").order_by("school__name")
    ):
        ratings.setdefault(r.strand_id, []).append(r)
    rows = []
    for strand in strands:
        strand_ratings = ratings.get(strand.pk, [])
        spread = [sum(1 for r in strand_ratings if r.level == i) for i in range(levels)]
        own = next((r for r in strand_ratings if r.school_id == own_school_id), None) if own_school_id else None
        rows.append(StrandRow(strand, consensus.get(strand.pk), strand_ratings, spread, own))
    return rows


def check_events(*, check: HealthCheck) -> QuerySet:
    """The check's dated, attributed state changes."""
    return check.events.select_related("by").order_by("at", "pk")


def check_actions(*, check: HealthCheck) -> QuerySet[ClusterAction]:
    """The check's cluster actions, soonest due first."""
    return ClusterAction.objects.filter(check_obj=check).select_related("strand").order_by("status", "due_on", "pk")


def schools_rated(*, check: HealthCheck) -> set[int]:
    """Ids of schools that have rated at least one strand."""
    return set(IndividualRating.objects.filter(check_obj=check).values_list("school_id", flat=True))


def cluster_checks(*, membership: Membership, cluster: Cluster) -> list[HealthCheck]:
    """The cluster's visible checks, oldest first."""
    return list(health_check_list(membership=membership).filter(cluster=cluster).order_by("held_on", "pk"))


def consensus_levels(*, check_ids: list[int]) -> dict[tuple[int, str, str], int]:
    """Consensus level by (check id, dimension name, strand name), for grids across checks and versions."""
    rows = ConsensusRating.objects.filter(check_obj_id__in=check_ids).values_list(
        "check_obj_id", "strand__dimension__name", "strand__name", "level"
    )
    return {(c, d, s): level for c, d, s, level in rows}


def cluster_meetings(*, cluster: Cluster, since: dt.date) -> QuerySet[ClusterMeeting]:
    """The cluster's meetings since ``since``, newest first, with who attended."""
    return ClusterMeeting.objects.filter(cluster=cluster, held_on__gte=since).prefetch_related("attended")


# --- portfolio ----------------------------------------------------------------------------------------------

AGREED = [State.CONSENSUS, State.MODERATED, State.PUBLISHED, State.ACTIONS]
PUBLISHED = [State.PUBLISHED, State.ACTIONS]


def portfolio_clusters(*, membership: Membership) -> QuerySet[Cluster]:
    """Clusters in the membership's portfolio: all (officers, board in aggregate), or its alliances' clusters."""
    clusters = _clusters(membership)
    if not membership_can(membership, Permission.VIEW_HEALTH_PORTFOLIO):
        return clusters.none()
    if membership_can(membership, Permission.VIEW_ALL_CLUSTERS) or not membership_can(
        membership, Permission.VIEW_REGISTER
    ):
        return clusters  # officers by name; board members only ever get aggregates
    return clusters.filter(pk__in=Cluster.objects.filter(_led_alliance_clusters(membership)).values("pk"))


@dataclass
class PortfolioRow:
    """A cluster in the portfolio: its latest agreed check, the one before, and any check under way."""

    cluster: Cluster
    latest: HealthCheck | None = None
    previous: HealthCheck | None = None
    under_way: HealthCheck | None = None
    alliance: str = ""
    last_agreed: HealthCheck | None = None  # of any framework: "has it checked this year?"
    href: str = ""  # the cluster's health page (set by the view: named portfolios link each cluster)


@dataclass
class Portfolio:
    """Clusters' checks of one framework, and the strands (by dimension and name) to compare them on."""

    frameworks: list[Framework]
    framework: Framework | None
    rows: list[PortfolioRow]
    strands: list[tuple[str, str]]
    levels: list[str]
    consensus: dict[tuple[int, str, str], int]
    year_start: dt.date


def health_portfolio(
    *, membership: Membership, framework_id: int | None, today: dt.date, published_only: bool
) -> Portfolio:
    """Each portfolio cluster's latest two agreed checks of one framework (published ones only for the board)."""
    from clusters.health.indicators import academic_year_end
    from clusters.models import AllianceMembership

    in_portfolio = portfolio_clusters(membership=membership)
    clusters = list(in_portfolio.only("pk", "name").order_by("name"))  # a region has hundreds: two fields each
    states = PUBLISHED if published_only else AGREED
    checks = list(
        HealthCheck.objects.filter(partnership_id=membership.partnership_id, cluster__in=in_portfolio.values("pk"))
        .select_related("version__framework")
        .order_by("held_on", "pk")
    )
    used: dict[int, Framework] = {}
    for c in checks:
        if c.state in states:
            used.setdefault(c.version.framework_id, c.version.framework)
    frameworks = sorted(used.values(), key=lambda f: f.name)
    framework = used.get(framework_id or -1) or (
        max(frameworks, key=lambda f: sum(1 for c in checks if c.version.framework_id == f.pk)) if frameworks else None
    )
    alliances = dict(
        AllianceMembership.objects.filter(cluster__in=in_portfolio.values("pk"), left_on__isnull=True).values_list(
            "cluster_id", "alliance__name"
        )
    )
    rows = {c.pk: PortfolioRow(cluster=c, alliance=alliances.get(c.pk, "")) for c in clusters}
    latest_version_id = None
    for c in checks:
        row = rows[c.cluster_id]
        if c.state in states:
            row.last_agreed = c
        if c.state in states and framework and c.version.framework_id == framework.pk:
            row.previous, row.latest = row.latest, c
            latest_version_id = c.version_id
        elif c.state in (State.DRAFT, State.RATING):
            row.under_way = c
    strands: list[tuple[str, str]] = []
    levels: list[str] = []
    if latest_version_id:
        strands = [(s.dimension.name, s.name) for s in version_strands(version_id=latest_version_id)]
        levels = list(FrameworkVersion.objects.get(pk=latest_version_id).levels)
    ids = [c.pk for r in rows.values() for c in (r.latest, r.previous) if c is not None]
    year_end = academic_year_end(today)
    return Portfolio(
        frameworks=frameworks,
        framework=framework,
        rows=list(rows.values()),
        strands=strands,
        levels=levels,
        consensus=consensus_levels(check_ids=ids),
        year_start=dt.date(year_end - 1, 9, 1),
    )
