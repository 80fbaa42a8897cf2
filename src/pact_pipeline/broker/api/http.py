"""HTTP plumbing shared by the routes: HAL responses, JSON bodies, raw-path routing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import unquote

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.datastructures import URL
from starlette.responses import JSONResponse, Response
from starlette.routing import Match
from starlette.types import Scope

from pact_pipeline.broker.errors import invalid
from pact_pipeline.broker.json_documents import parse_json_document

HAL_JSON = "application/hal+json;charset=utf-8"
PLAIN_JSON = "application/json;charset=utf-8"


class HALResponse(JSONResponse):
    """A JSON response with the HAL media type."""

    media_type = HAL_JSON

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def negotiated_media_type(request: Request, default: str = HAL_JSON) -> str:
    """Pick HAL or plain JSON from the ``Accept`` header, else the resource's default.

    Every official client accepts both. Without an ``Accept`` header the Ruby broker's clients
    expect HAL, while the pact-reference verifier's contract expects plain JSON from the
    resources it uses (the index, pacts for verification and verification results), so those
    resources default to plain JSON and the others to HAL.
    """
    accept = request.headers.get("accept", "")
    if "hal+json" in accept:
        return HAL_JSON
    if "application/json" in accept:
        return PLAIN_JSON
    return default


def hal(
    request: Request,
    body: Any,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    *,
    default_media_type: str = HAL_JSON,
) -> Response:
    """Render a body with the negotiated JSON media type."""
    wire_headers = {name: header_value(value) for name, value in (headers or {}).items()}
    response = HALResponse(body, status_code=status_code, headers=wire_headers)
    response.headers["content-type"] = negotiated_media_type(request, default_media_type)
    return response


# Characters an HTTP header value cannot carry (h11 refuses them and drops the connection).
_HEADER_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def header_value(text: str) -> str:
    """A header value that carries any name: UTF-8 bytes on the wire, as the Ruby broker sends.

    Starlette writes header values as Latin-1, so a version number such as ``1.0 名前`` would
    fail to encode; its UTF-8 bytes are passed through as Latin-1 characters instead (clients
    read them back as UTF-8). Control characters (line breaks would even split the header)
    become spaces: the server would otherwise drop the connection without answering.
    """
    printable = _HEADER_CONTROLS.sub(" ", text)
    return printable.encode("utf-8", "replace").decode("latin-1")


def base_url(request: Request) -> str:
    """The broker's public base URL for this request (honours a configured override)."""
    configured = getattr(request.app.state, "public_base_url", None)
    if configured:
        return str(configured).rstrip("/")
    root_path = request.scope.get("root_path", "")
    url = URL(scope=request.scope)
    requested = f"{url.scheme}://{url.netloc}{root_path}".rstrip("/")
    own: tuple[str, ...] = getattr(request.app.state, "base_urls", ())
    if not own:
        return requested
    host = url.netloc.lower()
    return next((u for u in own if URL(u).netloc.lower() == host), own[0])


async def read_json(request: Request, *, allow_empty: bool = False) -> Any:
    """Read and parse a JSON request body (see :func:`parse_json_document` for the rules)."""
    raw = await request.body()
    if not raw.strip():
        if allow_empty:
            return {}
        raise invalid("body", "A JSON request body is required")
    settings = request.app.state.settings
    return parse_json_document(raw, field="body", max_depth=settings.max_json_depth)


async def read_json_object(request: Request, *, allow_empty: bool = False) -> dict[str, Any]:
    body = await read_json(request, allow_empty=allow_empty)
    if not isinstance(body, dict):
        raise invalid("body", "must be a JSON object")
    return body


class RawPathRoute(APIRoute):
    """Routes on the raw (still percent-encoded) path, then decodes each path parameter.

    Starlette matches on the decoded path, so a branch ``feature%2Fx`` would become two
    segments; the Pact clients rely on ``%2F`` staying inside one name.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        raw = scope.get("raw_path")
        if scope.get("type") != "http" or raw is None:
            return super().matches(scope)
        raw_path = raw.decode("latin-1").split("?", 1)[0]
        root = scope.get("root_path", "")
        if root and raw_path.startswith(root):
            raw_path = raw_path[len(root) :]
        match, child = super().matches({**scope, "path": raw_path, "root_path": ""})
        if match is Match.NONE:
            return match, child
        params = child.get("path_params", {})
        child["path_params"] = {
            k: unquote(v, encoding="utf-8", errors="replace") if isinstance(v, str) else v
            for k, v in params.items()
        }
        child.pop("root_path", None)
        return match, child


Handler = Callable[..., Coroutine[Any, Any, Response]]
