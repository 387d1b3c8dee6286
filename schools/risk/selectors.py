"""Reads of the risk app, always through a membership's partnership, permissions and scope.

Soft intelligence is part of "everything about a school": officers and admins see every school's entries, a
headteacher only their own school's, and nobody else any; confidential entries need
``VIEW_CONFIDENTIAL_INTELLIGENCE`` (a headteacher never sees one, even about their own school). Risk runs and
rule sets need ``VIEW_RISK``. Anything outside the scope answers 404, like something that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Case, CharField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.http import Http404

from partnership.models import Membership
from partnership.permissions import Permission, membership_can
from schools.models import School
from schools.risk.engine.compute import INSUFFICIENT
from schools.risk.engine.indicators import CODES
from schools.risk.headchanges import HeadChange, head_changes_list
from schools.risk.models import (
    CategorisationRound,
    IntelligenceEntry,
    RiskAssessment,
    RiskRun,
    RiskText,
    RuleSetVersion,
    SchoolCategory,
)
from schools.selectors import access_school, school_has_full_access


def access_intelligence_school(*, membership: Membership, urn: int) -> School:
    """The school with ``urn`` if the membership may see its intelligence (full access to it); else 404."""
    school = access_school(membership=membership, urn=urn)
    if not school_has_full_access(membership=membership, school=school):
        raise Http404("No such school")
    return school


def intelligence_list(*, membership: Membership, school: School) -> QuerySet[IntelligenceEntry]:
    """The school's current (not archived) entries the membership may see, newest first."""
    if school.partnership_id != membership.partnership_id or not school_has_full_access(
        membership=membership, school=school
    ):
        return IntelligenceEntry.objects.none()
    entries = IntelligenceEntry.objects.filter(
        partnership_id=membership.partnership_id, school=school, archived_at__isnull=True
    )
    if not membership_can(membership, Permission.VIEW_CONFIDENTIAL_INTELLIGENCE):
        entries = entries.filter(confidential=False)
    return entries.select_related("recorded_by", "thread").order_by("-recorded_on", "-created_at", "-pk")


THREADS_LIMIT = 50


def intelligence_threads(*, membership: Membership, school: School) -> list[IntelligenceEntry]:
    """The school's issues an update may be recorded on (#14.5): its current first entries the membership may see,
    newest first (at most ``THREADS_LIMIT``)."""
    return list(intelligence_list(membership=membership, school=school).filter(thread__isnull=True)[:THREADS_LIMIT])


def head_changes_for_school(*, membership: Membership, school: School) -> list[HeadChange]:
    """The school's changes of headteacher recorded in GIAS, newest first, judged (#14.5); three queries."""
    if school.partnership_id != membership.partnership_id or not membership_can(membership, Permission.VIEW_RISK):
        return []
    changes = head_changes_list(partnership=school.partnership, school_ids=[school.pk])
    return sorted(changes, key=lambda c: c.changed_on, reverse=True)


def access_intelligence_entry(*, membership: Membership, pk: int) -> IntelligenceEntry:
    """An entry the membership may change (RECORD_INTELLIGENCE, same partnership, not archived); else 404."""
    entry = (
        IntelligenceEntry.objects.filter(partnership_id=membership.partnership_id, pk=pk, archived_at__isnull=True)
        .select_related("school", "partnership")
        .first()
        if membership_can(membership, Permission.RECORD_INTELLIGENCE)
        else None
    )
    if entry is None:
        raise Http404("No such entry")
    return entry


def risk_run_list(*, membership: Membership) -> QuerySet[RiskRun]:
    """Risk runs of the membership's partnership, newest first (VIEW_RISK only)."""
    if not membership_can(membership, Permission.VIEW_RISK):
        return RiskRun.objects.none()
    return (
        RiskRun.objects.filter(partnership_id=membership.partnership_id)
        .select_related("created_by", "ruleset_version")
        .order_by("-created_at", "-pk")
    )


def access_risk_run(*, membership: Membership, pk: int) -> RiskRun:
    """A risk run of the membership's partnership; else 404."""
    run = risk_run_list(membership=membership).filter(pk=pk).first()
    if run is None:
        raise Http404("No such run")
    return run


