"""Paged lists, as the Pact Broker pages them (``pagination_methods.rb``,
``pagination_links.rb``): ``pageNumber``/``pageSize`` or ``page``/``size`` ask for one page,
described by a ``page`` object and ``next``/``previous`` links; without them a list is whole
and unchanged. ``q`` filters pacticipants and integrations by name; bad values are a 400."""

from __future__ import annotations

from typing import Any

import pytest

from pact_pipeline.broker.models import Webhook, WebhookExecution
from pact_pipeline.broker.testing import TestData
from tests.broker.broker_support import InProcessBroker

ENVIRONMENT_UUID = "prod-environment-uuid"
WEBHOOK_UUID = "paging-webhook-uuid-0001"


@pytest.fixture
def seeded(api: InProcessBroker) -> InProcessBroker:
    """Five versions of Foo with pacts for Bar (deployed and released to prod), three more
    pacticipants, integrations Foo→Bar and Baz→Bar, and a webhook with five executions."""
    td = TestData(api.db).create_environment("prod", uuid=ENVIRONMENT_UUID)
    td.create_consumer("Foo").create_provider("Bar")
    for number in ("1", "2", "3", "4", "5"):
        td.create_consumer_version(number, branch="main").random_pact()
        td.deploy("Foo", number, "prod", target=f"instance-{number}")
        td.release("Foo", number, "prod")
    td.create_consumer("Baz").create_consumer_version("1").random_pact()
    td.create_pacticipant("Qux").create_pacticipant("Zed")
    td.create_consumer("Foo").create_webhook(uuid=WEBHOOK_UUID)
    with api.db.write() as session:
        webhook = session.query(Webhook).filter_by(uuid=WEBHOOK_UUID).one()
        for n in range(5):
            session.add(
                WebhookExecution(
                    webhook_id=webhook.id, event_name="test", success=True, logs=f"run {n}"
                )
            )
    return api


def get(broker: InProcessBroker, path: str, status: int = 200) -> dict[str, Any]:
    response = broker.client.get(path)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


#: (path, how to read each item's identity from the body, every item in order).
LISTS: dict[str, tuple[str, Any, list[str]]] = {
    "versions": (
        "/pacticipants/Foo/versions",
        lambda b: [v["number"] for v in b["_embedded"]["versions"]],
        ["5", "4", "3", "2", "1"],
    ),
    "pacticipants": (
        "/pacticipants",
        lambda b: [p["name"] for p in b["_embedded"]["pacticipants"]],
        ["Bar", "Baz", "Foo", "Qux", "Zed"],
    ),
    "integrations": (
        "/integrations",
        lambda b: [i["consumer"]["name"] for i in b["_embedded"]["integrations"]],
        ["Baz", "Foo"],
    ),
    "provider pacts": (
        "/pacts/provider/Bar",
        lambda b: [f"{p['name']}/{p['href'].rsplit('/', 1)[-1]}" for p in b["_links"]["pb:pacts"]],
        ["Baz/1", "Foo/5", "Foo/4", "Foo/3", "Foo/2", "Foo/1"],
    ),
    "provider pacts on a branch": (
        "/pacts/provider/Bar/branch/main",
        lambda b: [p["href"].rsplit("/", 1)[-1] for p in b["_links"]["pb:pacts"]],
        ["5", "4", "3", "2", "1"],
    ),
    "currently deployed": (
        f"/environments/{ENVIRONMENT_UUID}/deployed-versions/currently-deployed",
        lambda b: [d["_embedded"]["version"]["number"] for d in b["_embedded"]["deployedVersions"]],
        ["1", "2", "3", "4", "5"],
    ),
    "currently supported": (
        f"/environments/{ENVIRONMENT_UUID}/released-versions/currently-supported",
        lambda b: [r["_embedded"]["version"]["number"] for r in b["_embedded"]["releasedVersions"]],
        ["1", "2", "3", "4", "5"],
    ),
    "webhook executions": (
        f"/webhooks/{WEBHOOK_UUID}/executions",
        lambda b: [e["logs"] for e in b["_embedded"]["executions"]],
        ["run 4", "run 3", "run 2", "run 1", "run 0"],
    ),
}
NAMES = sorted(LISTS)


@pytest.mark.parametrize("which", NAMES)
def test_without_paging_parameters_the_whole_list_is_answered(
    seeded: InProcessBroker, which: str
) -> None:
    path, items, expected = LISTS[which]
    body = get(seeded, path)
    assert items(body) == expected
    assert "page" not in body
    assert "next" not in body["_links"] and "previous" not in body["_links"]


