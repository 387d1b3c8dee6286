"""How GIAS column headings map onto the register, and which fields keep a change history.

GIAS publishes the same facts under slightly different headings depending on the download: the full
"all establishment data" extract carries ``(code)`` columns that the web "search results" export lacks,
only the web export carries ``OfstedRating (name)``, and older or hand-saved files drop the ``(name)``
suffix. Headings are therefore matched after normalisation (case, spaces) and through a few aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import cast

from django.db import models

from schools.models import Network, School

TEXT, INT, DATE, DECIMAL = "text", "int", "date", "decimal"


@dataclass(frozen=True)
class Column:
    """One GIAS heading (and its aliases) feeding one School field of a given kind."""

    heading: str
    field: str
    kind: str = TEXT
    aliases: tuple[str, ...] = ()

    @property
    def headings(self) -> tuple[str, ...]:
        return (self.heading, *self.aliases)


URN = "URN"
LA_CODE = "LA (code)"
LAST_CHANGED = "LastChangedDate"

SCHOOL_COLUMNS: tuple[Column, ...] = (
    Column(LA_CODE, "la_code", aliases=("LA",)),
    Column("LA (name)", "la_name"),
    Column("EstablishmentNumber", "establishment_number"),
    Column("EstablishmentName", "name"),
    Column("TypeOfEstablishment (code)", "type_code"),
    Column("TypeOfEstablishment (name)", "type_name", aliases=("TypeOfEstablishment",)),
    Column("EstablishmentTypeGroup (name)", "type_group", aliases=("EstablishmentTypeGroup",)),
    Column("PhaseOfEducation (name)", "phase", aliases=("PhaseOfEducation",)),
    Column("EstablishmentStatus (name)", "status", aliases=("EstablishmentStatus",)),
    Column("OpenDate", "open_date", DATE),
    Column("CloseDate", "close_date", DATE),
    Column("StatutoryLowAge", "statutory_low_age", INT),
    Column("StatutoryHighAge", "statutory_high_age", INT),
    Column("Gender (name)", "gender", aliases=("Gender",)),
    Column("ReligiousCharacter (name)", "religious_character", aliases=("ReligiousCharacter",)),
    Column("Diocese (code)", "diocese_code"),
    Column("Diocese (name)", "diocese_name", aliases=("Diocese",)),
    Column("Trusts (code)", "trust_code"),
    Column("Trusts (name)", "trust_name", aliases=("Trusts",)),
    Column("Federations (code)", "federation_code"),
    Column("Federations (name)", "federation_name", aliases=("Federations",)),
    Column("HeadTitle (name)", "head_title", aliases=("HeadTitle",)),
    Column("HeadFirstName", "head_first_name"),
    Column("HeadLastName", "head_last_name"),
    Column("HeadPreferredJobTitle", "head_job_title"),
    Column("NumberOfPupils", "number_of_pupils", INT),
    Column("SchoolCapacity", "school_capacity", INT),
    Column("PercentageFSM", "percentage_fsm", DECIMAL),
    Column("Street", "street"),
    Column("Locality", "locality"),
    Column("Address3", "address3"),
    Column("Town", "town"),
    Column("Postcode", "postcode"),
    Column("SchoolWebsite", "website"),
    Column("TelephoneNum", "telephone"),
    Column("DistrictAdministrative (name)", "district", aliases=("DistrictAdministrative",)),
    Column("AdministrativeWard (name)", "ward", aliases=("AdministrativeWard",)),
    Column("ParliamentaryConstituency (name)", "constituency", aliases=("ParliamentaryConstituency",)),
    Column("UrbanRural (name)", "urban_rural", aliases=("UrbanRural",)),
    Column("Easting", "easting", INT),
    Column("Northing", "northing", INT),
    Column("OfstedRating (name)", "ofsted_rating", aliases=("OfstedRating",)),
    Column("OfstedLastInsp", "ofsted_last_inspection", DATE),
    Column("UKPRN", "ukprn"),
    Column(LAST_CHANGED, "gias_last_changed", DATE),
)

# Without these a row cannot become a usable register entry (an open/closed school of a known type and phase).
# The 10-column "chosen fields" web export lacks status and type, so it is rejected rather than half-imported.
REQUIRED_SCHOOL_HEADINGS: tuple[str, ...] = (
    URN,
    LA_CODE,
    "EstablishmentName",
    "EstablishmentStatus (name)",
    "TypeOfEstablishment (name)",
    "PhaseOfEducation (name)",
)
# Required headings whose value must also be filled in on every imported row.
REQUIRED_SCHOOL_VALUES: tuple[str, ...] = (URN, "EstablishmentName", "EstablishmentStatus (name)")

# Fields whose every change is written to SchoolChange (old → new, as canonical text: dates ISO), dated by the
# row's LastChangedDate (else the import date) and linked to the ImportJob if there is one. Field names are
# School field names and are stable: later features read head changes (HEAD_FIELDS), status changes and trust
# changes from this history. A school seen for the first time gets no change rows (there is nothing to compare
# with). Pupil numbers are deliberately not tracked (they move at every census for nearly every school and
# belong in census data); nor are addresses, telephone numbers and other contact details.
FIELD_NAME = "name"
FIELD_STATUS = "status"
FIELD_TYPE = "type_name"
FIELD_PHASE = "phase"
FIELD_HEAD_TITLE = "head_title"
FIELD_HEAD_FIRST_NAME = "head_first_name"
FIELD_HEAD_LAST_NAME = "head_last_name"
FIELD_TRUST = "trust_name"
FIELD_FEDERATION = "federation_name"
FIELD_DIOCESE = "diocese_name"
FIELD_CLOSE_DATE = "close_date"
FIELD_OFSTED_RATING = "ofsted_rating"
HEAD_FIELDS: tuple[str, ...] = (FIELD_HEAD_TITLE, FIELD_HEAD_FIRST_NAME, FIELD_HEAD_LAST_NAME)
TRACKED_FIELDS: tuple[str, ...] = (
    FIELD_NAME,
    FIELD_STATUS,
    FIELD_TYPE,
    FIELD_PHASE,
    *HEAD_FIELDS,
    FIELD_TRUST,
    FIELD_FEDERATION,
    FIELD_DIOCESE,
    FIELD_CLOSE_DATE,
    FIELD_OFSTED_RATING,
)

# A code column travels with its name column: when a file has the name but not the code (web exports) and the
# name changes, the stored code no longer describes the new name and is cleared.
CODE_FOR_NAME: dict[str, str] = {
    "type_name": "type_code",
    "trust_name": "trust_code",
    "diocese_name": "diocese_code",
    "federation_name": "federation_code",
}


@dataclass(frozen=True)
class NetworkSource:
    """Where a GIAS network kind lives on a school row."""

    kind: str
    code_field: str
    name_field: str


NETWORK_SOURCES: tuple[NetworkSource, ...] = (
    NetworkSource(Network.Kind.TRUST, "trust_code", "trust_name"),
    NetworkSource(Network.Kind.DIOCESE, "diocese_code", "diocese_name"),
    NetworkSource(Network.Kind.FEDERATION, "federation_code", "federation_name"),
)
# GIAS fills "no network" with these names, or with all-zero codes such as diocese "0000".
NO_NETWORK_NAMES = frozenset({"", "not applicable", "not under a federation", "none", "does not apply"})

# Values the DfE uses instead of a number; they mean "no figure", not a malformed row.
SUPPRESSION_MARKERS = frozenset({"SUPP", "NE", "NP", "NA", "LOWCOV", "LOW COV", "NEW", "DNS", "x", "..", "-"})

LINK_URN, LINK_LINKED_URN, LINK_NAME, LINK_TYPE, LINK_DATE = (
    "URN",
    "LinkURN",
    "LinkName",
    "LinkType",
    "LinkEstablishedDate",
)
REQUIRED_LINK_HEADINGS: tuple[str, ...] = (LINK_URN, LINK_LINKED_URN, LINK_TYPE)

KIND_ESTABLISHMENTS = "gias"
KIND_LINKS = "gias_links"


def normalise_heading(heading: str) -> str:
    """A heading reduced to lower-case letters, digits and brackets, so spacing and case do not matter."""
    return re.sub(r"[^a-z0-9()]", "", heading.lower())


def resolve_headings(header: list[str], wanted: tuple[str, ...]) -> dict[str, str]:
    """Map each wanted canonical heading (or column's aliases) to the heading actually used in ``header``."""
    by_norm = {normalise_heading(h): h for h in reversed(header)}
    found: dict[str, str] = {}
    for heading in wanted:
        for candidate in _aliases(heading):
            actual = by_norm.get(normalise_heading(candidate))
            if actual is not None:
                found[heading] = actual
                break
    return found


@cache
def _alias_table() -> dict[str, tuple[str, ...]]:
    return {c.heading: c.headings for c in SCHOOL_COLUMNS}


def _aliases(heading: str) -> tuple[str, ...]:
    return _alias_table().get(heading, (heading,))


def sniff_kind(header: list[str]) -> str | None:
    """``gias`` for an establishments file, ``gias_links`` for the links file, else None."""
    names = {normalise_heading(h) for h in header}
    if {"linkurn", "linktype"} <= names:
        return KIND_LINKS
    if "establishmentname" in names or {"urn", "la(code)"} <= names:
        return KIND_ESTABLISHMENTS
    return None


def missing_headings(kind: str, header: list[str]) -> list[str]:
    """Required headings of ``kind`` that ``header`` lacks (in a stable order)."""
    required = REQUIRED_LINK_HEADINGS if kind == KIND_LINKS else REQUIRED_SCHOOL_HEADINGS
    found = resolve_headings(header, required)
    return [h for h in required if h not in found]


def text_max_length(model: type[models.Model], name: str) -> int:
    """The max_length of a text field of ``model`` (read from the model so the checks cannot drift from it)."""
    field = cast(models.CharField, model._meta.get_field(name))
    return int(field.max_length or 0)


@cache
def school_field_limits() -> dict[str, int]:
    """Maximum text length of each School text field."""
    return {c.field: text_max_length(School, c.field) for c in SCHOOL_COLUMNS if c.kind == TEXT}


@cache
def school_int_limits() -> dict[str, int]:
    """Largest value each School integer field can hold in PostgreSQL."""
    small = {"statutory_low_age", "statutory_high_age"}
    return {c.field: 32767 if c.field in small else 2147483647 for c in SCHOOL_COLUMNS if c.kind == INT}
