"""Brokerage rows, one module per sub-domain: providers, requests, deployments, funds, the ledger, settings."""

from .config import DEFAULT_DAY_RATES, DEFAULT_WEIGHTS, BrokerageSettings
from .deployments import (
    Deployment,
    DeploymentEvent,
    Evaluation,
    Milestone,
    Objective,
    ObjectiveEvaluation,
    Rating,
    Variation,
    Visit,
    cost_of,
)
from .funds import Fund
from .ledger import LedgerEntry
from .notifications import Notification
from .providers import PHASES, DeclaredInterest, Provider, Specialism, TradedServiceItem
from .requests import AcademyReferral, FundKind, ShortlistEntry, SupportRequest, SupportRequestEvent

__all__ = [
    "DEFAULT_DAY_RATES",
    "DEFAULT_WEIGHTS",
    "PHASES",
    "AcademyReferral",
    "BrokerageSettings",
    "DeclaredInterest",
    "Deployment",
    "DeploymentEvent",
    "Evaluation",
    "Fund",
    "FundKind",
    "LedgerEntry",
    "Milestone",
    "Notification",
    "Objective",
    "ObjectiveEvaluation",
    "Provider",
    "Rating",
    "ShortlistEntry",
    "Specialism",
    "SupportRequest",
    "SupportRequestEvent",
    "TradedServiceItem",
    "Variation",
    "Visit",
    "cost_of",
]
