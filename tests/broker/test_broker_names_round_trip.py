"""Awkward names (spaces, slashes, quotes, Unicode, SQL) round-trip through every kind of
resource, and no SQL is built from strings."""

from __future__ import annotations

import ast
from pathlib import Path
from urllib.parse import quote

import pytest

import pact_pipeline.broker
from tests.broker.broker_support import LiveBroker, publish_body
from tests.broker.test_broker_hostile_input import Case, send

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
    root = Path(pact_pipeline.broker.__file__).resolve().parent
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
