"""Risk categorisation (the Django app labelled ``risk``).

- ``engine/``: the pure pandas engine (no Django; an import contract enforces it). Its public API is re-exported
  here: ``RiskInputs``, ``risk_compute(inputs, ruleset) -> RiskResult``, ``risk_csv_frame(result)``, ``Ruleset``,
  ``DEFAULT_RULESET``, ``ruleset_from_dict``, ``ruleset_to_dict``, ``ruleset_validate``, ``RulesetError``; the
  indicator registry is ``schools.risk.engine.indicators.INDICATORS``.
- ``models/``, one module per sub-domain; soft intelligence, rule-set versions and runs: ``inputs.py`` (the
  loader), ``services.py``, ``selectors.py``, ``presenters.py``, ``views.py``, ``tasks.py``;
- ``categorisation/``: rounds, decisions, replies and publication notices (models, services, views, tasks);
- ``backtest/``: backtests (models, services, views, tasks).
"""

from . import engine
from .engine import *  # noqa: F403 - the engine's public API (its __all__), for ``from schools.risk import ...``

__all__ = engine.__all__
