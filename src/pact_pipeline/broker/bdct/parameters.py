"""Path, query and header parameters, and security requirements.

Parameter values arrive as text (a URL, a header), so before validation they are coerced to
what the schema asks for: ``"10"`` to 10 for an integer, ``"true"`` to True for a boolean,
repeated or separated values to an array. Object-valued parameters (``deepObject``…) are
not validated, as on PactFlow (``no-validate-complex-parameters``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pact_pipeline.broker.bdct.operations import Operation, Parameter
from pact_pipeline.broker.bdct.report import INCOMPATIBLE_VALUE, Report
from pact_pipeline.broker.bdct.validation import View

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
#: OpenAPI says these header parameters are ignored (the media types and security say it).
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


def coerce(text: str, types: list[str]) -> Any:
    """``text`` as the first of ``types`` it can be, else unchanged."""
    if not types or "string" in types:
        return text
    for kind in types:
        if kind == "integer" and _INTEGER.fullmatch(text):
            return int(text)
        if kind == "number" and _NUMBER.fullmatch(text):
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
        if kind == "null" and text in ("", "null"):
            return None
    return text


def parameter_value(view: View, parameter: Parameter, texts: list[str]) -> Any:
    """The values a pact gives a parameter, as the parameter's schema wants them."""
    schema = view.deref(view.node(parameter.schema)) if parameter.schema else None
    types = view.types_of(schema)
    if "array" in types:
        items = (
            view.types_of(view.deref(schema.get("items"))) if isinstance(schema, Mapping) else []
        )
        separated = texts
        if len(texts) == 1 and (not parameter.explode or parameter.separator in texts[0]):
            separated = texts[0].split(parameter.separator) if texts[0] else []
        return [coerce(t, items) for t in separated]
    return coerce(texts[0] if texts else "", types)


def is_complex(view: View, parameter: Parameter) -> bool:
    """An object-valued parameter, which is not validated."""
    schema = view.deref(view.node(parameter.schema)) if parameter.schema else None
    return "object" in view.types_of(schema) or parameter.style == "deepObject"


def path_values_fit(view: View, operation: Operation, values: Mapping[str, str]) -> bool:
    """Whether every path parameter's value fits its schema (else the path is unknown)."""
    for parameter in operation.parameters:
        if parameter.location != "path" or parameter.name not in values or not parameter.schema:
            continue
        if is_complex(view, parameter):
            continue
        value = parameter_value(view, parameter, [values[parameter.name]])
        if view.errors(parameter.schema, value):
            return False
    return True


def check_query(report: Report, view: View) -> None:
    """Declared query parameters validated, required ones present, others warned about."""
    if not report.valid_request:
        return
    query = dict(report.interaction.query)
    for parameter in report.operation.parameters:
        if parameter.location != "query":
            continue
        texts = _take(query, parameter)
        where = f"request.query.{parameter.name}"
        if texts is None:
            if parameter.required:
                message = f"{INCOMPATIBLE_VALUE}: must have required property '{parameter.name}'"
                report.add(
                    "error", "request.query.incompatible", message, where, parameter.spec_location
                )
            continue
        if parameter.schema and not is_complex(view, parameter):
            errors = view.errors(parameter.schema, parameter_value(view, parameter, texts))
            spec = f"{parameter.spec_location}.schema"
            report.schema_errors(
                "request.query.incompatible", INCOMPATIBLE_VALUE, where, spec, errors
            )
    for scheme in _schemes(report.operation):
        if scheme.kind == "apikey" and scheme.location == "query":
            query.pop(scheme.parameter, None)
    for name, values in query.items():
        report.add(
            "warning",
            "request.query.unknown",
            f"Query parameter is not defined in the spec file: {name}",
            f"request.query.{name}",
            report.operation.spec_location,
            values[0] if len(values) == 1 else values,
        )


def _take(query: dict[str, list[str]], parameter: Parameter) -> list[str] | None:
    """Remove and return the parameter's values (``name[key]`` ones too, for objects)."""
    found = query.pop(parameter.name, None)
    nested = [
        k for k in query if k.startswith(f"{parameter.name}[") or k.startswith(f"{parameter.name}.")
    ]
    for key in nested:
        found = [*(found or []), *query.pop(key)]
    return found


def check_header_parameters(report: Report, view: View) -> set[str]:
    """Declared header parameters validated; returns the names (lower-case) declared."""
    declared: set[str] = set()
    headers = report.interaction.request_headers
    for parameter in report.operation.parameters:
        name = parameter.name.lower()
        if parameter.location != "header" or name in IGNORED_HEADERS:
            continue
        declared.add(name)
        value = headers.get(name)
        where = f"request.headers.{name}"
        if not report.valid_request:
            continue
        if value is None:
            if parameter.required:
                message = f"{INCOMPATIBLE_VALUE}: must have required property '{parameter.name}'"
                report.add(
                    "error", "request.header.incompatible", message, where, parameter.spec_location
                )
            continue
        if parameter.schema and not is_complex(view, parameter):
            errors = view.errors(parameter.schema, parameter_value(view, parameter, [value]))
            spec = f"{parameter.spec_location}.schema"
            report.schema_errors(
                "request.header.incompatible", INCOMPATIBLE_VALUE, where, spec, errors
            )
    return declared


def security_headers(operation: Operation) -> set[str]:
    """Headers that carry an API key (not "unknown" headers)."""
    return {
        s.parameter.lower()
        for s in _schemes(operation)
        if s.kind == "apikey" and s.location == "header"
    }


def check_security(report: Report, presence_only: bool) -> None:
    """``request.authorization.missing`` unless some scheme the operation accepts is met.

    As on PactFlow, one met scheme is enough (requirements are not combined with AND), and
    oauth2, openIdConnect, mutualTLS and cookie API keys cannot be checked, so count as met.
    """
    schemes = _schemes(report.operation)
    if not report.valid_request or not schemes:
        return
    interaction = report.interaction
    unmet: dict[str, str] = {}
    for scheme in schemes:
        if scheme.kind == "apikey" and scheme.location == "header":
            met = interaction.request_headers.get(scheme.parameter) is not None
            kind = "header"
        elif scheme.kind == "apikey" and scheme.location == "query":
            met, kind = scheme.parameter in interaction.query, "query"
        elif scheme.kind == "http":
            met, kind = _authorization_met(report, scheme.scheme, presence_only), "header"
        else:
            met, kind = True, "header"
        if met:
            return
        unmet.setdefault(scheme.name, kind)
    for kind in unmet.values():
        report.add(
            "error",
            "request.authorization.missing",
            f"Request Authorization {kind} is missing but is required by the spec file",
            "request.headers" if kind == "header" else "request.query",
            report.operation.spec_location,
            None,
        )


def _authorization_met(report: Report, scheme: str, presence_only: bool) -> bool:
    value = report.interaction.request_headers.get("authorization")
    if value is None:
        return False
    if presence_only or scheme not in ("basic", "bearer"):
        return True
    return value.lower().startswith(f"{scheme} ")


def _schemes(operation: Operation) -> list[Any]:
    seen: dict[str, Any] = {}
    for alternative in operation.security:
        for scheme in alternative:
            seen.setdefault(scheme.name, scheme)
    return list(seen.values())
