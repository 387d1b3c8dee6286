"""Fixtures for the GIAS importer tests: partnerships, real files, broken copies and a register snapshot."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from partnership.models import Partnership
from schools.models import Network, NetworkMembership, School, SchoolChange, SchoolLink
from tests.factories import PartnershipFactory
from tests.paths import GIAS_2022


@pytest.fixture
def surrey(db) -> Partnership:
    """The Surrey partnership (LA 936), empty."""
    return PartnershipFactory(slug="surrey", name="Surrey Partnership", la_codes=["936"])


@pytest.fixture
def england(db) -> Partnership:
    """A partnership with no LA filter: every establishment in a file is its own."""
    return PartnershipFactory(slug="england", name="Everywhere", la_codes=[])


def import_gias(path: Path | str, partnership: Partnership) -> str:
    """Run ``manage.py import_gias`` and return what it printed."""
    out = StringIO()
    call_command("import_gias", str(path), partnership=partnership.slug, stdout=out)
    return out.getvalue()


def register_state(partnership: Partnership) -> dict:
    """Everything the importer may write for ``partnership``, as comparable values."""
    schools = School.objects.filter(partnership=partnership).order_by("urn")
    return {
        "schools": list(schools.values_list()),
        "changes": list(SchoolChange.objects.filter(school__partnership=partnership).order_by("pk").values_list()),
        "networks": list(Network.objects.filter(partnership=partnership).order_by("pk").values_list()),
        "memberships": list(
            NetworkMembership.objects.filter(school__partnership=partnership).order_by("pk").values_list()
        ),
        "links": list(SchoolLink.objects.filter(partnership=partnership).order_by("pk").values_list()),
    }


@pytest.fixture
def gias_2022_bytes() -> bytes:
    """The real 2022 Surrey web export, byte for byte."""
    return GIAS_2022.read_bytes()


@pytest.fixture
def write_file(tmp_path):
    """``write_file(name, data)`` → a path in tmp_path holding ``data`` (bytes or str as UTF-8)."""

    def write(name: str, data: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return write


# --- Performance data ------------------------------------------------------------------------------------------


@pytest.fixture
def surrey_register(surrey) -> Partnership:
    """Surrey with its real register: the 2021 GIAS export, the 2022 one (closed primaries too) and the links."""
    from tests.paths import GIAS_2021, GIAS_LINKS

    for path in (GIAS_2021, GIAS_2022, GIAS_LINKS):
        import_gias(path, surrey)
    return surrey


def file_urns(path: Path, la_code: str) -> list[int]:
    """URNs of a real performance or Ofsted file's school rows in ``la_code`` (read with the csv module)."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = []
    for row in rows:
        la = (row.get("LEA") or row.get("LA") or row.get("LAESTAB") or "")[:3]
        if la == la_code and (row.get("URN") or "").strip().isdigit():
            found.append(int(row["URN"]))
    return found


@pytest.fixture
def camden(db) -> Partnership:
    """Camden (LA 202) with a register (from the factory) holding the schools of the real KS4 and Ofsted extracts."""
    from tests.factories import SchoolFactory
    from tests.paths import KS4_2025_CAMDEN, OFSTED_MI

    partnership = PartnershipFactory(slug="camden", name="Camden Partnership", la_codes=["202"])
    for urn in sorted(set(file_urns(KS4_2025_CAMDEN, "202")) | set(file_urns(OFSTED_MI, "202"))):
        SchoolFactory(partnership=partnership, urn=urn, la_code="202", la_name="Camden")
    return partnership


@pytest.fixture
def herts(db) -> Partnership:
    """Hertfordshire (LA 919) with a register (from the factory) holding the schools of the real KS2 extract."""
    from tests.factories import SchoolFactory
    from tests.paths import KS2_2025_HERTS

    partnership = PartnershipFactory(slug="herts", name="Hertfordshire Partnership", la_codes=["919"])
    for urn in file_urns(KS2_2025_HERTS, "919"):
        SchoolFactory(partnership=partnership, urn=urn, la_code="919", la_name="Hertfordshire")
    return partnership


def import_performance(path: Path | str, partnership: Partnership, kind: str, year: str | None = None) -> str:
    """Run ``manage.py import_performance`` and return what it printed."""
    out = StringIO()
    options = {"kind": kind, "partnership": partnership.slug, "stdout": out}
    if year:
        options["year"] = year
    call_command("import_performance", str(path), **options)
    return out.getvalue()


def performance_state(partnership: Partnership) -> dict:
    """Everything the performance importer may write for ``partnership``, as comparable values."""
    from schools.models import AreaAverage, Inspection, PerformanceValue

    return {
        "values": list(PerformanceValue.objects.filter(partnership=partnership).order_by("pk").values_list()),
        "averages": list(AreaAverage.objects.filter(partnership=partnership).order_by("pk").values_list()),
        "inspections": list(Inspection.objects.filter(partnership=partnership).order_by("pk").values_list()),
    }


@pytest.fixture
def worker(start_worker):
    """A real ``celery worker`` on the test queue, reading the test database (``start_worker``: tests/conftest.py)."""
    return start_worker()
