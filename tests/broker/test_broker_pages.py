"""The broker's pages: browsers get HTML on the API's own URLs, clients keep their JSON; every
page is reachable from the home page; every value from the database is escaped."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest

from pact_pipeline.broker.testing import TestData, simple_pact
from tests.broker.broker_support import InProcessBroker

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
MARKUP = '<img src=x onerror="alert(1)">'


def v4_pact(consumer: str, provider: str) -> dict[str, Any]:
    """A V4 pact with an HTTP interaction, an asynchronous and a synchronous message."""
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": [
            {
                "type": "Synchronous/HTTP",
                "description": "get product 10",
                "providerStates": [{"name": "product 10 exists", "params": {"id": 10}}],
                "request": {"method": "GET", "path": "/product/10"},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": ["application/json"]},
                    "body": {
                        "content": {"id": "10", "price": 12.5},
                        "contentType": "application/json",
                        "encoded": False,
                    },
                    "matchingRules": {
                        "body": {"$.price": {"combine": "AND", "matchers": [{"match": "number"}]}}
                    },
                },
            },
            {
                "type": "Asynchronous/Messages",
                "description": "a product created event",
                "contents": {
                    "content": {"event": "created", "id": "10"},
                    "contentType": "application/json",
                    "encoded": False,
                },
                "metadata": {"topic": "products"},
            },
            {
                "type": "Synchronous/Messages",
                "description": "a price request",
                "request": {
                    "contents": {"content": {"id": "10"}, "contentType": "application/json"}
                },
                "response": [
                    {"contents": {"content": {"price": 12.5}, "contentType": "application/json"}}
                ],
            },
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


def html(broker: InProcessBroker, path: str, status: int = 200) -> str:
    response = broker.client.get(path, headers=BROWSER)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


@pytest.fixture
def system(api: InProcessBroker) -> InProcessBroker:
    td = TestData(api.db)
    td.create_environment("prod", production=True)
    td.create_consumer("Web").create_provider("Products", mainBranch="main")
    td.create_consumer_version("1", branch="main").create_pact(simple_pact("Web", "Products"))
    td.create_verification("p1", branch="main")
    td.create_consumer_version("2", branch="main").create_pact(
        simple_pact("Web", "Products", "another request")
    )
    td.create_verification("p1", success=False, branch="main")
    td.deploy("Products", "p1", "prod").deploy("Web", "1", "prod")
    td.create_consumer("Mobile").create_consumer_version("m1", branch="main")
    td.create_pact(v4_pact("Mobile", "Products"))
    td.create_webhook(url="https://ci.example.org/hook")
    return api


def test_clients_keep_their_json_and_browsers_get_pages(system: InProcessBroker) -> None:
    for accept in ("application/hal+json", "application/json", "*/*", None):
        headers = {"Accept": accept} if accept else {}
        response = system.client.get("/", headers=headers)
        assert response.headers["content-type"].startswith(
            ("application/hal+json", "application/json")
        )
        assert "_links" in response.json()
    page = html(system, "/")
    assert '<table class="integrations">' in page


def test_the_home_page_shows_each_integration_and_its_state(system: InProcessBroker) -> None:
    page = html(system, "/")
    rows = re.findall(
        r'<tr class="integration (\w+)" data-consumer="(\w+)" data-provider="(\w+)"', page
    )
    assert rows == [("unverified", "Mobile", "Products"), ("failed", "Web", "Products")]
    assert ">prod</span>" in page
    assert "Mobile" not in html(system, "/?q=web")


def test_the_home_page_pages_through_many_integrations(api: InProcessBroker) -> None:
    td = TestData(api.db).create_provider("P")
    for n in range(55):
        td.create_consumer(f"C{n:02}").create_consumer_version("1").create_pact()
    first, second = html(api, "/"), html(api, "/?page=2")
    assert first.count('class="integration ') == 50
    assert second.count('class="integration ') == 5
    assert "page 2 of 2" in second


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def test_every_page_is_reachable_from_the_home_page(system: InProcessBroker) -> None:
    base = "http://broker.test"
    seen: set[str] = set()
    queue = deque(["/"])
    while queue and len(seen) < 400:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = system.client.get(path, headers=BROWSER)
        assert response.status_code < 500, path
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        parser = Links()
        parser.feed(response.text)
        for href in parser.hrefs:
            url = urlsplit(urljoin(base + path, href))
            if url.netloc == "broker.test":
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    kinds = {
        "pacticipant": r"^/pacticipants/[^/]+$",
        "pact": r"^/pacts/provider/.+/consumer/.+/version/[^/]+$",
        "diff": r"/diff/previous-distinct$",
        "matrix": r"^/matrix/provider/",
        "can-i-deploy": r"^/can-i-deploy",
        "graph": r"^/graph$",
        "environments": r"^/environments$",
        "environment": r"^/environments/[^/]+$",
        "webhooks": r"^/webhooks$",
        "webhook": r"^/webhooks/[^/]+$",
        "hal": r"^/hal/",
        "verification": r"/verification-results/\d+$",
    }
    missing = [k for k, pattern in kinds.items() if not any(re.search(pattern, p) for p in seen)]
    assert missing == []


def test_the_pact_page_reads_as_documentation_v4_messages_included(
    system: InProcessBroker,
) -> None:
    page = html(system, "/pacts/provider/Products/consumer/Mobile/version/m1")
    for text in (
        "get product 10",
        "a product created event",
        "a price request",
        "product 10 exists",
    ):
        assert text in page
    assert 'data-kind="Asynchronous message"' in page
    assert 'data-kind="Synchronous message"' in page
    assert "$.body.price" in page


def test_the_diff_shows_what_changed_between_versions(system: InProcessBroker) -> None:
    page = html(system, "/pacts/provider/Products/consumer/Web/version/2/diff/previous-distinct")
    assert 'data-status="added"' in page and "another request" in page
    assert 'data-status="removed"' in page
    first = html(system, "/pacts/provider/Products/consumer/Web/version/1/diff/previous-distinct")
    assert "nothing earlier to compare" in first


def test_the_can_i_deploy_page_answers_with_reasons_and_advice(system: InProcessBroker) -> None:
    page = html(system, "/can-i-deploy?pacticipant=Web&version=2&environment=prod")
    assert "Web 2 to prod:" in page and '<span class="status bad">no</span>' in page
    assert "Products p1 fails the pact of Web 2" in page
    assert "<form" in html(system, "/can-i-deploy")


def test_the_graph_colours_each_integration(system: InProcessBroker) -> None:
    page = html(system, "/graph")
    assert re.search(r'class="edge edge-failed"[^>]*data-consumer="Web"', page)
    assert re.search(r'class="edge edge-unverified"[^>]*data-consumer="Mobile"', page)


def test_any_api_resource_has_a_browsable_view(system: InProcessBroker) -> None:
    page = html(system, "/hal/pacticipants")
    assert '<a href="http://broker.test/pacticipants/Web">' in page
    assert "pb:pacticipants" in html(system, "/hal/") or "pb:" in html(system, "/hal/")
    assert "_embedded" in html(system, "/pacticipants")  # no page of its own: the HAL view


def test_what_is_not_there_is_a_page_saying_so(system: InProcessBroker) -> None:
    assert "No pacticipant with name" in html(system, "/pacticipants/Nobody", status=404)
    html(system, "/no/such/thing", status=404)


def test_values_from_the_database_are_escaped(api: InProcessBroker) -> None:
    td = TestData(api.db).create_environment(MARKUP)
    td.create_consumer(MARKUP).create_provider("P").create_consumer_version(MARKUP, branch=MARKUP)
    td.create_pact(simple_pact(MARKUP, "P", MARKUP)).deploy(MARKUP, MARKUP, MARKUP)
    name = quote(MARKUP, safe="")
    pages = [
        "/",
        "/graph",
        "/environments",
        f"/pacticipants/{name}",
        f"/pacts/provider/P/consumer/{name}/version/{name}",
        f"/matrix/provider/P/consumer/{name}",
        f"/can-i-deploy?pacticipant={name}&version={name}&environment={name}",
        f"/hal/pacticipants/{name}",
    ]
    for path in pages:
        page = html(api, path)
        assert MARKUP not in page, path
        assert "&lt;img src=x" in page, path


def test_the_matrix_lists_at_most_limit_rows_the_newest(api: InProcessBroker) -> None:
    """The Pact Broker's `limit` (100 by default), which the integration's matrix page relies
    on at scale; the answer still counts every row."""
    td = TestData(api.db).create_consumer("C").create_provider("P")
    for number in ("1", "2", "3"):
        td.create_consumer_version(number).create_pact(simple_pact("C", "P", f"request {number}"))
        td.create_verification(f"p{number}")
    query = "/matrix?q[][pacticipant]=C&q[][pacticipant]=P"
    everything = api.client.get(query).json()
    newest = api.client.get(query + "&limit=2").json()
    assert len(everything["matrix"]) == 3
    assert [r["consumer"]["version"]["number"] for r in newest["matrix"]] == ["2", "3"]
    assert newest["summary"]["success"] == everything["summary"]["success"] == 3
