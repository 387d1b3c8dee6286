"""Composable filters on the register."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q

# GIAS "EstablishmentTypeGroup (name)" values that are not state-funded schools.
NOT_STATE_FUNDED_SCHOOLS = [
    "Independent schools",
    "Welsh schools",
    "Universities",
    "Other types",
    "Children's Centres",
    "Colleges",
]
# GIAS files independent and non-maintained special schools under the "Special schools" group, beside the state-
# funded ones: they are not state-funded (DfE statistics count them apart), so they are excluded by type name.
NOT_STATE_FUNDED_TYPES = ["Non-maintained special school"]


class SchoolQuerySet(models.QuerySet):
    """Scopes on School."""

    def open(self):
        return self.filter(status__startswith="Open")

    def state_funded(self):
        """State-funded schools: not independent, and not the GIAS groups that are not schools at all
        (children's centres, FE colleges, universities, Welsh establishments, "other types"); nor an independent
        or non-maintained special school, which GIAS files under "Special schools"."""
        return (
            self.exclude(type_group__in=NOT_STATE_FUNDED_SCHOOLS)
            .exclude(type_name__icontains="independent")
            .exclude(type_name__in=NOT_STATE_FUNDED_TYPES)
        )

    def in_no_cluster(self):
        from clusters.models import ClusterMembership

        current = ClusterMembership.objects.filter(school=OuterRef("pk"), left_on__isnull=True)
        return self.filter(~Exists(current))

    def isolated(self):
        """Open, state-funded schools in no current cluster: the partnership should reach out to them."""
        return self.open().state_funded().in_no_cluster()

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        if text.isdigit():
            return self.filter(Q(urn=int(text)) | Q(name__icontains=text))
        return self.filter(Q(name__icontains=text) | Q(town__icontains=text) | Q(postcode__iexact=text))
