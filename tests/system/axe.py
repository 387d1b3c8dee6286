"""Accessibility checks with axe-core (from node_modules) against WCAG 2.2 AA.

axe is evaluated through DevTools (``page.evaluate``), which the page's Content-Security-Policy does not
govern, so pages are checked under their real CSP. (``page.add_script_tag`` would add an inline
<script>, which our ``script-src 'self'`` rightly refuses.)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def _axe_source() -> str:
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: run `npm ci && npm run build` first")
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Run axe on the page as it is now; the list of violations (empty when it passes)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        "async (tags) => await window.axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return results["violations"]


def format_violations(violations: list[dict]) -> str:
    """One block per violation: rule id, impact, help text and the CSS selectors of the failing nodes."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node.get('failureSummary', '').splitlines()[-1].strip()}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fail listing every WCAG 2.0/2.1/2.2 A and AA violation axe finds on the current page."""
    violations = axe_violations(page)
    assert not violations, f"axe found {len(violations)} accessibility problem(s) on {page.url}:\n" + format_violations(
        violations
    )
