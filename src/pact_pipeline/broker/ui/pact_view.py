"""A pact document as a view model for the "pact as documentation" page.

Pure, and tolerant: a pact is user data, so malformed shapes never raise. Covers V1/V2
(``providerState``, query strings, matching rules by JSON path), V3 (``providerStates`` with
``params``, rules and generators by category, message pacts' ``messages`` with ``contents``
and ``metaData``) and V4 (typed ``interactions``: ``Synchronous/HTTP``,
``Asynchronous/Messages``, ``Synchronous/Messages``; bodies as
``content``/``contentType``/``encoded``; ``key``, ``pending``, ``comments``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

HTTP = "HTTP"
ASYNC_MESSAGE = "Asynchronous message"
SYNC_MESSAGE = "Synchronous message"
_V4_KINDS = {
    "Synchronous/HTTP": HTTP,
    "Asynchronous/Messages": ASYNC_MESSAGE,
    "Synchronous/Messages": SYNC_MESSAGE,
}
#: How deep nested metadata, matchers and diffs are followed before a value is shown whole.
MAX_DEPTH = 24
_BODY_KEYS = frozenset({"content", "contentType", "encoded", "contentTypeHint"})
_QUERY_SAFE = "/:,;@$!*'()[]{}|~"


@dataclass(frozen=True)
class ProviderState:
    """A provider state an interaction is given; V2's single ``providerState`` becomes one."""

    name: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Part:
    """An HTTP request or response, or a message (whose metadata are shown as headers)."""

    title: str
    summary: str
    headers: list[tuple[str, str]]
    body: str | None
    content_type: str | None
    matching_rules: list[tuple[str, str]]
    generators: list[tuple[str, str]]


@dataclass(frozen=True)
class InteractionView:
    """One interaction: an HTTP exchange, an asynchronous or a synchronous message."""

    key: str
    kind: str
    description: str
    states: list[ProviderState]
    parts: list[Part]
    pending: bool
    comments: list[str]


@dataclass(frozen=True)
class PactView:
    """A whole pact, ready to render."""

    consumer: str
    provider: str
    specification: str
    interactions: list[InteractionView]
    metadata: list[tuple[str, str]]


@dataclass(frozen=True)
class JsonValue:
    """A body or a message's contents inside a comparable tree: a diff walks it from ``$``."""

    value: Any


@dataclass(frozen=True)
class ComparableInteraction:
    """An interaction's view, its V4 ``key`` (if any) and a version-neutral tree to diff."""

    view: InteractionView
    key: str | None
    tree: dict[str, Any]


@dataclass(frozen=True)
class _Body:
    display: str | None
    content_type: str | None
    value: JsonValue | None


def pact_view(document: Mapping[str, Any]) -> PactView:
    """The view of a pact document; never raises, whatever the document holds."""
    doc = _mapping(document)
    interactions = [entry.view for entry in comparable_interactions(doc)]
    metadata = list(_flatten(doc.get("metadata"), "", 0))
    parties = _party(doc.get("consumer")), _party(doc.get("provider"))
    return PactView(*parties, specification_version(doc), interactions, metadata)


def specification_version(document: Mapping[str, Any]) -> str:
    """The pact's specification version from its metadata, or ``"unknown"``."""
    metadata = _mapping(_mapping(document).get("metadata"))
    for key in ("pactSpecification", "pact-specification"):
        entry = metadata.get(key)
        version = _text(_mapping(entry).get("version")) or _text(entry)
        if version:
            return version
    return _text(metadata.get("pactSpecificationVersion")) or "unknown"


def comparable_interactions(document: Mapping[str, Any]) -> list[ComparableInteraction]:
    """Every interaction (``interactions``, then V3 ``messages``) in document order."""
    doc = _mapping(document)
    v4 = specification_version(doc).startswith("4")
    entries = [(raw, False) for raw in _list(doc.get("interactions"))]
    entries += [(raw, True) for raw in _list(doc.get("messages"))]
    return [
        _interaction(raw, index, is_message=is_message, v4=v4)
        for index, (raw, is_message) in enumerate(entries)
        if isinstance(raw, Mapping)
    ]


def provider_states(interaction: Mapping[str, Any]) -> list[ProviderState]:
    """The states an interaction is given: V1/V2 ``providerState`` and V3+ ``providerStates``."""
    states: list[ProviderState] = []
    for key in ("providerState", "provider_state"):
        name = _text(interaction.get(key))
        if name:
            states.append(ProviderState(name, {}))
    for item in _list(interaction.get("providerStates")):
        if isinstance(item, Mapping):
            params = {str(k): v for k, v in _mapping(item.get("params")).items()}
            states.append(ProviderState(_text(item.get("name")) or "", params))
        elif (name := _text(item)) is not None:
            states.append(ProviderState(name, {}))
    return states


