"""GOV.UK forms for the board's pages (errors read "Enter the …" / "Choose …")."""

from __future__ import annotations

from django import forms

from partnership.board.kpi_library import LIBRARY
from partnership.board.models import Board, Declaration, Kpi, Meeting, Rag
from partnership.forms import DateInput, GovForm


def _text(label: str, what: str, *, max_length: int = 200, required: bool = True, help_text: str = "", rows: int = 0):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(
        label=label,
        max_length=max_length if not rows else None,
        required=required,
        help_text=help_text,
        widget=widget,
        error_messages={"required": f"Enter {what}", "max_length": f"{what[0].upper()}{what[1:]} is too long"},
    )


def _date(label: str, what: str, *, required: bool = True, help_text: str = ""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput,
        error_messages={"required": f"Enter {what}", "invalid": f"Enter {what} as a real date"},
    )


def _number(label: str, what: str, *, required: bool = True, help_text: str = ""):
    return forms.FloatField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages={"required": f"Enter {what}", "invalid": f"Enter {what} as a number"},
    )


def _choice(label: str, what: str, choices, *, radios: bool = False, required: bool = True):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect if radios else forms.Select,
        error_messages={"required": f"Choose {what}", "invalid_choice": f"Choose {what} from the list"},
    )


def _model_choice(label: str, what: str, queryset, *, required: bool = True, empty_label: str | None = "Choose"):
    return forms.ModelChoiceField(
        label=label,
        queryset=queryset,
        required=required,
        empty_label=empty_label,
        error_messages={"required": f"Choose {what}", "invalid_choice": f"Choose {what} from the list"},
    )


class BoardForm(GovForm):
    """The board's name, kind, terms of reference and quorum."""

    name = _text("Name of the board", "the name of the board")
    kind = _choice("Kind of board", "the kind of board", Board.Kind.choices)
    terms_of_reference = _text(
        "Terms of reference",
        "the terms of reference",
        rows=12,
        help_text="Purpose, membership and constituencies, chairing, quorum, declarations of interest and "
        "confidentiality.",
    )
    quorum = forms.IntegerField(
        label="Quorum",
        min_value=1,
        max_value=50,
        help_text="Voting members needed for a decision.",
        error_messages={
            "required": "Enter the quorum",
            "invalid": "Enter the quorum as a whole number",
            "min_value": "The quorum must be at least 1",
            "max_value": "The quorum must be 50 or fewer",
        },
    )


class StandingForm(GovForm):
    """A member's standing on the board."""

    is_chair = forms.BooleanField(label="Chairs the board", required=False)
    voting = _choice(
        "Membership",
        "whether the member votes",
        [("voting", "Voting member"), ("coopted", "Co-opted (no vote)")],
        radios=True,
    )


