"""Display values for the register: what the list, the page and the CSV show."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from partnership.charts import Chart, Series, line_chart, percent
from schools.models import PerformanceValue, School
from schools.performance.layouts import ABSENCE_LAYOUT, KS2_LAYOUT, KS4_LAYOUT, PERCENT
from schools.performance.years import academic_year_label
from schools.selectors import RESULT_CODES, ListColumn, SchoolResults

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("urn", "URN"),
    ("name", "School name"),
    ("laestab", "LAESTAB"),
    ("la_name", "Local authority"),
    ("type_name", "Type"),
    ("type_group", "Type group"),
    ("phase", "Phase"),
    ("status", "Status"),
    ("open_date", "Opened"),
    ("close_date", "Closed"),
    ("district", "District"),
    ("town", "Town"),
    ("postcode", "Postcode"),
    ("trust_name", "Trust"),
    ("diocese_name", "Diocese"),
    ("head_name", "Headteacher"),
    ("number_of_pupils", "Pupils"),
    ("ofsted_rating", "Ofsted rating"),
    ("ofsted_last_inspection", "Last Ofsted inspection"),
    ("cluster_names", "Clusters"),
    ("easting", "Easting"),
    ("northing", "Northing"),
    ("latitude", "Latitude"),
    ("longitude", "Longitude"),
]


def with_cluster_names(schools: QuerySet[School]) -> QuerySet[School]:
    """Annotate each school with its current clusters' names (one query, whatever the size), stably ordered.

    The names are a subquery per school rather than a join and GROUP BY over the whole list: PostgreSQL then works
    them out for the page of 50 rows it returns, not for every school of the region before sorting (#15: 10 ms of
    database time on every view of a 4,000-school list), and the page count needs no grouping."""
    ordering = [*(schools.query.order_by or ["name"]), "pk"]
    names = (
        School.objects.filter(pk=OuterRef("pk"))
        .annotate(
            names=StringAgg(
                "cluster_memberships__cluster__name",
                delimiter="; ",
                filter=Q(
                    cluster_memberships__left_on__isnull=True, cluster_memberships__cluster__archived_at__isnull=True
                ),
                order_by="cluster_memberships__cluster__name",
                default="",
            )
        )
        .values("names")
    )
    return schools.order_by(*ordering).annotate(cluster_names=Subquery(names, output_field=CharField()))


_SCHOOL_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{url}">{name}</a>{trust}</td>'
    '<td class="govuk-table__cell">{urn}</td>'
    '<td class="govuk-table__cell">{phase}</td>'
    '<td class="govuk-table__cell">{type_name}</td>'
    '<td class="govuk-table__cell">{status}</td>'
    '<td class="govuk-table__cell">{district}</td>'
    '<td class="govuk-table__cell">{clusters}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{pupils}</td>'
    "{extra}</tr>"
)
_NO_CLUSTER = '<strong class="govuk-tag govuk-tag--orange">No cluster</strong>'


def school_rows_html(
    schools: Iterable[School], *, columns: list[tuple[ListColumn, dict]], school_url: Callable[[int], str]
) -> SafeString:
    """The schools list's rows (schools from ``with_cluster_names``, annotated with each column's ``key``) as HTML,
    every value escaped: written here rather than by a template loop, which was most of the list's rendering time
    at regional size (#15). ``columns``: the other apps' columns with their page context; each cell is written by
    the column's ``cell_html`` or, lacking one, its ``cell_template``. The same markup as the loop it replaced (a
    test renders both)."""
    esc = conditional_escape
    parts = []
    for school in schools:
        extra = "".join(
            f'<td class="govuk-table__cell">{_column_cell(column, getattr(school, column.key), cell)}</td>'
            for column, cell in columns
        )
        names = school.cluster_names  # type: ignore[attr-defined]  # with_cluster_names
        parts.append(
            _SCHOOL_ROW.format(
                url=esc(school_url(school.urn)),
                name=esc(school.name),
                trust=f'<br><span class="govuk-body-s">{esc(school.trust_name)}</span>' if school.trust_name else "",
                urn=school.urn,
                phase=esc(school.phase),
                type_name=esc(school.type_name),
                status=esc(school.status),
                district=esc(school.district),
                clusters=esc(names) if names else (_NO_CLUSTER if school.is_open else ""),
                pupils=esc(intcomma("" if school.number_of_pupils is None else school.number_of_pupils)),
                extra=extra,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped, every cell is safe HTML


def _column_cell(column: ListColumn, value: object, cell: dict) -> str:
    if column.cell_html is not None:
        return column.cell_html(value, cell)
    return render_to_string(column.cell_template, {"value": value, "cell": cell})


def csv_safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula: risky leading characters get a quote prefix."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def schools_csv_rows(schools: Iterable[School]) -> Iterator[str]:
    """The register as CSV lines (header first), every cell formula-safe."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([label for _, label in EXPORT_COLUMNS])
    for school in schools:
        yield writer.writerow([csv_safe(getattr(school, attr, "")) for attr, _ in EXPORT_COLUMNS])