def _interaction(
    raw: Mapping[str, Any], index: int, *, is_message: bool, v4: bool
) -> ComparableInteraction:
    type_name = _text(raw.get("type"))
    kind = _kind(raw, type_name, is_message=is_message)
    description = _text(raw.get("description")) or ""
    states = provider_states(raw)
    parts, sections = _sections(raw, kind, v4=v4 or type_name is not None)
    comments = _comments(raw.get("comments"))
    explicit_key = _text(raw.get("key")) or None
    key = explicit_key or _slug(description, states, index)
    pending = raw.get("pending") is True
    view = InteractionView(key, kind, description, states, parts, pending, comments)
    tree: dict[str, Any] = {
        "description": description,
        "providerStates": [{"name": s.name, "params": s.params} for s in states],
        "pending": view.pending,
        **sections,
        "comments": comments,
    }
    return ComparableInteraction(view=view, key=explicit_key, tree=tree)


def _kind(raw: Mapping[str, Any], type_name: str | None, *, is_message: bool) -> str:
    if type_name:
        return _V4_KINDS.get(type_name, type_name)
    looks_like_message = "request" not in raw and "response" not in raw and "contents" in raw
    return ASYNC_MESSAGE if is_message or looks_like_message else HTTP


def _sections(raw: Mapping[str, Any], kind: str, *, v4: bool) -> tuple[list[Part], dict[str, Any]]:
    if kind == ASYNC_MESSAGE:
        part, tree = _message("Message", raw, v4=v4)
        return [part], tree
    if kind == SYNC_MESSAGE or (kind != HTTP and isinstance(raw.get("response"), list)):
        return _sync_message(raw, v4=v4)
    if kind == HTTP or "request" in raw or "response" in raw:
        request, request_tree = _http_request(raw.get("request"), v4=v4)
        response, response_tree = _http_response(raw.get("response"), v4=v4)
        return [request, response], {"request": request_tree, "response": response_tree}
    part, tree = _message("Message", raw, v4=v4)
    return [part], tree


def _http_request(raw: Any, *, v4: bool) -> tuple[Part, dict[str, Any]]:
    request = _mapping(raw)
    method = (_text(request.get("method")) or "?").upper()
    path = _text(request.get("path")) or "/"
    query = _query(request.get("query"))
    headers = _headers(request.get("headers"))
    body = _body(request, "body", v4=v4, content_type=_lookup(headers, "content-type"))
    summary = f"{method} {path}"
    if query:
        summary += "?" + urlencode(query, doseq=True, safe=_QUERY_SAFE, quote_via=quote)
    query_values = {name: ", ".join(values) for name, values in query.items()}
    fields = {"method": method, "path": path, "query": query_values}
    return _part("Request", summary, request, fields, headers, body, message=False)


def _http_response(raw: Any, *, v4: bool) -> tuple[Part, dict[str, Any]]:
    response = _mapping(raw)
    status = response.get("status")
    headers = _headers(response.get("headers"))
    body = _body(response, "body", v4=v4, content_type=_lookup(headers, "content-type"))
    return _part(
        "Response", _text(status) or "?", response, {"status": status}, headers, body, message=False
    )


def _sync_message(raw: Mapping[str, Any], *, v4: bool) -> tuple[list[Part], dict[str, Any]]:
    request, request_tree = _message("Request message", raw.get("request"), v4=v4)
    response_raw = raw.get("response")
    responses = [response_raw] if isinstance(response_raw, Mapping) else _list(response_raw)
    titles = [f"Response message {n}" for n in range(1, len(responses) + 1)]
    if len(titles) == 1:
        titles = ["Response message"]
    built = [_message(title, item, v4=v4) for title, item in zip(titles, responses, strict=True)]
    trees = {"request": request_tree, "response": [tree for _, tree in built]}
    return [request, *(part for part, _ in built)], trees


def _message(title: str, raw: Any, *, v4: bool) -> tuple[Part, dict[str, Any]]:
    message = _mapping(raw)
    metadata = _headers(message.get("metadata", message.get("metaData")))
    content_type = _lookup(metadata, "contenttype", "content-type")
    body = _body(message, "contents", v4=v4, content_type=content_type)
    summary = f"{body.content_type} message" if body.content_type else "message"
    return _part(title, summary, message, {}, metadata, body, message=True)