def risk_assessment_list(*, membership: Membership, run: RiskRun) -> QuerySet[RiskAssessment]:
    """A run's assessments with their schools, highest category and score first (VIEW_RISK only)."""
    if not membership_can(membership, Permission.VIEW_RISK) or run.partnership_id != membership.partnership_id:
        return RiskAssessment.objects.none()
    return (
        RiskAssessment.objects.filter(run=run)
        .select_related("school")
        .only(
            "id",
            "run_id",
            "proposed_category",
            "standards_band",
            "capacity_band",
            "score",
            "leading",
            "academy_view",
            "school__id",
            "school__urn",
            "school__name",
            "school__phase",
            "school__district",
        )
        .order_by("-proposed_category", "-score", "school__name", "pk")
    )


def ruleset_version_list(*, membership: Membership) -> QuerySet[RuleSetVersion]:
    """The partnership's rule-set versions, newest first (VIEW_RISK only)."""
    if not membership_can(membership, Permission.VIEW_RISK):
        return RuleSetVersion.objects.none()
    return RuleSetVersion.objects.filter(partnership_id=membership.partnership_id).select_related("created_by")


def ruleset_version_current(*, membership: Membership) -> RuleSetVersion | None:
    """The active rule-set version, or None before the first run (the engine's default will be seeded)."""
    return ruleset_version_list(membership=membership).filter(is_active=True).first()


# The officers' risk register: the latest finished run's assessments, movement against the run before it.

REGISTER_CSV_COLUMNS: tuple[str, ...] = (
    "urn",
    "school_name",
    "proposed_category",
    "agreed_category",
    "standards_band",
    "capacity_band",
    "leading",
    "score",
    *CODES,
    "missing_inputs",
    "reasons",
)
REGISTER_ORDER = ("-proposed_category", "-score", "school__name", "pk")


class Movement(models.TextChoices):
    """How a school's proposed category moved since the last agreed categorisation (higher = more concern); before
    any round is agreed, since the previous finished run."""

    UP = "up", "Up (more concern)"
    DOWN = "down", "Down (less concern)"
    SAME = "same", "No change"
    NEW = "new", "New (no earlier category)"
    UNCATEGORISED = "uncategorised", "Insufficient evidence now or before"


def risk_runs_latest(*, partnership_id: int) -> tuple[RiskRun | None, RiskRun | None]:
    """The partnership's latest finished (succeeded) run and the one before it, in one query."""
    runs = list(
        RiskRun.objects.filter(partnership_id=partnership_id, state=RiskRun.State.SUCCEEDED)
        .select_related("ruleset_version")
        .order_by("-created_at", "-pk")[:2]
    )
    return (runs[0] if runs else None, runs[1] if len(runs) > 1 else None)


def risk_register_runs(*, membership: Membership) -> tuple[RiskRun | None, RiskRun | None]:
    """The latest finished run of the membership's partnership and the one before it (VIEW_RISK only)."""
    if not membership_can(membership, Permission.VIEW_RISK):
        return None, None
    return risk_runs_latest(partnership_id=membership.partnership_id)


def _agreed(agreed: CategorisationRound | None):
    """Each school's current agreed category, whichever round set it (#14.11: an annual round, a termly or an
    in-year review; as ``categorisation.selectors.current_categories``), once any round has been agreed."""
    if agreed is None:
        return Value(None, output_field=IntegerField())
    rows = SchoolCategory.objects.filter(
        round__partnership_id=agreed.partnership_id,
        round__state__in=[CategorisationRound.State.AGREED, CategorisationRound.State.PUBLISHED],
        school_id=OuterRef("school_id"),
    ).order_by("-round__agreed_on", "-round__created_at", "-round__pk")
    return Subquery(rows.values("category")[:1])


def risk_register_list(
    *,
    membership: Membership,
    run: RiskRun | None,
    previous: RiskRun | None,
    agreed: CategorisationRound | None = None,
) -> QuerySet[RiskAssessment]:
    """The run's assessments with their schools, annotated with ``agreed_category`` (from the ``agreed`` round),
    ``previous_category`` (the agreed one; before any agreement, the previous run's proposal) and ``movement``."""
    if run is None or not membership_can(membership, Permission.VIEW_RISK):
        return RiskAssessment.objects.none()
    if run.partnership_id != membership.partnership_id:
        return RiskAssessment.objects.none()
    before = RiskAssessment.objects.filter(run=previous, school_id=OuterRef("school_id")).values("proposed_category")
    assessments = RiskAssessment.objects.filter(run=run).annotate(agreed_category=_agreed(agreed))
    assessments = assessments.annotate(
        previous_category=F("agreed_category")
        if agreed is not None
        else Subquery(before[:1])
        if previous is not None
        else Value(None, output_field=IntegerField())
    )
    return (
        assessments.annotate(
            movement=Case(
                When(previous_category__isnull=True, then=Value(Movement.NEW)),
                When(
                    Q(proposed_category=INSUFFICIENT) | Q(previous_category=INSUFFICIENT),
                    then=Value(Movement.UNCATEGORISED),
                ),
                When(proposed_category__gt=F("previous_category"), then=Value(Movement.UP)),
                When(proposed_category__lt=F("previous_category"), then=Value(Movement.DOWN)),
                default=Value(Movement.SAME),
                output_field=CharField(),
            )
        )
        .select_related("school")
        .defer("indicators", "reasons", "missing_inputs", "overrides")
        .order_by(*REGISTER_ORDER)
    )


