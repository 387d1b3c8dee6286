"""#14.5 and #14.8 pages in real Chromium with axe: the head-change cards and form on the risk page (after an
answer, with its message), the intelligence form's "update on an issue", and the upload form's "import it anyway"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from partnership.models import Role
from schools.models import ImportJob, SchoolChange
from tests.conftest import make_member
from tests.risk.helpers import entry, succeeded_run
from tests.system.axe import axe_violations, format_violations
from tests.system.test_every_page import _sign_in

pytestmark = pytest.mark.browser


def _check(page, console, url: str) -> list[str]:
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe on {url}:\n{format_violations(violations)}")
    if console.errors:
        problems.append(f"console errors on {url}: {console.errors}")
    console.errors.clear()
    return problems


def test_capacity_pages_are_accessible(page, console, world, live_server):
    school = world.own_school
    SchoolChange.objects.create(
        school=school, field="head_last_name", old_value="Fletcher", new_value="Marsh", changed_on=dt.date(2025, 11, 3)
    )
    SchoolChange.objects.create(
        school=school, field="head_last_name", old_value="Steel", new_value="Fletcher", changed_on=dt.date(2024, 1, 8)
    )
    succeeded_run(world.home)
    entry(school, kind="complaints", summary="Complaint about transport")
    refused = ImportJob.objects.create(
        partnership=world.home,
        kind="ks2",
        original_filename="herts.csv",
        stored_path="",
        state=ImportJob.State.FAILED,
        errors=[{"row": None, "column": "", "message": "Nothing matched this partnership: none of the file's rows"}],
    )
    officer = make_member(world, Role.OFFICER)
    _sign_in(page, live_server, officer.user)
    problems = []
    risk_page = live_server.url + reverse("risk:school", args=[school.urn])
    page.goto(risk_page)
    problems += _check(page, console, risk_page)
    page.locator("form[action$='/head-changes/']").first.locator("input[value=yes]").check()
    page.locator("form[action$='/head-changes/']").first.locator("button[type=submit]").click()
    assert "Recorded: the same person" in page.content()
    problems += _check(page, console, risk_page + " (after an answer)")
    for url in (
        reverse("risk:intelligence_add", args=[school.urn]),
        reverse("schools:import_detail", args=[refused.pk]),
        reverse("schools:import_upload") + f"?refused={refused.pk}",
    ):
        page.goto(live_server.url + url)
        problems += _check(page, console, url)
    assert "Import it anyway" in page.content()
    assert not problems, "\n".join(problems)
