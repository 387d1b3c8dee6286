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


def test_shared_choice_fields_share_their_options_and_behave_as_djangos():
    """``SharedChoiceField``: a form's copy of the field holds the same option list (not a deep copy), and the
    field validates and renders as django-filter's own choice field does."""
    import django_filters
    from django_filters.fields import ChoiceField as FilterChoiceField

    from partnership.forms import GovFilterForm, SharedChoiceFilter
    from schools.models import School

    options = [(f"d{i}", f"District {i}") for i in range(500)]

    class Shared(django_filters.FilterSet):
        district = SharedChoiceFilter(label="District", empty_label="Any district", choices=options)

        class Meta:
            model = School
            fields: list[str] = []
            form = GovFilterForm

    class Plain(django_filters.FilterSet):
        district = django_filters.ChoiceFilter(label="District", empty_label="Any district", choices=options)

        class Meta:
            model = School
            fields: list[str] = []
            form = GovFilterForm

    shared, plain = Shared({"district": "d7"}).form, Plain({"district": "d7"}).form
    base, copy = shared.base_fields["district"], shared.fields["district"]
    assert copy is not base and copy.widget is not base.widget
    assert copy.choices is base.choices  # shared, not copied
    assert plain.fields["district"].choices is not plain.base_fields["district"].choices  # Django copies its own
    assert isinstance(copy, FilterChoiceField)
    assert shared.is_valid() and plain.is_valid() and shared.cleaned_data == plain.cleaned_data == {"district": "d7"}
    assert _same(str(shared["district"])) == _same(str(plain["district"]))
    for value in ("nowhere", "<script>"):
        refused, refused_too = Shared({"district": value}).form, Plain({"district": value}).form
        assert not refused.is_valid() and refused.errors == refused_too.errors


@pytest.mark.parametrize("value", [None, "", "d7", "d499", 12, "<x>", "nowhere", ["d3", "d2"]])
def test_a_long_plain_list_is_written_once_and_still_as_djangos(value):
    """A filter's long list of plain strings is written once per process (``_written_options``): each page view
    only writes its chosen option, and the markup is still Django's own, whichever value is chosen."""
    from partnership.forms import _written_options

    choices = [("", "Any district"), *((f"d{i}", f"District {i} & <co>") for i in range(500)), (12, "Twelve")]
    choices += [("<x>", "<script>"), ("d7", "District 7 again")]  # a value listed twice: only the first is chosen
    _written_options.cache_clear()
    for _ in range(2):  # written, then read from what was kept
        django_html, fast = _both(forms.Select(choices=list(choices)), "district", value)
        assert fast == django_html
    assert _written_options.cache_info().hits == 1


def test_safe_or_lazy_labels_are_never_taken_from_a_kept_list_of_plain_ones():
    """A safe label equals the plain string it would be escaped from: such a list is written as Django writes it,
    never from a list kept for plain labels."""
    from django.utils.translation import gettext_lazy

    plain = forms.Select(choices=[("a", "<b>x</b>")])
    safe = forms.Select(choices=[("a", mark_safe("<b>x</b>"))])  # noqa: S308 - the point of the test
    lazy = forms.Select(choices=[("a", gettext_lazy("<b>x</b>"))])
    for widget in (plain, safe, lazy, plain):
        django_html, fast = _both(widget, "s", "a")
        assert fast == django_html
    assert "&lt;b&gt;" in _both(plain, "s", "a")[1] and "<b>x</b>" in _both(safe, "s", "a")[1]


@pytest.mark.parametrize(
    "choices",
    [
        [("a", "A"), ("g", [("b", "B")])],  # an option group
        [("a", "A"), (1.5, "One and a half")],
        [("a", "A"), (True, "Yes")],
        [("a", "A"), ("b", mark_safe("<b>B</b>"))],  # noqa: S308 - the point of the test
    ],
)
def test_lists_that_are_not_plain_pairs_are_written_as_django_writes_them(choices):
    """Only exact strings, integers and None are kept: Django's own normalised list of anything else is written
    per request, as Django writes it."""
    from partnership.forms import _plain_choices

    widget = forms.Select(choices=choices)
    assert _plain_choices(widget.choices) is None
    for value in ("a", "b", "1.5", "True"):
        django_html, fast = _both(widget, "x", value)
        assert fast == django_html


def test_equal_keys_of_other_types_never_share_written_options():
    """``(1, "a")``, ``(True, "a")`` and ``(1.0, "a")`` are equal tuples to Python: only the first may be kept, or a
    bool or float list would be served the int list's markup (the exact-type check keeps them apart)."""
    from partnership.forms import _written_options

    _written_options.cache_clear()
    for value in (1, True, 1.0, 1):
        django_html, fast = _both(forms.Select(choices=[(value, "a"), ("b", "B")]), "x", str(value))
        assert fast == django_html
    assert _written_options.cache_info().currsize == 1


def test_the_register_filters_reach_the_kept_lists(db, world):
    """The real filter forms (django-filter's choice iterator, with its empty label) are plain lists: the second
    form built reads its options from what the first wrote."""
    from partnership.forms import _plain_choices, _written_options
    from schools.filters import SchoolFilter
    from schools.models import School

    _written_options.cache_clear()
    for _ in range(2):
        form = SchoolFilter({"district": "Elmbridge"}, partnership=world.home, queryset=School.objects.all()).form
        assert _plain_choices(form.fields["district"].widget.choices) is not None
        html = str(form["district"])
        assert '<option value="Elmbridge" selected>Elmbridge</option>' in html
    assert _written_options.cache_info().hits >= 1
