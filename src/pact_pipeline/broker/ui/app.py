"""The pages as an ASGI app of their own, mounted in front of the API by `HtmlPages`."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import Response

from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import BrokerError
from pact_pipeline.broker.settings import Settings
from pact_pipeline.broker.ui import pages
from pact_pipeline.broker.ui.render import page

STYLESHEET = "/ui/style.css"


def create_pages_app(db: Database, settings: Settings) -> FastAPI:
    """The pages, sharing the API's database and settings."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.db = db
    app.state.settings = settings
    app.state.public_base_url = settings.public_base_url
    app.state.base_urls = settings.own_base_urls
    app.include_router(pages.router)

    @app.get(STYLESHEET)
    def stylesheet() -> Response:
        css = resources.files("pact_pipeline.broker.ui").joinpath("static/style.css").read_text()
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=300"})

    @app.exception_handler(BrokerError)
    async def broker_error(request: Request, exc: BrokerError) -> Response:
        body = exc.to_body()
        message = body.get("error") or "; ".join(
            f"{field}: {', '.join(map(str, problems))}"
            for field, problems in (body.get("errors") or {}).items()
        )
        return page(
            request, "error.html", status_code=exc.status_code, title="Not here",
            message=str(message),
        )  # fmt: skip

    return app
