"""Hostile input against a live broker: every request gets a deliberate 4xx, never a 5xx.

Each case is one request and the status it must get; every 4xx body must be JSON with an
``error`` or ``errors`` key. The cases run against the database the suite runs on (SQLite, or
PostgreSQL with ``PACT_BROKER_TEST_DATABASE_URL``), which matters: PostgreSQL rejects NUL
characters, over-long strings and out-of-range integers that SQLite stores silently.
"""

from __future__ import annotations

import ast
import base64
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from pact_pipeline.broker.app import STORAGE_REFUSAL
from pact_pipeline.broker.testing import TestData, simple_pact
from tests.broker.broker_support import BrokerFactory, LiveBroker, publish_body

MAX_BYTES = 64 * 1024
MAX_DEPTH = 32
LONG = "x" * 300  # longer than any name column (255)


@dataclass
class Case:
    """One hostile request and the status codes it may get."""

    id: str
    method: str
    path: str
    expect: int | tuple[int, ...]
    json_body: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def allowed(self) -> tuple[int, ...]:
        return self.expect if isinstance(self.expect, tuple) else (self.expect,)


def b64(value: str | bytes) -> str:
    raw = value.encode() if isinstance(value, str) else value
    return base64.b64encode(raw).decode()


def with_contract(**changes: Any) -> dict[str, Any]:
    body = publish_body("Foo", "Bar", "2")
    body["contracts"][0].update(changes)
    return body


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


PACT_PATH = "/pacts/provider/Bar/consumer/Foo/version/new"
FOR_VERIFICATION = "/pacts/provider/Bar/for-verification"
RESULTS = "/pacts/provider/Bar/consumer/Foo/pact-version/{sha}/verification-results"

