"""The broker's OpenAPI document: FastAPI's, completed with what the routes read by hand.

Routes read JSON bodies and the matrix's Rack-style query through dependencies, so FastAPI's
generated document has neither; and it describes FastAPI's own 422 validation errors, which the
broker never sends (it answers 400 with the Ruby broker's ``errors`` body). This module adds the
request bodies of the write endpoints and the matrix parameters, and states the responses as
the broker gives them: a HAL object on success (or 204), an ``error``/``errors`` object on 4xx.
A fuzzer driven by the document (schemathesis, in the tests) then exercises the bodies too.
"""

from __future__ import annotations

from typing import Any

JSONSchema = dict[str, Any]

MEDIA_TYPES = ("application/hal+json", "application/json")

NAME: JSONSchema = {"type": "string", "minLength": 1, "maxLength": 255}
URL: JSONSchema = {"type": "string", "format": "uri", "maxLength": 2048}
NAME_OBJECT: JSONSchema = {"type": "object", "properties": {"name": NAME}, "required": ["name"]}

ERROR: JSONSchema = {
    "title": "Error",
    "description": "A Ruby-broker-style error: a message, or messages per field.",
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "errors": {"type": ["object", "array"]},
        "notices": {"type": "array"},
    },
    "anyOf": [{"required": ["error"]}, {"required": ["errors"]}],
}

PACT: JSONSchema = {
    "type": "object",
    "properties": {
        "consumer": NAME_OBJECT,
        "provider": NAME_OBJECT,
        "interactions": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "providerState": {"type": "string"},
                    "request": {
                        "type": "object",
                        "properties": {
                            "method": {"enum": ["GET", "POST", "PUT", "DELETE"]},
                            "path": {"type": "string"},
                        },
                        "required": ["method", "path"],
                    },
                    "response": {
                        "type": "object",
                        "properties": {"status": {"type": "integer"}},
                        "required": ["status"],
                    },
                },
                "required": ["description", "request", "response"],
            },
        },
        "metadata": {"type": "object"},
    },
    "required": ["consumer", "provider"],
}

PUBLISH: JSONSchema = {
    "type": "object",
    "properties": {
        "pacticipantName": NAME,
        "pacticipantVersionNumber": NAME,
        "branch": NAME,
        "tags": {"type": "array", "items": NAME, "maxItems": 3},
        "buildUrl": URL,
        "contracts": {
            "type": "array",
            "minItems": 1,
            "maxItems": 2,
            "items": {
                "type": "object",
                "properties": {
                    "consumerName": NAME,
                    "providerName": NAME,
                    "specification": {"enum": ["pact"]},
                    "contentType": {"enum": ["application/json"]},
                    "content": {"type": "string", "format": "byte"},
                    "onConflict": {"enum": ["overwrite", "merge"]},
                },
                "required": [
                    "consumerName",
                    "providerName",
                    "specification",
                    "contentType",
                    "content",
                ],
            },
        },
    },
    "required": ["pacticipantName", "pacticipantVersionNumber", "contracts"],
}

PACTICIPANT: JSONSchema = {
    "type": "object",
    "properties": {
        "name": NAME,
        "displayName": NAME,
        "mainBranch": NAME,
        "repositoryUrl": {**URL, "maxLength": 1024},
        "repositoryName": NAME,
        "repositoryNamespace": NAME,
    },
}

VERSION: JSONSchema = {
    "type": "object",
    "properties": {
        "branch": NAME,
        "buildUrl": URL,
        "tags": {"type": "array", "maxItems": 3, "items": {"anyOf": [NAME, NAME_OBJECT]}},
    },
}

SELECTOR: JSONSchema = {
    "type": "object",
    "properties": {
        "mainBranch": {"type": "boolean"},
        "branch": NAME,
        "matchingBranch": {"type": "boolean"},
        "fallbackBranch": NAME,
        "tag": NAME,
        "fallbackTag": NAME,
        "latest": {"type": "boolean"},
        "consumer": NAME,
        "deployed": {"type": "boolean"},
        "released": {"type": "boolean"},
        "deployedOrReleased": {"type": "boolean"},
        "environment": NAME,
    },
    "additionalProperties": False,
}

FOR_VERIFICATION: JSONSchema = {
    "type": "object",
    "properties": {
        "consumerVersionSelectors": {"type": "array", "items": SELECTOR, "maxItems": 3},
        "providerVersionBranch": NAME,
        "providerVersionTags": {"type": "array", "items": NAME, "maxItems": 3},
        "includePendingStatus": {"type": "boolean"},
        "includeWipPactsSince": {"type": "string", "format": "date-time"},
    },
}

VERIFICATION: JSONSchema = {
    "type": "object",
    "properties": {
        "success": {"type": "boolean"},
        "providerApplicationVersion": NAME,
        "buildUrl": URL,
        "testResults": {"type": "array", "maxItems": 2},
        "verifiedBy": {"type": "object"},
    },
    "required": ["success", "providerApplicationVersion"],
}

ENVIRONMENT: JSONSchema = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^ ]+$"},
        "displayName": NAME,
        "production": {"type": "boolean"},
        "contacts": {
            "type": "array",
            "maxItems": 2,
            "items": {
                "type": "object",
                "properties": {"name": NAME, "details": {"type": "object"}},
                "required": ["name"],
            },
        },
    },
    "required": ["name", "production"],
}

