"""The form that runs a backtest from the page: which as-at years."""

from __future__ import annotations

from django import forms

from partnership.forms import GovForm
from schools.risk.engine.backtest import year_label


class BacktestForm(GovForm):
    """Choose the as-at years to backtest, from those the data allows."""

    years = forms.TypedMultipleChoiceField(
        label="As-at years",
        help_text="Each year is categorised from the data known on 31 August of that year, then compared with the "
        "next year's results and later inspections.",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one as-at year",
            "invalid_choice": "Select as-at years from the list",
        },
    )

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["years"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(year, f"As at {year_label(year)}, compared with {year_label(year + 1)}") for year in years]
        field.initial = list(years)
