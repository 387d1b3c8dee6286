"""The only writers of the board's records: keyword-only, typed, ``full_clean`` and atomic.

Stateful records (meetings, actions) move only through their ``*_transition`` service, which locks the row,
checks the move against the model's table and records who and when.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from partnership.board import rag as ragcalc
from partnership.board.kpi_library import LIBRARY, Point
from partnership.board.models import (
    MAX_ACTIVE_PRIORITIES,
    Action,
    AgendaItem,
    Board,
    Decision,
    Declaration,
    Deliverable,
    Kpi,
    KpiRefresh,
    KpiValue,
    Meeting,
    MeetingPack,
    MemberStanding,
    Paper,
    Priority,
    Strategy,
)
from partnership.jobs import job_progress, job_transition, jobs_requeue
from partnership.models import BoardMember, Partnership, User

logger = logging.getLogger(__name__)

PAPER_MAX_BYTES = 20 * 1024 * 1024
PAPER_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".csv": "text/csv",
    ".txt": "text/plain",
}
WAITING_MESSAGE = "Waiting for a worker: the job will start when the worker is available"


def _saved(obj, *, user: User | None, creating: bool):
    if creating:
        obj.created_by = user
    obj.modified_by = user
    obj.full_clean()
    obj.save()
    return obj


# ------------------------------------------------------------------------------------------ the board as a body


@transaction.atomic
def board_save(
    *, partnership: Partnership, name: str, kind: str, terms_of_reference: str, quorum: int, user: User | None
) -> Board:
    """Create or update the partnership's board (its name, kind, terms of reference and quorum)."""
    board = Board.objects.select_for_update().filter(partnership=partnership).first()
    creating = board is None
    board = board or Board(partnership=partnership)
    board.name, board.kind, board.terms_of_reference, board.quorum = (
        name.strip(),
        kind,
        terms_of_reference.strip(),
        quorum,
    )
    return _saved(board, user=user, creating=creating)


@transaction.atomic
def member_standing_set(*, member: BoardMember, is_chair: bool, voting: bool, user: User | None) -> MemberStanding:
    """Record whether ``member`` chairs the board and votes; a new chair replaces the previous one."""
    if is_chair:
        MemberStanding.objects.filter(member__partnership_id=member.partnership_id, is_chair=True).exclude(
            member=member
        ).update(is_chair=False, modified_by=user, modified_at=timezone.now())
    standing = MemberStanding.objects.select_for_update().filter(member=member).first()
    creating = standing is None
    standing = standing or MemberStanding(member=member)
    standing.is_chair, standing.voting = is_chair, voting
    return _saved(standing, user=user, creating=creating)


@transaction.atomic
def declaration_create(
    *,
    member: BoardMember,
    kind: str,
    interest: str,
    declared_on: dt.date,
    user: User | None,
    school=None,
    organisation: str = "",
    meeting: Meeting | None = None,
) -> Declaration:
    """Record an interest a board member declared (optionally at a meeting)."""
    if school is not None and school.partnership_id != member.partnership_id:
        raise ValidationError({"school": "Choose a school in this partnership"})
    if meeting is not None and meeting.partnership_id != member.partnership_id:
        raise ValidationError({"meeting": "Choose a meeting of this board"})
    declaration = Declaration(
        member=member,
        kind=kind,
        interest=interest.strip(),
        declared_on=declared_on,
        school=school,
        organisation=organisation.strip(),
        meeting=meeting,
    )
    return _saved(declaration, user=user, creating=True)


