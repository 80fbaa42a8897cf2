"""Hostile input to publishing and verifying: contracts, pacts for verification and
verification results each get a deliberate 4xx, never a 5xx (machinery:
``test_broker_hostile_input``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from tests.broker.broker_support import BrokerFactory, LiveBroker, publish_body
from tests.broker.test_broker_hostile_input import (
    FOR_VERIFICATION,
    LONG,
    RESULTS,
    Case,
    b64,
    check_cases,
    hostile_broker,
    with_contract,
)

PUBLISH_CASES: list[Case] = [
    # --- publish: every field ----------------------------------------------------------------
    Case("publish-empty-object", "POST", "/contracts/publish", 400, json_body={}),
    Case(
        "publish-name-number",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "pacticipantName": 7},
    ),
    Case(
        "publish-name-too-long",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "pacticipantName": LONG},
    ),
    Case(
        "publish-version-too-long",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "pacticipantVersionNumber": LONG},
    ),
    Case(
        "publish-version-multiline",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "pacticipantVersionNumber": "1\n2"},
    ),
    Case(
        "publish-version-nul",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "pacticipantVersionNumber": "1\u00002"},
    ),
    Case(
        "publish-branch-too-long",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "branch": LONG},
    ),
    Case(
        "publish-branch-object",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "branch": {"name": "main"}},
    ),
    Case(
        "publish-tags-string",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "tags": "main"},
    ),
    Case(
        "publish-tag-too-long",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "tags": [LONG]},
    ),
    Case(
        "publish-build-url",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "buildUrl": "javascript:alert(1)"},
    ),
    Case(
        "publish-contracts-object",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "contracts": {"a": 1}},
    ),
    Case(
        "publish-contracts-empty",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "contracts": []},
    ),
    Case(
        "publish-contract-number",
        "POST",
        "/contracts/publish",
        400,
        json_body={**publish_body("Foo", "Bar", "2"), "contracts": [1]},
    ),
    Case(
        "publish-provider-too-long",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(providerName=LONG),
    ),
    Case(
        "publish-provider-multiline",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(providerName="Bar\nBaz"),
    ),
    Case(
        "publish-provider-number",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(providerName=12),
    ),
    Case(
        "publish-consumer-mismatch",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(consumerName="Other"),
    ),
    Case(
        "publish-not-base64",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(content="%%% not base64 %%%"),
    ),
    Case(
        "publish-base64-not-json",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(content=b64("not json")),
    ),
    Case(
        "publish-base64-binary",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(content=b64(b"\xff\xfe\x00\x01")),
    ),
    Case(
        "publish-base64-array",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(content=b64("[1, 2]")),
    ),
    Case(
        "publish-specification",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(specification="openapi"),
    ),
    Case(
        "publish-content-type",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(contentType="text/plain"),
    ),
    Case(
        "publish-on-conflict",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(onConflict="explode"),
    ),
    # --- pacts for verification: selectors, booleans, dates ---------------------------------
    Case(
        "selectors-object",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"consumerVersionSelectors": {"mainBranch": True}},
    ),
    Case(
        "selector-string",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"consumerVersionSelectors": ["main"]},
    ),
    Case(
        "selector-unknown-key",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"consumerVersionSelectors": [{"mainBranch": True, "bogus": 1}]},
    ),
    Case(
        "selector-boolean-string",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"consumerVersionSelectors": [{"tag": "main", "latest": "true"}]},
    ),
    Case(
        "selector-empty",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"consumerVersionSelectors": [{}]},
    ),
    Case(
        "selector-tag-number",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"consumerVersionSelectors": [{"tag": 1}]},
    ),
    Case(
        "selector-branch-and-tag",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"consumerVersionSelectors": [{"tag": "a", "branch": "b"}]},
    ),
    Case(
        "selector-contradiction",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"consumerVersionSelectors": [{"mainBranch": True, "latest": False}]},
    ),
    Case(
        "selector-branch-too-long",
        "POST",
        FOR_VERIFICATION,
        (200, 400),
        json_body={"consumerVersionSelectors": [{"branch": LONG}]},
    ),
    Case(
        "pending-string", "POST", FOR_VERIFICATION, 400, json_body={"includePendingStatus": "yes"}
    ),
    Case(
        "wip-not-a-date",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"includeWipPactsSince": "yesterday", "providerVersionBranch": "main"},
    ),
    Case(
        "wip-impossible-date",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"includeWipPactsSince": "2020-13-45", "providerVersionBranch": "main"},
    ),
    Case(
        "wip-number",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"includeWipPactsSince": 20200101, "providerVersionBranch": "main"},
    ),
    Case(
        "wip-year-zero",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"includeWipPactsSince": "0000-01-01", "providerVersionBranch": "main"},
    ),
    Case(
        "wip-far-future",
        "POST",
        FOR_VERIFICATION,
        (200, 400),
        json_body={
            "includeWipPactsSince": "9999-12-31T23:59:59+14:00",
            "providerVersionBranch": "main",
        },
    ),
    Case(
        "provider-tags-string",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"providerVersionTags": "main"},
    ),
    Case(
        "provider-branch-number",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"providerVersionBranch": 1},
    ),
    Case(
        "provider-branch-nul",
        "POST",
        FOR_VERIFICATION,
        400,
        json_body={"providerVersionBranch": "a\u0000b"},
    ),
    # --- verification results ----------------------------------------------------------------
    Case(
        "result-success-string",
        "POST",
        RESULTS,
        400,
        json_body={"success": "true", "providerApplicationVersion": "1"},
    ),
    Case("result-no-version", "POST", RESULTS, 400, json_body={"success": True}),
    Case(
        "result-version-too-long",
        "POST",
        RESULTS,
        400,
        json_body={"success": True, "providerApplicationVersion": LONG},
    ),
    Case(
        "result-test-results-string",
        "POST",
        RESULTS,
        400,
        json_body={"success": True, "providerApplicationVersion": "1", "testResults": "ok"},
    ),
    Case(
        "result-build-url",
        "POST",
        RESULTS,
        400,
        json_body={"success": True, "providerApplicationVersion": "1", "buildUrl": "ftp://x"},
    ),
    Case("result-number-not-int", "GET", RESULTS + "/abc", 400),
    Case("result-number-huge", "GET", RESULTS + "/" + "9" * 30, (400, 404)),
    Case("result-number-negative", "GET", RESULTS + "/-1", (400, 404)),
]


@pytest.fixture
def hostile(broker_factory: BrokerFactory) -> tuple[LiveBroker, dict[str, str]]:
    return hostile_broker(broker_factory)


def test_every_hostile_publication_gets_its_4xx(
    hostile: tuple[LiveBroker, dict[str, str]], record_property: Any
) -> None:
    check_cases(hostile, PUBLISH_CASES, record_property)


def test_a_version_no_header_can_hold_still_gets_its_pact_stored(live_broker: LiveBroker) -> None:
    """Found by the fuzzer: a version with a tab and non-ASCII characters went into the
    `X-Pact-Consumer-Version` header as it was, which the HTTP server refused to send."""
    encoded = "%C2%BD%C3%8B%F3%B9%A6%95%09"
    number = unquote(encoded)
    path = f"/pacts/provider/Bar/consumer/Foo/version/{encoded}"
    body = {"consumer": {"name": "Foo"}, "provider": {"name": "Bar"}, "interactions": []}

    stored = live_broker.client.put(path, json=body)
    read = live_broker.client.get(path)

    assert stored.status_code == 201
    assert stored.headers["X-Pact-Consumer-Version"] == encoded
    assert read.status_code == 200
    assert read.json()["_links"]["pb:consumer-version"]["name"] == number
