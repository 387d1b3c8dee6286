"""Structural rules the codebase keeps: views reach data only through selectors and services."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["partnership", "schools", "clusters", "peerreview", "brokerage"]
FORBIDDEN_IN_VIEWS = re.compile(r"\.objects\b|get_object_or_404\(|\.raw\(|connection\.cursor")


def test_views_do_not_query_models_directly():
    """A view that calls Model.objects could skip the partnership scope; it must call a selector instead."""
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("views*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if FORBIDDEN_IN_VIEWS.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "Use a selector (scoped by membership) instead:\n" + "\n".join(offenders)


def test_the_rule_catches_a_direct_query(tmp_path):
    """The pattern really matches the shapes it forbids (so the test above can fail)."""
    assert FORBIDDEN_IN_VIEWS.search("School.objects.filter(urn=1)")
    assert FORBIDDEN_IN_VIEWS.search("get_object_or_404(School, pk=1)")
    assert not FORBIDDEN_IN_VIEWS.search("selectors.school_list(membership=m)")
