"""Real-browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test under tests/system/ is marked ``browser`` (``make test-fast`` leaves them out). Tests using
``page`` get a live server (``transactional_db``, so the server thread sees the test's rows) and a fresh
browser context that keeps the site's real Content-Security-Policy: axe is injected through DevTools
(see ``axe.py``), so nothing here needs ``bypass_csp``.

The live server serves ``static/`` through Django's staticfiles finders (pytest-django uses
``StaticFilesHandler`` when ``django.contrib.staticfiles`` is installed), so ``static/build/`` must have
been built first: ``npm ci && npm run build``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

SYSTEM_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# The machine has no outside network: stop Chromium reaching for it (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BUILT_CSS = Path(settings.BASE_DIR) / "static" / "build" / "app.css"
CSP_VIOLATION = re.compile(r"Content Security Policy|Refused to (load|execute|apply|run|evaluate)", re.I)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this directory as a browser test."""
    for item in items:
        if SYSTEM_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (fails, not skips, when missing: CI must have it)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's Chromium (apt-get install -y chromium) to run browser tests"
        if os.environ.get("ALLOW_NO_BROWSER") == "1":
            pytest.skip(message)
        pytest.fail(message + " (or set ALLOW_NO_BROWSER=1 to skip them)")
    if not BUILT_CSS.exists():
        pytest.fail(f"{BUILT_CSS} is missing: run `npm ci && npm run build` first")

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread, which trips Django's async-safety check
    # for the ORM calls the tests make between browser steps. Nothing here is actually concurrent.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class ConsoleLog:
    """What the browser reported: console errors (CSP violations appear here) and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        """Console errors that are Content-Security-Policy refusals."""
        return [e for e in self.errors if CSP_VIOLATION.search(e)]


@pytest.fixture
def console() -> ConsoleLog:
    """The current page's console errors; ``page`` fills it."""
    return ConsoleLog()


@pytest.fixture
def page(browser, live_server, transactional_db, console: ConsoleLog) -> Iterator:
    """A fresh browser context and page (real CSP, British English, 1280px wide) on the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    new_page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    new_page.on("pageerror", lambda error: console.errors.append(f"Uncaught: {error}"))
    yield new_page
    context.close()