CASES: list[Case] = [
    # --- size, media type, depth, JSON syntax -----------------------------------------------
    Case("oversized-content-length", "POST", "/pacticipants", 413, content=b" " * (MAX_BYTES + 1)),
    Case("oversized-pact", "PUT", PACT_PATH, 413, json_body={"pad": "x" * MAX_BYTES}),
    Case(
        "text-plain",
        "POST",
        "/pacticipants",
        415,
        content=b'{"name":"a"}',
        headers={"content-type": "text/plain"},
    ),
    Case(
        "form",
        "POST",
        "/pacticipants",
        415,
        content=b"name=a",
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),
    Case(
        "xml",
        "POST",
        "/pacticipants",
        415,
        content=b"<name>a</name>",
        headers={"content-type": "application/xml"},
    ),
    Case("no-content-type", "POST", "/pacticipants", 415, content=b'{"name":"a"}'),
    Case(
        "json-lookalike-type",
        "POST",
        "/pacticipants",
        415,
        content=b'{"name":"a"}',
        headers={"content-type": "text/notjson"},
    ),
    Case(
        "deep-array",
        "POST",
        "/pacticipants",
        400,
        content=nested(MAX_DEPTH + 1).encode(),
        headers={"content-type": "application/json"},
    ),
    Case(
        "deep-object",
        "PUT",
        PACT_PATH,
        400,
        content=('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)).encode(),
        headers={"content-type": "application/json"},
    ),
    Case(
        "deep-pact-in-base64",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(content=b64(nested(5_000))),
    ),
    Case(
        "truncated-json",
        "POST",
        "/pacticipants",
        400,
        content=b'{"name": "a"',
        headers={"content-type": "application/json"},
    ),
    Case(
        "invalid-utf8",
        "POST",
        "/pacticipants",
        400,
        content=b'{"name": "\xff\xfe"}',
        headers={"content-type": "application/json"},
    ),
    Case(
        "nan",
        "PUT",
        PACT_PATH,
        400,
        content=b'{"consumer": {"name": "Foo"}, "x": NaN}',
        headers={"content-type": "application/json"},
    ),
    Case(
        "infinity",
        "PUT",
        PACT_PATH,
        400,
        content=b'{"x": Infinity}',
        headers={"content-type": "application/json"},
    ),
    Case(
        "float-overflow",
        "PUT",
        PACT_PATH,
        400,
        content=b'{"x": 1e999}',
        headers={"content-type": "application/json"},
    ),
    Case(
        "huge-int",
        "PUT",
        PACT_PATH,
        400,
        content=b'{"x": ' + b"9" * 5000 + b"}",
        headers={"content-type": "application/json"},
    ),
    Case(
        "nul-in-pact",
        "PUT",
        PACT_PATH,
        400,
        content=b'{"x": "a\\u0000b"}',
        headers={"content-type": "application/json"},
    ),
    Case(
        "nul-in-key",
        "PUT",
        PACT_PATH,
        400,
        content=b'{"a\\u0000": 1}',
        headers={"content-type": "application/json"},
    ),
    Case(
        "lone-surrogate",
        "PUT",
        PACT_PATH,
        400,
        content=b'{"x": "\\ud800"}',
        headers={"content-type": "application/json"},
    ),
    Case(
        "nul-in-base64-pact",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(content=b64('{"consumer":{"name":"Foo"},"x":"\\u0000"}')),
    ),
    Case(
        "nan-in-base64-pact",
        "POST",
        "/contracts/publish",
        400,
        json_body=with_contract(content=b64('{"consumer":{"name":"Foo"},"x":NaN}')),
    ),
    Case("array-body", "POST", "/pacticipants", 400, json_body=[{"name": "a"}]),
    Case("string-body", "PUT", PACT_PATH, 400, json_body="pact"),
    Case(
        "null-body",
        "POST",
        "/environments",
        400,
        json_body=None,
        content=b"null",
        headers={"content-type": "application/json"},
    ),
    Case(
        "empty-body",
        "POST",
        "/contracts/publish",
        400,
        content=b"",
        headers={"content-type": "application/json"},
    ),
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
    # --- query parameters -------------------------------------------------------------------
    Case("matrix-latest-maybe", "GET", "/matrix?q[][pacticipant]=Foo&q[][latest]=maybe", 400),
    Case("matrix-latestby", "GET", "/matrix?q[][pacticipant]=Foo&latestby=everything", 400),
    Case("matrix-limit-text", "GET", "/matrix?q[][pacticipant]=Foo&limit=ten", 400),
    Case("matrix-limit-huge", "GET", "/matrix?q[][pacticipant]=Foo&limit=" + "9" * 30, 400),
    Case("matrix-limit-zero", "GET", "/matrix?q[][pacticipant]=Foo&limit=0", 400),
    Case("matrix-limit-negative", "GET", "/matrix?q[][pacticipant]=Foo&limit=-5", 400),
    Case("matrix-success-maybe", "GET", "/matrix?q[][pacticipant]=Foo&success[]=maybe", 400),
    Case("matrix-selector-scalar", "GET", "/matrix?q=Foo", 400),
    Case("matrix-unknown-key", "GET", "/matrix?q[][pacticipant]=Foo&q[][colour]=red", 400),
    Case("matrix-nul", "GET", "/matrix?q[][pacticipant]=F%00oo", 400),
    Case("matrix-long-name", "GET", f"/matrix?q[][pacticipant]={LONG}", (200, 400)),
    Case(
        "matrix-main-branch-maybe",
        "GET",
        "/matrix?q[][pacticipant]=Foo&q[][mainBranch]=perhaps",
        400,
    ),
    Case("can-i-deploy-nothing", "GET", "/can-i-deploy", 400),
    Case(
        "can-i-deploy-both",
        "GET",
        "/can-i-deploy?pacticipant=Foo&version=1&to=prod&environment=prod",
        400,
    ),
    Case("can-i-deploy-nul", "GET", "/can-i-deploy?pacticipant=Foo%00&version=1&to=prod", 400),
    Case("environments-name-nul", "GET", "/environments?name=%00", 400),
    Case(
        "currently-deployed-nul",
        "GET",
        "/environments/{env}/deployed-versions/currently-deployed?pacticipant=%00",
        400,
    ),
    # --- paths --------------------------------------------------------------------------------
    Case("path-nul", "GET", "/pacticipants/Fo%00o", 400),
    Case("path-nul-write", "PATCH", "/pacticipants/Fo%00o", 400, json_body={}),
    Case("path-invalid-utf8", "PATCH", "/pacticipants/%FF%FE", 400, json_body={}),
    Case("path-overlong-utf8", "GET", "/pacticipants/%C0%AF", 400),
    Case("path-encoded-surrogate", "GET", "/pacticipants/%ED%A0%80", 400),
    Case("path-bad-escape", "GET", "/pacticipants/%zz", 404),
    Case("path-dot-dot", "GET", "/pacticipants/..%2F..%2Fetc%2Fpasswd", 404),
    Case("path-sql", "GET", "/pacticipants/" + quote("' OR '1'='1"), 404),
    Case("path-very-long", "GET", "/pacticipants/" + "x" * 6000, (404, 414)),
    Case("unknown-method", "PROPFIND", "/pacticipants", 405),
    Case("wrong-method", "DELETE", "/matrix", 405),
]


@pytest.fixture
def hostile(broker_factory: BrokerFactory) -> Iterator[tuple[LiveBroker, dict[str, str]]]:
    """A broker with small limits and some data, and the ids the cases' paths refer to."""
    broker = broker_factory(max_request_bytes=MAX_BYTES, max_json_depth=MAX_DEPTH)
    data = TestData(broker.db).create_consumer("Foo").create_consumer_version("1")
    data.create_provider("Bar").create_pact(simple_pact("Foo", "Bar"))
    data.create_environment("test").deploy("Foo", "1", "test").release("Foo", "1", "test")
    client = broker.client
    env = client.get("/environments").json()["_embedded"]["environments"][0]["uuid"]
    deployed = client.get(f"/environments/{env}/deployed-versions/currently-deployed").json()
    released = client.get(f"/environments/{env}/released-versions/currently-supported").json()
    ids = {
        "env": env,
        "sha": data.pact_sha or "",
        "deployed": deployed["_embedded"]["deployedVersions"][0]["uuid"],
        "released": released["_embedded"]["releasedVersions"][0]["uuid"],
    }
    yield broker, ids


def send(client: httpx.Client, case: Case, ids: dict[str, str]) -> httpx.Response:
    path = case.path.format(**ids) if "{" in case.path and "${" not in case.path else case.path
    headers = dict(case.headers)
    content = case.content
    if content is None and case.json_body is not None:
        content = json.dumps(case.json_body).encode()
        headers.setdefault("content-type", "application/json")
    # A raw target, so httpx neither normalises nor re-encodes hostile paths.
    request = client.build_request(case.method, "/", content=content, headers=headers)
    request.url = request.url.copy_with(raw_path=path.encode("latin-1"))
    return client.send(request)


def assert_error_body(response: httpx.Response) -> None:
    if response.status_code in (405, 414):
        return
    body = response.json()
    assert isinstance(body, dict) and ({"error", "errors"} & body.keys()), body


def test_every_hostile_request_gets_its_4xx(
    hostile: tuple[LiveBroker, dict[str, str]], record_property: Any
) -> None:
    broker, ids = hostile
    statuses: Counter[int] = Counter()
    wrong: list[str] = []
    for case in CASES:
        try:
            response = send(broker.client, case, ids)
        except httpx.TransportError as exc:
            wrong.append(f"{case.id}: {exc!r}")
            continue
        statuses[response.status_code] += 1
        if response.status_code not in case.allowed:
            wrong.append(f"{case.id}: {response.status_code} {response.text[:300]}")
            continue
        if response.status_code >= 400:
            assert_error_body(response)
        # Refused by validation, not by the database's type or length checks.
        assert STORAGE_REFUSAL not in response.text, case.id
    record_property("hostile_statuses", dict(sorted(statuses.items())))
    print(f"hostile requests: {len(CASES)}, statuses: {dict(sorted(statuses.items()))}")
    assert not wrong, "\n".join(wrong)
    assert not any(status >= 500 for status in statuses)


def test_oversized_streamed_body_without_content_length_gets_413(
    hostile: tuple[LiveBroker, dict[str, str]],
) -> None:
    broker, _ = hostile

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(MAX_BYTES // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    response = broker.client.post(
        "/pacticipants", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/hal+json",
        "application/merge-patch+json",
        "application/vnd.pact+json",
    ],
)
def test_json_media_types_are_accepted(live_broker: LiveBroker, content_type: str) -> None:
    response = live_broker.client.post(
        "/pacticipants", content=b'{"name": "Media"}', headers={"content-type": content_type}
    )
    assert response.status_code in (200, 201), response.text


