"""A provider contract compiled once: its routes, its two schema views and their validators."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pact_pipeline.broker.bdct.documents import first_problem, load_document, openapi_version
from pact_pipeline.broker.bdct.operations import compile_operations
from pact_pipeline.broker.bdct.routes import Router
from pact_pipeline.broker.bdct.swagger import normalize_swagger
from pact_pipeline.broker.bdct.validation import View
from pact_pipeline.broker.bdct.views import request_view, response_view


@dataclass(frozen=True)
class ProviderContract:
    """An OpenAPI document ready for comparisons (parse it with [`parse_contract`][]).

    ``problem`` is set when the document is not a valid OpenAPI 3.0/3.1 or Swagger 2.0
    description; every comparison then reports it and nothing else.
    """

    document: Mapping[str, Any]
    version: str | None
    problem: str | None = None
    router: Router = field(default_factory=lambda: Router(()))
    requests: View | None = None
    responses: View | None = None
    #: ``info.x-opc-config-no-authorization-schema`` (default true, as on PactFlow): only
    #: the presence of ``Authorization`` is checked, not its scheme.
    presence_only_authorization: bool = True


def parse_contract(content: str | bytes, content_type: str | None = None) -> ProviderContract:
    """Parse (JSON or YAML, whichever the content type says or the text is; `application/yaml`,
    `application/yml`, `application/x-yaml`, `text/yaml`, `application/json`, None = sniff)
    and compile once: routes, the request view and the closed response view, cached
    validators.

    Raises [`ContractDocumentError`][pact_pipeline.broker.bdct.documents.ContractDocumentError]
    only when the text cannot be parsed into a mapping. A mapping that is not a valid
    OpenAPI 3.0/3.1 (or Swagger 2.0) document does not raise: the contract records the
    problem and every comparison reports it (``spec.invalid``).
    """
    return contract_from_document(load_document(content, content_type))


def server_paths(document: Mapping[str, Any]) -> list[str]:
    """The path parts of the document's ``servers`` URLs (``https://api.example.com/v1`` and
    ``/v1`` give ``/v1``): a pact recorded against the server's URL calls them with it."""
    servers = document.get("servers")
    paths: list[str] = []
    for server in servers if isinstance(servers, list) else []:
        url = server.get("url") if isinstance(server, Mapping) else None
        if isinstance(url, str) and "{" not in url:
            path = urlsplit(url).path.strip("/")
            if path and f"/{path}" not in paths:
                paths.append(f"/{path}")
    return paths


def contract_from_document(document: Mapping[str, Any]) -> ProviderContract:
    """Compile an already parsed document (see [`parse_contract`][])."""
    version = openapi_version(document)
    problem = first_problem(document, version)
    if problem is not None:
        return ProviderContract(document=document, version=version, problem=problem)
    info = document.get("info")
    info = info if isinstance(info, Mapping) else {}
    base_path = str(info.get("x-opc-config-base-path") or "")
    if version == "2.0":
        shaped = normalize_swagger(document)
        base_paths = [base_path or str(document.get("basePath") or "")]
    else:
        shaped = dict(document)
        base_paths = [base_path] if base_path else ["", *server_paths(document)]
    legacy = version in ("2.0", "3.0")
    try:
        router = Router(compile_operations(shaped), base_paths)
        requests = View(request_view(shaped, legacy), "urn:bdct:request")
        responses = View(response_view(shaped, legacy), "urn:bdct:response")
    except RecursionError:
        problem = "the document's schemas nest too deeply to compile"
        return ProviderContract(document=document, version=version, problem=problem)
    return ProviderContract(
        document=document,
        version=version,
        router=router,
        requests=requests,
        responses=responses,
        presence_only_authorization=info.get("x-opc-config-no-authorization-schema") is not False,
    )
