"""Checking an Ofsted management-information file whole and turning each row into the inspections it describes.

An MI row describes up to three inspections of a school, each in its own block of columns: the latest full
inspection (a report card, or a graded OEIF inspection before report cards), the latest OEIF graded inspection,
and the latest ungraded inspection. Each block that carries an inspection number becomes one inspection; when
the full inspection and the OEIF one are the same inspection they become one. Grades stay on the scale they were
given in: ``NULL`` is nothing, 9 is "not applicable", "Not judged" (OEIF after September 2024) is no grade.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from schools.importers.checking import Problems, check_urns
from schools.importers.columns import text_max_length
from schools.importers.errors import file_error
from schools.models import INSPECTION_FIELDS, Inspection
from schools.performance.layouts import OFSTED_BLOCKS, OFSTED_LAESTAB, OFSTED_URN, InspectionBlock
from schools.performance.reading import PerformanceSource
from schools.performance.values import (
    Cells,
    date_parse,
    inspection_number_parse,
    legacy_grade_parse,
    plain_text_parse,
    report_card_grade_parse,
    whole_number_parse,
    yes_no_parse,
)


@dataclass
class InspectionRows:
    """Checked inspections of the partnership's rows: ``urn`` (int) and INSPECTION_FIELDS as canonical text."""

    frame: pd.DataFrame
    rows: int
    skipped_other_la: int


def _max_length(name: str) -> int:
    return text_max_length(Inspection, name)


def inspection_rows_check(*, source: PerformanceSource, la_codes: list[str], known_urns: np.ndarray) -> InspectionRows:
    """Check the whole MI file and return its inspections; raise ImportRejected listing every problem otherwise."""
    urn_heading, laestab_heading = _required(source)
    blocks = [(block, _block_headings(source, block)) for block in OFSTED_BLOCKS]
    blocks = [(block, headings) for block, headings in blocks if headings]
    if not blocks:
        raise file_error("The file has none of Ofsted's inspection columns", column=OFSTED_BLOCKS[0].number, row=1)
    wanted = [urn_heading, laestab_heading, *(h for _, headings in blocks for h in headings.values())]
    table = source.table(wanted)
    frame = table.frame
    problems = Problems(table)
    positions = np.arange(len(frame))
    urns = check_urns(frame[urn_heading], positions, problems, heading=urn_heading)
    laestab = frame[laestab_heading]
    bad_laestab = ~laestab.str.fullmatch(r"\d{7}").fillna(False).to_numpy(dtype=bool)
    problems.add(positions[bad_laestab], laestab_heading, f"{laestab_heading} must be seven digits, like 2022019")
    parts = [_block_frame(block, headings, frame, positions, problems) for block, headings in blocks]
    problems.raise_if_any()
    la = laestab.str[:3].to_numpy(dtype=object)
    in_las = np.isin(la, np.asarray(la_codes, dtype=object)) if la_codes else np.ones(len(frame), dtype=bool)
    keep = np.isin(urns, known_urns) | in_las
    inspections = _combine(parts, urns, keep)
    return InspectionRows(inspections, len(frame), int((~keep).sum()))


def _required(source: PerformanceSource) -> tuple[str, str]:
    found = []
    for name in (OFSTED_URN, OFSTED_LAESTAB):
        heading = source.heading(name)
        if heading is None:
            raise file_error(f"The file has no {name} column", column=name, row=1)
        found.append(heading)
    return found[0], found[1]


def _block_headings(source: PerformanceSource, block: InspectionBlock) -> dict[str, str]:
    """Block column name → heading in the file; empty if the file lacks the block's number or start date."""
    if source.heading(block.number) is None or source.heading(block.start) is None:
        return {}
    return {name: heading for name in block.columns if (heading := source.heading(name)) is not None}


def _block_frame(
    block: InspectionBlock, headings: dict[str, str], frame: pd.DataFrame, positions: np.ndarray, problems: Problems
) -> pd.DataFrame:
    """The block's inspections, one per row that has one (columns INSPECTION_FIELDS plus ``_pos``)."""
    out: dict[str, np.ndarray] = {}

    unreadable = np.zeros(len(frame), dtype=bool)

    def read(name: str, field: str, parse, **options) -> np.ndarray:
        heading = headings.get(name) if name else None
        if heading is None:
            out[field] = np.full(len(frame), "", dtype=object)
            return unreadable
        cells: Cells = parse(frame[heading], heading=heading, **options)
        problems.add(positions[cells.bad], heading, cells.message)
        out[field] = cells.values
        return cells.bad

    read(block.number, "inspection_number", inspection_number_parse)
    bad_start = read(block.start, "start_date", date_parse)
    read(block.publication, "publication_date", date_parse)
    read(block.inspection_type, "inspection_type", plain_text_parse, max_length=_max_length("inspection_type"))
    read(block.relates, "relates_to_current_urn", yes_no_parse)
    read(block.urn_at, "urn_at_inspection", whole_number_parse)
    read(block.category, "category_of_concern", plain_text_parse, max_length=_max_length("category_of_concern"))
    read(block.outcome, "ungraded_outcome", plain_text_parse, max_length=_max_length("ungraded_outcome"))
    read(block.safeguarding_met, "rc_safeguarding_met", yes_no_parse)
    read(block.safeguarding_effective, "safeguarding_effective", yes_no_parse)
    for field, name in block.report_card.items():
        read(name, field, report_card_grade_parse)
    for field, name in block.legacy.items():
        read(name, field, legacy_grade_parse)
    for field in INSPECTION_FIELDS:
        out.setdefault(field, np.full(len(frame), "", dtype=object))
    present = out["inspection_number"] != ""
    undated = present & (out["start_date"] == "") & ~bad_start
    start_heading = headings[block.start]
    problems.add(positions[undated], start_heading, f"{start_heading} must be given when the {block.name} has a number")
    out["framework"] = np.full(len(frame), block.framework, dtype=object)
    if not block.framework:
        graded = np.zeros(len(frame), dtype=bool)
        for field in (*block.report_card, "rc_safeguarding_met"):
            graded |= out[field] != ""
        out["framework"] = np.where(graded, Inspection.Framework.REPORT_CARD, Inspection.Framework.OEIF).astype(object)
    result = pd.DataFrame({field: out[field] for field in INSPECTION_FIELDS})
    result["_pos"] = positions
    result["_full"] = not block.framework
    return result[present]


def _combine(parts: list[pd.DataFrame], urns: np.ndarray, keep: np.ndarray) -> pd.DataFrame:
    """The kept rows' inspections; the same inspection met in two blocks is kept once (the first block's)."""
    if not parts:
        return pd.DataFrame(columns=["urn", *INSPECTION_FIELDS])
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[keep[frame["_pos"].to_numpy()]]
    frame.insert(0, "urn", urns[frame["_pos"].to_numpy()])
    frame = _merge_oeif_into_full(frame)
    frame = frame.drop_duplicates(["urn", "inspection_number"])
    return frame.drop(columns=["_pos", "_full"]).reset_index(drop=True)


def _merge_oeif_into_full(frame: pd.DataFrame) -> pd.DataFrame:
    """A full inspection that is the OEIF graded one (no report card): keep the OEIF block, which has the grades."""
    key = frame["urn"].astype(str) + "/" + frame["inspection_number"]
    full_oeif = (frame["_full"] & (frame["framework"] == Inspection.Framework.OEIF)).to_numpy(dtype=bool)
    in_oeif_block = key.isin(key[~frame["_full"] & (frame["framework"] == Inspection.Framework.OEIF)]).to_numpy()
    return frame[~(full_oeif & in_oeif_block)]
