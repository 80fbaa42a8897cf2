"""The broker's pages in Chromium, after `invoke ci`: what a person sees and clicks."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Dialog, Page, expect

from pact_pipeline.broker.testing import simple_pact
from tests.broker.test_broker_pages import v4_pact
from tests.helpers import Project, whole_project

pytestmark = pytest.mark.browser

GREEN = "rgb(46, 125, 50)"
MARKUP = "<img src=x onerror=window.__xss=1>"


def publish(url: str, consumer: str, provider: str, version: str, pact: dict[str, object]) -> None:
    body = {
        "pacticipantName": consumer,
        "pacticipantVersionNumber": version,
        "branch": "main",
        "contracts": [
            {
                "consumerName": consumer,
                "providerName": provider,
                "specification": "pact",
                "contentType": "application/json",
                "content": base64.b64encode(json.dumps(pact).encode()).decode(),
            }
        ],
    }
    response = httpx.post(f"{url}/contracts/publish", json=body, timeout=30)
    assert response.status_code == 200, response.text


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, str, str]]:
    """This repository after `invoke ci`, then a consumer change published; plus a V4 pact."""
    with whole_project(tmp_path_factory.mktemp("pages")) as project:
        first = project.version()
        assert project.invoke("ci").returncode == 0
        second = project.change_the_pact()
        assert project.invoke("publish").returncode == 0
        publish(
            project.url, "MobileApp", "ProductService", "m1", v4_pact("MobileApp", "ProductService")
        )
        yield project, first, second


def shot(page: Page, screenshots: Path, name: str) -> None:
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)


def test_a_person_browses_from_the_home_page(
    system: tuple[Project, str, str], page: Page, screenshots: Path
) -> None:
    project, first, second = system
    page.goto(project.url + "/")
    row = page.locator('tr.integration[data-consumer="FrontendWebsite"]')
    expect(row).to_contain_text("ProductService")
    expect(row).to_contain_text(second)
    shot(page, screenshots, "home")

    row.get_by_role("link", name=second).click()
    expect(page.locator("h1")).to_contain_text("FrontendWebsite")
    expect(page.locator("section.interaction").first).to_be_visible()
    expect(page.get_by_text("get all products", exact=True).first).to_be_visible()
    shot(page, screenshots, "pact")

    page.get_by_role("link", name="Diff with the previous distinct pact").click()
    expect(page.locator("h1")).to_contain_text("What changed")
    expect(page.locator('section.change[data-status="removed"]')).to_have_count(1)
    shot(page, screenshots, "diff")

    page.get_by_role("link", name="Matrix").first.click()
    expect(page.locator("table.matrix tbody tr").first).to_be_visible()
    verified = page.locator("table.matrix .status.ok").first
    expect(verified).to_have_text("verified")
    assert verified.evaluate("e => getComputedStyle(e).backgroundColor") == GREEN
    expect(page.locator("table.matrix")).to_contain_text(first)
    shot(page, screenshots, "matrix")


def test_can_i_deploy_says_why_and_what_to_do(
    system: tuple[Project, str, str], page: Page, screenshots: Path
) -> None:
    project, first, second = system
    page.goto(project.url + "/")
    page.get_by_role("link", name="Can I deploy?").click()
    page.get_by_label("Pacticipant").fill("FrontendWebsite")
    page.get_by_label("Version").fill(second)
    page.get_by_label("Environment").select_option("prod")
    page.get_by_role("button", name="Ask").click()
    expect(page.locator("h2.answer")).to_contain_text("unknown")
    expect(page.locator("ul.reasons")).to_contain_text(f"currently in prod ({first})")
    expect(page.locator("ul.advice")).to_contain_text(f"ProductService {first}")
    shot(page, screenshots, "can-i-deploy")


def test_the_graph_and_an_environment(
    system: tuple[Project, str, str], page: Page, screenshots: Path
) -> None:
    project, first, _ = system
    page.goto(project.url + "/")
    page.get_by_role("link", name="Network").click()
    edge = page.locator('g.edge[data-consumer="FrontendWebsite"][data-provider="ProductService"]')
    # The latest pact is the changed one, which no provider version has verified yet: grey.
    expect(edge).to_have_attribute("data-status", "unverified")
    expect(page.locator("g.legend")).to_contain_text("verified")
    expect(page.locator('g.node[data-name="MobileApp"]')).to_have_count(1)
    shot(page, screenshots, "graph")

    page.get_by_role("link", name="Environments").click()
    page.locator("section.environment h2 a").filter(has_text=re.compile("prod", re.I)).click()
    expect(page.locator("ul.placements").first).to_contain_text(f"ProductService {first}")
    expect(page.locator("ul.placements").first).to_contain_text(f"FrontendWebsite {first}")
    shot(page, screenshots, "environment")


def test_a_v4_pact_with_messages_reads_as_documentation(
    system: tuple[Project, str, str], page: Page, screenshots: Path
) -> None:
    project, _, _ = system
    page.goto(project.url + "/pacticipants/MobileApp")
    page.get_by_role("link", name="m1").first.click()
    expect(page.locator('section[data-kind="Asynchronous message"]')).to_contain_text(
        "a product created event"
    )
    expect(page.locator('section[data-kind="Synchronous message"]')).to_contain_text("price")
    shot(page, screenshots, "pact-v4")


def test_badges_render_as_images(system: tuple[Project, str, str], page: Page) -> None:
    project, _, _ = system
    badges = [
        "/pacts/provider/ProductService/consumer/FrontendWebsite/latest/badge",
        "/pacts/provider/Nobody/consumer/Nothing/latest/badge",
        "/pacticipants/ProductService/branches/main/latest-version/can-i-deploy/to-environment/prod/badge",
    ]
    images = "".join(f'<img src="{project.url}{path}">' for path in badges)
    page.set_content(f"<html><body>{images}</body></html>")
    page.wait_for_load_state("networkidle")
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert all(width and width > 40 for width in widths), widths


def test_markup_from_the_database_never_runs(system: tuple[Project, str, str], page: Page) -> None:
    project, _, _ = system
    publish(
        project.url, MARKUP, "ProductService", MARKUP, simple_pact(MARKUP, "ProductService", MARKUP)
    )
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    for path in ("/", "/graph", "/pacticipants/ProductService"):
        page.goto(project.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__xss") is None, path
    page.goto(project.url + "/")
    page.get_by_role("link", name=MARKUP).first.click()
    expect(page.locator("h1.pacticipant-name")).to_have_text(MARKUP)
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
