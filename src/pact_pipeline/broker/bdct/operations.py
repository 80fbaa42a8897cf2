"""A contract's operations, compiled once: parameters, request body, responses, security.

References to parameters, request bodies, responses and headers are followed here; schema
references are left to the validators. Each schema is kept as a pointer into the views
(the same in both, as the views keep the document's structure) and a PactFlow location
(``[root].paths./p.get.responses.200.content.application/json.schema``) for findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pact_pipeline.broker.bdct.pointers import follow, pointer

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Parameter:
    """A path, query, header or cookie parameter (or a response header)."""

    name: str
    location: str
    required: bool
    schema: str | None
    spec_location: str
    explode: bool = True
    separator: str = ","
    style: str = ""


@dataclass(frozen=True)
class Media:
    """One media type of a request body or response, and its schema if it has one."""

    media_type: str
    schema: str | None
    spec_location: str


@dataclass(frozen=True)
class Response:
    """One documented response (a status code, an ``NXX`` range or ``default``)."""

    key: str
    media: tuple[Media, ...]
    headers: tuple[Parameter, ...]
    spec_location: str


@dataclass(frozen=True)
class SecurityScheme:
    """What a security scheme asks of a request."""

    name: str
    kind: str
    location: str = ""
    parameter: str = ""
    scheme: str = ""


@dataclass(frozen=True)
class Operation:
    """One method of one path template."""

    method: str
    path: str
    spec_location: str
    parameters: tuple[Parameter, ...]
    body_required: bool
    body_media: tuple[Media, ...]
    body_location: str
    responses: Mapping[str, Response]
    #: Alternatives, each a list of schemes; empty means no security.
    security: tuple[tuple[SecurityScheme, ...], ...] = field(default_factory=tuple)

    def response_for(self, status: int) -> Response | None:
        """Exact status, then its ``NXX`` range, then ``default`` (PactFlow's order)."""
        return (
            self.responses.get(str(status))
            or self.responses.get(f"{status // 100}XX")
            or self.responses.get(f"{status // 100}xx")
            or self.responses.get("default")
        )

    def produced(self) -> list[str]:
        """Every media type any response of the operation documents."""
        found: list[str] = []
        for response in self.responses.values():
            found += [m.media_type for m in response.media if m.media_type not in found]
        return found


def compile_operations(document: Mapping[str, Any]) -> list[Operation]:
    """Every operation of an OpenAPI-3-shaped document."""
    schemes = _security_schemes(document)
    default_security = document.get("security")
    operations: list[Operation] = []
    paths = document.get("paths")
    for path, item in (paths if isinstance(paths, Mapping) else {}).items():
        if not isinstance(item, Mapping):
            continue
        item, item_pointer = follow(document, item, pointer("paths", path))
        for method in METHODS:
            raw = item.get(method)
            if isinstance(raw, Mapping):
                where = _Where(str(path), method, f"{item_pointer}{pointer(method)}")
                security = raw.get("security", default_security)
                operations.append(_operation(document, item, raw, where, schemes, security))
    return operations


@dataclass(frozen=True)
class _Where:
    path: str
    method: str
    pointer: str

    @property
    def location(self) -> str:
        return f"[root].paths.{self.path}.{self.method}"


def _operation(
    document: Mapping[str, Any],
    item: Mapping[str, Any],
    raw: Mapping[str, Any],
    where: _Where,
    schemes: Mapping[str, SecurityScheme],
    security: Any,
) -> Operation:
    body, body_pointer = follow(
        document, raw.get("requestBody") or {}, f"{where.pointer}/requestBody"
    )
    body_location = f"{where.location}.requestBody.content"
    responses = raw.get("responses")
    return Operation(
        method=where.method,
        path=where.path,
        spec_location=where.location,
        parameters=_parameters(document, item, raw, where),
        body_required=bool(body.get("required")) if isinstance(body, Mapping) else False,
        body_media=_media(body, body_pointer, body_location),
        body_location=body_location,
        responses={
            str(key): _response(document, str(key), value, where)
            for key, value in (responses if isinstance(responses, Mapping) else {}).items()
        },
        security=_requirements(security, schemes),
    )


def _parameters(
    document: Mapping[str, Any], item: Mapping[str, Any], raw: Mapping[str, Any], where: _Where
) -> tuple[Parameter, ...]:
    """Path-level parameters overridden by the operation's (same name and place)."""
    found: dict[tuple[str, str], Parameter] = {}
    item_pointer = where.pointer.rsplit("/", 1)[0]
    sources = ((item, item_pointer, "parameters"), (raw, where.pointer, "parameters"))
    for holder, holder_pointer, key in sources:
        entries = holder.get(key)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            start = f"{holder_pointer}/{key}/{index}"
            parameter, at = follow(document, entry, start)
            if not isinstance(parameter, Mapping) or not isinstance(parameter.get("name"), str):
                continue
            location = f"{where.location}.parameters[{index}]"
            compiled = _parameter(parameter, at, location)
            found[(compiled.name.lower(), compiled.location)] = compiled
    return tuple(found.values())


def _parameter(raw: Mapping[str, Any], at: str, location: str) -> Parameter:
    place = str(raw.get("in", ""))
    style = str(raw.get("style") or ("form" if place in ("query", "cookie") else "simple"))
    explode = raw.get("explode")
    schema = f"{at}/schema" if isinstance(raw.get("schema"), Mapping | bool) else None
    if schema is None and isinstance(raw.get("content"), Mapping):
        media = next(iter(raw["content"]), None)
        if media is not None and isinstance(raw["content"][media], Mapping):
            schema = f"{at}{pointer('content', media, 'schema')}"
    separators = {"spaceDelimited": " ", "pipeDelimited": "|"}
    return Parameter(
        name=str(raw["name"]),
        location=place,
        required=bool(raw.get("required")) or place == "path",
        schema=schema,
        spec_location=location,
        explode=bool(explode) if explode is not None else style == "form",
        separator=str(raw.get("x-bdct-separator") or separators.get(style, ",")),
        style=style,
    )


def _media(holder: Any, at: str, location: str) -> tuple[Media, ...]:
    content = holder.get("content") if isinstance(holder, Mapping) else None
    if not isinstance(content, Mapping):
        return ()
    return tuple(
        Media(
            media_type=str(name),
            schema=f"{at}{pointer('content', name, 'schema')}"
            if isinstance(entry, Mapping) and "schema" in entry
            else None,
            spec_location=f"{location}.{name}.schema",
        )
        for name, entry in content.items()
    )


def _response(document: Mapping[str, Any], key: str, raw: Any, where: _Where) -> Response:
    response, at = follow(document, raw, f"{where.pointer}{pointer('responses', key)}")
    location = f"{where.location}.responses.{key}"
    headers: list[Parameter] = []
    raw_headers = response.get("headers") if isinstance(response, Mapping) else None
    for name, header in (raw_headers if isinstance(raw_headers, Mapping) else {}).items():
        header, header_at = follow(document, header, f"{at}{pointer('headers', name)}")
        if isinstance(header, Mapping):
            described = {**header, "name": name, "in": "header"}
            headers.append(_parameter(described, header_at, f"{location}.headers.{name}"))
    return Response(
        key=key,
        media=_media(response, at, f"{location}.content"),
        headers=tuple(headers),
        spec_location=location,
    )


def _security_schemes(document: Mapping[str, Any]) -> dict[str, SecurityScheme]:
    components = document.get("components")
    raw = components.get("securitySchemes") if isinstance(components, Mapping) else None
    schemes: dict[str, SecurityScheme] = {}
    for name, scheme in (raw if isinstance(raw, Mapping) else {}).items():
        scheme, _ = follow(document, scheme, "")
        if isinstance(scheme, Mapping):
            schemes[str(name)] = SecurityScheme(
                name=str(name),
                kind=str(scheme.get("type", "")).lower(),
                location=str(scheme.get("in", "")).lower(),
                parameter=str(scheme.get("name", "")),
                scheme=str(scheme.get("scheme", "")).lower(),
            )
    return schemes


def _requirements(
    security: Any, schemes: Mapping[str, SecurityScheme]
) -> tuple[tuple[SecurityScheme, ...], ...]:
    if not isinstance(security, list):
        return ()
    alternatives: list[tuple[SecurityScheme, ...]] = []
    for requirement in security:
        if not isinstance(requirement, Mapping):
            continue
        if not requirement:
            return ()  # ``{}`` makes security optional
        alternatives.append(tuple(schemes[n] for n in requirement if n in schemes))
    return tuple(a for a in alternatives if a)
