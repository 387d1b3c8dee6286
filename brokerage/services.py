"""The only writers of brokerage rows: keyword-only, typed, ``full_clean`` and atomic.

Each entity with states has one transitions table and one service that moves it (``support_request_transition``,
``deployment_transition``): it locks the row, checks the move and the actor's right, records who and when, and
queues emails with ``transaction.on_commit``. Days are reserved, and cost committed to a fund, when a deployment
is signed, under row locks on the provider and the fund, so simultaneous signatures cannot overcommit either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from brokerage import selectors
from brokerage.calendar import VISIT_RECORD_WORKING_DAYS, working_days_after
from brokerage.matching import shortlist
from brokerage.models import DEFAULT_DAY_RATES as DEFAULT_DAY_RATES  # re-exported: views import no models
from brokerage.models import DEFAULT_WEIGHTS as DEFAULT_WEIGHTS
from brokerage.models import (
    AcademyReferral,
    BrokerageSettings,
    DeclaredInterest,
    Deployment,
    DeploymentEvent,
    Evaluation,
    Fund,
    LedgerEntry,
    Milestone,
    Notification,
    Objective,
    ObjectiveEvaluation,
    Provider,
    ShortlistEntry,
    Specialism,
    SupportRequest,
    SupportRequestEvent,
    TradedServiceItem,
    Variation,
    Visit,
    cost_of,
)
from partnership.models import Membership, Partnership, Role, User
from partnership.permissions import Permission, membership_can
from schools.models import School

RS = SupportRequest.State
DS = Deployment.State


def academic_year(day: dt.date) -> int:
    """The academic year containing ``day`` by its ending calendar year (1 September 2026 → 2027)."""
    return day.year + 1 if day.month >= 9 else day.year


def settings_for(*, partnership_id: int) -> BrokerageSettings:
    """The partnership's brokerage settings (an unsaved row of defaults when none were saved)."""
    return BrokerageSettings.objects.filter(partnership_id=partnership_id).first() or BrokerageSettings(
        partnership_id=partnership_id
    )


@transaction.atomic
def brokerage_settings_update(
    *,
    partnership: Partnership,
    by: User,
    weights: dict[str, int],
    day_rates: dict[str, str],
    fee_percent: Decimal,
    hours_per_day: Decimal,
    max_distance_km: int,
) -> BrokerageSettings:
    """Save the matching weights, day rates per designation, fee and working day of a partnership."""
    row, _ = BrokerageSettings.objects.select_for_update().get_or_create(partnership=partnership)
    row.weights, row.day_rates = weights, day_rates
    row.fee_percent, row.hours_per_day, row.max_distance_km = fee_percent, hours_per_day, max_distance_km
    row.modified_by = by
    row.full_clean()
    row.save()
    return row


# ---------------------------------------------------------------------------------------------- who may act


def is_broker(membership: Membership) -> bool:
    return membership_can(membership, Permission.BROKER_SUPPORT)


def is_head_of(membership: Membership, school_id: int | None) -> bool:
    return school_id is not None and Role.HEADTEACHER in membership.roles and membership.school_id == school_id


def is_provider_user(membership: Membership, provider: Provider) -> bool:
    return provider.user_id is not None and provider.user_id == membership.user_id


class NotAllowed(ValidationError):
    """The person may not make this change (pages answer 403), as opposed to a change refused by the state."""


def _refuse(message: str) -> None:
    raise ValidationError(message)


def _forbid(message: str) -> None:
    raise NotAllowed(message)


# ---------------------------------------------------------------------------------------------- emails


