"""Hostile input against a live broker: every request gets a deliberate 4xx, never a 5xx.

This module holds the cases' machinery and the cases about request size, media type, nesting
and JSON syntax, query parameters and paths; the cases about publishing and verifying
(``test_broker_hostile_publish``) and about every other resource
(``test_broker_hostile_resources``) use it.

Each case is one request and the status it must get; every 4xx body must be JSON with an
``error`` or ``errors`` key. The cases run against the database the suite runs on (SQLite, or
PostgreSQL with ``PACT_BROKER_TEST_DATABASE_URL``), which matters: PostgreSQL rejects NUL
characters, over-long strings and out-of-range integers that SQLite stores silently.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
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


def hostile_broker(broker_factory: BrokerFactory) -> tuple[LiveBroker, dict[str, str]]:
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
    return broker, ids


@pytest.fixture
def hostile(broker_factory: BrokerFactory) -> tuple[LiveBroker, dict[str, str]]:
    return hostile_broker(broker_factory)


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


def check_cases(
    hostile: tuple[LiveBroker, dict[str, str]], cases: list[Case], record_property: Any
) -> None:
    """Send every case; each must get one of its statuses, with a JSON error body for a 4xx
    refused by validation (not by the database), and none a 5xx."""
    broker, ids = hostile
    statuses: Counter[int] = Counter()
    wrong: list[str] = []
    for case in cases:
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
    print(f"hostile requests: {len(cases)}, statuses: {dict(sorted(statuses.items()))}")
    assert not wrong, "\n".join(wrong)
    assert not any(status >= 500 for status in statuses)


def test_every_hostile_request_gets_its_4xx(
    hostile: tuple[LiveBroker, dict[str, str]], record_property: Any
) -> None:
    check_cases(hostile, CASES, record_property)


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
