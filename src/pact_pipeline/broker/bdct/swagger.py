"""Swagger 2.0 in the shape of OpenAPI 3, so that one set of rules reads both.

Only what the comparison reads changes: each operation's parameters (their own ``type``,
``format``, ``items``… move into a ``schema``), the body and form parameters (into a
``requestBody`` per ``consumes`` type), response schemas (into ``content`` per ``produces``
type), response headers, and ``securityDefinitions`` (as ``components.securitySchemes``).
Everything else stays where it was, so ``#/definitions/X`` references still resolve.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pact_pipeline.broker.bdct.pointers import MISSING, resolve

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DEFAULT_MEDIA = ["application/json"]
#: Fields of a Swagger parameter or header that describe it rather than its value.
NOT_SCHEMA = frozenset(
    {"name", "in", "description", "required", "collectionFormat", "allowEmptyValue"}
)
SEPARATORS = {"csv": ",", "ssv": " ", "tsv": "\t", "pipes": "|"}


def normalize_swagger(document: Mapping[str, Any]) -> dict[str, Any]:
    """The Swagger 2.0 ``document`` as an OpenAPI-3-shaped document (a new mapping)."""
    result = dict(document)
    consumes = _list(document.get("consumes")) or DEFAULT_MEDIA
    produces = _list(document.get("produces")) or DEFAULT_MEDIA
    paths: dict[str, Any] = {}
    for name, item in _mapping(document.get("paths")).items():
        paths[name] = _path_item(document, _mapping(item), consumes, produces)
    result["paths"] = paths
    schemes = {
        name: _security_scheme(_mapping(scheme))
        for name, scheme in _mapping(document.get("securityDefinitions")).items()
    }
    result["components"] = {"securitySchemes": schemes}
    return result


def _path_item(
    document: Mapping[str, Any], item: Mapping[str, Any], consumes: list[str], produces: list[str]
) -> dict[str, Any]:
    converted: dict[str, Any] = {
        "parameters": _parameters(document, item.get("parameters"), "path-item", consumes)[0]
    }
    for method in METHODS:
        operation = item.get(method)
        if isinstance(operation, Mapping):
            converted[method] = _operation(document, operation, consumes, produces)
    return converted


def _operation(
    document: Mapping[str, Any],
    operation: Mapping[str, Any],
    consumes: list[str],
    produces: list[str],
) -> dict[str, Any]:
    converted = dict(operation)
    media_in = _list(operation.get("consumes")) or consumes
    media_out = _list(operation.get("produces")) or produces
    parameters, body = _parameters(document, operation.get("parameters"), "operation", media_in)
    converted["parameters"] = parameters
    if body is not None:
        converted["requestBody"] = body
    converted["responses"] = {
        str(status): _response(document, response, media_out)
        for status, response in _mapping(operation.get("responses")).items()
    }
    return converted


def _parameters(
    document: Mapping[str, Any], raw: Any, where: str, media_in: list[str]
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Non-body parameters in OpenAPI 3's shape, and the request body (from ``in: body``
    or ``in: formData`` parameters) if any."""
    parameters: list[dict[str, Any]] = []
    body: dict[str, Any] | None = None
    form: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    for entry in raw if isinstance(raw, list) else []:
        parameter = _dereferenced(document, entry)
        place = parameter.get("in")
        if place == "body":
            schema = parameter.get("schema", {})
            content = {media: {"schema": schema} for media in media_in}
            body = {"required": bool(parameter.get("required")), "content": content}
        elif place == "formData":
            form["properties"][str(parameter.get("name"))] = _value_schema(parameter)
            if parameter.get("required"):
                form["required"].append(str(parameter.get("name")))
        else:
            parameters.append(_parameter(parameter))
    if form["properties"] and where == "operation":
        types = [m for m in media_in if "form" in m] or ["application/x-www-form-urlencoded"]
        body = {"required": bool(form["required"]), "content": {m: {"schema": form} for m in types}}
    return parameters, body


def _parameter(parameter: Mapping[str, Any]) -> dict[str, Any]:
    collection = parameter.get("collectionFormat", "csv")
    return {
        "name": parameter.get("name"),
        "in": parameter.get("in"),
        "required": bool(parameter.get("required")),
        "schema": _value_schema(parameter),
        "explode": collection == "multi",
        "x-bdct-separator": SEPARATORS.get(str(collection), ","),
    }


def _value_schema(described: Mapping[str, Any]) -> dict[str, Any]:
    schema = {k: v for k, v in described.items() if k not in NOT_SCHEMA}
    if schema.get("type") == "file":
        schema.pop("type")
    return schema


def _response(document: Mapping[str, Any], raw: Any, media_out: list[str]) -> dict[str, Any]:
    response = _dereferenced(document, raw)
    converted: dict[str, Any] = {"description": response.get("description", "")}
    if "schema" in response:
        converted["content"] = {media: {"schema": response["schema"]} for media in media_out}
    headers = _mapping(response.get("headers"))
    if headers:
        converted["headers"] = {
            name: {"schema": _value_schema(_mapping(header))} for name, header in headers.items()
        }
    return converted


def _security_scheme(scheme: Mapping[str, Any]) -> dict[str, Any]:
    if scheme.get("type") == "basic":
        return {"type": "http", "scheme": "basic"}
    return dict(scheme)


def _dereferenced(document: Mapping[str, Any], node: Any) -> Mapping[str, Any]:
    # Parameters and responses are inlined: their references name Swagger-shaped objects.
    for _ in range(32):
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            break
        target = resolve(document, node["$ref"])
        if target is MISSING:
            return {}
        node = target
    return _mapping(node)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
