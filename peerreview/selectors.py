"""Reads of peer-review data, scoped by the membership and the confidentiality rules in ``peerreview.access``.

Also the stable selectors other apps read (brokerage, cluster health checks, risk, the board): those take a
partnership and return facts only; none of them returns findings, evidence, report text or safeguarding.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from partnership.models import Membership, Partnership, Role
from partnership.permissions import Permission, membership_can
from peerreview import access as acc
from peerreview.models import (
    Action,
    EvidenceItem,
    ExcellenceEntry,
    Finding,
    FocusArea,
    Framework,
    FrameworkTheme,
    Programme,
    Protocol,
    ProtocolSignature,
    ReportRead,
    ReportVersion,
    Review,
    ReviewEvent,
    SafeguardingConcern,
    ShareGrant,
    TeamMember,
)

S = Review.State
NOT_HELD = (S.CANCELLED,)


def academic_year_of(day: dt.date) -> int:
    """The academic year (by its ending calendar year) a date falls in: September starts a new one."""
    return day.year + 1 if day.month >= 9 else day.year


def academic_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 9, 1), dt.date(year, 8, 31)


def min_cell() -> int:
    """The smallest count shown in a roll-up cell (``PEER_REVIEW_MIN_CELL``, default 3)."""
    return int(getattr(settings, "PEER_REVIEW_MIN_CELL", 3))


# ------------------------------------------------------------------------------------------ frameworks, protocol


def framework_list(*, partnership: Partnership) -> QuerySet[Framework]:
    """Frameworks a partnership may use: the shipped ones and its own, not retired."""
    return Framework.objects.filter(
        Q(partnership__isnull=True) | Q(partnership=partnership), retired_at__isnull=True
    ).prefetch_related(Prefetch("themes", FrameworkTheme.objects.prefetch_related("questions")))


def protocol_list(*, membership: Membership) -> QuerySet[Protocol]:
    """The partnership's protocols (everyone in the partnership may read a protocol) with clauses and signatures."""
    return (
        Protocol.objects.filter(partnership_id=membership.partnership_id)
        .select_related("cluster")
        .prefetch_related(
            "clauses", Prefetch("signatures", ProtocolSignature.objects.select_related("school", "signed_by"))
        )
    )


def access_protocol(*, membership: Membership, pk: int) -> Protocol:
    protocol = protocol_list(membership=membership).filter(pk=pk).first()
    if protocol is None:
        raise Http404("No such protocol")
    return protocol


# ------------------------------------------------------------------------------------------------ programmes


def programme_list(*, membership: Membership) -> QuerySet[Programme]:
    """Every programme of the partnership: that a review happens, its dates and state are not confidential."""
    return (
        Programme.objects.filter(partnership_id=membership.partnership_id)
        .select_related("cluster", "protocol")
        .annotate(review_count=Count("reviews", filter=~Q(reviews__state=S.CANCELLED)))
    )


def access_programme(*, membership: Membership, pk: int) -> Programme:
    """A programme with its timetable (reviews, hosts, milestone dates, states, team names); else 404."""
    team = Prefetch(
        "team",
        TeamMember.objects.filter(removed_at__isnull=True).select_related("user", "home_school"),
        to_attr="current_team",
    )
    reviews = Prefetch(
        "reviews", Review.objects.select_related("host", "framework").prefetch_related(team), to_attr="timetable"
    )
    programme = programme_list(membership=membership).filter(pk=pk).prefetch_related(reviews).first()
    if programme is None:
        raise Http404("No such programme")
    return programme


def programmes_of_cluster(*, membership: Membership, cluster_id: int) -> QuerySet[Programme]:
    """A cluster's programmes, newest first (for the cluster's page)."""
    return programme_list(membership=membership).filter(cluster_id=cluster_id)


def managed_programmes(*, membership: Membership) -> QuerySet[Programme]:
    """Programmes the membership may add reviews to."""
    if not membership_can(membership, Permission.MANAGE_REVIEW_PROGRAMMES):
        return Programme.objects.none()
    programmes = Programme.objects.filter(partnership_id=membership.partnership_id)
    if membership_can(membership, Permission.VIEW_ALL_SCHOOLS):
        return programmes
    return programmes.filter(cluster__lead_memberships=membership)


