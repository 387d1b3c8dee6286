"""Forms for categorisation rounds; the services re-check everything (these give the messages)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone

from partnership.forms import DateInput, GovForm
from schools.risk.categorisation.services import RATIONALE_MIN, TEXT_MAX
from schools.risk.models import CategorisationRound, CategoryDecision, CategoryReply, RiskRun
from schools.risk.presenters import CategoryLabel


def category_choices(labels: dict[int, CategoryLabel]) -> list[tuple[str, str]]:
    numbers = sorted(labels) or [1, 2, 3, 4]
    return [(str(n), f"{n} {labels[n].name}" if n in labels else str(n)) for n in numbers]


def _text(label: str, help_text: str, what: str, *, minimum: int = RATIONALE_MIN, rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        min_length=minimum,
        max_length=TEXT_MAX,
        strip=True,
        error_messages={
            "required": f"Enter {what}",
            "min_length": f"Enter {what} of at least {minimum} characters",
            "max_length": f"{what[0].upper()}{what[1:]} must be {TEXT_MAX:,} characters or fewer",
        },
    )


def _meeting(label: str, what: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        initial=timezone.localdate,
        error_messages={"required": f"Enter the date of the {what}", "invalid": "Date must be a real date"},
    )


def _category(label: str, labels: dict[int, CategoryLabel], *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=category_choices(labels),
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        required=required,
        error_messages={"required": "Select a category", "invalid_choice": "Select a category"},
    )


class RoundForm(GovForm):
    """Open a round from a finished risk run."""

    name = forms.CharField(
        label="Name of the round",
        help_text="For example “Autumn 2026 categorisation”. Schools see it when the round is published.",
        max_length=120,
        error_messages={"required": "Enter a name for the round", "max_length": "Name must be 120 characters or fewer"},
    )
    # the service refuses line breaks and control characters (the name becomes an email subject)
    run = forms.ModelChoiceField(
        label="Risk run to start from",
        queryset=RiskRun.objects.none(),
        empty_label=None,
        error_messages={"required": "Select a risk run", "invalid_choice": "Select a finished risk run"},
    )

    def __init__(self, *args, runs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["run"])
        field.queryset = runs
        field.label_from_instance = lambda obj: (  # type: ignore[method-assign]  # Django documents this override
            f"Run {obj.pk}, {timezone.localtime(obj.finished_at or obj.created_at):%-d %b %Y %H:%M}, "
            f"rule set version {obj.ruleset_version.version}"
        )


class AdjustForm(GovForm):
    """An officer's move of a school's category, with a reason code and rationale."""

    def __init__(self, *args, labels: dict[int, CategoryLabel], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = _category("Category", labels)
        self.fields["reason"] = forms.ChoiceField(
            label="Reason",
            choices=[
                ("", "Choose a reason"),
                *[c for c in CategoryDecision.Reason.choices if c[0] != CategoryDecision.Reason.REPLY_EVIDENCE],
            ],
            error_messages={"required": "Select a reason", "invalid_choice": "Select a reason"},
        )
        self.fields["rationale"] = _text(
            "Rationale",
            "Why the best-fit category differs from the proposal. The school's head and chair read it when the round"
            " is published; write it as you would for a freedom of information request.",
            "a rationale",
        )
        self.govuk_style_fields()


class ModerateForm(GovForm):
    """The moderation panel's decision on one school."""

    def __init__(self, *args, labels: dict[int, CategoryLabel], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = _category("The panel's category", labels)
        self.fields["meeting_on"] = _meeting("Date of the panel meeting", "panel meeting")
        self.fields["rationale"] = _text(
            "The panel's reasons",
            "As minuted by the panel. The school's head and chair read it when the round is published.",
            "the panel's reasons",
        )
        self.govuk_style_fields()


class AgreeForm(GovForm):
    """The board's agreement of a round's list."""

    agreed_on = _meeting("Date of the board meeting", "board meeting")
    minute = forms.CharField(
        label="Minute reference",
        help_text="Where the board's minutes record the agreement, for example “SB/2026/14”.",
        max_length=200,
        error_messages={"required": "Enter the minute reference", "max_length": "Minute reference is too long"},
    )


class ReplyForm(GovForm):
    """A head's or chair's reply to the school's published category."""

    text = _text(
        "Your reply",
        "What you would like the panel to consider: for example recent evidence from your self-evaluation. The"
        " panel's answer is final and is kept with your reply.",
        "your reply",
        rows=8,
    )


class AnswerForm(GovForm):
    """The panel's answer to a school's reply."""

    outcome = forms.ChoiceField(
        label="The panel's decision",
        choices=CategoryReply.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the panel's decision", "invalid_choice": "Select the panel's decision"},
    )

    def __init__(self, *args, labels: dict[int, CategoryLabel], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = _category("New category (when changed)", labels, required=False)
        self.fields["meeting_on"] = _meeting("Date of the panel meeting", "panel meeting")
        self.fields["answer"] = _text("The panel's answer", "The school reads it.", "the panel's answer")
        self.govuk_style_fields()

    def clean(self):
        data = super().clean()
        if data.get("outcome") == CategoryReply.Outcome.CHANGED and data.get("category") in (None, ""):
            self.add_error("category", "Select the new category")
        return data


class HolidayForm(GovForm):
    """Days the partnership's schools are closed (from the LA's published term dates)."""

    name = forms.CharField(
        label="Name",
        help_text="For example “Christmas holiday”, “February half term” or “INSET day”.",
        max_length=80,
        error_messages={"required": "Enter a name, like “Christmas holiday”", "max_length": "Name is too long"},
    )
    starts_on = forms.DateField(
        label="First day schools are closed",
        widget=DateInput(),
        error_messages={"required": "Enter the first day schools are closed", "invalid": "Date must be a real date"},
    )
    ends_on = forms.DateField(
        label="Last day schools are closed",
        widget=DateInput(),
        error_messages={"required": "Enter the last day schools are closed", "invalid": "Date must be a real date"},
    )


class TermlyReviewForm(RoundForm):
    """Open a termly review: the schools whose current published category is 3 or 4."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = "For example “Spring 2027 termly review”. Schools see it when it is published."
        self.fields["name"].error_messages["required"] = "Enter a name for the review"


class InYearReviewForm(GovForm):
    """Open an in-year review of one school after an event (an officer confirms a suggestion)."""

    trigger = forms.ChoiceField(
        label="What happened",
        choices=CategorisationRound.Trigger.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened", "invalid_choice": "Select what happened"},
    )
    trigger_on = forms.DateField(
        label="Date of the event (optional)",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Date of the event must be a real date"},
    )
    note = forms.CharField(
        label="What happened, in a sentence (optional unless “Other”)",
        help_text="Officers only: the school sees the review's name, never this note or what triggered it.",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "What happened must be 300 characters or fewer"},
    )


class DismissForm(GovForm):
    """An officer's decision that an event needs no in-year review (the event's trigger and date are hidden)."""

    trigger = forms.ChoiceField(choices=CategorisationRound.Trigger.choices, widget=forms.HiddenInput)
    event_on = forms.DateField(widget=forms.HiddenInput, error_messages={"required": "The event has no date"})
    reason = _text(
        "Why no review is needed",
        "For example “the inspection confirmed the category”. Officers only; kept with the school.",
        "the reason no review is needed",
        rows=3,
    )
