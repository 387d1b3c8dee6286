"""GOV.UK forms of the brokerage pages (validation messages say what to enter)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from brokerage.models import (
    DEFAULT_WEIGHTS,
    PHASES,
    Fund,
    FundKind,
    Provider,
    Rating,
    Specialism,
    SupportRequest,
    TradedServiceItem,
)
from partnership.forms import DateInput, GovForm

DAYS_FIELD = {"max_digits": 5, "decimal_places": 1, "min_value": Decimal("0.5"), "max_value": Decimal("200")}


def _cap(what: str) -> str:
    """ "the start date" → "Start date" (GOV.UK error messages name the field)."""
    return what.removeprefix("the ").capitalize()


def _text(label: str, what: str, *, required: bool = True, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter {what}"},
    )


def _date(label: str, what: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        error_messages={"required": f"Enter {what}", "invalid": f"{_cap(what)} must be a real date"},
    )


def _days(label: str, what: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        **{**DAYS_FIELD, **kwargs},
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"{_cap(what)} must be a number, like 2 or 2.5",
            "min_value": f"{_cap(what)} must be at least 0.5",
            "max_value": f"{_cap(what)} must be 200 or fewer",
            "max_decimal_places": f"{_cap(what)} must be in half days, like 2.5",
            "max_digits": f"{_cap(what)} must be 200 or fewer",
        },
    )


class ProviderForm(GovForm):
    """A directory entry (officers: every field; a system leader keeping their own: availability and profile)."""

    kind = forms.ChoiceField(
        label="Kind of provider", choices=Provider.Kind.choices, error_messages={"required": "Select the kind"}
    )
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the provider's name"})
    school_urn = forms.IntegerField(
        label="Home school URN (system leaders) or the school's URN (support schools)",
        required=False,
        error_messages={"invalid": "URN must be a number, like 125123"},
    )
    email = forms.EmailField(
        label="Sign-in email of the system leader (optional)",
        required=False,
        help_text="An existing member's email: they can then keep this entry and record their visits.",
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    designation = forms.ChoiceField(
        label="Designation", choices=[("", "None"), *Provider.Designation.choices], required=False
    )
    designated_on = _date("Designated on (optional)", "the designation date", required=False)
    review_on = _date("Designation review due (optional)", "the review date", required=False)
    specialisms = forms.ModelMultipleChoiceField(
        label="Specialisms", queryset=Specialism.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    phases = forms.MultipleChoiceField(
        label="Phases", choices=PHASES, required=False, widget=forms.CheckboxSelectMultiple
    )
    cross_phase = forms.BooleanField(label="Works across phases", required=False)
    days_offered = forms.DecimalField(
        label="Days offered this year",
        min_value=Decimal("0"),
        max_value=Decimal("200"),
        max_digits=5,
        decimal_places=1,
        error_messages={
            "required": "Enter the days offered this year",
            "invalid": "Days offered must be a number, like 10",
            "min_value": "Days offered must be 0 or more",
            "max_value": "Days offered must be 200 or fewer",
        },
    )
    release_head_on = _date("Home head agreed release on (optional)", "the date the head agreed", required=False)
    release_chair_on = _date(
        "Chair of governors agreed release on (optional)", "the date the chair agreed", required=False
    )
    summary = _text("Profile (optional)", "the profile", required=False)

    OWN_FIELDS = ("specialisms", "phases", "cross_phase", "days_offered", "summary")

    def __init__(self, *args, specialisms, own_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialisms"].queryset = specialisms  # type: ignore[attr-defined]
        if own_only:
            for name in list(self.fields):
                if name not in self.OWN_FIELDS:
                    del self.fields[name]


class RequestForm(GovForm):
    """Ask for support: a head for their school; an officer for any school (naming its URN and origin)."""

    school_urn = forms.IntegerField(
        label="School URN", error_messages={"required": "Enter the school's URN", "invalid": "URN must be a number"}
    )
    origin = forms.ChoiceField(
        label="Raised by",
        choices=[(SupportRequest.Origin.OFFICER, "An LA officer"), (SupportRequest.Origin.BOARD, "The board")],
    )
    need = _text("What does the school need?", "what the school needs", help_text="The need, in a few sentences.")
    focus = forms.ModelChoiceField(
        label="Focus area", queryset=Specialism.objects.none(), required=False, empty_label="No single focus"
    )
    urgency = forms.ChoiceField(label="Urgency", choices=SupportRequest.Urgency.choices, initial="medium")
    days_wanted = _days("Days of support wanted", "the days wanted")
    preferred_funding = forms.ChoiceField(
        label="Preferred funding (optional)", choices=[("", "No preference"), *FundKind.choices], required=False
    )
    preferred_provider = forms.ModelChoiceField(
        label="Preferred provider (optional)",
        queryset=Provider.objects.none(),
        required=False,
        empty_label="No preference",
    )

    def __init__(self, *args, specialisms, providers, for_own_school: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus"].queryset = specialisms  # type: ignore[attr-defined]
        self.fields["preferred_provider"].queryset = providers  # type: ignore[attr-defined]
        if for_own_school:
            del self.fields["school_urn"]
            del self.fields["origin"]


class ReasonForm(GovForm):
    note = _text("Reason", "the reason", rows=3)


class ChooseForm(GovForm):
    provider = forms.ModelChoiceField(
        label="Provider",
        queryset=Provider.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select a provider from the shortlist"},
    )

    def __init__(self, *args, providers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]


class DeploymentForm(GovForm):
    """The agreement builder: needs and baseline pre-filled, objectives, days, rate, fee, fund."""

    needs_analysis = _text("Needs analysis", "the needs analysis", rows=5)
    baseline = _text(
        "Baseline",
        "the baseline",
        required=False,
        rows=5,
        help_text="Pre-filled from the school's data and its category trace; edit as needed.",
    )
    approach = _text("Approach", "the approach", required=False, rows=3)
    pattern = forms.CharField(
        label="Pattern of days (optional)",
        required=False,
        max_length=200,
        help_text="For example “one day a fortnight”.",
    )
    start_on = _date("Start date", "the start date")
    end_on = _date("End date", "the end date")
    days = _days("Days contracted", "the days contracted")
    day_rate = forms.DecimalField(
        label="Day rate (£)",
        min_value=Decimal("0"),
        max_digits=7,
        decimal_places=2,
        error_messages={"required": "Enter the day rate", "invalid": "Day rate must be an amount, like 450"},
    )
    fee_percent = forms.DecimalField(
        label="Brokerage fee (%)",
        min_value=Decimal("0"),
        max_value=Decimal("50"),
        max_digits=4,
        decimal_places=1,
        error_messages={"required": "Enter the brokerage fee", "invalid": "Fee must be a percentage, like 15"},
    )
    fund = forms.ModelChoiceField(
        label="Fund line", queryset=Fund.objects.none(), required=False, empty_label="Not yet chosen"
    )
    objective_1 = forms.CharField(
        label="Objective 1", max_length=300, error_messages={"required": "Enter at least one objective"}
    )
    measure_1 = forms.CharField(
        label="Objective 1: impact measure",
        max_length=300,
        error_messages={"required": "Enter how objective 1's impact is measured"},
    )
    criteria_1 = forms.CharField(
        label="Objective 1: success criteria",
        max_length=300,
        error_messages={"required": "Enter objective 1's success criteria"},
    )
    code_1 = forms.CharField(
        label="Objective 1: imported measure code (optional)",
        max_length=40,
        required=False,
        help_text="For example ks2_rwm_expected: the before and after figures are then shown.",
    )
    objective_2 = forms.CharField(label="Objective 2 (optional)", max_length=300, required=False)
    measure_2 = forms.CharField(label="Objective 2: impact measure", max_length=300, required=False)
    criteria_2 = forms.CharField(label="Objective 2: success criteria", max_length=300, required=False)
    code_2 = forms.CharField(label="Objective 2: imported measure code (optional)", max_length=40, required=False)
    milestone_on = _date("First milestone date (optional)", "the milestone date", required=False)
    milestone = forms.CharField(label="First milestone (optional)", max_length=300, required=False)

    def __init__(self, *args, funds, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean()
        if data.get("objective_2") and not (data.get("measure_2") and data.get("criteria_2")):
            self.add_error("measure_2", "Enter objective 2's impact measure and success criteria")
        if data.get("milestone") and not data.get("milestone_on"):
            self.add_error("milestone_on", "Enter the milestone date")
        return data


class VariationForm(GovForm):
    days = _days("Days contracted", "the days contracted")
    end_on = _date("End date", "the end date")
    description = _text("What changed and why", "what changed and why", rows=3)


class TransitionForm(GovForm):
    reason = _text("Reason (needed to end an agreement early)", "the reason", required=False, rows=3)


class VisitForm(GovForm):
    visit_on = _date("Date of the visit", "the date of the visit")
    hours = forms.DecimalField(
        label="Hours",
        min_value=Decimal("0.5"),
        max_value=Decimal("12"),
        max_digits=4,
        decimal_places=1,
        error_messages={
            "required": "Enter the hours",
            "invalid": "Hours must be a number, like 5",
            "min_value": "Hours must be at least 0.5",
            "max_value": "Hours must be 12 or fewer",
        },
    )
    activities = _text("Activities", "the activities")
    progress = _text("Progress against each objective", "the progress against each objective")
    next_steps = _text("Next steps (optional)", "the next steps", required=False, rows=3)


class ResponseForm(GovForm):
    response = _text("Your response", "your response", rows=4)


class NoteForm(GovForm):
    text = _text("Note", "the note", rows=5)


RATING_CHOICES = [(str(v), label) for v, label in Rating.choices]


class EvaluationForm(GovForm):
    """The receiving head's evaluation: one judgement and evidence per objective, then overall."""

    overall = forms.TypedChoiceField(
        label="Overall success of the support",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the overall rating"},
    )
    provider_effectiveness = forms.TypedChoiceField(
        label="The provider's effectiveness",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the provider's effectiveness"},
    )
    summary = _text("Summary of the impact", "a summary of the impact")

    def __init__(self, *args, objectives, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from brokerage.models import ObjectiveEvaluation

        self.objectives = list(objectives)
        for objective in self.objectives:
            self.fields[f"outcome_{objective.pk}"] = forms.ChoiceField(
                label=f"Objective {objective.position}: {objective.text}",
                choices=ObjectiveEvaluation.Outcome.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select whether objective {objective.position} was met"},
            )
            self.fields[f"evidence_{objective.pk}"] = _text(
                f"Objective {objective.position}: evidence", f"the evidence for objective {objective.position}", rows=3
            )
        self.govuk_style_fields()

    def judgements(self):
        return [
            (o, self.cleaned_data[f"outcome_{o.pk}"], self.cleaned_data[f"evidence_{o.pk}"]) for o in self.objectives
        ]


class InterestForm(GovForm):
    """A provider's declared interest in a school: they are then excluded from matching for it."""

    school_urn = forms.IntegerField(
        label="School URN", error_messages={"required": "Enter the school's URN", "invalid": "URN must be a number"}
    )
    note = forms.CharField(
        label="The interest",
        max_length=300,
        help_text="For example “Governor at the school” or “Family member on the staff”.",
        error_messages={"required": "Enter the interest"},
    )


class FundForm(GovForm):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the fund's name"})
    kind = forms.ChoiceField(label="Kind", choices=FundKind.choices)
    year = forms.IntegerField(
        label="Academic year (its ending year: 2027 means 2026/27)",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Enter the academic year",
            "invalid": "Year must be a number, like 2027",
            "min_value": "Year must be 2000 or later",
            "max_value": "Year must be 2100 or earlier",
        },
    )
    allocation = forms.DecimalField(
        label="Allocation (£)",
        min_value=Decimal("0"),
        max_digits=11,
        decimal_places=2,
        error_messages={"required": "Enter the allocation", "invalid": "Allocation must be an amount, like 25000"},
    )
    conditions = _text("Conditions (optional)", "the conditions", required=False, rows=3)