def access_managed_programme(*, membership: Membership, pk: int) -> Programme:
    programme = managed_programmes(membership=membership).filter(pk=pk).first()
    if programme is None:
        raise Http404("No such programme")
    return programme


# --------------------------------------------------------------------------------------------------- reviews


def _review_base(membership: Membership) -> QuerySet[Review]:
    return Review.objects.filter(partnership_id=membership.partnership_id).select_related(
        "host", "programme", "framework"
    )


def access_review_setup(*, membership: Membership, pk: int) -> tuple[Review, acc.ReviewAccess]:
    """A review for its team page: the host, its programme's manager, or anyone on the team; else 404."""
    review = _review_base(membership).filter(pk=pk).first()
    if review is None:
        raise Http404("No such review")
    standing = acc.review_access(membership, review)
    if not (standing.host or standing.manager or standing.member is not None or standing.evidence_grant):
        raise Http404("No such review")
    return review, standing


def access_review(*, membership: Membership, pk: int) -> tuple[Review, acc.ReviewAccess]:
    """A review whose workspace the membership may open: host, any team member (the view sends an uncleared
    member to the declaration first) or an evidence grant. Officers, leads and the board get 404."""
    review = _review_base(membership).filter(pk=pk).first()
    if review is None:
        raise Http404("No such review")
    standing = acc.review_access(membership, review)
    if not (standing.host or standing.member is not None or standing.evidence_grant):
        raise Http404("No such review")
    return review, standing


@dataclass
class Workspace:
    """Everything on the review workspace, read in a fixed number of queries."""

    review: Review
    standing: acc.ReviewAccess
    focus_areas: list[FocusArea]
    evidence: list[EvidenceItem]
    findings: list[Finding]
    team: list[TeamMember]
    events: list[ReviewEvent]
    actions: list[Action]
    grants: list[ShareGrant]
    reads: list[ReportRead]
    concerns: list[SafeguardingConcern]
    latest_report: ReportVersion | None
    workshop: object | None
    themes: list[FrameworkTheme]
    findings_by_kind: dict[str, list[Finding]] = field(default_factory=dict)


def review_workspace(*, review: Review, standing: acc.ReviewAccess, membership: Membership) -> Workspace:
    """The workspace of a review the membership may read (checked by ``access_review``)."""
    focus = list(review.focus_areas.select_related("theme", "question"))
    findings = list(review.findings.select_related("focus_area", "agreed_by"))
    by_kind: dict[str, list[Finding]] = {k: [] for k in Finding.Kind.values}
    for f in findings:
        by_kind[f.kind].append(f)
    from peerreview.models import Workshop

    return Workspace(
        review=review,
        standing=standing,
        focus_areas=focus,
        evidence=list(review.evidence.select_related("focus_area", "created_by")),
        findings=findings,
        team=list(review.team.filter(removed_at__isnull=True).select_related("user", "home_school")),
        events=list(review.events.select_related("by")),
        actions=list(review.actions.prefetch_related("impact_checks")),
        grants=list(review.grants.select_related("person", "created_by", "revoked_by")) if standing.host else [],
        reads=list(review.reads.select_related("user", "version")[:50]) if standing.host else [],
        concerns=list(acc.safeguarding_visible(membership).filter(review=review).select_related("raised_by")),
        latest_report=review.report_versions.order_by("-number").first(),
        workshop=Workshop.objects.filter(review=review).first(),
        themes=list(FrameworkTheme.objects.filter(framework_id=review.framework_id).prefetch_related("questions")),
        findings_by_kind=by_kind,
    )


@dataclass
class ReportPage:
    review: Review
    versions: list[ReportVersion]
    shown: ReportVersion | None
    insider: bool
    host: bool
    grant: ShareGrant | None
    focus_areas: list[FocusArea]
    findings: list[Finding]
    actions: list[Action]


