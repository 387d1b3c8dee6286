"""GOV.UK forms for the peer-review pages. Workspace forms carry a prefix so one page can hold several."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone

from partnership.forms import DateInput, GovForm
from peerreview.models import (
    Action,
    EvidenceItem,
    Finding,
    ImpactCheck,
    Programme,
    ProtocolClause,
    Review,
    ShareGrant,
    TeamMember,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


def _model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _date(label: str, required: bool = True, **kw) -> forms.DateField:
    return forms.DateField(
        label=label if required else f"{label} (optional)",
        required=required,
        widget=DateInput(),
        error_messages={"required": f"Enter the {label.lower()}", "invalid": f"{label} must be a real date"},
        **kw,
    )


def _text(label: str, *, required: bool = True, area: bool = True, help_text: str = "", max_length=None):
    field_cls = forms.CharField
    return field_cls(
        label=label if required else f"{label} (optional)",
        required=required,
        widget=forms.Textarea(attrs={"rows": 4}) if area else forms.TextInput(),
        help_text=help_text,
        max_length=max_length,
        error_messages={"required": f"Enter the {label.lower()}"},
    )


class ProtocolForm(GovForm):
    """A new protocol version: name, scope, dates and a text per clause (pre-filled with the defaults)."""

    name = _text("Protocol name", area=False, max_length=200)
    cluster: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Cluster (optional)",
        required=False,
        queryset=None,
        empty_label="The whole partnership",
        help_text="Leave as the whole partnership unless one cluster adopts its own protocol.",
    )
    adopted_on = _date("Date adopted")
    review_on = _date("Date the protocol is reviewed")

    def __init__(self, *args, clusters, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "cluster").queryset = clusters
        from peerreview.frameworks_default import DEFAULT_CLAUSES

        defaults = dict(DEFAULT_CLAUSES)
        for kind, label in ProtocolClause.Kind.choices:
            self.fields[f"clause_{kind}"] = forms.CharField(
                label=label,
                required=kind == ProtocolClause.Kind.CONFIDENTIALITY,
                initial=defaults.get(kind, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": f"Enter the {label.lower()} clause"},
            )
        self.govuk_style_fields()

    def clean(self):
        data = super().clean()
        adopted, review = data.get("adopted_on"), data.get("review_on")
        if adopted and review and review < adopted:
            self.add_error("review_on", "The review date must be on or after the date adopted")
        data["clauses"] = [
            (kind, data[f"clause_{kind}"].strip())
            for kind in ProtocolClause.Kind.values
            if (data.get(f"clause_{kind}") or "").strip()
        ]
        return data


class ProgrammeForm(GovForm):
    """A year's programme."""

    name = _text("Programme name", area=False, max_length=200)
    academic_year = forms.TypedChoiceField(
        label="Academic year", coerce=int, error_messages={"required": "Select the academic year"}
    )
    scope = forms.ChoiceField(
        label="Who takes part",
        choices=Programme.Scope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who takes part"},
    )
    cluster: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Cluster (for a cluster or triad programme)", required=False, queryset=None, empty_label="None"
    )
    protocol: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Protocol (optional)", required=False, queryset=None, empty_label="None"
    )

    def __init__(self, *args, clusters, protocols, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        year = timezone.localdate().year + (1 if timezone.localdate().month >= 9 else 0)
        _choice(self, "academic_year").choices = [(y, f"{y - 1}/{str(y)[-2:]}") for y in (year, year + 1)]
        _model_choice(self, "cluster").queryset = clusters
        _model_choice(self, "protocol").queryset = protocols

    def clean(self):
        data = super().clean()
        if data.get("scope") == Programme.Scope.CLUSTER and not data.get("cluster"):
            self.add_error("cluster", "Select the cluster")
        return data


class ReviewForm(GovForm):
    """Schedule a host school in a programme."""

    host_urn = forms.IntegerField(
        label="Host school URN",
        help_text="The 6-digit URN of the school hosting the review",
        error_messages={"required": "Enter the host school's URN", "invalid": "URN must be a number, like 125123"},
    )
    framework: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Framework",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the framework"},
    )
    mode = forms.ChoiceField(label="Mode", choices=Review.Mode.choices, initial=Review.Mode.ON_SITE)
    days = forms.TypedChoiceField(
        label="Days on site", coerce=int, choices=[(1, "1 day"), (2, "2 days"), (3, "3 days")], initial=1
    )
    data_sharing_on = _date("Data sharing date", required=False)
    pre_review_on = _date("Pre-review meeting", required=False)
    visit_starts_on = _date("Visit date")
    feedback_on = _date("Feedback date", required=False)
    report_due_on = _date("Report due", required=False)
    workshop_on = _date("Workshop date", required=False)
    impact_review_on = _date("Impact review date", required=False)

    def __init__(self, *args, frameworks, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "framework").queryset = frameworks


