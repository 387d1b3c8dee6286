"""Writers of the risk app: intelligence entries, rule-set versions, and risk runs with their assessments.

Runs are single-flight per partnership:

* ``risk_run_create`` returns the run already waiting in the queue instead of queuing another (serialised by a
  transaction-level advisory lock and backed by a partial unique constraint), so a burst of new intelligence
  or imports costs one recomputation. A run already *running* is returned to an officer's button, the schedule
  and the command; a data change (intelligence, import) while one runs queues one follow-up, because the running
  one may have read its inputs before the change.
* ``risk_run_execute`` runs under a session-level advisory lock (its own namespace, "RISK"), so two workers never
  compute the same partnership at once; a run interrupted by a dying worker is RUNNING with the lock free, and
  the requeue picks it up again (RUNNING → RUNNING is allowed; assessments are rewritten, never duplicated).
* Progress is committed outside the write transaction, so the page polling the run sees it at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from partnership.celery import task_named
from partnership.jobs import job_progress, job_transition, jobs_requeue
from partnership.models import Partnership, User
from partnership.services import tracked_save
from schools.models import School
from schools.risk import DEFAULT_RULESET, Ruleset, RulesetError, risk_compute, ruleset_from_dict, ruleset_to_dict
from schools.risk.engine.assessment_text import COLUMNS as ASSESSMENT_COLUMNS
from schools.risk.engine.assessment_text import TEXT_COLUMNS, assessment_copy_text, compact_trace, text_copy_text
from schools.risk.engine.ruleset import LEGACY_SECTIONS
from schools.risk.headchanges import head_changes_list
from schools.risk.inputs import risk_inputs_load
from schools.risk.models import (
    HeadChangeJudgement,
    IntelligenceEntry,
    RiskAssessment,
    RiskRun,
    RiskText,
    RuleSetVersion,
)

logger = logging.getLogger(__name__)
# schools.risk.tasks imports this module: the task is looked up by name in Celery's registry, never imported here.
RISK_RUN_TASK = "schools.risk.tasks.risk_run_task"

# First keys of the two-key advisory locks; the second is the partnership id. Arbitrary but fixed.
RISK_RUN_LOCK_NAMESPACE = 0x5249534B  # "RISK": held (session level) while a run computes
RISK_QUEUE_LOCK_NAMESPACE = 0x52495351  # "RISQ": held (transaction level) while a run is requested
WAITING_MESSAGE = "Waiting for a worker: the run will start when the worker is available"
FOLLOW_UP_TRIGGERS = (RiskRun.Trigger.INTELLIGENCE, RiskRun.Trigger.IMPORT)
ASSESSMENT_BLOCK_ROWS = 2_000  # schools per block of COPY text (see risk_assessments_write)


class RiskRunLocked(Exception):  # noqa: N818 - reads as "the run is locked"
    """Another run for the same partnership is computing."""


# --------------------------------------------------------------------------------------------- intelligence


@transaction.atomic
def intelligence_entry_create(
    *,
    partnership: Partnership,
    school: School,
    kind: str,
    rating: str,
    recorded_on: dt.date,
    summary: str,
    evidence: str,
    confidential: bool,
    user: User | None,
    thread: IntelligenceEntry | None = None,
) -> IntelligenceEntry:
    """Record an entry and ask for a recomputation of categories (debounced by single flight). ``thread``: the
    first entry of the issue this entry is an update on (#14.5; an update's own thread is followed to it)."""
    if thread is not None and thread.thread_id is not None:
        thread = thread.thread
    entry = tracked_save(
        IntelligenceEntry(
            partnership=partnership,
            school=school,
            kind=kind,
            rating=rating,
            recorded_on=recorded_on,
            summary=summary.strip(),
            evidence=evidence.strip(),
            confidential=confidential,
            recorded_by=user,
            thread=thread,
        ),
        user=user,
        creating=True,
    )
    risk_run_create(partnership=partnership, trigger=RiskRun.Trigger.INTELLIGENCE, school_ids=[school.pk])
    return entry


@transaction.atomic
def intelligence_entry_archive(*, entry: IntelligenceEntry, user: User | None) -> IntelligenceEntry:
    """Archive an entry (kept, no longer read by the engine) and ask for a recomputation."""
    if entry.archived_at is not None:
        return entry
    entry.archived_at = timezone.now()
    tracked_save(entry, user=user, creating=False)
    risk_run_create(partnership=entry.partnership, trigger=RiskRun.Trigger.INTELLIGENCE, school_ids=[entry.school_id])
    return entry


@transaction.atomic
def head_change_judge(
    *, partnership: Partnership, school: School, changed_on: dt.date, same_person: bool, user: User | None
) -> HeadChangeJudgement:
    """Record the officer's word on the change of head GIAS recorded on ``changed_on`` (#14.5): the same person or
    a new head; it wins over the name rule. A second word replaces the first. Categories are recomputed."""
    if school.partnership_id != partnership.pk:
        raise ValidationError({"school": "Choose a school in this partnership"})
    change = next(
        (c for c in head_changes_list(partnership=partnership, school_ids=[school.pk]) if c.changed_on == changed_on),
        None,
    )
    if change is None:
        day = f"{changed_on.day} {changed_on:%B %Y}"
        raise ValidationError({"changed_on": f"There is no change of headteacher recorded on {day}"})
    judgement = HeadChangeJudgement.objects.select_for_update().filter(school=school, changed_on=changed_on).first()
    creating = judgement is None
    judgement = judgement or HeadChangeJudgement(partnership=partnership, school=school, changed_on=changed_on)
    judgement.old_name, judgement.new_name = str(change.old)[:200], str(change.new)[:200]
    judgement.same_person = same_person
    tracked_save(judgement, user=user, creating=creating)
    risk_run_create(partnership=partnership, trigger=RiskRun.Trigger.INTELLIGENCE, school_ids=[school.pk])
    return judgement


# --------------------------------------------------------------------------------------------- rule sets


@transaction.atomic
def ruleset_version_active(*, partnership: Partnership) -> RuleSetVersion:
    """The partnership's active rule-set version; the engine's default becomes version 1 on first use."""
    active = RuleSetVersion.objects.filter(partnership=partnership, is_active=True).first()
    if active is not None:
        return active
    _queue_lock(partnership.pk)  # two first uses at once must not both seed version 1
    active = RuleSetVersion.objects.filter(partnership=partnership, is_active=True).first()
    if active is not None:
        return active
    return RuleSetVersion.objects.create(
        partnership=partnership,
        version=_next_version(partnership),
        config=ruleset_to_dict(DEFAULT_RULESET),
        note="The default rule set",
        is_active=True,
    )


@transaction.atomic
def ruleset_version_create(
    *, partnership: Partnership, config: dict, note: str = "", created_by: User | None
) -> RuleSetVersion:
    """Validate ``config`` with the engine and make it the active version; ValidationError lists every problem."""
    try:
        ruleset = ruleset_from_dict(config)
    except RulesetError as error:
        raise ValidationError({"config": error.errors}) from error
    _queue_lock(partnership.pk)
    RuleSetVersion.objects.filter(partnership=partnership, is_active=True).update(is_active=False)
    return RuleSetVersion.objects.create(
        partnership=partnership,
        version=_next_version(partnership),
        config=ruleset_to_dict(ruleset),
        note=note.strip()[:300],
        is_active=True,
        created_by=created_by,
    )


def ruleset_version_ruleset(*, version: RuleSetVersion) -> Ruleset:
    """The engine's rule set stored in ``version`` (RulesetError if it no longer validates).

    A version saved before the register of concern existed keeps meaning what it meant: without a ``concerns``
    section the rule is off (``steps`` 0), so re-running an old version gives the categories it gave then. The
    same for the small-cohort pooling and the evidence score (#14): without ``pooling`` and ``score`` sections a
    version drops small KS2 cohorts from S3 and scores by points, as it did (``LEGACY_SECTIONS``).
    """
    return ruleset_from_dict({"concerns": {"steps": 0}} | LEGACY_SECTIONS | version.config)


def _next_version(partnership: Partnership) -> int:
    latest = RuleSetVersion.objects.filter(partnership=partnership).order_by("-version").first()
    return (latest.version if latest else 0) + 1


# --------------------------------------------------------------------------------------------- runs: requesting


@transaction.atomic
def risk_run_create(
    *,
    partnership: Partnership,
    trigger: str,
    requested_by: User | None = None,
    school_ids: Iterable[int] = (),
    as_at: int | None = None,
    enqueue: bool = True,
) -> RiskRun:
    """Queue a run of every school's category, or return the one already waiting; the task is sent on commit.

    The returned run's ``is_new`` says which. ``enqueue=False`` (the command's ``--wait``, which runs it in
    process) sends no task. Never fails on the broker: if it is down, the run waits (and says so) until the
    requeue sends it.
    """
    _queue_lock(partnership.pk)
    school_ids = sorted({int(pk) for pk in school_ids})
    version = ruleset_version_active(partnership=partnership)
    # A run for another year is a different run (#14): only a run waiting for the same ``as_at`` is reused. Its
    # rule-set version is brought to the one in force (it would compute with it anyway), so a reused run never
    # names a version that differs from the one it will use.
    waiting = RiskRun.objects.filter(partnership=partnership, state=RiskRun.State.QUEUED, as_at=as_at).first()
    if waiting is not None:
        changes: dict[str, object] = {}
        if school_ids and not set(school_ids) <= set(waiting.school_ids):
            waiting.school_ids = changes["school_ids"] = sorted(set(waiting.school_ids) | set(school_ids))
        if waiting.ruleset_version_id != version.pk:
            waiting.ruleset_version, changes["ruleset_version"] = version, version
        if changes:
            RiskRun.objects.filter(pk=waiting.pk).update(**changes)
        return waiting
    if trigger not in FOLLOW_UP_TRIGGERS:
        running = RiskRun.objects.filter(
            partnership=partnership, state=RiskRun.State.RUNNING, as_at=as_at, ruleset_version=version
        ).first()
        if running is not None:
            return running
    run = RiskRun.objects.create(
        partnership=partnership,
        ruleset_version=version,
        trigger=trigger,
        created_by=requested_by,
        school_ids=school_ids,
        as_at=as_at,
        task_id=str(uuid.uuid4()),
        state=RiskRun.State.QUEUED,
    )
    run.is_new = True
    if enqueue:
        transaction.on_commit(lambda: risk_run_enqueue(run=run))
    return run


def risk_runs_schedule() -> list[RiskRun]:
    """Ask for a run of every partnership (the nightly schedule); a partnership already waiting keeps its run."""
    return [
        risk_run_create(partnership=partnership, trigger=RiskRun.Trigger.SCHEDULE)
        for partnership in Partnership.objects.order_by("pk")
    ]


def performance_imported(*, partnership: Partnership, school_ids: Iterable[int]) -> RiskRun | None:
    """Hook for performance imports: recompute categories after data for ``school_ids`` arrived (none: no run)."""
    school_ids = list(school_ids)
    if not school_ids:
        return None
    return risk_run_create(partnership=partnership, trigger=RiskRun.Trigger.IMPORT, school_ids=school_ids)


def risk_run_enqueue(*, run: RiskRun) -> bool:
    """Send the run's task to the broker; if the broker is unreachable, say so on the run and return False."""
    try:
        task_named(RISK_RUN_TASK).apply_async(args=[run.pk], task_id=run.task_id or None, retry=False)
    except Exception:  # the broker (Redis) is down or unreachable: the page must still work
        logger.warning("Could not queue risk run %s: broker unreachable", run.pk, exc_info=True)
        RiskRun.objects.filter(pk=run.pk, state=RiskRun.State.QUEUED).update(message=WAITING_MESSAGE)
        return False
    return True


def risk_runs_requeue_waiting() -> int:
    """Send again every run still queued, and every run left RUNNING by a worker that died (its lock is free):
    the shared recovery of every job kind, ``partnership.jobs.jobs_requeue``."""
    return jobs_requeue(model=RiskRun, enqueue=lambda job: risk_run_enqueue(run=job), lock=risk_run_lock)


# --------------------------------------------------------------------------------------------- runs: executing


def risk_run_execute(*, run: RiskRun) -> RiskRun:
    """Compute and store every school's assessment for a queued (or interrupted) run; RiskRunLocked if busy.

    A failure is recorded on the run (message and errors) and re-raised, except a lost database connection,
    which leaves the run to be retried; the assessments are written in one transaction, so a failed run leaves
    none.
    """
    with risk_run_lock(run.partnership_id) as acquired:
        if not acquired:
            raise RiskRunLocked(f"Another risk run for partnership {run.partnership_id} is computing")
        run.refresh_from_db()
        if run.is_finished or not risk_run_transition(run=run, state=RiskRun.State.RUNNING, progress=0):
            return run
        try:
            _execute(run)
        except OperationalError:
            raise  # transient (the database went away): the run stays RUNNING, its lock is free, so it is retried
        except RulesetError as error:
            risk_run_fail(run=run, message="The rule set is not valid, so nothing was computed", errors=error.errors)
            raise
        except Exception as error:
            reason = str(error) or type(error).__name__
            risk_run_fail(run=run, message=f"The run failed, so no categories changed: {reason}"[:500])
            raise
    return run


def _execute(run: RiskRun) -> None:
    active = ruleset_version_active(partnership=run.partnership)
    if active.pk != run.ruleset_version_id:  # saved while the run waited: a run uses the rules in force when it starts
        RiskRun.objects.filter(pk=run.pk).update(ruleset_version=active)
        run.ruleset_version = active
    ruleset = ruleset_version_ruleset(version=run.ruleset_version)
    risk_run_progress(run=run, percent=5, message="Loading performance data, inspections and intelligence")
    inputs = risk_inputs_load(partnership=run.partnership, as_at=run.as_at, ruleset=ruleset)
    risk_run_progress(run=run, percent=40, message=f"Computing categories for {len(inputs.schools):,} schools")
    result = risk_compute(inputs, ruleset)
    risk_run_progress(run=run, percent=75, message=f"Saving {len(result.schools):,} assessments")
    with transaction.atomic():
        written = risk_assessments_write(run=run, schools=result.schools)
    counts = risk_run_counts(schools=result.schools, written=written)
    if run.as_at is None:
        RiskRun.objects.filter(pk=run.pk).update(as_at=result.as_at)
        run.as_at = result.as_at
    risk_run_transition(
        run=run,
        state=RiskRun.State.SUCCEEDED,
        progress=100,
        counts=counts,
        errors=[],
        message=risk_run_summary(counts=counts),
    )


def risk_run_counts(*, schools: pd.DataFrame, written: int) -> dict[str, int]:
    """What a run found: schools, schools per category, Leading, academies of concern, schools missing inputs."""
    categories = schools["proposed_category"].value_counts() if len(schools) else pd.Series(dtype="int64")
    counts = {"schools": written}
    for number in sorted(categories.index):
        if int(number) != 0:  # 0: insufficient evidence, counted on its own, never as a category (#14)
            counts[f"category_{int(number)}"] = int(categories[number])
    counts["insufficient_evidence"] = int(categories.get(0, 0))
    counts["leading"] = int(schools["leading"].sum()) if len(schools) else 0
    counts["academies_of_concern"] = int((schools["academy_view"] == "concern").sum()) if len(schools) else 0
    counts["missing_inputs"] = int(schools["missing_inputs"].str.len().gt(0).sum()) if len(schools) else 0
    return counts


def risk_run_summary(*, counts: dict[str, int]) -> str:
    """One line for people: how many schools fell in each category."""
    per_category = [
        f"category {key.removeprefix('category_')}: {value:,}"
        for key, value in counts.items()
        if key.startswith("category_")
    ]
    detail = f" ({', '.join(per_category)})" if per_category else ""
    unknown = counts.get("insufficient_evidence", 0)
    officer = f"; {unknown:,} with insufficient evidence: officer to categorise" if unknown else ""
    return f"{counts.get('schools', 0):,} schools categorised{detail}{officer}"


def risk_assessments_write(*, run: RiskRun, schools: pd.DataFrame) -> int:
    """Replace the run's assessments with the engine's ``schools`` frame (COPY; call inside a transaction).

    Compact traces (ADR 0025): every distinct sentence once in the run's ``RiskText`` rows, and per school only
    ratings, values and sentence numbers. The COPY text is built in blocks of ``ASSESSMENT_BLOCK_ROWS`` schools
    while a writer thread streams the previous block, so PostgreSQL parses one block while the next is formatted.
    """
    RiskAssessment.objects.filter(run=run).delete()
    RiskText.objects.filter(run=run).delete()
    if schools.empty:
        return 0
    trace = compact_trace(schools)
    # The UPDATE also locks the run's row until the commit: the texts, which have no foreign-key constraint
    # (ADR 0030), are written for a run that exists and cannot be deleted meanwhile.
    if not RiskRun.objects.filter(pk=run.pk).update(trace_codes=list(trace.codes)):
        raise RiskRun.DoesNotExist(f"Risk run {run.pk} no longer exists: its assessments were not written")
    run.trace_codes = list(trace.codes)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(_copy_statement(RiskText, TEXT_COLUMNS), writer=QueuedLibpqWriter(raw)) as copy:
            for start in range(0, len(trace.texts), 10 * ASSESSMENT_BLOCK_ROWS):
                copy.write(
                    text_copy_text(
                        run_id=run.pk, texts=trace.texts[start : start + 10 * ASSESSMENT_BLOCK_ROWS], first=start
                    )
                )
        with raw.copy(_copy_statement(RiskAssessment, ASSESSMENT_COLUMNS), writer=QueuedLibpqWriter(raw)) as copy:
            for start in range(0, len(schools), ASSESSMENT_BLOCK_ROWS):
                block = schools.iloc[start : start + ASSESSMENT_BLOCK_ROWS]
                copy.write(assessment_copy_text(run_id=run.pk, schools=block, trace=trace, start=start))
    return len(schools)


def _copy_statement(model, columns: Iterable[str]) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )


