"""Risk categorisation: a pure pandas engine (no ORM) over the frames in docs/design/risk-data-contract.md.

Public API: ``RiskInputs``, ``risk_compute(inputs, ruleset) -> RiskResult``, ``risk_csv_frame(result)``,
``Ruleset``, ``DEFAULT_RULESET``, ``ruleset_from_dict``, ``ruleset_to_dict``, ``ruleset_validate``,
``RulesetError``; the indicator registry is ``schools.risk.indicators.INDICATORS``.
"""

from .engine import risk_compute, risk_csv_frame
from .frames import RiskInputs, RiskResult
from .ruleset import DEFAULT_RULESET, Ruleset, RulesetError, ruleset_from_dict, ruleset_to_dict, ruleset_validate

__all__ = [
    "DEFAULT_RULESET",
    "RiskInputs",
    "RiskResult",
    "Ruleset",
    "RulesetError",
    "risk_compute",
    "risk_csv_frame",
    "ruleset_from_dict",
    "ruleset_to_dict",
    "ruleset_validate",
]
