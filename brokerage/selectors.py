"""Reads of the brokerage app, always through a membership's partnership, permissions and scope.

Brokers (``BROKER_SUPPORT``) see everything of their partnership. A receiving school's head and chair see their
school's requests and deployments; a provider (the system leader's sign-in) their own deployments; a home head
the deployments of their school's system leaders (they sign the release). Anything else answers 404. The board
reads aggregates only (``support_summary``), with small cells suppressed here, not in the template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from brokerage.matching import Candidate, Need
from brokerage.models import (
    AcademyReferral,
    Deployment,
    Fund,
    LedgerEntry,
    Provider,
    Rating,
    ShortlistEntry,
    Specialism,
    SupportRequest,
    TradedServiceItem,
    Visit,
)
from partnership.models import Membership, Role
from partnership.permissions import Permission, membership_can
from partnership.selectors import declared_interests

DS = Deployment.State
RS = SupportRequest.State
RESERVING = [DS.SIGNED, DS.ACTIVE, DS.PAUSED, DS.COMPLETED, DS.EVALUATED, DS.CLOSED]
ACTIVE = [DS.SIGNED, DS.ACTIVE, DS.PAUSED]
SMALL_CELL = 3  # aggregates over fewer schools than this are not shown to the board
MONEY = DecimalField(max_digits=14, decimal_places=2)
DAYS = DecimalField(max_digits=8, decimal_places=2)


def current_year(today: dt.date | None = None) -> int:
    """This academic year by its ending calendar year."""
    today = today or timezone.localdate()
    return today.year + 1 if today.month >= 9 else today.year


def _broker(membership: Membership) -> bool:
    return membership_can(membership, Permission.BROKER_SUPPORT)


def _own_school(membership: Membership) -> int | None:
    """The school whose support the membership may see as its own (heads and chairs)."""
    if membership_can(membership, Permission.VIEW_OWN_SCHOOL) and membership.school_id:
        return membership.school_id
    return None


# ---------------------------------------------------------------------------------------------- capacity, cost


def cost_expression(prefix: str = "") -> ExpressionWrapper:
    """A deployment's cost in SQL: days × day rate × (1 + fee %)."""
    return ExpressionWrapper(
        F(f"{prefix}days") * F(f"{prefix}day_rate") * (Value(Decimal(1)) + F(f"{prefix}fee_percent") / Value(100)),
        output_field=MONEY,
    )


def provider_days_committed(*, provider_id: int, year: int) -> Decimal:
    """Days of the provider's signed (or later) agreements starting in academic year ``year``."""
    total = Deployment.objects.filter(provider_id=provider_id, year=year, state__in=RESERVING).aggregate(
        total=Sum("days")
    )["total"]
    return total or Decimal(0)


def fund_committed(*, fund_id: int) -> Decimal:
    """Cost of every signed (or later) agreement charged to the fund."""
    total = Deployment.objects.filter(fund_id=fund_id, state__in=RESERVING).aggregate(total=Sum(cost_expression()))[
        "total"
    ]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def _committed_subquery(year: int) -> Subquery:
    return Subquery(
        Deployment.objects.filter(provider=OuterRef("pk"), year=year, state__in=RESERVING)
        .order_by()
        .values("provider")
        .annotate(total=Sum("days"))
        .values("total")[:1],
        output_field=DAYS,
    )


