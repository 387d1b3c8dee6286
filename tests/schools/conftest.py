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
