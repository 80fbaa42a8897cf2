"""The HTTP interactions of a pact (specification 1 to 4), read leniently into one shape.

V2 queries are strings (``a=1&b=2``), V3/V4 queries maps of lists; header values may be
lists (V4) or comma-joined strings; V4 bodies are ``{"content", "contentType", "encoded"}``
and may embed matchers (``{"pact:matcher:type": …, "value": …}``) whose example values are
what is checked. Matching rules are otherwise ignored, as on PactFlow: the OpenAPI schemas
are the rules. Anything that cannot be read as an HTTP interaction is reported, not raised.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

V4_BODY_KEYS = frozenset({"content", "contentType", "encoded", "contentTypeHint"})
HTTP_TYPES = ("Synchronous/HTTP",)


@dataclass(frozen=True)
class Body:
    """A request or response body: its (decoded) value and the type the pact gives it."""

    value: Any
    content_type: str | None = None


@dataclass(frozen=True)
class Headers:
    """Header values by lower-case name, each remembered with the name as the pact spells it."""

    values: dict[str, tuple[str, str]] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        """The value of ``name`` (any case), or None."""
        entry = self.values.get(name.lower())
        return entry[1] if entry else None


@dataclass(frozen=True)
class Interaction:
    """One HTTP interaction, normalized."""

    index: int
    description: str
    state: str
    method: str
    path: str
    query: dict[str, list[str]]
    request_headers: Headers
    request_body: Body | None
    status: int
    response_headers: Headers
    response_body: Body | None


@dataclass(frozen=True)
class Unreadable:
    """An interaction that is not a readable HTTP interaction, and why."""

    index: int
    description: str
    state: str
    reason: str


def interactions(pact: Mapping[str, Any]) -> list[Interaction | Unreadable] | str:
    """The pact's HTTP interactions (messages skipped), or why there are none to read."""
    raw = pact.get("interactions", [])
    if raw is None:
        return []
    if not isinstance(raw, list):
        return "the pact's 'interactions' is not a list"
    v4 = _is_v4(pact)
    found: list[Interaction | Unreadable] = []
    for index, entry in enumerate(raw):
        if isinstance(entry, Mapping) and not _is_http(entry):
            continue
        found.append(_read(index, entry, v4))
    return found


def _is_v4(pact: Mapping[str, Any]) -> bool:
    metadata = pact.get("metadata")
    if not isinstance(metadata, Mapping):
        return False
    for key in ("pactSpecification", "pact-specification"):
        spec = metadata.get(key)
        if isinstance(spec, Mapping) and str(spec.get("version", "")).startswith("4"):
            return True
    return str(metadata.get("pactSpecificationVersion", "")).startswith("4")


def _is_http(entry: Mapping[str, Any]) -> bool:
    kind = entry.get("type")
    return kind is None or kind in HTTP_TYPES


def _read(index: int, entry: Any, v4: bool) -> Interaction | Unreadable:
    if not isinstance(entry, Mapping):
        return Unreadable(index, "", "[none]", "the interaction is not an object")
    description = str(entry.get("description", ""))
    state = provider_state(entry)
    request, response = entry.get("request"), entry.get("response")
    problem = _problem(request, response)
    if problem is not None:
        return Unreadable(index, description, state, problem)
    assert isinstance(request, Mapping) and isinstance(response, Mapping)
    v4 = v4 or "type" in entry
    return Interaction(
        index=index,
        description=description,
        state=state,
        method=str(request["method"]).upper(),
        path=str(request["path"]),
        query=_query(request.get("query")),
        request_headers=_headers(request.get("headers")),
        request_body=_body(request, v4),
        status=int(response["status"]),
        response_headers=_headers(response.get("headers")),
        response_body=_body(response, v4),
    )


def _problem(request: Any, response: Any) -> str | None:
    if not isinstance(request, Mapping):
        return "the interaction has no request"
    if not isinstance(response, Mapping):
        return "the interaction has no response"
    if not isinstance(request.get("method"), str) or not request["method"]:
        return "the request has no method"
    if not isinstance(request.get("path"), str):
        return "the request has no path"
    status = response.get("status")
    if isinstance(status, bool) or not isinstance(status, int | str):
        return "the response has no status"
    if not str(status).isdigit() or not 100 <= int(status) <= 599:
        return f"the response status is not an HTTP status: {status}"
    return None


def provider_state(entry: Mapping[str, Any]) -> str:
    """V3+ ``providerStates`` names joined with ``, ``; V1/V2 ``providerState``; ``[none]``."""
    states = entry.get("providerStates")
    if isinstance(states, list):
        names = [str(s.get("name")) for s in states if isinstance(s, Mapping) and s.get("name")]
        if names:
            return ", ".join(names)
    single = entry.get("providerState", entry.get("provider_state"))
    return str(single) if single else "[none]"


def _query(raw: Any) -> dict[str, list[str]]:
    if isinstance(raw, str):
        query: dict[str, list[str]] = {}
        for name, value in parse_qsl(raw.lstrip("?"), keep_blank_values=True):
            query.setdefault(name, []).append(value)
        return query
    if not isinstance(raw, Mapping):
        return {}
    return {
        str(name): [_text(v) for v in value] if isinstance(value, list) else [_text(value)]
        for name, value in raw.items()
    }


def _headers(raw: Any) -> Headers:
    if not isinstance(raw, Mapping):
        return Headers()
    values: dict[str, tuple[str, str]] = {}
    for name, value in raw.items():
        text = ", ".join(_text(v) for v in value) if isinstance(value, list) else _text(value)
        values[str(name).lower()] = (str(name), text)
    return Headers(values)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _body(side: Mapping[str, Any], v4: bool) -> Body | None:
    if side.get("body") in (None, ""):
        return None  # an empty body is no body (PactFlow checks only bodies it sees)
    raw = side["body"]
    if v4 and isinstance(raw, Mapping) and "content" in raw and set(raw) <= V4_BODY_KEYS:
        content_type = raw.get("contentType")
        kind = str(content_type) if content_type else None
        if raw.get("content") in (None, ""):
            return None
        return Body(_decoded(raw.get("content"), raw.get("encoded"), kind), kind)
    return Body(example(raw))


def _decoded(content: Any, encoded: Any, content_type: str | None) -> Any:
    if isinstance(content, str) and encoded not in (None, False, "false"):
        if str(encoded).lower() == "base64":
            try:
                content = base64.b64decode(content, validate=False).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                return content
        if content_type and _is_json(content_type):
            try:
                return example(json.loads(content))
            except (ValueError, RecursionError):
                return content
    return example(content)


def _is_json(content_type: str) -> bool:
    essence = content_type.split(";", 1)[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


def example(value: Any, depth: int = 0) -> Any:
    """``value`` with V4 matchers (``{"pact:matcher:type": …, "value": example}``) and
    generators replaced by their example values."""
    if depth > 200:
        return value
    if isinstance(value, Mapping):
        if "pact:matcher:type" in value or "pact:generator:type" in value:
            return example(value.get("value"), depth + 1)
        return {k: example(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [example(v, depth + 1) for v in value]
    return value
