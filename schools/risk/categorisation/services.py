"""The only writers of categorisation rounds, school categories, their decision log and replies.

Every change is one transaction that locks the rows it reads, checks the round's state, and writes a
``CategoryDecision``: nothing about a school's category is ever overwritten without a record of who and why.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partnership.calendar import school_closures, school_days_after
from partnership.models import SCHOOL_ROLES, Membership, Partnership, Role, User
from schools.models import School
from schools.risk.categorisation.notices import (
    publication_notices_create,
    publication_notices_enqueue,
    reply_answer_notify,
)
from schools.risk.categorisation.selectors import TERMLY_MIN_CATEGORY, current_categories
from schools.risk.engine.compute import INSUFFICIENT
from schools.risk.models import (
    CategorisationRound,
    CategoryDecision,
    CategoryReply,
    ReviewSuggestionDismissal,
    RiskAssessment,
    RiskRun,
    SchoolCategory,
)
from schools.risk.signals import categorisation_round_agreed

logger = logging.getLogger(__name__)

REPLY_SCHOOL_DAYS = 10
RATIONALE_MIN = 20
TEXT_MAX = 10_000
Step = CategoryDecision.Step
Status = SchoolCategory.Status
State = CategorisationRound.State
Kind = CategorisationRound.Kind
Trigger = CategorisationRound.Trigger


def category_numbers(run: RiskRun) -> list[int]:
    """The category numbers of the rule set the run used (1-4 by default)."""
    categories = run.ruleset_version.config.get("categories") or []
    numbers = sorted(int(c["number"]) for c in categories if "number" in c)
    return numbers or [1, 2, 3, 4]


def _check_category(run: RiskRun, category: int, field: str = "category") -> None:
    if category not in category_numbers(run):
        raise ValidationError({field: "Choose one of the rule set's categories"})


def _check_text(text: str, field: str, what: str, *, minimum: int = RATIONALE_MIN) -> str:
    text = (text or "").strip()
    if len(text) < minimum:
        raise ValidationError({field: f"Enter {what} of at least {minimum} characters"})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: f"{what[0].upper()}{what[1:]} must be {TEXT_MAX:,} characters or fewer"})
    return text


def _check_meeting(day: dt.date | None, field: str, what: str, round_: CategorisationRound) -> dt.date:
    if day is None:
        raise ValidationError({field: f"Enter the date of the {what}"})
    if day > timezone.localdate():
        raise ValidationError({field: f"The date of the {what} must be today or in the past"})
    opened = timezone.localdate(round_.created_at)
    if day < opened:
        raise ValidationError(
            {field: f"The date of the {what} must be on or after {opened:%-d %B %Y}, when the round was opened"}
        )
    return day


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())  # no line breaks or control whitespace: it becomes an email subject
    if not name:
        raise ValidationError({"name": "Enter a name for the round, like “Autumn 2026 categorisation”"})
    if any(not ch.isprintable() for ch in name):
        raise ValidationError({"name": "Name must contain only letters, numbers, spaces and punctuation"})
    return name[:120]


@transaction.atomic
def categorisation_round_create(
    *, partnership: Partnership, run: RiskRun, name: str, user: User
) -> CategorisationRound:
    """Open an annual round from a finished run: every school starts at its proposed category, each with a
    decision. A school already in an open in-year review stays out of it (it is decided there)."""
    return _round_open(partnership=partnership, run=run, name=name, user=user, kind=Kind.ANNUAL)


@transaction.atomic
def termly_review_create(*, partnership: Partnership, run: RiskRun, name: str, user: User) -> CategorisationRound:
    """Open a termly review: a smaller round of just the schools whose current published category is 3 or 4
    (less any already in an open in-year review), each starting at the run's proposal."""
    scope = set(
        current_categories(partnership_id=partnership.pk, published_only=True)
        .filter(category__gte=TERMLY_MIN_CATEGORY)
        .values_list("school_id", flat=True)
    )
    if not scope:
        raise ValidationError(
            f"No school's current published category is {TERMLY_MIN_CATEGORY} or higher: there is nothing to review"
        )
    return _round_open(partnership=partnership, run=run, name=name, user=user, kind=Kind.TERMLY, scope=scope)


