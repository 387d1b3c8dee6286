"""#14.9: the service navigation marks the section you are in, on its sub-pages too (aria-current)."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from partnership.models import Role
from tests.conftest import client_for, make_member


def _current(content: str) -> dict[str, str]:
    """Navigation items marked current: text → aria-current value."""
    nav = content.split('class="govuk-service-navigation__list"', 1)[1].split("</ul>", 1)[0]
    return {
        text: value
        for value, text in re.findall(
            r'aria-current="([a-z]+)"><strong class="govuk-service-navigation__active-fallback">([^<]+)</strong>', nav
        )
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/risk/register/", {"Risk": "page"}),
        ("/risk/rounds/", {"Risk": "true"}),
        ("/risk/runs/", {"Risk": "true"}),
        ("/schools/", {"Schools": "page"}),
        ("/schools/networks/", {"Networks": "page"}),
        ("/", {"Home": "page"}),
    ],
)
def test_the_navigation_marks_the_section_of_the_page(world, path, expected):
    client = client_for(make_member(world, Role.OFFICER).user)
    response = client.get(path)
    assert response.status_code == 200
    assert _current(response.content.decode()) == expected


def test_sub_pages_of_a_school_and_of_the_risk_pages_mark_their_section(world):
    client = client_for(make_member(world, Role.OFFICER).user)
    school = client.get(reverse("schools:detail", args=[world.own_school.urn])).content.decode()
    assert _current(school) == {"Schools": "true"}
    risk = client.get(reverse("risk:school", args=[world.own_school.urn])).content.decode()
    assert _current(risk) == {"Risk": "true"}


def test_nav_current_rules():
    template = Template(
        "{% load partnership_tags %}{% nav_current path href section exact x1 x2 as c %}[{{ c }}]"
        "[{{ href|url_section }}]"
    )

    def state(path, href, section="", exact=False, x1="", x2=""):
        return template.render(
            Context({"path": path, "href": href, "section": section, "exact": exact, "x1": x1, "x2": x2})
        )

    assert state("/board/meetings/3/", "/board/overview/", "/board/", x1="/board/strategy/") == "[true][/board/]"
    assert state("/board/strategy/", "/board/overview/", "/board/", x1="/board/strategy/") == "[][/board/]"
    assert state("/peer-review/board/", "/board/overview/", "/board/") == "[][/board/]"  # a prefix, not a substring
    assert state("/x/", "/", exact=True) == "[][/]"


def test_nav_item_markup_current_and_not_and_escaped():
    from partnership.templatetags.partnership_tags import nav_item

    assert nav_item("/risk/runs/", "/risk/register/", "Risk", "/risk/") == (
        '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
        '<a class="govuk-service-navigation__link" href="/risk/register/" aria-current="true">'
        '<strong class="govuk-service-navigation__active-fallback">Risk</strong></a></li>'
    )
    assert nav_item("/", "/schools/?a=1&b=2", "<Schools>") == (
        '<li class="govuk-service-navigation__item"><a class="govuk-service-navigation__link" '
        'href="/schools/?a=1&amp;b=2">&lt;Schools&gt;</a></li>'
    )
    assert 'aria-current="page"' in nav_item("/", "/", "Home", "", True)
