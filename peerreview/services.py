"""The only writers of peer-review data: keyword-only, typed, validated and atomic.

Every write takes ``by`` (the acting membership) and checks the actor's standing on the review with
``peerreview.access``; a refusal raises ``PermissionDenied`` (views only offer what is allowed, so it means a
stale page or a crafted request). A review's state moves only through ``review_transition``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from partnership.models import Membership, Partnership, Role, User
from partnership.permissions import Permission, membership_can
from peerreview import access as acc
from peerreview.models import (
    Action,
    EvidenceItem,
    ExcellenceEntry,
    Finding,
    FocusArea,
    Framework,
    FrameworkQuestion,
    FrameworkTheme,
    ImpactCheck,
    Programme,
    Protocol,
    ProtocolClause,
    ProtocolSignature,
    ReportRead,
    ReportVersion,
    Review,
    ReviewEvent,
    SafeguardingConcern,
    ShareGrant,
    TeamMember,
    Workshop,
)
from peerreview.transitions import move_for
from schools.models import School

log = logging.getLogger(__name__)
S = Review.State
MAX_FOCUS_AREAS = 2


def _require(allowed: bool, message: str = "You cannot do that on this review") -> None:
    if not allowed:
        raise PermissionDenied(message)


def _save(obj, user: User | None):
    if getattr(obj, "created_by_id", None) is None and hasattr(obj, "created_by"):
        obj.created_by = user
    if hasattr(obj, "modified_by"):
        obj.modified_by = user
    obj.full_clean()
    obj.save()
    return obj


def _email_on_commit(*, subject: str, body: str, recipients: Iterable[str]) -> None:
    """Send a notification after the transaction commits; a mail failure is logged, never undoes the change."""
    to = sorted({r for r in recipients if r})
    if not to:
        return

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        except Exception:  # noqa: BLE001 - the change is saved; the email is a courtesy
            log.exception("peer review email not sent: %s", subject)

    transaction.on_commit(send)


def _host_head_emails(review: Review) -> list[str]:
    return list(
        Membership.objects.filter(
            partnership_id=review.partnership_id,
            school_id=review.host_id,
            roles__contains=[Role.HEADTEACHER],
            archived_at__isnull=True,
        ).values_list("user__email", flat=True)
    )


def _team_emails(review: Review) -> list[str]:
    return list(review.team.filter(removed_at__isnull=True).values_list("user__email", flat=True))


# ------------------------------------------------------------------------------------------ protocol, programme


@transaction.atomic
def protocol_create(
    *,
    partnership: Partnership,
    name: str,
    adopted_on: dt.date,
    review_on: dt.date,
    clauses: list[tuple[str, str]],
    by: Membership,
    cluster=None,
) -> Protocol:
    """Adopt a protocol version (the next version number for the same name and scope) with its clauses."""
    _require(membership_can(by, Permission.MANAGE_REVIEW_PROGRAMMES))
    latest = Protocol.objects.filter(partnership=partnership, cluster=cluster, name=name).order_by("-version").first()
    protocol = _save(
        Protocol(
            partnership=partnership,
            cluster=cluster,
            name=name,
            version=(latest.version + 1) if latest else 1,
            adopted_on=adopted_on,
            review_on=review_on,
        ),
        by.user,
    )
    if not any(kind == ProtocolClause.Kind.CONFIDENTIALITY for kind, _ in clauses):
        raise ValidationError({"clauses": "A protocol needs a confidentiality clause for review teams to accept"})
    ProtocolClause.objects.bulk_create(
        ProtocolClause(protocol=protocol, order=i, kind=kind, text=text) for i, (kind, text) in enumerate(clauses, 1)
    )
    return protocol


@transaction.atomic
def protocol_sign(*, protocol: Protocol, by: Membership, signed_on: dt.date | None = None) -> ProtocolSignature:
    """The signing member's school signs ``protocol``: as head (headteacher) or as chair (chair of governors)."""
    if by.has_role(Role.HEADTEACHER):
        signatory = ProtocolSignature.Signatory.HEAD
    elif by.has_role(Role.CHAIR_OF_GOVERNORS):
        signatory = ProtocolSignature.Signatory.CHAIR
    else:
        raise PermissionDenied("Only a school's head or chair of governors signs the protocol")
    school_id = by.school_id
    if school_id is None or protocol.partnership_id != by.partnership_id:
        raise PermissionDenied("Only a school's head or chair of governors signs the protocol")
    if ProtocolSignature.objects.filter(protocol=protocol, school_id=school_id, signatory=signatory).exists():
        raise ValidationError("Your school has already signed this version")
    return _save(
        ProtocolSignature(
            protocol=protocol,
            school_id=school_id,
            signatory=signatory,
            signed_by=by.user,
            signed_on=signed_on or timezone.localdate(),
        ),
        by.user,
    )