class DeclarationForm(GovForm):
    """A declared interest."""

    def __init__(self, *args, members, schools, meetings, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"] = _model_choice("Board member", "the board member", members)
        self.fields["kind"] = _choice("Kind of interest", "the kind of interest", Declaration.Kind.choices)
        self.fields["interest"] = _text(
            "The interest", "the interest", max_length=500, help_text="For example “Governor at the school since 2023”."
        )
        self.fields["school"] = _model_choice(
            "School it concerns (optional)", "a school", schools, required=False, empty_label="No school"
        )
        self.fields["organisation"] = _text("Trust, company or body (optional)", "the organisation", required=False)
        self.fields["declared_on"] = _date("Date declared", "the date it was declared")
        self.fields["meeting"] = _model_choice(
            "Declared at meeting (optional)", "a meeting", meetings, required=False, empty_label="Not at a meeting"
        )
        self.govuk_style_fields()


class MeetingForm(GovForm):
    """A board meeting."""

    title = _text("Title", "the title of the meeting", help_text="For example “Strategic board: spring term”.")
    meets_on = _date("Date of the meeting", "the date of the meeting")
    location = _text("Location (optional)", "the location", required=False)


class MeetingStateForm(GovForm):
    """Mark a meeting held or cancelled (or scheduled again)."""

    to = _choice(
        "Change the meeting to", "what the meeting becomes", [(s.value, s.label) for s in Meeting.State], radios=True
    )


class AgendaItemForm(GovForm):
    """An agenda item."""

    title = _text("Agenda item", "the agenda item")
    presenter = _text("Presented by (optional)", "the presenter", required=False)
    confidential = forms.BooleanField(label="Confidential to board members", required=False)


class PaperForm(GovForm):
    """An uploaded board paper."""

    title = _text("Title of the paper", "the title of the paper")
    file = forms.FileField(
        label="File",
        help_text="PDF, Word, Excel, PowerPoint, ODT, CSV or text, up to 20 MB.",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
    confidential = forms.BooleanField(label="Confidential to board members", required=False)


class MinutesForm(GovForm):
    """The meeting's minutes."""

    minutes = _text("Minutes", "the minutes", rows=14)
    approved = forms.BooleanField(label="The board approved these minutes", required=False)


class DecisionForm(GovForm):
    """A decision; optionally the agreement of a categorisation round."""

    def __init__(self, *args, rounds, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"] = _text("The decision", "the decision", rows=4, help_text="As the minutes record it.")
        self.fields["categorisation_round"] = _model_choice(
            "Does it agree a categorisation round? (optional)",
            "a round",
            rounds,
            required=False,
            empty_label="No round",
        )
        self.govuk_style_fields()


class ActionForm(GovForm):
    """An action from a meeting."""

    description = _text("Action", "the action", max_length=500)
    owner = _text("Owner", "the owner")
    due_on = _date("Due date", "the due date")


class ActionStatusForm(GovForm):
    """Mark an action done, dropped or open."""

    to = _choice("Status", "the status", [("open", "Open"), ("done", "Done"), ("dropped", "Dropped")])


class StrategyForm(GovForm):
    """The strategy: title, period and vision."""

    title = _text("Title", "the title", help_text="For example “School improvement strategy 2025 to 2028”.")
    starts_on = _date("Start of the period", "the start of the period")
    ends_on = _date("End of the period", "the end of the period")
    vision = _text("Vision", "the vision", rows=5)


class PriorityForm(GovForm):
    """A priority."""

    title = _text("Priority", "the priority")
    rationale = _text("Rationale", "the rationale", rows=5, help_text="Why this is a priority: the evidence.")
    lead = _text("Lead", "the lead", help_text="The person or sub-group who leads it.")


class DeliverableForm(GovForm):
    """A deliverable with RAG status."""

    title = _text("Deliverable", "the deliverable", max_length=300)
    owner = _text("Owner", "the owner")
    due_on = _date("Due date", "the due date")
    status = _choice("Status", "the status", Rag.choices, radios=True)
    status_reason = _text("Reason (needed for red or amber)", "the reason", max_length=500, required=False)


class LibraryKpiForm(GovForm):
    """Track a computed KPI from the library."""

    def __init__(self, *args, tracked: set[str], priorities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(c, f"{k.title} ({k.source})") for c, k in LIBRARY.items() if c not in tracked]
        self.fields["library_code"] = _choice("KPI from the library", "a KPI from the library", choices, radios=True)
        self.fields["priority"] = _model_choice(
            "Priority (optional)", "a priority", priorities, required=False, empty_label="No priority"
        )
        self.fields["target"] = _number("Target", "the target")
        self.fields["target_on"] = _date("Target date", "the target date")
        self.govuk_style_fields()


class KpiForm(GovForm):
    """A manual KPI, or a KPI's target, thresholds and baseline."""

    def __init__(self, *args, priorities, computed: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not computed:
            self.fields["title"] = _text("Title", "the title")
            self.fields["definition"] = _text("Definition", "the definition", rows=3)
            self.fields["polarity"] = _choice("Polarity", "the polarity", Kpi.Polarity.choices, radios=True)
            self.fields["unit"] = _choice("Unit", "the unit", Kpi.Unit.choices)
            self.fields["source"] = _text(
                "Source", "the source", max_length=300, help_text="Where the values come from."
            )
        self.fields["comparator"] = _choice("Comparator", "the comparator", Kpi.Comparator.choices)
        self.fields["priority"] = _model_choice(
            "Priority (optional)", "a priority", priorities, required=False, empty_label="No priority"
        )
        self.fields["baseline"] = _number("Baseline (optional)", "the baseline", required=False)
        self.fields["baseline_period"] = _text(
            "Baseline year (optional)",
            "the baseline year",
            max_length=20,
            required=False,
            help_text="For example 2018/19.",
        )
        self.fields["target"] = _number("Target", "the target")
        self.fields["target_on"] = _date("Target date", "the target date")
        self.fields["green_within"] = _number(
            "Green within",
            "how far from the target is still green",
            help_text="Distance from the target (in the KPI's unit) that is still green.",
        )
        self.fields["amber_within"] = _number(
            "Amber within", "how far from the target is still amber", help_text="Beyond this distance the KPI is red."
        )
        self.govuk_style_fields()

    def clean(self):
        data = super().clean()
        g, a = data.get("green_within"), data.get("amber_within")
        if g is not None and g < 0:
            self.add_error("green_within", "Green within must be 0 or more")
        if g is not None and a is not None and a < g:
            self.add_error("amber_within", "Amber within must be at least as far as green within")
        return data


class KpiValueForm(GovForm):
    """A manual KPI's value for a year."""

    period = forms.IntegerField(
        label="Academic year ending",
        min_value=2000,
        max_value=2100,
        help_text="For example 2026 for 2025/26.",
        error_messages={
            "required": "Enter the academic year",
            "invalid": "Enter the academic year as a number, like 2026",
            "min_value": "Enter a year from 2000",
            "max_value": "Enter a year up to 2100",
        },
    )
    value = _number("Value", "the value")
    comparator = _number("Comparator value (optional)", "the comparator value", required=False)
    note = _text("Source of this value", "the source of this value", max_length=300)


class OverrideForm(GovForm):
    """Override a KPI value's automatic RAG."""

    rag = _choice("RAG rating", "the RAG rating", [("", "Automatic (no override)"), *Rag.choices], required=False)
    reason = _text("Reason for the override", "the reason for the override", max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("rag") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter the reason for the override")
        return data