def access_report(*, membership: Membership, pk: int, version: int | None = None) -> ReportPage:
    """The report of a review: host and cleared team see every version; a grantee sees the latest agreed
    version only (``grant`` set, so the view logs the read). Anyone else: 404."""
    review = _review_base(membership).filter(pk=pk).first()
    if review is None:
        raise Http404("No such review")
    standing = acc.review_access(membership, review)
    grant = None
    if not standing.insider:
        grant = acc.active_grants_for(membership, ShareGrant.Artefact.REPORT).filter(review=review).first()
        if grant is None:
            raise Http404("No such review")
    versions = list(review.report_versions.select_related("agreed_by", "created_by"))
    if not standing.insider:
        versions = [v for v in versions if v.is_locked][:1]
        if not versions:
            raise Http404("No agreed report")
    shown = next((v for v in versions if v.number == version), None) if version else (versions[0] if versions else None)
    if version and shown is None:
        raise Http404("No such version")
    return ReportPage(
        review=review,
        versions=versions,
        shown=shown,
        insider=standing.insider,
        host=standing.host,
        grant=grant,
        focus_areas=list(review.focus_areas.select_related("theme")),
        findings=list(review.findings.filter(agreed=True).select_related("focus_area")),
        actions=list(review.actions.all()),
    )


def access_finding(*, membership: Membership, pk: int) -> Finding:
    finding = (
        Finding.objects.select_related("review__host", "review__programme")
        .filter(pk=pk, review__partnership_id=membership.partnership_id)
        .first()
    )
    if finding is None or not acc.review_access(membership, finding.review).insider:
        raise Http404("No such finding")
    return finding


def access_focus_area(*, membership: Membership, pk: int) -> FocusArea:
    focus = (
        FocusArea.objects.select_related("review__framework", "review__programme")
        .filter(pk=pk, review__partnership_id=membership.partnership_id)
        .first()
    )
    if focus is None or not acc.review_access(membership, focus.review).insider:
        raise Http404("No such focus area")
    return focus


def access_action(*, membership: Membership, pk: int) -> Action:
    action = (
        Action.objects.select_related("review__programme", "review__host")
        .filter(pk=pk, review__partnership_id=membership.partnership_id)
        .first()
    )
    if action is None or not acc.review_access(membership, action.review).insider:
        raise Http404("No such action")
    return action


def access_grant(*, membership: Membership, pk: int) -> ShareGrant:
    grant = (
        ShareGrant.objects.select_related("review__programme")
        .filter(pk=pk, review__partnership_id=membership.partnership_id)
        .first()
    )
    if grant is None or not acc.is_host(membership, grant.review):
        raise Http404("No such grant")
    return grant


def access_team_member(*, membership: Membership, pk: int) -> TeamMember:
    """A team row the membership may act on: its own (to declare) or its school's staff (to release)."""
    member = (
        TeamMember.objects.select_related("review__host", "review__programme", "user", "home_school")
        .filter(pk=pk, review__partnership_id=membership.partnership_id, removed_at__isnull=True)
        .first()
    )
    if member is None:
        raise Http404("No such team member")
    own = member.user_id == membership.user_id
    home_head = (
        member.home_school_id is not None
        and member.home_school_id == membership.school_id
        and (membership_can(membership, Permission.HOST_PEER_REVIEWS))
    )
    if not (own or home_head):
        raise Http404("No such team member")
    return member


def access_concern(*, membership: Membership, pk: int) -> SafeguardingConcern:
    concern = acc.safeguarding_visible(membership).select_related("review__host", "raised_by").filter(pk=pk).first()
    if concern is None:
        raise Http404("No such concern")
    return concern


def partnership_members_for_team(*, membership: Membership) -> QuerySet[Membership]:
    """People who may be put on a team: active members of the partnership except the board-only."""
    return (
        Membership.objects.filter(partnership_id=membership.partnership_id, archived_at__isnull=True)
        .exclude(roles=[Role.BOARD_MEMBER])
        .select_related("user", "school")
        .order_by("user__full_name", "user__email")
    )


# ----------------------------------------------------------------------------------------------------- home


@dataclass
class Home:
    hosted: list[Review]
    on_team: list[TeamMember]
    to_release: list[TeamMember]
    actions: list[Action]
    grants: list[ShareGrant]
    shared_with_me: list[ShareGrant]
    concerns: list[SafeguardingConcern]
    programmes: list[Programme]
    protocols: list[Protocol]
    signed_protocol_ids: set[int]