@transaction.atomic
def programme_create(
    *,
    partnership: Partnership,
    name: str,
    academic_year: int,
    scope: str,
    by: Membership,
    cluster=None,
    protocol: Protocol | None = None,
) -> Programme:
    """Create a year's programme; a cluster lead may create one only for a cluster they lead."""
    programme = Programme(
        partnership=partnership,
        name=name,
        academic_year=academic_year,
        scope=scope,
        cluster=cluster,
        protocol=protocol,
    )
    _require(acc.manages_programme(by, programme), "You can set up programmes only for the clusters you lead")
    if Programme.objects.filter(partnership=partnership, academic_year=academic_year, name=name).exists():
        raise ValidationError({"name": "A programme with this name already exists for that year"})
    return _save(programme, by.user)


@transaction.atomic
def review_create(
    *,
    programme: Programme,
    host: School,
    framework: Framework,
    visit_starts_on: dt.date,
    by: Membership,
    days: int = 1,
    mode: str = Review.Mode.ON_SITE,
    **milestones: dt.date | None,
) -> Review:
    """Schedule a host in a programme, with its milestone dates; the first event records who planned it."""
    _require(acc.manages_programme(by, programme))
    if host.partnership_id != programme.partnership_id:
        raise ValidationError({"host": "Choose a school in this partnership"})
    review = Review(
        partnership_id=programme.partnership_id,
        programme=programme,
        host=host,
        framework=framework,
        visit_starts_on=visit_starts_on,
        days=days,
        mode=mode,
        **milestones,
    )
    if review.visit_ends_on is None:
        review.visit_ends_on = visit_starts_on + dt.timedelta(days=days - 1)
    _save(review, by.user)
    ReviewEvent.objects.create(review=review, from_state="", to_state=S.PLANNED, by=by.user, reason="Scheduled")
    _email_on_commit(
        subject=f"Peer review scheduled: {host.name}",
        body=f"A peer review of {host.name} is planned, visit from {visit_starts_on:%d %B %Y}.",
        recipients=_host_head_emails(review),
    )
    return review


# ---------------------------------------------------------------------------------------------- transitions

_CHECKS = {
    "focus_set": (lambda r: r.focus_areas.exists(), "Set at least one focus area first"),
    "self_evaluation_shared": (
        lambda r: bool(r.self_evaluation_summary.strip()),
        "Enter the self-evaluation summary first",
    ),
    "findings_answered": (
        lambda r: r.findings.exists() and not r.findings.filter(agreed__isnull=True).exists(),
        "Record findings and answer each one (agreed or not) first",
    ),
    "report_drafted": (lambda r: r.report_versions.exists(), "Write the draft report first"),
    "report_exists": (lambda r: r.report_versions.exists(), "There is no report to agree yet"),
    "workshop_recorded": (lambda r: Workshop.objects.filter(review=r).exists(), "Record the workshop first"),
    "actions_exist": (lambda r: r.actions.exists(), "Add at least one action first"),
    "impact_checked": (
        lambda r: ImpactCheck.objects.filter(action__review=r).exists(),
        "Record at least one impact check-back first",
    ),
}


