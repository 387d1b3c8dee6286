"""The layouts of the DfE and Ofsted files we read, and how their columns map onto measure codes.

Measure codes are the contract with the risk engine (docs/design/risk-data-contract.md). A column is found by
its heading, compared without regard to case or runs of spaces, never by position, so the eras of a file (the
2016/17 KS2 layout has 290 columns, the 2024/25 one 311) all map the same way.

Previous-year columns. Performance-table files repeat earlier years for trend: the old layouts as
``<column>_<yy>`` (``PTRWM_EXP_17`` in the 2017/18 KS2 file is 2016/17), the 2024/25 KS2 file as ``_24``/``_23``
and the 2024/25 KS4 file as ``_PREV``/``_PREV2``. They are read for every measure that has them, with a lower
``source_rank`` than the year's own file. A measure is only stored from the year it became comparable
(``since``): KS4 Attainment 8 before 2017 used the old A*–G point scores and would fake a trend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schools.importers.columns import sniff_kind as gias_sniff_kind
from schools.models import ImportJob

PERCENT, SCORE, COUNT = "percent", "score", "count"
KS2, KS4, ABSENCE, CENSUS, OFSTED = (
    ImportJob.Kind.KS2.value,
    ImportJob.Kind.KS4.value,
    ImportJob.Kind.ABSENCE.value,
    ImportJob.Kind.CENSUS.value,
    ImportJob.Kind.OFSTED.value,
)
PERFORMANCE_KINDS: tuple[str, ...] = (KS2, KS4, ABSENCE, CENSUS, OFSTED)
YEARLESS_KINDS: tuple[str, ...] = (OFSTED,)  # files whose rows carry their own dates

# The year's own file, then a later file's column for one and two years earlier (higher wins).
RANK_OWN, RANK_ONE_BACK, RANK_TWO_BACK = 3, 2, 1
RANK_FOR_YEARS_BACK = {0: RANK_OWN, 1: RANK_ONE_BACK, 2: RANK_TWO_BACK}

ENGLAND = "england"
PHASE_AREAS = {"PRI": "england/primary", "SEC": "england/secondary", "SPE": "england/special"}
NATIONAL_MARKER = "NAT"


@dataclass(frozen=True)
class Measure:
    """One column of a file feeding one measure code."""

    code: str
    column: str
    kind: str = PERCENT
    low: float = 0.0
    high: float = 100.0
    since: int = 0  # first academic year (ending) the measure is stored for
    averaged: bool = True  # summary rows give an area average (counts of pupils do not)


@dataclass(frozen=True)
class Layout:
    """A kind of tabular file: identity columns, row types and the measures it carries."""

    kind: str
    label: str
    measures: tuple[Measure, ...]
    la_column: str
    signature: tuple[str, ...]  # any of these headings marks a file of this kind
    rectype_column: str = ""
    school_rectypes: frozenset[str] = field(default_factory=frozenset)
    la_rectypes: frozenset[str] = field(default_factory=frozenset)
    england_rectypes: tuple[str, ...] = ()  # preferred first (state-funded, then all schools)
    national_column: str = ""  # files without RECTYPE mark national rows with "NAT" in this column
    phase_column: str = ""
    previous_years: bool = False

    @property
    def rectypes(self) -> frozenset[str]:
        return self.school_rectypes | self.la_rectypes | frozenset(self.england_rectypes)


def _progress(code: str, column: str) -> tuple[Measure, ...]:
    return tuple(
        Measure(f"{code}{suffix}", f"{column}{heading}", SCORE, -50.0, 50.0, since=2016)
        for suffix, heading in (("", ""), ("_lower", "_LOWER"), ("_upper", "_UPPER"))
    )


KS2_LAYOUT = Layout(
    kind=KS2,
    label="KS2 results",
    la_column="LEA",
    rectype_column="RECTYPE",
    school_rectypes=frozenset({"1", "2"}),
    la_rectypes=frozenset({"3"}),
    england_rectypes=("5", "4"),
    previous_years=True,
    signature=("PTRWM_EXP", "TELIG", "READPROG"),
    measures=(
        Measure("ks2_cohort", "TELIG", COUNT, 0, 10_000_000, since=2016, averaged=False),
        Measure("ks2_rwm_exp", "PTRWM_EXP", since=2016),
        Measure("ks2_rwm_high", "PTRWM_HIGH", since=2016),
        *_progress("ks2_read_prog", "READPROG"),
        *_progress("ks2_writ_prog", "WRITPROG"),
        *_progress("ks2_mat_prog", "MATPROG"),
        Measure("ks2_disadv_pct", "PTFSM6CLA1A", since=2016),
        Measure("ks2_rwm_exp_disadv", "PTRWM_EXP_FSM6CLA1A", since=2016),
        Measure("ks2_rwm_exp_nondisadv", "PTRWM_EXP_NotFSM6CLA1A", since=2016),
    ),
)

KS4_LAYOUT = Layout(
    kind=KS4,
    label="KS4 results",
    la_column="LEA",
    rectype_column="RECTYPE",
    school_rectypes=frozenset({"1", "2"}),
    la_rectypes=frozenset({"4"}),
    england_rectypes=("7", "5"),
    previous_years=True,
    signature=("ATT8SCR", "P8MEA", "TPUP"),
    measures=(
        Measure("ks4_cohort", "TPUP", COUNT, 0, 10_000_000, since=2016, averaged=False),
        Measure("ks4_att8", "ATT8SCR", SCORE, 0, 90, since=2017),
        Measure("ks4_p8", "P8MEA", SCORE, -10, 10, since=2016),
        Measure("ks4_p8_lower", "P8CILOW", SCORE, -10, 10, since=2016),
        Measure("ks4_p8_upper", "P8CIUPP", SCORE, -10, 10, since=2016),
        Measure("ks4_basics_94", "PTL2BASICS_94", since=2017),
        Measure("ks4_basics_95", "PTL2BASICS_95", since=2017),
        Measure("ks4_ebacc_aps", "EBACCAPS", SCORE, 0, 9, since=2018),
        Measure("ks4_disadv_pct", "PTFSM6CLA1A", since=2016),
        Measure("ks4_att8_disadv", "ATT8SCR_FSM6CLA1A", SCORE, 0, 90, since=2017),
        Measure("ks4_att8_nondisadv", "ATT8SCR_NFSM6CLA1A", SCORE, 0, 90, since=2017),
        Measure("ks4_p8_disadv", "P8MEA_FSM6CLA1A", SCORE, -10, 10, since=2016),
    ),
)

ABSENCE_LAYOUT = Layout(
    kind=ABSENCE,
    label="pupil absence",
    la_column="LA",
    national_column="LA",
    phase_column="ESTAB",
    signature=("PERCTOT", "PPERSABS10"),
    measures=(Measure("abs_overall", "PERCTOT"), Measure("abs_persistent", "PPERSABS10")),
)

CENSUS_LAYOUT = Layout(
    kind=CENSUS,
    label="school census",
    la_column="LA",
    national_column="URN",
    phase_column="ESTAB",
    signature=("PNUMFSMEVER", "PSENELSE", "PNUMEAL"),
    measures=(
        Measure("census_roll", "NOR", COUNT, 0, 10_000_000, averaged=False),
        Measure("census_fsm_ever", "PNUMFSMEVER"),
        # The DfE's SENELSE is "statement or EHC plan" and SENELK "SEN support" (the K code): the national special
        # school row of the 2018/19 file has PSENELSE 98.3 and PSENELK 1.6. The contract's table had them swapped.
        Measure("census_sen_support", "PSENELK"),
        Measure("census_ehcp", "PSENELSE"),
        Measure("census_eal", "PNUMEAL"),
    ),
)

TABULAR_LAYOUTS: dict[str, Layout] = {
    layout.kind: layout for layout in (KS2_LAYOUT, KS4_LAYOUT, ABSENCE_LAYOUT, CENSUS_LAYOUT)
}


# --- Ofsted management information -------------------------------------------------------------------------------

OFSTED_URN = "URN"
OFSTED_LAESTAB = "LAESTAB"
REPORT_CARD_COLUMNS: dict[str, str] = {
    "rc_inclusion": "Inclusion",
    "rc_curriculum_teaching": "Curriculum and teaching",
    "rc_achievement": "Achievement",
    "rc_attendance_behaviour": "Attendance and behaviour",
    "rc_personal_development": "Personal development and wellbeing",
    "rc_early_years": "Early years (where applicable)",
    "rc_post16": "Post-16 provision (where applicable)",
    "rc_leadership_governance": "Leadership and governance",
}
LEGACY_COLUMNS: dict[str, str] = {
    "overall": "Latest OEIF overall effectiveness",
    "quality_of_education": "Latest OEIF quality of education",
    "behaviour_attitudes": "Latest OEIF behaviour and attitudes",
    "personal_development": "Latest OEIF personal development",
    "leadership_management": "Latest OEIF effectiveness of leadership and management",
    "early_years": "Latest OEIF early years provision (where applicable)",
    "sixth_form": "Latest OEIF sixth form provision (where applicable)",
}


@dataclass(frozen=True)
class InspectionBlock:
    """The columns describing one inspection on an MI row (the latest full, the latest OEIF, the latest ungraded)."""

    name: str
    framework: str  # "" = report card or OEIF, decided by whether report-card grades are filled in
    number: str
    start: str
    publication: str = ""
    inspection_type: str = ""
    relates: str = ""
    urn_at: str = ""
    category: str = ""
    outcome: str = ""
    safeguarding_met: str = ""
    safeguarding_effective: str = ""
    report_card: dict[str, str] = field(default_factory=dict)
    legacy: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every heading the block reads (blank ones left out)."""
        named = [self.number, self.start, self.publication, self.inspection_type, self.relates, self.urn_at]
        named += [self.category, self.outcome, self.safeguarding_met, self.safeguarding_effective]
        return tuple(h for h in (*named, *self.report_card.values(), *self.legacy.values()) if h)


