"""Corpus: routing (path templates, parameter types, base paths, trailing slashes, methods)."""

from __future__ import annotations

from tests.broker.bdct.cases import (
    B,
    Case,
    Http,
    I,
    S,
    at,
    get,
    oas,
    oas31,
    obj,
    path_param,
    v2,
    v3,
    v4,
)

PRODUCT = obj(["id"], id=I, name=S)
BY_ID = {"/products/{id}": get(PRODUCT, parameters=[path_param("id", I)])}
UNKNOWN = "request.path-or-method.unknown"


def _product(path: str, method: str = "GET") -> Http:
    return Http(method, path, response_body={"id": 10, "name": "Gem"})


CASES = [
    Case("route/template-integer-ok", oas(BY_ID), v2(_product("/products/10")), True),
    Case(
        "route/template-integer-rejects-text",
        oas(BY_ID),
        v3(_product("/products/abc")),
        False,
        (
            (
                UNKNOWN,
                at(0, "request.path"),
                "Path or method not defined in spec file: GET /products/abc",
            ),
        ),
    ),
    Case(
        "route/literal-segment-wins",
        oas31(
            {
                "/products/{id}": get(obj(id=S), parameters=[path_param("id", S)]),
                "/products/new": get(obj(kind=S)),
            }
        ),
        v4(Http("GET", "/products/new", response_body={"kind": "draft"})),
        True,
    ),
    Case(
        "route/x-opc-config-base-path",
        oas(BY_ID, info={"x-opc-config-base-path": "/api"}),
        v2(_product("/api/products/10"), _product("/products/10")),
        False,
        ((UNKNOWN, at(1, "request.path"), "GET /products/10"),),
    ),
    Case(
        # A pact recorded against the server's URL, or against the bare paths (PactFlow's
        # reading): both call the documented operation; another prefix does not.
        "route/servers-base-path",
        oas(BY_ID, servers=[{"url": "https://example.test/api"}, {"url": "/v2/"}]),
        v3(
            _product("/products/10"),
            _product("/api/products/10"),
            _product("/v2/products/10"),
            _product("/other/products/10"),
        ),
        False,
        ((UNKNOWN, at(3, "request.path"), "GET /other/products/10"),),
    ),
    Case(
        "route/swagger-base-path",
        {
            "swagger": "2.0",
            "info": {"title": "Items", "version": "1"},
            "basePath": "/v1",
            "paths": {
                "/items/{id}": {
                    "get": {
                        "parameters": [
                            {"name": "id", "in": "path", "required": True, "type": "integer"}
                        ],
                        "responses": {"200": {"description": "ok", "schema": obj(id=I)}},
                    }
                }
            },
        },
        v2(
            Http("GET", "/v1/items/3", response_body={"id": 3}),
            Http("GET", "/items/3", response_body={"id": 3}),
        ),
        False,
        ((UNKNOWN, at(1, "request.path"), "GET /items/3"),),
    ),
    Case("route/trailing-slash-ignored", oas(BY_ID), v2(_product("/products/10/")), True),
    Case(
        "route/undocumented-path",
        oas(BY_ID),
        v3(Http("GET", "/orders/1")),
        False,
        ((UNKNOWN, at(0, "request.path"), "GET /orders/1"),),
    ),
    Case(
        "route/wrong-method",
        oas(BY_ID),
        v4(Http("DELETE", "/products/1", status=204, response_headers={})),
        False,
        (
            (
                UNKNOWN,
                at(0, "request.path"),
                "Path or method not defined in spec file: DELETE /products/1",
            ),
        ),
    ),
    Case(
        "route/boolean-and-number-path-parameters",
        oas31(
            {
                "/flags/{on}/{ratio}": get(
                    obj(ok=B),
                    parameters=[path_param("on", B), path_param("ratio", {"type": "number"})],
                )
            }
        ),
        v3(
            Http("GET", "/flags/true/0.5", response_body={"ok": True}),
            Http("GET", "/flags/maybe/0.5", response_body={"ok": True}),
            Http("GET", "/flags/false/half", response_body={"ok": True}),
        ),
        False,
        (
            (UNKNOWN, at(1, "request.path"), "GET /flags/maybe/0.5"),
            (UNKNOWN, at(2, "request.path"), "GET /flags/false/half"),
        ),
    ),
    Case(
        "route/path-parameter-enum-and-pattern",
        oas(
            {
                "/sizes/{size}/{code}": get(
                    obj(ok=B),
                    parameters=[
                        path_param("size", {"type": "string", "enum": ["S", "M", "L"]}),
                        path_param("code", {"type": "string", "pattern": "^[A-Z]{3}$"}),
                    ],
                )
            }
        ),
        v2(
            Http("GET", "/sizes/M/ABC", response_body={"ok": True}),
            Http("GET", "/sizes/XL/ABC", response_body={"ok": True}),
            Http("GET", "/sizes/S/abc", response_body={"ok": True}),
        ),
        False,
        (
            (UNKNOWN, at(1, "request.path"), "GET /sizes/XL/ABC"),
            (UNKNOWN, at(2, "request.path"), "GET /sizes/S/abc"),
        ),
    ),
]