@transaction.atomic
def review_transition(*, review: Review, to: str, by: Membership, reason: str = "") -> Review:
    """Move ``review`` to ``to``: locks the row, checks the table and the actor, records a dated event."""
    review = Review.objects.select_for_update().select_related("programme", "host").get(pk=review.pk)
    move = move_for(review, to)
    if move is None:
        raise ValidationError(f"A review that is {review.get_state_display().lower()} cannot move to that state")
    standing = acc.review_access(by, review)
    _require(bool(standing.actors() & move.actors), "You cannot make this move on this review")
    if move.requires == "reason_given":
        if not reason.strip():
            raise ValidationError({"reason": "Enter the reason"})
    elif move.requires:
        check, message = _CHECKS[move.requires]
        if not check(review):
            raise ValidationError(message)
    previous = review.state
    if to == S.POSTPONED:
        review.resume_state = previous
    elif previous == S.POSTPONED:
        review.resume_state = ""
    review.state = to
    review.state_changed_at = timezone.now()
    if to == S.REPORT_AGREED and review.report_agreed_on is None:
        review.report_agreed_on = timezone.localdate()
    review.modified_by = by.user
    review.save()
    ReviewEvent.objects.create(review=review, from_state=previous, to_state=to, by=by.user, reason=reason.strip())
    _email_on_commit(
        subject=f"Peer review of {review.host.name}: {review.get_state_display()}",
        body=(
            f"The peer review of {review.host.name} is now: {review.get_state_display()}."
            + (f"\nReason: {reason.strip()}" if reason.strip() else "")
        ),
        recipients=[*_host_head_emails(review), *_team_emails(review)],
    )
    return review


def _insider(review: Review, by: Membership) -> acc.ReviewAccess:
    standing = acc.review_access(by, review)
    _require(standing.insider, "Only the host and the cleared review team can do this")
    return standing


def _open(review: Review) -> None:
    if review.state in (S.CLOSED, S.CANCELLED):
        raise ValidationError("This review is closed")


# --------------------------------------------------------------------------------------------------- team


def suggested_conflicts(*, home_school: School | None, host: School) -> list[str]:
    """Known conflicts from the register: same school, same trust, same federation, a shared network."""
    if home_school is None:
        return []
    found = []
    if home_school.pk == host.pk:
        found.append("works at the host school")
    if home_school.trust_code and home_school.trust_code == host.trust_code:
        found.append(f"same trust ({host.trust_name or host.trust_code})")
    if home_school.federation_code and home_school.federation_code == host.federation_code:
        found.append(f"same federation ({host.federation_name or host.federation_code})")
    from schools.models import Network, NetworkMembership

    shared = (
        NetworkMembership.objects.filter(
            school=home_school,
            left_on__isnull=True,
            network__kind__in=[Network.Kind.TRUST, Network.Kind.FEDERATION],
            network__memberships__school=host,
            network__memberships__left_on__isnull=True,
        )
        .values_list("network__name", flat=True)
        .distinct()
    )
    for name in shared:
        sentence = f"same network ({name})"
        if not any(name in f for f in found):
            found.append(sentence)
    return found


