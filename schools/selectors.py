"""Reads of the register, always through a membership's partnership and scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from clusters.models import ClusterMembership
from partnership.models import Membership
from partnership.permissions import Permission, membership_can
from schools.models import (
    AreaAverage,
    ImportJob,
    Inspection,
    Network,
    NetworkMembership,
    PerformanceValue,
    School,
    SchoolChange,
    SchoolLink,
)


def school_list(*, membership: Membership) -> QuerySet[School]:
    """Schools the membership may list: the whole register of its partnership, or none."""
    if not membership_can(membership, Permission.VIEW_REGISTER):
        return School.objects.none()
    return School.objects.filter(partnership_id=membership.partnership_id)


@dataclass(frozen=True)
class ListColumn:
    """A column (and a filter on it) that an app above the register adds to the schools list, registered in its
    ``AppConfig.ready()`` with ``school_list_column_register``, so the register imports none of its consumers.

    ``annotate(schools, membership)`` adds the attribute ``key`` to each school (in SQL: no query per row);
    ``choices(membership)`` lists the filter's values; ``apply(schools, value, membership)`` filters on one;
    ``cell_template`` renders a cell from ``value`` and ``cell`` (what ``cell_context(membership)`` returns, read
    once per page), and ``cell_html``, when given, writes the same cell in Python. Only shown to memberships for
    which ``visible`` holds."""

    key: str
    label: str
    filter_label: str
    visible: Callable[[Membership], bool]
    annotate: Callable[[QuerySet[School], Membership], QuerySet[School]]
    choices: Callable[[Membership], list[tuple[str, str]]]
    apply: Callable[[QuerySet[School], str, Membership], QuerySet[School]]
    cell_template: str
    cell_context: Callable[[Membership], dict] = lambda membership: {}
    # The cell as HTML from (value, cell) without a template (the list's rows are written in Python, #15); the
    # same markup as ``cell_template``. Without it, ``cell_template`` is rendered for each cell.
    cell_html: Callable[[object, dict], str] | None = None


_LIST_COLUMNS: list[ListColumn] = []


def school_list_column_register(column: ListColumn) -> None:
    """Add ``column`` to the schools list (once per key; the app's ``ready()`` calls it)."""
    if all(c.key != column.key for c in _LIST_COLUMNS):
        _LIST_COLUMNS.append(column)


def school_list_columns(*, membership: Membership) -> list[ListColumn]:
    """The registered columns this membership may see, in registration order."""
    return [c for c in _LIST_COLUMNS if c.visible(membership)]


def school_list_annotated(*, membership: Membership, schools: QuerySet[School]) -> QuerySet[School]:
    """``schools`` with every visible column's attribute (one SQL query for the page, whatever the columns)."""
    for column in school_list_columns(membership=membership):
        schools = column.annotate(schools, membership)
    return schools


def school_by_urn(*, membership: Membership, urn: int) -> School | None:
    """The school with ``urn`` among those the membership may list (its partnership's register), or None: how a
    page that adds a school by URN finds it (another partnership's URN is not found)."""
    return school_list(membership=membership).filter(urn=urn).first()


def school_has_full_access(*, membership: Membership, school: School) -> bool:
    """Whether the membership sees everything about ``school`` (not only its register facts)."""
    if membership_can(membership, Permission.VIEW_ALL_SCHOOLS):
        return True
    return membership_can(membership, Permission.VIEW_OWN_SCHOOL) and membership.school_id == school.pk


def access_school(*, membership: Membership, urn: int) -> School:
    """The school with ``urn`` in the membership's partnership, if the membership may see it; else 404."""
    school = (
        School.objects.filter(partnership_id=membership.partnership_id, urn=urn).first()
        if membership_can(membership, Permission.VIEW_REGISTER) or membership.school_id is not None
        else None
    )
    if school is None:
        raise Http404("No such school")
    if not membership_can(membership, Permission.VIEW_REGISTER) and membership.school_id != school.pk:
        raise Http404("No such school")
    return school


# The headline published measures a school page shows by year (#14.9), in order; the engine reads many more.
RESULT_CODES: tuple[str, ...] = (
    "ks2_rwm_exp",
    "ks2_read_prog",
    "ks2_mat_prog",
    "ks4_att8",
    "ks4_p8",
    "abs_overall",
    "abs_persistent",
)
RESULT_YEARS = 5


@dataclass(frozen=True)
class SchoolResults:
    """A school's published results and inspections: ``values`` (year, code, value or None, missing code) for
    ``RESULT_CODES`` in its latest ``RESULT_YEARS`` years, England's figure per (year, code) (the school's own
    phase where the file publishes one), and its Ofsted inspections, newest first. Three queries."""

    values: list[tuple[int, str, float | None, str]]
    england: dict[tuple[int, str], float]
    inspections: list[Inspection]


def _england_areas(school: School) -> tuple[str, ...]:
    """The areas to compare ``school`` with, preferred first: its phase's national figure, then all England."""
    text = f"{school.phase} {school.type_group} {school.type_name}".lower()
    if "special" in text:
        return ("england/special", "england")
    if "secondary" in text:
        return ("england/secondary", "england")
    if "primary" in text:
        return ("england/primary", "england")
    return ("england",)


def school_results(*, school: School) -> SchoolResults:
    """The school's headline results by year against England, and its inspections (the register's own data)."""
    rows = list(
        PerformanceValue.objects.filter(
            partnership_id=school.partnership_id, school=school, code__in=RESULT_CODES
        ).values_list("year", "code", "value", "missing")
    )
    years = sorted({year for year, *_ in rows})[-RESULT_YEARS:]
    rows = [row for row in rows if row[0] in years]
    areas = _england_areas(school)
    england: dict[tuple[int, str], float] = {}
    averages = AreaAverage.objects.filter(
        partnership_id=school.partnership_id, year__in=years, code__in=RESULT_CODES, area__in=areas
    ).values_list("year", "code", "area", "value")
    for year, code, _area, value in sorted(averages, key=lambda a: areas.index(a[2]), reverse=True):
        england[(year, code)] = value  # the preferred area is written last
    inspections = list(
        Inspection.objects.filter(partnership_id=school.partnership_id, school=school).order_by("-start_date", "-pk")[
            :10
        ]
    )
    return SchoolResults(values=rows, england=england, inspections=inspections)


@dataclass(frozen=True)
class SchoolPage:
    """Everything the school page shows, fetched in a fixed number of queries."""

    school: School
    full_access: bool
    clusters: list[ClusterMembership]
    networks: list[NetworkMembership]
    changes: list[SchoolChange]
    links: list[SchoolLink]
    linked_schools: dict[int, School]
    results: SchoolResults


def school_page(*, membership: Membership, urn: int) -> SchoolPage:
    """The school page's data; change history only with full access."""
    school = access_school(membership=membership, urn=urn)
    full = school_has_full_access(membership=membership, school=school)
    clusters = list(
        ClusterMembership.objects.filter(school=school).select_related("cluster").order_by("left_on", "-joined_on")
    )
    networks = list(
        NetworkMembership.objects.filter(school=school, network__archived_at__isnull=True)
        .select_related("network")
        .order_by("left_on", "network__kind", "-joined_on")
    )
    links = list(SchoolLink.objects.filter(partnership_id=school.partnership_id, urn=school.urn))
    linked = {
        s.urn: s
        for s in School.objects.filter(partnership_id=school.partnership_id, urn__in=[lnk.linked_urn for lnk in links])
    }
    changes = list(SchoolChange.objects.filter(school=school)[:200]) if full else []
    return SchoolPage(school, full, clusters, networks, changes, links, linked, school_results(school=school))


def network_list(*, membership: Membership) -> QuerySet[Network]:
    """Networks of the membership's partnership (register facts: visible with VIEW_REGISTER)."""
    if not membership_can(membership, Permission.VIEW_REGISTER):
        return Network.objects.none()
    return Network.objects.filter(partnership_id=membership.partnership_id, archived_at__isnull=True)


def network_list_sized(*, membership: Membership, kind: str = "") -> QuerySet[Network]:
    """``network_list`` with each network's current number of schools (``school_count``), of ``kind`` if it is one
    of the network kinds, by kind then name."""
    networks = network_list(membership=membership).annotate(
        school_count=Count("memberships", filter=Q(memberships__left_on__isnull=True))
    )
    if kind in Network.Kind.values:
        networks = networks.filter(kind=kind)
    return networks.order_by("kind", "name")


def access_network(*, membership: Membership, pk: int) -> Network:
    """A network of the membership's partnership, with its current member schools; else 404."""
    current = NetworkMembership.objects.filter(left_on__isnull=True).select_related("school").order_by("school__name")
    network = (
        network_list(membership=membership).prefetch_related(Prefetch("memberships", current, "current")).filter(pk=pk)
    ).first()
    if network is None:
        raise Http404("No such network")
    return network


def import_job_list(*, membership: Membership) -> QuerySet[ImportJob]:
    """Import jobs of the membership's partnership (officers and admins only)."""
    if not membership_can(membership, Permission.IMPORT_DATA):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(partnership_id=membership.partnership_id).select_related("created_by")


def import_job_refused_no_match(*, membership: Membership, pk: str | int | None) -> ImportJob | None:
    """The membership's import ``pk`` if it was refused because nothing in it matched the partnership (#14.8), so
    the upload form may offer "import it anyway"; else None (another partnership's, unknown or not such a refusal)."""
    if pk is None or not str(pk).isdigit():
        return None
    job = import_job_list(membership=membership).filter(pk=int(pk), state=ImportJob.State.FAILED).first()
    return job if job is not None and import_job_no_match_message(job) else None


def import_job_no_match_message(job: ImportJob) -> str:
    """The refusal message of a job refused because nothing in the file matched the partnership, else ""."""
    from schools.performance.service import NOTHING_MATCHED

    for error in job.errors or []:
        message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
        if message.startswith(NOTHING_MATCHED):
            return message
    return ""


def access_import_job(*, membership: Membership, pk: int) -> ImportJob:
    """An import job of the membership's partnership; else 404."""
    job = import_job_list(membership=membership).filter(pk=pk).first()
    if job is None:
        raise Http404("No such import")
    return job