@pytest.mark.parametrize("which", NAMES)
@pytest.mark.parametrize("style", ["pageNumber={n}&pageSize=2", "page={n}&size=2"])
def test_pages_split_the_list_in_order(seeded: InProcessBroker, which: str, style: str) -> None:
    path, items, expected = LISTS[which]
    pages = -(-len(expected) // 2)
    collected: list[str] = []
    for number in range(1, pages + 1):
        body = get(seeded, f"{path}?{style.format(n=number)}")
        collected += items(body)
        assert body["page"] == {
            "number": number,
            "size": 2,
            "totalElements": len(expected),
            "totalPages": pages,
        }
        links = body["_links"]
        assert ("previous" in links) == (number > 1)
        assert ("next" in links) == (number < pages)
        if number < pages:
            assert links["next"]["href"].endswith(f"?size=2&page={number + 1}")
            assert links["next"]["title"] == "Next page"
        if number > 1:
            assert links["previous"]["href"].endswith(f"?size=2&page={number - 1}")
            assert links["previous"]["title"] == "Previous page"
    assert collected == expected


@pytest.mark.parametrize("which", NAMES)
def test_following_next_links_walks_the_whole_list(seeded: InProcessBroker, which: str) -> None:
    path, items, expected = LISTS[which]
    body = get(seeded, f"{path}?pageSize=2")
    collected = items(body)
    while "next" in body["_links"]:
        body = get(seeded, body["_links"]["next"]["href"])
        collected += items(body)
    assert collected == expected


def test_one_parameter_is_enough_the_other_takes_its_default(seeded: InProcessBroker) -> None:
    assert get(seeded, "/pacticipants?pageNumber=1")["page"]["size"] == 100
    body = get(seeded, "/pacticipants?size=3")
    assert body["page"] == {"number": 1, "size": 3, "totalElements": 5, "totalPages": 2}


def test_page_and_size_win_over_the_older_names(seeded: InProcessBroker) -> None:
    body = get(seeded, "/pacticipants?page=2&size=2&pageNumber=1&pageSize=4")
    assert body["page"]["number"] == 2 and body["page"]["size"] == 2


def test_a_page_past_the_end_is_empty_with_a_previous_link(seeded: InProcessBroker) -> None:
    body = get(seeded, "/pacticipants/Foo/versions?pageSize=2&pageNumber=9")
    assert body["_embedded"]["versions"] == []
    assert body["page"] == {"number": 9, "size": 2, "totalElements": 5, "totalPages": 3}
    assert "next" not in body["_links"]
    assert body["_links"]["previous"]["href"].endswith("?size=2&page=8")


def test_an_empty_list_has_one_page(api: InProcessBroker) -> None:
    body = get(api, "/integrations?pageSize=10")
    assert body["page"] == {"number": 1, "size": 10, "totalElements": 0, "totalPages": 1}
    assert "next" not in body["_links"] and "previous" not in body["_links"]


def test_paged_versions_embed_their_branches_tags_and_environments(
    seeded: InProcessBroker,
) -> None:
    whole = get(seeded, "/pacticipants/Foo/versions")["_embedded"]["versions"]
    paged = get(seeded, "/pacticipants/Foo/versions?pageSize=2&pageNumber=2")
    assert paged["_embedded"]["versions"] == whole[2:4]
    assert [link["name"] for link in paged["_links"]["pb:versions"]] == ["3", "2"]


def test_other_query_parameters_are_kept_in_the_page_links(seeded: InProcessBroker) -> None:
    path = f"/environments/{ENVIRONMENT_UUID}/deployed-versions/currently-deployed"
    body = get(seeded, f"{path}?pacticipant=Foo&pageSize=2")
    assert body["_links"]["next"]["href"].endswith(f"{path}?pacticipant=Foo&size=2&page=2")


@pytest.mark.parametrize(
    ("query", "names"),
    [
        pytest.param("q=a", ["Bar", "Baz"], id="contains"),
        pytest.param("q=BA", ["Bar", "Baz"], id="any-case"),
        pytest.param("q=%25", [], id="wildcards-are-literal"),
        pytest.param("q=", ["Bar", "Baz", "Foo", "Qux", "Zed"], id="blank-is-no-filter"),
    ],
)
def test_q_filters_pacticipants_by_name(
    seeded: InProcessBroker, query: str, names: list[str]
) -> None:
    body = get(seeded, f"/pacticipants?{query}")
    assert [p["name"] for p in body["_embedded"]["pacticipants"]] == names


def test_q_filters_integrations_by_consumer_or_provider_name(seeded: InProcessBroker) -> None:
    def consumers(query: str) -> list[str]:
        body = get(seeded, f"/integrations?{query}")
        return [i["consumer"]["name"] for i in body["_embedded"]["integrations"]]

    assert consumers("q=baz") == ["Baz"]
    assert consumers("q=ar") == ["Baz", "Foo"]  # the provider, Bar
    assert consumers("q=nobody") == []
    body = get(seeded, "/integrations?q=a&pageSize=1")
    assert body["page"]["totalElements"] == 2
    assert body["_links"]["next"]["href"].endswith("/integrations?q=a&size=1&page=2")


@pytest.mark.parametrize("which", NAMES)
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("pageNumber=x", "pageNumber", "must be an integer"),
        ("pageSize=1.5", "pageSize", "must be an integer"),
        ("page=0", "page", "must be greater than or equal to 1"),
        ("size=-3", "size", "must be greater than or equal to 1"),
        ("size=99999999999", "size", "must be less than or equal to 2147483647"),
    ],
)
def test_bad_paging_parameters_are_a_400_naming_them(
    seeded: InProcessBroker, which: str, query: str, field: str, message: str
) -> None:
    path, _, _ = LISTS[which]
    body = get(seeded, f"{path}?{query}", status=400)
    assert body["errors"] == {field: [message]}
