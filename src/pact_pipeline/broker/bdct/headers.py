"""Headers and media types: Accept and Content-Type against the documented media types,
request headers the spec does not declare, and response headers.

Header names in locations are lower-case, as PactFlow writes them
(``[root].interactions[0].response.headers.x-trace``).
"""

from __future__ import annotations

from pact_pipeline.broker.bdct.media import best_match, essence
from pact_pipeline.broker.bdct.operations import Response
from pact_pipeline.broker.bdct.parameters import (
    check_header_parameters,
    coerce,
    parameter_value,
    security_headers,
)
from pact_pipeline.broker.bdct.report import INCOMPATIBLE_VALUE, Report
from pact_pipeline.broker.bdct.validation import View

#: Request headers any HTTP client may send; never "unknown" (PactFlow's list).
STANDARD_REQUEST = frozenset(
    [
        "accept",
        "accept-charset",
        "accept-datetime",
        "accept-encoding",
        "accept-language",
        "authorization",
        "cache-control",
        "connection",
        "content-length",
        "content-md5",
        "content-type",
        "cookie",
        "date",
        "expect",
        "forwarded",
        "from",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "max-forwards",
        "origin",
        "pragma",
        "proxy-authorization",
        "range",
        "referer",
        "te",
        "upgrade",
        "user-agent",
        "via",
        "warning",
    ]
)
#: Response headers any server may send: a warning, not an error, when undocumented.
STANDARD_RESPONSE = frozenset(
    [
        "access-control-allow-origin",
        "accept-patch",
        "accept-ranges",
        "age",
        "allow",
        "alt-svc",
        "cache-control",
        "connection",
        "content-disposition",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "date",
        "etag",
        "expires",
        "last-modified",
        "link",
        "location",
        "p3p",
        "pragma",
        "proxy-authenticate",
        "public-key-pins",
        "refresh",
        "retry-after",
        "server",
        "set-cookie",
        "status",
        "strict-transport-security",
        "trailer",
        "transfer-encoding",
        "tsv",
        "upgrade",
        "vary",
        "via",
        "warning",
        "www-authenticate",
        "x-frame-options",
    ]
)


def check_request_headers(report: Report, view: View) -> bool:
    """Accept, Content-Type, declared and undeclared headers. Returns False when the
    Content-Type is incompatible (the body is then not checked)."""
    _check_accept(report)
    compatible = _check_content_type(report)
    declared = check_header_parameters(report, view)
    if report.valid_request:
        known = declared | security_headers(report.operation) | STANDARD_REQUEST
        for name, (_, value) in report.interaction.request_headers.values.items():
            if name not in known:
                report.add(
                    "warning",
                    "request.header.unknown",
                    f"Request header is not defined in the spec file: {name}",
                    f"request.headers.{name}",
                    report.operation.spec_location,
                    value,
                )
    return compatible


def _check_accept(report: Report) -> None:
    accept = report.interaction.request_headers.get("accept")
    if not accept:
        return
    operation = report.operation
    produced = operation.produced()
    if not produced:
        report.add(
            "warning",
            "request.accept.unknown",
            "Request Accept header is defined but the spec does not specify any mime-types "
            "to produce",
            "request.headers.accept",
            operation.spec_location,
            accept,
        )
        return
    response = operation.response_for(report.interaction.status)
    if response is not None and response.media and best_match(accept, produced) is None:
        report.add(
            "error",
            "request.accept.incompatible",
            "Request Accept header is incompatible with the mime-types the spec defines to produce",
            "request.headers.accept",
            operation.spec_location,
            accept,
        )


def _check_content_type(report: Report) -> bool:
    interaction, operation = report.interaction, report.operation
    content_type = interaction.request_headers.get("content-type")
    consumed = [m.media_type for m in operation.body_media]
    where = "request.headers.content-type"
    if content_type and not consumed:
        report.add(
            "warning",
            "request.content-type.unknown",
            "Request content-type header is defined but the spec does not specify any "
            "mime-types to consume",
            where,
            operation.spec_location,
            content_type,
        )
    elif content_type and best_match(content_type, consumed) is None:
        report.add(
            "error",
            "request.content-type.incompatible",
            "Request Content-Type header is incompatible with the mime-types the spec "
            "accepts to consume",
            where,
            operation.body_location,
            content_type,
        )
        return False
    elif not content_type and consumed and interaction.request_body is not None:
        report.add(
            "warning",
            "request.content-type.missing",
            "Request content type header is not defined but spec specifies mime-types to consume",
            where,
            operation.spec_location,
            None,
        )
    return True


def check_response_headers(report: Report, view: View, response: Response) -> bool:
    """Content-Type, documented, standard and unknown response headers. Returns False when
    the Content-Type is incompatible (the body is then not checked)."""
    compatible = _check_response_type(report, response)
    headers = dict(report.interaction.response_headers.values)
    headers.pop("content-type", None)
    for header in response.headers:
        name = header.name.lower()
        entry = headers.pop(name, None)
        if entry is None or name == "content-type" or not header.schema:
            continue
        if header.separator in entry[1] and "array" in view.types_of(view.node(header.schema)):
            value = parameter_value(view, header, [entry[1]])
        else:
            value = coerce(entry[1], view.types_of(view.node(header.schema)))
        errors = view.errors(header.schema, value)
        spec = f"{header.spec_location}.schema"
        where = f"response.headers.{name}"
        report.schema_errors(
            "response.header.incompatible", INCOMPATIBLE_VALUE, where, spec, errors
        )
    for name, (_, value) in headers.items():
        _undocumented(report, response, name, value)
    return compatible


def _undocumented(report: Report, response: Response, name: str, value: str) -> None:
    if name in STANDARD_RESPONSE:
        report.add(
            "warning",
            "response.header.undefined",
            f"Standard http response header is not defined in the spec file: {name}",
            f"response.headers.{name}",
            report.operation.spec_location,
            value,
        )
    else:
        # An error, as PactFlow's current engine reports it (its documentation says warning).
        report.add(
            "error",
            "response.header.unknown",
            f"Response header is not defined in the spec file: {name}",
            f"response.headers.{name}",
            f"{response.spec_location}.headers",
            value,
        )


def _check_response_type(report: Report, response: Response) -> bool:
    content_type = report.interaction.response_headers.get("content-type")
    if not content_type or not essence(content_type):
        return True
    produced = [m.media_type for m in response.media]
    where = "response.headers.content-type"
    if not produced:
        report.add(
            "warning",
            "response.content-type.unknown",
            "Response Content-Type header is defined but the spec does not specify any "
            "mime-types to produce",
            where,
            report.operation.spec_location,
            content_type,
        )
        return True
    if best_match(content_type, produced) is None:
        report.add(
            "error",
            "response.content-type.incompatible",
            "Response Content-Type header is incompatible with the mime-types the spec "
            "defines to produce",
            where,
            f"{response.spec_location}.content",
            content_type,
        )
        return False
    return True
