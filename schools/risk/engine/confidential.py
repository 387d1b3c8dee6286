"""Confidential soft intelligence in the engine's sentences, and their school-facing form.

The loader gives the engine a confidential entry with ``CONFIDENTIAL_SUMMARY`` instead of its summary, so no
detail of it is ever stored in an assessment. Officers read the sentence as written (they may see the entry
itself). A school reads it through ``school_facing``, which also drops the date and rating it was recorded
with: a dated complaint can identify whoever made it (docs/adr/0012-categorisation-rounds.md).
"""

from __future__ import annotations

import re

CONFIDENTIAL_SUMMARY = "details are confidential to the local authority"
CONFIDENTIAL_CONCERN = "a concern held in confidence"
SCHOOL_FACING_TEXT = "recorded in confidence by the local authority"
_RECORDED = re.compile(
    r"recorded \d{1,2} [A-Z][a-z]+ \d{4}(?: \((?:red|amber|green)\))?: "
    + re.escape(CONFIDENTIAL_SUMMARY)
    # a red entry kept red past its window (#14.5) adds "; review due: recorded more than …": it says the entry is
    # red and how old it is, so the school never reads it
    + r"(?:; review due: recorded more than [^;]*)?"
)


def school_facing(sentence: str) -> str:
    """``sentence`` without the date and rating of any confidential entry it mentions."""
    return _RECORDED.sub(SCHOOL_FACING_TEXT, sentence) if CONFIDENTIAL_SUMMARY in sentence else sentence
