"""Bi-directional contract testing in the browsable broker: the matrix says which answers come
from comparing a pact with the provider's OpenAPI document, and the comparison's page shows
what the document lacks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from pact_pipeline.broker.app import create_app
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.settings import Settings
from pact_pipeline.serving import serve_app
from tests.broker.test_broker_provider_contracts import contract_body, pact
from tests.browser.test_pages_in_chromium import publish as publish_pact

pytestmark = pytest.mark.browser


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'broker.sqlite'}"
    db = Database(url)
    app = create_app(Settings(database_url=url), database=db, webhooks_enabled=False)
    try:
        with serve_app(app) as base_url:
            yield base_url
    finally:
        db.dispose()


def publish(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/provider-contracts/provider/Bar/publish", json=contract_body("p1")
    )
    assert response.status_code == 200, response.text
    publish_pact(base_url, "Foo", "Bar", "c1", pact({"id": 10, "name": "ten", "colour": "red"}))


def test_the_comparison_shows_what_the_openapi_document_lacks(
    broker: str, page: Page, screenshots: Path
) -> None:
    publish(broker)
    page.goto(f"{broker}/pacts/provider/Bar/consumer/Foo/version/c1")
    compared = page.locator("p.compared")
    expect(compared).to_contain_text("Compared with Bar's OpenAPI document")
    expect(compared.locator(".status.bad")).to_have_text("incompatible")

    page.goto(f"{broker}/matrix/provider/Bar/consumer/Foo")
    row = page.locator("table.matrix tbody tr").first
    expect(row).to_contain_text("OpenAPI compared")
    expect(row.locator(".status.bad")).to_have_text("failed")
    row.locator(".status.bad").click()

    expect(page.locator("h1")).to_contain_text("Foo")
    expect(page.locator("p.meta").first).to_contain_text("compared with the OpenAPI document")
    finding = page.locator("table.findings tbody tr").first
    expect(finding).to_contain_text("response.body.incompatible")
    expect(finding).to_contain_text("must NOT have additional properties - colour")
    expect(finding).to_contain_text("[root].interactions[0].response.body.colour")
    page.screenshot(path=str(screenshots / "bdct-comparison.png"), full_page=True)

    page.get_by_role("link", name="Provider contract").click()
    expect(page.locator("h1")).to_contain_text("Provider contract of")
    expect(page.locator("pre.body")).to_contain_text('"openapi": "3.0.3"')
    expect(page.locator("p.meta").nth(1)).to_contain_text("verified")
