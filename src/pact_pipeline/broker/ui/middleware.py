"""Pages and API on the same URLs: HTML for browsers, HAL/JSON for everyone else.

A GET that prefers `text/html` is answered by the page for its path when there is one, and
otherwise by the HAL view of the API resource at that path: its JSON with the links
clickable. API clients, which ask for JSON (or send no `Accept`), see no change.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pact_pipeline.broker.ui.render import page

HTML_METHODS = ("GET", "HEAD")
ASSETS = "/ui/"  # the stylesheet: fetched with a CSS Accept header
HAL_PREFIX = "/hal/"  # /hal/<path>: the API's JSON at /<path>, as a page, whatever the Accept


def wants_html(accept: str) -> bool:
    """Whether an `Accept` header prefers HTML to JSON (a browser's does; clients' do not)."""
    best: dict[str, float] = {}
    for item in accept.split(","):
        media, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best[media.strip().lower()] = quality
    html = best.get("text/html", 0.0)
    json_quality = max(
        (q for media, q in best.items() if "json" in media or media in ("*/*",)), default=0.0
    )
    return html > 0 and html >= json_quality


class HtmlPages:
    """Route browsers' GETs to the pages (or the HAL view); pass everything else through."""

    def __init__(self, app: ASGIApp, pages: ASGIApp) -> None:
        self.app = app
        self.pages = pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(ASSETS):
            await self.pages(scope, receive, send)
            return
        if scope["type"] == "http" and (scope["path"] + "/").startswith(HAL_PREFIX):
            await self._hal_view(_without_prefix(scope), receive, send)
            return
        if (
            scope["type"] != "http"
            or scope["method"] not in HTML_METHODS
            or not wants_html(Headers(scope=scope).get("accept", ""))
        ):
            await self.app(scope, receive, send)
            return
        if _has_page(self.pages, scope):
            await self.pages(scope, receive, send)
            return
        await self._hal_view(scope, receive, send)

    async def _hal_view(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Ask the API for JSON at the same path and show it with clickable links."""
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept"]
        headers.append((b"accept", b"application/hal+json"))
        status, response_headers, body = await _call(self.app, {**scope, "headers": headers})
        content_type = response_headers.get("content-type", "")
        if "json" not in content_type:
            await _replay(send, status, response_headers.raw, body)
            return
        try:
            document: Any = json.loads(body or b"null")
        except ValueError:
            await _replay(send, status, response_headers.raw, body)
            return
        request = Request(scope)
        response = page(
            request, "hal.html", status_code=status, title=scope["path"],
            document=document, pretty=json.dumps(document, indent=2),
        )  # fmt: skip
        await response(scope, receive, send)


def _without_prefix(scope: Scope) -> Scope:
    path = scope["path"][len(HAL_PREFIX) - 1 :] or "/"
    raw = scope.get("raw_path") or scope["path"].encode()
    raw_path = raw[len(HAL_PREFIX) - 1 :] or b"/"
    return {**scope, "path": path, "raw_path": raw_path}


def _has_page(pages: ASGIApp, scope: Scope) -> bool:
    routes = getattr(getattr(pages, "router", None), "routes", [])
    return any(route.matches(scope)[0] == Match.FULL for route in routes)


async def _call(app: ASGIApp, scope: Scope) -> tuple[int, Headers, bytes]:
    """Run the app on a GET and collect its response."""
    started: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app({**scope, "method": "GET"}, receive, send)
    return (
        int(started.get("status", 500)),
        Headers(raw=started.get("headers", [])),
        b"".join(chunks),
    )


async def _replay(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