@transaction.atomic
def in_year_review_open(
    *,
    partnership: Partnership,
    school: School,
    trigger: str,
    trigger_on: dt.date | None,
    note: str,
    user: User,
    run: RiskRun | None = None,
) -> CategorisationRound:
    """Open an in-year review of one school after an event (a new inspection, the head leaving, a safeguarding
    incident, a complaint): the same adjustment, panel, agreement and publication steps as a round, for that
    school only, from the latest finished run's proposal. An officer confirms it (docs/adr/0024)."""
    if school.partnership_id != partnership.pk:
        raise ValidationError("Choose a school in this partnership")
    if trigger not in Trigger.values:
        raise ValidationError({"trigger": "Select what happened"})
    note = " ".join((note or "").split())
    if trigger == Trigger.OTHER and len(note) < RATIONALE_MIN:
        raise ValidationError({"note": f"Enter what happened, in at least {RATIONALE_MIN} characters"})
    if len(note) > 300:
        raise ValidationError({"note": "What happened must be 300 characters or fewer"})
    if trigger_on is not None and trigger_on > timezone.localdate():
        raise ValidationError({"trigger_on": "The date of the event must be today or in the past"})
    if run is None:
        run = (
            RiskRun.objects.filter(partnership=partnership, state=RiskRun.State.SUCCEEDED)
            .order_by("-created_at", "-pk")
            .first()
        )
        if run is None:
            raise ValidationError("No risk run has finished yet: a review starts from a run's proposal")
    # The name reaches the school (its page, the email subject): never the trigger, which may be confidential.
    opened = f"{timezone.localdate():%B %Y}"
    name = f"In-year review of {school.name}, {opened}"
    if len(name) > 120:
        name = f"In-year review, {opened} (URN {school.urn})"
    return _round_open(
        partnership=partnership,
        run=run,
        name=name,
        user=user,
        kind=Kind.IN_YEAR,
        scope={school.pk},
        school=school,
        trigger=trigger,
        trigger_on=trigger_on,
        trigger_note=note,
    )


@transaction.atomic
def review_suggestion_dismiss(
    *, partnership: Partnership, school: School, trigger: str, event_on: dt.date | None, reason: str, user: User
) -> ReviewSuggestionDismissal:
    """An officer decides an event needs no in-year review, with the reason: the suggestion goes (a later event
    suggests one again). Only an event suggested now may be dismissed."""
    from schools.risk.categorisation.triggers import review_suggestions

    if school.partnership_id != partnership.pk:
        raise ValidationError("Choose a school in this partnership")
    reason = _check_text(reason, "reason", "the reason no review is needed")
    if event_on is None:
        raise ValidationError("This suggestion is no longer open: it was dismissed, or a review has opened")
    Partnership.objects.select_for_update(no_key=True).filter(pk=partnership.pk).first()
    found = review_suggestions(partnership_id=partnership.pk, school_id=school.pk)
    if not any(e.trigger == trigger and e.on == event_on for s in found for e in s.events):
        raise ValidationError("This suggestion is no longer open: it was dismissed, or a review has opened")
    return ReviewSuggestionDismissal.objects.create(
        partnership=partnership, school=school, trigger=trigger, event_on=event_on, reason=reason, dismissed_by=user
    )


