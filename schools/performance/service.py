"""The performance import service: a KS2, KS4, absence, census or Ofsted MI file into a partnership.

``performance_import`` is the one import path (the ``import_performance`` command and the ImportJob task both
call it). Like the GIAS importer it reads and checks the whole file first, then writes everything in ONE
transaction, so a rejected file or a failure part-way leaves the database as it was; progress is reported only
outside that transaction. After a successful import commits, ``signals.performance_imported`` is called with the
schools whose data changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.db import transaction

from partnership.models import Partnership
from schools.importers.errors import ImportRejected, RowError
from schools.importers.service import ImportResult
from schools.models import ImportJob, PerformanceUpload
from schools.performance import signals
from schools.performance.layouts import LABELS, OFSTED, PERFORMANCE_KINDS, TABULAR_LAYOUTS, YEARLESS_KINDS
from schools.performance.matching import Match, Register, register_load, urns_match
from schools.performance.measures import MeasureRows, measure_rows_check
from schools.performance.ofsted import InspectionRows, inspection_rows_check
from schools.performance.reading import PerformanceSource, performance_source_open
from schools.performance.storing import Written, area_averages_write, inspections_write, performance_values_write
from schools.performance.values import MISSING_FOR_TEXT
from schools.performance.years import academic_year_label

ProgressCallback = Callable[[int, str], None]


def performance_import(
    *,
    partnership: Partnership,
    kind: str,
    year: int | None,
    path: Path | str,
    job: ImportJob | None = None,
    on_progress: ProgressCallback | None = None,
    allow_no_match: bool = False,
) -> ImportResult:
    """Import a ``kind`` file for academic ``year`` (its ending year; None for Ofsted) into ``partnership``.

    A file with any problem is rejected whole: the result carries its row-level errors and nothing is written.
    A file with no school row for the partnership (its LA codes or its register's URNs) is refused too, unless
    ``allow_no_match`` (the officer confirms, e.g. for England averages only); then it says nothing matched.
    """
    report = on_progress or (lambda percent, message: None)
    if kind not in PERFORMANCE_KINDS:
        raise ValueError(f"Not a performance kind: {kind!r}")
    report(5, "Reading the file")
    try:
        if year is None and kind not in YEARLESS_KINDS:
            raise ImportRejected([RowError(None, "", "Choose the academic year the file is for")])
        source = performance_source_open(path=path, kind=kind)
        register = register_load(partnership=partnership)
        if kind == OFSTED:
            result = _inspections_import(partnership, source, register, job, report, allow_no_match)
        else:
            result = _measures_import(partnership, source, register, year or 0, job, report, allow_no_match)
    except ImportRejected as rejected:
        return ImportResult(kind=kind, errors=rejected.errors, error_count=rejected.total)
    report(100, "Finished")
    return result


def performance_job_import(*, job: ImportJob, on_progress: ProgressCallback | None = None) -> ImportResult:
    """Run ``performance_import`` for an uploaded ImportJob, with the year chosen at upload, and the officer's
    confirmation to import a file that matches nothing in the partnership (#14.8)."""
    upload = PerformanceUpload.objects.filter(job=job).first()
    return performance_import(
        partnership=job.partnership,
        kind=job.kind,
        year=upload.year if upload else None,
        path=job.stored_path,
        job=job,
        on_progress=on_progress,
        allow_no_match=bool(upload and upload.allow_no_match),
    )


def _announce(partnership: Partnership, school_ids: set[int]) -> None:
    """Tell the risk engine, once this import's transaction has committed."""
    ids = sorted(school_ids)
    transaction.on_commit(lambda: signals.performance_imported(partnership=partnership, school_ids=ids))


# --- KS2, KS4, absence, census -----------------------------------------------------------------------------------


def _measures_import(
    partnership: Partnership,
    source: PerformanceSource,
    register: Register,
    year: int,
    job: ImportJob | None,
    report: ProgressCallback,
    allow_no_match: bool = False,
) -> ImportResult:
    layout = TABULAR_LAYOUTS[source.kind]
    report(20, f"Checking the {layout.label} file")
    rows = measure_rows_check(
        source=source,
        layout=layout,
        year=year,
        la_codes=list(partnership.la_codes),
        known_urns=register.known_urns,
    )
    if rows.values.empty and not allow_no_match:
        raise ImportRejected([_no_match_error(partnership, rows.school_rows)])
    match = urns_match(register=register, urns=rows.values["urn"].to_numpy(dtype=np.int64))
    report(50, f"Writing {len(rows.values):,} values")
    with transaction.atomic():
        values = performance_values_write(
            partnership=partnership, values=rows.values, school_ids=match.school_ids, job=job
        )
        averages = area_averages_write(partnership=partnership, averages=rows.averages, job=job)
        changed = set(values.school_ids)
        if averages.created or averages.updated:
            changed |= {int(i) for i in match.school_ids[~np.isnan(match.school_ids)]}
        _announce(partnership, changed)
    counts = _measure_counts(rows, match, values, averages, year)
    headline = _nothing_matched(counts) + _measure_headline(source.kind, year, counts)
    return ImportResult(kind=source.kind, counts=counts, headline=headline)


NOTHING_MATCHED = "Nothing matched this partnership: "


def _nothing_matched(counts: dict[str, int | str]) -> str:
    """The warning that starts a result in which no school of the partnership was matched."""
    return NOTHING_MATCHED if not counts.get("schools_matched") else ""


def _no_match_error(partnership: Partnership, school_rows: int) -> RowError:
    codes = ", ".join(partnership.la_codes) or "none"
    return RowError(
        None,
        "",
        f"Nothing matched this partnership: none of the file's {school_rows:,} school rows is for its local "
        f"authority codes ({codes}) or a school in its register. Check that this is the right file (to import it "
        "anyway, for its national averages, upload it again and tick 'Import it anyway', or run import_performance "
        "with --allow-no-match).",
    )


def _measure_counts(
    rows: MeasureRows, match: Match, values: Written, averages: Written, year: int
) -> dict[str, int | str]:
    urns = rows.values["urn"].to_numpy(dtype=np.int64)
    matched = ~np.isnan(match.school_ids)
    stored = len(rows.values)
    counts: dict[str, int | str] = {
        "year": academic_year_label(year),
        "rows": rows.rows,
        "school_rows": rows.school_rows,
        "skipped_other_la": rows.skipped_other_la,
        "schools_matched": len(np.unique(urns[matched])),
        "schools_matched_through_links": len(np.unique(urns[match.via_link])),
        "unmatched_urns": len(np.unique(urns[~matched])),
        "values_stored": stored,
        "values_created": values.created,
        "values_updated": values.updated,
        "values_unchanged": stored - values.created - values.updated - values.kept_better,
        "values_kept_from_a_better_source": values.kept_better,
        "values_missing_with_reason": int((rows.values["missing"] != "").sum()),
    }
    reasons = rows.values.loc[rows.values["missing"] != "", "missing"].value_counts()
    for reason in dict.fromkeys(MISSING_FOR_TEXT.values()):
        if reasons.get(reason):
            counts[f"missing_{reason}"] = int(reasons[reason])
    counts["averages_found"] = len(rows.averages)
    counts["averages_created"] = averages.created
    counts["averages_updated"] = averages.updated
    counts["years_covered"] = _years(rows.values.loc[rows.values["value"].notna(), "year"])
    return counts


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _years(years) -> str:
    found = sorted({int(y) for y in years})
    return ", ".join(map(str, found)) if found else "none"


def _measure_headline(kind: str, year: int, counts: dict[str, int | str]) -> str:
    return (
        f"{_sentence(LABELS[kind])} {academic_year_label(year)}: {counts['schools_matched']:,} schools matched "
        f"({counts['schools_matched_through_links']:,} through GIAS links), {counts['unmatched_urns']:,} URNs "
        f"not in the register; {counts['values_stored']:,} values ({counts['values_missing_with_reason']:,} missing "
        f"with a reason): {counts['values_created']:,} new, {counts['values_updated']:,} updated; "
        f"{counts['averages_found']:,} averages; years covered {counts['years_covered']}"
    )


# --- Ofsted ------------------------------------------------------------------------------------------------------


def _inspections_import(
    partnership: Partnership,
    source: PerformanceSource,
    register: Register,
    job: ImportJob | None,
    report: ProgressCallback,
    allow_no_match: bool = False,
) -> ImportResult:
    report(20, "Checking the Ofsted file")
    rows = inspection_rows_check(source=source, la_codes=list(partnership.la_codes), known_urns=register.known_urns)
    if rows.frame.empty and not allow_no_match:
        raise ImportRejected([_no_match_error(partnership, rows.rows)])
    match = urns_match(register=register, urns=rows.frame["urn"].to_numpy(dtype=np.int64))
    report(50, f"Writing {len(rows.frame):,} inspections")
    with transaction.atomic():
        written = inspections_write(
            partnership=partnership, inspections=rows.frame, school_ids=match.school_ids, job=job
        )
        _announce(partnership, set(written.school_ids))
    counts = _inspection_counts(rows, match, written)
    return ImportResult(kind=OFSTED, counts=counts, headline=_nothing_matched(counts) + _inspection_headline(counts))


def _inspection_counts(rows: InspectionRows, match: Match, written: Written) -> dict[str, int | str]:
    frame = rows.frame
    urns = frame["urn"].to_numpy(dtype=np.int64)
    matched = ~np.isnan(match.school_ids)
    frameworks = frame["framework"].value_counts()
    starts = frame["start_date"].astype(str)
    years = [int(d[:4]) + (1 if int(d[5:7]) >= 9 else 0) for d in starts if d]
    return {
        "rows": rows.rows,
        "skipped_other_la": rows.skipped_other_la,
        "schools_matched": len(np.unique(urns[matched])),
        "schools_matched_through_links": len(np.unique(urns[match.via_link])),
        "unmatched_urns": len(np.unique(urns[~matched])),
        "inspections_found": len(frame),
        "report_card_inspections": int(frameworks.get("report_card", 0)),
        "oeif_inspections": int(frameworks.get("oeif", 0)),
        "ungraded_inspections": int(frameworks.get("ungraded", 0)),
        "inspections_created": written.created,
        "inspections_updated": written.updated,
        "inspections_unchanged": len(frame) - written.created - written.updated,
        "years_covered": _years(years),
    }


def _inspection_headline(counts: dict[str, int | str]) -> str:
    return (
        f"Ofsted inspections: {counts['schools_matched']:,} schools matched, {counts['unmatched_urns']:,} URNs not "
        f"in the register; {counts['inspections_found']:,} inspections ({counts['report_card_inspections']:,} "
        f"report cards, {counts['oeif_inspections']:,} graded, {counts['ungraded_inspections']:,} ungraded): "
        f"{counts['inspections_created']:,} new, {counts['inspections_updated']:,} updated; "
        f"academic years {counts['years_covered']}"
    )
