"""Path templates to operations: a small router, one regular expression per template.

A request path is matched with its trailing slash and repeated slashes ignored (PactFlow's
defaults), after removing the base path (``info.x-opc-config-base-path``, else Swagger 2.0's
``basePath``; for OpenAPI 3 without the former, the path as it is, as PactFlow matches it,
or without the path of one of the ``servers``' URLs). When several templates
match, literal segments win over templated ones: ``/products/new`` before
``/products/{id}``. The caller tries the candidates in that order, so a template whose
parameters reject the value gives way to the next.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from pact_pipeline.broker.bdct.operations import Operation

_PARAMETER = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True)
class Match:
    """An operation whose template matches a path, and the path parameters' raw values."""

    operation: Operation
    values: dict[str, str]


@dataclass(frozen=True)
class _Template:
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    #: Per segment: 2 literal, 1 mixed (``{id}.json``), 0 a bare parameter.
    rank: tuple[int, ...]
    operations: dict[str, Operation]


class Router:
    """Finds the operations a method and path may mean."""

    def __init__(self, operations: Iterable[Operation], base_paths: Sequence[str] = ("",)) -> None:
        self.base_paths = [clean_path(p) if p.strip("/") else "" for p in base_paths] or [""]
        grouped: dict[str, dict[str, Operation]] = {}
        for operation in operations:
            grouped.setdefault(clean_path(operation.path), {})[operation.method] = operation
        self._templates = sorted(
            (_compile(template, by_method) for template, by_method in grouped.items()),
            key=lambda t: t.rank,
            reverse=True,
        )

    @property
    def operations(self) -> list[Operation]:
        """Every operation routed."""
        return [o for template in self._templates for o in template.operations.values()]

    def candidates(self, method: str, path: str) -> list[Match]:
        """Matching operations for ``method``, most specific template first."""
        cleaned = clean_path(path.split("?", 1)[0])
        found: list[Match] = []
        for relative in self._relative(cleaned):
            found.extend(self._matches(method.lower(), relative, found))
        return found

    def _matches(self, method: str, relative: str, found: list[Match]) -> Iterable[Match]:
        for template in self._templates:
            operation = template.operations.get(method)
            if operation is None or any(m.operation is operation for m in found):
                continue
            matched = template.pattern.fullmatch(relative)
            if matched:
                values = {
                    n: unquote(v) for n, v in zip(template.names, matched.groups(), strict=True)
                }
                yield Match(operation, values)

    def _relative(self, path: str) -> list[str]:
        """The path relative to each base path it is under, in the base paths' order."""
        relatives: list[str] = []
        for base in self.base_paths:
            if not base:
                relatives.append(path)
            elif path == base:
                relatives.append("/")
            elif path.startswith(base + "/"):
                relatives.append(path[len(base) :])
        return relatives


def clean_path(path: str) -> str:
    """Leading slash added, repeated and trailing slashes removed."""
    collapsed = re.sub(r"/{2,}", "/", "/" + path.strip())
    return collapsed.rstrip("/") or "/"


def _compile(template: str, operations: dict[str, Operation]) -> _Template:
    names: list[str] = []
    parts: list[str] = []
    rank: list[int] = []
    for segment in template.split("/")[1:]:
        pieces = _PARAMETER.split(segment)
        literal = "".join(pieces[0::2])
        regex = ""
        for index, piece in enumerate(pieces):
            if index % 2:
                names.append(piece)
                regex += "([^/]+?)" if literal else "([^/]+)"
            else:
                regex += re.escape(piece)
        parts.append(regex)
        rank.append(2 if len(pieces) == 1 else (1 if literal else 0))
    pattern = re.compile("/" + "/".join(parts) if parts else "/")
    return _Template(pattern, tuple(names), tuple(rank), operations)