def peer_review_home(*, membership: Membership) -> Home:
    """The head's "Peer review" page (and everyone's: reviews they are on, what is shared with them)."""
    hosting = membership_can(membership, Permission.HOST_PEER_REVIEWS) and membership.school_id
    hosted = (
        list(_review_base(membership).filter(host_id=membership.school_id).order_by("-visit_starts_on"))
        if hosting
        else []
    )
    on_team = list(
        TeamMember.objects.filter(
            user_id=membership.user_id, removed_at__isnull=True, review__partnership_id=membership.partnership_id
        ).select_related("review__host", "review__programme")
    )
    to_release = (
        list(
            TeamMember.objects.filter(
                home_school_id=membership.school_id,
                removed_at__isnull=True,
                released_at__isnull=True,
                review__partnership_id=membership.partnership_id,
            )
            .exclude(review__state__in=[S.CLOSED, S.CANCELLED])
            .select_related("review__host", "user")
        )
        if hosting
        else []
    )
    actions = (
        list(
            Action.objects.filter(
                review__host_id=membership.school_id, review__partnership_id=membership.partnership_id
            )
            .exclude(status__in=[Action.Status.COMPLETED, Action.Status.DROPPED])
            .select_related("review")
        )
        if hosting
        else []
    )
    grants = (
        list(
            ShareGrant.objects.filter(
                review__host_id=membership.school_id, review__partnership_id=membership.partnership_id
            )
            .select_related("review", "person")
            .order_by("-created_at")
        )
        if hosting
        else []
    )
    shared = list(
        (
            acc.active_grants_for(membership, ShareGrant.Artefact.REPORT)
            | acc.active_grants_for(membership, ShareGrant.Artefact.EVIDENCE)
        )
        .select_related("review__host")
        .distinct()
    )
    signed = set()
    if membership.school_id:
        signed = set(
            ProtocolSignature.objects.filter(school_id=membership.school_id).values_list("protocol_id", flat=True)
        )
    return Home(
        hosted=hosted,
        on_team=on_team,
        to_release=to_release,
        actions=actions,
        grants=grants,
        shared_with_me=shared,
        concerns=list(acc.safeguarding_visible(membership).select_related("review__host")),
        programmes=list(
            programme_list(membership=membership).filter(academic_year__gte=academic_year_of(timezone.localdate()) - 1)
        ),
        protocols=list(Protocol.objects.filter(partnership_id=membership.partnership_id).select_related("cluster")),
        signed_protocol_ids=signed,
    )


# --------------------------------------------------------------------------------------------------- roll-up


@dataclass
class RollupRow:
    label: str
    count: int | None  # None = suppressed

    @property
    def shown(self) -> str:
        return f"fewer than {min_cell()}" if self.count is None else str(self.count)


@dataclass
class Rollup:
    scope_label: str
    year_label: str
    minimum: int
    reviews_held: RollupRow
    schools_in_scope: int
    schools_reviewed: RollupRow
    share_reviewed: str
    themes: list[RollupRow]
    findings: list[tuple[str, list[RollupRow]]]
    estimates: list[RollupRow]
    actions_due: RollupRow
    actions_on_time: RollupRow
    share_on_time: str
    suppressed_any: bool


def _suppress(label: str, count: int, schools: int | None = None) -> RollupRow:
    """The count, or None when it is small or comes from fewer schools than the minimum cell (a count of findings
    from one school would identify it as surely as a count of one)."""
    small = 0 < count < min_cell() or (count > 0 and schools is not None and schools < min_cell())
    return RollupRow(label, None if small else count)


def rollup_scope_schools(*, membership: Membership) -> tuple[str, QuerySet]:
    """The schools whose reviews the membership's roll-up counts: all (officers, board) or led clusters/alliances."""
    from schools.models import School

    schools = School.objects.filter(partnership_id=membership.partnership_id, status__startswith="Open")
    if membership_can(membership, Permission.VIEW_ALL_SCHOOLS) or membership.has_role(Role.BOARD_MEMBER):
        return "the whole partnership", schools
    scope = Q(cluster_memberships__cluster__lead_memberships=membership) | Q(
        cluster_memberships__cluster__alliance_memberships__alliance__lead_memberships=membership,
        cluster_memberships__cluster__alliance_memberships__left_on__isnull=True,
    )
    return "the clusters and alliances you lead", schools.filter(
        pk__in=School.objects.filter(scope, cluster_memberships__left_on__isnull=True).values("pk")
    )


