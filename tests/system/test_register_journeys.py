"""An officer's work on the register, in a real browser: find schools, open one, build a cluster.

Every step is what a person does (labels, button and link names), and each page reached is checked with axe.
"""

from __future__ import annotations

import re

from django.conf import settings
from playwright.sync_api import expect

from clusters.models import Cluster
from partnership.models import Role
from tests import factories as f
from tests.conftest import client_for, make_member
from tests.system.axe import assert_accessible


def _signed_in_page(page, live_server, membership):
    client = client_for(membership.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return page


def test_officer_finds_filters_sorts_and_pages_through_schools(page, console, world, live_server):
    for n in range(60):  # enough for two pages of results
        f.SchoolFactory(partnership=world.home, name=f"Woking Primary {n:02d}", district="Woking", phase="Primary")
    _signed_in_page(page, live_server, make_member(world, Role.OFFICER))

    page.goto("/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Schools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools")
    assert_accessible(page)

    page.get_by_label("District").select_option("Woking")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"district=Woking"))
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_contain_text("Woking Primary")
    pagination = page.get_by_role("navigation", name="Pagination")
    expect(pagination).to_be_visible()
    assert_accessible(page)

    pagination.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"district=Woking.*page=2|page=2.*district=Woking"))
    expect(pagination.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    assert_accessible(page)

    sorted_column = page.locator("main table thead th[aria-sort]")
    expect(sorted_column).to_have_attribute("aria-sort", "ascending")  # by name unless asked otherwise
    expect(sorted_column).to_contain_text("School")
    page.get_by_role("link", name=re.compile(r"^School\s*, sort descending")).click()
    expect(sorted_column).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Woking Primary 59")
    page.get_by_role("link", name=re.compile(r"^School\s*, sort ascending")).click()
    expect(rows.first).to_contain_text("Woking Primary 00")

    page.get_by_label("Name, URN, town or postcode").fill("Primary 07")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Woking Primary 07")
    assert_accessible(page)
    assert console.errors == []


def test_officer_creates_a_cluster_and_adds_a_school(page, console, world, live_server):
    _signed_in_page(page, live_server, make_member(world, Role.OFFICER))
    page.goto("/clusters/")
    page.get_by_role("link", name=re.compile("Add a cluster", re.I)).click()
    page.get_by_label("Name", exact=True).fill("Cobham Cluster")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Cobham Cluster")
    page.get_by_label("School URN").fill("12")  # too short: a GOV.UK error, nothing added
    page.get_by_role("button", name="Add school").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("URN must be 6 digits")
    expect(page).to_have_title(re.compile(r"^Error: Cobham Cluster"))
    assert_accessible(page)

    page.get_by_label("School URN").fill(str(world.isolated_school.urn))
    page.get_by_role("button", name="Add school").click()
    expect(page.locator("main table").first).to_contain_text(world.isolated_school.name)
    assert_accessible(page)
    cluster = Cluster.objects.get(partnership=world.home, name="Cobham Cluster")
    assert list(cluster.memberships.values_list("school__urn", flat=True)) == [world.isolated_school.urn]
    assert console.errors == []
