"""Rendering the pages: one Jinja2 environment, autoescaping every value from the database."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from pact_pipeline.broker.api.http import base_url


@cache
def environment() -> Environment:
    """The template environment (built once)."""
    env = Environment(
        loader=PackageLoader("pact_pipeline.broker.ui", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ago"] = ago
    env.filters["segment"] = lambda value: quote(str(value), safe="")
    env.filters["when"] = when
    return env


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render `template` with `context` (plus the base URL) as an HTML response."""
    html = (
        environment()
        .get_template(template)
        .render(base=base_url(request), path=request.url.path, **context)
    )
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-cache"})


def when(value: datetime | str | None) -> str:
    """A timestamp as people read it: `2026-12-04 18:20 UTC`."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def ago(value: datetime | str | None, now: datetime | None = None) -> str:
    """How long ago, roughly: `just now`, `5 minutes ago`, `3 days ago`."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = int(((now or datetime.now(UTC)) - moment).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
