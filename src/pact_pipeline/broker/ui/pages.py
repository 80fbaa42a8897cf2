"""The pages: each handler reads what it shows through a service (the API's representation
where the resource has one) and renders a template."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pact_pipeline.broker.api.deps import get_db, get_links
from pact_pipeline.broker.api.http import RawPathRoute
from pact_pipeline.broker.api.links import Links, segment
from pact_pipeline.broker.api.representations import environment as environment_repr
from pact_pipeline.broker.api.representations import matrix as matrix_repr
from pact_pipeline.broker.api.representations import provider_contract as contract_repr
from pact_pipeline.broker.api.representations import webhook as webhook_repr
from pact_pipeline.broker.models import PactPublication
from pact_pipeline.broker.services import environments as environment_svc
from pact_pipeline.broker.services import matrix as matrix_svc
from pact_pipeline.broker.services import pacts as pact_svc
from pact_pipeline.broker.services import provider_contracts as contract_svc
from pact_pipeline.broker.services import versions_in_environments as placement_svc
from pact_pipeline.broker.services import webhooks as webhook_svc
from pact_pipeline.broker.services.pacts import PactView
from pact_pipeline.broker.services.pages import integrations, pacticipant, pacts
from pact_pipeline.broker.ui.advice import remedies
from pact_pipeline.broker.ui.graph import Edge, Node, render_graph
from pact_pipeline.broker.ui.pact_diff import pact_diff
from pact_pipeline.broker.ui.pact_view import pact_view
from pact_pipeline.broker.ui.render import page

router = APIRouter(route_class=RawPathRoute, include_in_schema=False)
PAGE_SIZE = 50
MATRIX_ROWS = 100


@router.get("/")
def home(request: Request, q: str = "") -> HTMLResponse:
    number = _int(request.query_params.get("page"), 1)
    data = integrations.integration_page(get_db(request), search=q, page=number, size=PAGE_SIZE)
    return page(request, "home.html", title="Integrations", data=data)


@router.get("/graph")
def graph(request: Request) -> HTMLResponse:
    links = get_links(request)
    net = integrations.network(get_db(request))
    svg = render_graph(
        [Node(name, links.pacticipant(name)) for name in net.pacticipants],
        [
            Edge(row.consumer, row.provider, row.status, _matrix_href(links, row))
            for row in net.integrations
        ],
    )
    return page(request, "graph.html", title="Network", svg=svg, network=net)


def _matrix_href(links: Links, row: integrations.IntegrationRow) -> str:
    return links.url("matrix", "provider", segment(row.provider), "consumer", segment(row.consumer))


@router.get("/pacticipants/{name}")
def pacticipant_page(request: Request, name: str) -> HTMLResponse:
    data = pacticipant.pacticipant_overview(get_db(request), name)
    return page(request, "pacticipant.html", title=name, data=data)


def _pact_page(view: PactView) -> dict[str, Any]:
    pub = view.publication
    document = _document(pub)
    return {
        "pub": {
            "consumer": pub.consumer.name,
            "provider": pub.provider.name,
            "version": pub.consumer_version.number,
            "branches": [bv.branch.name for bv in pub.consumer_version.branch_versions],
            "tags": [t.name for t in pub.consumer_version.tags],
            "sha": pub.pact_version.sha,
            "published_at": pub.created_at,
        },
        "verification": (
            {
                "success": view.latest_verification.success,
                "provider_version": view.latest_verification.provider_version.number,
                "number": view.latest_verification.number,
                "at": view.latest_verification.created_at,
            }
            if view.latest_verification is not None
            else None
        ),
        "view": pact_view(document),
    }


def _document(pub: PactPublication) -> dict[str, Any]:
    try:
        parsed = json.loads(pub.pact_version.content)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


@router.get("/pacts/provider/{provider}/consumer/{consumer}/version/{number}")
def pact_for_version(request: Request, provider: str, consumer: str, number: str) -> HTMLResponse:
    data = pact_svc.get_pact_for_version(get_db(request), consumer, provider, number, _pact_page)
    return _pact_response(request, data)


@router.get("/pacts/provider/{provider}/consumer/{consumer}/latest")
def latest_pact(request: Request, provider: str, consumer: str) -> HTMLResponse:
    data = pact_svc.get_latest_pact(get_db(request), consumer, provider, _pact_page)
    return _pact_response(request, data)


@router.get("/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}")
@router.get("/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{meta}")
def pact_version(
    request: Request, provider: str, consumer: str, sha: str, meta: str = ""
) -> HTMLResponse:
    del meta  # the verifier's metadata changes nothing a person sees
    data = pact_svc.get_pact_version(get_db(request), consumer, provider, sha, _pact_page)
    return _pact_response(request, data)


def _pact_response(request: Request, data: dict[str, Any]) -> HTMLResponse:
    """The pact page, with the provider contracts its content was compared with."""
    pub = data["pub"]
    compared = contract_svc.compared_contracts(
        get_db(request),
        consumer_name=pub["consumer"],
        provider_name=pub["provider"],
        sha=pub["sha"],
    )
    return page(
        request, "pact.html", title=f"{pub['consumer']} → {pub['provider']}", compared=compared,
        **data,
    )  # fmt: skip


def _diff_page(before: PactPublication | None, after: PactPublication) -> dict[str, Any]:
    def side(pub: PactPublication) -> dict[str, str]:
        return {"version": pub.consumer_version.number, "sha": pub.pact_version.sha}

    return {
        "consumer": after.consumer.name,
        "provider": after.provider.name,
        "before": side(before) if before is not None else None,
        "after": side(after),
        "diff": pact_diff(_document(before), _document(after)) if before is not None else None,
    }


@router.get(
    "/pacts/provider/{provider}/consumer/{consumer}/version/{number}/diff/previous-distinct"
)
def diff_previous_distinct(
    request: Request, provider: str, consumer: str, number: str
) -> HTMLResponse:
    data = pacts.with_previous_distinct(
        get_db(request), consumer, provider, number, lambda pub, prev: _diff_page(prev, pub)
    )
    return page(request, "diff.html", title=f"Diff: {consumer} → {provider}", **data)


@router.get(
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/diff/pact-version/{other}"
)
def diff_pact_versions(
    request: Request, provider: str, consumer: str, sha: str, other: str
) -> HTMLResponse:
    data = pacts.two_pact_versions(
        get_db(request), consumer, provider, (other, sha), lambda a, b: _diff_page(a, b)
    )
    return page(request, "diff.html", title=f"Diff: {consumer} → {provider}", **data)


@router.get("/matrix/provider/{provider}/consumer/{consumer}")
def matrix_page(request: Request, provider: str, consumer: str) -> HTMLResponse:
    links = get_links(request)
    query = matrix_svc.MatrixQuery(
        selectors=(matrix_svc.SelectorInput(consumer), matrix_svc.SelectorInput(provider)),
        limit=MATRIX_ROWS,
    )
    body = matrix_svc.matrix_query(
        get_db(request), query, lambda r, f: matrix_repr.matrix(links, r, f)
    )
    return page(
        request, "matrix.html", title=f"Matrix: {consumer} → {provider}",
        consumer=consumer, provider=provider, matrix=body,
    )  # fmt: skip


@router.get("/can-i-deploy")
def can_i_deploy_page(request: Request) -> HTMLResponse:
    params = request.query_params
    form = {k: params.get(k, "").strip() for k in ("pacticipant", "version", "environment")}
    links = get_links(request)
    db = get_db(request)
    environments = environment_svc.list_environments(db, lambda items: [e.name for e in items])
    answer = None
    if all(form.values()):
        query = matrix_svc.MatrixQuery(
            selectors=(matrix_svc.SelectorInput(form["pacticipant"], form["version"]),),
            latest_by="cvpv",
            environment=form["environment"],
        )
        answer = matrix_svc.matrix_query(db, query, lambda r, f: matrix_repr.matrix(links, r, f))
    advice = (
        remedies(answer, form, _versions_in(request, answer, form["environment"]))
        if answer is not None
        else []
    )
    return page(
        request, "can_i_deploy.html", title="Can I deploy?",
        form=form, environments=environments, answer=answer, advice=advice,
    )  # fmt: skip


def _versions_in(
    request: Request, answer: dict[str, Any], environment: str
) -> dict[str, list[str]]:
    """For each provider an unverified row is about, its versions in the environment."""
    db = get_db(request)
    uuids = environment_svc.list_environments(db, lambda items: {e.name: e.uuid for e in items})
    if environment not in uuids:
        return {}
    providers = {
        row["provider"]["name"]
        for row in answer.get("matrix") or []
        if row.get("verificationResult") is None
    }

    def numbers(_environment: Any, items: Sequence[Any]) -> list[str]:
        return [p.version.number for p in items]

    return {
        name: placement_svc.current_placements(
            db, placement_svc.DEPLOYED, uuids[environment], numbers, pacticipant_name=name
        )
        + placement_svc.current_placements(
            db, placement_svc.RELEASED, uuids[environment], numbers, pacticipant_name=name
        )
        for name in sorted(providers)
    }


@router.get("/environments")
def environments_page(request: Request) -> HTMLResponse:
    links = get_links(request)
    db = get_db(request)
    listing = environment_svc.list_environments(
        db, lambda items: [environment_repr.environment(links, e) for e in items]
    )
    placed = {e["uuid"]: _placements(request, e["uuid"]) for e in listing}
    return page(request, "environments.html", title="Environments", items=listing, placed=placed)


@router.get("/environments/{uuid}")
def environment_page(request: Request, uuid: str) -> HTMLResponse:
    links = get_links(request)
    body = environment_svc.get_environment(
        get_db(request), uuid, lambda e: environment_repr.environment(links, e)
    )
    return page(
        request, "environment.html", title=str(body.get("displayName") or body.get("name")),
        environment=body, placed=_placements(request, uuid),
    )  # fmt: skip


def _placements(request: Request, uuid: str) -> dict[str, list[dict[str, Any]]]:
    db = get_db(request)

    def rows(_environment: Any, items: Sequence[Any]) -> list[dict[str, Any]]:
        return [
            {
                "pacticipant": p.version.pacticipant.name,
                "version": p.version.number,
                "since": p.created_at,
                "target": getattr(p, "target", None),
            }
            for p in items
        ]

    return {
        "deployed": placement_svc.current_placements(db, placement_svc.DEPLOYED, uuid, rows),
        "released": placement_svc.current_placements(db, placement_svc.RELEASED, uuid, rows),
    }


@router.get("/webhooks")
def webhooks_page(request: Request) -> HTMLResponse:
    links = get_links(request)
    items = webhook_svc.list_webhooks(
        get_db(request), lambda ws: [webhook_repr.webhook(links, w) for w in ws]
    )
    return page(request, "webhooks.html", title="Webhooks", items=items)


@router.get("/webhooks/{uuid}")
def webhook_page(request: Request, uuid: str) -> HTMLResponse:
    links = get_links(request)
    db = get_db(request)
    body = webhook_svc.get_webhook(db, uuid, lambda w: webhook_repr.webhook(links, w))
    executions = webhook_svc.list_executions(
        db, uuid, lambda w, items: webhook_repr.executions(links, w, items[:20])
    )
    return page(
        request, "webhook.html", title=str(body.get("description") or "Webhook"),
        webhook=body, executions=executions["_embedded"]["executions"],
        request_json=json.dumps(body.get("request", {}), indent=2),
    )  # fmt: skip


@router.get(
    "/contracts/bi-directional/provider/{provider}/version/{provider_version}"
    "/consumer/{consumer}/version/{consumer_version}/cross-contract-verification-results"
)
def cross_contract_page(
    request: Request, provider: str, provider_version: str, consumer: str, consumer_version: str
) -> HTMLResponse:
    links = get_links(request)
    body = contract_svc.cross_contract_results(
        get_db(request),
        provider_name=provider,
        provider_version=provider_version,
        consumer_name=consumer,
        consumer_version=consumer_version,
        present=lambda view: contract_repr.cross_contract_results(links, view),
    )
    return page(
        request, "cross_contract.html",
        title=f"{consumer} {consumer_version} → {provider} {provider_version} (bi-directional)",
        results=body, compared=body["crossContractVerificationResults"],
        own=body["providerContractVerificationResults"], provider=provider,
        provider_version=provider_version, consumer=consumer, consumer_version=consumer_version,
    )  # fmt: skip


@router.get("/contracts/bi-directional/provider/{provider}/version/{version}/provider-contract")
@router.get("/contracts/provider/{provider}/version/{version}")
def provider_contract_page(request: Request, provider: str, version: str) -> HTMLResponse:
    links = get_links(request)
    body = contract_svc.get_provider_contract(
        get_db(request),
        provider,
        version,
        lambda view: contract_repr.provider_contract(links, view),
    )
    own = body["selfVerificationResults"]
    return page(
        request, "provider_contract.html", title=f"Provider contract of {provider} {version}",
        contract=body, own=own, own_report=decoded_report(own.get("content")),
        provider=provider, version=version,
    )  # fmt: skip


def decoded_report(content: Any) -> str | None:
    """A self-verification report as text (it is published base64-encoded), or None."""
    if not isinstance(content, str):
        return None
    try:
        return base64.b64decode(content, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def not_found(request: Request, message: str) -> Response:
    """A page for a resource that does not exist."""
    return page(request, "error.html", status_code=404, title="Not found", message=message)
