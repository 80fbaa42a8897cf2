"""Corpus: schema features ($ref chains, compositions, nullability, formats, dialects)."""

from __future__ import annotations

from typing import Any

from tests.broker.bdct.cases import Case, Http, I, S, at, get, oas, oas31, obj, ref, v2, v3, v4

INCOMPATIBLE = "Response body is incompatible with the response body schema in the spec file"


def _pet(body: Any, path: str = "/pet") -> Http:
    return Http("GET", path, response_body=body)


CAT = obj(["kind"], kind={"type": "string", "enum": ["cat"]}, name=S, lives=I)
DOG = obj(["kind"], kind={"type": "string", "enum": ["dog"]}, name=S, barks={"type": "boolean"})
PETS = {"Cat": CAT, "Dog": DOG}
POLYMORPHIC = {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {"propertyName": "kind"}}

YAML_DOCUMENT = """
openapi: 3.0.3
info: {title: Products, version: "1"}
paths:
  /products/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Product'}
components:
  schemas:
    Product:
      type: object
      properties:
        id: {type: integer}
        released: {type: string, format: date}
"""

CASES = [
    Case(
        "schema/ref-chain",
        oas(
            {"/pet": get(ref("Alias"))},
            {"Alias": ref("Pet"), "Pet": obj(name=S, owner=ref("Owner")), "Owner": obj(name=S)},
        ),
        v2(_pet({"name": "Tom", "owner": {"name": "Ann", "age": 40}})),
        False,
        (
            (
                "response.body.incompatible",
                at(0, "response.body.owner.age"),
                "must NOT have additional properties - age",
            ),
        ),
    ),
    Case(
        "schema/all-of-extra-field-caught",
        oas(
            {"/pet": get({"allOf": [ref("Base"), obj(name=S)]})},
            {"Base": obj(["id"], id=I, tags={"type": "array", "items": obj(label=S)})},
        ),
        v3(_pet({"id": 1, "name": "Tom"}), _pet({"id": 1, "name": "Tom", "colour": "black"})),
        False,
        (
            (
                "response.body.incompatible",
                at(1, "response.body.colour"),
                f"{INCOMPATIBLE}: must NOT have unevaluated properties - colour",
            ),
        ),
    ),
    Case(
        "schema/all-of-part-nested-objects-stay-closed",
        oas31(
            {"/pet": get({"allOf": [ref("Base"), obj(name=S)]})},
            {"Base": obj(id=I, tag=obj(label=S))},
        ),
        v4(_pet({"id": 1, "name": "Tom", "tag": {"label": "x", "colour": "y"}})),
        False,
        (
            (
                "response.body.incompatible",
                at(0, "response.body.tag.colour"),
                "must NOT have additional properties - colour",
            ),
        ),
    ),
    Case(
        "schema/one-of-with-discriminator",
        oas({"/pet": get(POLYMORPHIC)}, PETS),
        v3(
            _pet({"kind": "cat", "name": "Tom"}),
            _pet({"kind": "dog", "barks": True}),
            _pet({"kind": "cat", "barks": True}),
        ),
        False,
        (
            (
                "response.body.incompatible",
                at(2, "response.body"),
                "must match exactly one schema in oneOf",
            ),
        ),
    ),
    Case(
        "schema/one-of-discriminator-mapping",
        oas31(
            {
                "/pet": get(
                    {
                        "oneOf": [ref("Cat"), ref("Dog")],
                        "discriminator": {
                            "propertyName": "kind",
                            "mapping": {"c": "#/components/schemas/Cat", "d": "Dog"},
                        },
                    }
                )
            },
            {"Cat": obj(kind=S, lives=I), "Dog": obj(kind=S, lives=I)},
        ),
        v2(_pet({"kind": "c", "lives": 9}), _pet({"kind": "x", "lives": 9}), _pet({"lives": 9})),
        False,
        (
            (
                "response.body.incompatible",
                at(1, "response.body"),
                "must match exactly one schema in oneOf",
            ),
            (
                "response.body.incompatible",
                at(2, "response.body"),
                "must have required property 'kind'",
            ),
            (
                "response.body.incompatible",
                at(2, "response.body"),
                "must match exactly one schema in oneOf",
            ),
        ),
    ),
    Case(
        "schema/any-of",
        oas({"/pet": get({"anyOf": [obj(name=S), obj(id=I)]})}),
        v3(_pet({"name": "Tom"}), _pet({"id": 2}), _pet({"nickname": "T"})),
        False,
        (("response.body.incompatible", at(2, "response.body"), "must match a schema in anyOf"),),
    ),
    Case(
        "schema/nullable-3.0",
        oas(
            {
                "/pet": get(
                    obj(
                        name={"type": "string", "nullable": True},
                        owner={**ref("Owner"), "nullable": True},
                        age=I,
                    )
                )
            },
            {"Owner": obj(name=S)},
        ),
        v2(_pet({"name": None, "owner": None}), _pet({"age": None})),
        False,
        (("response.body.incompatible", at(1, "response.body.age"), "must be integer"),),
    ),
    Case(
        "schema/type-list-with-null-3.1",
        oas31({"/pet": get(obj(name={"type": ["string", "null"]}))}),
        v4(_pet({"name": None}), _pet({"name": 3})),
        False,
        (("response.body.incompatible", at(1, "response.body.name"), "must be string,null"),),
    ),
    Case(
        "schema/explicit-additional-properties-respected",
        oas({"/stock": get({"type": "object", "additionalProperties": I})}),
        v3(_pet({"apples": 3, "pears": 4}, "/stock"), _pet({"apples": "many"}, "/stock")),
        False,
        (("response.body.incompatible", at(1, "response.body.apples"), "must be integer"),),
    ),
    Case(
        "schema/formats-date-time-and-uuid",
        oas31(
            {
                "/pet": get(
                    obj(
                        id={"type": "string", "format": "uuid"},
                        born={"type": "string", "format": "date-time"},
                    )
                )
            }
        ),
        v3(
            _pet({"id": "3f1c6a2e-4a70-4a1f-9d55-0b6a8e2f7c11", "born": "2020-01-02T03:04:05Z"}),
            _pet({"id": "pet-1", "born": "yesterday"}),
        ),
        False,
        (
            ("response.body.incompatible", at(1, "response.body.id"), 'must match format "uuid"'),
            (
                "response.body.incompatible",
                at(1, "response.body.born"),
                'must match format "date-time"',
            ),
        ),
    ),
    Case(
        "schema/exclusive-minimum-boolean-3.0",
        oas({"/pet": get(obj(weight={"type": "number", "minimum": 0, "exclusiveMinimum": True}))}),
        v2(_pet({"weight": 0.5}), _pet({"weight": 0})),
        False,
        (("response.body.incompatible", at(1, "response.body.weight"), "must be > 0"),),
    ),
    Case(
        "schema/read-only-not-required-in-requests",
        oas(
            {
                "/pet": {
                    "post": {
                        "requestBody": {"content": {"application/json": {"schema": ref("Pet")}}},
                        "responses": {
                            "201": {
                                "description": "made",
                                "content": {"application/json": {"schema": ref("Pet")}},
                            }
                        },
                    }
                }
            },
            {"Pet": obj(["id", "name"], id={"type": "integer", "readOnly": True}, name=S)},
        ),
        v3(
            Http(
                "POST",
                "/pet",
                201,
                request_headers={"Content-Type": "application/json"},
                request_body={"name": "Tom"},
                response_body={"id": 1, "name": "Tom"},
            )
        ),
        True,
    ),
    Case(
        "schema/swagger-2.0-definitions-and-x-nullable",
        {
            "swagger": "2.0",
            "info": {"title": "Pets", "version": "1"},
            "produces": ["application/json"],
            "paths": {
                "/pet": {
                    "get": {
                        "responses": {
                            "200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}
                        }
                    }
                }
            },
            "definitions": {"Pet": obj(name=S, owner={"type": "string", "x-nullable": True})},
        },
        v2(_pet({"name": "Tom", "owner": None}), _pet({"name": "Tom", "colour": "black"})),
        False,
        (
            (
                "response.body.incompatible",
                at(1, "response.body.colour"),
                "must NOT have additional properties - colour",
            ),
        ),
    ),
    Case(
        "document/yaml-with-integer-status-keys",
        YAML_DOCUMENT,
        v3(Http("GET", "/products/7", response_body={"id": 7, "released": "2024-02-30x"})),
        False,
        (
            (
                "response.body.incompatible",
                at(0, "response.body.released"),
                'must match format "date"',
            ),
        ),
        content_type="application/yaml",
    ),
    Case(
        "document/invalid-openapi",
        {"openapi": "3.0.3", "paths": {}},
        v2(_pet({"name": "Tom"})),
        False,
        (("spec.invalid", "[root]", '"info" is a required property (at [root])'),),
    ),
    Case(
        "document/not-openapi-at-all",
        {"asyncapi": "2.6.0", "channels": {}},
        v2(_pet({"name": "Tom"})),
        False,
        (("spec.invalid", "[root]", "not OpenAPI 3.0, 3.1 or Swagger 2.0"),),
    ),
]

