"""Reading a provider contract: JSON or YAML text into a plain mapping, its OpenAPI version,
and the first problem openapi-spec-validator finds in it.

Text that is not JSON or YAML at all, or not a mapping, raises
[`ContractDocumentError`][]. A mapping that is not a valid OpenAPI document does not: the
problem is kept and reported by every comparison, as PactFlow shows it on the integration.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Mapping
from typing import Any

import yaml
from openapi_spec_validator import (
    OpenAPIV2SpecValidator,
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
)
from referencing.exceptions import Unresolvable

YAML_TYPES = frozenset(
    {"application/yaml", "application/yml", "application/x-yaml", "application/x-yml", "text/yaml"}
    | {"text/x-yaml", "text/yml"}
)
#: Deeper than any real API description, shallow enough for Python's recursion.
MAX_DEPTH = 200
#: YAML aliases can make a small text expand into an enormous tree (a "billion laughs").
MAX_NODES = 2_000_000
VALIDATORS = {
    "2.0": OpenAPIV2SpecValidator,
    "3.0": OpenAPIV30SpecValidator,
    "3.1": OpenAPIV31SpecValidator,
}


class ContractDocumentError(ValueError):
    """The content is not a JSON or YAML mapping; the message says why."""


def load_document(content: str | bytes, content_type: str | None = None) -> dict[str, Any]:
    """Parse ``content`` as JSON or YAML (as ``content_type`` says, else by sniffing) into
    a mapping with string keys and JSON values (YAML dates become ISO strings)."""
    text = _text(content)
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        data = _json(text)
    elif media in YAML_TYPES:
        data = _yaml(text)
    else:
        data = _sniffed(text)
    if not isinstance(data, Mapping):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ContractDocumentError(f"the contract is {kind}, not a mapping of OpenAPI fields")
    cleaned = plain(data, _Budget())
    assert isinstance(cleaned, dict)
    return cleaned


def _text(content: str | bytes) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContractDocumentError(f"the contract is not UTF-8 text: {error}") from None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ContractDocumentError(f"the contract is not valid JSON: {error}") from None


def _yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        reason = str(error).replace("\n", " ")
        raise ContractDocumentError(f"the contract is not valid YAML: {reason}") from None


def _sniffed(text: str) -> Any:
    # JSON is (nearly) YAML, but the JSON parser is faster and its errors clearer.
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            pass
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        reason = str(error).replace("\n", " ")
        raise ContractDocumentError(f"the contract is neither JSON nor YAML: {reason}") from None


class _Budget:
    """Counts the nodes copied so that alias bombs stop early."""

    def __init__(self) -> None:
        self.nodes = 0

    def spend(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ContractDocumentError(f"the contract has more than {MAX_NODES} nodes")


def plain(value: Any, budget: _Budget, depth: int = 0) -> Any:
    """A fresh JSON tree: string keys (YAML's ``200:`` is an int), ISO dates, no shared or
    cyclic nodes (YAML aliases), bounded depth."""
    budget.spend()
    if depth > MAX_DEPTH:
        raise ContractDocumentError(f"the contract nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, Mapping):
        return {_key(k): plain(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v, budget, depth + 1) for v in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, datetime.date):
        return key.isoformat()
    return str(key)


def openapi_version(document: Mapping[str, Any]) -> str | None:
    """``"2.0"``, ``"3.0"`` or ``"3.1"``; None for anything else (including OpenAPI 3.2,
    which PactFlow does not document)."""
    swagger = document.get("swagger")
    if swagger is not None:
        return "2.0" if str(swagger) == "2.0" else None
    version = document.get("openapi")
    if isinstance(version, str):
        for known in ("3.0", "3.1"):
            if version == known or version.startswith(f"{known}."):
                return known
    return None


def first_problem(document: Mapping[str, Any], version: str | None) -> str | None:
    """The first problem with the document as an OpenAPI description, or None."""
    if version is None:
        return (
            "the document is not OpenAPI 3.0, 3.1 or Swagger 2.0 "
            "(no 'openapi: 3.0.x/3.1.x' or 'swagger: \"2.0\"' field)"
        )
    external = next(_external_refs(document, "[root]"), None)
    if external is not None:
        # The spec validator would fetch it over the network; comparisons are pure.
        return f"external $ref is not supported: {external}"
    try:
        error = next(iter(VALIDATORS[version](document).iter_errors()), None)
    except Unresolvable as unresolvable:
        # Its text would quote the whole document; the reference says enough.
        ref = str(unresolvable.ref)
        return f"unresolvable $ref: {'#' + ref if ref.startswith('/') else ref}"
    except (RecursionError, ValueError, TypeError, KeyError, AttributeError) as failure:
        return f"the document could not be checked: {type(failure).__name__}: {failure}"
    if error is None:
        return None
    where = ".".join(str(part) for part in error.path)
    message = str(error.message).strip().split("\n", 1)[0]
    return f"{message} (at [root]{'.' + where if where else ''})"


def _external_refs(node: Any, location: str) -> Iterator[str]:
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            yield f"{ref} (at {location})"
        for key, value in node.items():
            yield from _external_refs(value, f"{location}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _external_refs(value, f"{location}[{index}]")
