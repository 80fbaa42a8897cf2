"""One integration's pact lists (all, by tag, by branch, main branch, latest), its previous
distinct pact and diffs, and a provider's provider states.

Registered before ``pacts``: the specific ``/branch/versions`` and ``/branch/latest/versions``
paths must win over ``/branch/{branch}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.deps import DB, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.representations import pact as pact_repr
from pact_pipeline.broker.api.representations import pact_lists as lists_repr
from pact_pipeline.broker.services import integration_pacts as svc
from pact_pipeline.broker.services.integration_pacts import PactListFilter
from pact_pipeline.broker.services.pacts import PactView

router = APIRouter(route_class=RawPathRoute, tags=["pacts"])

INTEGRATION = "/pacts/provider/{provider}/consumer/{consumer}"
PLAIN_TEXT = "text/plain;charset=utf-8"
"""The diffs answer text, as the Pact Broker does (so they are left out of the OpenAPI
document, which describes HAL resources)."""


def _list(
    request: Request,
    db: DB,
    links: LinksDep,
    provider: str,
    consumer: str,
    which: PactListFilter,
    title: str,
) -> Response:
    def present(pubs: Any) -> dict[str, Any]:
        return lists_repr.pact_versions(links, consumer, provider, pubs, str(request.url), title)

    return hal(request, svc.integration_pacts(db, consumer, provider, which, present))


def _between(consumer: str, provider: str) -> str:
    return f"the pact between {consumer} and {provider}"


@router.get(f"{INTEGRATION}/versions")
def all_pact_versions(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    title = f"All versions of {_between(consumer, provider)}"
    return _list(request, db, links, provider, consumer, PactListFilter(), title)


@router.get(f"{INTEGRATION}/tag/{{tag}}")
def tagged_pact_versions(
    request: Request, provider: str, consumer: str, tag: str, db: DB, links: LinksDep
) -> Response:
    title = f"All versions of {_between(consumer, provider)} with tag {tag}"
    return _list(request, db, links, provider, consumer, PactListFilter(tag=tag), title)


@router.get(f"{INTEGRATION}/branch/versions")
def main_branch_pact_versions(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    title = f"All versions of {_between(consumer, provider)} from the consumer's main branch"
    which = PactListFilter(main_branch=True)
    return _list(request, db, links, provider, consumer, which, title)


@router.get(f"{INTEGRATION}/branch/latest/versions")
def latest_main_branch_pact_versions(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    title = f"Latest version of {_between(consumer, provider)} from the consumer's main branch"
    which = PactListFilter(main_branch=True, latest=True)
    return _list(request, db, links, provider, consumer, which, title)


@router.get(f"{INTEGRATION}/branch/{{branch}}")
def branch_pact_versions(
    request: Request, provider: str, consumer: str, branch: str, db: DB, links: LinksDep
) -> Response:
    title = f"All versions of {_between(consumer, provider)} from consumer branch {branch}"
    return _list(request, db, links, provider, consumer, PactListFilter(branch=branch), title)


@router.get(f"{INTEGRATION}/branch/{{branch}}/latest/versions")
def latest_branch_pact_versions(
    request: Request, provider: str, consumer: str, branch: str, db: DB, links: LinksDep
) -> Response:
    title = f"Latest version of {_between(consumer, provider)} from consumer branch {branch}"
    which = PactListFilter(branch=branch, latest=True)
    return _list(request, db, links, provider, consumer, which, title)


@router.get(f"{INTEGRATION}/version/{{number}}/previous-distinct")
def previous_distinct(
    request: Request, provider: str, consumer: str, number: str, db: DB, links: LinksDep
) -> Response:
    def present(view: PactView) -> dict[str, Any]:
        return pact_repr.pact(links, view)

    return hal(request, svc.previous_distinct(db, consumer, provider, number, present))


@router.get(f"{INTEGRATION}/version/{{number}}/diff/previous-distinct", include_in_schema=False)
def diff_previous_distinct(provider: str, consumer: str, number: str, db: DB) -> Response:
    text = svc.diff_previous_distinct(db, consumer, provider, number)
    return Response(text, media_type=PLAIN_TEXT)


@router.get(f"{INTEGRATION}/version/{{number}}/diff/version/{{other}}", include_in_schema=False)
def diff_consumer_versions(
    provider: str, consumer: str, number: str, other: str, db: DB
) -> Response:
    text = svc.diff_consumer_versions(db, consumer, provider, number, other)
    return Response(text, media_type=PLAIN_TEXT)


@router.get(
    f"{INTEGRATION}/pact-version/{{sha}}/diff/pact-version/{{other}}", include_in_schema=False
)
def diff_pact_versions(provider: str, consumer: str, sha: str, other: str, db: DB) -> Response:
    text = svc.diff_pact_versions(db, consumer, provider, sha, other)
    return Response(text, media_type=PLAIN_TEXT)


@router.get("/pacts/provider/{provider}/provider-states")
def provider_states(request: Request, provider: str, db: DB) -> Response:
    return hal(request, svc.provider_states(db, provider, lists_repr.provider_states))


@router.get("/pacts/provider/{provider}/provider-states/branch/{branch}")
def provider_states_for_branch(request: Request, provider: str, branch: str, db: DB) -> Response:
    body = svc.provider_states(db, provider, lists_repr.provider_states, branch=branch)
    return hal(request, body)


@router.get("/pacts/provider/{provider}/provider-states/environment/{uuid}")
def provider_states_for_environment(request: Request, provider: str, uuid: str, db: DB) -> Response:
    body = svc.provider_states(db, provider, lists_repr.provider_states, environment_uuid=uuid)
    return hal(request, body)