def _round_open(
    *,
    partnership: Partnership,
    run: RiskRun,
    name: str,
    user: User,
    kind: str,
    scope: set[int] | None = None,
    school: School | None = None,
    trigger: str = "",
    trigger_on: dt.date | None = None,
    trigger_note: str = "",
) -> CategorisationRound:
    """A round of ``kind`` over the run's schools (only those in ``scope`` when given), less the schools in any
    open round; each school starts at its proposal, and its current published category is kept beside it."""
    name = _check_name(name)
    if run.partnership_id != partnership.pk or run.state != RiskRun.State.SUCCEEDED:
        raise ValidationError({"run": "Choose a finished risk run of this partnership"})
    # Serialise openings: no two open rounds may cover one school, which no single constraint can say.
    Partnership.objects.select_for_update(no_key=True).filter(pk=partnership.pk).first()
    open_rounds = CategorisationRound.objects.filter(partnership=partnership).exclude(state=State.PUBLISHED)
    if kind in (Kind.ANNUAL, Kind.TERMLY):
        wide = open_rounds.filter(kind__in=[Kind.ANNUAL, Kind.TERMLY]).first()
        if wide is not None:
            raise ValidationError(f"A round is already open ({wide.name}): publish it before opening another")
    busy = dict(SchoolCategory.objects.filter(round__in=open_rounds).values_list("school_id", "round__name"))
    if school is not None and school.pk in busy:
        raise ValidationError(
            f"{school.name} is already in {busy[school.pk]}: finish and publish that before opening another review"
        )
    assessments = RiskAssessment.objects.filter(run=run).exclude(school_id__in=busy)
    if scope is not None:
        assessments = assessments.filter(school_id__in=scope)
    rows_in = list(assessments.values_list("pk", "school_id", "proposed_category"))
    if not rows_in:
        raise ValidationError(
            {"run": "The chosen run has no assessment of this school"}
            if school is not None
            else "No school is left to review: every one is already in an open round"
        )
    round_ = CategorisationRound.objects.create(
        partnership=partnership,
        name=name,
        run=run,
        kind=kind,
        school=school,
        trigger=trigger,
        trigger_on=trigger_on,
        trigger_note=trigger_note,
        created_by=user,
        modified_by=user,
    )
    current = dict(
        current_categories(partnership_id=partnership.pk, published_only=True)
        .filter(school_id__in=[school_id for _, school_id, _ in rows_in])
        .values_list("school_id", "category")
    )
    rows = SchoolCategory.objects.bulk_create(
        [
            SchoolCategory(
                round=round_,
                school_id=school_id,
                assessment_id=pk,
                proposed_category=c,
                category=c,
                previous_category=current.get(school_id),
            )
            for pk, school_id, c in rows_in
        ],
        batch_size=5000,
    )
    now = timezone.now()
    proposed = f"Proposed by risk run {run.pk} (rule set version {run.ruleset_version.version})"
    if kind != Kind.ANNUAL:
        proposed += f"; {round_.get_kind_display().lower()}"  # heads read this: the trigger stays with officers
    CategoryDecision.objects.bulk_create(
        [
            CategoryDecision(
                school_category=row,
                step=Step.PROPOSED,
                to_category=row.category,
                rationale=proposed,
                decided_by=user,
                decided_at=now,
            )
            for row in rows
        ],
        batch_size=5000,
    )
    return round_


def _locked(school_category: SchoolCategory) -> SchoolCategory:
    """The school's row, locked after its round (the order agreement and publication lock them in), so a change
    to one school and a round-wide step never wait for each other crosswise."""
    CategorisationRound.objects.select_for_update(no_key=True).filter(pk=school_category.round_id).first()
    return (
        SchoolCategory.objects.select_for_update(of=("self",))
        .select_related("round", "round__run__ruleset_version")
        .get(pk=school_category.pk)
    )


def _locked_round(round_: CategorisationRound) -> CategorisationRound:
    return CategorisationRound.objects.select_for_update(no_key=True).get(pk=round_.pk)


def _draft_only(round_: CategorisationRound) -> None:
    if round_.state != State.DRAFT:
        raise ValidationError("The board has agreed this round: its categories can only change through a reply")


@transaction.atomic
def school_category_adjust(
    *, school_category: SchoolCategory, category: int, reason: str, rationale: str, user: User
) -> SchoolCategory:
    """An officer's move: one step from the proposal is made at once; more goes to the moderation panel.

    Choosing the proposed category again undoes an adjustment or withdraws a referral. A category the panel has
    decided is final for the round.
    """
    sc = _locked(school_category)
    _draft_only(sc.round)
    if sc.status == Status.MODERATED:
        raise ValidationError("The moderation panel has decided this school's category: it is final for the round")
    _check_category(sc.round.run, category)
    if reason not in CategoryDecision.Reason.values:
        raise ValidationError({"reason": "Select a reason"})
    rationale = _check_text(rationale, "rationale", "a rationale")
    before = sc.category
    # Insufficient evidence (proposed 0): nothing was proposed, so the officer's category is the first one, at once.
    steps = 1 if sc.proposed_category == INSUFFICIENT else abs(category - sc.proposed_category)
    if steps > 1:
        sc.status, sc.requested_category, step = Status.REFERRED, category, Step.REFERRED
    else:
        sc.status = Status.ADJUSTED if steps == 1 else Status.PROPOSED
        sc.category, sc.requested_category, step = category, None, Step.ADJUSTED
    sc.save(update_fields=["status", "category", "requested_category"])
    CategoryDecision.objects.create(
        school_category=sc,
        step=step,
        from_category=before,
        to_category=category,
        reason=reason,
        rationale=rationale,
        decided_by=user,
    )
    return sc


