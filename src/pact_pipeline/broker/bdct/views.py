"""The two views of a contract's schemas that pacts are validated against.

Every schema is validated by one JSON Schema 2020-12 validator (openapi-schema-validator's
``OAS31Validator``), whatever the document's version: OpenAPI 3.0 and Swagger 2.0 schemas are
first rewritten into 2020-12 (``nullable``/``x-nullable`` become a ``"null"`` type, boolean
``exclusiveMinimum``/``exclusiveMaximum`` become numbers, siblings of ``$ref`` are dropped as
3.0 says). One dialect means one set of messages, and 2020-12's ``unevaluatedProperties`` is
what makes ``allOf`` closable (3.0's draft-4 dialect has no such keyword).

* The **request view** is the schemas as written: a consumer may send more than the
  provider reads, and must send what it requires (read-only properties are not required).
* The **response view** is "closed", as PactFlow's transformation: a consumer may read less
  than the provider sends, never more. Object schemas get ``additionalProperties: false``;
  ``required`` is removed except where ``oneOf`` needs it to tell branches apart (plus the
  discriminator's property); an ``allOf`` composite gets ``unevaluatedProperties: false``
  and its parts stay open, so together they act as one schema. A component used both alone
  and as an ``allOf`` part gets an open copy under ``x-bdct-open`` for the latter. When the
  parts are plain objects, the composite instead lists every name they declare and gets
  ``additionalProperties: false``: the same verdict, without jsonschema validating each
  part twice to collect annotations (it is most of the cost of a large body).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from pact_pipeline.broker.bdct.pointers import MISSING, escape, resolve

OPEN_KEY = "x-bdct-open"
#: Keywords whose values are maps of name → schema.
SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
#: Keywords whose values are one schema that describes part of the same instance.
NESTED = ("additionalProperties", "unevaluatedProperties", "items", "contains")
#: Keywords where closing would change the meaning (a negation, a condition, names only).
AS_WRITTEN = ("not", "if", "propertyNames", "contentSchema")
COMPOSITIONS = ("allOf", "oneOf", "anyOf")
#: Keywords that let an ``allOf`` part evaluate names its ``properties`` do not list.
UNSAFE_PARTS = frozenset(
    {"oneOf", "anyOf", "if", "then", "else", "patternProperties", "additionalProperties"}
    | {"unevaluatedProperties", "dependentSchemas", "$dynamicRef", "$recursiveRef"}
)
#: Marks a closed ``allOf`` composite, so that its extra names are reported as PactFlow
#: reports them ("must NOT have unevaluated properties").
ALL_OF_MARK = "x-bdct-all-of"


def request_view(document: Mapping[str, Any], legacy: bool) -> dict[str, Any]:
    """The document with every schema in 2020-12, as written."""
    return _Transformer(document, legacy, closing=False).document()


def response_view(document: Mapping[str, Any], legacy: bool) -> dict[str, Any]:
    """The document with every schema in 2020-12 and closed (see the module's docstring)."""
    return _Transformer(document, legacy, closing=True).document()


class _Transformer:
    def __init__(self, source: Mapping[str, Any], legacy: bool, *, closing: bool) -> None:
        self.source = source
        self.legacy = legacy
        self.closing = closing
        self.open_refs: dict[str, str] = {}
        self.open_schemas: dict[str, Any] = {}

    def document(self) -> dict[str, Any]:
        result = copy.deepcopy(dict(self.source))
        for container, key in list(schema_positions(result)):
            container[key] = self.schema(container[key], open_top=False)
        if self.open_schemas:
            result[OPEN_KEY] = self.open_schemas
        return result

    def schema(self, node: Any, *, open_top: bool) -> Any:
        """``node`` rewritten; ``open_top`` leaves this level open (an ``allOf`` part)."""
        if not isinstance(node, Mapping):
            return node
        result = self._dialect(dict(node))
        ref = result.get("$ref")
        if open_top and self.closing and isinstance(ref, str):
            result["$ref"] = self._open_ref(ref)
        composite = "allOf" in result or (
            any(k in result for k in ("oneOf", "anyOf")) and "properties" in result
        )
        self._children(result, open_top=open_top, composite=composite)
        self._discriminate(result)
        if self.closing:
            if not open_top:
                _close(result, self._part_names(result) if composite else None)
            if "oneOf" not in result:
                result.pop("required", None)
                result.pop("dependentRequired", None)
        else:
            _drop_read_only_required(result)
        return result

    def _children(self, result: dict[str, Any], *, open_top: bool, composite: bool) -> None:
        for keyword in SCHEMA_MAPS:
            if isinstance(result.get(keyword), Mapping):
                result[keyword] = {
                    k: self.schema(v, open_top=False) for k, v in result[keyword].items()
                }
        for keyword in NESTED:
            if isinstance(result.get(keyword), Mapping):
                result[keyword] = self.schema(result[keyword], open_top=False)
        if isinstance(result.get("prefixItems"), list):
            result["prefixItems"] = [self.schema(s, open_top=False) for s in result["prefixItems"]]
        for keyword in AS_WRITTEN:
            if isinstance(result.get(keyword), Mapping):
                result[keyword] = _Transformer(self.source, self.legacy, closing=False).schema(
                    result[keyword], open_top=False
                )
        for keyword in COMPOSITIONS:
            if isinstance(result.get(keyword), list):
                parts_open = composite or open_top
                result[keyword] = [self.schema(s, open_top=parts_open) for s in result[keyword]]
        for keyword in ("then", "else"):
            if isinstance(result.get(keyword), Mapping):
                result[keyword] = self.schema(result[keyword], open_top=open_top)

    def _dialect(self, schema: dict[str, Any]) -> dict[str, Any]:
        if not self.legacy:
            return schema
        flags = (schema.pop("nullable", None), schema.pop("x-nullable", None))
        nullable = any(flag is True for flag in flags)
        if isinstance(schema.get("$ref"), str):
            # OpenAPI 3.0 and Swagger ignore a reference's siblings; ``nullable`` is honoured
            # because generators write it there and mean it.
            ref = {"$ref": schema["$ref"]}
            return {"anyOf": [ref, {"type": "null"}]} if nullable else ref
        for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if schema.get(bound) is True and limit in schema:
                schema[bound] = schema.pop(limit)
            elif isinstance(schema.get(bound), bool):
                schema.pop(bound)
        if nullable:
            kind = schema.get("type")
            if isinstance(kind, str):
                schema["type"] = [kind, "null"]
            if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
                schema["enum"] = [*schema["enum"], None]
        return schema

    def _part_names(self, schema: Mapping[str, Any]) -> set[str] | None:
        """The property names an ``allOf`` composite's parts declare, or None when a part
        could evaluate names some other way (patterns, conditions, alternatives...)."""
        names: set[str] = set()
        pending: list[Any] = [schema]
        seen: set[int] = set()
        while pending:
            node = self._target(pending.pop())
            if node is True or id(node) in seen:
                continue
            if not isinstance(node, Mapping):
                return None
            seen.add(id(node))
            if any(k in node for k in UNSAFE_PARTS) or node.get("x-bdct-pending"):
                return None
            properties = node.get("properties")
            names.update(properties if isinstance(properties, Mapping) else ())
            parts = node.get("allOf")
            pending += parts if isinstance(parts, list) else []
        return names

    def _target(self, node: Any) -> Any:
        for _ in range(32):
            ref = node.get("$ref") if isinstance(node, Mapping) else None
            if not isinstance(ref, str):
                return node
            prefix = f"#/{OPEN_KEY}/"
            if ref.startswith(prefix):
                key = ref[len(prefix) :].replace("~1", "/").replace("~0", "~")
                node = self.open_schemas.get(key)
            else:
                node = resolve(self.source, ref)
        return None

    def _discriminate(self, schema: dict[str, Any]) -> None:
        """A discriminator's property is required, and an explicit ``mapping`` narrows each
        referenced branch to the values that select it (PactFlow on-prem 2.2 added this)."""
        discriminator = schema.get("discriminator")
        if not (isinstance(discriminator, Mapping) and isinstance(schema.get("oneOf"), list)):
            return
        name = discriminator.get("propertyName")
        if not isinstance(name, str):
            return
        required = schema.get("required")
        schema["required"] = [*(required if isinstance(required, list) else []), name]
        mapping = discriminator.get("mapping")
        if not isinstance(mapping, Mapping):
            return
        values: dict[str, list[str]] = {}
        for value, target in mapping.items():
            values.setdefault(self._mapping_ref(str(target)), []).append(str(value))
        schema["oneOf"] = [self._narrowed(branch, name, values) for branch in schema["oneOf"]]

    def _mapping_ref(self, target: str) -> str:
        if target.startswith("#"):
            return target
        home = "#/definitions/" if "definitions" in self.source else "#/components/schemas/"
        return home + escape(target)

    def _narrowed(self, branch: Any, name: str, values: dict[str, list[str]]) -> Any:
        if not isinstance(branch, Mapping):
            return branch
        original = next((r for r, v in self.open_refs.items() if v == branch.get("$ref")), None)
        ref = original or branch.get("$ref")
        if not isinstance(ref, str) or ref not in values:
            return branch
        return {**branch, "properties": {name: {"enum": values[ref]}}}

    def _open_ref(self, ref: str) -> str:
        """A reference to an open copy of ``ref``'s target (made once, so cycles end)."""
        if ref in self.open_refs:
            return self.open_refs[ref]
        target = resolve(self.source, ref)
        if target is MISSING:
            return ref
        key = f"{len(self.open_schemas)}-{ref.rsplit('/', 1)[-1]}"
        self.open_refs[ref] = f"#/{OPEN_KEY}/{escape(key)}"
        self.open_schemas[key] = {"x-bdct-pending": True}
        self.open_schemas[key] = self.schema(target, open_top=True)
        return self.open_refs[ref]


def _close(schema: dict[str, Any], names: set[str] | None) -> None:
    """Close one schema. ``names`` are a composite's (every name its parts declare), when
    they can be known without validating; None when it is not a composite or they cannot."""
    composite = "allOf" in schema or (
        any(k in schema for k in ("oneOf", "anyOf")) and "properties" in schema
    )
    if composite:
        if schema.get("additionalProperties", True) is not True or "unevaluatedProperties" in (
            schema
        ):
            return
        if names is None:
            schema.pop("additionalProperties", None)
            schema["unevaluatedProperties"] = False
        else:
            # Same verdict as ``unevaluatedProperties: false`` when the parts are plain
            # objects, and far cheaper: jsonschema validates every part twice for it.
            own = schema.get("properties")
            schema["properties"] = {
                **dict.fromkeys(names, True),
                **(own if isinstance(own, Mapping) else {}),
            }
            schema["additionalProperties"] = False
            schema[ALL_OF_MARK] = True
        return
    if any(k in schema for k in ("oneOf", "anyOf")):
        return  # the branches are closed instead, so each must match on its own
    kind = schema.get("type")
    is_object = kind == "object" or (isinstance(kind, list) and "object" in kind)
    if (is_object or (kind is None and "properties" in schema)) and schema.get(
        "additionalProperties", True
    ) is True:
        schema["additionalProperties"] = False


def _drop_read_only_required(schema: dict[str, Any]) -> None:
    properties = schema.get("properties")
    required = schema.get("required")
    if not (isinstance(properties, Mapping) and isinstance(required, list)):
        return
    read_only = {
        name for name, s in properties.items() if isinstance(s, Mapping) and s.get("readOnly")
    }
    if read_only:
        schema["required"] = [name for name in required if name not in read_only]


def schema_positions(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """Every place an OpenAPI document (3.x shape) holds a schema, as (container, key)."""
    components = _dict(document.get("components"))
    for container in (_dict(components.get("schemas")), _dict(document.get("definitions"))):
        yield from ((container, key) for key in container)
    for name in ("parameters", "headers"):
        for item in _dict(components.get(name)).values():
            yield from _parameter_positions(item)
    for body in _dict(components.get("requestBodies")).values():
        yield from _content_positions(body)
    for response in _dict(components.get("responses")).values():
        yield from _response_positions(response)
    for item in _dict(document.get("paths")).values():
        if not isinstance(item, dict):
            continue
        for parameter in _list(item.get("parameters")):
            yield from _parameter_positions(parameter)
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                yield from _operation_positions(operation)


def _operation_positions(operation: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    for parameter in _list(operation.get("parameters")):
        yield from _parameter_positions(parameter)
    yield from _content_positions(operation.get("requestBody"))
    for response in _dict(operation.get("responses")).values():
        yield from _response_positions(response)


def _response_positions(response: Any) -> Iterator[tuple[dict[str, Any], str]]:
    yield from _content_positions(response)
    for header in _dict(_dict(response).get("headers")).values():
        yield from _parameter_positions(header)


def _parameter_positions(parameter: Any) -> Iterator[tuple[dict[str, Any], str]]:
    if isinstance(parameter, dict) and "schema" in parameter:
        yield parameter, "schema"
    yield from _content_positions(parameter)


def _content_positions(holder: Any) -> Iterator[tuple[dict[str, Any], str]]:
    for media in _dict(_dict(holder).get("content")).values():
        if isinstance(media, dict) and "schema" in media:
            yield media, "schema"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
