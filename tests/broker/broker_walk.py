"""Seeding a broker through its API, and walking its HAL links (for ``test_broker_links``)."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi.testclient import TestClient

from tests.broker.broker_support import publish_body

HAL = {"Accept": "application/hal+json"}

#: Relations a GET cannot follow, and why: they name actions (POST), not resources.
NOT_GETTABLE = {
    "pb:publish-contracts": "POST only: publishes contracts",
    "pb:publish-verification-results": "POST only: publishes a verification result",
    "pb:record-deployment": "POST only: records a deployment",
    "pb:record-release": "POST only: records a release",
    "pb:execute": "POST only: executes a webhook",
}
#: Relations served by work outside this change; a 404 from them is reported, not failed.
OWNED_ELSEWHERE = {"pb:metrics": "the metrics resource belongs to the metrics work"}


@dataclass
class Seeded:
    environment_uuid: str
    webhook_uuid: str
    secret_uuid: str


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code < 300, f"{response.request.url}: {response.text}"
    body: dict[str, Any] = response.json() if response.content else {}
    return body


def _publish(client: TestClient, consumer: str, version: str, **options: Any) -> None:
    description = options.pop("description", f"a request from {version}")
    body = publish_body(consumer, "Bar", version, description=description, **options)
    _ok(client.post("/contracts/publish", json=body, headers=HAL))


def seed(client: TestClient) -> Seeded:
    """Two integrations (Foo and Baz to Bar) with branches, tags, an environment with a
    deployment and a release, verifications, a label, a webhook and a secret."""
    _publish(client, "Foo", "1", branch="main", tags=("prod",))
    _publish(client, "Foo", "2", branch="main", description="another request")
    _publish(client, "Foo", "3", branch="feat/x", tags=("dev",))
    _publish(client, "Baz", "1", branch="main", tags=("prod",))
    _publish(client, "Baz", "2", branch="main", description="an untagged request")
    _ok(client.put("/pacticipants/Bar/branches/main/versions/100", json={}, headers=HAL))
    _ok(client.put("/pacticipants/Bar/versions/100/tags/prod", json={}, headers=HAL))
    for consumer, version in (("Foo", "1"), ("Foo", "2"), ("Foo", "3"), ("Baz", "1"), ("Baz", "2")):
        pact = _ok(client.get(f"/pacts/provider/Bar/consumer/{consumer}/version/{version}"))
        href = urlsplit(pact["_links"]["pb:publish-verification-results"]["href"]).path
        result = {"success": True, "providerApplicationVersion": "100"}
        _ok(client.post(href, json=result, headers=HAL))
    for pacticipant in ("Foo", "Bar", "Baz"):
        _ok(client.put(f"/pacticipants/{pacticipant}/labels/ui", json={}, headers=HAL))
    env = _ok(client.post("/environments", json={"name": "production", "production": True}))
    uuid = env["uuid"]
    for pacticipant, version in (("Foo", "1"), ("Bar", "100")):
        path = f"/pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/"
        _ok(client.post(path + uuid, json={}, headers=HAL))
    _ok(client.post(f"/pacticipants/Baz/versions/1/released-versions/environment/{uuid}", json={}))
    hook = {
        "events": [{"name": "contract_content_changed"}],
        "request": {"method": "POST", "url": "https://example.org/hook"},
        "consumer": {"name": "Foo"},
        "provider": {"name": "Bar"},
    }
    webhook = _ok(client.post("/webhooks", json=hook, headers=HAL))
    secret = _ok(client.post("/secrets", json={"name": "token", "value": "s3cret"}, headers=HAL))
    return Seeded(uuid, webhook["uuid"] if "uuid" in webhook else _uuid_of(webhook), secret["uuid"])


def _uuid_of(body: dict[str, Any]) -> str:
    return str(body["_links"]["self"]["href"]).rstrip("/").rsplit("/", 1)[-1]


def template_values(seeded: Seeded) -> dict[str, str]:
    """A real name for every ``{variable}`` the broker's templated links use."""
    return {
        "provider": "Bar",
        "consumer": "Foo",
        "pacticipant": "Foo",
        "consumerApplicationVersion": "1",
        "version": "1",
        "tag": "prod",
        "environmentTag": "prod",
        "to": "prod",
        "branch": "main",
        "label": "ui",
        "environment": "production",
    }


#: Per pacticipant, a version that is on branch ``main`` and tagged ``prod``.
VERSION_OF = {"Foo": "1", "Bar": "100", "Baz": "1"}
_PACTICIPANT = re.compile(r"/pacticipants/([^/{}]+)/")
_VERSION_TAG = re.compile(r"(/pacticipants/[^/{}]+/versions/[^/{}]+)/tags/\{tag\}")