def review_rollup(*, membership: Membership, year: int | None = None) -> Rollup:
    """Anonymised roll-up of a year's reviews in the membership's scope; any count under the minimum is
    suppressed here (never in the template), and no row names a school. Only agreed findings are counted;
    safeguarding concerns never are."""
    year = year or academic_year_of(timezone.localdate())
    start, end = academic_year_bounds(year)
    scope_label, schools = rollup_scope_schools(membership=membership)
    reviews = Review.objects.filter(
        partnership_id=membership.partnership_id,
        host__in=schools.values("pk"),
        visit_starts_on__range=(start, end),
    ).exclude(state__in=[S.CANCELLED, S.PLANNED, S.POSTPONED])
    held = reviews.count()
    schools_total = schools.count()
    reviewed = reviews.values("host_id").distinct().count()
    themes = [
        _suppress(row["theme__title"], row["n"], row["schools"])
        for row in FocusArea.objects.filter(review__in=reviews)
        .values("theme__title")
        .annotate(n=Count("pk"), schools=Count("review__host", distinct=True))
        .order_by("-n", "theme__title")
    ]
    findings: list[tuple[str, list[RollupRow]]] = []
    counts = (
        Finding.objects.filter(review__in=reviews, agreed=True, focus_area__isnull=False)
        .values("focus_area__theme__title", "kind")
        .annotate(n=Count("pk"), schools=Count("review__host", distinct=True))
        .order_by("focus_area__theme__title")
    )
    grouped: dict[str, Counter] = {}
    from_schools: dict[tuple[str, str], int] = {}
    for row in counts:
        grouped.setdefault(row["focus_area__theme__title"], Counter())[row["kind"]] += row["n"]
        from_schools[(row["focus_area__theme__title"], row["kind"])] = row["schools"]
    for title, counter in grouped.items():
        findings.append(
            (
                title,
                [
                    _suppress(Finding.Kind(k).label, counter.get(k, 0), from_schools.get((title, k), 0))
                    for k in Finding.Kind.values
                ],
            )
        )
    estimates = [
        _suppress(row["estimate"], row["n"], row["schools"])
        for row in FocusArea.objects.filter(review__in=reviews)
        .exclude(estimate="")
        .values("estimate")
        .annotate(n=Count("pk"), schools=Count("review__host", distinct=True))
        .order_by("estimate")
    ]
    today = timezone.localdate()
    due = Action.objects.filter(
        review__partnership_id=membership.partnership_id,
        review__host__in=schools.values("pk"),
        due_on__range=(start, min(end, today)),
    ).exclude(status=Action.Status.DROPPED)
    due_n = due.count()
    on_time = due.filter(status=Action.Status.COMPLETED, completed_on__lte=F("due_on")).count()
    rows = [_suppress("Reviews held", held), _suppress("Schools reviewed", reviewed)]
    rows_all = [*rows, *themes, *estimates, *(r for _, rs in findings for r in rs)]
    due_schools = due.values("review__host").distinct().count()
    due_row = _suppress("Actions due", due_n, due_schools)
    on_time_row = _suppress("Completed on time", on_time, due_schools)
    return Rollup(
        scope_label=scope_label,
        year_label=f"{year - 1}/{str(year)[-2:]}",
        minimum=min_cell(),
        reviews_held=rows[0],
        schools_in_scope=schools_total,
        schools_reviewed=rows[1],
        share_reviewed=(
            f"{round(100 * reviewed / schools_total)}%" if schools_total and rows[1].count is not None else "suppressed"
        ),
        themes=themes,
        findings=findings,
        estimates=estimates,
        actions_due=due_row,
        actions_on_time=on_time_row,
        share_on_time=(
            f"{round(100 * on_time / due_n)}%"
            if due_n and due_row.count is not None and on_time_row.count is not None
            else "suppressed"
            if due_n
            else "no actions due"
        ),
        suppressed_any=any(r.count is None for r in [*rows_all, due_row, on_time_row]),
    )


# ------------------------------------------------------------------------------------ excellence directory


