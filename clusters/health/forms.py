"""GOV.UK forms for frameworks, checks, ratings, consensus, moderation, actions and meetings."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from clusters.health.models import ConsensusRating
from partnership.forms import DateInput, GovForm


def _date(label: str, what: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        required=required,
        error_messages={"required": f"Enter the {what}", "invalid": f"{what[0].upper()}{what[1:]} must be a real date"},
    )


def _text(label: str, what: str, *, rows: int = 3, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter {what}"},
    )


def _levels(levels: list[str], label: str, what: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(str(i), name) for i, name in enumerate(levels)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": f"Select {what}"},
    )


class FrameworkCopyForm(GovForm):
    """Name the partnership's copy of a framework."""

    name = forms.CharField(
        label="Name of your copy", max_length=200, error_messages={"required": "Enter a name for the copy"}
    )


class FrameworkEditForm(GovForm):
    """A partnership framework's name, description, source and scale."""

    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the framework's name"})
    description = _text("Description (optional)", "a description", required=False)
    source = _text(
        "Where the text comes from",
        "where the framework's text comes from",
        rows=4,
        help_text="Name the documents the descriptors are written from, and say which words are your own.",
    )
    levels = _text(
        "Levels, lowest first",
        "the levels, one a line",
        rows=5,
        help_text="One level a line, 2 to 6 levels. Changing the scale makes a new version; checks keep theirs.",
    )
    note = forms.CharField(label="What changed (optional)", required=False, max_length=300)


class DimensionForm(GovForm):
    """A new dimension."""

    name = forms.CharField(
        label="Dimension name", max_length=200, error_messages={"required": "Enter the dimension's name"}
    )
    description = _text("Description (optional)", "a description", required=False)


class StrandForm(GovForm):
    """A strand with one descriptor per level of the version's scale."""

    name = forms.CharField(label="Strand name", max_length=200, error_messages={"required": "Enter the strand's name"})
    description = _text("Description (optional)", "a description", required=False, rows=2)
    note = forms.CharField(label="What changed (optional)", required=False, max_length=300)

    def __init__(self, *args, levels: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.level_names = levels
        for i, level in enumerate(levels):
            self.fields[f"descriptor_{i}"] = _text(f"Descriptor: {level}", f"the descriptor for {level}", rows=3)
        self.govuk_style_fields()

    def descriptors(self) -> list[str]:
        """The descriptors in level order."""
        return [self.cleaned_data[f"descriptor_{i}"] for i in range(len(self.level_names))]


class CheckCreateForm(GovForm):
    """Open a check: which cluster, framework version, term and meeting date."""

    cluster: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Cluster",
        queryset=None,
        empty_label="Select a cluster",
        error_messages={"required": "Select the cluster"},
    )
    version: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Framework",
        queryset=None,
        empty_label="Select a framework",
        error_messages={"required": "Select the framework"},
        help_text="The check keeps this version of the framework, even if the framework is edited later.",
    )
    term = forms.CharField(
        label="Term", max_length=60, help_text="For example Summer 2026", error_messages={"required": "Enter the term"}
    )
    held_on = _date("Date of the consensus meeting", "date of the consensus meeting")
    show_names = forms.BooleanField(
        label="Show who gave each individual rating at the consensus meeting",
        required=False,
        help_text="Leave unticked to show the spread of ratings without names.",
    )

    def __init__(self, *args, clusters, versions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters  # type: ignore[attr-defined]
        self.fields["version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["version"].label_from_instance = (  # type: ignore[attr-defined]
            lambda v: f"{v.framework.name} (version {v.number})"
        )


class RatingForm(GovForm):
    """A head's rating of every strand, with evidence."""

    def __init__(self, *args, strands, levels: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strands = strands
        for strand in strands:
            self.fields[f"level_{strand.pk}"] = _levels(
                levels, f"{strand.name}: your rating", f"your rating for {strand.name}"
            )
            self.fields[f"evidence_{strand.pk}"] = _text(
                f"{strand.name}: evidence", f"the evidence for your rating of {strand.name}"
            )
        self.govuk_style_fields()

    def ratings(self) -> dict[int, tuple[int, str]]:
        """Strand id → (level, evidence)."""
        return {s.pk: (self.cleaned_data[f"level_{s.pk}"], self.cleaned_data[f"evidence_{s.pk}"]) for s in self.strands}


class ConsensusForm(GovForm):
    """The meeting's agreed level for a strand, with evidence, next step, owner and date."""

    evidence = _text("Evidence for the agreed level", "the evidence for the consensus", rows=4)
    next_step = _text("Next step", "the next step")
    owner = forms.CharField(
        label="Owner of the next step", max_length=200, error_messages={"required": "Enter who owns the next step"}
    )
    due_on = _date("Next step due by", "date the next step is due")

    def __init__(self, *args, levels: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"level": _levels(levels, "Agreed level", "the agreed level"), **self.fields}
        self.govuk_style_fields()


class ModerateForm(GovForm):
    """The alliance's confirmation or challenge of a strand's consensus."""

    decision = forms.ChoiceField(
        label="Your moderation",
        choices=ConsensusRating.Moderation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select confirm or challenge"},
    )
    note = _text("Note (required to challenge)", "a note", required=False)


class ActionForm(GovForm):
    """A cluster action."""

    title = _text("Action", "the action", rows=2)
    owner = forms.CharField(label="Owner", max_length=200, error_messages={"required": "Enter who owns the action"})
    due_on = _date("Due by", "date the action is due")


class CompleteActionForm(GovForm):
    """When an action was completed."""

    completed_on = _date("Completed on", "date the action was completed")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"completed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class MeetingForm(GovForm):
    """A cluster meeting and who attended."""

    title = forms.CharField(
        label="Meeting",
        max_length=200,
        help_text="For example Autumn cluster meeting",
        error_messages={"required": "Enter what the meeting was"},
    )
    held_on = _date("Date of the meeting", "date of the meeting")
    attended: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label="Schools that attended", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, schools, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = schools  # type: ignore[attr-defined]


class TransitionForm(GovForm):
    """A move of the check, with an optional note."""

    to = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)