def school_facts(school: School) -> list[tuple[str, str]]:
    """The register facts shown on a school's page, as (label, value) rows, blanks left out."""
    address = ", ".join(p for p in (school.street, school.locality, school.address3, school.town, school.postcode) if p)
    ages = (
        f"{school.statutory_low_age} to {school.statutory_high_age}"
        if school.statutory_low_age is not None and school.statutory_high_age is not None
        else ""
    )
    rows = [
        ("URN", str(school.urn)),
        ("DfE number (LAESTAB)", school.laestab),
        ("UKPRN", school.ukprn),
        ("Local authority", school.la_name),
        ("Type", school.type_name),
        ("Type group", school.type_group),
        ("Phase", school.phase),
        ("Age range", ages),
        ("Gender", school.gender),
        ("Status", school.status),
        ("Opened", school.open_date.strftime("%-d %B %Y") if school.open_date else ""),
        ("Closed", school.close_date.strftime("%-d %B %Y") if school.close_date else ""),
        (
            "Headteacher",
            " ".join(p for p in (school.head_name, f"({school.head_job_title})" if school.head_job_title else "") if p),
        ),
        ("Pupils", f"{school.number_of_pupils:,}" if school.number_of_pupils is not None else ""),
        ("Capacity", f"{school.school_capacity:,}" if school.school_capacity is not None else ""),
        ("Free school meals", f"{school.percentage_fsm}%" if school.percentage_fsm is not None else ""),
        ("Religious character", school.religious_character),
        ("Address", address),
        ("District", school.district),
        ("Ward", school.ward),
        ("Constituency", school.constituency),
        ("Urban or rural", school.urban_rural),
        ("Ofsted rating (from GIAS)", school.ofsted_rating),
        (
            "Last Ofsted inspection",
            school.ofsted_last_inspection.strftime("%-d %B %Y") if school.ofsted_last_inspection else "",
        ),
        ("Website", school.website),
        ("Telephone", school.telephone),
        ("GIAS last changed", school.gias_last_changed.strftime("%-d %B %Y") if school.gias_last_changed else ""),
    ]
    return [(label, value) for label, value in rows if value]


# An import's counts in words (#14): the result table never shows a counter's name.
IMPORT_COUNT_LABELS: dict[str, str] = {
    "year": "Academic year",
    "rows": "Rows in the file",
    "school_rows": "School rows in the file",
    "skipped_other_la": "Rows for schools in other local authorities (skipped)",
    "schools_matched": "Schools of this partnership matched",
    "schools_matched_through_links": "of which matched through GIAS links (predecessor or successor URNs)",
    "unmatched_urns": "URNs not in the register",
    "values_stored": "Values stored",
    "values_created": "Values new",
    "values_updated": "Values updated",
    "values_unchanged": "Values unchanged",
    "values_kept_from_a_better_source": "Values kept from a better source (a later file's own year)",
    "values_missing_with_reason": "Values missing, with the DfE's reason",
    "averages_found": "Averages (national and local authority) found",
    "averages_created": "Averages new",
    "averages_updated": "Averages updated",
    "years_covered": "Academic years covered",
    "inspections_found": "Inspections found",
    "report_card_inspections": "Report cards",
    "oeif_inspections": "Graded inspections (legacy framework)",
    "ungraded_inspections": "Ungraded inspections",
    "inspections_created": "Inspections new",
    "inspections_updated": "Inspections updated",
    "inspections_unchanged": "Inspections unchanged",
}
MISSING_WORDS: dict[str, str] = {
    "blank": "left blank",
    "SUPP": "suppressed (small numbers)",
    "NE": "no entries",
    "NP": "not published",
    "NA": "not applicable",
    "LOWCOV": "low coverage",
    "NEW": "new school",
    "DNS": "did not submit",
    "x": "not available",
    "..": "not available",
    "NULL": "no value",
}


def import_count_rows(counts: dict) -> list[tuple[str, object]]:
    """An import's counts as (words, value) rows, in the order recorded."""
    rows = []
    for key, value in counts.items():
        if key in IMPORT_COUNT_LABELS:
            label = IMPORT_COUNT_LABELS[key]
        elif key.startswith("missing_"):
            code = key.removeprefix("missing_")
            label = f"Values missing: {MISSING_WORDS.get(code, code)}"
        else:
            label = key.replace("_", " ").capitalize()
        rows.append((label, f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value))
    return rows


# --- A school's results and inspections by year (#14.9) ---------------------------------------------------------