def test_bodyless_writes_need_no_content_type(live_broker: LiveBroker) -> None:
    TestData(live_broker.db).create_consumer("Foo").create_consumer_version("1")
    response = live_broker.client.put("/pacticipants/Foo/versions/1/tags/prod")
    assert response.status_code == 201, response.text


# --- names round-trip -----------------------------------------------------------------------

AWKWARD_NAMES = [
    "with space",
    "feature/with-slash",
    'quote\'s "double"',
    "Ünïcödé 名前 🚀",
    "percent %25 and %2F literal",
    "semi;colon?query#hash&amp",
    "' OR '1'='1'; DROP TABLE pacticipants; --",
    "back\\slash",
    "plus+sign",
    "..",
    ".",
]


def segment(name: str) -> str:
    # Dots alone would be resolved away as a relative path step by any client.
    return "%2E" * len(name) if name.strip(".") == "" else quote(name, safe="")


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_awkward_names_round_trip_through_every_kind_of_resource(
    live_broker: LiveBroker, name: str
) -> None:
    client = live_broker.client
    consumer, provider, version, branch, tag = (
        f"C {name}",
        f"P {name}",
        f"1.0 {name}",
        f"b/{name}",
        f"t {name}",
    )
    body = publish_body(consumer, provider, version, branch=branch, tags=(tag,))
    published = client.post("/contracts/publish", json=body)
    assert published.status_code == 200, published.text
    pact_href = published.json()["_links"]["pb:contracts"][0]["href"]
    via_link = client.get(pact_href)
    assert via_link.status_code == 200, (pact_href, via_link.text)
    assert via_link.json()["consumer"]["name"] == consumer
    assert via_link.json()["provider"]["name"] == provider
    pact_path = (
        f"/pacts/provider/{segment(provider)}/consumer/{segment(consumer)}"
        f"/version/{segment(version)}"
    )
    via_path = send(client, Case("read", "GET", pact_path, 200), {})
    assert via_path.status_code == 200, via_path.text
    assert via_path.headers["x-pact-consumer-version"] == version

    read = send(client, Case("read", "GET", f"/pacticipants/{segment(consumer)}", 200), {})
    assert read.json()["name"] == consumer
    version_path = f"/pacticipants/{segment(consumer)}/versions/{segment(version)}"
    stored = send(client, Case("version", "GET", version_path, 200), {}).json()
    assert stored["number"] == version
    assert [t["name"] for t in stored["_embedded"]["tags"]] == [tag]
    branch_path = f"/pacticipants/{segment(consumer)}/branches/{segment(branch)}"
    assert send(client, Case("branch", "GET", branch_path, 200), {}).json()["name"] == branch
    label_path = f"/pacticipants/{segment(consumer)}/labels/{segment(name)}"
    assert send(client, Case("label", "PUT", label_path, (200, 201)), {}).status_code == 201
    labelled = send(client, Case("l", "GET", f"/pacticipants/label/{segment(name)}", 200), {})
    assert [p["name"] for p in labelled.json()["_embedded"]["pacticipants"]] == [consumer]
    matrix = client.get(
        "/matrix", params={"q[][pacticipant]": consumer, "q[][version]": version}
    ).json()
    assert [row["consumer"]["version"]["number"] for row in matrix["matrix"]] == [version]
    # Names are data, never SQL: the injection attempt matched only itself.
    listed = client.get("/pacticipants").json()["_embedded"]["pacticipants"]
    assert sorted(p["name"] for p in listed) == sorted([consumer, provider])


# --- no SQL built from strings ---------------------------------------------------------------

SQL_CALLS = {"text", "exec_driver_sql", "execute", "executescript", "literal_column"}


def test_no_sql_is_built_from_strings() -> None:
    """Every SQL string in the broker is a literal: values reach the database as bound
    parameters of ORM or Core statements, never by formatting them into SQL text."""
    root = Path(__file__).resolve().parents[2] / "broker"
    offenders: list[str] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            argument = node.args[0]
            built = isinstance(argument, ast.JoinedStr | ast.BinOp) or (
                isinstance(argument, ast.Call)
                and isinstance(argument.func, ast.Attribute)
                and argument.func.attr == "format"
            )
            if name in SQL_CALLS and built:
                offenders.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert offenders == []