OFSTED_BLOCKS: tuple[InspectionBlock, ...] = (
    InspectionBlock(
        name="latest full inspection",
        framework="",
        number="Inspection number of latest full inspection",
        start="Inspection start date",
        publication="Publication date",
        inspection_type="Inspection type",
        relates="Does the latest full inspection relate to the URN of the current school?",
        urn_at="URN at time of latest full inspection",
        category="Category of concern",
        safeguarding_met="Safeguarding standards",
        report_card=REPORT_CARD_COLUMNS,
    ),
    InspectionBlock(
        name="latest OEIF graded inspection",
        framework="oeif",
        number="Inspection number of latest OEIF graded inspection",
        start="Inspection start date of latest OEIF graded inspection",
        publication="Publication date of latest OEIF graded inspection",
        inspection_type="Inspection type of latest OEIF graded inspection",
        relates="Does the latest OEIF graded inspection relate to the URN of the current school?",
        urn_at="URN at time of latest OEIF graded inspection",
        category="Latest OEIF category of concern",
        safeguarding_effective="Latest OEIF  safeguarding is effective?",
        legacy=LEGACY_COLUMNS,
    ),
    InspectionBlock(
        name="latest ungraded inspection",
        framework="ungraded",
        number="Latest ungraded inspection number",
        start="Date of latest ungraded inspection",
        publication="Ungraded inspection publication date",
        relates="Does the ungraded inspection relate to the URN of the current school?",
        urn_at="URN at time of the ungraded inspection",
        outcome="Ungraded inspection overall outcome",
    ),
)
OFSTED_SIGNATURE = tuple(block.number for block in OFSTED_BLOCKS)