def excellence_directory(*, partnership: Partnership, query: str = "") -> QuerySet[ExcellenceEntry]:
    """The opt-in directory of areas of excellence (for every member, and for brokerage to draw on)."""
    entries = ExcellenceEntry.objects.filter(school__partnership=partnership, withdrawn_at__isnull=True).select_related(
        "school"
    )
    for word in query.split()[:8]:
        entries = entries.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(school__name__icontains=word)
        )
    return entries.order_by("title", "school__name")


def excellence_candidates(*, membership: Membership) -> QuerySet[Finding]:
    """The head's agreed areas of excellence not yet in the directory."""
    if not (membership_can(membership, Permission.HOST_PEER_REVIEWS) and membership.school_id):
        return Finding.objects.none()
    listed = ExcellenceEntry.objects.filter(finding=OuterRef("pk"), withdrawn_at__isnull=True)
    return (
        Finding.objects.filter(
            review__host_id=membership.school_id,
            review__partnership_id=membership.partnership_id,
            kind=Finding.Kind.EXCELLENCE,
            agreed=True,
        )
        .exclude(Exists(listed))
        .select_related("review")
    )


# ---------------------------------------------------------------------------- for other apps (facts only)


def support_needed_actions(*, partnership: Partnership) -> QuerySet[Action]:
    """Open actions a host marked "support needed" (the host's consent to offer the need to brokerage).
    Carries the action's text, due date and the host school; nothing else of the review."""
    return (
        Action.objects.filter(review__partnership=partnership, support_needed=True)
        .exclude(status__in=[Action.Status.COMPLETED, Action.Status.DROPPED])
        .exclude(review__state=S.CANCELLED)
        .select_related("review__host")
        .order_by("due_on")
    )


def reviews_of_school(*, membership: Membership, school_id: int) -> QuerySet[Review]:
    """Reviews hosted by a school of the membership's partnership, newest visit first (not cancelled): what a
    school page lists (dates and states; what may be opened is ``peerreview.access``'s answer)."""
    return (
        Review.objects.filter(partnership_id=membership.partnership_id, host_id=school_id)
        .exclude(state=S.CANCELLED)
        .order_by("-visit_starts_on", "-pk")
    )


def reviews_of_school_within(*, school, since: dt.date) -> QuerySet[Review]:
    """Reviews of ``school`` with a visit on or after ``since`` (not cancelled): for conflict checks."""
    return Review.objects.filter(host=school, visit_starts_on__gte=since).exclude(state=S.CANCELLED)


def review_team_days(*, partnership: Partnership, academic_year: int) -> QuerySet:
    """Review days given (as a team member from ``home_school_id``) and received (by ``host_id``) in a year:
    rows of ``user_id, home_school_id, host_id, review_id, role, days``; cancelled reviews left out."""
    start, end = academic_year_bounds(academic_year)
    return (
        TeamMember.objects.filter(
            review__partnership=partnership,
            review__visit_starts_on__range=(start, end),
            removed_at__isnull=True,
        )
        .exclude(review__state__in=[S.CANCELLED, S.POSTPONED])
        .values("user_id", "home_school_id", "review_id", "role", host_id=F("review__host_id"), days=F("review__days"))
    )


def cluster_review_coverage(*, partnership: Partnership, academic_year: int) -> dict[int, tuple[int, int]]:
    """Per cluster: (current member schools, of them reviewed in the year: a visit held, not cancelled/planned)."""
    from clusters.models import ClusterMembership

    start, end = academic_year_bounds(academic_year)
    held = Review.objects.filter(host_id=OuterRef("school_id"), visit_starts_on__range=(start, end)).exclude(
        state__in=[S.CANCELLED, S.PLANNED, S.POSTPONED]
    )
    rows = (
        ClusterMembership.objects.filter(cluster__partnership=partnership, left_on__isnull=True)
        .values("cluster_id")
        .annotate(
            members=Count("school_id", distinct=True),
            reviewed=Count("school_id", filter=Q(Exists(held)), distinct=True),
        )
    )
    return {r["cluster_id"]: (r["members"], r["reviewed"]) for r in rows}


