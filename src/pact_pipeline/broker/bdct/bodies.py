"""Request and response bodies against their schemas.

Requests are validated against the request view (as written: required fields enforced,
extra fields allowed unless the schema forbids them); responses against the closed view
(extra fields are errors that name the field, missing ones are fine). Only JSON bodies
(``application/json``, ``*/*+json``) and form-encoded ones are schema-checked; others get an
``…body.unvalidatable`` warning, as on PactFlow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from pact_pipeline.broker.bdct.media import best_match, is_form, is_json
from pact_pipeline.broker.bdct.operations import Media, Response
from pact_pipeline.broker.bdct.pacts import Body
from pact_pipeline.broker.bdct.parameters import coerce
from pact_pipeline.broker.bdct.report import Report
from pact_pipeline.broker.bdct.validation import View

DEFAULT_TYPE = "application/json"
REQUEST_PREFIX = "Request body is incompatible with the request body schema in the spec file"
RESPONSE_PREFIX = "Response body is incompatible with the response body schema in the spec file"


def _chosen(candidates: Sequence[str | None], media: Sequence[Media]) -> tuple[str, Media | None]:
    """The body's media type (the first candidate given) and the documented entry it
    selects (by the first candidate that selects one)."""
    given = next((c for c in candidates if c), None)
    offered = [m.media_type for m in media]
    for candidate in candidates:
        if candidate:
            found = best_match(candidate, offered)
            if found is not None:
                entry = next(m for m in media if m.media_type == found)
                return given or entry.media_type, entry
    return given or (media[0].media_type if media else DEFAULT_TYPE), None


def check_request_body(report: Report, view: View) -> None:
    """The request body against the operation's request body schema."""
    interaction, operation = report.interaction, report.operation
    body = interaction.request_body
    if not report.valid_request or (body is None and not operation.body_required):
        return
    header = interaction.request_headers.get("content-type")
    content_type, media = _chosen(
        [header, body.content_type if body else None, DEFAULT_TYPE], operation.body_media
    )
    if not (is_json(content_type) or is_form(content_type)):
        if body is not None:
            _unvalidatable(report, "request", content_type, body, operation.body_location)
        return
    if body is None:
        if media is not None and media.schema:
            message = f"{REQUEST_PREFIX}: must have a request body (it is required)"
            report.add(
                "error", "request.body.incompatible", message, "request.body", media.spec_location
            )
        return
    if media is None or not media.schema:
        report.add(
            "warning",
            "request.body.unknown",
            "No matching schema found for request body",
            "request.body",
            operation.body_location,
            body.value,
        )
        return
    value = _form(view, media.schema, body.value) if is_form(content_type) else body.value
    errors = view.errors(media.schema, value)
    report.schema_errors(
        "request.body.incompatible", REQUEST_PREFIX, "request.body", media.spec_location, errors
    )


def check_response_body(report: Report, view: View, response: Response) -> None:
    """The response body against the closed response schema."""
    interaction = report.interaction
    body = interaction.response_body
    if body is None:
        return
    candidates = [
        interaction.response_headers.get("content-type"),
        body.content_type,
        interaction.request_headers.get("accept"),
        DEFAULT_TYPE,
    ]
    content_type, media = _chosen(candidates, response.media)
    content = f"{response.spec_location}.content"
    if not is_json(content_type):
        _unvalidatable(report, "response", content_type, body, content)
        return
    if media is None or not media.schema:
        report.add(
            "error",
            "response.body.unknown",
            "No matching schema found for response body",
            "response.body",
            content,
            body.value,
        )
        return
    errors = view.errors(media.schema, body.value)
    report.schema_errors(
        "response.body.incompatible", RESPONSE_PREFIX, "response.body", media.spec_location, errors
    )


def _unvalidatable(report: Report, side: str, content_type: str, body: Body, spec: str) -> None:
    report.add(
        "warning",
        f"{side}.body.unvalidatable",
        f"Body with content type '{content_type}' is not supported by the spec comparator",
        f"{side}.body",
        spec,
        body.value,
    )


def _form(view: View, schema: str, value: Any) -> Any:
    """A form-encoded body as fields, each coerced to its property's type."""
    if not isinstance(value, str):
        return value
    fields: dict[str, list[str]] = {}
    for name, text in parse_qsl(value, keep_blank_values=True):
        fields.setdefault(name, []).append(text)
    target = view.deref(view.node(schema))
    properties = target.get("properties") if isinstance(target, Mapping) else None
    properties = properties if isinstance(properties, Mapping) else {}
    parsed: dict[str, Any] = {}
    for name, texts in fields.items():
        types = view.types_of(properties.get(name))
        if "array" in types:
            items = view.deref(properties[name]).get("items")
            parsed[name] = [coerce(t, view.types_of(items)) for t in texts]
        else:
            parsed[name] = coerce(texts[0], types)
    return parsed
