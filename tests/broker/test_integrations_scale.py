"""``GET /integrations`` and the home page at scale: they read a few index seeks per integration
instead of every publication (issue 13), and must answer exactly as before.

What that could break: the latest publication time is the newest ``created_at`` of the pair (not
the time of its highest id), the home page's latest pact is the current revision of the newest
consumer version (whatever the times), deleted integrations and pacticipants leave the lists,
the name filter and the pages keep working, and the number of SQL statements does not grow with
the history.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from pact_pipeline.broker.models import Pacticipant, PactPublication, Version
from pact_pipeline.broker.services.pages.integrations import integration_page
from pact_pipeline.broker.testing import TestData, simple_pact
from tests.broker.broker_support import InProcessBroker

BROWSER = {"Accept": "text/html"}
HAL = {"Accept": "application/hal+json"}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def integrations(broker: InProcessBroker, query: str = "") -> dict[str, Any]:
    response = broker.client.get(f"/integrations{query}", headers=HAL)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def pairs(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(consumer, provider, latest publication time) of each integration, in order."""
    return [
        (i["consumer"]["name"], i["provider"]["name"], i["latestPactPublishedAt"])
        for i in body["_embedded"]["integrations"]
    ]


def home_rows(broker: InProcessBroker, query: str = "") -> list[tuple[str, str, str]]:
    """(status, consumer, provider) of each row of the home page, in order."""
    response = broker.client.get(f"/{query}", headers=BROWSER)
    assert response.status_code == 200, response.text[:500]
    return re.findall(
        r'<tr class="integration (\w+)" data-consumer="([^"]+)" data-provider="([^"]+)"',
        response.text,
    )


def set_publication_times(
    broker: InProcessBroker, times: dict[tuple[str, str, str], datetime]
) -> None:
    """Give the publications of (consumer, consumer version, provider) these times."""
    with broker.db.write() as session:
        for (consumer, number, provider), moment in times.items():
            consumer_id = session.scalars(
                select(Pacticipant.id).where(Pacticipant.name == consumer)
            ).one()
            provider_id = session.scalars(
                select(Pacticipant.id).where(Pacticipant.name == provider)
            ).one()
            version_id = session.scalars(
                select(Version.id).where(
                    Version.pacticipant_id == consumer_id, Version.number == number
                )
            ).one()
            for pub in session.scalars(
                select(PactPublication).where(
                    PactPublication.consumer_version_id == version_id,
                    PactPublication.provider_id == provider_id,
                )
            ):
                pub.created_at = moment


