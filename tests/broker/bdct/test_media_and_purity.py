"""Content negotiation's order of preference, and the engine's purity (no I/O layers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pact_pipeline.broker.bdct
from pact_pipeline.broker.bdct.media import best_match, is_json

OFFERED = ["application/json", "application/xml", "text/*"]


@pytest.mark.parametrize(
    ("requested", "offered", "expected"),
    [
        ("application/json", OFFERED, "application/json"),
        ("Application/JSON; charset=utf-8", OFFERED, "application/json"),
        ("application/problem+json", OFFERED, "application/json"),
        ("application/json", ["application/hal+json"], "application/hal+json"),
        ("application/vnd.a+json", ["application/vnd.b+json"], None),
        ("text/csv", OFFERED, "text/*"),
        ("image/png", ["*/*"], "*/*"),
        ("application/*", ["text/plain", "application/xml"], "application/xml"),
        ("*/*", ["application/xml"], "application/xml"),
        ("text/html;q=0.9, application/xml", OFFERED, "application/xml"),
        ("application/json;q=0, application/xml", OFFERED, "application/xml"),
        ("image/png", OFFERED, None),
        ("", OFFERED, None),
    ],
)
def test_best_match(requested: str, offered: list[str], expected: str | None) -> None:
    assert best_match(requested, offered) == expected


def test_json_types() -> None:
    assert is_json("application/json; charset=utf-8") and is_json("application/problem+json")
    assert not is_json("text/json-ish") and not is_json("application/xml")


PACKAGE = Path(pact_pipeline.broker.bdct.__file__).parent
FORBIDDEN = (
    "pact_pipeline.broker.api",
    "pact_pipeline.broker.services",
    "pact_pipeline.broker.repository",
    "pact_pipeline.broker.db",
    "sqlalchemy",
    "httpx",
)


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_the_engine_imports_no_layer_with_io(path: Path) -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert {m for m in imported if m.startswith(FORBIDDEN)} == set()