def providers_with_figures(queryset: QuerySet[Provider], year: int) -> QuerySet[Provider]:
    """Annotate days committed and left this year, deployments done and evaluation figures (no joins that
    multiply rows: each figure is its own subquery)."""
    evaluated = (
        Deployment.objects.filter(provider=OuterRef("pk"), evaluation__isnull=False).order_by().values("provider")
    )
    return queryset.annotate(
        days_committed=Coalesce(_committed_subquery(year), Value(Decimal(0)), output_field=DAYS),
        days_left=ExpressionWrapper(F("days_offered") - F("days_committed"), output_field=DAYS),
        deployments_done=Coalesce(
            Subquery(
                Deployment.objects.filter(provider=OuterRef("pk"), state__in=[DS.COMPLETED, DS.EVALUATED, DS.CLOSED])
                .order_by()
                .values("provider")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
        evaluations=Coalesce(
            Subquery(evaluated.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0
        ),
        rated_good=Coalesce(
            Subquery(
                evaluated.filter(evaluation__overall__gte=Rating.GOOD).annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
        mean_rating=Subquery(
            evaluated.annotate(m=Avg("evaluation__overall")).values("m")[:1], output_field=DecimalField()
        ),
    )


# ---------------------------------------------------------------------------------------------- directory


def provider_list(*, membership: Membership, year: int | None = None) -> QuerySet[Provider]:
    """Directory entries the membership may see: active ones (brokers also see invited, declined, withdrawn)."""
    if not membership_can(membership, Permission.VIEW_PROVIDERS):
        return Provider.objects.none()
    queryset = Provider.objects.filter(partnership_id=membership.partnership_id)
    if not _broker(membership):
        queryset = queryset.filter(status=Provider.Status.ACTIVE)
    queryset = queryset.select_related("school", "network").prefetch_related(
        Prefetch("specialisms", queryset=Specialism.objects.order_by("name"))
    )
    return providers_with_figures(queryset, year or current_year()).order_by("name", "pk")


def access_provider(*, membership: Membership, pk: int) -> Provider:
    """A directory entry the membership may see; else 404."""
    provider = provider_list(membership=membership).filter(pk=pk).first()
    if provider is None:
        raise Http404("No such provider")
    return provider


def access_provider_for_edit(*, membership: Membership, pk: int) -> Provider:
    """An entry the membership may change: brokers any, a system leader their own; else 404."""
    provider = (
        Provider.objects.filter(partnership_id=membership.partnership_id, pk=pk)
        .select_related("school", "network", "user")
        .first()
    )
    if provider is None or not (_broker(membership) or provider.user_id == membership.user_id):
        raise Http404("No such provider")
    return provider


def own_provider_entries(*, membership: Membership) -> QuerySet[Provider]:
    """The signed-in system leader's own entries (any status)."""
    return providers_with_figures(
        Provider.objects.filter(partnership_id=membership.partnership_id, user_id=membership.user_id).select_related(
            "school"
        ),
        current_year(),
    )


def invitations_for_school(*, membership: Membership) -> QuerySet[Provider]:
    """Open invitations to the head's school to join the directory as a support school."""
    school_id = _own_school(membership)
    if school_id is None or Role.HEADTEACHER not in membership.roles:
        return Provider.objects.none()
    return Provider.objects.filter(
        partnership_id=membership.partnership_id, school_id=school_id, status=Provider.Status.INVITED
    )


def specialism_list(*, partnership_id: int) -> QuerySet[Specialism]:
    """The partnership's list of specialisms in use."""
    return Specialism.objects.filter(partnership_id=partnership_id, archived_at__isnull=True).order_by("name")


def provider_choices(*, partnership_id: int) -> QuerySet[Provider]:
    """Active providers, for a request's preference."""
    return Provider.objects.filter(partnership_id=partnership_id, status=Provider.Status.ACTIVE).order_by("name")


def traded_item_list(*, membership: Membership) -> QuerySet[TradedServiceItem]:
    """The LA's traded-service catalogue."""
    if not membership_can(membership, Permission.VIEW_PROVIDERS):
        return TradedServiceItem.objects.none()
    return TradedServiceItem.objects.filter(
        partnership_id=membership.partnership_id, archived_at__isnull=True
    ).order_by("name")


@dataclass(frozen=True)
class ProviderPage:
    provider: Provider
    deployments: list[Deployment]
    can_edit: bool
    can_see_schools: bool
    interests: list


def provider_page(*, membership: Membership, pk: int) -> ProviderPage:
    """A provider with its figures, and its deployments (whom it supported only for brokers and the provider)."""
    provider = access_provider(membership=membership, pk=pk)
    own = provider.user_id is not None and provider.user_id == membership.user_id
    see_schools = _broker(membership) or own
    deployments = (
        list(
            Deployment.objects.filter(provider=provider)
            .select_related("school", "evaluation")
            .order_by("-start_on", "-pk")[:50]
        )
        if see_schools
        else []
    )
    return ProviderPage(
        provider=provider,
        deployments=deployments,
        can_edit=_broker(membership) or own,
        can_see_schools=see_schools,
        interests=list(provider.interests.select_related("school")) if see_schools else [],
    )


# ---------------------------------------------------------------------------------------------- requests


def request_list(*, membership: Membership) -> QuerySet[SupportRequest]:
    """Requests the membership may see: all for brokers, the own school's (not drafts) for its head and chair."""
    base = SupportRequest.objects.filter(partnership_id=membership.partnership_id)
    if _broker(membership):
        queryset = base
    elif (school_id := _own_school(membership)) is not None:
        scope = Q(school_id=school_id)
        if Role.HEADTEACHER in membership.roles:  # the home head of a chosen system leader confirms release
            scope |= Q(chosen_provider__school_id=school_id, state__in=[RS.CHOSEN, RS.AGREED])
        queryset = base.filter(scope).exclude(state=RS.DRAFT)
    else:
        return SupportRequest.objects.none()
    return queryset.select_related("school", "focus", "chosen_provider")


def access_request(*, membership: Membership, pk: int) -> SupportRequest:
    """A request the membership may see; else 404."""
    request = request_list(membership=membership).filter(pk=pk).select_related("preferred_provider").first()
    if request is None:
        raise Http404("No such request")
    return request


def shortlist_for(*, request: SupportRequest) -> list[ShortlistEntry]:
    """The request's saved shortlist, best first, with each provider's figures now."""
    entries = list(ShortlistEntry.objects.filter(request=request).select_related("provider").order_by("rank"))
    return entries


URGENCY_ORDER = Case(
    When(urgency="urgent", then=0),
    When(urgency="high", then=1),
    When(urgency="medium", then=2),
    default=3,
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class Queue:
    """The broker's queue: open requests by state and urgency, overdue visit records, evaluations due."""

    requests: list[SupportRequest]
    counts: dict[str, int]
    overdue: list[Deployment]
    evaluations_due: list[Deployment]
    referrals: list[AcademyReferral]


def broker_queue(*, membership: Membership, state: str = "") -> Queue:
    """The queue of open requests (optionally one state), most urgent and oldest first."""
    if not _broker(membership):
        raise Http404("Not a broker")
    pid = membership.partnership_id
    open_states = [RS.DRAFT, RS.NEW, RS.TRIAGED, RS.SHORTLISTED, RS.CHOSEN]
    requests = SupportRequest.objects.filter(partnership_id=pid, state__in=[state] if state else open_states)
    counts = dict(
        SupportRequest.objects.filter(partnership_id=pid).order_by().values_list("state").annotate(n=Count("pk"))
    )
    return Queue(
        requests=list(
            requests.select_related("school", "focus").annotate(u=URGENCY_ORDER).order_by("u", "created_at", "pk")[:200]
        ),
        counts={s.value: counts.get(s.value, 0) for s in RS},
        overdue=overdue_visit_deployments(partnership_id=pid),
        evaluations_due=list(
            Deployment.objects.filter(partnership_id=pid, state=DS.COMPLETED)
            .select_related("provider", "school")
            .order_by("state_changed_at")[:100]
        ),
        referrals=list(AcademyReferral.objects.filter(partnership_id=pid).select_related("school")[:100]),
    )


def overdue_visit_deployments(*, partnership_id: int, today: dt.date | None = None) -> list[Deployment]:
    """Active deployments whose latest record of visit came in after its due date (5 working days) in the last
    30 days, or with no record a fortnight after the start: the broker follows them up (``last_visit_on``)."""
    today = today or timezone.localdate()
    last_visit = Visit.objects.filter(deployment=OuterRef("pk")).order_by("-submitted_at", "-pk")
    return list(
        Deployment.objects.filter(partnership_id=partnership_id, state=DS.ACTIVE)
        .annotate(
            last_visit_on=Subquery(last_visit.values("visit_on")[:1]),
            last_submitted=Subquery(last_visit.values("submitted_at")[:1]),
            last_late=Subquery(
                last_visit.annotate(
                    was_late=Case(
                        When(submitted_at__date__gt=F("due_on"), then=Value(1)),
                        default=Value(0),
                        output_field=IntegerField(),
                    )
                ).values("was_late")[:1]
            ),
        )
        .filter(
            Q(last_late=1, last_submitted__date__gte=today - dt.timedelta(days=30))
            | Q(last_visit_on__isnull=True, start_on__lt=today - dt.timedelta(days=14))
        )
        .select_related("provider", "school")
        .order_by("start_on")[:100]
    )


# ---------------------------------------------------------------------------------------------- matching facts


def _recent_reviewers(*, school_id: int, today: dt.date) -> tuple[set[int], set[int]]:
    """Schools and people who reviewed ``school_id`` in a peer review in the last 24 months (peer review's read)."""
    from peerreview import selectors as peer

    rows = peer.reviewers_of_school_within(school_id=school_id, since=today - dt.timedelta(days=730))
    return {s for s, _ in rows if s is not None}, {u for _, u in rows}


def match_facts(*, request: SupportRequest, today: dt.date | None = None) -> tuple[Need, list[Candidate]]:
    """The request as the matcher needs it, and every active provider as a candidate."""
    today = today or timezone.localdate()
    school = request.school
    need = Need(
        school_id=school.pk,
        school_name=school.name,
        phase=request.phase or school.phase,
        focus=request.focus.name if request.focus_id and request.focus else "",
        days_wanted=request.days_wanted,
        easting=school.easting,
        northing=school.northing,
        trust_code=school.trust_code,
        federation_code=school.federation_code,
        preferred_provider_id=request.preferred_provider_id,
    )
    providers = list(
        providers_with_figures(
            Provider.objects.filter(partnership_id=request.partnership_id, status=Provider.Status.ACTIVE),
            current_year(today),
        )
        .select_related("school", "network")
        .prefetch_related("specialisms")
    )
    ratings: dict[int, list[int]] = {}
    for provider_id, overall in Deployment.objects.filter(provider__in=providers, evaluation__isnull=False).values_list(
        "provider_id", "evaluation__overall"
    ):
        ratings.setdefault(provider_id, []).append(overall)
    interested = set(
        Provider.objects.filter(pk__in=[p.pk for p in providers], interests__school=school).values_list("pk", flat=True)
    )
    # The board's register of declared interests counts too (read through the kernel's hook: no board import).
    board_users = {
        row["user_id"]
        for row in declared_interests(partnership_id=request.partnership_id, on=today)
        if row.get("school_id") == school.pk and row.get("user_id")
    }
    interested |= {p.pk for p in providers if p.user_id is not None and p.user_id in board_users}
    trust_members = set(school.network_memberships.filter(left_on__isnull=True).values_list("network_id", flat=True))
    reviewer_schools, reviewer_users = _recent_reviewers(school_id=school.pk, today=today)
    candidates = [
        Candidate(
            provider_id=p.pk,
            name=p.name,
            kind=p.kind,
            school_id=p.school_id,
            specialisms=frozenset(s.name for s in p.specialisms.all()),
            phases=frozenset(p.phases),
            cross_phase=p.cross_phase,
            days_left=p.days_left if p.kind != Provider.Kind.TRADED else Decimal(999),  # type: ignore[attr-defined]
            easting=p.school.easting if p.school else None,
            northing=p.school.northing if p.school else None,
            trust_code=(need.trust_code or "network")
            if p.network_id in trust_members
            else (p.school.trust_code if p.school else ""),
            federation_code=p.school.federation_code if p.school else "",
            release_agreed=p.release_agreed,
            evaluations=tuple(ratings.get(p.pk, [])),
            reviewed_recently=p.school_id in reviewer_schools or p.user_id in reviewer_users,
            declared_interest=p.pk in interested,
        )
        for p in providers
    ]
    if any(p.network_id in trust_members for p in providers) and not need.trust_code:
        need = Need(**{**need.__dict__, "trust_code": "network"})
    return need, candidates


def schools_with_active_support(*, partnership_id: int, school_ids) -> set[int]:
    """Which of ``school_ids`` have a signed, active or paused deployment."""
    return set(
        Deployment.objects.filter(
            partnership_id=partnership_id, school_id__in=school_ids, state__in=ACTIVE
        ).values_list("school_id", flat=True)
    )


def active_support_for_school(*, membership: Membership, school_id: int) -> list[Deployment]:
    """The school's active support, for its page (brokers, and the school's own head and chair)."""
    if not (_broker(membership) or _own_school(membership) == school_id):
        return []
    return list(
        Deployment.objects.filter(partnership_id=membership.partnership_id, school_id=school_id, state__in=ACTIVE)
        .select_related("provider")
        .order_by("start_on", "pk")
    )


# ---------------------------------------------------------------------------------------------- deployments


def deployment_list(*, membership: Membership) -> QuerySet[Deployment]:
    """Deployments the membership may see (see the module docstring)."""
    base = Deployment.objects.filter(partnership_id=membership.partnership_id)
    if not _broker(membership):
        scope = Q(provider__user_id=membership.user_id)
        if (school_id := _own_school(membership)) is not None:
            scope |= Q(school_id=school_id)
            if Role.HEADTEACHER in membership.roles:
                scope |= Q(provider__school_id=school_id)
        base = base.filter(scope)
    return base.select_related("provider", "school", "fund")


def access_deployment(*, membership: Membership, pk: int) -> Deployment:
    """A deployment the membership may see; else 404."""
    deployment = deployment_list(membership=membership).filter(pk=pk).select_related("request").first()
    if deployment is None:
        raise Http404("No such deployment")
    return deployment


@dataclass(frozen=True)
class Timeline:
    deployment: Deployment
    objectives: list
    milestones: list
    visits: list
    events: list
    variations: list
    evaluation: object | None
    figures: dict[int, tuple[float | None, float | None]]


def deployment_timeline(*, deployment: Deployment) -> Timeline:
    """Everything the deployment page shows, in a fixed number of queries."""
    from brokerage.models import Evaluation

    evaluation = Evaluation.objects.filter(deployment=deployment).prefetch_related("objectives__objective").first()
    return Timeline(
        deployment=deployment,
        objectives=list(deployment.objectives.all()),
        milestones=list(deployment.milestones.all()),
        visits=list(deployment.visits.select_related("created_by")),
        events=list(deployment.events.select_related("by")),
        variations=list(deployment.variations.select_related("created_by")),
        evaluation=evaluation,
        figures=objective_figures(deployment=deployment),
    )


def access_visit(*, membership: Membership, pk: int) -> Visit:
    """A visit record of a deployment the membership may see; else 404."""
    visit = (
        Visit.objects.filter(deployment__in=deployment_list(membership=membership), pk=pk)
        .select_related("deployment__provider", "deployment__school")
        .first()
    )
    if visit is None:
        raise Http404("No such visit")
    return visit


def objective_figures(*, deployment: Deployment) -> dict[int, tuple[float | None, float | None]]:
    """For objectives measured by an imported performance code: the school's value in the last year before the
    deployment's and the latest value from its year on (None where no figure was imported)."""
    from schools.models import PerformanceValue

    codes = {o.pk: o.measure_code for o in deployment.objectives.all() if o.measure_code}
    if not codes:
        return {}
    values = list(
        PerformanceValue.objects.filter(
            partnership_id=deployment.partnership_id,
            school_id=deployment.school_id,
            code__in=set(codes.values()),
            value__isnull=False,
        ).values_list("code", "year", "value")
    )
    result = {}
    for pk, code in codes.items():
        rows = sorted((year, value) for c, year, value in values if c == code)
        before = [v for y, v in rows if y < deployment.year]
        after = [v for y, v in rows if y >= deployment.year]
        result[pk] = (before[-1] if before else None, after[-1] if after else None)
    return result


def fund_choices(*, partnership_id: int) -> QuerySet[Fund]:
    return Fund.objects.filter(partnership_id=partnership_id, archived_at__isnull=True).order_by("-year", "name")


# ---------------------------------------------------------------------------------------------- funds, VfM


def delivered_days_expression(hours_per_day: Decimal) -> Subquery:
    return Subquery(
        Visit.objects.filter(deployment=OuterRef("pk"))
        .order_by()
        .values("deployment")
        .annotate(total=Sum("hours"))
        .values("total")[:1],
        output_field=DAYS,
    )


def fund_dashboard(*, membership: Membership) -> list[Fund]:
    """Funds with allocation, committed (signed agreements' cost), spent (days delivered × rate + fee) and
    remaining; brokers only."""
    if not _broker(membership):
        raise Http404("Not a broker")
    from brokerage.services import settings_for

    hpd = settings_for(partnership_id=membership.partnership_id).hours_per_day
    deployments = (
        Deployment.objects.filter(fund=OuterRef("pk"), state__in=RESERVING)
        .annotate(hours=Coalesce(delivered_days_expression(hpd), Value(Decimal(0)), output_field=DAYS))
        .order_by()
        .values("fund")
    )
    funds = Fund.objects.filter(partnership_id=membership.partnership_id).annotate(
        committed=Coalesce(
            Subquery(deployments.annotate(t=Sum(cost_expression())).values("t")[:1], output_field=MONEY),
            Value(Decimal(0)),
            output_field=MONEY,
        ),
        spent=Coalesce(
            Subquery(
                deployments.annotate(
                    t=Sum(
                        F("hours") / Value(hpd) * F("day_rate") * (Value(Decimal(1)) + F("fee_percent") / Value(100)),
                        output_field=MONEY,
                    )
                ).values("t")[:1],
                output_field=MONEY,
            ),
            Value(Decimal(0)),
            output_field=MONEY,
        ),
        agreements=Coalesce(
            Subquery(deployments.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0
        ),
    )
    result: list[Fund] = list(funds.order_by("-year", "name"))
    for fund in result:
        fund.remaining = fund.allocation - fund.committed  # type: ignore[attr-defined]
    return result


@dataclass(frozen=True)
class ValueForMoney:
    year: int
    schools_supported: int
    cost: Decimal
    days_contracted: Decimal
    days_delivered: Decimal
    objectives: int
    objectives_met: int
    evaluations: int
    rated_good: int
    median_days_to_first_contact: float | None
    cost_per_school: Decimal | None
    cost_per_day: Decimal | None
    cost_per_objective_met: Decimal | None
    share_good: float | None  # benchmark 0.9
    needed: int
    suppressed: bool


def value_for_money(*, partnership_id: int, year: int | None = None) -> ValueForMoney:
    """Value-for-money figures for a year's signed agreements, and support needed (requests raised) against
    support delivered. ``suppressed`` when fewer than ``SMALL_CELL`` schools were supported (board view)."""
    from brokerage.models import ObjectiveEvaluation
    from brokerage.services import settings_for

    year = year or current_year()
    hpd = settings_for(partnership_id=partnership_id).hours_per_day
    deployments = Deployment.objects.filter(partnership_id=partnership_id, year=year, state__in=RESERVING)
    totals = deployments.aggregate(
        schools=Count("school", distinct=True), cost=Sum(cost_expression()), days=Sum("days")
    )
    hours = Visit.objects.filter(deployment__in=deployments).aggregate(h=Sum("hours"))["h"] or Decimal(0)
    delivered = (hours / hpd).quantize(Decimal("0.1"))
    objectives = ObjectiveEvaluation.objects.filter(evaluation__deployment__in=deployments)
    obj = objectives.aggregate(n=Count("pk"), met=Count("pk", filter=Q(outcome="met")))
    evals = deployments.filter(evaluation__isnull=False).aggregate(
        n=Count("pk"), good=Count("pk", filter=Q(evaluation__overall__gte=Rating.GOOD))
    )
    gaps = sorted(
        (first - created.date()).days
        for created, first in SupportRequest.objects.filter(
            partnership_id=partnership_id, first_contact_on__isnull=False, deployments__in=deployments
        ).values_list("created_at", "first_contact_on")
        if first is not None
    )
    cost = Decimal(totals["cost"] or 0).quantize(Decimal("0.01"))
    schools = totals["schools"] or 0
    needed = (
        SupportRequest.objects.filter(partnership_id=partnership_id)
        .exclude(state=RS.DRAFT)
        .filter(created_at__date__gte=dt.date(year - 1, 9, 1), created_at__date__lte=dt.date(year, 8, 31))
        .count()
    )
    return ValueForMoney(
        year=year,
        schools_supported=schools,
        cost=cost,
        days_contracted=totals["days"] or Decimal(0),
        days_delivered=delivered,
        objectives=obj["n"],
        objectives_met=obj["met"],
        evaluations=evals["n"],
        rated_good=evals["good"],
        median_days_to_first_contact=float(gaps[len(gaps) // 2]) if gaps else None,
        cost_per_school=(cost / schools).quantize(Decimal("0.01")) if schools else None,
        cost_per_day=(cost / delivered).quantize(Decimal("0.01")) if delivered else None,
        cost_per_objective_met=(cost / obj["met"]).quantize(Decimal("0.01")) if obj["met"] else None,
        share_good=evals["good"] / evals["n"] if evals["n"] else None,
        needed=needed,
        suppressed=0 < schools < SMALL_CELL,
    )


# ---------------------------------------------------------------------------------------------- ledger


@dataclass(frozen=True)
class LedgerRow:
    """Days given and received by one school, cluster or alliance in a year."""

    key: int | None
    name: str
    given: Decimal
    received: Decimal
    schools: int = 0  # schools of the group with any entry (a group: cluster or alliance)

    @property
    def balance(self) -> Decimal:
        return self.given - self.received

    @property
    def only_takes(self) -> bool:
        return self.given == 0 and self.received > 0


def ledger_by_school(*, partnership_id: int, year: int) -> list[LedgerRow]:
    """Days given and received per school in academic year ``year`` (schools with any entry)."""
    entries = LedgerEntry.objects.filter(partnership_id=partnership_id, year=year)
    given = dict(entries.filter(giver__isnull=False).order_by().values_list("giver_id").annotate(d=Sum("days")))
    received = dict(entries.order_by().values_list("receiver_id").annotate(d=Sum("days")))
    from schools.models import School

    names = dict(School.objects.filter(pk__in=set(given) | set(received)).values_list("pk", "name"))
    return sorted(
        (LedgerRow(pk, names.get(pk, ""), given.get(pk, Decimal(0)), received.get(pk, Decimal(0))) for pk in names),
        key=lambda r: (r.balance, r.name),
    )


def _ledger_by_group(partnership_id: int, year: int, through: str) -> list[LedgerRow]:
    """Sum per cluster (``through`` = "cluster") or alliance, by the schools' current memberships."""
    from clusters.models import AllianceMembership, ClusterMembership

    entries = LedgerEntry.objects.filter(partnership_id=partnership_id, year=year)
    school_groups: dict[int, list[tuple[int, str]]] = {}
    pairs: Iterable[tuple[int, int, str]]
    if through == "cluster":
        pairs = ClusterMembership.objects.filter(
            cluster__partnership_id=partnership_id, left_on__isnull=True, cluster__archived_at__isnull=True
        ).values_list("school_id", "cluster_id", "cluster__name")
    else:
        cluster_alliances: dict[int, list[tuple[int, str]]] = {}
        for cluster_id, alliance_id, name in AllianceMembership.objects.filter(
            alliance__partnership_id=partnership_id, left_on__isnull=True
        ).values_list("cluster_id", "alliance_id", "alliance__name"):
            cluster_alliances.setdefault(cluster_id, []).append((alliance_id, name))
        pairs = [
            (school_id, alliance_id, name)
            for school_id, cluster_id in ClusterMembership.objects.filter(
                cluster__partnership_id=partnership_id, left_on__isnull=True
            ).values_list("school_id", "cluster_id")
            for alliance_id, name in cluster_alliances.get(cluster_id, [])
        ]
    for school_id, group_id, name in pairs:
        school_groups.setdefault(school_id, []).append((group_id, name))
    given: dict[tuple[int, str], Decimal] = {}
    received: dict[tuple[int, str], Decimal] = {}
    members: dict[tuple[int, str], set[int]] = {}
    for giver_id, receiver_id, days in entries.values_list("giver_id", "receiver_id", "days"):
        for group in set(school_groups.get(giver_id, [])) if giver_id else ():
            given[group] = given.get(group, Decimal(0)) + days
            members.setdefault(group, set()).add(giver_id)
        for group in set(school_groups.get(receiver_id, [])):
            received[group] = received.get(group, Decimal(0)) + days
            members.setdefault(group, set()).add(receiver_id)
    groups = set(given) | set(received)
    return sorted(
        (
            LedgerRow(g[0], g[1], given.get(g, Decimal(0)), received.get(g, Decimal(0)), len(members.get(g, ())))
            for g in groups
        ),
        key=lambda r: (r.balance, r.name),
    )


def ledger_by_cluster(*, partnership_id: int, year: int) -> list[LedgerRow]:
    """Days given and received per cluster in ``year`` (for cluster health checks and the board)."""
    return _ledger_by_group(partnership_id, year, "cluster")


def ledger_by_alliance(*, partnership_id: int, year: int) -> list[LedgerRow]:
    """Days given and received per alliance in ``year``."""
    return _ledger_by_group(partnership_id, year, "alliance")


def ledger_years(*, partnership_id: int) -> list[int]:
    return list(
        LedgerEntry.objects.filter(partnership_id=partnership_id)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class SupportSummary:
    """What the board sees: value for money and the ledger by cluster and alliance, aggregated."""

    vfm: ValueForMoney
    clusters: list[LedgerRow]
    alliances: list[LedgerRow]
    suppressed: int = 0  # groups left out because fewer than SMALL_CELL of their schools have entries


def support_summary(*, membership: Membership, year: int | None = None) -> SupportSummary:
    """Brokerage aggregates for the board (VIEW_SUPPORT_SUMMARY) and brokers."""
    if not (membership_can(membership, Permission.VIEW_SUPPORT_SUMMARY) or _broker(membership)):
        raise Http404("Not allowed")
    year = year or current_year()
    pid = membership.partnership_id
    clusters = ledger_by_cluster(partnership_id=pid, year=year)
    alliances = ledger_by_alliance(partnership_id=pid, year=year)
    if _broker(membership):
        return SupportSummary(
            vfm=value_for_money(partnership_id=pid, year=year), clusters=clusters, alliances=alliances
        )
    shown_clusters = [r for r in clusters if r.schools >= SMALL_CELL]
    shown_alliances = [r for r in alliances if r.schools >= SMALL_CELL]
    return SupportSummary(
        vfm=value_for_money(partnership_id=pid, year=year),
        clusters=shown_clusters,
        alliances=shown_alliances,
        suppressed=len(clusters) - len(shown_clusters) + len(alliances) - len(shown_alliances),
    )


BASELINE_CODES = ("ks2_rwm_exp", "ks2_read_prog", "ks2_mat_prog", "ks4_att8", "ks4_p8", "ks4_basics_94")


def school_baseline(*, school) -> str:
    """An agreement's baseline pre-filled from the register, the latest agreed category (bands only: no
    intelligence, so nothing confidential reaches the provider) and the latest imported headline results."""
    from schools.models import PerformanceValue
    from schools.risk.models import SchoolCategory

    kind = school.type_name or "type not recorded"
    lines = [
        f"{school.name} (URN {school.urn}): {school.phase or 'phase not recorded'}, {kind}, "
        f"{school.number_of_pupils or 'unknown'} pupils."
    ]
    if school.ofsted_rating:
        lines.append(f"Ofsted: {school.ofsted_rating}.")
    agreed = (
        SchoolCategory.objects.filter(school=school, round__state__in=["agreed", "published"])
        .select_related("assessment", "round")
        .order_by("-round__created_at")
        .first()
    )
    if agreed is not None:
        lines.append(
            f"Agreed risk category {agreed.category} in {agreed.round.name} (standards band "
            f"{agreed.assessment.standards_band}, capacity band {agreed.assessment.capacity_band})."
        )
    latest: dict[str, tuple[int, float]] = {}
    for code, year, value in PerformanceValue.objects.filter(
        school=school, code__in=BASELINE_CODES, value__isnull=False
    ).values_list("code", "year", "value"):
        if value is not None and (code not in latest or year > latest[code][0]):
            latest[code] = (year, value)
    for code in BASELINE_CODES:
        if code in latest:
            year, value = latest[code]
            lines.append(f"{code} {year - 1}/{str(year)[-2:]}: {value:g}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- small reads


def school_by_urn(*, partnership_id: int, urn: int):
    """The partnership's school with ``urn``, or None."""
    from schools.models import School

    return School.objects.filter(partnership_id=partnership_id, urn=urn).first()


def member_user(*, partnership_id: int, email: str):
    """The user with ``email`` holding a current membership of the partnership, or None."""
    membership = (
        Membership.objects.filter(partnership_id=partnership_id, user__email__iexact=email, archived_at__isnull=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def leading_schools_not_invited(*, partnership_id: int):
    """Schools the latest finished risk run tagged Leading that have no support-school entry yet."""
    from schools.models import School
    from schools.risk.models import RiskAssessment, RiskRun

    run = (
        RiskRun.objects.filter(partnership_id=partnership_id, state="succeeded", as_at__isnull=True, school_ids=[])
        .order_by("-finished_at", "-pk")
        .first()
    )
    if run is None:
        return School.objects.none()
    leading = RiskAssessment.objects.filter(run=run, leading=True).values("school_id")
    entered = Provider.objects.filter(partnership_id=partnership_id, kind=Provider.Kind.SUPPORT_SCHOOL).values(
        "school_id"
    )
    return School.objects.filter(pk__in=leading).exclude(pk__in=entered).order_by("name")


def access_invitation(*, membership: Membership, pk: int) -> Provider:
    """An open invitation to the head's own school; else 404."""
    provider = invitations_for_school(membership=membership).filter(pk=pk).first()
    if provider is None:
        raise Http404("No such invitation")
    return provider


def request_events(*, request: SupportRequest) -> list:
    return list(request.events.select_related("by").order_by("at", "pk"))


def request_deployments(*, request: SupportRequest) -> list[Deployment]:
    return list(request.deployments.select_related("provider").order_by("pk"))


def providers_in(*, entries: list[ShortlistEntry]) -> QuerySet[Provider]:
    """The providers of shortlist ``entries`` as a queryset (for a choice field)."""
    return Provider.objects.filter(pk__in=[e.provider_id for e in entries]).order_by("name")


def deployment_objectives(*, deployment: Deployment) -> list:
    return list(deployment.objectives.all())


def areas_of_excellence(*, partnership_id: int, school_id: int | None) -> list[str]:
    """Areas of excellence the school published from its peer reviews (peer review's opt-in directory)."""
    if school_id is None:
        return []
    from peerreview import selectors as peer

    entries = peer.excellence_directory(partnership=partnership_id).filter(school_id=school_id)  # type: ignore[arg-type]
    return [f"{e.title}: {e.description}" for e in entries]
