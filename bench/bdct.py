"""Benchmark of the BDCT comparison engine: ``python -m bench.bdct [--rounds N] [--json PATH]``.

Three inputs, all generated (seeded, no I/O):

* **(a)** the scale-4 benchmark's largest pact: [`bench.shape.pact_content`][] at a
  generation with ``generation % 4 == 3`` (five interactions, V2);
* **(b)** a heavier V4 pact: 200 interactions, one per operation, with nested bodies, arrays
  of objects, embedded matchers, queries and request bodies;
* **(c)** an OpenAPI 3.0 document with 200 operations (100 paths, collection GET/POST and
  item GET/PUT for 50 resources) built from ``$ref`` component schemas (nested objects,
  arrays, ``allOf``, formats) that documents every resource (a) and (b) call.

Timed with ``time.perf_counter``: ``parse_contract`` (the document parsed and compiled from
its text, each round), the first comparison on a freshly parsed contract ("cold": validators
are built), and comparisons on a contract already used ("warm": validators cached).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from bench.shape import pact_content
from pact_pipeline.broker.bdct import ProviderContract, compare, parse_contract

RESOURCES = ["core", "service", *(f"res{i:02d}" for i in range(48))]
#: ``pact_content`` writes ``2 + generation % 4`` interactions: five at generation 3.
LARGEST_GENERATION = 3
TARGET_MS = 200.0


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _shared_schemas() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "Address": {"type": "object", "properties": {"street": text, "city": text, "zip": text}},
        "Person": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "name": text,
                "email": {"type": "string", "format": "email"},
                "address": _ref("Address"),
            },
        },
        "Discount": {
            "type": "object",
            "properties": {"code": text, "percent": {"type": "number", "minimum": 0}},
        },
        "Line": {
            "type": "object",
            "required": ["sku", "quantity"],
            "properties": {
                "sku": text,
                "quantity": {"type": "integer", "format": "int32", "minimum": 1},
                "price": {"type": "number"},
                "discounts": {"type": "array", "items": _ref("Discount")},
            },
        },
        "Meta": {
            "type": "object",
            "properties": {
                "tags": {"type": "array", "items": text},
                "labels": {"type": "object", "additionalProperties": text},
            },
        },
        "Audited": {
            "type": "object",
            "properties": {"createdAt": {"type": "string", "format": "date-time"}},
        },
        "Error": {"type": "object", "properties": {"message": text}},
    }


def _resource_schemas(name: str) -> dict[str, Any]:
    title = name.capitalize()
    fields = {
        "name": {"type": "string"},
        "lines": {"type": "array", "items": _ref("Line")},
        "meta": _ref("Meta"),
    }
    item = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "integer"},
            "rev": {"type": "integer"},
            "status": {"type": "string", "enum": ["active", "retired"], "nullable": True},
            "owner": _ref("Person"),
            **fields,
        },
    }
    return {
        title: {"allOf": [_ref("Audited"), item]} if name.startswith("res") else item,
        f"{title}Input": {"type": "object", "required": ["name"], "properties": fields},
    }


def _json(schema: Any, description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _paths(name: str) -> dict[str, Any]:
    title = name.capitalize()
    secured: list[dict[str, list[str]]] = [{"bearer": []}] if name.startswith("res") else []
    errors = {"404": _json(_ref("Error")), "default": _json(_ref("Error"))}
    body = {"required": True, "content": {"application/json": {"schema": _ref(f"{title}Input")}}}
    query = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
        {
            "name": "status",
            "in": "query",
            "schema": {"type": "string", "enum": ["active", "retired"]},
        },
    ]
    item_id = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    listed = {"type": "array", "items": _ref(title)}
    return {
        f"/{name}s": {
            "get": {"parameters": query, "security": secured, "responses": {"200": _json(listed)}},
            "post": {
                "requestBody": body,
                "security": secured,
                "responses": {"201": _json(_ref(title)), **errors},
            },
        },
        f"/{name}s/{{id}}": {
            "parameters": item_id,
            "get": {"security": secured, "responses": {"200": _json(_ref(title)), **errors}},
            "put": {
                "requestBody": body,
                "security": secured,
                "responses": {"200": _json(_ref(title)), **errors},
            },
        },
    }


def openapi_document() -> dict[str, Any]:
    """(c): 100 paths, 200 operations, ``$ref`` component schemas."""
    paths: dict[str, Any] = {}
    schemas = _shared_schemas()
    for name in RESOURCES:
        paths.update(_paths(name))
        schemas.update(_resource_schemas(name))
    return {
        "openapi": "3.0.3",
        "info": {"title": "Benchmark", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _like(value: Any) -> dict[str, Any]:
    return {"pact:matcher:type": "type", "value": value}


def _input(number: int) -> dict[str, Any]:
    lines = [
        {
            "sku": f"sku-{number}-{n}",
            "quantity": _like(n + 1),
            "price": 9.5,
            "discounts": [{"code": "A", "percent": 5}, {"code": "B", "percent": 2.5}],
        }
        for n in range(5)
    ]
    meta = {"tags": ["a", "b"], "labels": {"team": "x", "tier": "1"}}
    return {"name": _like(f"thing {number}"), "lines": {**_like(lines), "min": 1}, "meta": meta}


def _item(number: int) -> dict[str, Any]:
    owner = {
        "id": "3f1c6a2e-4a70-4a1f-9d55-0b6a8e2f7c11",
        "name": "Ann",
        "email": "ann@example.test",
        "address": {"street": "1 Road", "city": "Oslo", "zip": "0150"},
    }
    return {"id": _like(number), "rev": 2, "status": None, "owner": owner, **_input(number)}


def _interaction(name: str, method: str, number: int) -> dict[str, Any]:
    path = f"/{name}s" if method in ("list", "post") else f"/{name}s/{number}"
    verb = {"list": "GET", "post": "POST", "get": "GET", "put": "PUT"}[method]
    headers = {"Accept": ["application/json"], "Authorization": ["Bearer token"]}
    request: dict[str, Any] = {"method": verb, "path": path, "headers": headers}
    if method == "list":
        request["query"] = {"limit": ["10"], "status": ["active"]}
    if verb in ("POST", "PUT"):
        headers["Content-Type"] = ["application/json"]
        request["body"] = {"content": _input(number), "contentType": "application/json"}
    content: Any = [_item(n) for n in range(3)] if method == "list" else _item(number)
    if name.startswith("res") and method != "list":
        content = {**content, "createdAt": "2024-05-01T12:00:00Z"}
    return {
        "type": "Synchronous/HTTP",
        "description": f"{method} {name} {number}",
        "providerStates": [{"name": f"{name} {number} exists"}],
        "request": request,
        "response": {
            "status": 201 if method == "post" else 200,
            "headers": {"Content-Type": ["application/json; charset=utf-8"]},
            "body": {"content": content, "contentType": "application/json", "encoded": False},
        },
    }


def heavy_pact() -> dict[str, Any]:
    """(b): 200 interactions, one per operation of (c)."""
    interactions = [
        _interaction(name, method, number)
        for number, name in enumerate(RESOURCES, start=1)
        for method in ("list", "post", "get", "put")
    ]
    return {
        "consumer": {"name": "web-heavy"},
        "provider": {"name": "everything"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


def largest_scale_pact() -> dict[str, Any]:
    """(a): the scale-4 benchmark's largest pact, as the seeder writes it."""
    return pact_content("web-40", "core-00", LARGEST_GENERATION)


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: every figure is a measured run."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def _summary(prefix: str, samples: Sequence[float]) -> dict[str, float]:
    return {
        f"{prefix}_median_ms": percentile(samples, 0.5),
        f"{prefix}_p95_ms": percentile(samples, 0.95),
    }


