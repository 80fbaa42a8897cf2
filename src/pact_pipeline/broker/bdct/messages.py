"""jsonschema's validation errors in ajv's words, which PactFlow's messages end with
(``must be integer``, ``must NOT have additional properties - colour``…)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from pact_pipeline.broker.bdct.views import ALL_OF_MARK

#: For an ``unevaluatedProperties`` error: the names its schema declares anywhere (through
#: ``allOf`` parts and references), or None if unknown.
Declared = Callable[[Mapping[str, Any]], "set[str] | None"]


@dataclass(frozen=True)
class SchemaError:
    """One way a value fails a schema, ready for a finding."""

    message: str
    #: Where in the value (property names and array indexes).
    path: tuple[str | int, ...]
    #: Where in the schema (keywords), relative to the schema's location.
    schema_path: tuple[str | int, ...]
    value: Any


def converted(error: ValidationError, declared: Declared) -> Iterator[SchemaError]:
    """``error`` as findings' material: one per extra property, else one."""
    path = tuple(error.absolute_path)
    schema_path = tuple(error.absolute_schema_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties") and (
        error.validator_value is False
    ):
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        composite = error.validator == "unevaluatedProperties" or schema.get(ALL_OF_MARK)
        kind = "unevaluated" if composite else "additional"
        for name in _extra_names(error, declared):
            yield SchemaError(
                f"must NOT have {kind} properties - {name}",
                (*path, name),
                schema_path,
                _item(error.instance, name),
            )
        return
    yield SchemaError(ajv_message(error, declared), path, schema_path, error.instance)


def _extra_names(error: ValidationError, declared: Declared) -> list[str]:
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties":
        properties = schema.get("properties") or {}
        patterns = list(schema.get("patternProperties") or {})
        return sorted(
            str(name)
            for name in instance
            if name not in properties and not any(re.search(p, str(name)) for p in patterns)
        )
    # jsonschema names the unevaluated properties only in its message (as Python literals).
    match = re.fullmatch(
        r"Unevaluated properties are not allowed \((.*) (?:was|were) unexpected\)",
        error.message,
        re.DOTALL,
    )
    names: list[str] = []
    if match:
        try:
            names = [str(n) for n in ast.literal_eval(f"[{match[1]}]")]
        except (ValueError, SyntaxError):
            names = []
    names = names or sorted(str(name) for name in instance)
    # A part of an ``allOf`` that fails (reported on its own) evaluates nothing, so the
    # names it declares look unevaluated too: only names declared nowhere are extra.
    known = declared(schema)
    return [n for n in names if known is None or n not in known]


def _item(instance: Any, name: str) -> Any:
    return instance.get(name) if isinstance(instance, Mapping) else None


def ajv_message(error: ValidationError, declared: Declared) -> str:
    """jsonschema's error in ajv's words."""
    keyword = str(error.validator)
    expected = error.validator_value
    simple = _SIMPLE.get(keyword)
    if simple is not None:
        return simple.format(value=_listed(expected))
    if keyword == "required":
        missing = re.match(r"^(.*) is a required property$", error.message, re.DOTALL)
        name = _literal(missing[1]) if missing else error.message
        return f"must have required property '{name}'"
    if keyword in ("oneOf", "anyOf"):
        base = "must match exactly one schema in oneOf"
        base = base if keyword == "oneOf" else "must match a schema in anyOf"
        closest = best_match(error.context) if error.context else None
        return f"{base} ({_closest(closest, declared)})" if closest is not None else base
    if keyword == "dependentRequired":
        return f"must have properties {_listed(expected)} when property is present"
    return error.message


def _closest(error: ValidationError, declared: Declared) -> str:
    """Why the branch that came closest failed, so the consumer sees the field."""
    first = next(converted(error, declared), None)
    if first is None:
        return "closest: no branch matches"
    parent = error.parent
    depth = len(parent.absolute_path) if isinstance(parent, ValidationError) else 0
    relative = first.path[depth:]
    if relative and first.message.endswith(f" - {relative[-1]}"):
        relative = relative[:-1]  # the message names the field already
    where = ".".join(str(p) for p in relative)
    return f"closest: {first.message}" + (f" at {where}" if where else "")


_SIMPLE = {
    "type": "must be {value}",
    "enum": "must be equal to one of the allowed values",
    "const": "must be equal to constant",
    "format": 'must match format "{value}"',
    "pattern": 'must match pattern "{value}"',
    "minimum": "must be >= {value}",
    "maximum": "must be <= {value}",
    "exclusiveMinimum": "must be > {value}",
    "exclusiveMaximum": "must be < {value}",
    "multipleOf": "must be multiple of {value}",
    "minLength": "must NOT have fewer than {value} characters",
    "maxLength": "must NOT have more than {value} characters",
    "minItems": "must NOT have fewer than {value} items",
    "maxItems": "must NOT have more than {value} items",
    "uniqueItems": "must NOT have duplicate items",
    "minProperties": "must NOT have fewer than {value} properties",
    "maxProperties": "must NOT have more than {value} properties",
    "not": "must NOT be valid",
    # jsonschema's keyword for a ``false`` schema is None.
    "None": "boolean schema is false",
}


def _listed(value: Any) -> str:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ",".join(str(v) for v in value)
    return str(value)


def _literal(text: str) -> str:
    try:
        return str(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return text