@contextmanager
def counting_statements(broker: InProcessBroker) -> Iterator[list[str]]:
    """The SQL statements run while the block runs."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(broker.db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(broker.db.engine, "before_cursor_execute", count)


def test_the_latest_publication_time_is_the_newest_not_that_of_the_highest_id(
    api: InProcessBroker,
) -> None:
    td = TestData(api.db).create_consumer("Web").create_provider("Api")
    td.create_consumer_version("1").create_pact(simple_pact("Web", "Api", "one"))
    td.create_consumer_version("2").create_pact(simple_pact("Web", "Api", "two"))
    td.create_consumer_version("3").create_pact(simple_pact("Web", "Api", "three"))
    td.create_consumer("Mobile").create_consumer_version("1").create_pact()
    # Version 2's publication (a middle id) is the newest; version 3's (the highest id) is old.
    set_publication_times(
        api,
        {
            ("Web", "1", "Api"): T0,
            ("Web", "2", "Api"): T0 + timedelta(days=3),
            ("Web", "3", "Api"): T0 + timedelta(days=1),
            ("Mobile", "1", "Api"): T0 + timedelta(days=2),
        },
    )
    assert pairs(integrations(api)) == [
        ("Mobile", "Api", (T0 + timedelta(days=2)).isoformat()),
        ("Web", "Api", (T0 + timedelta(days=3)).isoformat()),
    ]
    # The home page shows the latest pact: the newest consumer version's, whatever its time.
    page = integration_page(api.db, search="", page=1, size=50)
    assert [(r.consumer, r.consumer_version, r.published_at) for r in page.rows] == [
        ("Mobile", "1", T0 + timedelta(days=2)),
        ("Web", "3", T0 + timedelta(days=1)),
    ]


def test_the_latest_pact_is_the_current_revision_and_judged_by_the_main_branch(
    api: InProcessBroker,
) -> None:
    td = TestData(api.db).create_environment("prod")
    td.create_consumer("Web").create_provider("Api", mainBranch="main")
    td.create_consumer_version("1", branch="main").create_pact(simple_pact("Web", "Api", "a"))
    td.create_verification("p1", branch="main")
    first_sha = td.pact_sha
    td.revise_pact()  # a second revision of version 1: the current one
    current_sha = td.pact_sha
    assert current_sha != first_sha
    td.create_verification("p2", success=False, branch="main")
    td.create_verification("p3", success=True, branch="feature")  # newer, not on main
    td.deploy("Web", "1", "prod").deploy("Api", "p2", "prod")
    td.create_consumer("Mobile").create_consumer_version("1", branch="feat")
    td.create_pact(simple_pact("Mobile", "Api", "m"))
    td.create_verification("p3", success=True, branch="feature")
    td.create_consumer("Unverified").create_consumer_version("1").create_pact()

    rows = {r.consumer: r for r in integration_page(api.db, search="", page=1, size=50).rows}
    web = rows["Web"]
    assert web.sha == current_sha
    assert web.consumer_branches == ("main",)
    assert web.verification is not None
    assert (web.verification.provider_version, web.verification.success) == ("p2", False)
    assert web.verification.from_main_branch
    assert (web.consumer_environments, web.provider_environments) == (("prod",), ("prod",))
    mobile = rows["Mobile"]
    assert mobile.verification is not None
    assert (mobile.verification.provider_version, mobile.verification.from_main_branch) == (
        "p3",
        False,
    )
    assert mobile.status == "verified"
    assert rows["Unverified"].verification is None
    assert home_rows(api) == [
        ("verified", "Mobile", "Api"),
        ("unverified", "Unverified", "Api"),
        ("failed", "Web", "Api"),
    ]


def test_deleted_integrations_pacts_and_pacticipants_leave_the_lists(
    api: InProcessBroker,
) -> None:
    td = TestData(api.db).create_provider("Api")
    for consumer in ("A", "B", "C"):
        td.create_consumer(consumer).create_consumer_version("1").create_pact()
        td.create_consumer_version("2").random_pact()
    td.create_consumer("A").create_provider("Other").create_consumer_version("1").create_pact()
    set_publication_times(
        api,
        {
            ("C", "1", "Api"): T0,
            ("C", "2", "Api"): T0 + timedelta(days=1),
        },
    )
    assert [(c, p) for c, p, _ in pairs(integrations(api))] == [
        ("A", "Api"),
        ("A", "Other"),
        ("B", "Api"),
        ("C", "Api"),
    ]

    assert api.client.delete("/integrations/provider/Api/consumer/B").status_code == 204
    assert api.client.delete("/pacticipants/Other").status_code == 204
    assert [(c, p) for c, p, _ in pairs(integrations(api))] == [("A", "Api"), ("C", "Api")]
    assert [(c, p) for _, c, p in home_rows(api)] == [("A", "Api"), ("C", "Api")]

    # Without its newest pact, C's latest publication is the one before: never a stale time.
    response = api.client.delete("/pacts/provider/Api/consumer/C/version/2")
    assert response.status_code in (200, 204)
    assert pairs(integrations(api))[-1] == ("C", "Api", T0.isoformat())
    assert integration_page(api.db, search="C", page=1, size=50).rows[0].consumer_version == "1"

    assert api.client.delete("/pacticipants/Api").status_code == 204
    assert pairs(integrations(api)) == []
    assert home_rows(api) == []


def test_the_name_filter_and_the_pages(api: InProcessBroker) -> None:
    td = TestData(api.db)
    names = ["alpha", "Beta", "gamma_1", "gammaX", "100%"]
    for consumer in names:
        td.create_consumer(consumer).create_provider("Hub").create_consumer_version("1")
        td.create_pact()
    td.create_consumer("alpha").create_provider("Zeta").create_consumer_version("2")
    td.create_pact()
    everything = [(c, p) for c, p, _ in pairs(integrations(api))]
    assert everything == [
        ("100%", "Hub"),
        ("Beta", "Hub"),
        ("alpha", "Hub"),
        ("alpha", "Zeta"),
        ("gammaX", "Hub"),
        ("gamma_1", "Hub"),
    ]

    def consumers(query: str) -> list[str]:
        return [c for c, _, _ in pairs(integrations(api, query))]

    assert consumers("?q=ALPHA") == ["alpha", "alpha"]
    assert consumers("?q=zeta") == ["alpha"]
    assert consumers("?q=mm_X") == []  # "_" and "%" are no wildcards
    assert consumers("?q=a_") == ["gamma_1"]
    assert consumers("?q=%25") == ["100%"]
    assert consumers("?q=nothing") == []

    paged = integrations(api, "?pageNumber=2&pageSize=4")
    assert [(c, p) for c, p, _ in pairs(paged)] == everything[4:]
    assert paged["page"] == {"number": 2, "size": 4, "totalElements": 6, "totalPages": 2}
    assert "previous" in paged["_links"] and "next" not in paged["_links"]
    filtered = integrations(api, "?q=gamma&pageNumber=1&pageSize=1")
    assert [c for c, _, _ in pairs(filtered)] == ["gammaX"]
    assert filtered["page"] == {"number": 1, "size": 1, "totalElements": 2, "totalPages": 2}
    beyond = integrations(api, "?pageNumber=9&pageSize=4")
    assert pairs(beyond) == []
    assert beyond["page"]["totalElements"] == 6

    assert [c for _, c, _ in home_rows(api, "?q=GAMMA")] == ["gammaX", "gamma_1"]
    page = integration_page(api.db, search="a", page=2, size=2)
    assert (page.total, page.pages, page.page) == (5, 3, 2)
    assert [(r.consumer, r.provider) for r in page.rows] == [("alpha", "Zeta"), ("gammaX", "Hub")]


def test_the_statements_do_not_grow_with_the_publications(api: InProcessBroker) -> None:
    td = TestData(api.db).create_environment("prod")
    consumers, providers = ("Web", "Mobile", "Batch"), ("Api", "Auth")

    def publish(number: int) -> None:
        for consumer in consumers:
            td.create_consumer(consumer).create_consumer_version(str(number), branch="main")
            for provider in providers:
                td.create_provider(provider, mainBranch="main").random_pact()
                td.create_verification(f"{provider}-{number}", branch="main")
            td.deploy(consumer, str(number), "prod")

    def statements() -> dict[str, int]:
        found = {}
        for name, path, headers in (
            ("integrations", "/integrations", HAL),
            ("filtered", "/integrations?q=web", HAL),
            ("paged", "/integrations?pageNumber=2&pageSize=2", HAL),
            ("home", "/", BROWSER),
            ("home filtered", "/?q=web", BROWSER),
            ("graph", "/graph", BROWSER),
        ):
            with counting_statements(api) as run:
                assert api.client.get(path, headers=headers).status_code == 200
            found[name] = len(run)
        return found

    publish(1)
    with_one = statements()
    for number in range(2, 51):
        publish(number)
    assert len(integrations(api)["_embedded"]["integrations"]) == 6
    assert statements() == with_one
    assert with_one["integrations"] <= 2  # (BEGIN on SQLite) and the one query
