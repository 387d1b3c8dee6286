"""The loader: a partnership's rows in PostgreSQL → the engine's ``RiskInputs`` (docs/design/risk-data-contract.md).

A constant number of queries whatever the partnership's size: one per frame (plus one for the head-teacher
history and one for the GIAS links), each returned by PostgreSQL as CSV text and parsed by pandas' C reader.
Every step after the queries is vectorised.

* ``schools``: open, state-funded schools of the register (``School.objects.open().state_funded()``).
* ``head_changes_3y`` / ``head_since``: from the GIAS change history (``SchoolChange`` rows of the head's title,
  first and last name; one change of head usually writes several, so changes are counted as distinct dates), only
  the changes that are a new head, not the same person (``schools.risk.headchanges``, #14.5). ``head_since`` is the
  date GIAS recorded the latest new head, not the day the head started.
* ``measures``: a predecessor's rows (GIAS links "Predecessor…" / "Successor…") are moved onto its successor in
  the register, following chains, so a converted school keeps its trend;
  the better source (``source_rank``) wins, then the successor's own rows.
* ``inspections``: by ``Inspection.urn``, the school the Ofsted MI row is for (Ofsted itself files a converted
  school's predecessor inspection under the current URN, with ``urn_at_inspection``); nothing else is moved.
* ``intelligence``: per school and kind, the latest entry up to ``today`` that is not archived, plus the entries
  the register of concern counts, with the kind as the engine reads it (``IntelligenceEntry.engine_kind``) and
  the issue it belongs to (``thread``: its first entry's id, #14.5); a confidential entry's summary is replaced by
  ``CONFIDENTIAL_SUMMARY``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import numpy as np
import pandas as pd
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from partnership.models import Partnership
from schools.models import AreaAverage, Inspection, PerformanceValue, School, SchoolLink
from schools.risk.engine.confidential import CONFIDENTIAL_SUMMARY
from schools.risk.engine.frames import INSPECTION_GRADES, INSPECTION_TEXT, RiskInputs
from schools.risk.engine.ruleset import DEFAULT_RULESET, Ruleset
from schools.risk.headchanges import head_changes_list
from schools.risk.models import IntelligenceEntry

FactProvider = Callable[[Partnership, dt.date, Ruleset], pd.DataFrame]
INTELLIGENCE_FACT_PROVIDERS: list[FactProvider] = []
"""Apps above risk add computed facts to the engine's intelligence (peer review: C9) without risk importing them:
``provider(partnership, today, ruleset)`` returns rows of ``school_id, kind, rating, recorded_on, summary`` known
on ``today``. Registered in the app's ``ready()`` with ``intelligence_facts_register``."""


def intelligence_facts_register(provider: FactProvider) -> None:
    """Add a provider of computed intelligence facts (once)."""
    if provider not in INTELLIGENCE_FACT_PROVIDERS:
        INTELLIGENCE_FACT_PROVIDERS.append(provider)


HEAD_CHANGE_YEARS = 3
ACADEMY_TYPE_GROUPS = ("Academies", "Free Schools")
MAX_LINK_STEPS = 6  # a URN converted more than six times over is not a real case
# What the engine reads of an inspection (its frame contract), plus the row's identity and dates.
INSPECTION_COLUMNS = ("inspection_number", "start_date", "publication_date", *INSPECTION_GRADES, *INSPECTION_TEXT)


def academic_year_end(day: dt.date) -> int:
    """The academic year containing ``day``, as its ending calendar year (1 September 2025 → 2026)."""
    return day.year + 1 if day.month >= 9 else day.year


def risk_inputs_load(
    *,
    partnership: Partnership,
    as_at: int | None = None,
    today: dt.date | None = None,
    ruleset: Ruleset = DEFAULT_RULESET,
) -> RiskInputs:
    """The engine's input frames for ``partnership``, as known on ``today``, for the academic year ``as_at``.

    As known then, exactly: results and averages that only a file later than ``as_at`` published, inspections
    published after ``today``, and intelligence recorded after ``today`` are left out; an entry archived since
    still counts. A categorisation as at a past year (the backtest) is therefore the one that could have been made.

    ``today`` defaults to the current date, or to 31 August of ``as_at`` when that is earlier (a categorisation
    as at a past year sees only inspections, history and intelligence dated up to then). ``as_at`` defaults to
    the academic year containing ``today``. Measures older than ``ruleset`` can read (its oldest latest year,
    ``as_at - max_age_years``, less its history span) are not loaded.
    """
    if today is None:
        today = timezone.localdate()
        if as_at is not None:
            today = min(today, dt.date(as_at, 8, 31))
    as_at = as_at if as_at is not None else academic_year_end(today)
    schools = _schools(partnership, today, ruleset)
    ids_by_urn = pd.Series(schools.index.to_numpy(), index=schools["urn"].to_numpy(), dtype="int64")
    return RiskInputs(
        as_at=as_at,
        today=today,
        schools=schools,
        measures=_measures(
            partnership, (_first_year(as_at, ruleset), as_at), ids_by_urn, _successors(partnership, ids_by_urn)
        ),
        averages=_averages(partnership, as_at),
        inspections=_inspections(partnership, today, ids_by_urn),
        intelligence=_intelligence(partnership, today, schools.index, ruleset),
    )


