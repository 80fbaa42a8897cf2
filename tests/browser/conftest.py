"""A real browser for the pages: Playwright driving Debian's Chromium (`apt-get install
chromium`; Playwright's own download is not reachable from CI machines here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("PACT_PIPELINE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: apt-get install -y chromium "
            "(or set PACT_PIPELINE_CHROMIUM)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"], headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where screenshots go: `PACT_PIPELINE_SCREENSHOTS` (CI keeps them as artefacts)."""
    directory = Path(os.environ.get("PACT_PIPELINE_SCREENSHOTS", ".pytest-screenshots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory
