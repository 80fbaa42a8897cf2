"""Failure modes of the broker client, simulated at the HTTP transport.

Successful conversations with a broker are covered against the real embedded broker (see
tests/stages/test_against_broker.py); here httpx's MockTransport plays a broker that is down,
flaky, or refuses us, which a real broker cannot be made to do on demand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pact_pipeline.broker_client import BrokerClient
from pact_pipeline.errors import (
    BrokerAuthError,
    BrokerProtocolError,
    BrokerRequestError,
    BrokerUnreachable,
    ConfigurationError,
)
from pact_pipeline.hal import error_detail
from pact_pipeline.settings import BrokerAuth
from tests.helpers import FakeSleep

BASE = "http://broker.test"

INDEX = {
    "_links": {
        "self": {"href": f"{BASE}/"},
        "pb:publish-contracts": {"href": f"{BASE}/contracts/publish"},
        "pb:environments": {"href": f"{BASE}/environments"},
        "pb:pacticipant-version": {
            "href": f"{BASE}/pacticipants/{{pacticipant}}/versions/{{version}}",
            "templated": True,
        },
        "pb:provider-pacts-for-verification": {
            "href": f"{BASE}/pacts/provider/{{provider}}/for-verification",
            "templated": True,
        },
    }
}

Handler = Callable[[httpx.Request], httpx.Response]


def hal(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/hal+json;charset=utf-8"},
    )


def client(handler: Handler, sleep: FakeSleep, **options: Any) -> BrokerClient:
    return BrokerClient(BASE, transport=httpx.MockTransport(handler), sleep=sleep, **options)


def refuse_connections(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def test_unreachable_broker_is_retried_with_backoff_then_reported(fake_sleep: FakeSleep) -> None:
    retries: list[str] = []
    broker = client(refuse_connections, fake_sleep, attempts=4, on_retry=retries.append)

    with pytest.raises(BrokerUnreachable) as raised:
        broker.index()

    assert str(raised.value) == f"cannot reach the Pact Broker at {BASE}: connection refused"
    assert fake_sleep.calls == [0.5, 1.0, 2.0]
    assert len(retries) == 3
    assert "retrying in 0.5s (attempt 2/4)" in retries[0]


def test_timeouts_are_reported_as_unreachable(fake_sleep: FakeSleep) -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    with pytest.raises(BrokerUnreachable, match="timed out"):
        client(time_out, fake_sleep, attempts=2).index()


def test_server_errors_are_retried_until_the_broker_recovers(fake_sleep: FakeSleep) -> None:
    answers = iter([hal({}, 503), hal({}, 502), hal(INDEX)])

    index = client(lambda _: next(answers), fake_sleep).index()

    assert "pb:environments" in index["_links"]
    assert fake_sleep.calls == [0.5, 1.0]


def test_persistent_server_errors_end_as_a_request_error(fake_sleep: FakeSleep) -> None:
    broker = client(lambda _: hal({"error": "database is locked"}, 500), fake_sleep, attempts=3)

    with pytest.raises(BrokerRequestError) as raised:
        broker.index()

    assert raised.value.status == 500
    assert "(500 on GET / after 3 attempts): database is locked" in str(raised.value)
    assert len(fake_sleep.calls) == 2


def test_client_errors_are_not_retried(fake_sleep: FakeSleep) -> None:
    calls: list[httpx.Request] = []

    def reject(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return hal({"error": "nope"}, 400)

    with pytest.raises(BrokerRequestError):
        client(reject, fake_sleep).index()

    assert len(calls) == 1
    assert fake_sleep.calls == []


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        pytest.param(
            BrokerAuth(token="wrong"),
            f"the Pact Broker at {BASE} rejected the credentials (401): "
            "set PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD",
            id="wrong-token",
        ),
        pytest.param(
            BrokerAuth(),
            f"the Pact Broker at {BASE} requires credentials (401): "
            "set PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD",
            id="no-credentials",
        ),
    ],
)
def test_401_explains_which_variables_to_set(
    auth: BrokerAuth, expected: str, fake_sleep: FakeSleep
) -> None:
    broker = client(lambda _: hal({"error": "Unauthorized"}, 401), fake_sleep, auth=auth)

    with pytest.raises(BrokerAuthError) as raised:
        broker.index()

    assert str(raised.value) == expected


def test_403_names_what_the_credentials_may_not_do(fake_sleep: FakeSleep) -> None:
    def read_only(request: httpx.Request) -> httpx.Response:
        return hal(INDEX) if request.method == "GET" else hal({}, 403)

    broker = client(read_only, fake_sleep, auth=BrokerAuth(username="reader", password="x"))

    with pytest.raises(BrokerAuthError) as raised:
        broker.publish_contracts({"pacticipantName": "Foo"})

    assert str(raised.value) == (
        f"the Pact Broker at {BASE} refused POST /contracts/publish (403): the credentials are "
        "read-only / not allowed to publish contracts"
    )


def test_credentials_are_sent_as_bearer_or_basic(fake_sleep: FakeSleep) -> None:
    seen: list[str] = []

    def remember(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization", ""))
        return hal(INDEX)

    client(remember, fake_sleep, auth=BrokerAuth(token="t0k")).index()
    client(remember, fake_sleep, auth=BrokerAuth(username="u", password="p")).index()

    assert seen == ["Bearer t0k", "Basic dTpw"]


def test_token_and_basic_auth_together_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        BrokerClient(BASE, auth=BrokerAuth(token="t", username="u", password="p"))


def test_validation_errors_become_one_line(fake_sleep: FakeSleep) -> None:
    def invalid(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return hal(INDEX)
        return hal(
            {
                "errors": {
                    "contracts": ["content is not valid base64 (at index 0)"],
                    "branch": ["blank"],
                }
            },
            400,
        )

    with pytest.raises(BrokerRequestError) as raised:
        client(invalid, fake_sleep).publish_contracts({})

    assert str(raised.value) == (
        "the Pact Broker refused to publish contracts (400 on POST /contracts/publish): "
        "contracts: content is not valid base64 (at index 0); branch: blank"
    )
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            {"errors": ["Pacticipant Foo not found"]}, "Pacticipant Foo not found", id="list"
        ),
        pytest.param(
            {"error": "Cannot change\nthe content"}, "Cannot change the content", id="error"
        ),
        pytest.param(
            {"notices": [{"type": "error", "text": "Conflict"}, {"type": "info", "text": "diff"}]},
            "Conflict",
            id="notices",
        ),
    ],
)
def test_error_detail_reads_every_broker_error_shape(body: Any, expected: str) -> None:
    assert error_detail(hal(body, 400)) == expected


def test_error_detail_of_a_non_json_body_is_shortened() -> None:
    response = httpx.Response(502, text="<html>\n<body>Bad gateway</body></html>" + "x" * 500)

    detail = error_detail(response)

    assert detail.startswith("<html> <body>Bad gateway")
    assert len(detail) == 200


def test_something_that_is_not_a_broker_is_named_as_such(fake_sleep: FakeSleep) -> None:
    broker = client(lambda _: httpx.Response(200, text="<html>hello</html>"), fake_sleep)

    with pytest.raises(BrokerProtocolError, match="is PACT_BROKER_BASE_URL a Pact Broker"):
        broker.index()


def test_a_missing_relation_is_a_protocol_error(fake_sleep: FakeSleep) -> None:
    broker = client(lambda _: hal({"_links": {}}), fake_sleep)

    with pytest.raises(BrokerProtocolError, match="no 'pb:environments' link"):
        broker.environments()


def test_templated_relations_percent_encode_each_value(fake_sleep: FakeSleep) -> None:
    requested: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        if request.url.path == "/":
            return hal(INDEX)
        return hal({}, 404)

    version = client(answer, fake_sleep).version("Front End", "1.0+build/7")

    assert version is None
    assert requested[-1] == f"{BASE}/pacticipants/Front%20End/versions/1.0%2Bbuild%2F7"


def test_the_index_is_fetched_once(fake_sleep: FakeSleep) -> None:
    paths: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.url.path == "/":
            return hal(INDEX)
        return hal({"_embedded": {"environments": []}})

    broker = client(answer, fake_sleep)
    broker.environments()
    broker.environments()

    assert paths == ["/", "/environments", "/environments"]


def test_matrix_query_is_the_cli_s_can_i_deploy_query(fake_sleep: FakeSleep) -> None:
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return hal({"summary": {"deployable": True}, "matrix": []})

    client(answer, fake_sleep).matrix("Foo", "1.2.3", "prod")

    assert seen[0].path == "/matrix"
    assert seen[0].params.multi_items() == [
        ("q[][pacticipant]", "Foo"),
        ("q[][version]", "1.2.3"),
        ("latestby", "cvpv"),
        ("environment", "prod"),
    ]


def test_record_deployment_needs_the_environment_s_link(fake_sleep: FakeSleep) -> None:
    version = {
        "_links": {
            "pb:record-deployment": [
                {
                    "name": "test",
                    "href": f"{BASE}/pacticipants/Foo/versions/1/deployed-versions/environment/u1",
                }
            ]
        }
    }
    posted: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        posted.append(request.url.path)
        return hal({"currentlyDeployed": True}, 201)

    broker = client(answer, fake_sleep)
    broker.record_deployment(version, "test")

    assert posted == ["/pacticipants/Foo/versions/1/deployed-versions/environment/u1"]
    with pytest.raises(BrokerProtocolError, match="record a deployment to 'prod'"):
        broker.record_deployment(version, "prod")


def test_pacts_for_an_unknown_provider_are_none(fake_sleep: FakeSleep) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            return hal(INDEX)
        return hal({"error": "No provider with name 'Nope' found"}, 404)

    assert client(answer, fake_sleep).pacts_for_verification("Nope", {}) == []


def test_environment_creation_is_idempotent_even_when_racing(fake_sleep: FakeSleep) -> None:
    listings = iter([[], [{"name": "prod", "uuid": "u1"}]])
    created: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            return hal(INDEX)
        if request.method == "GET":
            return hal({"_embedded": {"environments": next(listings)}})
        created.append(json.loads(request.content))
        # Someone else created it between our GET and POST.
        return hal({"errors": {"name": ["name 'prod' is already used"]}}, 400)

    environment = client(answer, fake_sleep).ensure_environment("prod", production=True)

    assert environment["uuid"] == "u1"
    assert created == [{"name": "prod", "displayName": "Prod", "production": True}]
