"""The register's filter forms render their selects in Python (``partnership.forms.FastSelect``, issue #15): the
markup must be Django's own, option for option (only the whitespace between tags differs)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils.safestring import mark_safe

from partnership.forms import FastSelect, GovForm


def _same(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def _both(widget: forms.Select, name: str, value, attrs=None) -> tuple[str, str]:
    django_html = forms.Select.render(widget, name, value, attrs=attrs)
    return _same(django_html), _same(FastSelect.render(widget, name, value, attrs=attrs))


@pytest.mark.parametrize("value", [None, "", "b", ["b"], 3, "<x>"])
def test_plain_choices_with_and_without_a_selection(value):
    widget = forms.Select(
        attrs={"class": "govuk-select", "aria-describedby": "x-hint"},
        choices=[
            ("", "Any"),
            ("a", "A & co"),
            ("b", "B"),
            (3, "Three"),
            ("<x>", "<script>"),
            ("q'\"", 'O\'Brien "Q"'),
            ("s", mark_safe("<b>kept</b>")),  # noqa: S308 - a safe label is written as it is, as Django does
        ],
    )
    django_html, fast = _both(widget, "x", value, attrs={"id": "id_x", "required": True, "disabled": False})
    assert fast == django_html


def test_option_groups_and_a_value_chosen_twice_selects_the_first_only():
    widget = forms.Select(
        choices=[("Group 1", [("a", "A"), ("b", "B")]), ("Group <2>", [("b", "B again")]), (None, "None")]
    )
    django_html, fast = _both(widget, "g", "b")
    assert fast == django_html and fast.count("selected") == 1


def test_model_choices(db, world):
    from clusters.models import Cluster

    field = forms.ModelChoiceField(queryset=Cluster.objects.filter(partnership=world.home), empty_label="Any cluster")
    django_html, fast = _both(field.widget, "cluster", world.cluster.pk)
    assert fast == django_html and f'value="{world.cluster.pk}" selected' in fast


def test_gov_forms_use_it_for_plain_selects_only():
    class Form(GovForm):
        one = forms.ChoiceField(choices=[("a", "A")])
        many = forms.MultipleChoiceField(choices=[("a", "A")])
        yes_no = forms.NullBooleanField()

    form = Form()
    assert type(form.fields["one"].widget) is FastSelect
    assert type(form.fields["many"].widget) is forms.SelectMultiple
    assert 'class="govuk-select"' in str(form["one"])