# --- Recognising a file ------------------------------------------------------------------------------------------

LABELS: dict[str, str] = {
    **{kind: layout.label for kind, layout in TABULAR_LAYOUTS.items()},
    OFSTED: "Ofsted management information",
    "gias": "GIAS establishments",
    "gias_links": "GIAS links",
}


def heading_key(heading: str) -> str:
    """A heading compared without case or runs of spaces (Ofsted writes ``Latest OEIF  safeguarding``)."""
    return re.sub(r"\s+", " ", heading.strip()).lower()


def heading_index(header: list[str]) -> dict[str, str]:
    """Heading key → heading as written (the first of any two that only differ in case)."""
    index: dict[str, str] = {}
    for heading in header:
        index.setdefault(heading_key(heading), heading)
    return index


def file_kind(header: list[str]) -> str | None:
    """Which kind of file ``header`` belongs to (performance kinds, then GIAS), or None."""
    keys = set(heading_index(header))
    if any(heading_key(h) in keys for h in OFSTED_SIGNATURE):
        return OFSTED
    has_rectype = "rectype" in keys
    for layout in TABULAR_LAYOUTS.values():
        if bool(layout.rectype_column) == has_rectype and any(heading_key(h) in keys for h in layout.signature):
            return layout.kind
    return gias_sniff_kind(header)


def previous_columns(measure: Measure, year: int, index: dict[str, str]) -> list[tuple[str, int, int]]:
    """The (heading, year, rank) of ``measure``'s columns for earlier years that this file carries."""
    found = []
    for back, suffix in ((1, "PREV"), (2, "PREV2")):
        for candidate in (f"{measure.column}_{(year - back) % 100:02d}", f"{measure.column}_{suffix}"):
            heading = index.get(heading_key(candidate))
            if heading is not None:
                found.append((heading, year - back, RANK_FOR_YEARS_BACK[back]))
                break
    return found


def implied_year(layout: Layout, index: dict[str, str]) -> tuple[int, str] | None:
    """The year a file with ``<column>_<yy>`` previous-year columns is for (the latest yy + 1), and one such column.

    None when the file has no such columns (the 2024/25 KS4 layout says ``_PREV``, absence and census say nothing).
    """
    best: tuple[int, str] | None = None
    for measure in layout.measures:
        pattern = re.compile(re.escape(heading_key(measure.column)) + r"_(\d\d)")
        for key, heading in index.items():
            match = pattern.fullmatch(key)
            if match and (best is None or 2000 + int(match.group(1)) + 1 > best[0]):
                best = (2000 + int(match.group(1)) + 1, heading)
    return best