def run(rounds: int) -> dict[str, float]:
    """Measure ``rounds`` rounds; figures in milliseconds, plus the inputs' sizes and the
    comparisons' error counts (0: the pacts are compatible, so every rule runs)."""
    text = json.dumps(openapi_document())
    pacts = {"a": largest_scale_pact(), "b": heavy_pact()}
    samples: dict[str, list[float]] = {k: [] for k in ("parse", "a_cold", "b_cold", "a", "b")}
    warm: ProviderContract = parse_contract(text, "application/json")
    for _ in range(max(1, rounds)):
        samples["parse"].append(_timed(lambda: parse_contract(text, "application/json")))
        for key, pact in pacts.items():
            fresh = parse_contract(text, "application/json")
            samples[f"{key}_cold"].append(_timed(partial(compare, fresh, pact)))
            samples[key].append(_timed(partial(compare, warm, pact)))
    figures: dict[str, float] = {}
    for key in ("parse", "a_cold", "a", "b_cold", "b"):
        figures.update(_summary(key, samples[key]))
    figures["operations"] = float(len(warm.router.operations))
    for key, pact in pacts.items():
        figures[f"{key}_interactions"] = float(len(pact["interactions"]))
        figures[f"{key}_errors"] = float(len(compare(warm, pact).errors))
    figures["rounds"] = float(max(1, rounds))
    return figures


def markdown(figures: dict[str, float]) -> str:
    """A small table of the figures."""
    rows = [
        ("parse_contract (200 operations)", "parse"),
        (
            f"compare (a) largest scale-4 pact, {figures['a_interactions']:.0f} interactions, cold",
            "a_cold",
        ),
        ("compare (a), warm", "a"),
        (f"compare (b) heavy pact, {figures['b_interactions']:.0f} interactions, cold", "b_cold"),
        ("compare (b), warm", "b"),
    ]
    lines = ["| measurement | median ms | p95 ms |", "|---|---:|---:|"]
    for title, key in rows:
        lines.append(
            f"| {title} | {figures[f'{key}_median_ms']:.2f} | {figures[f'{key}_p95_ms']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the table, write JSON if asked; non-zero if (a) misses its target."""
    parser = argparse.ArgumentParser(prog="python -m bench.bdct", description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    figures = run(args.rounds)
    print(markdown(figures))
    errors = f"(a) {figures['a_errors']:.0f}, (b) {figures['b_errors']:.0f}"
    print(f"\n{figures['rounds']:.0f} rounds; errors found: {errors}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    slow = max(figures["a_p95_ms"], figures["a_cold_p95_ms"]) > TARGET_MS
    return 1 if slow or figures["a_errors"] or figures["b_errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
