"""Forms for clusters and alliances."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils import timezone

from clusters.models import Cluster
from partnership.forms import DateInput, GovForm


class GroupForm(GovForm):
    """Name and description of a cluster or alliance."""

    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter a name"})
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class AddClusterForm(GovForm):
    """Add a cluster to an alliance."""

    cluster: forms.ModelChoiceField[Cluster] = forms.ModelChoiceField(
        label="Cluster", queryset=None, empty_label="Select a cluster", error_messages={"required": "Select a cluster"}
    )
    joined_on = forms.DateField(
        label="Date joined",
        widget=DateInput(),
        initial=timezone.localdate,
        error_messages={"required": "Enter the date the cluster joined", "invalid": "Date joined must be a real date"},
    )

    def __init__(self, *args, clusters, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["cluster"]).queryset = clusters