@dataclass(frozen=True)
class RegisterFacets:
    """How many assessments a (filtered) register holds, and per (school field value, proposed category)."""

    total: int
    counts: dict[str, dict[tuple[str, int], int]]


def risk_register_facets(*, assessments: QuerySet[RiskAssessment], by: tuple[str, ...]) -> RegisterFacets:
    """The register's total and its count tables by each school field in ``by``, in one statement (GROUPING SETS):
    the page read them as three, each joining the run's assessments to their schools again (#15). The rows are
    counted as ``assessments.count()`` counts them (the paginator is given this total), on its database."""
    fields = [f"school__{field}" for field in by]
    counts: dict[str, dict[tuple[str, int], int]] = {field: {} for field in by}
    listed = assessments.order_by().values_list("pk", *fields, "proposed_category")
    try:
        rows_sql, params = listed.query.get_compiler(using=assessments.db).as_sql()
    except EmptyResultSet:  # no run yet (``none()``): nothing to count, and nothing to ask the database
        return RegisterFacets(total=0, counts=counts)
    columns = [f"f{i}" for i in range(len(by))]
    grouped = ", ".join(f"({column}, category)" for column in columns)
    flags = ", ".join(f"GROUPING({column})" for column in columns)
    # Every part is generated here or by Django's compiler; values travel separately, as params.
    statement = (
        f"SELECT {', '.join(columns)}, category, ARRAY[{flags}], COUNT(*) "  # noqa: S608
        f"FROM ({rows_sql}) AS a (pk, {', '.join(columns)}, category) "
        f"GROUP BY GROUPING SETS ({grouped}, ())"
    )
    total = 0
    with connections[assessments.db].cursor() as cursor:
        cursor.execute(statement, params)
        for *values, category, absent, n in cursor.fetchall():
            if all(absent):
                total = n
                continue
            position = absent.index(0)
            counts[by[position]][(values[position], category)] = n
    return RegisterFacets(total=total, counts=counts)


def risk_register_frame(*, run: RiskRun | None, agreed: CategorisationRound | None = None) -> pd.DataFrame:
    """The register as a frame: ``REGISTER_CSV_COLUMNS``, highest category and score first. The download and
    ``export_risk`` write the same rows from ``risk_register_csv_rows``; this frame (with ``risk_register_csv``) is
    the reference their test compares them with, byte for byte.

    Two queries whatever the size: the assessments (each indicator's rating read out of the JSON in SQL for a
    trace stored in full), and the run's texts for compact traces (ADR 0025). ``agreed_category`` is the
    school's category in the last agreed round (blank when none); lists are joined with " | ".
    """
    fields = {
        "urn": "school__urn",
        "school_name": "school__name",
        "proposed_category": "proposed_category",
        "agreed_category": "agreed_category",
        "standards_band": "standards_band",
        "capacity_band": "capacity_band",
        "leading": "leading",
        "score": "score",
        **{code: f"indicators__{code}__rating" for code in CODES},
        "missing_inputs": "missing_inputs",
        "reasons": "reasons",
        "trace_ratings": "trace_ratings",
        "trace_missing": "trace_missing",
        "trace_reasons": "trace_reasons",
    }
    rows = (
        list(
            RiskAssessment.objects.filter(run=run)
            .annotate(agreed_category=_agreed(agreed))
            .order_by(*REGISTER_ORDER)
            .values_list(*fields.values())
        )
        if run is not None
        else []
    )
    frame = pd.DataFrame(rows, columns=list(fields), dtype=object)
    compact = (frame["trace_ratings"] != "").to_numpy(dtype=bool)
    texts = run_texts(run=run) if compact.any() and run is not None else []
    if compact.any() and run is not None:
        letters = frame.loc[compact, "trace_ratings"]
        for position, code in enumerate(run.trace_codes):
            if code in CODES:
                frame.loc[compact, code] = frame.loc[compact, code].fillna(letters.str[position])
    for column, numbers in (("missing_inputs", "trace_missing"), ("reasons", "trace_reasons")):
        # as ``assessments_expand``: a list stored in full wins, else the compact one
        frame[column] = [
            " | ".join([str(item) for item in items] if items else [texts[n] for n in refs or []])
            for items, refs in zip(frame[column], frame[numbers], strict=True)
        ]
    frame["agreed_category"] = frame["agreed_category"].map(lambda c: "" if c is None or pd.isna(c) else int(c))
    frame["leading"] = frame["leading"].map({True: "yes", False: "no"})
    for code in CODES:
        frame[code] = frame[code].where(frame[code].isin(["G", "A", "R"]), "")
    return frame[list(REGISTER_CSV_COLUMNS)]