@transaction.atomic
def school_category_moderate(
    *, school_category: SchoolCategory, category: int, rationale: str, meeting_on: dt.date | None, user: User
) -> SchoolCategory:
    """Record the moderation panel's decision on a referred school: final for the round.

    Only referrals go to the panel, so a move of more than one step always passes through a referral first.
    """
    sc = _locked(school_category)
    _draft_only(sc.round)
    if sc.status != Status.REFERRED:
        raise ValidationError("Only a school referred to the moderation panel can have a panel decision")
    referral = sc.decisions.filter(step=Step.REFERRED).order_by("-pk").values_list("decided_by_id", flat=True).first()
    if referral is not None and referral == user.pk:  # #14: the panel is a second pair of eyes
        raise ValidationError(
            "The officer who referred the move cannot also record the panel's decision on it: ask another officer"
        )
    _check_category(sc.round.run, category)
    meeting_on = _check_meeting(meeting_on, "meeting_on", "panel meeting", sc.round)
    rationale = _check_text(rationale, "rationale", "the panel's reasons")
    before = sc.category
    sc.status, sc.category, sc.requested_category = Status.MODERATED, category, None
    sc.save(update_fields=["status", "category", "requested_category"])
    CategoryDecision.objects.create(
        school_category=sc,
        step=Step.MODERATED,
        from_category=before,
        to_category=category,
        rationale=rationale,
        meeting_on=meeting_on,
        decided_by=user,
    )
    return sc


@transaction.atomic
def categorisation_round_agree(
    *, round_: CategorisationRound, agreed_on: dt.date | None, minute: str, user: User
) -> CategorisationRound:
    """Record the board's agreement of the list; refused while any referral waits for the panel."""
    locked = _locked_round(round_)
    _draft_only(locked)
    agreed_on = _check_meeting(agreed_on, "agreed_on", "board meeting", locked)
    minute = _check_text(minute, "minute", "the board's minute reference", minimum=1)[:200]
    waiting = list(
        locked.schools.filter(status=Status.REFERRED).order_by("school__name").values_list("school__name", flat=True)
    )
    if waiting:
        names = ", ".join(waiting[:5]) + (f" and {len(waiting) - 5} more" if len(waiting) > 5 else "")
        raise ValidationError(f"{len(waiting)} referral(s) still wait for the moderation panel: {names}")
    uncategorised = list(
        locked.schools.filter(category=INSUFFICIENT).order_by("school__name").values_list("school__name", flat=True)
    )
    if uncategorised:
        names = ", ".join(uncategorised[:5])
        names += f" and {len(uncategorised) - 5} more" if len(uncategorised) > 5 else ""
        raise ValidationError(
            f"{len(uncategorised)} school(s) have insufficient evidence and wait for an officer to categorise them:"
            f" {names}"
        )
    locked.state, locked.agreed_on, locked.agreed_minute, locked.agreed_by = State.AGREED, agreed_on, minute, user
    locked.modified_by = user
    locked.save(update_fields=["state", "agreed_on", "agreed_minute", "agreed_by", "modified_by", "modified_at"])
    _log_each(locked, Step.AGREED, f"Agreed by the board on {agreed_on:%-d %B %Y} (minute {minute})", user, agreed_on)
    categorisation_round_agreed.send(
        sender=CategorisationRound,
        partnership_id=locked.partnership_id,
        round_id=locked.pk,
        schools=[
            (school_id, category, bool(academy))
            for school_id, category, academy in locked.schools.order_by().values_list(
                "school_id", "category", "assessment__academy_view"
            )
        ],
    )
    return locked


@transaction.atomic
def categorisation_round_publish(
    *, round_: CategorisationRound, user: User, base_url: str, today: dt.date | None = None
) -> CategorisationRound:
    """Publish an agreed round: each school's head and chair see its category and may reply for 10 school days."""
    locked = _locked_round(round_)
    if locked.state != State.AGREED:
        raise ValidationError("Only a round the board has agreed can be published")
    today = today or timezone.localdate()
    locked.state, locked.published_at, locked.published_by = State.PUBLISHED, timezone.now(), user
    closures = school_closures(partnership_id=locked.partnership_id, after=today)
    locked.reply_deadline = school_days_after(today, REPLY_SCHOOL_DAYS, closures)
    locked.modified_by = user
    locked.save(update_fields=["state", "published_at", "published_by", "reply_deadline", "modified_by", "modified_at"])
    _log_each(locked, Step.PUBLISHED, f"Published; replies close on {locked.reply_deadline:%-d %B %Y}", user, None)
    publication_notices_create(round_=locked, base_url=base_url)
    transaction.on_commit(lambda: publication_notices_enqueue(round_id=locked.pk))
    return locked


