"""JSON pointers into a contract document (RFC 6901), and PactFlow's dotted locations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

MISSING = object()


def escape(segment: str) -> str:
    """One pointer segment: ``~`` as ``~0`` and ``/`` as ``~1``."""
    return segment.replace("~", "~0").replace("/", "~1")


def pointer(*segments: str | int) -> str:
    """``pointer("paths", "/a", "get")`` is ``/paths/~1a/get``."""
    return "".join(f"/{escape(str(s))}" for s in segments)


def resolve(document: Any, ref: str) -> Any:
    """The node a local ``$ref`` (``#/components/schemas/X``) names, or ``MISSING``."""
    if not ref.startswith("#"):
        return MISSING
    node = document
    text = unquote(ref[1:])
    if not text:
        return node
    for raw in text.lstrip("/").split("/"):
        segment = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and segment in node:
            node = node[segment]
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        else:
            return MISSING
    return node


def follow(document: Any, node: Any, pointer_now: str, limit: int = 32) -> tuple[Any, str]:
    """Follow a chain of ``$ref`` objects (parameters, responses, request bodies) to the
    object they name, with the pointer where it lives; stops at a missing target."""
    for _ in range(limit):
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            break
        ref = node["$ref"]
        target = resolve(document, ref)
        if target is MISSING:
            break
        node, pointer_now = target, unquote(ref[1:])
    return node, pointer_now


def dotted(base: str, parts: Iterable[str | int]) -> str:
    """PactFlow's locations: ``[root].interactions[0].response.body`` + ``.items.0.name``."""
    return base + "".join(f".{p}" for p in parts)