RESULT_LABELS: dict[str, str] = {
    "ks2_rwm_exp": "KS2 reading, writing and maths at the expected standard",
    "ks2_read_prog": "KS2 reading progress",
    "ks2_mat_prog": "KS2 maths progress",
    "ks4_att8": "Attainment 8",
    "ks4_p8": "Progress 8",
    "abs_overall": "Overall absence",
    "abs_persistent": "Persistent absence",
}
LEGACY_GRADES = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}


MEASURE_KINDS = {m.code: m.kind for layout in (KS2_LAYOUT, KS4_LAYOUT, ABSENCE_LAYOUT) for m in layout.measures}


def _is_percent(code: str) -> bool:
    return MEASURE_KINDS.get(code) == PERCENT


def result_text(code: str, value: float | None, missing: str = "") -> str:
    """A published figure as people read it: a percentage with its per cent sign ("64.5%"), a score signed to two
    decimals ("-1.23"), or why there is none ("Suppressed (small numbers)")."""
    if value is None:
        return dict(PerformanceValue.Missing.choices).get(missing, "Not published") if missing else "Not published"
    if _is_percent(code):
        return f"{value:.1f}%"
    if code.endswith("_prog") or code.endswith("_p8"):
        return f"{value:+.2f}"
    return f"{value:.1f}"


@dataclass(frozen=True)
class ResultsTable:
    """Years down, the school's measures across (only those it has a figure or a reason for)."""

    head: list[str]
    rows: list[tuple[str, list[str]]]


def results_table(results: SchoolResults) -> ResultsTable:
    """``schools.selectors.SchoolResults`` as a small table: each cell the school's figure and England's."""
    found = {(year, code): (value, missing) for year, code, value, missing in results.values}
    codes = [c for c in RESULT_CODES if any(code == c for _, code in found)]
    years = sorted({year for year, _ in found}, reverse=True)
    rows = []
    for year in years:
        cells = []
        for code in codes:
            value, missing = found.get((year, code), (None, ""))
            text = result_text(code, value, missing) if (year, code) in found else "Not imported"
            england = results.england.get((year, code))
            cells.append(text + (f" (England {result_text(code, england)})" if england is not None else ""))
        rows.append((academic_year_label(year), cells))
    return ResultsTable(head=["Year", *(RESULT_LABELS[c] for c in codes)], rows=rows)


def results_chart(results: SchoolResults, school_name: str) -> Chart | None:
    """A trend chart of the school's percentage measures against England (None when it has none): a line per
    measure for the school and one for England, with the same numbers in the chart's table."""
    found = {(year, code): value for year, code, value, _ in results.values}
    codes = [c for c in RESULT_CODES if _is_percent(c) and any(v is not None for (_, k), v in found.items() if k == c)]
    if not codes:
        return None
    years = sorted({year for year, _ in found})
    series = []
    for code in codes:
        series.append(Series(f"{RESULT_LABELS[code]}: this school", [found.get((y, code)) for y in years]))
        england = [results.england.get((y, code)) for y in years]
        if any(v is not None for v in england):
            series.append(Series(f"{RESULT_LABELS[code]}: England", england))
    return line_chart(
        key="school-results",
        title=f"{school_name}: results over time (percentages)",
        x=[academic_year_label(y) for y in years],
        series=series,
        x_label="Academic year",
        value_label="Per cent",
        fmt=percent,
        value_range=(0, 100),
    )


@dataclass(frozen=True)
class InspectionRow:
    """One Ofsted inspection on the school page."""

    date: str
    kind: str
    outcome: str
    note: str


def inspection_rows(results: SchoolResults) -> list[InspectionRow]:
    """The school's inspections, newest first, in Ofsted's own words (grades are never converted); a predecessor's
    inspection filed under this URN is marked as such."""
    rows = []
    for ins in results.inspections:
        if ins.framework == "report_card":
            areas = [
                (label, getattr(ins, field))
                for field, label in (
                    ("rc_achievement", "achievement"),
                    ("rc_curriculum_teaching", "curriculum and teaching"),
                    ("rc_inclusion", "inclusion"),
                    ("rc_attendance_behaviour", "attendance and behaviour"),
                    ("rc_leadership_governance", "leadership and governance"),
                )
                if getattr(ins, field)
            ]
            grade = dict(ins._meta.get_field("rc_achievement").choices or [])
            outcome = "; ".join(f"{label}: {grade.get(value, value).lower()}" for label, value in areas)
        elif ins.framework == "oeif":
            outcome = LEGACY_GRADES.get(ins.overall or 0, "Overall effectiveness not judged")
        else:
            outcome = ins.ungraded_outcome or "Ungraded inspection"
        if ins.category_of_concern:
            outcome += f" ({ins.category_of_concern})"
        note = ""
        if ins.relates_to_current_urn is False:
            note = f"A predecessor school's inspection (URN {ins.urn_at_inspection or 'not given'})"
        rows.append(
            InspectionRow(
                f"{ins.start_date.day} {ins.start_date:%B %Y}", ins.get_framework_display(), outcome or "—", note
            )
        )
    return rows
