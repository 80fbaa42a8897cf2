"""The corpus's vocabulary: a case (an OpenAPI document, a pact, the expected verdict and
findings) and small builders for documents and pacts of each version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest

from pact_pipeline.broker.bdct import Comparison

#: (code, mock location, a substring of the message)
Expected = tuple[str, str, str]


@dataclass(frozen=True)
class Case:
    """One (OpenAPI document, pact) pair with the exact findings expected."""

    id: str
    document: Mapping[str, Any] | str
    pact: Mapping[str, Any]
    success: bool
    findings: tuple[Expected, ...] = ()
    content_type: str | None = None

    def param(self) -> Any:
        """The case as a pytest parameter named by its id."""
        return pytest.param(self, id=self.id)


def at(index: int, rest: str) -> str:
    """A mock location: ``at(0, "response.body.colour")``."""
    return f"[root].interactions[{index}].{rest}"


def mismatches(comparison: Comparison, expected: tuple[Expected, ...]) -> list[str]:
    """What differs between the findings and the expected ones (empty when they agree
    exactly: same number, each matched once by code, location and message substring)."""
    remaining = list(expected)
    unexpected: list[str] = []
    for finding in comparison.findings:
        match = next(
            (
                e
                for e in remaining
                if e[0] == finding.code
                and e[1] == finding.mock_location
                and e[2] in finding.message
            ),
            None,
        )
        if match is None:
            unexpected.append(
                f"unexpected {finding.code} at {finding.mock_location}: {finding.message}"
            )
        else:
            remaining.remove(match)
    return unexpected + [f"missing {e}" for e in remaining]


# --- documents -------------------------------------------------------------------------------


def oas(
    paths: Mapping[str, Any],
    schemas: Mapping[str, Any] | None = None,
    version: str = "3.0.3",
    **extra: Any,
) -> dict[str, Any]:
    """An OpenAPI 3 document."""
    document: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "Products", "version": "1.0.0"},
        "paths": dict(paths),
    }
    if schemas:
        document["components"] = {"schemas": dict(schemas)}
    for key, value in extra.items():
        if key == "security_schemes":
            document.setdefault("components", {})["securitySchemes"] = value
        elif key == "info":
            document["info"].update(value)
        else:
            document[key] = value
    return document


def oas31(
    paths: Mapping[str, Any], schemas: Mapping[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """An OpenAPI 3.1 document."""
    return oas(paths, schemas, version="3.1.0", **extra)


def json_response(schema: Any, description: str = "ok") -> dict[str, Any]:
    """A response with one ``application/json`` schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def get(schema: Any, *, parameters: list[Any] | None = None, status: str = "200") -> dict[str, Any]:
    """A GET operation answering ``status`` with a JSON ``schema``."""
    operation: dict[str, Any] = {"responses": {status: json_response(schema)}}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def path_param(name: str, schema: Any) -> dict[str, Any]:
    """A required path parameter."""
    return {"name": name, "in": "path", "required": True, "schema": schema}


def ref(name: str) -> dict[str, str]:
    """``{"$ref": "#/components/schemas/<name>"}``."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    """An object schema."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741 - a schema, read as "integer"
N = {"type": "number"}
B = {"type": "boolean"}


# --- pacts -------------------------------------------------------------------------------------


@dataclass
class Http:
    """An HTTP interaction before it is written in a pact version's syntax."""

    method: str
    path: str
    status: int = 200
    query: dict[str, list[str]] = field(default_factory=dict)
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: Any = None
    response_headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "application/json"}
    )
    response_body: Any = None
    description: str = ""
    states: tuple[str, ...] = ()

    def title(self) -> str:
        return self.description or f"{self.method} {self.path} -> {self.status}"


def _v3_side(headers: dict[str, str], body: Any) -> dict[str, Any]:
    side: dict[str, Any] = {}
    if headers:
        side["headers"] = dict(headers)
    if body is not None:
        side["body"] = body
    return side


def v2(*interactions: Http) -> dict[str, Any]:
    """A V2 pact: query strings, ``providerState``."""
    written = []
    for i in interactions:
        request = {
            "method": i.method,
            "path": i.path,
            **_v3_side(i.request_headers, i.request_body),
        }
        if i.query:
            request["query"] = urlencode([(k, v) for k, vs in i.query.items() for v in vs])
        entry: dict[str, Any] = {
            "description": i.title(),
            "request": request,
            "response": {"status": i.status, **_v3_side(i.response_headers, i.response_body)},
        }
        if i.states:
            entry["providerState"] = i.states[0]
        written.append(entry)
    return _pact(written, "2.0.0")


def v3(*interactions: Http) -> dict[str, Any]:
    """A V3 pact: queries as maps of lists, ``providerStates``."""
    written = []
    for i in interactions:
        request = {
            "method": i.method,
            "path": i.path,
            **_v3_side(i.request_headers, i.request_body),
        }
        if i.query:
            request["query"] = {k: list(v) for k, v in i.query.items()}
        entry: dict[str, Any] = {
            "description": i.title(),
            "providerStates": [{"name": s} for s in i.states],
            "request": request,
            "response": {"status": i.status, **_v3_side(i.response_headers, i.response_body)},
        }
        written.append(entry)
    return _pact(written, "3.0.0")


def _v4_side(headers: dict[str, str], body: Any) -> dict[str, Any]:
    side: dict[str, Any] = {}
    if headers:
        side["headers"] = {k: [v] for k, v in headers.items()}
    if body is not None:
        content_type = next(
            (v for k, v in headers.items() if k.lower() == "content-type"), "application/json"
        )
        side["body"] = {"content": body, "contentType": content_type, "encoded": False}
    return side


def v4(*interactions: Http | dict[str, Any]) -> dict[str, Any]:
    """A V4 pact: typed interactions, bodies as ``{content, contentType, encoded}``, header
    values as lists (dicts are written as given, e.g. messages)."""
    written: list[Any] = []
    for i in interactions:
        if isinstance(i, dict):
            written.append(i)
            continue
        request = {
            "method": i.method,
            "path": i.path,
            **_v4_side(i.request_headers, i.request_body),
        }
        if i.query:
            request["query"] = {k: list(v) for k, v in i.query.items()}
        written.append(
            {
                "type": "Synchronous/HTTP",
                "description": i.title(),
                "providerStates": [{"name": s} for s in i.states],
                "request": request,
                "response": {"status": i.status, **_v4_side(i.response_headers, i.response_body)},
            }
        )
    return _pact(written, "4.0")


def _pact(interactions: list[Any], version: str) -> dict[str, Any]:
    return {
        "consumer": {"name": "Web"},
        "provider": {"name": "Products"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": version}},
    }
