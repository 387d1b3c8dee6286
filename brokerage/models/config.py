"""Per-partnership brokerage settings: matching weights, day rates by designation, fee, a working day."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from partnership.models import Partnership, TrackedModel

DEFAULT_WEIGHTS: dict[str, int] = {
    "expertise": 30,
    "phase": 15,
    "capacity": 15,
    "distance": 15,
    "track_record": 15,
    "preference": 10,
}
"""Points each criterion can add to a candidate's score (0–100 in all)."""

DEFAULT_DAY_RATES: dict[str, str] = {
    "nle": "600",
    "lle": "450",
    "sle": "380",
    "nlg": "550",
    "lead_practitioner": "350",
    "la_adviser": "550",
    "associate": "450",
    "": "400",
}
"""Default day rates in pounds per designation (published ranges: SLE £350–£420, LLE £450, NLE £550–£700)."""


class BrokerageSettings(TrackedModel):
    """One row per partnership; missing rows mean the defaults above."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="+")
    weights = models.JSONField(default=dict, blank=True)
    day_rates = models.JSONField(default=dict, blank=True)
    fee_percent = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("15"))
    hours_per_day = models.DecimalField(
        max_digits=3, decimal_places=1, default=Decimal("5"), help_text="Hours of a working day of support."
    )
    max_distance_km = models.PositiveSmallIntegerField(default=30, help_text="Distance at which the score is 0.")

    def __str__(self) -> str:
        return f"Brokerage settings of {self.partnership}"

    def weight_map(self) -> dict[str, int]:
        return {**DEFAULT_WEIGHTS, **{k: int(v) for k, v in (self.weights or {}).items() if k in DEFAULT_WEIGHTS}}

    def rate_for(self, designation: str) -> Decimal:
        rates = {**DEFAULT_DAY_RATES, **(self.day_rates or {})}
        return Decimal(str(rates.get(designation, rates[""])))