# --------------------------------------------------------------------------------------------- runs: state


def risk_run_transition(*, run: RiskRun, state: str, **changes) -> bool:
    """Move ``run`` to ``state`` if its state allows it (compare-and-set on the row); True when it moved."""
    return job_transition(job=run, state=state, **changes)


def risk_run_progress(*, run: RiskRun, percent: int, message: str) -> None:
    """Save a running run's progress (committed at once)."""
    job_progress(job=run, percent=percent, message=message)


def risk_run_fail(*, run: RiskRun, message: str, errors: list[str] | None = None) -> None:
    """Mark the run failed with a message (and the problems found); earlier runs' categories stand."""
    risk_run_transition(
        run=run,
        state=RiskRun.State.FAILED,
        message=message[:500],
        errors=[{"message": e} for e in (errors or [])],
    )


# --------------------------------------------------------------------------------------------- locks


@contextmanager
def risk_run_lock(partnership_id: int) -> Iterator[bool]:
    """Hold the partnership's run lock for the block; yields False (without waiting) if another holds it.

    Session level, so it spans the run's own transactions and dies with the connection if the worker dies.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RISK_RUN_LOCK_NAMESPACE, partnership_id])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RISK_RUN_LOCK_NAMESPACE, partnership_id])
            except DatabaseError:
                pass  # the connection is gone, and the lock with it


def _queue_lock(partnership_id: int) -> None:
    """Serialise requests for one partnership until the current transaction ends (call inside atomic)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RISK_QUEUE_LOCK_NAMESPACE, partnership_id])