def cluster_actions_on_time(*, partnership: Partnership, on: dt.date | None = None) -> dict[int, tuple[int, int]]:
    """Per cluster: (actions of its current members due by ``on``, of them completed on or before the due date)."""
    from clusters.models import ClusterMembership

    on = on or timezone.localdate()
    result: dict[int, tuple[int, int]] = {}
    rows = list(
        ClusterMembership.objects.filter(cluster__partnership=partnership, left_on__isnull=True).values(
            "cluster_id", "school_id"
        )
    )
    if not rows:
        return result
    per_school = {
        r["review__host_id"]: (r["n"], r["ok"])
        for r in Action.objects.filter(review__partnership=partnership, due_on__lte=on)
        .exclude(status=Action.Status.DROPPED)
        .values("review__host_id")
        .annotate(
            n=Count("pk"), ok=Count("pk", filter=Q(status=Action.Status.COMPLETED, completed_on__lte=F("due_on")))
        )
    }
    for cm in rows:
        n, ok = per_school.get(cm["school_id"], (0, 0))
        total, done = result.get(cm["cluster_id"], (0, 0))
        result[cm["cluster_id"]] = (total + n, done + ok)
    return result


def last_agreed_review_dates(*, partnership: Partnership) -> dict[int, dt.date]:
    """Per school id: the date its latest review's report was agreed by the host (facts only, for risk C9)."""
    rows = (
        Review.objects.filter(partnership=partnership, report_agreed_on__isnull=False)
        .values("host_id")
        .annotate(last=Max("report_agreed_on"))
    )
    return {r["host_id"]: r["last"] for r in rows}


def overdue_action_counts(*, partnership: Partnership, on: dt.date | None = None) -> dict[int, int]:
    """Per school id: actions past their due date and not completed or dropped (facts only, for risk C9)."""
    on = on or timezone.localdate()
    rows = (
        Action.objects.filter(review__partnership=partnership, due_on__lt=on)
        .exclude(status__in=[Action.Status.COMPLETED, Action.Status.DROPPED])
        .exclude(review__state=S.CANCELLED)
        .values("review__host_id")
        .annotate(n=Count("pk"))
    )
    return {r["review__host_id"]: r["n"] for r in rows}


def schools_without_review_since(*, partnership: Partnership, since: dt.date) -> QuerySet:
    """Ids of the partnership's schools with no agreed review on or after ``since`` (for isolation)."""
    from schools.models import School

    return (
        School.objects.filter(partnership=partnership).exclude(_agreed_review_since(since)).values_list("pk", flat=True)
    )


def _agreed_review_since(since: dt.date) -> Exists:
    """A school (the outer query's row) has a review whose report was agreed on or after ``since``."""
    return Exists(Review.objects.filter(host_id=OuterRef("pk"), report_agreed_on__gte=since))


# ---------------------------------------------------------------------------- for brokerage (added by #11)

HELD_REVIEW_STATES = [
    S.FINDINGS_AGREED,
    S.REPORT_DRAFT,
    S.REPORT_AGREED,
    S.WORKSHOP_HELD,
    S.ACTIONS_LIVE,
    S.IMPACT_REVIEWED,
    S.CLOSED,
]
"""Review states after the visit: the team's days were given."""


def reviewers_of_school_within(*, school_id: int, since: dt.date) -> list[tuple[int | None, int]]:
    """(home school id, user id) of every team member of the reviews of ``school_id`` with a visit on or after
    ``since`` (not cancelled): brokerage excludes them from supporting that school (a recent reviewer)."""
    return list(
        TeamMember.objects.filter(
            review__host_id=school_id, review__visit_starts_on__gte=since, removed_at__isnull=True
        )
        .exclude(review__state=S.CANCELLED)
        .values_list("home_school_id", "user_id")
    )


def held_review_team_days(*, partnership_id: int) -> QuerySet:
    """Team days of reviews whose visit has been held: rows of ``review_id, user_id, home_school_id, host_id,
    days, visit_on`` (the reciprocity ledger's peer-review days)."""
    return (
        TeamMember.objects.filter(
            review__partnership_id=partnership_id,
            review__state__in=HELD_REVIEW_STATES,
            removed_at__isnull=True,
            home_school__isnull=False,
        )
        .order_by("pk")
        .values(
            "review_id",
            "user_id",
            "home_school_id",
            host_id=F("review__host_id"),
            days=F("review__days"),
            visit_on=F("review__visit_starts_on"),
        )
    )


# ------------------------------------------------------------------------------ for the board (#13)