def _part(
    title: str,
    summary: str,
    raw: Mapping[str, Any],
    fields: dict[str, Any],
    headers: dict[str, str],
    body: _Body,
    *,
    message: bool,
) -> tuple[Part, dict[str, Any]]:
    rules = describe_matching_rules(raw.get("matchingRules"))
    generators = describe_generators(raw.get("generators"))
    items = list(headers.items())
    part = Part(title, summary, items, body.display, body.content_type, rules, generators)
    tree = {
        **fields,
        "metadata" if message else "headers": headers,
        "contents" if message else "body": body.value,
        "matchingRules": dict(rules),
        "generators": dict(generators),
    }
    return part, {key: value for key, value in tree.items() if value is not None}


def _body(container: Mapping[str, Any], key: str, *, v4: bool, content_type: str | None) -> _Body:
    if key not in container:
        return _Body(None, content_type, None)
    raw = container[key]
    if v4 and isinstance(raw, Mapping) and raw and set(raw) <= _BODY_KEYS:
        declared = _text(raw.get("contentType")) or content_type
        if "content" not in raw:
            return _Body(None, declared, None)
        return _decoded(raw.get("content"), raw.get("encoded"), declared)
    return _Body(_display(raw), content_type, JsonValue(raw))


def _decoded(content: Any, encoded: Any, content_type: str | None) -> _Body:
    encoding = _text(encoded) or "false"
    if encoding.lower() in ("false", "", "0"):
        return _Body(_display(content), content_type, JsonValue(content))
    if encoding.lower() == "json" and isinstance(content, str):
        try:
            parsed = json.loads(content)
        except (ValueError, RecursionError):
            parsed = content
        return _Body(_display(parsed), content_type, JsonValue(parsed))
    if isinstance(content, str):
        try:
            size = len(base64.b64decode(content, validate=True))
        except (binascii.Error, ValueError):
            size = len(content.encode(errors="replace"))
    else:
        size = len(json_text(content).encode())
    shown = f"(encoded: {content_type or 'unknown content type'}, {size} bytes)"
    return _Body(shown, content_type, JsonValue(content))


def describe_matching_rules(raw: Any) -> list[tuple[str, str]]:
    """Matching rules as ``(path, words)``: V2's JSON paths and V3/V4's categories alike."""
    return _by_path(raw, _is_rule, _describe_rule)


def describe_generators(raw: Any) -> list[tuple[str, str]]:
    """Generators as ``(path, words)``, e.g. ``("$.body.id", "RandomInt (min=1, max=9)")``."""
    return _by_path(raw, _is_generator, _describe_generator)


def _by_path(
    raw: Any, single: Callable[[Any], bool], describe: Callable[[Any], str]
) -> list[tuple[str, str]]:
    described: list[tuple[str, str]] = []
    for category, value in _items(raw):
        if category.startswith("$"):  # V2: a JSON path such as "$.body.id"
            described.append((_v2_path(category), describe(value)))
        elif single(value):  # a category with one entry: "path", "status"
            described.append((_category_path(category, ""), describe(value)))
        elif isinstance(value, Mapping):
            described.extend((_category_path(category, k), describe(v)) for k, v in _items(value))
        else:
            described.append((_category_path(category, ""), short(value)))
    return described


def describe_matcher(matcher: Any, depth: int = 0) -> str:
    """One matcher in words: ``type``, ``min 1 (type)``, ``regex ^a+$``, ``date yyyy-MM-dd``…"""
    if not isinstance(matcher, Mapping):
        return short(matcher)
    if depth > MAX_DEPTH:
        return "…"
    kind = _text(matcher.get("match"))
    if kind is None:
        bounded = "min" in matcher or "max" in matcher
        kind = "regex" if "regex" in matcher else "type" if bounded else "matcher"
    if kind in ("type", "min", "max"):
        bounds = [f"{b} {short(matcher[b])}" for b in ("min", "max") if b in matcher]
        return f"{', '.join(bounds)} (type)" if bounds else "type"
    if kind == "regex":
        return f"regex {scalar_text(matcher.get('regex'))}"
    if kind in ("date", "time", "timestamp", "datetime"):
        form = matcher.get("format", matcher.get(kind))
        return f"{kind} {scalar_text(form)}" if form is not None else kind
    if kind == "include":
        return f"include '{short(matcher.get('value'))}'"
    if kind in ("eachKey", "eachValue"):
        inner = " and ".join(describe_matcher(r, depth + 1) for r in _list(matcher.get("rules")))
        return f"{kind} ({inner})" if inner else kind
    if kind == "arrayContains":
        return f"arrayContains ({len(_list(matcher.get('variants')))} variants)"
    extras = ", ".join(f"{k}={short(v)}" for k, v in _items(matcher) if k != "match")
    return f"{kind} ({extras})" if extras else kind