SWAGGER_YAML = """
swagger: "2.0"
info: {title: Orders, version: "1"}
consumes: [application/json]
paths:
  /orders:
    post:
      parameters:
        - {name: tags, in: query, type: array, items: {type: integer}, collectionFormat: csv}
        - name: order
          in: body
          required: true
          schema: {$ref: '#/definitions/Order'}
      responses:
        201: {description: made, schema: {$ref: '#/definitions/Order'}}
definitions:
  Order:
    type: object
    required: [sku]
    properties:
      sku: {type: string}
      quantity: {type: integer, minimum: 1}
"""


def _order(body: Any, tags: str) -> Http:
    return Http(
        "POST",
        "/orders",
        201,
        query={"tags": [tags]},
        request_headers={"Content-Type": "application/json"},
        request_body=body,
        response_body={"sku": "a"},
    )


CASES += [
    Case(
        "document/swagger-2.0-yaml-body-and-csv-query",
        SWAGGER_YAML,
        v2(_order({"sku": "a", "quantity": 2}, "1,2"), _order({"quantity": 0}, "1,x")),
        False,
        (
            ("request.query.incompatible", at(1, "request.query.tags.1"), "must be integer"),
            (
                "request.body.incompatible",
                at(1, "request.body"),
                "must have required property 'sku'",
            ),
            ("request.body.incompatible", at(1, "request.body.quantity"), "must be >= 1"),
        ),
        content_type="application/x-yaml",
    ),
    Case(
        "schema/all-of-with-a-one-of-part-uses-unevaluated-properties",
        oas31(
            {
                "/pet": get(
                    {
                        "allOf": [
                            ref("Named"),
                            {"oneOf": [ref("Cat"), ref("Dog")]},
                        ]
                    }
                )
            },
            {"Named": obj(["name"], name=S), **PETS},
        ),
        v3(
            _pet({"name": "Tom", "kind": "cat", "lives": 9}),
            _pet({"name": "Rex", "kind": "dog", "barks": True, "colour": "brown"}),
        ),
        False,
        (
            (
                "response.body.incompatible",
                at(1, "response.body.colour"),
                "must NOT have unevaluated properties - colour",
            ),
        ),
    ),
]
