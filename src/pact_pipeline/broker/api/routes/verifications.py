"""Verification results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from pact_pipeline.broker.api.contracts.verifications import verification_command
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep
from pact_pipeline.broker.api.http import PLAIN_JSON, RawPathRoute, hal
from pact_pipeline.broker.api.representations import verification as verification_repr
from pact_pipeline.broker.services import verifications as svc
from pact_pipeline.broker.services.pacts_for_verification import decode_metadata

router = APIRouter(route_class=RawPathRoute, tags=["verifications"])

# Verification numbers count from 1; the bound keeps a client's number inside the database's
# integer range (a larger one would overflow the query instead of finding nothing).
VerificationNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _publish(
    request: Request,
    provider: str,
    consumer: str,
    sha: str | None,
    metadata: str | None,
    body: dict[str, Any],
    db: DB,
    links: LinksDep,
) -> Response:
    command = verification_command(body)
    rendered = svc.publish_verification(
        db,
        provider_name=provider,
        consumer_name=consumer,
        sha=sha,
        metadata=decode_metadata(metadata),
        command=command,
        present=lambda v: verification_repr.verification(links, v),
        on_published=request.app.state.hooks.bind(links).on_verification_published,
    )
    location = {"Location": rendered["_links"]["self"]["href"]}
    return hal(request, rendered, 201, location, default_media_type=PLAIN_JSON)


@router.post(
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results"
)
def publish(
    request: Request,
    provider: str,
    consumer: str,
    sha: str,
    body: JsonObject,
    db: DB,
    links: LinksDep,
) -> Response:
    return _publish(request, provider, consumer, sha, None, body, db, links)


@router.post(
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{metadata}/verification-results"
)
def publish_with_metadata(
    request: Request,
    provider: str,
    consumer: str,
    sha: str,
    metadata: str,
    body: JsonObject,
    db: DB,
    links: LinksDep,
) -> Response:
    return _publish(request, provider, consumer, sha, metadata, body, db, links)


@router.post("/pacts/provider/{provider}/consumer/{consumer}/verification-results")
def publish_for_latest(
    request: Request, provider: str, consumer: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    """Results for the integration's latest pact (published to its stable URL)."""
    return _publish(request, provider, consumer, None, None, body, db, links)


@router.get(
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/latest"
)
def latest(
    request: Request, provider: str, consumer: str, sha: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.get_verification(
            db,
            provider_name=provider,
            consumer_name=consumer,
            sha=sha,
            number=None,
            present=lambda v: verification_repr.verification(links, v),
        ),
    )


@router.get(
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/{number}"
)
def by_number(
    request: Request,
    provider: str,
    consumer: str,
    sha: str,
    number: VerificationNumber,
    db: DB,
    links: LinksDep,
) -> Response:
    return hal(
        request,
        svc.get_verification(
            db,
            provider_name=provider,
            consumer_name=consumer,
            sha=sha,
            number=number,
            present=lambda v: verification_repr.verification(links, v),
        ),
    )


@router.get("/pacts/provider/{provider}/consumer/{consumer}/latest/verification-results/latest")
def latest_for_latest_pact(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.latest_verification_for_latest_pact(
            db,
            provider_name=provider,
            consumer_name=consumer,
            present=lambda v: verification_repr.verification(links, v),
        ),
    )


@router.get(
    "/pacts/provider/{provider}/consumer/{consumer}/latest/{tag}/verification-results/latest"
)
def latest_for_latest_tagged_pact(
    request: Request, provider: str, consumer: str, tag: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.latest_verification_for_latest_pact(
            db,
            provider_name=provider,
            consumer_name=consumer,
            tag=tag,
            present=lambda v: verification_repr.verification(links, v),
        ),
    )


@router.get(
    "/pacts/provider/{provider}/consumer/{consumer}/version/{number}/verification-results/latest"
)
def latest_for_pact_of_version(
    request: Request, provider: str, consumer: str, number: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.latest_verification_for_latest_pact(
            db,
            provider_name=provider,
            consumer_name=consumer,
            consumer_version=number,
            present=lambda v: verification_repr.verification(links, v),
        ),
    )


# GET /verification-results/consumer/{consumer}/version/{number}/latest (Ruby's summary of
# the version's latest results) is served by ``routes/version_lists.py``.
