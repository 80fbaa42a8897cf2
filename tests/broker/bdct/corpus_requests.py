"""Corpus: requests (query, headers, content types, bodies, security, 4xx interactions)."""

from __future__ import annotations

from typing import Any

from tests.broker.bdct.cases import (
    Case,
    Http,
    I,
    S,
    at,
    json_response,
    oas,
    oas31,
    obj,
    ref,
    v2,
    v3,
    v4,
)

PRODUCT = obj(["id", "name"], id=I, name=S, price={"type": "number"})
LISTED = {"type": "array", "items": obj(id=I)}


def _query(name: str, schema: Any, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _search(*parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "/products": {
            "get": {"parameters": list(parameters), "responses": {"200": json_response(LISTED)}}
        }
    }


def _listing(query: dict[str, list[str]] | None = None, **fields: Any) -> Http:
    return Http("GET", "/products", query=query or {}, response_body=[{"id": 1}], **fields)


def _create(schema: Any, **extra: Any) -> dict[str, Any]:
    operation = {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "responses": {"201": json_response(obj(id=I)), "400": json_response(obj(error=S))},
        **extra,
    }
    return {"/products": {"post": operation}}


def _post(body: Any, status: int = 201, **fields: Any) -> Http:
    headers = fields.pop("request_headers", {"Content-Type": "application/json"})
    response = {"id": 1} if status < 400 else {"error": "bad"}
    return Http(
        "POST",
        "/products",
        status,
        request_headers=headers,
        request_body=body,
        response_body=response,
        **fields,
    )


INCOMPATIBLE_BODY = "Request body is incompatible with the request body schema in the spec file"

CASES = [
    Case(
        "query/undeclared-is-a-warning",
        oas(_search(_query("limit", I))),
        v2(_listing({"limit": ["5"], "colour": ["red"]})),
        True,
        (
            (
                "request.query.unknown",
                at(0, "request.query.colour"),
                "Query parameter is not defined in the spec file: colour",
            ),
        ),
    ),
    Case(
        "query/declared-wrong-type",
        oas(_search(_query("limit", I))),
        v3(_listing({"limit": ["ten"]})),
        False,
        (
            (
                "request.query.incompatible",
                at(0, "request.query.limit"),
                "parameter defined in the spec file: must be integer",
            ),
        ),
    ),
    Case(
        "query/required-missing",
        oas31(_search(_query("q", S, required=True))),
        v4(_listing({})),
        False,
        (
            (
                "request.query.incompatible",
                at(0, "request.query.q"),
                "must have required property 'q'",
            ),
        ),
    ),
    Case(
        "query/array-of-repeated-values",
        oas(_search(_query("ids", {"type": "array", "items": I}))),
        v3(_listing({"ids": ["1", "2"]}), _listing({"ids": ["1", "x"]})),
        False,
        (("request.query.incompatible", at(1, "request.query.ids.1"), "must be integer"),),
    ),
    Case(
        "query/enum-and-v2-string-query",
        oas(_search(_query("sort", {"type": "string", "enum": ["asc", "desc"]}))),
        v2(_listing({"sort": ["asc"]}), _listing({"sort": ["up"]})),
        False,
        (
            (
                "request.query.incompatible",
                at(1, "request.query.sort"),
                "must be equal to one of the allowed values",
            ),
        ),
    ),
    Case(
        "header/declared-format-uuid",
        oas(
            _search(
                {
                    "name": "X-Request-Id",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "format": "uuid"},
                }
            )
        ),
        v4(
            _listing(request_headers={"X-Request-Id": "3f1c6a2e-4a70-4a1f-9d55-0b6a8e2f7c11"}),
            _listing(request_headers={"X-Request-Id": "nope"}),
            _listing(),
        ),
        False,
        (
            (
                "request.header.incompatible",
                at(1, "request.headers.x-request-id"),
                'must match format "uuid"',
            ),
            (
                "request.header.incompatible",
                at(2, "request.headers.x-request-id"),
                "must have required property 'X-Request-Id'",
            ),
        ),
    ),
    Case(
        "header/undeclared-is-a-warning-standard-ones-are-not",
        oas(_search()),
        v3(
            _listing(
                request_headers={
                    "X-Debug": "1",
                    "Accept": "application/json",
                    "User-Agent": "web",
                    "Host": "x",
                }
            )
        ),
        True,
        (
            (
                "request.header.unknown",
                at(0, "request.headers.x-debug"),
                "Request header is not defined in the spec file: x-debug",
            ),
        ),
    ),
    Case(
        "body/required-field-missing",
        oas(_create(PRODUCT)),
        v2(_post({"id": 1})),
        False,
        (
            (
                "request.body.incompatible",
                at(0, "request.body"),
                f"{INCOMPATIBLE_BODY}: must have required property 'name'",
            ),
        ),
    ),
    Case(
        "body/extra-field-allowed",
        oas(_create(PRODUCT)),
        v3(_post({"id": 1, "name": "Gem", "colour": "red"})),
        True,
    ),
    Case(
        "body/extra-field-forbidden-by-the-spec",
        oas31(_create({**PRODUCT, "additionalProperties": False})),
        v4(_post({"id": 1, "name": "Gem", "colour": "red"})),
        False,
        (
            (
                "request.body.incompatible",
                at(0, "request.body.colour"),
                "must NOT have additional properties - colour",
            ),
        ),
    ),
    Case(
        "body/wrong-type-in-ref",
        oas(_create(ref("Product")), {"Product": PRODUCT}),
        v3(_post({"id": "one", "name": "Gem"})),
        False,
        (("request.body.incompatible", at(0, "request.body.id"), "must be integer"),),
    ),
    Case(
        "body/no-request-body-documented",
        oas(_search()),
        v2(_listing(request_headers={"Content-Type": "application/json"}, request_body={"x": 1})),
        True,
        (
            (
                "request.content-type.unknown",
                at(0, "request.headers.content-type"),
                "does not specify any mime-types to consume",
            ),
            (
                "request.body.unknown",
                at(0, "request.body"),
                "No matching schema found for request body",
            ),
        ),
    ),
    Case(
        "body/content-type-incompatible-skips-body",
        oas(_create(PRODUCT)),
        v3(_post({"id": "not checked"}, request_headers={"Content-Type": "text/plain"})),
        False,
        (
            (
                "request.content-type.incompatible",
                at(0, "request.headers.content-type"),
                "incompatible with the mime-types the spec accepts",
            ),
        ),
    ),
    Case(
        "body/content-type-missing-is-a-warning",
        oas(_create(PRODUCT)),
        v2(_post({"id": 1, "name": "Gem"}, request_headers={})),
        True,
        (
            (
                "request.content-type.missing",
                at(0, "request.headers.content-type"),
                "Request content type header is not defined",
            ),
        ),
    ),
    Case(
        "body/form-urlencoded-fields-coerced",
        oas(
            {
                "/login": {
                    "post": {
                        "requestBody": {
                            "content": {
                                "application/x-www-form-urlencoded": {
                                    "schema": obj(
                                        ["user"], user=S, remember={"type": "boolean"}, tries=I
                                    )
                                }
                            }
                        },
                        "responses": {"204": {"description": "in"}},
                    }
                }
            }
        ),
        v3(
            Http(
                "POST",
                "/login",
                204,
                request_headers={"Content-Type": "application/x-www-form-urlencoded"},
                request_body="user=ann&remember=true&tries=2",
                response_headers={},
            ),
            Http(
                "POST",
                "/login",
                204,
                request_headers={"Content-Type": "application/x-www-form-urlencoded"},
                request_body="remember=yes",
                response_headers={},
            ),
        ),
        False,
        (
            (
                "request.body.incompatible",
                at(1, "request.body"),
                "must have required property 'user'",
            ),
            ("request.body.incompatible", at(1, "request.body.remember"), "must be boolean"),
        ),
    ),
    Case(
        "security/bearer-missing",
        oas(
            _search(),
            security=[{"bearer": []}],
            security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
        ),
        v3(_listing(request_headers={"Authorization": "Bearer abc"}), _listing()),
        False,
        (
            (
                "request.authorization.missing",
                at(1, "request.headers"),
                "Request Authorization header is missing but is required",
            ),
        ),
    ),
    Case(
        "security/api-key-header-and-query",
        oas(
            {
                "/products": {
                    "get": {"security": [{"key": []}], "responses": {"200": json_response(LISTED)}},
                    "post": {
                        "security": [{"token": []}],
                        "responses": {"201": json_response(obj(id=I))},
                    },
                }
            },
            security_schemes={
                "key": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "token": {"type": "apiKey", "in": "query", "name": "api_key"},
            },
        ),
        v2(
            _listing(request_headers={"X-API-Key": "k"}),
            _listing(),
            Http("POST", "/products", 201, query={"api_key": ["t"]}, response_body={"id": 1}),
            Http("POST", "/products", 201, response_body={"id": 1}),
        ),
        False,
        (
            (
                "request.authorization.missing",
                at(1, "request.headers"),
                "Authorization header is missing",
            ),
            (
                "request.authorization.missing",
                at(3, "request.query"),
                "Authorization query is missing",
            ),
        ),
    ),
    Case(
        "request/4xx-interaction-skips-request-checks",
        oas(
            _create(PRODUCT, security=[{"bearer": []}]),
            security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
        ),
        v4(_post({"colour": "red"}, status=400, query={"debug": ["1"]})),
        True,
    ),
    Case(
        "request/accept-incompatible",
        oas(_search()),
        v3(
            _listing(request_headers={"Accept": "application/xml"}),
            _listing(request_headers={"Accept": "text/html;q=0.9, */*;q=0.1"}),
        ),
        False,
        (
            (
                "request.accept.incompatible",
                at(0, "request.headers.accept"),
                "Request Accept header is incompatible",
            ),
        ),
    ),
]