def _log_each(round_: CategorisationRound, step: str, rationale: str, user: User, meeting_on: dt.date | None) -> None:
    now = timezone.now()
    rows = round_.schools.order_by().values_list("pk", "category")
    CategoryDecision.objects.bulk_create(
        [
            CategoryDecision(
                school_category_id=pk,
                step=step,
                from_category=category,
                to_category=category,
                rationale=rationale,
                meeting_on=meeting_on,
                decided_by=user,
                decided_at=now,
            )
            for pk, category in rows.iterator(chunk_size=5000)
        ],
        batch_size=5000,
    )


@transaction.atomic
def category_reply_create(
    *, school_category: SchoolCategory, membership: Membership, text: str, today: dt.date | None = None
) -> CategoryReply:
    """A head's or chair's reply to their own school's published category, within the reply window."""
    sc = _locked(school_category)
    if (
        membership.school_id != sc.school_id
        or membership.partnership_id != sc.round.partnership_id
        or membership.archived_at is not None
        or not membership.has_role(*SCHOOL_ROLES)
    ):
        raise ValidationError("Only the school's headteacher or chair of governors can reply")
    if sc.round.state != State.PUBLISHED:
        raise ValidationError("This category has not been published")
    if not reply_window_open(sc.round, today):
        raise ValidationError(f"Replies closed on {sc.round.reply_deadline:%-d %B %Y}")
    text = _check_text(text, "text", "your reply")
    if sc.replies.filter(author=membership.user, text=text, answered_at__isnull=True).exists():
        raise ValidationError({"text": "You have already sent this reply: the panel will answer it"})
    role = Role.HEADTEACHER if membership.has_role(Role.HEADTEACHER) else Role.CHAIR_OF_GOVERNORS
    reply = CategoryReply.objects.create(school_category=sc, author=membership.user, author_role=role, text=text)
    CategoryDecision.objects.create(
        school_category=sc,
        step=Step.REPLY,
        from_category=sc.category,
        to_category=sc.category,
        rationale=f"{Role(role).label}: {text}",
        decided_by=membership.user,
    )
    return reply


@transaction.atomic
def category_reply_answer(
    *,
    reply: CategoryReply,
    outcome: str,
    category: int | None,
    answer: str,
    meeting_on: dt.date | None,
    user: User,
    base_url: str = "",
) -> CategoryReply:
    """The panel's final answer to a reply: the category confirmed, or changed (the agreed category moves). The
    reply's author and the school's head and chair are emailed once it is committed (``base_url`` for the link)."""
    locked = CategoryReply.objects.select_for_update().get(pk=reply.pk)
    if locked.answered_at is not None:
        raise ValidationError("This reply has already been answered")
    sc = _locked(locked.school_category)
    if outcome not in CategoryReply.Outcome.values:
        raise ValidationError({"outcome": "Select the panel's decision"})
    meeting_on = _check_meeting(meeting_on, "meeting_on", "panel meeting", sc.round)
    answer = _check_text(answer, "answer", "the panel's answer")
    before = sc.category
    if outcome == CategoryReply.Outcome.CHANGED:
        if category is None or category == before:
            raise ValidationError({"category": "Choose the new category (a different one)"})
        _check_category(sc.round.run, category)
        sc.category, sc.status = category, Status.REPLY_CHANGED
        sc.save(update_fields=["category", "status"])
    locked.outcome, locked.answer, locked.answered_by, locked.answered_at = outcome, answer, user, timezone.now()
    locked.save(update_fields=["outcome", "answer", "answered_by", "answered_at"])
    CategoryDecision.objects.create(
        school_category=sc,
        step=Step.REPLY_ANSWERED,
        from_category=before,
        to_category=sc.category,
        reason=CategoryDecision.Reason.REPLY_EVIDENCE if outcome == CategoryReply.Outcome.CHANGED else "",
        rationale=answer,
        meeting_on=meeting_on,
        decided_by=user,
    )
    reply_answer_notify(reply=locked, base_url=base_url)
    return locked


def reply_window_open(round_: CategorisationRound, today: dt.date | None = None) -> bool:
    """True while a published round still takes replies."""
    today = today or timezone.localdate()
    return round_.state == State.PUBLISHED and round_.reply_deadline is not None and today <= round_.reply_deadline


def reply_deadline_if_published_today(*, partnership_id: int) -> dt.date:
    """The last day to reply to a round of ``partnership_id`` published today."""
    today = timezone.localdate()
    return school_days_after(today, REPLY_SCHOOL_DAYS, school_closures(partnership_id=partnership_id, after=today))