@transaction.atomic
def declaration_end(*, declaration: Declaration, ended_on: dt.date, user: User | None) -> Declaration:
    """End a declared interest on ``ended_on`` (kept in the register)."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if ended_on < declaration.declared_on:
        raise ValidationError({"ended_on": "The end date must be on or after the date it was declared"})
    declaration.ended_on = ended_on
    return _saved(declaration, user=user, creating=False)


# ------------------------------------------------------------------------------------------------------- meetings


@transaction.atomic
def meeting_create(
    *, partnership: Partnership, title: str, meets_on: dt.date, location: str, user: User | None
) -> Meeting:
    """Schedule a board meeting."""
    meeting = Meeting(partnership=partnership, title=title.strip(), meets_on=meets_on, location=location.strip())
    return _saved(meeting, user=user, creating=True)


@transaction.atomic
def meeting_transition(*, meeting: Meeting, to: str, by: User | None) -> Meeting:
    """Move a meeting (scheduled → held or cancelled; cancelled → scheduled), recording who and when."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if to not in Meeting.TRANSITIONS.get(Meeting.State(locked.state), set()):
        raise ValidationError(
            f"A {locked.get_state_display().lower()} meeting cannot become {Meeting.State(to).label.lower()}"
        )
    if to == Meeting.State.HELD and locked.meets_on > timezone.localdate():
        raise ValidationError("A meeting cannot be marked held before its date")
    locked.state, locked.state_changed_at, locked.state_changed_by = to, timezone.now(), by
    return _saved(locked, user=by, creating=False)


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, title: str, presenter: str, confidential: bool) -> AgendaItem:
    """Add an item at the end of the meeting's agenda."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    number = (locked.agenda.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    item = AgendaItem(
        meeting=locked, number=number, title=title.strip(), presenter=presenter.strip(), confidential=confidential
    )
    item.full_clean()
    item.save()
    return item


def _paper_type(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in PAPER_TYPES:
        raise ValidationError(
            {"file": "The selected file must be a PDF, Word, Excel, PowerPoint, ODT, CSV or text file"}
        )
    return PAPER_TYPES[suffix]


def paper_max_bytes() -> int:
    """The upload cap for a board paper (``BOARD_PAPER_MAX_BYTES``, else 20 MB)."""
    return int(getattr(settings, "BOARD_PAPER_MAX_BYTES", PAPER_MAX_BYTES))


def paper_upload(*, meeting: Meeting, title: str, confidential: bool, upload: UploadedFile, user: User | None) -> Paper:
    """Store an uploaded paper for the meeting (size capped while it is written; an empty file is refused)."""
    cap = paper_max_bytes()
    content_type = _paper_type(upload.name or "")
    too_big = f"The selected file must be smaller than {cap // (1024 * 1024)} MB"
    if (upload.size or 0) > cap:
        raise ValidationError({"file": too_big})
    folder = Path(settings.UPLOAD_DIR) / "board" / str(meeting.partnership_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4()}{Path(upload.name or '').suffix.lower()}"
    written = 0
    with path.open("wb") as out:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > cap:
                break
            out.write(chunk)
    if written > cap or written == 0:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": too_big if written else "The selected file is empty"})
    try:
        with transaction.atomic():
            paper = Paper(
                meeting=meeting,
                title=title.strip(),
                confidential=confidential,
                original_filename=Path(upload.name or "paper").name[:255],
                stored_path=str(path),
                size=written,
                content_type=content_type,
            )
            return _saved(paper, user=user, creating=True)
    except Exception:
        path.unlink(missing_ok=True)
        raise


@transaction.atomic
def minutes_save(*, meeting: Meeting, minutes: str, approved: bool, user: User | None) -> Meeting:
    """Save the meeting's minutes; approved minutes need a held meeting."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if approved and locked.state != Meeting.State.HELD:
        raise ValidationError({"approved": "Minutes can be approved only for a meeting that was held"})
    locked.minutes, locked.minutes_approved = minutes.strip(), approved
    return _saved(locked, user=user, creating=False)


def _next_reference(meeting: Meeting) -> str:
    year = meeting.meets_on.year
    used = Decision.objects.filter(meeting__partnership_id=meeting.partnership_id, meeting__meets_on__year=year).count()
    return f"SB/{year}/{used + 1}"


