"""Status badges for READMEs, as the Ruby broker serves them (rendered here, not redirected to
shields.io): pact verification, matrix (tag to tag) and can-i-deploy.

Registered before the pact routes: ``/pacts/provider/P/consumer/C/latest/badge`` is the badge,
not the latest pact tagged ``badge`` (the Ruby broker's routes take the same precedence). Each
path also answers with a ``.svg`` extension, which the Ruby broker strips before routing.

Every answer is a 200 SVG with ``Cache-Control: no-cache`` (so that README image proxies
revalidate it); a missing pact or pacticipant is a grey badge saying so, and an unexpected
error a grey badge with a reference to quote, never a broken image.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker import badges
from pact_pipeline.broker.api.deps import DB
from pact_pipeline.broker.api.http import RawPathRoute
from pact_pipeline.broker.services import badges as svc

log = logging.getLogger("broker")
router = APIRouter(route_class=RawPathRoute, tags=["badges"])

SVG_MEDIA_TYPE = "image/svg+xml;charset=utf-8"
CACHE_CONTROL = "no-cache"

PACT = "/pacts/provider/{provider}/consumer/{consumer}"
MATRIX = "/matrix/provider/{provider}/latest/{provider_tag}/consumer/{consumer}/latest/{tag}"
TAG_TO_TAG = "/pacticipants/{pacticipant}/latest-version/{tag}/can-i-deploy/to/{to}"
BRANCH_TO_ENVIRONMENT = (
    "/pacticipants/{pacticipant}/branches/{branch}/latest-version/can-i-deploy/to-environment/"
    "{environment}"
)


def svg_response(badge: badges.Badge) -> Response:
    return Response(
        badges.render(badge).encode("utf-8"),
        media_type=SVG_MEDIA_TYPE,
        headers={"Cache-Control": CACHE_CONTROL},
    )


def _badge(request: Request, decide: Callable[[], badges.Badge]) -> Response:
    try:
        badge = decide()
    except Exception:
        reference = uuid.uuid4().hex[:12]
        log.exception("badge error %s on %s", reference, request.url.path)
        badge = badges.error_badge(reference)
    return svg_response(badge)


def _label(request: Request) -> str | None:
    """The ``label`` parameter; empty counts as absent."""
    return request.query_params.get("label") or None


def _pact_request(request: Request) -> badges.PactBadgeRequest:
    return badges.PactBadgeRequest(
        label=_label(request), initials=request.query_params.get("initials") == "true"
    )


@router.get(f"{PACT}/latest/badge", include_in_schema=False)
@router.get(f"{PACT}/latest/badge.svg", include_in_schema=False)
def latest_pact_badge(request: Request, provider: str, consumer: str, db: DB) -> Response:
    return _badge(
        request,
        lambda: svc.pact_badge(
            db, provider_name=provider, consumer_name=consumer, request=_pact_request(request)
        ),
    )


@router.get(f"{PACT}/latest-untagged/badge", include_in_schema=False)
@router.get(f"{PACT}/latest-untagged/badge.svg", include_in_schema=False)
def latest_untagged_pact_badge(request: Request, provider: str, consumer: str, db: DB) -> Response:
    return _badge(
        request,
        lambda: svc.pact_badge(
            db,
            provider_name=provider,
            consumer_name=consumer,
            request=_pact_request(request),
            untagged=True,
        ),
    )


@router.get(f"{PACT}/latest/{{tag}}/badge", include_in_schema=False)
@router.get(f"{PACT}/latest/{{tag}}/badge.svg", include_in_schema=False)
def latest_tagged_pact_badge(
    request: Request, provider: str, consumer: str, tag: str, db: DB
) -> Response:
    return _badge(
        request,
        lambda: svc.pact_badge(
            db,
            provider_name=provider,
            consumer_name=consumer,
            request=_pact_request(request),
            tag=tag,
        ),
    )


@router.get(f"{MATRIX}/badge", include_in_schema=False)
@router.get(f"{MATRIX}/badge.svg", include_in_schema=False)
def matrix_badge(
    request: Request, provider: str, provider_tag: str, consumer: str, tag: str, db: DB
) -> Response:
    return _badge(
        request,
        lambda: svc.matrix_badge(
            db,
            provider_name=provider,
            provider_tag=provider_tag,
            consumer_name=consumer,
            consumer_tag=tag,
            request=_pact_request(request),
        ),
    )


@router.get(f"{TAG_TO_TAG}/badge", include_in_schema=False)
@router.get(f"{TAG_TO_TAG}/badge.svg", include_in_schema=False)
def can_i_deploy_tag_to_tag_badge(
    request: Request, pacticipant: str, tag: str, to: str, db: DB
) -> Response:
    return _badge(
        request,
        lambda: svc.can_i_deploy_tag_to_tag_badge(
            db, pacticipant_name=pacticipant, tag=tag, to=to, label=_label(request)
        ),
    )


@router.get(f"{BRANCH_TO_ENVIRONMENT}/badge", include_in_schema=False)
@router.get(f"{BRANCH_TO_ENVIRONMENT}/badge.svg", include_in_schema=False)
def can_i_deploy_branch_to_environment_badge(
    request: Request, pacticipant: str, branch: str, environment: str, db: DB
) -> Response:
    return _badge(
        request,
        lambda: svc.can_i_deploy_branch_to_environment_badge(
            db,
            pacticipant_name=pacticipant,
            branch=branch,
            environment=environment,
            label=_label(request),
        ),
    )