# --------------------------------------------------------------------------------------------- reading


READ_CHUNKS = 16  # rows are aggregated server-side into this many CSV texts, each well under PostgreSQL's 1GB


def _read(queryset: QuerySet, columns: dict[str, str], *, keep_order: bool = False) -> pd.DataFrame:
    """The rows of a ``values_list`` queryset as a frame, each column parsed with its dtype, in one query.

    ``columns`` maps names to ``"int"`` (nullable: float), ``"float"``, ``"text"`` ("" for NULL), ``"bool"``
    (``"true"``/``"false"``/"") or ``"date"`` (NaT for NULL). The ordering is dropped unless ``keep_order``
    (DISTINCT ON needs it). PostgreSQL writes the rows as CSV text (``string_agg`` over the queryset, in a few
    chunks) and pandas' C reader parses it: a million rows cost one round trip and no Python work per row, several
    times faster than fetching tuples or iterating ``COPY … TO STDOUT`` row by row.
    """
    statement, params = (queryset if keep_order else queryset.order_by()).query.sql_with_params()
    names = list(columns)
    aliases = [f"c{i}" for i in range(len(names))]
    line = " || ',' || ".join(_csv_field(f"q.{a}", columns[n]) for a, n in zip(aliases, names, strict=True))
    # Every part is generated here or by Django's compiler; values travel separately, as params.
    sql = (
        f"SELECT string_agg({line}, E'\\n') FROM ({statement}) AS q({', '.join(aliases)}) "  # noqa: S608
        f"GROUP BY hashtext(q.c0::text) & {READ_CHUNKS - 1}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall() if row[0])
    numeric = [name for name, kind in columns.items() if kind in ("int", "float")]
    if not text:
        frame = pd.DataFrame({name: pd.Series(dtype="float64" if name in numeric else object) for name in columns})
    else:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            names=names,
            dtype={name: ("float64" if name in numeric else object) for name in columns},
            keep_default_na=False,
            na_values={name: [""] for name in numeric},
        )
    for name, kind in columns.items():
        if kind == "bool":
            frame[name] = frame[name].map({"true": "true", "false": "false"}).fillna("").astype(object)
        elif kind == "date":
            frame[name] = pd.to_datetime(frame[name].replace("", None), errors="coerce")
    return frame


def _csv_field(column: str, kind: str) -> str:
    """SQL for one CSV field: numbers bare, everything else quoted (quotes doubled); NULL as nothing."""
    if kind in ("int", "float"):
        return f"coalesce({column}::text, '')"
    return f"""coalesce('"' || replace({column}::text, '"', '""') || '"', '')"""


def _column_kinds(model: type[models.Model], names: tuple[str, ...]) -> dict[str, str]:
    """The loader's kind of each of ``names`` that ``model`` has (fields it lacks are left out)."""
    kinds: dict[str, str] = {}
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a column the storage does not carry stays out (the engine treats it as empty)
            continue
        if isinstance(field, models.BooleanField):
            kinds[name] = "bool"
        elif isinstance(field, models.DateField):
            kinds[name] = "date"
        elif isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
            kinds[name] = "float"
        else:
            kinds[name] = "text"
    return kinds


# --------------------------------------------------------------------------------------------- frames


def _schools(partnership: Partnership, today: dt.date, ruleset: Ruleset) -> pd.DataFrame:
    """One row per open, state-funded school, indexed by ``school_id``, with its head-teacher history."""
    kinds = {
        "school_id": "int",
        "urn": "int",
        "name": "text",
        "phase": "text",
        "type_group": "text",
        "type_name": "text",
        "district": "text",
        "number_of_pupils": "float",
        "statutory_high_age": "float",
    }
    rows = School.objects.filter(partnership=partnership).open().state_funded()
    frame = _read(rows.values_list("id", *list(kinds)[1:]), kinds)
    frame["school_id"] = frame["school_id"].astype("int64")
    frame["urn"] = frame["urn"].astype("int64")
    type_name = frame["type_name"].str.lower()
    frame["is_academy"] = (
        frame["type_group"].isin(ACADEMY_TYPE_GROUPS)
        | type_name.str.contains("academy", regex=False)
        | type_name.str.startswith("free school")
    )
    special = (frame["type_group"] == "Special schools") | type_name.str.contains("special", regex=False)
    ap = type_name.str.contains("pupil referral", regex=False) | type_name.str.contains("alternative provision")
    frame["provision"] = np.select([special.to_numpy(bool), ap.to_numpy(bool)], ["special", "ap"], "")
    heads = _head_history(partnership, today, ruleset).reindex(frame["school_id"])
    frame["head_changes_3y"] = heads["changes"].fillna(0).to_numpy(dtype="int64")
    frame["head_since"] = heads["since"].to_numpy()
    return frame.drop(columns=["type_name"]).set_index("school_id")


