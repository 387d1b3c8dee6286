"""Forms for networks, memberships and uploads."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from partnership.forms import DateInput, GovForm
from schools.models import ImportJob, Network
from schools.performance.years import academic_year_label, academic_year_parse

FIRST_UPLOAD_YEAR = 2016  # the first year of the KS2 and KS4 measures we import
UPLOAD_KINDS = [
    ("gias", "GIAS establishments or links file (Get Information About Schools)"),
    (ImportJob.Kind.KS2.value, "KS2 results (Compare school performance: ks2final)"),
    (ImportJob.Kind.KS4.value, "KS4 results (Compare school performance: ks4final)"),
    (ImportJob.Kind.ABSENCE.value, "Pupil absence (Compare school performance)"),
    (ImportJob.Kind.CENSUS.value, "School census (Compare school performance)"),
    (ImportJob.Kind.OFSTED.value, "Ofsted management information (state-funded schools, latest inspections)"),
]
NO_YEAR_KINDS = ("gias", ImportJob.Kind.OFSTED.value)


def upload_year_choices() -> list[tuple[str, str]]:
    """Academic years an upload can be for, newest first, up to the one in progress."""
    today = timezone.localdate()
    current = today.year + 1 if today.month >= 9 else today.year
    years = [academic_year_label(y) for y in range(current, FIRST_UPLOAD_YEAR - 1, -1)]
    return [("", "Select a year"), *((label, label) for label in years)]


class NetworkForm(GovForm):
    """Create or edit a network."""

    kind = forms.ChoiceField(label="Kind of network", choices=Network.Kind.choices)
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the network's name"})
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class AddSchoolForm(GovForm):
    """Add a school, by URN, from a date."""

    urn = forms.IntegerField(
        label="School URN",
        help_text="The 6-digit unique reference number, for example 125123",
        min_value=100000,
        max_value=999999,
        error_messages={
            "required": "Enter the school's URN",
            "invalid": "URN must be a number, like 125123",
            "min_value": "URN must be 6 digits",
            "max_value": "URN must be 6 digits",
        },
    )
    joined_on = forms.DateField(
        label="Date joined",
        widget=DateInput(),
        initial=timezone.localdate,
        error_messages={"required": "Enter the date the school joined", "invalid": "Date joined must be a real date"},
    )


class ImportUploadForm(GovForm):
    """Upload a GIAS file, or a performance file (KS2, KS4, absence, census, Ofsted) for an academic year."""

    kind = forms.ChoiceField(
        label="What does the file hold?",
        choices=UPLOAD_KINDS,
        initial="gias",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select what the file holds"},
    )
    year = forms.ChoiceField(
        label="Academic year the file is for",
        help_text="For results, absence and census files. Not needed for GIAS and Ofsted files.",
        choices=upload_year_choices,
        required=False,
        error_messages={"invalid_choice": "Select an academic year from the list"},
    )
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "The file as downloaded: from Get Information About Schools (all establishment data, a search results "
            "download or the links file), Compare school performance, or Ofsted's management information. CSV only."
        ),
        error_messages={"required": "Select a CSV file to upload", "empty": "The selected file is empty"},
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    allow_no_match = forms.BooleanField(
        label="Import it anyway: I have checked that this is the right file, although no row in it is for this "
        "partnership's schools (for example, to keep its national averages)",
        required=False,
    )

    def __init__(self, *args, confirm_no_match: bool = False, **kwargs) -> None:
        """``confirm_no_match``: offer "import it anyway", shown only with a refusal because nothing matched (#14.8)."""
        super().__init__(*args, **kwargs)
        if not confirm_no_match:
            del self.fields["allow_no_match"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV")
        return upload

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or "gias"

    def clean_year(self) -> int | None:
        label = self.cleaned_data.get("year")
        return academic_year_parse(label) if label else None

    def clean(self):
        data = super().clean()
        if data.get("kind") not in NO_YEAR_KINDS and data.get("year") is None and "year" not in self.errors:
            self.add_error("year", "Select the academic year the file is for")
        return data