# The CSV download reads the same rows as ``risk_register_frame`` (whose output it must equal byte for byte: tested),
# but lets PostgreSQL pick each indicator's letter, and joins each compact list's sentences in plain Python, so no
# per-cell pandas work is left (#15: the frame's was the slowest request of the load mix).

# Every piece of SQL below is written here: column names are this module's constants and the codes and positions
# are parameters, so the RawSQL carries nothing anyone typed (hence the noqa for ruff's S608/S611).
_EMPTY_LISTS = "('[]'::jsonb, '{}'::jsonb, 'null'::jsonb, '\"\"'::jsonb)"
_A = "risk_riskassessment"


def _rating_sql(code: str, position: int | None) -> RawSQL:
    """One indicator's letter: the trace stored in full wins, else the compact trace's letter at ``position``
    (1-based; None when the run has no such code); anything but G, A or R is blank."""
    letter = f"CASE WHEN {_A}.trace_ratings <> '' THEN substr({_A}.trace_ratings, %s, 1) END"
    rating = f"COALESCE(({_A}.indicators -> %s ->> 'rating'), {letter if position is not None else 'NULL'})"
    params = (code, position) if position is not None else (code,)
    return RawSQL(f"CASE WHEN {rating} IN ('G', 'A', 'R') THEN {rating} ELSE '' END", params * 2)  # noqa: S611


def _full_list_sql(field: str) -> RawSQL:
    """A list stored in full, or NULL when it is empty (then the compact list is used)."""
    assert field in ("missing_inputs", "reasons")
    return RawSQL(  # noqa: S611
        f"CASE WHEN {_A}.{field} IN {_EMPTY_LISTS} THEN NULL ELSE {_A}.{field} END", (), output_field=models.JSONField()
    )


