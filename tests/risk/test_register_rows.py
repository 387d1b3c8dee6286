# ruff: noqa: E501 - the reference loop is the template's own lines
"""The risk register's rows are written in Python (``presenters.register_rows_html``, #15): the same markup as the
template loop they replaced, kept here as the reference, for every kind of row, with hostile text escaped."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from schools.models import School
from schools.risk.presenters import CategoryLabel, category_tag_html
from tests.risk.helpers import succeeded_run
from tests.risk.test_register import assess, officer_client, register  # noqa: F401 - the fixture

# The loop as templates/risk/register.html had it before #15 moved it to Python.
REFERENCE_ROWS = """{% load partnership_tags risk_tags %}
      {% for assessment in page_obj %}{% with label=categories|get_item:assessment.proposed_category %}
        <tr class="govuk-table__row">
          <td class="govuk-table__cell"><a class="govuk-link" href="{% url 'risk:school' assessment.school.urn %}">{{ assessment.school.name }}</a>{% if assessment.leading %} <strong class="govuk-tag govuk-tag--blue">Leading</strong>{% endif %}<br><span class="govuk-body-s">URN {{ assessment.school.urn }}{% if assessment.school.trust_name %}, {{ assessment.school.trust_name }}{% endif %}</span></td>
          <td class="govuk-table__cell">{{ assessment.school.phase }}</td>
          <td class="govuk-table__cell">{{ assessment.school.district }}</td>
          <td class="govuk-table__cell">{% include "risk/includes/category_tag.html" with number=assessment.proposed_category label=label %}{% if assessment.academy_view %}<br><span class="govuk-body-s">Academy: {{ assessment.academy_view }}</span>{% endif %}</td>
          <td class="govuk-table__cell">{{ assessment.agreed_category|default_if_none:"" }}</td>
          <td class="govuk-table__cell">{{ movements|get_item:assessment.movement }}{% if assessment.previous_category and assessment.movement != 'same' %}<br><span class="govuk-body-s">was {{ assessment.previous_category }}</span>{% endif %}</td>
          <td class="govuk-table__cell">{{ assessment.standards_band }}</td>
          <td class="govuk-table__cell">{{ assessment.capacity_band }}</td>
          <td class="govuk-table__cell govuk-table__cell--numeric">{{ assessment.score|risk_score:run.ruleset_version }}</td>
        </tr>
      {% endwith %}{% endfor %}"""  # fmt: skip

HOSTILE = "<script>alert('x')</script> & \"Sons\""


def _same(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_the_rows_are_the_template_loops_markup(world, register):  # noqa: F811
    School.objects.filter(pk=world.own_school.pk).update(name=HOSTILE, trust_name=HOSTILE, district="<b>D</b>")
    School.objects.filter(pk=world.cluster_school.pk).update(trust_name="")
    register["outside"].academy_view = "concern"
    register["outside"].standards_band = "<"
    register["outside"].save()
    client = officer_client(world)
    for query in ("", "?category=3", "?movement=new"):
        response = client.get(reverse("risk:register") + query)
        context = response.context
        reference = Template(REFERENCE_ROWS).render(
            Context({key: context[key] for key in ("page_obj", "categories", "movements", "run")})
        )
        rows = str(context["rows_html"])
        assert _same(rows) == _same(reference), query
        assert "<script>" not in rows
    assert "Leading" in str(client.get(reverse("risk:register")).context["rows_html"])


def test_no_rows_says_so(world, register):  # noqa: F811
    response = officer_client(world).get(reverse("risk:register") + "?category=1&district=Tandridge")
    assert response.context["rows_html"] == ""
    assert "No schools match these filters." in response.content.decode()


@pytest.mark.parametrize("number", [0, 1, 3, None])
@pytest.mark.parametrize(
    "label",
    [None, CategoryLabel(3, "", ""), CategoryLabel(3, "Intensive", "govuk-tag--red"), CategoryLabel(1, HOSTILE, "x")],
)
def test_category_tags_written_in_python_match_the_include(number, label):
    include = Template('{% include "risk/includes/category_tag.html" with number=number label=label %}')
    rendered = include.render(Context({"number": number, "label": label}))
    assert str(category_tag_html(number, label)) == rendered.rstrip("\n")  # the include's file ends with a line break


def test_a_run_without_a_rule_set_score_section_still_writes_its_rows(world):
    run = succeeded_run(world.home, assess=False)
    assess(run, world.own_school, 2, score=7)
    response = officer_client(world).get(reverse("risk:register"))
    assert str(world.own_school.urn) in str(response.context["rows_html"])