def _head_history(partnership: Partnership, today: dt.date, ruleset: Ruleset) -> pd.DataFrame:
    """Per school: distinct dates in the last three years when GIAS recorded a new head, and the latest such date.

    A change of the head's name is a new head only when it is not the same person (#14.5): a marriage or a spelling
    fix is not, and an officer's "same person" or "new head" wins (``schools.risk.headchanges``)."""
    cutoff = today.replace(year=today.year - HEAD_CHANGE_YEARS) if (today.month, today.day) != (2, 29) else today
    changes = [
        (c.school_id, pd.Timestamp(c.changed_on), c.changed_on > cutoff)
        for c in head_changes_list(partnership=partnership, until=today, similarity=ruleset.c1.name_similarity)
        if c.new_head
    ]
    if not changes:
        return pd.DataFrame({"changes": pd.Series(dtype="float64"), "since": pd.Series(dtype="datetime64[ns]")})
    frame = pd.DataFrame(changes, columns=["school_id", "on", "recent"])
    recent = frame[frame["recent"]].groupby("school_id")["on"].nunique()
    since = frame.groupby("school_id")["on"].max()
    return pd.DataFrame({"changes": recent, "since": since}, index=since.index.astype("int64"))


def _successors(partnership: Partnership, ids_by_urn: pd.Series) -> pd.DataFrame:
    """Predecessor URN → successor ``school_id`` (in scope), following chains; a URN in scope is never moved."""
    links = _read(
        SchoolLink.objects.filter(partnership=partnership)
        .filter(Q(link_type__startswith="Predecessor") | Q(link_type__startswith="Successor"))
        .values_list("urn", "linked_urn", "link_type"),
        {"urn": "int", "linked_urn": "int", "link_type": "text"},
    )
    is_successor = links["link_type"].str.startswith("Successor")
    pairs = pd.DataFrame(
        {
            "predecessor": np.where(is_successor, links["urn"], links["linked_urn"]).astype("int64"),
            "successor": np.where(is_successor, links["linked_urn"], links["urn"]).astype("int64"),
        }
    ).drop_duplicates()
    pairs = pairs[~pairs["predecessor"].isin(ids_by_urn.index) & (pairs["predecessor"] != pairs["successor"])]
    resolved = pairs.assign(target=pairs["successor"])
    # Follow chains (A → B → C): a target not in scope is replaced by its own successor, a fixed number of times.
    for _ in range(MAX_LINK_STEPS):
        pending = ~resolved["target"].isin(ids_by_urn.index)
        if not pending.any():
            break
        step = resolved[pending].merge(pairs, left_on="target", right_on="predecessor", suffixes=("", "_next"))
        step = step.assign(target=step["successor_next"])[["predecessor", "successor", "target"]]
        resolved = pd.concat([resolved[~pending], step], ignore_index=True)
    resolved = resolved[resolved["target"].isin(ids_by_urn.index)]
    return pd.DataFrame(
        {"urn": resolved["predecessor"].to_numpy(), "school_id": ids_by_urn.reindex(resolved["target"]).to_numpy()}
    ).drop_duplicates()


def _first_year(as_at: int, ruleset: Ruleset) -> int:
    """The oldest year of measures ``ruleset`` can look at when categorising ``as_at``."""
    return as_at - ruleset.data.max_age_years - ruleset.data.history_span_years


