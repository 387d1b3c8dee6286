"""Forms of the risk app: a soft-intelligence entry, and a new version of the rule set."""

from __future__ import annotations

import json

from django import forms
from django.utils import timezone

from partnership.forms import DateInput, GovForm
from schools.risk import RulesetError, ruleset_from_dict
from schools.risk.models import IntelligenceEntry

SUMMARY_MAX = 300


class IntelligenceEntryForm(GovForm):
    """Record one dated piece of soft intelligence with its evidence."""

    kind = forms.ChoiceField(
        label="What is it about?",
        choices=[("", "Choose a kind of intelligence"), *IntelligenceEntry.Kind.choices],
        error_messages={"required": "Select what the intelligence is about", "invalid_choice": "Select a kind"},
    )
    rating = forms.ChoiceField(
        label="Rating",
        help_text="Red: a serious concern; amber: a concern to watch; green: no concern (or a concern resolved).",
        choices=IntelligenceEntry.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a rating", "invalid_choice": "Select a rating"},
    )
    recorded_on = forms.DateField(
        label="Date",
        help_text="When the intelligence was received or the event happened.",
        widget=DateInput(),
        initial=timezone.localdate,
        error_messages={"required": "Enter the date", "invalid": "Date must be a real date"},
    )
    summary = forms.CharField(
        label="Summary",
        help_text=f"One or two sentences, {SUMMARY_MAX} characters or fewer. Officers see it in the risk trace.",
        max_length=SUMMARY_MAX,
        error_messages={
            "required": "Enter a summary",
            "max_length": f"Summary must be {SUMMARY_MAX} characters or fewer",
        },
    )
    evidence = forms.CharField(
        label="Evidence",
        help_text="What the intelligence rests on: source, documents, meetings, dates.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the evidence"},
    )
    confidential = forms.BooleanField(
        label="Confidential: only LA officers and admins may see this entry (not the school)", required=False
    )
    thread = forms.ChoiceField(
        label="Is this an update on an issue already recorded?",
        help_text="Updates on one issue count once in the register of concern.",
        required=False,
        choices=[("", "No: a new issue")],
        error_messages={"invalid_choice": "Select an issue from the list"},
    )

    def __init__(self, *args, threads: list[IntelligenceEntry] | None = None, **kwargs) -> None:
        """``threads``: the school's issues (first entries) an update may be recorded on."""
        super().__init__(*args, **kwargs)
        self.threads = {str(e.pk): e for e in threads or []}
        thread_field = self.fields["thread"]
        assert isinstance(thread_field, forms.ChoiceField)
        thread_field.choices = [
            ("", "No: a new issue"),
            *((pk, f"{e.get_kind_display()}, {e.recorded_on:%d/%m/%Y}: {e.summary}") for pk, e in self.threads.items()),
        ]

    def clean_thread(self) -> IntelligenceEntry | None:
        return self.threads.get(self.cleaned_data.get("thread") or "")

    def clean_recorded_on(self):
        recorded_on = self.cleaned_data["recorded_on"]
        if recorded_on > timezone.localdate():
            raise forms.ValidationError("Date must be today or in the past")
        return recorded_on

    def clean_summary(self):
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise forms.ValidationError("Enter a summary")
        return summary

    def clean_evidence(self):
        evidence = self.cleaned_data["evidence"].strip()
        if not evidence:
            raise forms.ValidationError("Enter the evidence")
        return evidence


class HeadChangeJudgementForm(GovForm):
    """The officer's word on one change of headteacher in GIAS (#14.5): the same person, or a new head."""

    changed_on = forms.DateField(
        widget=forms.HiddenInput,
        error_messages={"required": "Choose a change of headteacher", "invalid": "Choose a change of headteacher"},
    )
    same_person = forms.ChoiceField(
        label="Is this the same person?",
        choices=[("yes", "Yes: the same person (a change of name or a correction)"), ("no", "No: a new head")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether it is the same person",
            "invalid_choice": "Select whether it is the same person",
        },
    )


class RulesetForm(GovForm):
    """A new version of the rule set as JSON, checked by the engine's own validation."""

    config = forms.CharField(
        label="Rule set (JSON)",
        help_text="Keys left out take the default. Every threshold, the matrix and the categories are checked.",
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        error_messages={"required": "Enter the rule set"},
    )
    note = forms.CharField(
        label="What changed and why", max_length=300, error_messages={"required": "Enter what changed and why"}
    )

    def clean_config(self) -> dict:
        text = self.cleaned_data["config"]
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"Rule set must be valid JSON (line {error.lineno}: {error.msg})") from error
        if not isinstance(data, dict):
            raise forms.ValidationError("Rule set must be a JSON object, starting with {")
        try:
            ruleset_from_dict(data)
        except RulesetError as error:
            raise forms.ValidationError(error.errors[:20]) from error
        return data