@transaction.atomic
def decision_record(*, meeting: Meeting, text: str, user: User, categorisation_round=None) -> Decision:
    """Minute a decision of a held meeting; one agreeing a categorisation round records the round's agreement
    (the round then points to this decision: its date is the meeting's, its minute the decision's reference)."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.state != Meeting.State.HELD:
        raise ValidationError("Decisions are recorded for a meeting that was held: mark the meeting held first")
    decision = Decision(meeting=locked, reference=_next_reference(locked), text=text.strip())
    decision.created_by = decision.modified_by = user
    if categorisation_round is not None:
        from schools.risk.categorisation.services import categorisation_round_agree

        if categorisation_round.partnership_id != locked.partnership_id:
            raise ValidationError({"categorisation_round": "Choose a round of this partnership"})
        if Decision.objects.filter(categorisation_round=categorisation_round).exists():
            raise ValidationError({"categorisation_round": "A decision already agreed this round"})
        if categorisation_round.is_agreed:
            # Agreed before it could point to a decision (a typed date and minute): minuted here, on that date.
            if categorisation_round.agreed_on != locked.meets_on:
                raise ValidationError({"categorisation_round": "This round was agreed on another date"})
        else:
            try:
                categorisation_round_agree(
                    round_=categorisation_round, agreed_on=locked.meets_on, minute=decision.reference, user=user
                )
            except ValidationError as error:
                raise ValidationError({"categorisation_round": error.messages}) from error
        decision.categorisation_round = categorisation_round
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def action_create(*, meeting: Meeting, description: str, owner: str, due_on: dt.date, user: User | None) -> Action:
    """Give an action from a meeting to an owner with a due date."""
    action = Action(meeting=meeting, description=description.strip(), owner=owner.strip(), due_on=due_on)
    return _saved(action, user=user, creating=True)


@transaction.atomic
def action_transition(*, action: Action, to: str, by: User | None) -> Action:
    """Mark an action done or dropped (or open again), recording who and when."""
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if to not in Action.TRANSITIONS.get(Action.Status(locked.status), set()):
        raise ValidationError(
            f"An action that is {locked.get_status_display().lower()} cannot become {Action.Status(to).label.lower()}"
        )
    locked.status, locked.status_changed_at, locked.status_changed_by = to, timezone.now(), by
    return _saved(locked, user=by, creating=False)


# -------------------------------------------------------------------------------------------------------- strategy


@transaction.atomic
def strategy_save(
    *,
    partnership: Partnership,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    vision: str,
    user: User | None,
    strategy: Strategy | None = None,
) -> Strategy:
    """Create the partnership's current strategy (the previous one is kept, no longer current) or edit it."""
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": "The end of the period must be after its start"})
    creating = strategy is None
    if creating:
        Strategy.objects.filter(partnership=partnership, current=True).update(current=False)
        strategy = Strategy(partnership=partnership)
    assert strategy is not None
    strategy.title, strategy.starts_on, strategy.ends_on, strategy.vision = (
        title.strip(),
        starts_on,
        ends_on,
        vision.strip(),
    )
    return _saved(strategy, user=user, creating=creating)


