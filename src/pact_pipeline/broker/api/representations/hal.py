"""The small pieces every representation is made of: links, times, and dropped Nones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

JSONDict = dict[str, Any]


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def compact(data: JSONDict) -> JSONDict:
    """Drop None values, as the Ruby decorators do."""
    return {k: v for k, v in data.items() if v is not None}


def link(
    href: str, *, title: str | None = None, name: str | None = None, templated: bool = False
) -> JSONDict:
    result: JSONDict = {"href": href}
    if title is not None:
        result["title"] = title
    if name is not None:
        result["name"] = name
    if templated:
        result["templated"] = True
    return result


def display_name(name: str) -> str:
    """A name for people, as the Ruby broker derives it: words split on ``-`` and ``_``,
    each capitalised."""
    words = name.replace("-", " ").replace("_", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or name
