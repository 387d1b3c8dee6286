"""The GOV.UK form rendering every form uses: an error is shown by its field, the field is marked, and the input
points at the message (the error summary alone is not the GOV.UK pattern, and WCAG 3.3.1 wants it by the field)."""

from __future__ import annotations

import re

from django import forms

from partnership.forms import DateInput, GovForm


class _Example(GovForm):
    name = forms.CharField(label="Name", help_text="As on the register.", max_length=10)
    starts_on = forms.DateField(label="First day", widget=DateInput())
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


def _group(html: str, field: str) -> str:
    """The form group holding ``field``'s input."""
    groups = html.split('<div class="govuk-form-group')
    return next(g for g in groups if f'name="{field}"' in g)


def test_an_error_found_in_cleaning_is_shown_by_its_field_and_the_input_points_at_it():
    form = _Example(data={"name": "x" * 11, "starts_on": "2027-02-31", "kind": "a"})
    assert not form.is_valid()
    html = str(form)
    name = _group(html, "name")
    assert name.startswith(" govuk-form-group--error")
    assert re.search(r'<p id="name-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:', name)
    assert 'aria-describedby="name-hint name-error"' in name and "govuk-input--error" in name
    assert 'aria-describedby="starts_on-error"' in _group(html, "starts_on")
    assert not _group(html, "kind").startswith(" govuk-form-group--error")


def test_an_error_a_view_adds_after_cleaning_marks_its_field_too():
    form = _Example(data={"name": "Half term", "starts_on": "2027-02-15", "kind": "a"})
    assert form.is_valid()
    form.add_error("starts_on", "These dates overlap Christmas holiday")
    form.add_error(None, "Something about the whole form")
    group = _group(str(form), "starts_on")
    assert group.startswith(" govuk-form-group--error") and "These dates overlap Christmas holiday" in group
    assert 'aria-describedby="starts_on-error"' in group and "govuk-input--error" in group


def test_several_errors_on_one_field_share_one_message_element():
    form = _Example(data={"name": "ok", "starts_on": "2027-02-15", "kind": "a"})
    assert form.is_valid()
    form.add_error("name", ["First problem", "Second problem"])
    html = str(form)
    assert html.count('id="name-error"') == 1 and "First problem" in html and "Second problem" in html
    assert html.count("govuk-input--error") == 1, "the class is added once, not per error"


def test_a_radio_group_error_is_described_on_its_fieldset():
    form = _Example(data={"name": "ok", "starts_on": "2027-02-15"})
    assert not form.is_valid()
    kind = _group(str(form), "kind")
    assert 'aria-describedby="kind-error"' in kind
    assert '<p id="kind-error" class="govuk-error-message">' in kind