class TradedItemForm(GovForm):
    name = forms.CharField(label="Service", max_length=200, error_messages={"required": "Enter the service's name"})
    unit = forms.ChoiceField(label="Priced", choices=TradedServiceItem.Unit.choices)
    unit_price = forms.DecimalField(
        label="Unit price (£)",
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=2,
        error_messages={"required": "Enter the unit price", "invalid": "Price must be an amount, like 550"},
    )
    description = _text("Description (optional)", "the description", required=False, rows=3)


class SettingsForm(GovForm):
    """Matching weights (points), day rates per designation, fee and working day."""

    fee_percent = forms.DecimalField(
        label="Brokerage fee (%)",
        min_value=Decimal("0"),
        max_value=Decimal("50"),
        max_digits=4,
        decimal_places=1,
        error_messages={"required": "Enter the brokerage fee"},
    )
    hours_per_day = forms.DecimalField(
        label="Hours in a working day of support",
        min_value=Decimal("1"),
        max_value=Decimal("12"),
        max_digits=3,
        decimal_places=1,
        error_messages={"required": "Enter the hours in a working day"},
    )
    new_specialism = forms.CharField(
        label="Add a specialism to the list (optional)",
        max_length=100,
        required=False,
        help_text="Providers choose their specialisms and requests their focus from this list.",
    )
    max_distance_km = forms.IntegerField(
        label="Distance at which distance scores nothing (km)",
        min_value=1,
        max_value=500,
        error_messages={"required": "Enter the distance"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key in DEFAULT_WEIGHTS:
            self.fields[f"weight_{key}"] = forms.IntegerField(
                label=f"Weight: {key.replace('_', ' ')} (points)",
                min_value=0,
                max_value=100,
                error_messages={"required": f"Enter the weight for {key.replace('_', ' ')}"},
            )
        for value, label in Provider.Designation.choices:
            self.fields[f"rate_{value}"] = forms.DecimalField(
                label=f"Day rate: {label} (£)",
                min_value=Decimal("0"),
                max_digits=7,
                decimal_places=2,
                error_messages={"required": f"Enter the day rate for {label}"},
            )
        self.govuk_style_fields()