@transaction.atomic
def team_member_add(
    *, review: Review, user: User, role: str, by: Membership, home_school: School | None = None
) -> TeamMember:
    """Invite a person to the team (by email). A reviewer from the host school itself is refused.

    The host owns the review: nobody adds themselves, and only the host may add someone who comes from no
    school (an LA officer or adviser, say). A programme's manager builds teams of people from other schools, and
    the host is told each time, so a manager can never make themselves (or a colleague) a reader of the review.
    """
    standing = acc.review_access(by, review)
    _require(standing.host or standing.manager, "Only the host or the programme's manager builds the team")
    _open(review)
    if not Membership.objects.filter(
        user=user, partnership_id=review.partnership_id, archived_at__isnull=True
    ).exists():
        raise ValidationError({"user": "Choose a person who is a member of this partnership"})
    if user.pk == by.user_id:
        raise ValidationError({"user": "You cannot add yourself to a review's team: ask the host head"})
    if home_school is None:
        home_school = School.objects.filter(staff_memberships__user=user, partnership_id=review.partnership_id).first()
    if home_school is None and not standing.host:
        raise ValidationError(
            {"user": "Only the host head can add someone who is not from a school: ask the host head to add them"}
        )
    if (
        home_school is not None
        and home_school.pk == review.host_id
        and role in (TeamMember.Role.LEAD_REVIEWER, TeamMember.Role.PEER_REVIEWER)
    ):
        raise ValidationError({"user": "Reviewers come from other schools: choose someone outside the host school"})
    if review.team.filter(user=user, removed_at__isnull=True).exists():
        raise ValidationError({"user": "This person is already on the team"})
    member = _save(TeamMember(review=review, user=user, role=role, home_school=home_school), by.user)
    _email_on_commit(
        subject=f"You are invited to the peer review of {review.host.name}",
        body=(
            f"You have been asked to join the peer review of {review.host.name} as "
            f"{member.get_role_display().lower()}. Sign in, declare any conflicts of interest and accept the "
            "confidentiality clause before you can see anything of the review."
        ),
        recipients=[user.email],
    )
    if not standing.host:  # the host hears of every person added to their review by someone else
        host_heads = list(
            Membership.objects.filter(
                partnership_id=review.partnership_id,
                school_id=review.host_id,
                roles__contains=[Role.HEADTEACHER],
                archived_at__isnull=True,
            ).values_list("user__email", flat=True)
        )
        _email_on_commit(
            subject=f"{user.email} was added to the peer review of {review.host.name}",
            body=(
                f"{by.user.email} added {user.email} to the team of your school's peer review as "
                f"{member.get_role_display().lower()}. They see nothing of the review until they have declared "
                "their conflicts of interest and accepted the confidentiality clause."
            ),
            recipients=host_heads,
        )
    return member


@transaction.atomic
def team_member_release(*, member: TeamMember, by: Membership) -> TeamMember:
    """The team member's home-school head releases them to the review."""
    _require(
        member.home_school_id is not None
        and membership_can(by, Permission.HOST_PEER_REVIEWS)
        and by.school_id == member.home_school_id,
        "Only the head of the team member's own school releases them",
    )
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    if member.released_at is None:
        member.released_at = timezone.now()
        member.released_by = by.user
        _save(member, by.user)
    return member


@transaction.atomic
def team_member_clear(
    *, member: TeamMember, by: Membership, no_conflicts: bool, declaration: str, accept_confidentiality: bool
) -> TeamMember:
    """The team member declares conflicts (or none) and accepts confidentiality: only then do they see the review."""
    _require(member.user_id == by.user_id and member.removed_at is None, "Only the team member declares for themself")
    errors = {}
    if not no_conflicts and not declaration.strip():
        errors["declaration"] = "Enter your conflicts of interest, or confirm you have none"
    if no_conflicts and declaration.strip():
        errors["declaration"] = "Either describe your conflicts or confirm you have none, not both"
    if not accept_confidentiality:
        errors["accept_confidentiality"] = "Accept the confidentiality clause to join the review"
    if errors:
        raise ValidationError(errors)
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    now = timezone.now()
    member.conflicts_declared_at = now
    member.conflict_declaration = declaration.strip()
    member.confidentiality_accepted_at = now
    return _save(member, by.user)


# ------------------------------------------------------------------------------------------------ workspace


@transaction.atomic
def focus_area_add(
    *,
    review: Review,
    theme: FrameworkTheme,
    title: str,
    by: Membership,
    question: FrameworkQuestion | None = None,
    self_evaluation_link: str = "",
) -> FocusArea:
    """The host sets a line of enquiry from the review's framework (at most two)."""
    _require(acc.is_host(by, review), "Only the host school's head sets the focus")
    if review.state not in (S.PLANNED, S.FOCUS_AGREED):
        raise ValidationError("The focus is fixed once the pre-review has started")
    if theme.framework_id != review.framework_id or (question and question.theme_id != theme.pk):
        raise ValidationError({"theme": "Choose a theme of this review's framework"})
    if review.focus_areas.count() >= MAX_FOCUS_AREAS:
        raise ValidationError({"title": f"A review has at most {MAX_FOCUS_AREAS} focus areas"})
    return _save(
        FocusArea(
            review=review, theme=theme, question=question, title=title, self_evaluation_link=self_evaluation_link
        ),
        by.user,
    )