def kpi_peer_reviewed_share(*, partnership_id: int) -> dict[int, float]:
    """Per academic year with reviews: % of the partnership's open schools whose review visit was held that
    year (planned, postponed and cancelled reviews not counted). An aggregate: no school is named."""
    from schools.models import School

    total = School.objects.filter(partnership_id=partnership_id, status__startswith="Open").count()
    if not total:
        return {}
    rows = (
        Review.objects.filter(partnership_id=partnership_id, host__status__startswith="Open")
        .exclude(state__in=[S.CANCELLED, S.PLANNED, S.POSTPONED])
        .values_list("visit_starts_on", "host_id")
    )
    by_year: dict[int, set[int]] = {}
    for visit, host in rows:
        by_year.setdefault(academic_year_of(visit), set()).add(host)
    return {year: round(100 * len(hosts) / total, 1) for year, hosts in sorted(by_year.items())}


def work_queue_items(*, membership: Membership) -> list[tuple[int, str, str]]:
    """The officers' work queue lines from peer review: (count, text, link). Counts only, no school named."""
    from django.urls import reverse

    today = timezone.localdate()
    reviews = Review.objects.filter(partnership_id=membership.partnership_id)
    items = [
        (reviews.filter(state=S.POSTPONED).count(), "Peer reviews postponed", reverse("peerreview:programme_list")),
        (
            reviews.filter(report_due_on__lt=today, state__in=[S.VISIT, S.FINDINGS_AGREED, S.REPORT_DRAFT]).count(),
            "Peer review reports past their due date",
            reverse("peerreview:programme_list"),
        ),
    ]
    if membership_can(membership, Permission.RECEIVE_SAFEGUARDING_REFERRALS):
        items.append(
            (
                SafeguardingConcern.objects.filter(
                    review__partnership_id=membership.partnership_id, concerns_head=True, acknowledged_at__isnull=True
                ).count(),
                "Safeguarding concerns from peer reviews about a head (LADO)",
                reverse("peerreview:home"),
            )
        )
    return items


NO_REVIEW_MONTHS = 24


def home_work_items(*, membership: Membership) -> list:
    """The home page's work queue lines from peer review: what waits for this member (counts only)."""
    from django.urls import reverse

    from partnership.selectors import WorkItem
    from schools.models import School

    home = reverse("peerreview:home")
    items = [
        WorkItem(
            count=TeamMember.objects.filter(
                user_id=membership.user_id,
                removed_at__isnull=True,
                confidentiality_accepted_at__isnull=True,
                review__partnership_id=membership.partnership_id,
            )
            .exclude(review__state__in=[S.CLOSED, S.CANCELLED])
            .count(),
            text="Peer reviews waiting for your declaration of interests",
            href=home,
        )
    ]
    if membership_can(membership, Permission.HOST_PEER_REVIEWS) and membership.school_id:
        hosted = Review.objects.filter(partnership_id=membership.partnership_id, host_id=membership.school_id)
        items += [
            WorkItem(
                count=hosted.filter(state=S.REPORT_DRAFT).count(),
                text="Peer review reports waiting for your agreement",
                href=home,
            ),
            WorkItem(
                count=Finding.objects.filter(review__in=hosted, agreed__isnull=True)
                .filter(review__state__in=[S.VISIT, S.FINDINGS_AGREED])
                .count(),
                text="Peer review findings waiting for your answer",
                href=home,
            ),
            WorkItem(
                count=overdue_action_counts(partnership=membership.partnership).get(membership.school_id, 0),
                text="Your school's peer review actions overdue",
                href=home,
            ),
        ]
    if membership_can(membership, Permission.VIEW_ALL_SCHOOLS):
        since = timezone.localdate() - dt.timedelta(days=round(NO_REVIEW_MONTHS * 30.44))
        open_schools = School.objects.filter(partnership_id=membership.partnership_id).open().state_funded()
        items.append(
            WorkItem(  # one scan of the open schools (``schools_without_review_since`` within them, #15)
                count=open_schools.exclude(_agreed_review_since(since)).count(),
                text=f"Open schools with no agreed peer review in {NO_REVIEW_MONTHS} months",
                href=reverse("peerreview:programme_list"),
            )
        )
    return items