def _measures(
    partnership: Partnership, years: tuple[int, int], ids_by_urn: pd.Series, successors: pd.DataFrame
) -> pd.DataFrame:
    """Measure rows of schools in scope in ``years`` (first, last), a predecessor's rows moved onto its successor.

    When both give a value for the same school, year and code, the one from the better source wins (a year's own
    file beats a later file's previous-year column: ``source_rank``), and at equal rank the school's own row.
    """
    columns = ["school_id", "year", "code", "value", "missing"]
    kinds = {"urn": "int", "year": "int", "code": "text", "value": "float", "missing": "text", "source_rank": "int"}
    known = PerformanceValue.objects.filter(partnership=partnership, year__gte=years[0], year__lte=years[1])
    rows = _read(known.filter(_published_by(years[1])).values_list(*kinds), kinds)
    rows["urn"] = rows["urn"].astype("int64")
    own = rows.assign(school_id=ids_by_urn.reindex(rows["urn"]).to_numpy(), own=1)
    own = own[own["school_id"].notna()]
    moved = rows.merge(successors, on="urn", how="inner").assign(own=0)
    frame = pd.concat([own, moved], ignore_index=True)
    frame = frame.sort_values(["source_rank", "own"], ascending=False, kind="stable")
    frame = frame.drop_duplicates(["school_id", "year", "code"], keep="first")[columns].reset_index(drop=True)
    frame["school_id"] = frame["school_id"].astype("int64")
    frame["year"] = frame["year"].astype("int64")
    return frame


def _published_by(as_at: int) -> Q:
    """Rows published by the file of ``as_at`` or earlier: a later file's previous-year column (``source_rank``
    below a year's own file) was published ``OWN_YEAR - source_rank`` years after its year."""
    return Q(source_rank__gte=F("year") + PerformanceValue.Rank.OWN_YEAR - as_at)


def _averages(partnership: Partnership, as_at: int) -> pd.DataFrame:
    """England and LA averages per year and code, up to ``as_at``, as published by then."""
    kinds = {"year": "int", "code": "text", "area": "text", "value": "float"}
    query = AreaAverage.objects.filter(_published_by(as_at), partnership=partnership, year__lte=as_at).values_list(
        *kinds
    )
    frame = _read(query, kinds)
    frame["year"] = frame["year"].astype("int64")
    return frame


def _inspections(partnership: Partnership, today: dt.date, ids_by_urn: pd.Series) -> pd.DataFrame:
    """Every inspection of a school in scope that started, and was published, on or before ``today``."""
    kinds = {"urn": "int", **_column_kinds(Inspection, INSPECTION_COLUMNS)}
    published = Q(publication_date__isnull=True) | Q(publication_date__lte=today)
    query = Inspection.objects.filter(published, partnership=partnership, start_date__lte=today).values_list(*kinds)
    frame = _read(query, kinds)
    frame.insert(0, "school_id", ids_by_urn.reindex(frame["urn"].astype("int64")).to_numpy())
    frame = frame[frame["school_id"].notna()].astype({"school_id": "int64", "urn": "int64"})
    return frame.reset_index(drop=True)


def _intelligence(partnership: Partnership, today: dt.date, school_ids: pd.Index, ruleset: Ruleset) -> pd.DataFrame:
    """Per school and kind, the latest entry on or before ``today`` that is not archived, plus every entry the
    register of concern counts (rated as ``ruleset.concerns`` says, within its window). A confidential entry's
    summary never reaches the engine, whose sentences schools may read: it says the details are confidential."""
    end_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time.max))
    current = IntelligenceEntry.objects.filter(  # as known at the end of ``today``: recorded by then, not archived
        Q(archived_at__isnull=True) | Q(archived_at__gt=end_of_day),
        partnership=partnership,
        recorded_on__lte=today,
        created_at__lte=end_of_day,
    ).annotate(
        shown=Case(When(confidential=True, then=Value(CONFIDENTIAL_SUMMARY)), default=F("summary")),
        issue=Coalesce("thread_id", "id"),  # #14.5: updates on one issue share its first entry's id
    )
    columns = {
        "id": "int",
        "school_id": "int",
        "kind": "text",
        "rating": "text",
        "recorded_on": "date",
        "shown": "text",
        "issue": "int",
    }
    latest = (
        current.order_by("school_id", "kind", "-recorded_on", "-created_at")
        .distinct("school_id", "kind")
        .values_list(*columns)
    )
    concerns = current.filter(
        rating__in=ruleset.concerns.ratings,
        recorded_on__gt=today - dt.timedelta(days=ruleset.concerns.window_days),
    ).values_list(*columns)
    frame = pd.concat([_read(latest, columns, keep_order=True), _read(concerns, columns)], ignore_index=True)
    frame = frame.drop_duplicates("id").drop(columns="id").rename(columns={"shown": "summary", "issue": "thread"})
    frame["school_id"] = frame["school_id"].astype("int64")
    frame["kind"] = frame["kind"].replace({str(k): v for k, v in IntelligenceEntry.ENGINE_KINDS.items()})
    for provider in INTELLIGENCE_FACT_PROVIDERS:
        frame = pd.concat([frame, provider(partnership, today, ruleset)], ignore_index=True)
    return frame[frame["school_id"].isin(school_ids)].reset_index(drop=True)