@transaction.atomic
def review_pre_review_update(
    *, review: Review, self_evaluation_summary: str, data_shared_note: str, by: Membership
) -> Review:
    """The host's self-evaluation summary and what data was shared with the team."""
    _require(acc.is_host(by, review), "Only the host school's head shares the self-evaluation")
    _open(review)
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.self_evaluation_summary = self_evaluation_summary
    review.data_shared_note = data_shared_note
    return _save(review, by.user)


@transaction.atomic
def evidence_add(
    *, review: Review, activity: str, joint: bool, notes: str, by: Membership, focus_area: FocusArea | None = None
) -> EvidenceItem:
    """A cleared team member (or the host) logs an activity during the visit."""
    _insider(review, by)
    if review.state not in (S.PRE_REVIEW, S.VISIT):
        raise ValidationError("Evidence is logged during the visit")
    if focus_area is not None and focus_area.review_id != review.pk:
        raise ValidationError({"focus_area": "Choose one of this review's focus areas"})
    return _save(
        EvidenceItem(review=review, focus_area=focus_area, activity=activity, joint=joint, notes=notes), by.user
    )


@transaction.atomic
def finding_add(
    *, review: Review, kind: str, text: str, by: Membership, focus_area: FocusArea | None = None
) -> Finding:
    """The team records a finding (what went well, even better if, area of excellence) for the host to answer."""
    _insider(review, by)
    if review.state not in (S.VISIT, S.FINDINGS_AGREED):
        raise ValidationError("Findings are recorded during and after the visit")
    if focus_area is not None and focus_area.review_id != review.pk:
        raise ValidationError({"focus_area": "Choose one of this review's focus areas"})
    return _save(Finding(review=review, focus_area=focus_area, kind=kind, text=text), by.user)


@transaction.atomic
def finding_answer(*, finding: Finding, agreed: bool, by: Membership) -> Finding:
    """The host agrees a finding, or records that it is not agreed."""
    _require(acc.is_host(by, finding.review), "Only the host school's head agrees findings")
    if finding.review.state not in (S.VISIT, S.FINDINGS_AGREED):
        raise ValidationError("Findings are agreed before the report is drafted")
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    finding.agreed = agreed
    finding.agreed_at = timezone.now()
    finding.agreed_by = by.user
    return _save(finding, by.user)


@transaction.atomic
def focus_area_estimate(*, focus_area: FocusArea, estimate: str, by: Membership) -> FocusArea:
    """The team's optional estimate for a focus area, from the framework's scale (none for enquiry reviews).

    Only while the visit's judgements are open (visit, findings agreed, report draft) and before the host has
    agreed a report: what the host agreed, and what grantees read, does not change afterwards."""
    _insider(focus_area.review, by)
    state = Review.objects.filter(pk=focus_area.review_id).values_list("state", flat=True).first()  # not a stale copy
    if (
        state not in (S.VISIT, S.FINDINGS_AGREED, S.REPORT_DRAFT)
        or ReportVersion.objects.filter(review_id=focus_area.review_id, state=ReportVersion.State.AGREED).exists()
    ):
        raise ValidationError({"estimate": "Estimates are given during the visit, before the host agrees the report"})
    scale = focus_area.review.framework.estimate_scale
    if estimate and estimate not in scale:
        raise ValidationError({"estimate": "Choose an estimate from the framework's scale"})
    focus_area.estimate = estimate
    return _save(focus_area, by.user)


# --------------------------------------------------------------------------------------------------- report