def notify(*, partnership_id: int, key: str, emails: Iterable[str], subject: str, body: str) -> int:
    """Record one email per address (once per ``key``) and queue the sending job after commit."""
    rows = [
        Notification(partnership_id=partnership_id, key=key[:120], email=e, subject=subject[:200], body=body)
        for e in sorted(set(emails))
        if e
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        transaction.on_commit(lambda: notifications_enqueue(key=key[:120]))
    return len(rows)


def notifications_enqueue(*, key: str) -> bool:
    """Queue the sending job; False when the broker is down (beat's requeue sends them later)."""
    from brokerage.tasks import notifications_send_task

    try:
        notifications_send_task.apply_async(args=[key], retry=False)
    except Exception:  # noqa: BLE001 - the broker is unreachable: the rows wait in the database
        return False
    return True


def notifications_send(*, key: str | None = None, max_attempts: int = 5) -> dict[str, int]:
    """Send waiting notifications (of ``key``, or all): each row claimed with SKIP LOCKED and sent at most once;
    a failure is counted and retried later, and given up after ``max_attempts``."""
    from django.core.mail import send_mail

    counts = {"sent": 0, "failed": 0}
    while True:
        with transaction.atomic():
            waiting = Notification.objects.select_for_update(skip_locked=True).filter(state=Notification.State.WAITING)
            if key is not None:
                waiting = waiting.filter(key=key)
            row = waiting.order_by("pk").first()
            if row is None:
                return counts
            row.attempts += 1
            try:
                send_mail(row.subject, row.body, None, [row.email])
            except Exception as error:  # noqa: BLE001 - any SMTP failure: count it, keep the row
                row.last_error = str(error)[:300]
                row.state = Notification.State.FAILED if row.attempts >= max_attempts else row.state
                row.save(update_fields=["attempts", "last_error", "state"])
                counts["failed"] += 1
                if row.state == Notification.State.WAITING:
                    return counts  # try again on the next run rather than spin on a failing server
                continue
            row.state, row.sent_at = Notification.State.SENT, timezone.now()
            row.save(update_fields=["attempts", "state", "sent_at"])
            counts["sent"] += 1


def _officer_emails(partnership_id: int) -> list[str]:
    return list(
        Membership.objects.filter(
            partnership_id=partnership_id, archived_at__isnull=True, roles__overlap=[Role.OFFICER]
        ).values_list("user__email", flat=True)
    )


def _head_emails(school_id: int | None) -> list[str]:
    if school_id is None:
        return []
    return list(
        Membership.objects.filter(
            school_id=school_id, archived_at__isnull=True, roles__overlap=[Role.HEADTEACHER]
        ).values_list("user__email", flat=True)
    )


def _provider_emails(provider: Provider) -> list[str]:
    return [provider.user.email] if provider.user_id and provider.user else []


# ---------------------------------------------------------------------------------------------- directory


@transaction.atomic
def specialism_create(*, partnership: Partnership, name: str) -> Specialism:
    """Add an entry to the partnership's list of specialisms."""
    row = Specialism(partnership=partnership, name=name.strip())
    row.full_clean()
    row.save()
    return row


PROVIDER_FIELDS = (
    "kind",
    "name",
    "school",
    "network",
    "designation",
    "designated_on",
    "review_on",
    "phases",
    "cross_phase",
    "days_offered",
    "release_head_on",
    "release_chair_on",
    "summary",
    "user",
)


def _check_provider(provider: Provider) -> None:
    needs_school = provider.designation not in (Provider.Designation.LA_ADVISER, Provider.Designation.ASSOCIATE)
    if provider.kind == Provider.Kind.SYSTEM_LEADER and needs_school and not provider.school_id:
        raise ValidationError({"school": "Enter the system leader's home school URN"})
    if provider.kind == Provider.Kind.SYSTEM_LEADER and not provider.designation:
        raise ValidationError({"designation": "Select the designation"})
    if provider.kind == Provider.Kind.SUPPORT_SCHOOL and not provider.school_id:
        raise ValidationError({"school": "Enter the support school's URN"})
    if provider.school is not None and provider.school.partnership_id != provider.partnership_id:
        raise ValidationError({"school": "Enter the URN of a school in this partnership"})
    if provider.designated_on and provider.review_on and provider.review_on < provider.designated_on:
        raise ValidationError({"review_on": "Review date must be on or after the designation date"})
    provider.full_clean()


@transaction.atomic
def provider_create(
    *, partnership: Partnership, by: User, specialisms: Sequence[Specialism] = (), **fields: Any
) -> Provider:
    """Add a provider to the directory."""
    provider = Provider(partnership=partnership, created_by=by, modified_by=by)
    for name, value in fields.items():
        if name in PROVIDER_FIELDS:
            setattr(provider, name, value)
    _check_provider(provider)
    provider.save()
    provider.specialisms.set([s for s in specialisms if s.partnership_id == partnership.pk])
    return provider


@transaction.atomic
def provider_update(
    *, provider: Provider, by: User, specialisms: Sequence[Specialism] | None = None, **fields: Any
) -> Provider:
    """Change a directory entry (officers, or the system leader keeping their own)."""
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    for name, value in fields.items():
        if name in PROVIDER_FIELDS:
            setattr(locked, name, value)
    locked.modified_by = by
    _check_provider(locked)
    locked.save()
    if specialisms is not None:
        locked.specialisms.set([s for s in specialisms if s.partnership_id == locked.partnership_id])
    return locked


@transaction.atomic
def support_schools_invite(*, partnership: Partnership, schools: Iterable[School], by: User) -> int:
    """Invite schools (the Leading-tagged ones) to join the directory: an invitation, never an enrolment."""
    made = 0
    for school in schools:
        if school.partnership_id != partnership.pk:
            continue
        _, created = Provider.objects.get_or_create(
            partnership=partnership,
            kind=Provider.Kind.SUPPORT_SCHOOL,
            school=school,
            defaults={
                "name": school.name,
                "status": Provider.Status.INVITED,
                "created_by": by,
                "modified_by": by,
                "phases": [school.phase] if school.phase else [],
            },
        )
        made += created
        if created:
            notify(
                partnership_id=partnership.pk,
                key=f"invite-support-school:{school.pk}",
                emails=_head_emails(school.pk),
                subject="Your school is invited to offer support",
                body=f"{school.name} is invited to join the partnership's directory of support schools. "
                "Joining is your choice: answer the invitation from the school's support page.",
            )
    return made


@transaction.atomic
def support_school_answer(*, provider: Provider, by: Membership, join: bool) -> Provider:
    """The invited school's head opts in (or declines)."""
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    if locked.kind != Provider.Kind.SUPPORT_SCHOOL or locked.status != Provider.Status.INVITED:
        _refuse("Only an open invitation can be answered")
    if not (is_head_of(by, locked.school_id) or is_broker(by)):
        _forbid("Only the school's head can answer its invitation")
    locked.status = Provider.Status.ACTIVE if join else Provider.Status.DECLINED
    locked.modified_by = by.user
    locked.save(update_fields=["status", "modified_by", "modified_at"])
    return locked


@transaction.atomic
def declared_interest_create(*, provider: Provider, school: School, note: str, by: User) -> DeclaredInterest:
    """Record a provider's interest in a school: the provider is then excluded from matching for it."""
    row = DeclaredInterest(provider=provider, school=school, note=note.strip(), created_by=by, modified_by=by)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def traded_item_create(
    *, partnership: Partnership, by: User, name: str, unit: str, unit_price: Decimal, description: str = ""
) -> TradedServiceItem:
    """Add an item to the LA's traded-service catalogue."""
    row = TradedServiceItem(
        partnership=partnership,
        name=name,
        unit=unit,
        unit_price=unit_price,
        description=description,
        created_by=by,
        modified_by=by,
    )
    row.full_clean()
    row.save()
    return row


# ---------------------------------------------------------------------------------------------- requests

REQUEST_TRANSITIONS: dict[str, dict[str, str]] = {
    # from: {to: who may make the move}
    RS.DRAFT: {RS.NEW: "broker", RS.WITHDRAWN: "broker"},
    RS.NEW: {RS.TRIAGED: "broker", RS.DECLINED: "broker", RS.WITHDRAWN: "broker_or_head"},
    RS.TRIAGED: {RS.SHORTLISTED: "broker", RS.DECLINED: "broker", RS.WITHDRAWN: "broker_or_head"},
    RS.SHORTLISTED: {
        RS.SHORTLISTED: "broker",
        RS.CHOSEN: "broker_or_head",
        RS.DECLINED: "broker",
        RS.WITHDRAWN: "broker_or_head",
    },
    RS.CHOSEN: {
        RS.AGREED: "system",
        RS.SHORTLISTED: "broker",
        RS.DECLINED: "broker",
        RS.WITHDRAWN: "broker_or_head",
    },
}
"""Every allowed move of a support request and who may make it; anything else is refused."""


def _may(actor: str, by: Membership | None, school_id: int) -> bool:
    if actor == "system":
        return by is None
    if by is None:
        return False
    if actor == "broker":
        return is_broker(by)
    return is_broker(by) or is_head_of(by, school_id)


@transaction.atomic
def support_request_create(
    *,
    partnership: Partnership,
    school: School,
    origin: str,
    need: str,
    by: User | None,
    focus: Specialism | None = None,
    urgency: str = SupportRequest.Urgency.MEDIUM,
    days_wanted: Decimal = Decimal("5"),
    preferred_funding: str = "",
    preferred_provider: Provider | None = None,
    origin_key: str = "",
    draft: bool = False,
) -> SupportRequest:
    """Record a need for support (draft when raised by the system for an officer to confirm)."""
    if school.partnership_id != partnership.pk:
        raise ValidationError({"school": "Enter the URN of a school in this partnership"})
    if focus is not None and focus.partnership_id != partnership.pk:
        raise ValidationError({"focus": "Select a focus area from the list"})
    request = SupportRequest(
        partnership=partnership,
        school=school,
        origin=origin,
        origin_key=origin_key,
        need=need.strip(),
        focus=focus,
        phase=school.phase,
        urgency=urgency,
        days_wanted=days_wanted,
        preferred_funding=preferred_funding,
        preferred_provider=preferred_provider,
        state=RS.DRAFT if draft else RS.NEW,
        created_by=by,
        modified_by=by,
    )
    request.full_clean()
    request.save()
    SupportRequestEvent.objects.create(
        request=request, to_state=request.state, by=by, note=request.get_origin_display()
    )
    if not draft:
        notify(
            partnership_id=partnership.pk,
            key=f"request-new:{request.pk}",
            emails=_officer_emails(partnership.pk),
            subject=f"New support request: {school.name}",
            body=f"{school.name} needs support: {request.need[:300]}\nUrgency: {request.get_urgency_display()}.",
        )
    return request


@transaction.atomic
def support_request_transition(
    *, request: SupportRequest, to: str, by: Membership | None, note: str = ""
) -> SupportRequest:
    """Move a request along ``REQUEST_TRANSITIONS`` (locks it, checks the move and the actor, logs it)."""
    locked = SupportRequest.objects.select_for_update(of=("self",)).select_related("school").get(pk=request.pk)
    allowed = REQUEST_TRANSITIONS.get(locked.state, {})
    if to not in allowed:
        _refuse(f"A request that is {locked.get_state_display().lower()} cannot become {RS(to).label.lower()}")
    if not _may(allowed[to], by, locked.school_id):
        _forbid("You cannot make this change to the request")
    if to in (RS.DECLINED, RS.WITHDRAWN) and not note.strip():
        raise ValidationError({"note": "Enter the reason"})
    before = locked.state
    locked.state, locked.state_changed_at = to, timezone.now()
    if to in (RS.DECLINED, RS.WITHDRAWN):
        locked.close_reason = note.strip()
    if to == RS.SHORTLISTED and before == RS.CHOSEN:
        locked.chosen_provider, locked.release_confirmed_on = None, None
    locked.modified_by = by.user if by else None
    locked.save()
    SupportRequestEvent.objects.create(
        request=locked, from_state=before, to_state=to, by=by.user if by else None, note=note.strip()
    )
    _request_emails(locked, to)
    return locked


def _request_emails(request: SupportRequest, to: str) -> None:
    name = request.school.name
    if to == RS.SHORTLISTED:
        notify(
            partnership_id=request.partnership_id,
            key=f"request-shortlisted:{request.pk}:{request.state_changed_at:%Y%m%d%H%M%S}",
            emails=_head_emails(request.school_id),
            subject="Your support shortlist is ready",
            body=f"The broker has shortlisted providers for {name}. Choose one from the request's page.",
        )
    elif to == RS.CHOSEN and request.chosen_provider_id:
        provider = request.chosen_provider
        assert provider is not None
        notify(
            partnership_id=request.partnership_id,
            key=f"request-chosen:{request.pk}:{provider.pk}",
            emails=[*_officer_emails(request.partnership_id), *_head_emails(provider.school_id)],
            subject=f"{name} chose {provider.name}",
            body=f"{name} chose {provider.name}. The home head confirms release; the broker drafts the agreement.",
        )
    elif to in (RS.DECLINED, RS.WITHDRAWN):
        notify(
            partnership_id=request.partnership_id,
            key=f"request-closed:{request.pk}",
            emails=[*_head_emails(request.school_id), *_officer_emails(request.partnership_id)],
            subject=f"Support request for {name} {RS(to).label.lower()}",
            body=f"The support request for {name} was {RS(to).label.lower()}: {request.close_reason}",
        )


@transaction.atomic
def support_request_shortlist(*, request: SupportRequest, by: Membership, size: int = 5) -> SupportRequest:
    """Compute the shortlist (reasons and exclusions saved as they were) and move the request to shortlisted."""
    locked = SupportRequest.objects.select_for_update(of=("self",)).select_related("school", "focus").get(pk=request.pk)
    if locked.state not in (RS.TRIAGED, RS.SHORTLISTED):
        _refuse("Triage the request before shortlisting")
    config = settings_for(partnership_id=locked.partnership_id)
    need, candidates = selectors.match_facts(request=locked)
    matches = shortlist(need, candidates, config.weight_map(), max_km=config.max_distance_km, size=size)
    ShortlistEntry.objects.filter(request=locked).delete()
    ShortlistEntry.objects.bulk_create(
        ShortlistEntry(
            request=locked,
            provider_id=m.candidate.provider_id,
            rank=rank,
            score=m.score,
            reasons=m.reasons,
            exclusions=m.exclusions,
        )
        for rank, m in enumerate(matches, 1)
    )
    return support_request_transition(request=locked, to=RS.SHORTLISTED, by=by, note=f"{len(matches)} candidates")


@transaction.atomic
def support_request_choose(*, request: SupportRequest, provider: Provider, by: Membership) -> SupportRequest:
    """The receiving head (or the broker for them) chooses an eligible shortlisted provider."""
    locked = SupportRequest.objects.select_for_update().get(pk=request.pk)
    entry = ShortlistEntry.objects.filter(request=locked, provider=provider).first()
    if entry is None:
        raise ValidationError({"provider": "Select a provider from the shortlist"})
    if entry.exclusions:
        raise ValidationError({"provider": f"{provider.name} cannot be chosen: {' '.join(entry.exclusions)}"})
    locked.chosen_provider = provider
    locked.save(update_fields=["chosen_provider"])
    return support_request_transition(request=locked, to=RS.CHOSEN, by=by, note=f"Chose {provider.name}")


@transaction.atomic
def support_request_confirm_release(*, request: SupportRequest, by: Membership) -> SupportRequest:
    """The chosen system leader's home head (or the broker for them) confirms their release."""
    locked = SupportRequest.objects.select_for_update(of=("self",)).select_related("chosen_provider").get(pk=request.pk)
    provider = locked.chosen_provider
    if locked.state != RS.CHOSEN or provider is None:
        _refuse("Release is confirmed once a provider has been chosen")
    assert provider is not None
    if not (is_head_of(by, provider.school_id) or is_broker(by)):
        _forbid("Only the provider's home head can confirm release")
    locked.release_confirmed_on = timezone.localdate()
    locked.save(update_fields=["release_confirmed_on"])
    SupportRequestEvent.objects.create(
        request=locked, from_state=locked.state, to_state=locked.state, by=by.user, note="Home head confirmed release"
    )
    return locked


@transaction.atomic
def requests_from_categorisation(
    *, partnership_id: int, round_key: str, schools: Sequence[tuple[int, int, bool]], concern_from: int = 3
) -> dict[str, int]:
    """An agreed round's schools in categories ``concern_from`` or worse with no active support: a draft request
    for maintained schools (the officer confirms), a referral record for academies (the regions group)."""
    wanted = {school_id: (category, academy) for school_id, category, academy in schools if category >= concern_from}
    supported = selectors.schools_with_active_support(partnership_id=partnership_id, school_ids=wanted)
    counts = {"requests": 0, "referrals": 0}
    for school in School.objects.filter(pk__in=set(wanted) - supported, partnership_id=partnership_id):
        category, academy = wanted[school.pk]
        key = f"{round_key}:{school.pk}"
        if academy:
            _, made = AcademyReferral.objects.get_or_create(
                partnership_id=partnership_id, school=school, origin_key=key, defaults={"category": category}
            )
            counts["referrals"] += made
        elif not SupportRequest.objects.filter(partnership_id=partnership_id, origin_key=key).exists():
            support_request_create(
                partnership=school.partnership,
                school=school,
                origin=SupportRequest.Origin.CATEGORISATION,
                origin_key=key,
                need=f"Agreed in category {category} with no active support: confirm the need and the focus.",
                urgency=SupportRequest.Urgency.HIGH if category >= 4 else SupportRequest.Urgency.MEDIUM,
                by=None,
                draft=True,
            )
            counts["requests"] += 1
    return counts


# ---------------------------------------------------------------------------------------------- deployments

DEPLOYMENT_TRANSITIONS: dict[str, dict[str, str]] = {
    DS.DRAFT: {DS.SIGNED: "system", DS.TERMINATED: "broker"},
    DS.SIGNED: {DS.ACTIVE: "broker_or_provider", DS.TERMINATED: "broker"},
    DS.ACTIVE: {DS.PAUSED: "broker", DS.COMPLETED: "broker_or_provider", DS.TERMINATED: "broker"},
    DS.PAUSED: {DS.ACTIVE: "broker", DS.TERMINATED: "broker"},
    DS.COMPLETED: {DS.EVALUATED: "system"},
    DS.EVALUATED: {DS.CLOSED: "broker"},
}
"""Every allowed move of a deployment and who may make it (``system``: a service, on signatures or an evaluation)."""

RESERVING = (DS.SIGNED, DS.ACTIVE, DS.PAUSED, DS.COMPLETED, DS.EVALUATED, DS.CLOSED)
"""States whose days count as committed against the provider and whose cost is committed to the fund."""

SIGNATURES = {
    "provider": "the provider",
    "home_head": "the provider's home head",
    "receiving_head": "the receiving head",
    "officer": "the LA officer",
}


class CapacityExceeded(ValidationError):
    """The provider has fewer days free this year than the agreement needs."""


class FundOvercommitted(ValidationError):
    """The fund's remaining allocation is less than the agreement's cost."""


@dataclass(frozen=True)
class ObjectiveInput:
    text: str
    impact_measure: str
    success_criteria: str
    measure_code: str = ""


@transaction.atomic
def deployment_create(
    *,
    partnership: Partnership,
    provider: Provider,
    school: School,
    by: User,
    needs_analysis: str,
    start_on: dt.date,
    end_on: dt.date,
    days: Decimal,
    objectives: Sequence[ObjectiveInput],
    request: SupportRequest | None = None,
    baseline: str = "",
    approach: str = "",
    pattern: str = "",
    milestones: Sequence[tuple[dt.date, str]] = (),
    day_rate: Decimal | None = None,
    fee_percent: Decimal | None = None,
    fund: Fund | None = None,
    commissioner: str = "The local authority",
) -> Deployment:
    """Draft an agreement (from a request whose provider was chosen, or directly); nothing is reserved yet."""
    if provider.partnership_id != partnership.pk or school.partnership_id != partnership.pk:
        _refuse("The provider and the school must belong to this partnership")
    if request is not None and (request.state != RS.CHOSEN or request.chosen_provider_id != provider.pk):
        _refuse("Draft the agreement once the school has chosen this provider")
    if fund is not None and fund.partnership_id != partnership.pk:
        raise ValidationError({"fund": "Select a fund of this partnership"})
    if not objectives:
        raise ValidationError({"objective_1": "Enter at least one objective"})
    if end_on < start_on:
        raise ValidationError({"end_on": "End date must be on or after the start date"})
    config = settings_for(partnership_id=partnership.pk)
    deployment = Deployment(
        partnership=partnership,
        request=request,
        provider=provider,
        school=school,
        commissioner=commissioner,
        needs_analysis=needs_analysis.strip(),
        baseline=baseline.strip(),
        approach=approach.strip(),
        pattern=pattern.strip(),
        start_on=start_on,
        end_on=end_on,
        year=academic_year(start_on),
        days=days,
        day_rate=day_rate if day_rate is not None else config.rate_for(provider.designation),
        fee_percent=fee_percent if fee_percent is not None else config.fee_percent,
        fund=fund,
        created_by=by,
        modified_by=by,
    )
    deployment.full_clean()
    deployment.save()
    Objective.objects.bulk_create(
        Objective(
            deployment=deployment,
            position=i,
            text=o.text,
            impact_measure=o.impact_measure,
            success_criteria=o.success_criteria,
            measure_code=o.measure_code,
        )
        for i, o in enumerate(objectives, 1)
    )
    Milestone.objects.bulk_create(Milestone(deployment=deployment, due_on=d, text=t) for d, t in milestones)
    DeploymentEvent.objects.create(deployment=deployment, to_state=DS.DRAFT, what="Agreement drafted", by=by)
    notify(
        partnership_id=partnership.pk,
        key=f"deployment-draft:{deployment.pk}",
        emails=[*_provider_emails(provider), *_head_emails(provider.school_id), *_head_emails(school.pk)],
        subject=f"Agreement to sign: support for {school.name}",
        body=f"A deployment agreement between {provider.name} and {school.name} is ready to sign.",
    )
    return deployment


def _signatory(party: str, deployment: Deployment, by: Membership) -> bool:
    if party == "provider":
        return is_provider_user(by, deployment.provider) or (deployment.provider.user_id is None and is_broker(by))
    if party == "home_head":
        return is_head_of(by, deployment.provider.school_id) or (
            deployment.provider.school_id is None and is_broker(by)
        )
    if party == "receiving_head":
        return is_head_of(by, deployment.school_id)
    return is_broker(by) and Role.OFFICER in by.roles or is_broker(by) and Role.ADMIN in by.roles


@transaction.atomic
def deployment_sign(*, deployment: Deployment, party: str, by: Membership) -> Deployment:
    """Sign as ``party``; the fourth signature signs the agreement, reserving the days and committing the cost."""
    if party not in SIGNATURES:
        _refuse("Unknown signatory")
    locked = (
        Deployment.objects.select_for_update(of=("self",)).select_related("provider", "school").get(pk=deployment.pk)
    )
    if locked.state != DS.DRAFT:
        _refuse("Only a draft agreement can be signed")
    if not _signatory(party, locked, by):
        _forbid(f"Only {SIGNATURES[party]} can sign here")
    if getattr(locked, f"{party}_signed_at") is not None:
        _refuse(f"{SIGNATURES[party].capitalize()} has already signed")
    setattr(locked, f"{party}_signed_at", timezone.now())
    setattr(locked, f"{party}_signed_by", by.user)
    locked.save(update_fields=[f"{party}_signed_at", f"{party}_signed_by"])
    DeploymentEvent.objects.create(deployment=locked, what=f"Signed by {SIGNATURES[party]}", by=by.user)
    if all(getattr(locked, f"{p}_signed_at") for p in SIGNATURES):
        return deployment_transition(deployment=locked, to=DS.SIGNED, by=None, signer=by.user)
    return locked


def _may_move(actor: str, by: Membership | None, deployment: Deployment) -> bool:
    if actor == "system":
        return by is None
    if by is None:
        return False
    if actor == "broker":
        return is_broker(by)
    return is_broker(by) or is_provider_user(by, deployment.provider)


@transaction.atomic
def deployment_transition(
    *, deployment: Deployment, to: str, by: Membership | None, reason: str = "", signer: User | None = None
) -> Deployment:
    """Move a deployment along ``DEPLOYMENT_TRANSITIONS``: lock, check move and actor, reserve on signing, log."""
    locked = (
        Deployment.objects.select_for_update(of=("self",)).select_related("provider", "school").get(pk=deployment.pk)
    )
    allowed = DEPLOYMENT_TRANSITIONS.get(locked.state, {})
    if to not in allowed:
        _refuse(f"A {locked.get_state_display().lower()} deployment cannot become {DS(to).label.lower()}")
    if not _may_move(allowed[to], by, locked):
        _forbid("You cannot make this change to the deployment")
    if to == DS.TERMINATED and not reason.strip():
        raise ValidationError({"reason": "Enter the reason for ending the agreement"})
    if to == DS.SIGNED:
        _reserve(locked, locked.days, extra_cost=locked.cost)
    before = locked.state
    locked.state, locked.state_changed_at = to, timezone.now()
    user = by.user if by else signer
    locked.modified_by = user
    locked.save(update_fields=["state", "state_changed_at", "modified_by", "modified_at"])
    what = f"{DS(before).label} → {DS(to).label}" + (f": {reason.strip()}" if reason.strip() else "")
    DeploymentEvent.objects.create(deployment=locked, from_state=before, to_state=to, what=what, by=user)
    if to == DS.SIGNED and locked.request is not None:
        support_request_transition(request=locked.request, to=RS.AGREED, by=None, note="Agreement signed")
    _deployment_emails(locked, to)
    return locked


def _reserve(deployment: Deployment, days: Decimal, *, extra_cost: Decimal, release: Decimal = Decimal(0)) -> None:
    """Check, under row locks on the provider then the fund (always in that order), that ``days`` more days fit
    the provider's year and ``extra_cost`` more fits the fund. The reservation itself is the deployment's state:
    committed days and cost are sums over reserving deployments, read after the lock is held."""
    provider = Provider.objects.select_for_update().get(pk=deployment.provider_id)
    if days > 0 and provider.kind != Provider.Kind.TRADED:
        free = (
            provider.days_offered
            - selectors.provider_days_committed(provider_id=provider.pk, year=deployment.year)
            + release
        )
        if free < days:
            raise CapacityExceeded(
                f"{provider.name} has {free.normalize():f} days free in {deployment.year - 1}/"
                f"{str(deployment.year)[-2:]}; this agreement needs {days.normalize():f}"
            )
    if deployment.fund_id and extra_cost > 0:
        fund = Fund.objects.select_for_update().get(pk=deployment.fund_id)
        remaining = fund.allocation - selectors.fund_committed(fund_id=fund.pk)
        if remaining < extra_cost:
            raise FundOvercommitted(
                f"{fund} has £{remaining:,.2f} left uncommitted; this agreement costs £{extra_cost:,.2f}. "
                "Choose another fund, reduce the days, or raise the allocation"
            )


def _deployment_emails(deployment: Deployment, to: str) -> None:
    parties = [
        *_provider_emails(deployment.provider),
        *_head_emails(deployment.school_id),
        *_officer_emails(deployment.partnership_id),
    ]
    subjects: dict[str, str] = {
        DS.SIGNED: "Agreement signed",
        DS.ACTIVE: "Support has started",
        DS.PAUSED: "Support paused",
        DS.COMPLETED: "Support completed: please evaluate",
        DS.EVALUATED: "Support evaluated",
        DS.CLOSED: "Support closed",
        DS.TERMINATED: "Agreement ended early",
    }
    subject = subjects.get(to)
    if subject:
        notify(
            partnership_id=deployment.partnership_id,
            key=f"deployment-{to}:{deployment.pk}",
            emails=parties,
            subject=f"{subject}: {deployment.provider.name} with {deployment.school.name}",
            body=f"The deployment of {deployment.provider.name} to {deployment.school.name} is now "
            f"{DS(to).label.lower()}.",
        )


@transaction.atomic
def deployment_vary(
    *, deployment: Deployment, by: Membership, days: Decimal, end_on: dt.date, description: str
) -> Deployment:
    """Log a variation of days or end date; more days must still fit the provider's year and the fund."""
    if not is_broker(by):
        _forbid("Only the broker can vary an agreement")
    locked = (
        Deployment.objects.select_for_update(of=("self",)).select_related("provider", "school").get(pk=deployment.pk)
    )
    if locked.state in (DS.EVALUATED, DS.CLOSED, DS.TERMINATED):
        _refuse("This agreement can no longer be varied")
    if not description.strip():
        raise ValidationError({"description": "Enter what changed and why"})
    if end_on < locked.start_on:
        raise ValidationError({"end_on": "End date must be on or after the start date"})
    if days < Decimal("0.5"):
        raise ValidationError({"days": "Days must be at least 0.5"})
    if locked.state in RESERVING and days > locked.days:
        extra_cost = cost_of(days, locked.day_rate, locked.fee_percent) - locked.cost
        _reserve(locked, days - locked.days, extra_cost=extra_cost)
    Variation.objects.create(
        deployment=locked,
        description=description.strip(),
        days_before=locked.days,
        days_after=days,
        end_before=locked.end_on,
        end_after=end_on,
        created_by=by.user,
        modified_by=by.user,
    )
    locked.days, locked.end_on = days, end_on
    locked.save(update_fields=["days", "end_on", "modified_at"])
    DeploymentEvent.objects.create(deployment=locked, what=f"Varied: {description.strip()[:250]}", by=by.user)
    return locked


@transaction.atomic
def visit_record(
    *,
    deployment: Deployment,
    by: Membership,
    visit_on: dt.date,
    hours: Decimal,
    activities: str,
    progress: str,
    next_steps: str = "",
) -> Visit:
    """The provider records a visit; due 5 working days after it; the ledger gains the days given."""
    locked = (
        Deployment.objects.select_for_update(of=("self",)).select_related("provider", "school").get(pk=deployment.pk)
    )
    if not (is_provider_user(by, locked.provider) or is_broker(by)):
        _forbid("Only the provider can record visits")
    if locked.state not in (DS.SIGNED, DS.ACTIVE):
        _refuse("Visits are recorded while the agreement is signed or active")
    if visit_on > timezone.localdate():
        raise ValidationError({"visit_on": "Visit date must be today or in the past"})
    if visit_on < locked.start_on:
        raise ValidationError({"visit_on": "Visit date must be on or after the agreement starts"})
    # What is recorded feeds the ledger, the fund's spend and value for money: never more than was contracted
    # (under the deployment's row lock, so two records at once cannot both slip under the limit).
    hours_per_day = settings_for(partnership_id=locked.partnership_id).hours_per_day
    contracted = Decimal(locked.days) * Decimal(hours_per_day)
    recorded = Visit.objects.filter(deployment=locked).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    if hours > hours_per_day:
        raise ValidationError({"hours": f"A visit is at most a day: {hours_per_day} hours"})
    if recorded + Decimal(hours) > contracted:
        left = max(contracted - recorded, Decimal(0))
        raise ValidationError(
            {"hours": f"Only {left:g} of the agreement's {contracted:g} hours are left: record a variation first"}
        )
    visit = Visit(
        deployment=locked,
        visit_on=visit_on,
        hours=hours,
        activities=activities.strip(),
        progress=progress.strip(),
        next_steps=next_steps.strip(),
        due_on=working_days_after(partnership_id=locked.partnership_id, start=visit_on, days=VISIT_RECORD_WORKING_DAYS),
        created_by=by.user,
        modified_by=by.user,
    )
    visit.full_clean()
    visit.save()
    if locked.state == DS.SIGNED:
        deployment_transition(deployment=locked, to=DS.ACTIVE, by=by, reason="")
    if locked.request_id:
        SupportRequest.objects.filter(pk=locked.request_id, first_contact_on__isnull=True).update(
            first_contact_on=visit_on
        )
    ledger_record_visit(visit=visit)
    notify(
        partnership_id=locked.partnership_id,
        key=f"visit:{visit.pk}",
        emails=_head_emails(locked.school_id),
        subject=f"Record of visit: {locked.provider.name}, {visit_on:%-d %B %Y}",
        body=f"{locked.provider.name} recorded the visit of {visit_on:%-d %B %Y}. You can read it and respond.",
    )
    return visit


@transaction.atomic
def visit_respond(*, visit: Visit, by: Membership, response: str) -> Visit:
    """The receiving head responds to a record of visit."""
    locked = Visit.objects.select_for_update(of=("self",)).select_related("deployment").get(pk=visit.pk)
    if not is_head_of(by, locked.deployment.school_id):
        _forbid("Only the receiving head can respond to a visit record")
    if not response.strip():
        raise ValidationError({"response": "Enter your response"})
    locked.head_response, locked.head_responded_at = response.strip(), timezone.now()
    locked.save(update_fields=["head_response", "head_responded_at"])
    return locked


def ledger_record_visit(*, visit: Visit) -> LedgerEntry:
    """The ledger entry of a visit: days = hours / the partnership's working day, giver = the provider's school."""
    deployment = visit.deployment
    config = settings_for(partnership_id=deployment.partnership_id)
    days = (visit.hours / config.hours_per_day).quantize(Decimal("0.01"))
    entry, _ = LedgerEntry.objects.update_or_create(
        partnership_id=deployment.partnership_id,
        source_key=f"visit:{visit.pk}",
        defaults={
            "year": academic_year(visit.visit_on),
            "giver_id": deployment.provider.school_id,
            "receiver_id": deployment.school_id,
            "days": days,
            "source": LedgerEntry.Source.VISIT,
            "on": visit.visit_on,
        },
    )
    return entry


def ledger_record_peer_review_days(
    *, partnership_id: int, key: str, giver_id: int, receiver_id: int, days: Decimal, on: dt.date
) -> LedgerEntry:
    """The ledger entry of a reviewer school's team days in a peer review of another school (once per ``key``)."""
    entry, _ = LedgerEntry.objects.update_or_create(
        partnership_id=partnership_id,
        source_key=f"peer-review:{key}"[:80],
        defaults={
            "year": academic_year(on),
            "giver_id": giver_id,
            "receiver_id": receiver_id,
            "days": days,
            "source": LedgerEntry.Source.PEER_REVIEW,
            "on": on,
        },
    )
    return entry


@transaction.atomic
def evaluation_record(
    *,
    deployment: Deployment,
    by: Membership,
    overall: int,
    provider_effectiveness: int,
    summary: str,
    judgements: Sequence[tuple[Objective, str, str]],
) -> Evaluation:
    """The receiving head's end evaluation, one judgement per objective; measurable objectives get their
    before/after figures from imported data; the deployment becomes evaluated."""
    locked = Deployment.objects.select_for_update().get(pk=deployment.pk)
    if not (is_head_of(by, locked.school_id) or is_broker(by)):
        _forbid("Only the receiving head evaluates the support")
    if locked.state != DS.COMPLETED:
        _refuse("Support is evaluated once it is completed")
    objectives = {o.pk: o for o in locked.objectives.all()}
    if {o.pk for o, _, _ in judgements} != set(objectives):
        _refuse("Give a judgement for every objective")
    evaluation = Evaluation(
        deployment=locked,
        overall=overall,
        provider_effectiveness=provider_effectiveness,
        summary=summary.strip(),
        created_by=by.user,
        modified_by=by.user,
    )
    evaluation.full_clean()
    evaluation.save()
    figures = selectors.objective_figures(deployment=locked)
    ObjectiveEvaluation.objects.bulk_create(
        ObjectiveEvaluation(
            evaluation=evaluation,
            objective=objective,
            outcome=outcome,
            evidence=evidence.strip(),
            before_value=figures.get(objective.pk, (None, None))[0],
            after_value=figures.get(objective.pk, (None, None))[1],
        )
        for objective, outcome, evidence in judgements
    )
    deployment_transition(deployment=locked, to=DS.EVALUATED, by=None, signer=by.user)
    return evaluation


@transaction.atomic
def deployment_note(*, deployment: Deployment, by: Membership, kind: str, text: str) -> Deployment:
    """The provider's reflection or the broker's QA note, after the evaluation."""
    locked = Deployment.objects.select_for_update(of=("self",)).select_related("provider").get(pk=deployment.pk)
    if locked.state not in (DS.COMPLETED, DS.EVALUATED, DS.CLOSED):
        _refuse("Reflections and QA notes are added once the support is completed")
    if not text.strip():
        raise ValidationError({"text": "Enter the note"})
    if kind == "reflection" and (is_provider_user(by, locked.provider) or is_broker(by)):
        locked.provider_reflection = text.strip()
    elif kind == "qa" and is_broker(by):
        locked.qa_note = text.strip()
    else:
        _forbid("You cannot add this note")
    locked.save(update_fields=["provider_reflection", "qa_note", "modified_at"])
    DeploymentEvent.objects.create(
        deployment=locked,
        what="Provider's reflection added" if kind == "reflection" else "Broker's QA note added",
        by=by.user,
    )
    return locked


# ---------------------------------------------------------------------------------------------- funds


@transaction.atomic
def fund_create(
    *, partnership: Partnership, by: User, name: str, kind: str, year: int, allocation: Decimal, conditions: str = ""
) -> Fund:
    """Add a fund line for a year."""
    fund = Fund(
        partnership=partnership,
        name=name.strip(),
        kind=kind,
        year=year,
        allocation=allocation,
        conditions=conditions.strip(),
        created_by=by,
        modified_by=by,
    )
    fund.full_clean()
    fund.save()
    return fund


def active_support_q(prefix: str = "") -> Q:
    """Deployments that count as active support for their school."""
    return Q(**{f"{prefix}state__in": [DS.SIGNED, DS.ACTIVE, DS.PAUSED]})


@transaction.atomic
def support_request_from_peer_action(
    *, partnership_id: int, school_id: int, action_id: int, focus_name: str = ""
) -> SupportRequest | None:
    """A peer-review action marked "support needed" becomes a new request (once per action). The need says only
    that support was asked for: the report stays the school's."""
    key = f"peer-action:{action_id}"
    existing = SupportRequest.objects.filter(partnership_id=partnership_id, origin_key=key).first()
    if existing is not None:
        return existing
    school = School.objects.filter(pk=school_id, partnership_id=partnership_id).select_related("partnership").first()
    if school is None:
        return None
    focus = (
        Specialism.objects.filter(partnership_id=partnership_id, name__iexact=focus_name).first()
        if focus_name
        else None
    )
    return support_request_create(
        partnership=school.partnership,
        school=school,
        origin=SupportRequest.Origin.PEER_REVIEW,
        origin_key=key,
        need="An action from the school's peer review is marked support needed"
        + (f" (focus: {focus_name})." if focus_name else "."),
        focus=focus,
        by=None,
    )


def peer_review_sync(*, partnership: Partnership) -> dict[str, int]:
    """Read peer review's facts (never its reports): open actions marked "support needed" become requests,
    team days of held reviews become ledger entries. Safe to run again: each has its own key."""
    from peerreview import selectors as peer

    made = 0
    for action in peer.support_needed_actions(partnership=partnership):
        key = f"peer-action:{action.pk}"
        if not SupportRequest.objects.filter(partnership=partnership, origin_key=key).exists():
            support_request_from_peer_action(
                partnership_id=partnership.pk, school_id=action.review.host_id, action_id=action.pk
            )
            made += 1
    days = 0
    for row in peer.held_review_team_days(partnership_id=partnership.pk):
        if row["home_school_id"] == row["host_id"] or row["visit_on"] is None:
            continue
        ledger_record_peer_review_days(
            partnership_id=partnership.pk,
            key=f"{row['review_id']}:{row['user_id']}",
            giver_id=row["home_school_id"],
            receiver_id=row["host_id"],
            days=Decimal(row["days"]),
            on=row["visit_on"],
        )
        days += row["days"]
    return {"requests": made, "days": days}
