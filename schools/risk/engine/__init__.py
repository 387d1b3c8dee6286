"""The pure risk engine: pandas and numpy over the frames in docs/design/risk-data-contract.md, nothing else.

Nothing in this package imports Django, the ORM or any app: an import-linter contract (``make lint``) fails the
build if it does. The Django side (models, the loader in ``schools/risk/inputs.py``, services, pages) calls in.

- ``compute``: ``risk_compute(inputs, ruleset) -> RiskResult``, ``risk_csv_frame``, bands;
- ``frames``: ``RiskInputs``, ``RiskResult``; ``context``: the per-run lookups;
- ``ruleset``: the rule set as data (``Ruleset``, ``DEFAULT_RULESET``, ``ruleset_from_dict`` / ``_to_dict``);
- ``indicators/``: the indicator registry (``INDICATORS``, ``CODES``); ``overrides``: the override rules;
- ``escalation``: the register of concern; ``confidential``: what a school may see of confidential entries;
- ``assessment_text``: the COPY text of the assessments; ``backtest``: a backtest's measures and baselines.
"""

from .compute import risk_compute, risk_csv_frame
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