@transaction.atomic
def report_save(*, review: Review, summary: str, body: str, by: Membership) -> ReportVersion:
    """The lead reviewer writes the report: edits the open draft, or starts a new version after a locked one."""
    standing = acc.review_access(by, review)
    _require(standing.lead, "Only the lead reviewer drafts the report")
    if review.state not in (S.FINDINGS_AGREED, S.REPORT_DRAFT, S.REPORT_AGREED, S.WORKSHOP_HELD, S.ACTIONS_LIVE):
        raise ValidationError("The report is drafted once the findings are agreed")
    latest = ReportVersion.objects.select_for_update().filter(review=review).order_by("-number").first()
    if latest is None or latest.is_locked:
        latest = ReportVersion(review=review, number=(latest.number + 1) if latest else 1)
    latest.summary, latest.body = summary, body
    latest.state = ReportVersion.State.DRAFT
    return _save(latest, by.user)


@transaction.atomic
def report_agree(*, review: Review, by: Membership, right_of_reply: str = "") -> ReportVersion:
    """The host head agrees the latest version (after checking its facts), with an optional right of reply;
    the version is locked, and a review still at "report draft" moves to "report agreed"."""
    _require(acc.is_host(by, review), "Only the host school's head agrees the report")
    latest = ReportVersion.objects.select_for_update().filter(review=review).order_by("-number").first()
    if latest is None:
        raise ValidationError("There is no report to agree yet")
    if latest.is_locked:
        raise ValidationError("This version is already agreed")
    latest.state = ReportVersion.State.AGREED
    latest.agreed_at = timezone.now()
    latest.agreed_by = by.user
    latest.right_of_reply = right_of_reply.strip()
    _save(latest, by.user)
    if review.state == S.REPORT_DRAFT:
        review_transition(review=review, to=S.REPORT_AGREED, by=by)
    return latest


@transaction.atomic
def report_read_record(*, review: Review, version: ReportVersion, user: User, grant: ShareGrant | None) -> None:
    """Log a read of the report by someone other than the host and the team."""
    ReportRead.objects.create(review=review, version=version, user=user, grant=grant)


# ------------------------------------------------------------------------------------------ workshop, actions


@transaction.atomic
def workshop_record(
    *, review: Review, held_on: dt.date, facilitator: str, attendees: str, outputs: str, by: Membership
) -> Workshop:
    """Record (or correct) the improvement workshop."""
    _insider(review, by)
    if review.state not in (S.REPORT_AGREED, S.WORKSHOP_HELD, S.ACTIONS_LIVE):
        raise ValidationError("The workshop follows the agreed report")
    workshop = Workshop.objects.filter(review=review).first() or Workshop(review=review)
    workshop.held_on, workshop.facilitator, workshop.attendees, workshop.outputs = (
        held_on,
        facilitator,
        attendees,
        outputs,
    )
    return _save(workshop, by.user)


@transaction.atomic
def action_add(
    *,
    review: Review,
    description: str,
    owner: str,
    success_criteria: str,
    due_on: dt.date,
    by: Membership,
    support_needed: bool = False,
    support_note: str = "",
) -> Action:
    """An action the host owns (added by the host or the team at the workshop)."""
    _insider(review, by)
    if review.state not in (S.REPORT_AGREED, S.WORKSHOP_HELD, S.ACTIONS_LIVE, S.IMPACT_REVIEWED):
        raise ValidationError("Actions come from the workshop after the report is agreed")
    if support_needed and not support_note.strip():
        raise ValidationError({"support_note": "Enter what support is needed"})
    return _save(
        Action(
            review=review,
            description=description,
            owner=owner,
            success_criteria=success_criteria,
            due_on=due_on,
            support_needed=support_needed,
            support_note=support_note,
        ),
        by.user,
    )


@transaction.atomic
def action_update(*, action: Action, status: str, by: Membership, completed_on: dt.date | None = None) -> Action:
    """The host moves an action's status (a completed action needs its completion date)."""
    _require(acc.is_host(by, action.review), "Only the host school's head updates its actions")
    action = Action.objects.select_for_update().get(pk=action.pk)
    if status == Action.Status.COMPLETED and completed_on is None:
        raise ValidationError({"completed_on": "Enter the date the action was completed"})
    action.status = status
    action.completed_on = completed_on if status == Action.Status.COMPLETED else None
    return _save(action, by.user)