def _describe_rule(rule: Any) -> str:
    matchers: list[Any]
    if isinstance(rule, Mapping) and "matchers" in rule:
        matchers = _list(rule.get("matchers"))
        combine = (_text(rule.get("combine")) or "AND").lower()
    else:
        matchers = _list(rule) if isinstance(rule, list) else [rule]
        combine = "and"
    texts = [describe_matcher(matcher) for matcher in matchers]
    return f" {combine} ".join(texts) if texts else "(no matchers)"


def _describe_generator(generator: Any) -> str:
    if not isinstance(generator, Mapping):
        return short(generator)
    kind = _text(generator.get("type")) or "generator"
    if kind == "ProviderState" and "expression" in generator:
        return f"ProviderState {scalar_text(generator.get('expression'))}"
    extras = ", ".join(f"{k}={short(v)}" for k, v in _items(generator) if k != "type")
    return f"{kind} ({extras})" if extras else kind


def _is_rule(value: Any) -> bool:
    keys = ("matchers", "match", "regex")
    return isinstance(value, list) or (isinstance(value, Mapping) and any(k in value for k in keys))


def _is_generator(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("type"), str)


def _category_path(category: str, sub: str) -> str:
    if category == "body":
        if sub.startswith("$"):
            return "$.body" + sub[1:]
        return f"$.body.{sub}" if sub else "$.body"
    prefix = {"headers": "header", "metaData": "metadata"}.get(category, category)
    return f"{prefix}.{sub}" if sub else prefix


def _v2_path(path: str) -> str:
    for old, new in (("$.headers.", "header."), ("$.header.", "header."), ("$.query.", "query.")):
        if path.startswith(old):
            return new + path[len(old) :]
    return "path" if path == "$.path" else path


def _comments(raw: Any) -> list[str]:
    if not isinstance(raw, Mapping):
        items = raw if isinstance(raw, list) else [] if raw is None else [raw]
        return [short(item, 500) for item in items]
    comments: list[str] = []
    for key, value in _items(raw):
        if key == "text":
            comments.extend(map(scalar_text, value if isinstance(value, list) else [value]))
        else:
            name = "test" if key == "testname" else key
            comments.append(f"{name}: {short(value, 500)}")
    return comments


def _slug(description: str, states: list[ProviderState], index: int) -> str:
    words = " ".join([description, *(state.name for state in states)]).lower()
    slug = re.sub(r"[\W_]+", "-", words).strip("-")[:80].strip("-")
    return f"{slug or 'interaction'}-{index}"


def _flatten(value: Any, prefix: str, depth: int) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping) and value and depth < MAX_DEPTH:
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key), depth + 1)
    elif prefix:
        yield prefix, short(value, 200)


def _party(value: Any) -> str:
    return _text(_mapping(value).get("name")) or _text(value) or "unknown"


def _query(raw: Any) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    if isinstance(raw, str):
        for name, value in parse_qsl(raw.lstrip("?"), keep_blank_values=True):
            query.setdefault(name, []).append(value)
    for name, values in _items(raw):
        items = _list(values) if isinstance(values, list) else [values]
        query[name] = [scalar_text(item) for item in items]
    return query


def _headers(raw: Any) -> dict[str, str]:
    return {name: _joined(value) for name, value in _items(raw)}


def _joined(value: Any) -> str:
    return ", ".join(map(scalar_text, value)) if isinstance(value, list) else scalar_text(value)


def _lookup(headers: Mapping[str, str], *names: str) -> str | None:
    return next((value for name, value in headers.items() if name.lower() in names and value), None)


def _display(value: Any) -> str:
    return value if isinstance(value, str) else json_text(value, indent=2)


def json_text(value: Any, indent: int | None = None) -> str:
    """``value`` as JSON text, or a placeholder if it cannot be."""
    try:
        return json.dumps(value, indent=indent, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):  # odd keys, huge numbers, deep nesting
        return "(unprintable value)"


def scalar_text(value: Any) -> str:
    """A value as display text: strings as they are, everything else as JSON."""
    text = _text(value)
    return json_text(value) if text is None else text


def short(value: Any, limit: int = 60) -> str:
    """``scalar_text`` cut to ``limit`` characters, ending in "…" if it was longer."""
    text = scalar_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value.bit_length() > 14_000:  # beyond int-to-str's limit
        return "(number too large)"
    return str(value) if isinstance(value, int | float) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _items(value: Any) -> list[tuple[str, Any]]:
    return [(str(key), item) for key, item in _mapping(value).items()]