def risk_register_csv_rows(*, run: RiskRun | None, agreed: CategorisationRound | None = None) -> list[tuple]:
    """The register's CSV rows, highest category and score first: (urn, school name, proposed category, agreed
    category or None, standards band, capacity band, leading, score, a letter or "" per code of ``CODES``, missing
    inputs and reasons of a compact trace joined with " | ", then the missing inputs and reasons stored in full
    (None when empty: then the compact ones count), exactly as ``risk_register_frame`` reads them.

    Two queries: the run's sentences once, then the rows with each compact list's sentence numbers, joined here.
    Joining them in PostgreSQL (a subquery per list per school) was most of the download's time (#15)."""
    if run is None:
        return []
    positions = {code: n + 1 for n, code in enumerate(run.trace_codes or [])}
    ratings = {f"rating_{code}": _rating_sql(code, positions.get(code)) for code in CODES}
    lists = {"missing_full": _full_list_sql("missing_inputs"), "reasons_full": _full_list_sql("reasons")}
    texts = dict(enumerate(run_texts(run=run)))  # numbered from 0, as the run wrote them
    rows = (
        RiskAssessment.objects.filter(run=run)
        .annotate(agreed_category=_agreed(agreed), **ratings, **lists)
        .order_by(*REGISTER_ORDER)
        .values_list(
            "school__urn",
            "school__name",
            "proposed_category",
            "agreed_category",
            "standards_band",
            "capacity_band",
            "leading",
            "score",
            *ratings,
            "trace_missing",
            "trace_reasons",
            *lists,
        )
    )
    found = texts.get  # a number without a sentence is left out, as the join in SQL left it out
    return [
        (
            *row[:-4],
            " | ".join([text for text in map(found, row[-4] or ()) if text is not None]),
            " | ".join([text for text in map(found, row[-3] or ()) if text is not None]),
            *row[-2:],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class RiskSchoolPage:
    """A school's risk page: its latest assessment (or None) and every finished run's assessment of it."""

    school: School
    assessment: RiskAssessment | None
    history: list[RiskAssessment]


def risk_school_page(*, membership: Membership, urn: int) -> RiskSchoolPage:
    """The school's assessments in finished runs, newest first (VIEW_RISK; another partnership's school: 404)."""
    if not membership_can(membership, Permission.VIEW_RISK):
        raise Http404("No such school")
    school = access_school(membership=membership, urn=urn)
    history = list(
        RiskAssessment.objects.filter(
            school=school, run__partnership_id=membership.partnership_id, run__state=RiskRun.State.SUCCEEDED
        )
        .select_related("run", "run__ruleset_version", "run__created_by")
        .order_by("-run__created_at", "-run__pk")[:HISTORY_LIMIT]
    )
    assessments_expand(history[:1])  # the latest one's trace is shown
    return RiskSchoolPage(school=school, assessment=history[0] if history else None, history=history)


HISTORY_LIMIT = 100


# Compact traces (ADR 0025): an assessment stores codes, values and sentence numbers; the sentences are the run's
# ``RiskText`` rows. Readers that show a trace expand it first; assessments stored in full are left as they are.

NO_RATING = "-"


def assessment_is_compact(assessment: RiskAssessment) -> bool:
    """True when the assessment's trace is stored compact (numbers into its run's texts)."""
    return bool(assessment.trace_ratings)


def assessments_expand(assessments: Iterable[RiskAssessment | None]) -> None:
    """Fill ``indicators``, ``reasons``, ``missing_inputs`` and ``overrides`` of compact assessments (in memory,
    never saved) from their runs' texts, exactly as the engine wrote them; two queries at most, whatever the
    number of assessments. Assessments stored in full (older runs) are left as they are, and so is any of the
    four that already holds something (written in full)."""
    compact = [a for a in assessments if a is not None and assessment_is_compact(a)]
    if not compact:
        return
    codes = _trace_codes(compact)
    wanted: dict[int, set[int]] = {}
    for a in compact:
        wanted.setdefault(a.run_id, set()).update(
            a.trace_sentences, a.trace_reasons, a.trace_missing, a.trace_overrides
        )
    where = Q()
    for run_id, numbers in wanted.items():
        where |= Q(run_id=run_id, number__in=sorted(numbers))
    texts = {
        (run_id, number): text
        for run_id, number, text in RiskText.objects.filter(where).values_list("run_id", "number", "text")
    }
    for a in compact:
        _expand(a, codes[a.run_id], lambda number, run_id=a.run_id: texts[(run_id, number)])


def _trace_codes(assessments: list[RiskAssessment]) -> dict[int, list[str]]:
    """Each run's indicator codes, from the runs already loaded with the assessments, else in one query."""
    codes = {a.run_id: a.run.trace_codes for a in assessments if RiskAssessment.run.is_cached(a)}
    missing = {a.run_id for a in assessments} - set(codes)
    if missing:
        codes |= dict(RiskRun.objects.filter(pk__in=missing).values_list("pk", "trace_codes"))
    return codes


def _expand(assessment: RiskAssessment, codes: list[str], text) -> None:
    if not assessment.indicators:
        assessment.indicators = {
            code: {"rating": None if rating == NO_RATING else rating, "value": value, "sentence": text(number)}
            for code, rating, value, number in zip(
                codes, assessment.trace_ratings, assessment.trace_values, assessment.trace_sentences, strict=True
            )
        }
    if not assessment.reasons:
        assessment.reasons = [text(n) for n in assessment.trace_reasons]
    if not assessment.missing_inputs:
        assessment.missing_inputs = [text(n) for n in assessment.trace_missing]
    if not assessment.overrides:
        assessment.overrides = [text(n) for n in assessment.trace_overrides]


def run_texts(*, run: RiskRun) -> list[str]:
    """Every text of a run's compact traces, in number order (empty for a run stored in full)."""
    return list(RiskText.objects.filter(run=run).order_by("number").values_list("text", flat=True))
