"""Hostile input to pacticipants, versions, tags, labels, branches, environments,
deployments, releases and webhooks: each request gets a deliberate 4xx, never a 5xx
(machinery: ``test_broker_hostile_input``)."""

from __future__ import annotations

from typing import Any

import pytest

from pact_pipeline.broker.testing import simple_pact
from tests.broker.broker_support import BrokerFactory, LiveBroker
from tests.broker.test_broker_hostile_input import (
    LONG,
    Case,
    check_cases,
    hostile_broker,
)

RESOURCE_CASES: list[Case] = [
    # --- pacticipants, versions, tags, labels, branches -------------------------------------
    Case("pacticipant-no-name", "POST", "/pacticipants", 400, json_body={}),
    Case("pacticipant-name-number", "POST", "/pacticipants", 400, json_body={"name": 5}),
    Case("pacticipant-name-too-long", "POST", "/pacticipants", 400, json_body={"name": LONG}),
    Case("pacticipant-name-nul", "POST", "/pacticipants", 400, json_body={"name": "a\u0000"}),
    Case(
        "pacticipant-main-branch-list",
        "PATCH",
        "/pacticipants/Foo",
        400,
        json_body={"mainBranch": ["main"]},
    ),
    Case(
        "pacticipant-repo-url-too-long",
        "PATCH",
        "/pacticipants/Foo",
        400,
        json_body={"repositoryUrl": "https://x/" + "y" * 3000},
    ),
    Case("pacticipant-patch-too-long", "PATCH", "/pacticipants/" + LONG, 400, json_body={}),
    Case(
        "pacticipant-repo-url-1025",
        "PATCH",
        "/pacticipants/Foo",
        400,
        json_body={"repositoryUrl": "https://x/" + "y" * 1015},
    ),
    Case(
        "webhook-consumer-label-too-long",
        "POST",
        "/webhooks",
        400,
        json_body={
            "consumer": {"label": LONG},
            "request": {"method": "POST", "url": "https://example.org"},
        },
    ),
    Case(
        "webhook-provider-name-too-long",
        "POST",
        "/webhooks",
        400,
        json_body={
            "provider": {"name": LONG},
            "request": {"method": "POST", "url": "https://example.org"},
        },
    ),
    Case("label-too-long", "PUT", "/pacticipants/Foo/labels/" + LONG, 400),
    Case("label-missing-pacticipant-long", "PUT", f"/pacticipants/{LONG}/labels/x", (400, 404)),
    Case("version-too-long", "PUT", "/pacticipants/Foo/versions/" + LONG, 400, json_body={}),
    Case(
        "version-new-pacticipant-long", "PUT", f"/pacticipants/{LONG}/versions/1", 400, json_body={}
    ),
    Case(
        "version-tags-string",
        "PUT",
        "/pacticipants/Foo/versions/9",
        400,
        json_body={"tags": "main"},
    ),
    Case(
        "version-tag-too-long",
        "PUT",
        "/pacticipants/Foo/versions/9",
        400,
        json_body={"tags": [LONG]},
    ),
    Case(
        "version-tag-object-number",
        "PUT",
        "/pacticipants/Foo/versions/9",
        400,
        json_body={"tags": [{"name": 1}]},
    ),
    Case(
        "version-branch-too-long",
        "PUT",
        "/pacticipants/Foo/versions/9",
        400,
        json_body={"branch": LONG},
    ),
    Case(
        "version-build-url-not-url",
        "PUT",
        "/pacticipants/Foo/versions/9",
        400,
        json_body={"buildUrl": "not a url"},
    ),
    Case("tag-too-long", "PUT", "/pacticipants/Foo/versions/1/tags/" + LONG, 400),
    Case("tag-multiline", "PUT", "/pacticipants/Foo/versions/1/tags/a%0Ab", 400),
    Case(
        "branch-version-too-long",
        "PUT",
        f"/pacticipants/Foo/branches/{LONG}/versions/1",
        400,
        json_body={},
    ),
    Case(
        "pact-consumer-too-long",
        "PUT",
        f"/pacts/provider/Bar/consumer/{LONG}/version/1",
        400,
        json_body=simple_pact(LONG, "Bar"),
    ),
    # Control characters in a name reach the X-Pact-Consumer-Version header.
    Case(
        "pact-version-control-chars",
        "PUT",
        "/pacts/provider/Bar/consumer/Foo/version/v%1B%07%7F%C2%85",
        201,
        json_body=simple_pact("Foo", "Bar"),
    ),
    Case(
        "pact-version-control-chars-read",
        "GET",
        "/pacts/provider/Bar/consumer/Foo/version/v%1B%07%7F%C2%85",
        200,
    ),
    Case(
        "pact-version-blank",
        "PUT",
        "/pacts/provider/Bar/consumer/Foo/version/%20",
        400,
        json_body=simple_pact("Foo", "Bar"),
    ),
    # --- environments, deployments, releases ------------------------------------------------
    Case("environment-no-production", "POST", "/environments", 400, json_body={"name": "x"}),
    Case(
        "environment-production-string",
        "POST",
        "/environments",
        400,
        json_body={"name": "x", "production": "yes"},
    ),
    Case(
        "environment-name-spaces",
        "POST",
        "/environments",
        400,
        json_body={"name": "a b", "production": False},
    ),
    Case(
        "environment-name-too-long",
        "POST",
        "/environments",
        400,
        json_body={"name": LONG, "production": False},
    ),
    Case(
        "environment-display-too-long",
        "POST",
        "/environments",
        400,
        json_body={"name": "ok", "displayName": LONG, "production": False},
    ),
    Case(
        "environment-contacts-object",
        "POST",
        "/environments",
        400,
        json_body={"name": "ok", "production": False, "contacts": {"name": "x"}},
    ),
    Case(
        "environment-contact-details",
        "POST",
        "/environments",
        400,
        json_body={"name": "ok", "production": False, "contacts": [{"name": "x", "details": "y"}]},
    ),
    Case(
        "deploy-target-too-long",
        "POST",
        "/pacticipants/Foo/versions/1/deployed-versions/environment/{env}",
        400,
        json_body={"applicationInstance": LONG},
    ),
    Case(
        "deploy-unknown-environment",
        "POST",
        "/pacticipants/Foo/versions/1/deployed-versions/environment/nope",
        404,
        json_body={},
    ),
    Case(
        "deploy-uuid-nul",
        "POST",
        "/pacticipants/Foo/versions/1/deployed-versions/environment/a%00b",
        (400, 404),
        json_body={},
    ),
    Case(
        "deployed-flag-string",
        "PATCH",
        "/deployed-versions/{deployed}",
        400,
        json_body={"currentlyDeployed": "false"},
    ),
    Case(
        "released-flag-number",
        "PATCH",
        "/released-versions/{released}",
        400,
        json_body={"currentlySupported": 0},
    ),
    Case("environment-uuid-garbage", "GET", "/environments/'%20OR%201=1", 404),
    Case("environment-uuid-long", "GET", "/environments/" + LONG, 404),
    # --- webhooks -----------------------------------------------------------------------------
    Case("webhook-empty", "POST", "/webhooks", 400, json_body={}),
    Case(
        "webhook-url-file",
        "POST",
        "/webhooks",
        400,
        json_body={"request": {"method": "POST", "url": "file:///etc/passwd"}},
    ),
    Case(
        "webhook-host-template",
        "POST",
        "/webhooks",
        400,
        json_body={"request": {"method": "POST", "url": "http://${pactbroker.consumerName}/"}},
    ),
    Case(
        "webhook-method",
        "POST",
        "/webhooks",
        400,
        json_body={"request": {"method": "TRACE; DROP", "url": "https://example.org"}},
    ),
    Case(
        "webhook-events-string",
        "POST",
        "/webhooks",
        400,
        json_body={
            "events": "contract_published",
            "request": {"method": "POST", "url": "https://example.org"},
        },
    ),
    Case(
        "webhook-event-unknown",
        "POST",
        "/webhooks",
        400,
        json_body={
            "events": [{"name": "everything"}],
            "request": {"method": "POST", "url": "https://example.org"},
        },
    ),
    Case(
        "webhook-enabled-string",
        "POST",
        "/webhooks",
        400,
        json_body={"enabled": "no", "request": {"method": "POST", "url": "https://example.org"}},
    ),
    Case(
        "webhook-consumer-both",
        "POST",
        "/webhooks",
        400,
        json_body={
            "consumer": {"name": "Foo", "label": "x"},
            "request": {"method": "POST", "url": "https://example.org"},
        },
    ),
    Case(
        "webhook-description-too-long",
        "POST",
        "/webhooks",
        400,
        json_body={
            "description": "d" * 2000,
            "request": {"method": "POST", "url": "https://example.org"},
        },
    ),
    Case(
        "webhook-uuid-short",
        "PUT",
        "/webhooks/short",
        400,
        json_body={"request": {"method": "POST", "url": "https://example.org"}},
    ),
    Case(
        "webhook-uuid-long",
        "PUT",
        "/webhooks/" + "a" * 100,
        400,
        json_body={"request": {"method": "POST", "url": "https://example.org"}},
    ),
    Case(
        "webhook-uuid-quote",
        "PUT",
        "/webhooks/aaaaaaaaaaaaaaaa'--",
        400,
        json_body={"request": {"method": "POST", "url": "https://example.org"}},
    ),
    Case(
        "webhook-headers-list",
        "POST",
        "/webhooks",
        400,
        json_body={"request": {"method": "POST", "url": "https://example.org", "headers": []}},
    ),
]


@pytest.fixture
def hostile(broker_factory: BrokerFactory) -> tuple[LiveBroker, dict[str, str]]:
    return hostile_broker(broker_factory)


def test_every_hostile_resource_request_gets_its_4xx(
    hostile: tuple[LiveBroker, dict[str, str]], record_property: Any
) -> None:
    check_cases(hostile, RESOURCE_CASES, record_property)