@transaction.atomic
def priority_create(*, strategy: Strategy, title: str, rationale: str, lead: str, user: User | None) -> Priority:
    """Add an active priority; refused when the strategy already has three (retire one first)."""
    locked = Strategy.objects.select_for_update().get(pk=strategy.pk)
    active = locked.priorities.filter(retired_at__isnull=True).count()
    if active >= MAX_ACTIVE_PRIORITIES:
        raise ValidationError(
            f"The strategy already has {MAX_ACTIVE_PRIORITIES} active priorities, the most it may have: retire one "
            "before adding another"
        )
    number = (locked.priorities.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    priority = Priority(
        strategy=locked, number=number, title=title.strip(), rationale=rationale.strip(), lead=lead.strip()
    )
    return _saved(priority, user=user, creating=True)


@transaction.atomic
def priority_update(*, priority: Priority, title: str, rationale: str, lead: str, user: User | None) -> Priority:
    """Change a priority's title, rationale or lead."""
    priority.title, priority.rationale, priority.lead = title.strip(), rationale.strip(), lead.strip()
    return _saved(priority, user=user, creating=False)


@transaction.atomic
def priority_retire(*, priority: Priority, user: User | None) -> Priority:
    """Retire a priority: kept with its deliverables and KPIs, no longer one of the three."""
    locked = Priority.objects.select_for_update().get(pk=priority.pk)
    if locked.retired_at is not None:
        raise ValidationError("This priority is already retired")
    locked.retired_at = timezone.now()
    return _saved(locked, user=user, creating=False)


@transaction.atomic
def deliverable_save(
    *,
    priority: Priority,
    title: str,
    owner: str,
    due_on: dt.date,
    status: str,
    status_reason: str,
    user: User | None,
    deliverable: Deliverable | None = None,
) -> Deliverable:
    """Create or update a deliverable; red or amber needs a reason (it appears in the exceptions report)."""
    if status in (ragcalc.RED, ragcalc.AMBER) and not status_reason.strip():
        raise ValidationError({"status_reason": "Enter the reason the deliverable is red or amber"})
    creating = deliverable is None
    deliverable = deliverable or Deliverable(priority=priority)
    deliverable.title, deliverable.owner, deliverable.due_on = title.strip(), owner.strip(), due_on
    deliverable.status, deliverable.status_reason = status, status_reason.strip()
    return _saved(deliverable, user=user, creating=creating)


# ------------------------------------------------------------------------------------------------------------ KPIs


@transaction.atomic
def kpi_create_from_library(
    *,
    partnership: Partnership,
    code: str,
    target: float,
    target_on: dt.date,
    user: User | None,
    priority: Priority | None = None,
    baseline: float | None = None,
    baseline_period: str = "",
) -> Kpi:
    """Track a computed KPI from the library (one live KPI per library entry); computes its values at once."""
    entry = LIBRARY.get(code)
    if entry is None:
        raise ValidationError({"library_code": "Choose a KPI from the library"})
    if Kpi.objects.filter(partnership=partnership, library_code=code, archived_at__isnull=True).exists():
        raise ValidationError({"library_code": f"“{entry.title}” is already tracked"})
    kpi = Kpi(
        partnership=partnership,
        priority=priority,
        title=entry.title,
        definition=entry.definition,
        library_code=code,
        polarity=entry.polarity,
        unit=entry.unit,
        source=entry.source,
        comparator=entry.comparator,
        baseline=baseline,
        baseline_period=baseline_period,
        target=target,
        target_on=target_on,
        green_within=entry.green_within,
        amber_within=entry.amber_within,
    )
    _saved(kpi, user=user, creating=True)
    kpi_values_compute(kpi=kpi)
    return kpi


@transaction.atomic
def kpi_save(
    *,
    partnership: Partnership,
    user: User | None,
    kpi: Kpi | None = None,
    **fields,
) -> Kpi:
    """Create a manual KPI or edit any KPI's target, thresholds, baseline and priority (a computed KPI keeps its
    definition, polarity, unit and source); RAG of its values is worked out again."""
    creating = kpi is None
    kpi = kpi or Kpi(partnership=partnership)
    fixed = {"title", "definition", "polarity", "unit", "source"} if kpi.library_code else set()
    for name, value in fields.items():
        if name not in fixed:
            setattr(kpi, name, value.strip() if isinstance(value, str) else value)
    if fields.get("priority") is not None and fields["priority"].strategy.partnership_id != partnership.pk:
        raise ValidationError({"priority": "Choose a priority of this partnership's strategy"})
    _saved(kpi, user=user, creating=creating)
    _rerate(kpi)
    return kpi


def _rerate(kpi: Kpi) -> None:
    previous: float | None = None
    for value in kpi.values.order_by("period"):
        value.rag_auto = ragcalc.rag_for(
            value=value.value,
            target=kpi.target,
            polarity=kpi.polarity,
            green_within=kpi.green_within,
            amber_within=kpi.amber_within,
        )
        value.direction = ragcalc.direction_for(
            value=value.value, previous=previous, target=kpi.target, polarity=kpi.polarity
        )
        value.save(update_fields=["rag_auto", "direction", "modified_at"])
        previous = value.value


def _write_points(kpi: Kpi, points: list[Point], user: User | None) -> int:
    existing = {v.period: v for v in kpi.values.all()}
    written = 0
    for point in points:
        value = existing.get(point.period) or KpiValue(kpi=kpi, period=point.period, created_by=user)
        if value.pk and value.source == KpiValue.Source.MANUAL and not kpi.library_code:
            continue
        value.value, value.comparator_value = point.value, point.comparator
        value.source, value.source_detail = point.source, point.detail[:300]
        value.computed_at, value.modified_by, value.rag_auto = timezone.now(), user, ragcalc.WHITE
        value.save()
        written += 1
    _rerate(kpi)
    return written


@transaction.atomic
def kpi_values_compute(*, kpi: Kpi, user: User | None = None) -> int:
    """Compute a library KPI's values from the data now (overrides and their reasons are kept); values written."""
    entry = LIBRARY.get(kpi.library_code)
    if entry is None:
        return 0
    return _write_points(kpi, entry.compute(kpi.partnership), user)


@transaction.atomic
def kpi_value_record(
    *, kpi: Kpi, period: int, value: float, user: User | None, comparator: float | None = None, note: str = ""
) -> KpiValue:
    """Enter a manual KPI's value for a period (a computed KPI's values come from the data only)."""
    if kpi.library_code:
        raise ValidationError("This KPI is computed from the data: its values cannot be entered by hand")
    _write_points(kpi, [Point(period, value, comparator, KpiValue.Source.MANUAL, note or "Entered by hand")], user)
    return kpi.values.get(period=period)


@transaction.atomic
def kpi_value_override(*, value: KpiValue, rag: str, reason: str, user: User | None) -> KpiValue:
    """Override a value's automatic RAG with a reason (an empty ``rag`` removes the override)."""
    locked = KpiValue.objects.select_for_update().get(pk=value.pk)
    if rag and not reason.strip():
        raise ValidationError({"reason": "Enter the reason for overriding the RAG rating"})
    locked.rag_override, locked.override_reason = rag, reason.strip() if rag else ""
    return _saved(locked, user=user, creating=False)


def kpis_recompute(*, partnership: Partnership, user: User | None = None) -> int:
    """Recompute every live computed KPI of the partnership now; values written."""
    kpis = Kpi.objects.filter(partnership=partnership, archived_at__isnull=True).exclude(library_code="")
    return sum(kpi_values_compute(kpi=kpi, user=user) for kpi in kpis.select_related("partnership"))


def kpi_refresh_request(*, partnership_id: int, user: User | None) -> KpiRefresh:
    """Queue a KPI refresh for the partnership (joining one already waiting) and send it after commit."""
    with transaction.atomic():
        waiting = KpiRefresh.objects.filter(partnership_id=partnership_id, state=KpiRefresh.State.QUEUED).first()
        if waiting:
            return waiting
        job = KpiRefresh.objects.create(partnership_id=partnership_id, created_by=user, message="Queued")
        transaction.on_commit(lambda: kpi_refresh_enqueue(job=job))
    return job


def kpi_refresh_enqueue(*, job: KpiRefresh) -> bool:
    """Send the refresh to a worker; if the broker is down, say so on the job (beat's requeue sends it later)."""
    from partnership.board.tasks import kpi_refresh_task

    try:
        kpi_refresh_task.apply_async(args=[job.pk], retry=False)
    except Exception:
        logger.warning("Could not queue KPI refresh %s: broker unreachable", job.pk, exc_info=True)
        KpiRefresh.objects.filter(pk=job.pk, state=KpiRefresh.State.QUEUED).update(message=WAITING_MESSAGE)
        return False
    return True


# First keys of the session-level advisory locks a worker holds while it runs one board job (the second key is
# the job's id): a job left RUNNING whose lock is free was orphaned by a dead worker (``board_jobs_requeue_waiting``),
# and a second delivery of a job already running is skipped rather than run twice.
KPI_REFRESH_LOCK_NAMESPACE = 0x4B504952  # "KPIR"
MEETING_PACK_LOCK_NAMESPACE = 0x5041434B  # "PACK"


@contextmanager
def _job_lock(namespace: int, job_id: int) -> Iterator[bool]:
    """Hold one board job's lock for the block; yields False (without waiting) when another session holds it.
    Session level, so it spans the job's transactions and dies with the connection if the worker dies."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, job_id])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, job_id])
            except DatabaseError:
                pass  # the connection is gone, and the lock with it


def kpi_refresh_lock(job_id: int):
    return _job_lock(KPI_REFRESH_LOCK_NAMESPACE, job_id)


def meeting_pack_lock(pack_id: int):
    return _job_lock(MEETING_PACK_LOCK_NAMESPACE, pack_id)


def kpi_refresh_run(*, job: KpiRefresh) -> KpiRefresh:
    """Run a queued (or orphaned) refresh: recompute every computed KPI, count the values written. A refresh that
    another worker is running now is left to it."""
    with kpi_refresh_lock(job.pk) as acquired:
        if not acquired:
            return job
        job.refresh_from_db()
        if job.is_finished or not job_transition(job=job, state=KpiRefresh.State.RUNNING):
            return job
        try:
            written = kpis_recompute(partnership=job.partnership, user=job.created_by)
        except Exception as error:
            message = f"The KPIs could not be computed: {error}"[:500]
            job_transition(job=job, state=KpiRefresh.State.FAILED, message=message)
            raise
        counts = {"values": written}
        job_transition(job=job, state=KpiRefresh.State.SUCCEEDED, progress=100, message="Done", counts=counts)
    return job


def kpi_refresh_fail(*, job: KpiRefresh, message: str) -> None:
    """Mark a refresh failed with ``message``."""
    job_transition(job=job, state=KpiRefresh.State.FAILED, message=message[:500])


# ---------------------------------------------------------------------------------------------------- meeting pack


def meeting_pack_request(*, meeting: Meeting, user: User | None) -> MeetingPack:
    """Queue a new frozen pack for the meeting and send it to a worker after commit."""
    with transaction.atomic():
        pack = MeetingPack.objects.create(
            partnership_id=meeting.partnership_id, meeting=meeting, created_by=user, message="Queued"
        )
        transaction.on_commit(lambda: meeting_pack_enqueue(pack=pack))
    return pack


def meeting_pack_enqueue(*, pack: MeetingPack) -> bool:
    """Send the pack's build to a worker; if the broker is down, say so on the pack."""
    from partnership.board.tasks import meeting_pack_task

    try:
        meeting_pack_task.apply_async(args=[pack.pk], retry=False)
    except Exception:
        logger.warning("Could not queue meeting pack %s: broker unreachable", pack.pk, exc_info=True)
        MeetingPack.objects.filter(pk=pack.pk, state=MeetingPack.State.QUEUED).update(message=WAITING_MESSAGE)
        return False
    return True


def meeting_pack_build(*, pack: MeetingPack) -> MeetingPack:
    """Build a queued pack: freeze the numbers, draw the PDF and write the XLSX, with progress on the row."""
    with meeting_pack_lock(pack.pk) as acquired:
        if not acquired:  # another worker is building this very pack
            return pack
        return _meeting_pack_build(pack)


def _meeting_pack_build(pack: MeetingPack) -> MeetingPack:
    import time

    from partnership.board.pack import pack_content, pack_pdf, pack_xlsx

    pack.refresh_from_db()
    if pack.is_finished or not job_transition(job=pack, state=MeetingPack.State.RUNNING):
        return pack
    started = time.monotonic()
    try:
        job_progress(job=pack, percent=10, message="Freezing the numbers")
        content = pack_content(meeting=pack.meeting)
        job_progress(job=pack, percent=40, message="Drawing the PDF")
        pdf, pages = pack_pdf(content)
        job_progress(job=pack, percent=80, message="Writing the spreadsheet")
        xlsx = pack_xlsx(content)
    except Exception as error:
        job_transition(job=pack, state=MeetingPack.State.FAILED, message=f"The pack could not be built: {error}"[:500])
        raise
    seconds = round(time.monotonic() - started, 2)
    MeetingPack.objects.filter(pk=pack.pk).update(
        content=content, pdf=pdf, xlsx=xlsx, page_count=pages, build_seconds=seconds
    )
    job_transition(
        job=pack,
        state=MeetingPack.State.SUCCEEDED,
        progress=100,
        message=f"Built: {pages} pages in {seconds} s",
        counts={"pages": pages},
    )
    return pack


def meeting_pack_fail(*, pack: MeetingPack, message: str) -> None:
    """Mark a pack failed with ``message``."""
    job_transition(job=pack, state=MeetingPack.State.FAILED, message=message[:500])


def board_jobs_requeue_waiting() -> int:
    """Send again refreshes and packs still waiting (after a broker outage), and those left RUNNING by a worker that
    died (their lock is free): the shared recovery of every job kind, ``partnership.jobs.jobs_requeue``."""
    sent = jobs_requeue(
        model=KpiRefresh, enqueue=kpi_refresh_enqueue, lock=kpi_refresh_lock, lock_key=lambda job: job.pk
    )
    return sent + jobs_requeue(
        model=MeetingPack,
        enqueue=lambda job: meeting_pack_enqueue(pack=job),
        lock=meeting_pack_lock,
        lock_key=lambda job: job.pk,
    )