@transaction.atomic
def impact_check_add(
    *, action: Action, checked_on: dt.date, progress: str, evidence: str, by: Membership
) -> ImpactCheck:
    """A check-back on an action's progress (host, or the cleared team's champion)."""
    _insider(action.review, by)
    return _save(ImpactCheck(action=action, checked_on=checked_on, progress=progress, evidence=evidence), by.user)


# --------------------------------------------------------------------------------------------------- sharing


@transaction.atomic
def share_grant_create(
    *,
    review: Review,
    artefact: str,
    audience: str,
    by: Membership,
    person: User | None = None,
    expires_on: dt.date | None = None,
) -> ShareGrant:
    """The host head grants an audience one artefact of the review (logged: the grant row is the log)."""
    _require(acc.is_host(by, review), "Only the host school's head shares the review")
    if audience == ShareGrant.Audience.PERSON:
        if person is None:
            raise ValidationError({"person": "Enter the email address of a member of this partnership"})
    else:
        person = None
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": "The expiry date must be today or in the future"})
    return _save(
        ShareGrant(review=review, artefact=artefact, audience=audience, person=person, expires_on=expires_on),
        by.user,
    )


@transaction.atomic
def share_grant_revoke(*, grant: ShareGrant, by: Membership) -> ShareGrant:
    """The host head revokes a grant (kept, marked revoked)."""
    _require(acc.is_host(by, grant.review), "Only the host school's head revokes sharing")
    grant = ShareGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = by.user
        _save(grant, by.user)
    return grant


@transaction.atomic
def safeguarding_concern_raise(
    *, review: Review, summary: str, concerns_head: bool, by: Membership
) -> SafeguardingConcern:
    """A team member records a safeguarding concern: routed to the host head, or the LADO if about the head."""
    standing = acc.review_access(by, review)
    _require(standing.cleared, "Only the cleared review team records safeguarding concerns")
    if not summary.strip():
        raise ValidationError({"summary": "Enter the concern"})
    concern = SafeguardingConcern(review=review, raised_by=by.user, concerns_head=concerns_head, summary=summary)
    concern.full_clean()
    concern.save()
    recipients: list[str]
    if concerns_head:
        recipients = list(
            Membership.objects.filter(
                partnership_id=review.partnership_id, roles__overlap=[Role.OFFICER], archived_at__isnull=True
            ).values_list("user__email", flat=True)
        )
    else:
        recipients = _host_head_emails(review)
    _email_on_commit(
        subject="A safeguarding concern from a peer review",
        body="A safeguarding concern has been recorded. Sign in to read it; it is not sent by email.",
        recipients=list(recipients),
    )
    return concern


@transaction.atomic
def excellence_entry_create(
    *,
    school: School,
    title: str,
    description: str,
    contact_name: str,
    contact_email: str,
    by: Membership,
    finding: Finding | None = None,
) -> ExcellenceEntry:
    """The head opts their school into the directory of excellence (usually from an agreed area of excellence)."""
    _require(
        membership_can(by, Permission.HOST_PEER_REVIEWS) and by.school_id == school.pk,
        "Only the school's head adds it to the directory",
    )
    if (
        finding is not None
        and not Finding.objects.filter(
            pk=finding.pk, review__host_id=school.pk, kind=Finding.Kind.EXCELLENCE, agreed=True
        ).exists()
    ):
        raise ValidationError("Choose an agreed area of excellence from your school's review")
    return _save(
        ExcellenceEntry(
            school=school,
            review=finding.review if finding else None,
            finding=finding,
            title=title,
            description=description,
            contact_name=contact_name,
            contact_email=contact_email,
        ),
        by.user,
    )


@transaction.atomic
def excellence_entry_withdraw(*, entry: ExcellenceEntry, by: Membership) -> ExcellenceEntry:
    """The school's head withdraws its entry."""
    _require(membership_can(by, Permission.HOST_PEER_REVIEWS) and by.school_id == entry.school_id)
    entry.withdrawn_at = timezone.now()
    return _save(entry, by.user)
