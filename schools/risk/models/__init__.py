"""Rows of the risk app (label ``risk``), one module per sub-domain; every model is importable from here.

- ``intelligence``: ``IntelligenceEntry``, ``HeadChangeJudgement``;
- ``runs``: ``RuleSetVersion``, ``RiskRun``, ``RiskAssessment``, ``RiskText``;
- ``schools.risk.categorisation.models``: ``CategorisationRound``, ``SchoolCategory``, ``CategoryDecision``,
  ``CategoryReply``, ``PublicationNotice``;
- ``schools.risk.backtest.models``: ``RiskBacktest``.

The split moved classes between modules only: the app label and the tables are unchanged (no migration).
"""

from schools.risk.backtest.models import RiskBacktest
from schools.risk.categorisation.models import (
    CategorisationRound,
    CategoryDecision,
    CategoryReply,
    PublicationNotice,
    ReviewSuggestionDismissal,
    SchoolCategory,
)
from schools.risk.models.intelligence import HeadChangeJudgement, IntelligenceEntry
from schools.risk.models.runs import RiskAssessment, RiskRun, RiskText, RuleSetVersion

__all__ = [
    "CategorisationRound",
    "CategoryDecision",
    "CategoryReply",
    "HeadChangeJudgement",
    "IntelligenceEntry",
    "PublicationNotice",
    "RiskAssessment",
    "RiskBacktest",
    "RiskRun",
    "ReviewSuggestionDismissal",
    "RiskText",
    "RuleSetVersion",
    "SchoolCategory",
]
