"""The local CI's HTTP side: the webhook's POST, the list of builds, their logs."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from pact_pipeline.local_ci.builds import (
    Build,
    BuildContext,
    BuildQueue,
    BuildRequest,
    DispatchError,
    parse_dispatch,
    run_build,
)
from pact_pipeline.local_ci.token import bearer_matches
from pact_pipeline.serving import serve_app

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from pact_pipeline.output import Output

MAX_BODY_BYTES = 64 * 1024


def create_ci_app(queue: BuildQueue, token: str) -> FastAPI:
    """The local CI as an ASGI app around a build queue.

    `POST /dispatches` (GitHub's `repository_dispatch` body, `Authorization: Bearer <token>`)
    queues a build: 202 with the build, or 200 with the earlier one for a repeated request;
    `GET /builds`, `GET /builds/{n}` and `GET /builds/{n}/log` show them.
    """
    app = FastAPI(title="pact-pipeline local CI", docs_url=None, redoc_url=None)

    @app.post("/dispatches")
    async def dispatch(request: Request) -> Response:
        if not bearer_matches(request.headers.get("authorization"), token):
            return _error(401, "send the CI token as Authorization: Bearer <token>")
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return _error(413, f"the body is over {MAX_BODY_BYTES} bytes")
        try:
            build_request = parse_dispatch(json.loads(raw or b"null"))
        except (DispatchError, ValueError) as error:
            return _error(400, str(error) if isinstance(error, DispatchError) else "invalid JSON")
        build, queued = queue.submit(build_request)
        body = {"queued": queued, "build": build.as_json()}
        return JSONResponse(body, status_code=202 if queued else 200)

    @app.get("/builds")
    async def builds() -> dict[str, Any]:
        return {"builds": [build.as_json() for build in queue.builds()]}

    @app.get("/builds/{number}")
    async def one_build(number: int) -> Response:
        build = queue.get(number)
        if build is None:
            return _error(404, f"no build {number}")
        return JSONResponse(build.as_json())

    @app.get("/builds/{number}/log")
    async def build_log(number: int) -> Response:
        build = queue.get(number)
        if build is None:
            return _error(404, f"no build {number}")
        text = build.log_path.read_text() if build.log_path.exists() else ""
        return PlainTextResponse(text)

    return app


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


@contextmanager
def running_ci(
    context: BuildContext,
    *,
    token: str,
    log_dir: Path,
    port: int,
    on_event: Callable[[Build], None],
) -> Iterator[tuple[str, BuildQueue]]:
    """Serve the local CI on 127.0.0.1:`port` while the block runs; yields (URL, queue)."""

    def run(request: BuildRequest, log_path: Path) -> int:
        return run_build(context, request, log_path)

    queue = BuildQueue(run, log_dir, on_event)
    queue.start()
    try:
        with serve_app(create_ci_app(queue, token), port=port) as url:
            yield url, queue
    finally:
        queue.stop()


def serve_until_interrupted(
    context: BuildContext, *, token: str, data_dir: Path, port: int, out: Output
) -> None:
    """`invoke ci-server`: serve the local CI, printing each build, until Ctrl-C."""
    log_dir = data_dir / "builds" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    with running_ci(
        context, token=token, log_dir=log_dir, port=port, on_event=lambda b: report(out, b)
    ) as (url, _queue):
        out.success(f"local CI listening on {url}: webhooks POST {url}/dispatches")
        out.info(f"builds: {url}/builds; logs in {log_dir}; Ctrl-C stops it")
        threading.Event().wait()


def report(out: Output, build: Build) -> None:
    """Print a build's start or end."""
    request = build.request
    who = f"as {request.provider_version}" if request.provider_version else "as this checkout"
    if build.status == "running":
        out.info(f"build #{build.number} started: verify {request.pact_url} {who}")
    elif build.status == "passed":
        out.success(f"build #{build.number} passed in {build.seconds or 0:.1f}s")
    else:
        seconds = build.seconds or 0
        out.error(f"build #{build.number} failed in {seconds:.1f}s (log: {build.log_path})")
