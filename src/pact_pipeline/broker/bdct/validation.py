"""Validating pact values against a view's schemas, with messages in PactFlow's (ajv's) words.

Each view is one ``referencing`` resource (the whole transformed document), so ``$ref``
chains such as ``#/components/schemas/X`` resolve wherever they start. A validator is made
once per schema location and kept. Formats are checked: JSON Schema's (``date-time``,
``uuid``, ``email``…) and OpenAPI's (``int32``, ``int64``, ``float``, ``double``, ``byte``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from jsonschema import FormatChecker
from openapi_schema_validator import OAS31Validator, oas30_format_checker, oas31_format_checker
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from pact_pipeline.broker.bdct.messages import SchemaError, converted
from pact_pipeline.broker.bdct.pointers import MISSING, resolve


def _format_checker() -> FormatChecker:
    checker = FormatChecker()
    for source in (oas31_format_checker, oas30_format_checker):
        for name, (function, raises) in source.checkers.items():
            if name not in checker.checkers:
                checker.checks(name, raises)(function)
    return checker


FORMATS = _format_checker()


class View:
    """One transformed document and the validators made from it."""

    def __init__(self, document: Mapping[str, Any], uri: str) -> None:
        self.document = document
        self.uri = uri
        self.registry: Registry[Any] = Registry().with_resource(
            uri, DRAFT202012.create_resource(document)
        )
        self._validators: dict[str, Any] = {}

    def node(self, pointer: str) -> Any:
        """The (transformed) schema at ``pointer``, or None."""
        node = resolve(self.document, "#" + pointer)
        return None if node is MISSING else node

    def deref(self, node: Any) -> Any:
        """``node`` with its ``$ref`` chain followed (None if it leads nowhere)."""
        for _ in range(32):
            if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
                return node
            node = resolve(self.document, node["$ref"])
        return None if node is MISSING else node

    def types_of(self, schema: Any, depth: int = 0) -> list[str]:
        """The JSON types a schema allows, for coercing text from a URL or a header
        (``[]`` when it does not say)."""
        schema = self.deref(schema)
        if not isinstance(schema, Mapping) or depth > 8:
            return []
        kind = schema.get("type")
        if isinstance(kind, str):
            return [kind]
        if isinstance(kind, list):
            return [str(k) for k in kind]
        found: list[str] = []
        for keyword in ("oneOf", "anyOf", "allOf"):
            parts = schema.get(keyword)
            for part in parts if isinstance(parts, list) else ():
                found += [t for t in self.types_of(part, depth + 1) if t not in found]
        return found

    def errors(self, pointer: str, value: Any) -> list[SchemaError]:
        """How ``value`` fails the schema at ``pointer`` (empty when it is valid)."""
        validator = self._validators.get(pointer)
        if validator is None:
            wrapper = {"$ref": f"{self.uri}#{quote(pointer, safe='/~')}"}
            validator = OAS31Validator(wrapper, registry=self.registry, format_checker=FORMATS)
            self._validators[pointer] = validator
        try:
            found = list(validator.iter_errors(value))
        except Unresolvable as error:
            return [SchemaError(f"the schema has an unresolvable $ref: {error.ref}", (), (), value)]
        except RecursionError:
            return [SchemaError("the schema refers to itself without end", (), (), value)]
        return [e for error in found for e in converted(error, self.declared)]

    def declared(self, schema: Mapping[str, Any]) -> set[str] | None:
        """The property names ``schema`` declares, through its compositions and references
        (None when a part allows any name by pattern, so nothing can be ruled out)."""
        names: set[str] = set()
        pending: list[Any] = [schema]
        seen: set[int] = set()
        while pending:
            node = self.deref(pending.pop())
            if not isinstance(node, Mapping) or id(node) in seen:
                continue
            seen.add(id(node))
            if node.get("patternProperties"):
                return None
            properties = node.get("properties")
            names.update(properties if isinstance(properties, Mapping) else ())
            for keyword in ("allOf", "anyOf", "oneOf"):
                parts = node.get(keyword)
                pending += parts if isinstance(parts, list) else []
            pending += [node[k] for k in ("then", "else") if k in node]
        return names


__all__ = ["SchemaError", "View"]