DEPLOYMENT: JSONSchema = {
    "type": "object",
    "properties": {"applicationInstance": NAME, "target": NAME},
}

WEBHOOK_PARTY: JSONSchema = {
    "type": "object",
    "properties": {"name": NAME, "label": NAME},
    "maxProperties": 1,
}

WEBHOOK: JSONSchema = {
    "type": "object",
    "properties": {
        "description": {"type": "string", "maxLength": 1024},
        "consumer": WEBHOOK_PARTY,
        "provider": WEBHOOK_PARTY,
        "enabled": {"type": "boolean"},
        "events": {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "name": {
                        "enum": [
                            "contract_published",
                            "contract_content_changed",
                            "provider_verification_published",
                            "provider_verification_succeeded",
                            "provider_verification_failed",
                            "contract_requiring_verification_published",
                        ]
                    }
                },
                "required": ["name"],
            },
        },
        "request": {
            "type": "object",
            "properties": {
                "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
                "url": URL,
                "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                "body": {},
            },
            "required": ["method", "url"],
        },
    },
    "required": ["request"],
}


def _flag(key: str) -> JSONSchema:
    return {"type": "object", "properties": {key: {"type": "boolean"}}}


VERIFICATION_PATHS = (
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results",
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{metadata}"
    "/verification-results",
    "/pacts/provider/{provider}/consumer/{consumer}/verification-results",
)
WEBHOOK_PATHS = (
    "/webhooks",
    "/webhooks/provider/{provider}/consumer/{consumer}",
    "/webhooks/provider/{provider}",
    "/webhooks/consumer/{consumer}",
)
PACT_PATH = "/pacts/provider/{provider}/consumer/{consumer}/version/{number}"
VERSION_PATH = "/pacticipants/{name}/versions/{number}"
DEPLOYMENT_PATH = "/pacticipants/{name}/versions/{number}/deployed-versions/environment/{uuid}"

REQUEST_BODIES: dict[tuple[str, str], JSONSchema] = {
    ("post", "/contracts/publish"): PUBLISH,
    ("post", "/pacticipants"): {**PACTICIPANT, "required": ["name"]},
    ("patch", "/pacticipants/{name}"): PACTICIPANT,
    ("put", "/pacticipants/{name}"): PACTICIPANT,
    ("put", VERSION_PATH): VERSION,
    ("patch", VERSION_PATH): VERSION,
    ("put", PACT_PATH): PACT,
    ("patch", PACT_PATH): PACT,
    ("post", "/pacts/provider/{provider}/for-verification"): FOR_VERIFICATION,
    ("post", "/environments"): ENVIRONMENT,
    ("put", "/environments/{uuid}"): ENVIRONMENT,
    ("post", DEPLOYMENT_PATH): DEPLOYMENT,
    ("patch", "/deployed-versions/{uuid}"): _flag("currentlyDeployed"),
    ("patch", "/released-versions/{uuid}"): _flag("currentlySupported"),
    ("put", "/webhooks/{uuid}"): WEBHOOK,
    **{("post", path): VERIFICATION for path in VERIFICATION_PATHS},
    **{("post", path): WEBHOOK for path in WEBHOOK_PATHS},
}


def _query(name: str, schema: JSONSchema) -> JSONSchema:
    return {"name": name, "in": "query", "required": False, "schema": schema}


BOOLEAN_TEXT: JSONSchema = {"enum": ["true", "false"]}

QUERY_PARAMETERS: dict[tuple[str, str], list[JSONSchema]] = {
    # One selector's worth of the Rack-style query (q[][key]=value), enough to reach the rules.
    ("get", "/matrix"): [
        _query("q[][pacticipant]", NAME),
        _query("q[][version]", NAME),
        _query("q[][latest]", BOOLEAN_TEXT),
        _query("q[][branch]", NAME),
        _query("q[][tag]", NAME),
        _query("latestby", {"enum": ["cvpv", "cvp", "cp"]}),
        _query("latest", BOOLEAN_TEXT),
        _query("tag", NAME),
        _query("environment", NAME),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": 1_000_000}),
    ],
    ("get", "/can-i-deploy"): [
        _query("pacticipant", NAME),
        _query("version", NAME),
        _query("to", NAME),
        _query("environment", NAME),
    ],
}


def _responses(declared: dict[str, Any]) -> dict[str, Any]:
    error = {
        "description": "The request was refused: an Error body",
        "content": {m: {"schema": {"$ref": "#/components/schemas/Error"}} for m in MEDIA_TYPES},
    }
    if "204" in declared:
        return {"204": {"description": "Done; no content"}, "4XX": error}
    success = {
        "description": "A HAL resource",
        "content": {m: {"schema": {"type": "object"}} for m in MEDIA_TYPES},
    }
    return {"2XX": success, "4XX": error}


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Complete FastAPI's generated document in place (see the module docstring)."""
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            operation["responses"] = _responses(operation.get("responses", {}))
            body = REQUEST_BODIES.get((method, path))
            if body is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                }
            extra = QUERY_PARAMETERS.get((method, path))
            if extra:
                operation.setdefault("parameters", []).extend(extra)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    components["Error"] = ERROR
    return schema
