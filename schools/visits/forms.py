"""GOV.UK forms of notes of visit (every error says what to enter)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from partnership.forms import DateInput, GovForm
from schools.risk.models import IntelligenceEntry
from schools.visits.models import Frequency, Visit
from schools.visits.services import ActionData

ACTION_ROWS = 3
"""Agreed actions offered on the visit form; more are added on the note's page while it is a draft."""


def _text(label: str, what: str, *, max_length: int, required: bool = True, rows: int = 0, help_text: str = ""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    name = what.removeprefix("the ")
    name = name[0].upper() + name[1:]
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=widget,
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"{name} must be {max_length:,} characters or fewer",
            "null_characters_not_allowed": f"{name} must not contain null characters",
        },
    )


def _date(label: str, what: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    name = what.removeprefix("the ")
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        error_messages={"required": f"Enter {what}", "invalid": f"{name[0].upper()}{name[1:]} must be a real date"},
    )


class VisitForm(GovForm):
    """The note itself: when, why, who, what was said."""

    visited_on = _date("Date of the visit", "the date of the visit")
    purpose = forms.ChoiceField(
        label="Purpose of the visit",
        choices=[("", "Choose the purpose"), *Visit.Purpose.choices],
        error_messages={
            "required": "Select the purpose of the visit",
            "invalid_choice": "Select the purpose of the visit",
        },
    )
    focus = _text(
        "Focus", "the focus of the visit", max_length=200, help_text="A short title, like “Reading in key stage 1”."
    )
    attendees = _text(
        "Who attended",
        "who attended",
        max_length=2_000,
        rows=3,
        help_text="Names and roles, one a line, like “Headteacher, chair of governors, LA link adviser”.",
    )
    notes = _text("Notes of the visit", "the notes of the visit", max_length=20_000, rows=10)

    def clean_visited_on(self) -> dt.date:
        visited_on = self.cleaned_data["visited_on"]
        if visited_on > timezone.localdate():
            raise forms.ValidationError("Date of the visit must be today or in the past")
        if visited_on < dt.date(2000, 1, 1):
            raise forms.ValidationError("Date of the visit must be after 1 January 2000")
        return visited_on


class VisitCreateForm(VisitForm):
    """A new note with up to three agreed actions (each needs its owner and due date)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{i}"] = _text(
                f"Agreed action {i} (optional)", f"agreed action {i}", max_length=500, required=False, rows=2
            )
            self.fields[f"owner_{i}"] = _text(
                f"Who owns action {i}",
                f"who owns action {i}",
                max_length=200,
                required=False,
                help_text="A person or role, like “Headteacher”.",
            )
            self.fields[f"due_{i}"] = _date(f"Action {i} due by", f"the date action {i} is due", required=False)
        self.govuk_style_fields()

    def clean(self) -> dict:
        data = super().clean() or {}
        visited_on = data.get("visited_on")
        for i in range(1, ACTION_ROWS + 1):
            action, owner, due = data.get(f"action_{i}", ""), data.get(f"owner_{i}", ""), data.get(f"due_{i}")
            if f"due_{i}" in self.errors or not (action or owner or due):
                continue
            if not action:
                self.add_error(f"action_{i}", f"Enter agreed action {i}, or clear its owner and date")
            if not owner:
                self.add_error(f"owner_{i}", f"Enter who owns action {i}")
            if due is None:
                self.add_error(f"due_{i}", f"Enter the date action {i} is due")
            elif visited_on and due < visited_on:
                self.add_error(f"due_{i}", f"Date action {i} is due must be on or after the date of the visit")
        return data

    def actions(self) -> list[ActionData]:
        data = self.cleaned_data
        return [
            ActionData(data[f"action_{i}"], data[f"owner_{i}"], data[f"due_{i}"])
            for i in range(1, ACTION_ROWS + 1)
            if data.get(f"action_{i}")
        ]

    def note(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("visited_on", "purpose", "focus", "attendees", "notes")}


class ActionForm(GovForm):
    """One more agreed action."""

    action = _text("Agreed action", "the agreed action", max_length=500, rows=2)
    owner = _text(
        "Who owns it", "who owns the action", max_length=200, help_text="A person or role, like “Headteacher”."
    )
    due_on = _date("Due by", "the date the action is due")


YES_NO = [("yes", "Yes, it is accurate"), ("no", "No, something is not accurate")]


class ResponseForm(GovForm):
    """The head's or the chair's response: accurate or not, and a reply."""

    accurate = forms.ChoiceField(
        label="Is this note of visit accurate?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the note is accurate"},
    )
    reply = _text(
        "Your reply",
        "your reply",
        max_length=5_000,
        required=False,
        rows=5,
        help_text="Required if something is not accurate: say what, and what it should say.",
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("accurate") == "no" and not data.get("reply", "").strip():
            self.add_error("reply", "Enter what is not accurate in the note")
        return data


class PromoteForm(GovForm):
    """A point of the visit recorded as soft intelligence."""

    kind = forms.ChoiceField(
        label="What it is about",
        choices=[("", "Choose what it is about"), *IntelligenceEntry.Kind.choices],
        error_messages={
            "required": "Select what the point is about",
            "invalid_choice": "Select what the point is about",
        },
    )
    rating = forms.ChoiceField(
        label="Rating",
        choices=IntelligenceEntry.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the rating"},
    )
    summary = _text(
        "Summary", "the summary", max_length=300, help_text="One sentence, as the register of concern shows it."
    )
    evidence = _text(
        "Evidence", "the evidence", max_length=10_000, rows=5, help_text="What was seen or said at the visit."
    )
    confidential = forms.BooleanField(
        label="Confidential: seen by LA officers and admins only, never by the school", required=False
    )


_FREQUENCY = {"choices": Frequency.choices, "widget": forms.RadioSelect}


class SettingsForm(GovForm):
    """How often each category of school is visited."""

    category_1 = forms.ChoiceField(label="Category 1 (universal)", **_FREQUENCY)  # type: ignore[arg-type]
    category_2 = forms.ChoiceField(label="Category 2 (universal plus, monitor)", **_FREQUENCY)  # type: ignore[arg-type]
    category_3 = forms.ChoiceField(label="Category 3 (targeted)", **_FREQUENCY)  # type: ignore[arg-type]
    category_4 = forms.ChoiceField(label="Category 4 (intensive)", **_FREQUENCY)  # type: ignore[arg-type]
    uncategorised = forms.ChoiceField(
        label="Schools with no agreed category",
        **_FREQUENCY,  # type: ignore[arg-type]
    )

    def __init__(self, *args, names: dict[int, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for number, name in (names or {}).items():  # the rule set's own names, like "Category 3 (Targeted)"
            if f"category_{number}" in self.fields:
                self.fields[f"category_{number}"].label = f"Category {number}: {name}"
        for field_name, field in self.fields.items():
            which = f"in category {field_name[-1]}" if field_name.startswith("category_") else "with no agreed category"
            field.error_messages["required"] = f"Select how often to visit schools {which}"
            field.error_messages["invalid_choice"] = f"Select how often to visit schools {which}"


class AdviserForm(GovForm):
    """Who is the school's link adviser (one of the partnership's officers), or nobody."""

    adviser = forms.TypedChoiceField(
        label="Link adviser",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose an LA officer of this partnership"},
    )

    def __init__(self, *args, choices: list[tuple[int, str]] = (), **kwargs) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["adviser"].choices = [("", "No link adviser"), *choices]  # type: ignore[attr-defined]
