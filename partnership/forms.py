"""GOV.UK-styled Django forms: one renderer and one field template, used by every form."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import cast

import django_filters
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django_filters.fields import ChoiceField as ChoiceFilterField
from django_filters.fields import ChoiceIterator as FilterChoiceIterator

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
}


_GROUPED = (forms.CheckboxSelectMultiple, forms.RadioSelect)


def _attributes(attrs: dict) -> str:
    """Attributes as Django's ``attrs.html`` writes them: in order, ``True`` bare, ``False`` left out."""
    pairs = [(f" {k}", "") if v is True else (f" {k}", f'="{escape(v)}"') for k, v in attrs.items() if v is not False]
    return mark_safe("".join(f"{escape(k)}{v}" for k, v in pairs))  # noqa: S308 - names and values escaped


def _escaped(value: object) -> str:
    """What ``conditional_escape`` gives, without its lazy-text wrapper and safe-string result per call (a third
    of a long select's time): a safe string as it is, anything else through the standard library's ``html.escape``,
    the function Django's own ``escape`` calls."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


class FastSelect(forms.Select):
    """Django's ``Select`` with the same markup, written in Python rather than through a template per option.

    Django renders every ``<option>`` through its own template include (and its attributes through another): on a
    filter form with the region's clusters, trusts and networks (two thousand options and more) that was three
    quarters of the register page's CPU time (issue #15). The HTML is the same (tests compare them) apart from the
    whitespace between options.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        start = format_html('<select name="{}"{}>', name, _attributes(self.build_attrs(self.attrs, attrs)))
        plain = _plain_choices(self.choices) if not self.allow_multiple_selected else None
        if plain is not None:  # a long filter list: its options were written once, only the chosen one is new
            return mark_safe(start + _options_with_choice(plain, chosen) + "</select>")  # noqa: S308 - escaped
        parts = [start]
        found = False

        def option(option_value, label) -> str:
            nonlocal found
            text = "" if option_value is None else str(option_value)
            selected = (not found or self.allow_multiple_selected) and text in chosen
            found = found or selected
            return _option(text, label, selected=selected)

        for group_value, group_label in self.choices:
            if isinstance(group_label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', group_value))
                parts.extend(option(v, label) for v, label in group_label)
                parts.append("</optgroup>")
            else:
                parts.append(option(group_value, group_label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html


def _option(text: str, label: object, *, selected: bool) -> str:
    # plain concatenation of escaped parts: format_html per option was half of this widget's time (#15)
    return f'<option value="{_escaped(text)}"{" selected" if selected else ""}>{_escaped(label)}</option>'


def _plain_choices(choices: object) -> tuple[tuple[str | int | None, str], ...] | None:
    """``choices`` as a tuple when it is a list of (value, label) pairs, values exactly strings, integers or None
    and labels exactly strings (a filter's option list, or django-filter's iterator over one): the key its written
    options are kept by. None for anything else (option groups, model choices, bool or float values, lazy or safe
    labels: a safe label equals the plain string it would be escaped from)."""
    if type(choices) not in (list, FilterChoiceIterator):
        return None
    pairs: tuple = tuple(cast(Iterable, choices))  # a list or django-filter's iterator over one
    # checked with C-level iteration (map), a tenth of a Python loop's time over a region's thousands of options
    # Exact types, never isinstance: (1, "a"), (True, "a") and (1.0, "a") are equal keys, whose options differ.
    if set(map(type, pairs)) - {tuple} or set(map(len, pairs)) - {2}:
        return None
    if set(map(type, map(itemgetter(1), pairs))) - {str} or set(map(type, map(itemgetter(0), pairs))) - _PLAIN_VALUES:
        return None
    return pairs


_PLAIN_VALUES = {str, int, type(None)}


@dataclass(frozen=True)
class _WrittenOptions:
    html: str  # every option, none selected
    spans: dict[str, tuple[int, int, str]]  # a value's first option: its start and end in ``html``, and its label


@lru_cache(maxsize=64)
def _written_options(choices: tuple[tuple[str | int | None, str], ...]) -> _WrittenOptions:
    """A plain option list written once (kept per process, by its content: a filter's lists change only when the
    partnership's data does, ADR 0028). Labels are escaped here, once, instead of on every page view."""
    parts: list[str] = []
    spans: dict[str, tuple[int, int, str]] = {}
    at = 0
    for option_value, label in choices:
        text = "" if option_value is None else str(option_value)
        written = _option(text, label, selected=False)
        spans.setdefault(text, (at, at + len(written), label))
        parts.append(written)
        at += len(written)
    return _WrittenOptions("".join(parts), spans)


def _options_with_choice(choices: tuple[tuple[str | int | None, str], ...], chosen: set[str]) -> str:
    """The options of a single select with the first option whose value is ``chosen`` selected, as Django does."""
    written = _written_options(choices)
    spans = [(*written.spans[text], text) for text in chosen if text in written.spans]
    if not spans:
        return written.html
    start, end, label, text = min(spans)
    return written.html[:start] + _option(text, label, selected=True) + written.html[end:]


class SharedChoiceField(ChoiceFilterField):
    """django-filter's choice field, whose copies share its option list instead of copying it deeply.

    Django copies every field of a form for each form it builds, and a choice field deep-copies its options: for a
    region's filter forms (three thousand options, each a pair of strings, never changed once set) that was a tenth
    of the schools list's CPU time (#15). The list is shared; everything else is copied as Django copies it.
    """

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices
        return result


class SharedChoiceFilter(django_filters.ChoiceFilter):
    """A ``ChoiceFilter`` whose field shares its option list between copies (``SharedChoiceField``)."""

    field_class = SharedChoiceField


class GovUKFormRenderer(TemplatesSetting):
    """Render forms and fields with the project's GOV.UK templates."""

    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


class GovUKFormMixin:
    """Add GOV.UK classes to widgets, and error classes and ``aria-describedby`` once the form is validated."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.govuk_style_fields()

    def govuk_style_fields(self) -> None:
        """Style every field not styled yet (call again after adding fields in a subclass's ``__init__``)."""
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if hasattr(widget, "govuk_class"):
                continue
            if type(widget) is forms.Select:
                widget.__class__ = FastSelect  # the same select, rendered without a template per option
            css = next((c for t, c in _WIDGET_CLASSES.items() if isinstance(widget, t)), "govuk-input")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            widget.govuk_class = css
            if field.help_text and not isinstance(widget, _GROUPED):
                widget.attrs["aria-describedby"] = f"{name}-hint"

    def add_error(self, field, error) -> None:
        """Django's, then mark each field that now has an error (during cleaning, and when a view adds a
        service's error afterwards): the error class, and ``aria-describedby`` pointing at the message."""
        super().add_error(field, error)  # type: ignore[misc]
        marked = self.__dict__.setdefault("_govuk_marked", set())
        for name in self.errors:  # type: ignore[attr-defined]
            if name in marked or name not in self.fields:  # type: ignore[attr-defined]
                continue
            marked.add(name)
            widget = self.fields[name].widget  # type: ignore[attr-defined]
            if isinstance(widget, _GROUPED):
                continue
            widget.attrs["class"] += f" {widget.govuk_class}--error"
            described = widget.attrs.get("aria-describedby", "")
            widget.attrs["aria-describedby"] = f"{described} {name}-error".strip()


class DateInput(forms.DateInput):
    """A native date picker (accessible, keyboard-friendly) submitting ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class GovForm(GovUKFormMixin, forms.Form):
    """A plain form with GOV.UK styling."""


class GovModelForm(GovUKFormMixin, forms.ModelForm):
    """A model form with GOV.UK styling."""


class GovFilterForm(GovUKFormMixin, forms.Form):
    """The form of every django-filter ``FilterSet`` (``class Meta: form = GovFilterForm``), GOV.UK styled."""


class BoardMemberForm(GovModelForm):
    """A board seat: who, which seat, from which organisation, for what term."""

    class Meta:
        from partnership.models import BoardMember

        model = BoardMember
        fields = ["name", "seat", "organisation", "term_start", "term_end"]
        labels = {
            "name": "Full name",
            "organisation": "Organisation (optional)",
            "term_start": "Term starts",
            "term_end": "Term ends (optional)",
        }
        widgets = {"term_start": DateInput(), "term_end": DateInput()}
        error_messages = {
            "name": {"required": "Enter the board member's full name"},
            "seat": {"required": "Select the seat"},
            "term_start": {"required": "Enter the date the term starts", "invalid": "Term start must be a real date"},
            "term_end": {"invalid": "Term end must be a real date"},
        }


class InvitationForm(GovForm):
    """Invite a person by email with roles; headteachers and chairs of governors name their school by URN."""

    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    full_name = forms.CharField(label="Full name (optional)", max_length=200, required=False)
    roles = forms.MultipleChoiceField(
        label="Roles",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one role"},
    )
    urn = forms.IntegerField(
        label="School URN (headteachers and chairs of governors)",
        required=False,
        help_text="The 6-digit URN of their school",
        error_messages={"invalid": "URN must be a number, like 125123"},
    )

    def __init__(self, *args, inviter, **kwargs) -> None:
        from partnership.models import Role
        from partnership.permissions import Permission, membership_can

        self.inviter = inviter
        super().__init__(*args, **kwargs)
        choices = Role.choices
        if not membership_can(inviter, Permission.INVITE_ADMINS):
            choices = [c for c in choices if c[0] != Role.ADMIN]
        cast(forms.ChoiceField, self.fields["roles"]).choices = choices

    def clean(self):
        from schools.models import School

        data = super().clean()
        urn = data.get("urn")
        data["school"] = None
        if urn is not None:
            data["school"] = School.objects.filter(partnership_id=self.inviter.partnership_id, urn=urn).first()
            if data["school"] is None:
                self.add_error("urn", "Enter the URN of a school in this partnership")
        return data


class PersonRolesForm(GovForm):
    """A member's roles, and the school a headteacher or chair of governors is tied to (by URN)."""

    roles = forms.MultipleChoiceField(
        label="Roles",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one role", "invalid_choice": "Select roles from the list"},
    )
    urn = forms.IntegerField(
        label="School URN (headteachers and chairs of governors)",
        required=False,
        help_text="The 6-digit URN of their school. Leave it empty for other roles.",
        error_messages={"invalid": "URN must be a number, like 125123"},
    )

    def __init__(self, *args, actor, person, **kwargs) -> None:
        from partnership.models import Role
        from partnership.permissions import Permission, membership_can

        self.actor = actor
        kwargs.setdefault("initial", {"roles": person.roles, "urn": person.school.urn if person.school else None})
        super().__init__(*args, **kwargs)
        choices = Role.choices
        if not membership_can(actor, Permission.INVITE_ADMINS):
            choices = [c for c in choices if c[0] != Role.ADMIN]
        cast(forms.ChoiceField, self.fields["roles"]).choices = choices

    def clean(self):
        from schools.models import School

        data = super().clean()
        urn = data.get("urn")
        data["school"] = None
        if urn is not None:
            data["school"] = School.objects.filter(partnership_id=self.actor.partnership_id, urn=urn).first()
            if data["school"] is None:
                self.add_error("urn", "Enter the URN of a school in this partnership")
        return data


class PersonLeadsForm(GovForm):
    """The clusters and alliances a member leads (the lead roles follow)."""

    clusters: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label="Clusters they lead",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select clusters of this partnership"},
    )
    alliances: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label="Alliances they lead",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select alliances of this partnership"},
    )

    def __init__(self, *args, clusters, alliances, person, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {"clusters": [c.pk for c in person.clusters.all()], "alliances": [a.pk for a in person.alliances.all()]},
        )
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["clusters"]).queryset = clusters
        cast(forms.ModelMultipleChoiceField, self.fields["alliances"]).queryset = alliances


class AcceptInvitationForm(GovForm):
    """Choose a password (and confirm your name) to accept an invitation."""

    full_name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter your full name"})
    password1 = forms.CharField(
        label="Create a password",
        help_text="At least 12 characters. Avoid common words and your name.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def __init__(self, *args, invitation, **kwargs) -> None:
        self.invitation = invitation
        super().__init__(*args, **kwargs)
        self.fields["full_name"].initial = invitation.full_name

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        from partnership.models import User

        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The passwords do not match")
        elif p1:
            try:
                validate_password(p1, User(email=self.invitation.email, full_name=data.get("full_name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class EndMembershipForm(GovForm):
    """The date a membership ended."""

    left_on = forms.DateField(
        label="Date left",
        widget=DateInput(),
        initial=timezone.localdate,
        error_messages={"required": "Enter the date it left", "invalid": "Date left must be a real date"},
    )
