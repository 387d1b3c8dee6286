# ruff: noqa: E501 - the reference loop is the template's own lines
"""The schools list's rows are written in Python (``presenters.school_rows_html``, #15): the same markup as the
template loop they replaced, kept here as the reference, for officers (with the agreed-category column other apps
add) and heads, with hostile text escaped; a column without ``cell_html`` still renders through its template."""

from __future__ import annotations

import re
from dataclasses import replace

from django.template import Context, Template
from django.urls import reverse

from partnership.models import Role
from schools import selectors
from schools.models import School
from schools.presenters import school_rows_html
from tests.conftest import client_for, make_member
from tests.factories import ClusterFactory, ClusterMembershipFactory, SchoolFactory
from tests.schools.test_school_page_day_one import _published_round

REFERENCE_ROWS = """{% load humanize partnership_tags %}
      {% for school in page_obj %}
        <tr class="govuk-table__row">
          <td class="govuk-table__cell"><a class="govuk-link" href="{% url 'schools:detail' school.urn %}">{{ school.name }}</a>{% if school.trust_name %}<br><span class="govuk-body-s">{{ school.trust_name }}</span>{% endif %}</td>
          <td class="govuk-table__cell">{{ school.urn }}</td>
          <td class="govuk-table__cell">{{ school.phase }}</td>
          <td class="govuk-table__cell">{{ school.type_name }}</td>
          <td class="govuk-table__cell">{{ school.status }}</td>
          <td class="govuk-table__cell">{{ school.district }}</td>
          <td class="govuk-table__cell">{% if school.cluster_names %}{{ school.cluster_names }}{% elif school.is_open %}<strong class="govuk-tag govuk-tag--orange">No cluster</strong>{% endif %}</td>
          <td class="govuk-table__cell govuk-table__cell--numeric">{{ school.number_of_pupils|default_if_none:""|intcomma }}</td>
          {% for column, cell in columns %}<td class="govuk-table__cell">{% include column.cell_template with value=school|attr:column.key cell=cell %}</td>{% endfor %}
        </tr>
      {% endfor %}"""  # fmt: skip

HOSTILE = "<script>alert('x')</script> & \"Sons\""


def _same(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def _reference(context) -> str:
    return Template(REFERENCE_ROWS).render(Context({"page_obj": context["page_obj"], "columns": context["columns"]}))


def _hostile_world(world) -> None:
    School.objects.filter(pk=world.own_school.pk).update(name=HOSTILE, trust_name=HOSTILE, district="<b>D</b>")
    School.objects.filter(pk=world.isolated_school.pk).update(status="Closed", number_of_pupils=None)
    School.objects.filter(pk=world.outside_school.pk).update(number_of_pupils=12345, type_name="Voluntary & aided")
    ClusterMembershipFactory(cluster=ClusterFactory(partnership=world.home, name="A & <B>"), school=world.own_school)
    SchoolFactory(partnership=world.home, name="Open, no cluster", status="Open, but proposed to close")


def test_the_rows_are_the_template_loops_markup_for_each_role(world):
    _hostile_world(world)
    officer = make_member(world, Role.OFFICER)
    _published_round(world, officer.user)  # officers see the agreed-category column
    SchoolFactory(partnership=world.home, name="Brand New Free School")  # in no agreed round: "None agreed"
    for membership in (officer, make_member(world, Role.HEADTEACHER)):
        client = client_for(membership.user)
        for query in ("", "?sort=-pupils", "?status=Closed", "?page=1&q=Sons"):
            context = client.get(reverse("schools:list") + query).context
            rows = str(context["rows_html"])
            assert _same(rows) == _same(_reference(context)), (membership.roles, query)
            assert "<script>" not in rows
        assert bool(context["columns"]) == (membership is officer)
    officer_rows = str(client_for(officer.user).get(reverse("schools:list")).context["rows_html"])
    assert "None agreed" in officer_rows and "govuk-tag--orange" in officer_rows and "12,345" in officer_rows


def test_a_column_without_cell_html_is_rendered_by_its_template(world):
    officer = make_member(world, Role.OFFICER)
    _published_round(world, officer.user)
    client = client_for(officer.user)
    context = client.get(reverse("schools:list")).context
    (column, cell), *_ = context["columns"]
    assert column.cell_html is not None
    templated = [(replace(column, cell_html=None), cell)]
    written = school_rows_html(context["page_obj"], columns=templated, school_url=lambda urn: f"/schools/{urn}/")
    assert _same(str(written)) == _same(str(context["rows_html"]))
    assert selectors.school_list_columns(membership=officer)[0].cell_html is not None  # the registry unchanged


def test_no_rows_says_so_across_every_column(world):
    officer = make_member(world, Role.OFFICER)
    response = client_for(officer.user).get(reverse("schools:list"), {"q": "no such school anywhere"})
    assert response.context["rows_html"] == ""
    colspan = 8 + len(response.context["columns"])
    assert f'colspan="{colspan}">No schools match these filters.' in response.content.decode()