class TeamAddForm(GovForm):
    """Invite a member of the partnership to a review's team."""

    email = forms.EmailField(
        label="Email address",
        help_text="Of a member of this partnership",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    role = forms.ChoiceField(
        label="Role on this review",
        choices=TeamMember.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the role"},
    )


class DeclarationForm(GovForm):
    """A team member's conflict-of-interest declaration and confidentiality acceptance."""

    no_conflicts = forms.BooleanField(label="I have no conflicts of interest with this school", required=False)
    declaration = forms.CharField(
        label="Conflicts of interest",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: same trust or federation, a family tie, a post at the school in the last 5 years.",
    )
    accept_confidentiality = forms.BooleanField(label="I accept the protocol's confidentiality clause", required=False)


class FocusForm(GovForm):
    """A line of enquiry from the framework."""

    theme: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Theme", queryset=None, error_messages={"required": "Select the theme"}
    )
    question: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Question from the framework (optional)", queryset=None, required=False
    )
    title = _text("Line of enquiry", area=False, max_length=300, help_text="In your own words")
    self_evaluation_link = _text("What your self-evaluation says", required=False)

    def __init__(self, *args, review: Review, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from peerreview.models import FrameworkQuestion, FrameworkTheme

        _model_choice(self, "theme").queryset = FrameworkTheme.objects.filter(framework_id=review.framework_id)
        _model_choice(self, "question").queryset = FrameworkQuestion.objects.filter(
            theme__framework_id=review.framework_id
        ).select_related("theme")

    def clean(self):
        data = super().clean()
        q, t = data.get("question"), data.get("theme")
        if q and t and q.theme_id != t.pk:
            self.add_error("question", "Choose a question from the theme you selected")
        return data


class PreReviewForm(GovForm):
    self_evaluation_summary = _text("Self-evaluation summary")
    data_shared_note = _text("Data and documents shared", required=False)


def _focus_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label="Focus area (optional)", queryset=None, required=False)


class EvidenceForm(GovForm):
    activity = forms.ChoiceField(
        label="Activity", choices=EvidenceItem.Activity.choices, error_messages={"required": "Select the activity"}
    )
    focus_area = _focus_field()
    joint = forms.ChoiceField(
        label="Done jointly with host staff?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if it was done jointly with host staff"},
    )
    notes = _text("Evidence notes")

    def __init__(self, *args, review: Review, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "focus_area").queryset = review.focus_areas.all()


class FindingForm(GovForm):
    kind = forms.ChoiceField(
        label="Kind of finding",
        choices=Finding.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of finding"},
    )
    focus_area = _focus_field()
    text = _text("Finding")

    def __init__(self, *args, review: Review, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "focus_area").queryset = review.focus_areas.all()


class EstimateForm(GovForm):
    estimate = forms.ChoiceField(label="Estimate", required=False)

    def __init__(self, *args, scale: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "estimate").choices = [("", "No estimate"), *[(s, s) for s in scale]]


class TransitionForm(GovForm):
    to = forms.ChoiceField(choices=Review.State.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason", required=False, max_length=500)


class ReportForm(GovForm):
    summary = _text("Summary", help_text="A short summary the host may share on its own")
    body = forms.CharField(
        label="Report",
        widget=forms.Textarea(attrs={"rows": 16}),
        error_messages={"required": "Enter the report"},
    )


class ReportAgreeForm(GovForm):
    confirm = forms.BooleanField(
        label="I have checked the report for factual accuracy and agree it",
        error_messages={"required": "Confirm you have checked the report and agree it"},
    )
    right_of_reply = _text("Right of reply", required=False)


class WorkshopForm(GovForm):
    held_on = _date("Workshop date")
    facilitator = _text("Facilitator (improvement champion)", area=False, max_length=200)
    attendees = _text("Attendees")
    outputs = _text("Outputs")


class ActionForm(GovForm):
    description = _text("Action")
    owner = _text("Owner", area=False, max_length=200, help_text="Name or post at the host school")
    success_criteria = _text("Success criteria")
    due_on = _date("Due date")
    support_needed = forms.BooleanField(label="Support needed from another school or the LA", required=False)
    support_note = _text("Support needed", required=False)


class ActionStatusForm(GovForm):
    status = forms.ChoiceField(label="Status", choices=Action.Status.choices)
    completed_on = _date("Date completed", required=False)


class ImpactForm(GovForm):
    checked_on = _date("Date checked", initial=timezone.localdate)
    progress = forms.ChoiceField(
        label="Progress", choices=ImpactCheck.Progress.choices, error_messages={"required": "Select the progress"}
    )
    evidence = _text("Evidence of impact")


class GrantForm(GovForm):
    artefact = forms.ChoiceField(
        label="What to share",
        choices=ShareGrant.Artefact.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what to share"},
    )
    audience = forms.ChoiceField(
        label="Who with",
        choices=ShareGrant.Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who to share it with"},
    )
    person_email = forms.EmailField(
        label="Their email address (for a named person)",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    expires_on = _date("Sharing ends", required=False)

    def clean(self):
        data = super().clean()
        if data.get("audience") == ShareGrant.Audience.PERSON and not data.get("person_email"):
            self.add_error("person_email", "Enter the email address of the person to share with")
        return data


class ConcernForm(GovForm):
    concerns_head = forms.ChoiceField(
        label="Does the concern relate to the headteacher?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="If yes, it goes to the LA designated officer, not the head.",
        error_messages={"required": "Select yes if the concern relates to the headteacher"},
    )
    summary = _text("The concern", help_text="Facts only. It is never copied into the report.")


class ExcellenceForm(GovForm):
    finding: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Agreed area of excellence (optional)", queryset=None, required=False, empty_label="Not from a review"
    )
    title = _text("What the school does well", area=False, max_length=200)
    description = _text("Description")
    contact_name = _text("Contact name", area=False, max_length=200)
    contact_email = forms.EmailField(
        label="Contact email",
        error_messages={
            "required": "Enter the contact's email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )

    def __init__(self, *args, findings, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "finding").queryset = findings
        _model_choice(self, "finding").label_from_instance = _finding_label  # type: ignore[method-assign,assignment]


def _finding_label(finding) -> str:
    return str(finding.text[:80])


class DirectorySearchForm(GovForm):
    q = forms.CharField(label="Search the directory", required=False, max_length=200)
