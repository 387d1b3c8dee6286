"""Forms for networks, memberships and uploads."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from partnership.forms import DateInput, GovForm
from schools.models import Network


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
    """Upload a GIAS CSV file."""

    file = forms.FileField(
        label="GIAS CSV file",
        help_text=(
            "An establishment file downloaded from Get Information About Schools (all establishment data, or a "
            "search results download), or the GIAS links file. CSV only."
        ),
        error_messages={"required": "Select a CSV file to upload", "empty": "The selected file is empty"},
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV")
        return upload
