"""The risk register's filters (django-filter, GOV.UK styled like the schools list), scoped to one partnership."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from clusters.models import ClusterMembership
from partnership.forms import GovFilterForm, SharedChoiceFilter
from partnership.models import Partnership
from schools.choices import register_choices
from schools.risk.models import RiskAssessment
from schools.risk.presenters import CategoryLabel, category_text
from schools.risk.selectors import Movement

# What "movement" measures (``risk_register_list``): against the last agreed categorisation, or, before any round is
# agreed, against the previous finished run. The label says which (#14.9).
MOVEMENT_SINCE_AGREED = "Movement since the last agreed category"
MOVEMENT_SINCE_RUN = "Movement since the previous run"


class RiskRegisterFilter(django_filters.FilterSet):
    """Filters on the register's assessments; choice lists come from the partnership's own schools."""

    district = SharedChoiceFilter(field_name="school__district", label="District", empty_label="Any district")
    phase = SharedChoiceFilter(field_name="school__phase", label="Phase", empty_label="Any phase")
    cluster = SharedChoiceFilter(label="Cluster", empty_label="Any cluster", method="filter_cluster")
    trust = SharedChoiceFilter(field_name="school__trust_name", label="Trust", empty_label="Any trust")
    category = SharedChoiceFilter(field_name="proposed_category", label="Proposed category", empty_label="Any category")
    movement = SharedChoiceFilter(label=MOVEMENT_SINCE_RUN, empty_label="Any movement", choices=Movement.choices)

    class Meta:
        model = RiskAssessment
        fields: list[str] = []
        form = GovFilterForm

    def __init__(
        self,
        *args,
        partnership: Partnership,
        categories: dict[int, CategoryLabel],
        against_agreed: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.filters["movement"].label = MOVEMENT_SINCE_AGREED if against_agreed else MOVEMENT_SINCE_RUN
        choices = register_choices(partnership)  # kept per version of the partnership's data (schools.choices)
        for name, field in (("district", "district"), ("phase", "phase"), ("trust", "trust_name")):
            self.filters[name].extra["choices"] = list(getattr(choices, field))
        numbers = sorted(categories) or [1, 2, 3, 4]
        self.filters["category"].extra["choices"] = [(str(n), category_text(n, categories.get(n))) for n in numbers]
        self.filters["cluster"].extra["choices"] = list(choices.clusters)

    def filter_cluster(self, queryset: QuerySet[RiskAssessment], name: str, value: str) -> QuerySet:
        current = ClusterMembership.objects.filter(cluster_id=value, left_on__isnull=True).values("school_id")
        return queryset.filter(school_id__in=current)
