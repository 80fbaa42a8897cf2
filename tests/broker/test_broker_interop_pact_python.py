"""pact-python's ``Verifier.broker_source`` (the Rust verifier behind ``invoke verify``) against
a live embedded broker: selectors, pending, WIP and publishing results."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from pact_pipeline.verifier import make_verifier
from provider.app import create_app
from provider.repository import ProductRepository
from provider.verification import served_for_verification
from tests.broker.broker_support import LiveBroker
from tests.consumer.product_service_pact import write_pact

CONSUMER, PROVIDER = "FrontendWebsite", "ProductService"

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def contract(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = write_pact(tmp_path_factory.mktemp("pact"))
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def broken(contract: dict[str, Any]) -> dict[str, Any]:
    """The contract with one interaction expecting a field the provider does not send."""
    document = copy.deepcopy(contract)
    for interaction in document["interactions"]:
        if interaction["description"] == "get product with ID 10":
            interaction["response"]["body"]["content"]["colour"] = "blue"
            return document
    raise AssertionError("the contract has no 'get product with ID 10' interaction")


def publish(broker: LiveBroker, document: dict[str, Any], version: str, branch: str) -> None:
    content = base64.b64encode(json.dumps(document).encode()).decode()
    response = broker.client.post(
        "/contracts/publish",
        json={
            "pacticipantName": CONSUMER,
            "pacticipantVersionNumber": version,
            "branch": branch,
            "contracts": [
                {
                    "consumerName": CONSUMER,
                    "providerName": PROVIDER,
                    "specification": "pact",
                    "contentType": "application/json",
                    "content": content,
                }
            ],
        },
    )
    assert response.status_code == 200, response.text


def without_product_names(repository: ProductRepository) -> FastAPI:
    """ProductService with a breaking change: products lose their ``name``."""
    app = create_app(repository)

    @app.middleware("http")
    async def drop_names(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        if not response.headers.get("content-type", "").startswith("application/json"):
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        data = json.loads(body)
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                item.pop("name", None)
        return JSONResponse(data, status_code=response.status_code)

    return app


def verify(
    broker: LiveBroker,
    version: str,
    *,
    app_factory: Callable[[ProductRepository], FastAPI] = create_app,
) -> tuple[bool, str]:
    """Verify ProductService the way `invoke verify` does; returns (passed, output)."""
    with served_for_verification(app_factory) as provider:
        verifier = (
            make_verifier(PROVIDER, provider)
            .broker_source(broker.url, selector=True)
            .consumer_version(main_branch=True)
            .consumer_version(deployed_or_released=True)
            .include_pending()
            .include_wip_since("2020-01-01")
            .provider_branch("main")
            .build()
        )
        verifier.set_publish_options(version, branch="main")
        try:
            verifier.verify()
        except RuntimeError:
            return False, str(verifier.output(strip_ansi=True))
        return True, str(verifier.output(strip_ansi=True))


def latest_result(broker: LiveBroker, consumer_version: str) -> dict[str, Any]:
    response = broker.client.get(
        f"/verification-results/consumer/{CONSUMER}/version/{consumer_version}/latest"
    )
    assert response.status_code == 200, response.text
    # The Pact Broker's summary: the newest result of each of the version's pacts.
    body: dict[str, Any] = response.json()["_embedded"]["verificationResults"][0]
    return body


def test_broker_source_selects_verifies_and_publishes(
    live_broker: LiveBroker, contract: dict[str, Any]
) -> None:
    publish(live_broker, contract, "1.0.0", "main")

    passed, output = verify(live_broker, "p1")

    assert passed, output
    assert "latest version from the main branch 'main' (1.0.0)" in output
    result = latest_result(live_broker, "1.0.0")
    assert result["success"] is True
    assert result["providerApplicationVersion"] == "p1"
    assert len(result["testResults"]) == len(contract["interactions"])
    branch = live_broker.client.get(f"/pacticipants/{PROVIDER}/branches/main/versions/p1")
    assert branch.status_code == 200, "the verifier records the provider version's branch"


def test_a_failing_wip_pact_does_not_fail_the_build_but_is_recorded(
    live_broker: LiveBroker, contract: dict[str, Any]
) -> None:
    publish(live_broker, contract, "1.0.0", "main")
    assert verify(live_broker, "p1")[0]
    publish(live_broker, broken(contract), "2.0.0", "feat/colour")

    passed, output = verify(live_broker, "p2")

    assert passed, "a WIP pact is pending: its failure must not fail the provider build\n" + output
    assert "work in progress" in output
    failed = latest_result(live_broker, "2.0.0")
    assert failed["success"] is False
    assert failed["providerApplicationVersion"] == "p2"
    # The main-branch pact stays verified by the new provider version too.
    assert latest_result(live_broker, "1.0.0")["providerApplicationVersion"] == "p2"


def test_a_provider_that_breaks_a_verified_pact_fails_the_build(
    live_broker: LiveBroker, contract: dict[str, Any]
) -> None:
    publish(live_broker, contract, "1.0.0", "main")
    assert verify(live_broker, "p1")[0]

    passed, output = verify(live_broker, "p2", app_factory=without_product_names)

    assert not passed, "the pact is no longer pending on main: breaking it must fail\n" + output
    result = latest_result(live_broker, "1.0.0")
    assert (result["success"], result["providerApplicationVersion"]) == (False, "p2")
