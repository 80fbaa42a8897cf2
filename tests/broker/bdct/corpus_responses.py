"""Corpus: responses (closed bodies, statuses, content negotiation, response headers)."""

from __future__ import annotations

from typing import Any

from tests.broker.bdct.cases import (
    Case,
    Http,
    I,
    S,
    at,
    get,
    json_response,
    oas,
    oas31,
    obj,
    v2,
    v3,
    v4,
)

PRODUCT = obj(["id", "name", "price"], id=I, name=S, price={"type": "number"})
ONE = {"/products/1": get(PRODUCT)}
INCOMPATIBLE = "Response body is incompatible with the response body schema in the spec file"


def _got(
    body: Any, status: int = 200, content_type: str = "application/json", **fields: Any
) -> Http:
    headers = {"Content-Type": content_type, **fields.pop("response_headers", {})}
    return Http(
        "GET", "/products/1", status, response_headers=headers, response_body=body, **fields
    )


def _responses(responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"/products/1": {"get": {"responses": responses, **extra}}}


CASES = [
    Case(
        "response/extra-field-names-the-field",
        oas(ONE),
        v2(_got({"id": 1, "name": "Gem", "colour": "red"})),
        False,
        (
            (
                "response.body.incompatible",
                at(0, "response.body.colour"),
                f"{INCOMPATIBLE}: must NOT have additional properties - colour",
            ),
        ),
    ),
    Case("response/missing-fields-are-fine", oas(ONE), v3(_got({"id": 1})), True),
    Case(
        "response/nested-objects-and-arrays-of-objects",
        oas31(
            {
                "/orders/1": get(
                    obj(
                        id=I,
                        address=obj(["city"], city=S, zip=S),
                        lines={"type": "array", "items": obj(["sku"], sku=S, quantity=I)},
                    )
                )
            }
        ),
        v4(
            Http(
                "GET",
                "/orders/1",
                response_body={
                    "id": 1,
                    "address": {"city": "Oslo", "planet": "Earth"},
                    "lines": [{"sku": "a"}, {"sku": "b", "quantity": 2, "gift": True}],
                },
            )
        ),
        False,
        (
            (
                "response.body.incompatible",
                at(0, "response.body.address.planet"),
                "must NOT have additional properties - planet",
            ),
            (
                "response.body.incompatible",
                at(0, "response.body.lines.1.gift"),
                "must NOT have additional properties - gift",
            ),
        ),
    ),
    Case(
        "response/wrong-type-and-enum",
        oas(
            _responses(
                {"200": json_response(obj(id=I, state={"type": "string", "enum": ["on", "off"]}))}
            )
        ),
        v3(_got({"id": "1", "state": "sideways"})),
        False,
        (
            ("response.body.incompatible", at(0, "response.body.id"), "must be integer"),
            (
                "response.body.incompatible",
                at(0, "response.body.state"),
                "must be equal to one of the allowed values",
            ),
        ),
    ),
    Case(
        "status/exact-range-and-default",
        oas(
            _responses(
                {
                    "200": json_response(obj(id=I)),
                    "2XX": json_response(obj(queued=I)),
                    "default": json_response(obj(error=S)),
                }
            )
        ),
        v2(_got({"id": 1}), _got({"queued": 1}, status=202), _got({"error": "boom"}, status=503)),
        True,
        (
            (
                "response.status.default",
                at(2, "response.status"),
                "Response status code matched default response in spec file: 503",
            ),
        ),
    ),
    Case(
        "status/unknown",
        oas(ONE),
        v3(_got(None, status=404, response_headers={})),
        False,
        (
            (
                "response.status.unknown",
                at(0, "response.status"),
                "Response status code not defined in spec file: 404",
            ),
        ),
    ),
    Case(
        "content-type/charset-parameter-ignored",
        oas(ONE),
        v2(_got({"id": 1}, content_type="application/json; charset=utf-8")),
        True,
    ),
    Case(
        "content-type/plus-json-is-narrower-json",
        oas(ONE),
        v3(_got({"id": 1, "extra": True}, content_type="application/problem+json")),
        False,
        (
            (
                "response.body.incompatible",
                at(0, "response.body.extra"),
                "must NOT have additional properties - extra",
            ),
        ),
    ),
    Case(
        "content-type/documented-wildcard",
        oas(
            _responses(
                {"200": {"description": "ok", "content": {"application/*": {"schema": obj(id=I)}}}}
            )
        ),
        v4(_got({"id": 1}, content_type="application/vnd.products.v1+json")),
        True,
    ),
    Case(
        "content-type/mismatch-skips-body",
        oas(ONE),
        v3(_got("<html/>", content_type="text/html")),
        False,
        (
            (
                "response.content-type.incompatible",
                at(0, "response.headers.content-type"),
                "incompatible with the mime-types the spec defines",
            ),
        ),
    ),
    Case(
        "response-header/documented-and-incompatible",
        oas(
            _responses(
                {"200": {**json_response(obj(id=I)), "headers": {"X-Rate-Limit": {"schema": I}}}}
            )
        ),
        v2(
            _got({"id": 1}, response_headers={"X-Rate-Limit": "100"}),
            _got({"id": 1}, response_headers={"X-Rate-Limit": "lots"}),
        ),
        False,
        (
            (
                "response.header.incompatible",
                at(1, "response.headers.x-rate-limit"),
                "must be integer",
            ),
        ),
    ),
    Case(
        "response-header/unknown-error-standard-warning",
        oas(ONE),
        v3(
            _got(
                {"id": 1},
                response_headers={"X-Trace": "abc", "Date": "Tue, 01 Jul 2025 10:00:00 GMT"},
            )
        ),
        False,
        (
            (
                "response.header.unknown",
                at(0, "response.headers.x-trace"),
                "Response header is not defined in the spec file: x-trace",
            ),
            (
                "response.header.undefined",
                at(0, "response.headers.date"),
                "Standard http response header is not defined",
            ),
        ),
    ),
    Case(
        "response-body/no-schema-documented",
        oas(_responses({"200": {"description": "no content documented"}})),
        v4(_got({"id": 1})),
        False,
        (
            (
                "response.content-type.unknown",
                at(0, "response.headers.content-type"),
                "does not specify any mime-types to produce",
            ),
            (
                "response.body.unknown",
                at(0, "response.body"),
                "No matching schema found for response body",
            ),
        ),
    ),
    Case(
        "response-body/text-is-unvalidatable",
        oas(_responses({"200": {"description": "ok", "content": {"text/plain": {"schema": S}}}})),
        v3(_got("hello", content_type="text/plain")),
        True,
        (
            (
                "response.body.unvalidatable",
                at(0, "response.body"),
                "Body with content type 'text/plain' is not supported",
            ),
        ),
    ),
]
