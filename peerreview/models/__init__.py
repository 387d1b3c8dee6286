"""Peer review: protocol (MoU), programmes, frameworks, the review cycle, sharing and follow-through."""

from peerreview.models.framework import Framework, FrameworkQuestion, FrameworkTheme
from peerreview.models.programme import Programme, Protocol, ProtocolClause, ProtocolSignature
from peerreview.models.review import (
    Action,
    EvidenceItem,
    Finding,
    FocusArea,
    ImpactCheck,
    ReportVersion,
    Review,
    ReviewEvent,
    TeamMember,
    Workshop,
)
from peerreview.models.sharing import (
    ExcellenceEntry,
    ReminderSent,
    ReportRead,
    SafeguardingConcern,
    ShareGrant,
)

__all__ = [
    "Action",
    "EvidenceItem",
    "ExcellenceEntry",
    "Finding",
    "FocusArea",
    "Framework",
    "FrameworkQuestion",
    "FrameworkTheme",
    "ImpactCheck",
    "Programme",
    "Protocol",
    "ProtocolClause",
    "ProtocolSignature",
    "ReminderSent",
    "ReportRead",
    "ReportVersion",
    "Review",
    "ReviewEvent",
    "SafeguardingConcern",
    "ShareGrant",
    "TeamMember",
    "Workshop",
]
