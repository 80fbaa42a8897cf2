"""Publishing and reading pacts, and pacts for verification."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.contracts.checks import (
    check_path_name,
)
from pact_pipeline.broker.api.contracts.pact_content import check_pact_content
from pact_pipeline.broker.api.contracts.pacts_for_verification import verification_query
from pact_pipeline.broker.api.contracts.paging import Paging
from pact_pipeline.broker.api.contracts.publish_contracts import publish_command
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep, SettingsDep
from pact_pipeline.broker.api.http import PLAIN_JSON, RawPathRoute, hal
from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations import pact as pact_repr
from pact_pipeline.broker.api.representations import pacts_for_verification as verification_repr
from pact_pipeline.broker.api.representations import publication as publication_repr
from pact_pipeline.broker.api.representations.paging import with_page
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import Pacticipant, PactPublication
from pact_pipeline.broker.paging import Page, PageRequest
from pact_pipeline.broker.services import pacts as svc
from pact_pipeline.broker.services import pacts_for_verification as vsvc
from pact_pipeline.broker.settings import Settings

router = APIRouter(route_class=RawPathRoute, tags=["pacts"])


# --- publish ------------------------------------------------------------------------------------


@router.post("/contracts/publish")
def publish_contracts(
    request: Request, body: JsonObject, db: DB, links: LinksDep, settings: SettingsDep
) -> Response:
    command = publish_command(body, max_json_depth=settings.max_json_depth)
    result = svc.publish_contracts(
        db,
        command,
        lambda outcome: publication_repr.publish_result(links, outcome),
        allow_dangerous=settings.allow_dangerous_contract_modification,
        on_published=request.app.state.hooks.bind(links).on_pact_published,
        first_tag_as_branch_within=request.app.state.hooks.first_tag_as_branch_within,
        duplicate_names_check=_duplicate_names_check(settings, links),
    )
    return hal(request, result, 200)


@router.get("/pacts/latest")
def latest_pacts(request: Request, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.all_latest_pacts(db, lambda pubs: pact_repr.latest_pacts(links, pubs)))


# --- pacts for verification ---------------------------------------------------------------------


@router.get("/pacts/provider/{provider}/for-verification")
def for_verification_link(request: Request, provider: str, db: DB, links: LinksDep) -> Response:
    """The verifier GETs this first, for the ``self`` link it then POSTs its selectors to."""
    vsvc.require_provider(db, provider)
    body = verification_repr.for_verification_link(links, provider)
    return hal(request, body, default_media_type=PLAIN_JSON)


@router.post("/pacts/provider/{provider}/for-verification")
def for_verification(
    request: Request, provider: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    query = verification_query(body)
    rendered = vsvc.pacts_for_verification(
        db, provider, query, lambda result: verification_repr.for_verification(links, result)
    )
    return hal(request, rendered, default_media_type=PLAIN_JSON)


# --- provider pact lists ------------------------------------------------------------------------


def _pact_list(
    request: Request,
    db: DB,
    links: LinksDep,
    provider: str,
    title: str,
    *,
    newest_per_consumer: bool = False,
    tag: str | None = None,
    branch: str | None = None,
    main_branch: bool = False,
    page: PageRequest | None = None,
) -> Response:
    """A provider's pacts filtered by consumer version, as a list of links.

    ``newest_per_consumer`` without a branch filter asks for each consumer's newest pact (with
    ``tag``, the newest with that tag); otherwise every matching pact, or with a branch filter
    and ``newest_per_consumer`` the newest of each consumer on that branch. The lists of every
    matching pact are paged on request (``page``).
    """

    def present(found: Pacticipant, pubs: Sequence[PactPublication]) -> dict[str, Any]:
        return pact_repr.provider_pacts(links, found, pubs, str(request.url), title)

    def present_page(found: Pacticipant, pubs: Page[PactPublication]) -> dict[str, Any]:
        query = request.query_params.multi_items()
        return with_page(present(found, pubs.items), pubs.info, str(request.url), query)

    if newest_per_consumer and branch is None and not main_branch:
        body = svc.latest_provider_pacts(db, provider, present, tag=tag)
    else:
        body = svc.provider_pacts(
            db,
            provider,
            present_page,
            tag=tag,
            branch=branch,
            main_branch=main_branch,
            latest=newest_per_consumer,
            page=page,
        )
    return hal(request, body)


@router.get("/pacts/provider/{provider}/latest")
def latest_provider_pacts(request: Request, provider: str, db: DB, links: LinksDep) -> Response:
    title = f"Latest pact versions for the provider {provider}"
    return _pact_list(request, db, links, provider, title, newest_per_consumer=True)


@router.get("/pacts/provider/{provider}/latest/{tag}")
def latest_provider_pacts_with_tag(
    request: Request, provider: str, tag: str, db: DB, links: LinksDep
) -> Response:
    title = f"Latest pact versions for the provider {provider} with consumer version tag '{tag}'"
    return _pact_list(request, db, links, provider, title, newest_per_consumer=True, tag=tag)


@router.get("/pacts/provider/{provider}")
def provider_pacts(
    request: Request, provider: str, db: DB, links: LinksDep, page: Paging
) -> Response:
    title = f"All pact versions for the provider {provider}"
    return _pact_list(request, db, links, provider, title, page=page)


@router.get("/pacts/provider/{provider}/tag/{tag}")
def provider_pacts_with_tag(
    request: Request, provider: str, tag: str, db: DB, links: LinksDep, page: Paging
) -> Response:
    title = f"All pact versions for the provider {provider} with consumer version tag '{tag}'"
    return _pact_list(request, db, links, provider, title, tag=tag, page=page)


@router.get("/pacts/provider/{provider}/branch")
def provider_pacts_main_branch(
    request: Request, provider: str, db: DB, links: LinksDep, page: Paging
) -> Response:
    title = "Pacts from the consumers' main branches"
    return _pact_list(request, db, links, provider, title, main_branch=True, page=page)


@router.get("/pacts/provider/{provider}/branch/latest")
def latest_provider_pacts_main_branch(
    request: Request, provider: str, db: DB, links: LinksDep
) -> Response:
    title = "Latest pacts from the consumers' main branches"
    return _pact_list(
        request, db, links, provider, title, main_branch=True, newest_per_consumer=True
    )


@router.get("/pacts/provider/{provider}/branch/{branch}")
def provider_pacts_branch(
    request: Request, provider: str, branch: str, db: DB, links: LinksDep, page: Paging
) -> Response:
    title = f"Pacts from consumer branch {branch}"
    return _pact_list(request, db, links, provider, title, branch=branch, page=page)


@router.get("/pacts/provider/{provider}/branch/{branch}/latest")
def latest_provider_pacts_branch(
    request: Request, provider: str, branch: str, db: DB, links: LinksDep
) -> Response:
    title = f"Latest pacts from consumer branch {branch}"
    return _pact_list(request, db, links, provider, title, branch=branch, newest_per_consumer=True)


# --- one integration ----------------------------------------------------------------------------


def _pact_response(request: Request, body: dict[str, Any], status: int = 200) -> Response:
    return hal(request, body, status, {"X-Pact-Consumer-Version": _consumer_version_of(body)})


def _consumer_version_of(body: dict[str, Any]) -> str:
    """The consumer version for the header, as it is (UTF-8) unless a header value cannot hold
    it (control characters, whitespace at either end): then percent-encoded."""
    number = str(body.get("_links", {}).get("pb:consumer-version", {}).get("name", ""))
    if number.isprintable() and number == number.strip():
        return number
    return quote(number, safe="")


@router.get("/pacts/provider/{provider}/consumer/{consumer}/version/{number}")
def get_pact(
    request: Request, provider: str, consumer: str, number: str, db: DB, links: LinksDep
) -> Response:
    return _pact_response(
        request,
        svc.get_pact_for_version(
            db, consumer, provider, number, lambda view: pact_repr.pact(links, view)
        ),
    )


def _store(
    request: Request,
    provider: str,
    consumer: str,
    number: str,
    body: dict[str, Any],
    db: DB,
    links: LinksDep,
    settings: SettingsDep,
    *,
    merge: bool,
) -> Response:
    for field, value in (("provider", provider), ("consumer", consumer), ("version", number)):
        check_path_name(field, value)
    check_pact_content(body)
    created, rendered = svc.put_pact(
        db,
        consumer_name=consumer,
        provider_name=provider,
        version_number=number,
        content=body,
        merge=merge,
        allow_dangerous=settings.allow_dangerous_contract_modification,
        present=lambda view, created: (created, pact_repr.pact(links, view)),
        on_published=request.app.state.hooks.bind(links).on_pact_published,
        duplicate_names_check=_duplicate_names_check(settings, links),
    )
    return _pact_response(request, rendered, 201 if created else 200)


def _duplicate_names_check(settings: Settings, links: Links) -> str | None:
    """The base URL the duplicate-name advice names, when the check is on."""
    return links.base if settings.check_for_potential_duplicate_pacticipant_names else None


@router.put("/pacts/provider/{provider}/consumer/{consumer}/version/{number}")
def put_pact(
    request: Request,
    provider: str,
    consumer: str,
    number: str,
    body: JsonObject,
    db: DB,
    links: LinksDep,
    settings: SettingsDep,
) -> Response:
    return _store(request, provider, consumer, number, body, db, links, settings, merge=False)


@router.patch("/pacts/provider/{provider}/consumer/{consumer}/version/{number}")
def patch_pact(
    request: Request,
    provider: str,
    consumer: str,
    number: str,
    body: JsonObject,
    db: DB,
    links: LinksDep,
    settings: SettingsDep,
) -> Response:
    return _store(request, provider, consumer, number, body, db, links, settings, merge=True)


@router.delete("/pacts/provider/{provider}/consumer/{consumer}/version/{number}")
def delete_pact(
    request: Request, provider: str, consumer: str, number: str, db: DB, links: LinksDep
) -> Response:
    svc.delete_pact_for_version(db, consumer, provider, number)
    return hal(request, pact_repr.pact_deleted(links, provider, consumer))


@router.get("/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}")
def get_pact_version(
    request: Request, provider: str, consumer: str, sha: str, db: DB, links: LinksDep
) -> Response:
    return _pact_response(
        request,
        svc.get_pact_version(
            db,
            consumer,
            provider,
            sha,
            lambda view: pact_repr.pact(
                links, view, self_href=links.pact_version(provider, consumer, sha)
            ),
        ),
    )


@router.get("/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{metadata}")
def get_pact_version_with_metadata(
    request: Request, provider: str, consumer: str, sha: str, metadata: str, db: DB, links: LinksDep
) -> Response:
    return _pact_response(
        request,
        svc.get_pact_version(
            db,
            consumer,
            provider,
            sha,
            lambda view: pact_repr.pact(
                links,
                view,
                metadata=metadata,
                self_href=links.pact_version(provider, consumer, sha, metadata),
            ),
        ),
    )


@router.get("/pacts/provider/{provider}/consumer/{consumer}/latest")
# The integration's stable, version-less URL serves the same newest pact.
@router.get("/pacts/provider/{provider}/consumer/{consumer}")
def latest_pact(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    return _latest_pact(request, db, links, provider, consumer)


@router.get("/pacts/provider/{provider}/consumer/{consumer}/latest-untagged")
def latest_untagged_pact(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    return _latest_pact(request, db, links, provider, consumer, untagged=True)


@router.get("/pacts/provider/{provider}/consumer/{consumer}/latest/{tag}")
def latest_tagged_pact(
    request: Request, provider: str, consumer: str, tag: str, db: DB, links: LinksDep
) -> Response:
    return _latest_pact(request, db, links, provider, consumer, tag=tag)


@router.get("/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}/latest")
def latest_branch_pact(
    request: Request, provider: str, consumer: str, branch: str, db: DB, links: LinksDep
) -> Response:
    return _latest_pact(request, db, links, provider, consumer, branch=branch)


def _latest_pact(
    request: Request,
    db: Database,
    links: Links,
    provider: str,
    consumer: str,
    *,
    untagged: bool = False,
    tag: str | None = None,
    branch: str | None = None,
) -> Response:
    """The integration's newest pact: of all, the untagged, with a tag, or on a branch."""
    pact = svc.get_latest_pact(
        db,
        consumer,
        provider,
        partial(pact_repr.pact, links),
        untagged=untagged,
        tag=tag,
        branch=branch,
    )
    return _pact_response(request, pact)