def expand(href: str, seeded: Seeded, tags_of: Any = None) -> str | None:
    """The href with real names in place of its variables; None when the seeded data has no
    value for it (a version without tags has no tag to fetch)."""
    values = template_values(seeded)
    named = _PACTICIPANT.search(href)
    if named and named[1] in VERSION_OF:
        values["version"] = VERSION_OF[named[1]]
    version_tag = _VERSION_TAG.search(href)
    if version_tag and tags_of is not None and "{version}" not in href:
        tags = tags_of(urlsplit(version_tag[1]).path)
        if not tags:
            return None
        values["tag"] = tags[0]
    if "{uuid}" in href:
        for marker, uuid in (
            ("/webhooks/", seeded.webhook_uuid),
            ("/environments/", seeded.environment_uuid),
            ("/secrets/", seeded.secret_uuid),
        ):
            if marker in href:
                href = href.replace("{uuid}", quote(uuid, safe=""))
    return re.sub(r"\{(\w+)\}", lambda m: quote(values.get(m[1], m[1]), safe=""), href)


def is_link(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("href"), str)


def hal_problems(body: Any) -> list[str]:
    """What makes a JSON body invalid HAL: ``_links`` not an object of links (or lists of
    links), anywhere in the document."""
    problems: list[str] = []
    if isinstance(body, dict):
        links = body.get("_links")
        if links is not None:
            if not isinstance(links, dict):
                problems.append("_links is not an object")
            else:
                for rel, value in links.items():
                    items = value if isinstance(value, list) else [value]
                    if not all(is_link(item) for item in items):
                        problems.append(f"{rel} is not a link or a list of links")
        for value in body.values():
            problems.extend(hal_problems(value))
    elif isinstance(body, list):
        for item in body:
            problems.extend(hal_problems(item))
    return problems


def relations(body: Any) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(rel, link, curies) of every link in the document, nested resources included."""
    found: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = []
    if isinstance(body, dict):
        links = body.get("_links")
        if isinstance(links, dict):
            curies = [c for c in links.get("curies", []) if is_link(c)]
            for rel, value in links.items():
                if rel == "curies":
                    continue
                for item in value if isinstance(value, list) else [value]:
                    if is_link(item):
                        found.append((rel, item, curies))
        for value in body.values():
            found.extend(relations(value))
    elif isinstance(body, list):
        for item in body:
            found.extend(relations(item))
    return found


@dataclass
class Walk:
    visited: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)


def _targets(
    rel: str, item: dict[str, Any], curies: list[dict[str, Any]], seeded: Seeded, tags_of: Any
) -> list[str]:
    href = str(item["href"])
    expanded = expand(href, seeded, tags_of)
    targets = [expanded] if expanded is not None else []
    prefix, _, name = rel.partition(":")
    for curie in curies:
        if name and curie.get("name") == prefix:
            targets.append(str(curie["href"]).replace("{rel}", name))
    return targets


def walk(client: TestClient, seeded: Seeded, base: str, limit: int = 3000) -> Walk:
    """Breadth-first from the index through every link on the broker's own origin."""
    result = Walk()

    def tags_of(version_path: str) -> list[str]:
        version = client.get(version_path, headers=HAL).json()
        return [t["name"] for t in version.get("_embedded", {}).get("tags", [])]

    queue: deque[tuple[str, str, str]] = deque([("/", "index", "(start)")])
    while queue and len(result.visited) < limit:
        path, rel, source = queue.popleft()
        if path in result.visited:
            continue
        response = client.get(path, headers=HAL)
        result.visited[path] = response.status_code
        if response.status_code == 404 and rel in OWNED_ELSEWHERE:
            result.pending.append(f"{rel} {path}: {OWNED_ELSEWHERE[rel]}")
            continue
        if response.status_code == 404 or response.status_code >= 500:
            result.failures.append(f"{response.status_code} {path} ({rel} from {source})")
            continue
        if "json" not in response.headers.get("content-type", ""):
            continue
        body = response.json()
        result.failures.extend(f"{path}: {p}" for p in hal_problems(body))
        for child_rel, item, curies in relations(body):
            if child_rel in NOT_GETTABLE:
                result.skipped.add(child_rel)
                continue
            for target in _targets(child_rel, item, curies, seeded, tags_of):
                parts = urlsplit(target)
                if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
                    continue
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                if local not in result.visited:
                    queue.append((local, child_rel, path))
    return result
