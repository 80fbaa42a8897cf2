"""``/doc/{rel}``: where the ``pb:`` and ``beta:`` curies of the HAL resources point."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.http import RawPathRoute
from pact_pipeline.broker.api.representations.docs import doc_page
from pact_pipeline.broker.errors import NotFoundError

router = APIRouter(route_class=RawPathRoute, tags=["docs"])


@router.get("/doc/{rel}", include_in_schema=False)
def relation_doc(request: Request, rel: str) -> Response:
    name = rel.split(":", 1)[-1]
    page = doc_page(name, request.query_params.get("context"))
    if page is None:
        raise NotFoundError(f"No documentation found for relation {rel}")
    return Response(page, media_type="text/html;charset=utf-8")
