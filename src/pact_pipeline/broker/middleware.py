"""ASGI middleware guarding the broker: request targets, body size, media types, JSON depth,
authentication, and the replay of requests that lost a race with a concurrent write.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so that request bodies stream through
untouched and the checks cost nothing on the hot path.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import logging
import random
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pact_pipeline.broker.badges import is_badge_path
from pact_pipeline.broker.db import is_retryable
from pact_pipeline.broker.json_documents import json_depth_exceeds
from pact_pipeline.broker.settings import Settings

log = logging.getLogger("broker")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Matched on the raw (still percent-encoded) path, as the router matches it, so an encoded
# slash cannot make one path look like another to the guard and to the router.
HEARTBEAT_PATH = re.compile(r"^/diagnostic/status/heartbeat$")
# Fetching pacts for verification is a POST that only reads: read-only credentials (and the
# public, when public read is on) may do it, as in the OSS broker's ResourceAccessPolicy.
PACTS_FOR_VERIFICATION_PATH = re.compile(r"^/pacts/provider/[^/]+/for-verification$")
JSON_MEDIA_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
CHALLENGE = (b"www-authenticate", b'Basic realm="Pact Broker", Bearer realm="Pact Broker"')


async def send_json(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Send a complete JSON response from middleware (before the app has run)."""
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/hal+json;charset=utf-8"),
                (b"content-length", str(len(payload)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def raw_path(scope: Scope) -> str:
    """The request path as sent (percent-encoding intact), without the query."""
    raw = scope.get("raw_path")
    if raw is None:
        return str(scope.get("path", ""))
    return str(raw.decode("latin-1").split("?", 1)[0])


def _undecodable(encoded: bytes, what: str) -> str | None:
    decoded = unquote_to_bytes(encoded)
    if b"\x00" in decoded:
        return f"The request {what} cannot contain NUL characters (%00)"
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return f"The request {what} is not valid percent-encoded UTF-8"
    return None


def target_problem(scope: Scope) -> str | None:
    """Why the path or query of a request can never name or select anything, if it cannot.

    Names are UTF-8 text without NUL: PostgreSQL refuses NUL in text, and bytes that are not
    UTF-8 would otherwise be silently replaced and stored as U+FFFD.
    """
    path_problem = _undecodable(raw_path(scope).encode("latin-1"), "path")
    if path_problem:
        return path_problem
    query = bytes(scope.get("query_string", b"")).replace(b"+", b" ")
    return _undecodable(query, "query string") if query else None


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or any ``application/<x>+json``, parameters ignored."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return bool(JSON_MEDIA_TYPE.match(media_type))


class RequestGuard:
    """Rejects unusable targets (400), oversized bodies (413), non-JSON bodies (415) and
    over-deep JSON (400) before any route runs."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_bytes = settings.max_request_bytes
        self.max_depth = settings.max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = target_problem(scope)
        if problem:
            await send_json(send, 400, {"error": problem})
            return
        if scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        too_large = {"error": f"Request body is larger than the limit of {self.max_bytes} bytes"}
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await send_json(send, 413, too_large)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_json(send, 413, too_large)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        content_type = _header(scope, b"content-type") or ""
        if body.strip() and not is_json_media_type(content_type):
            await send_json(
                send,
                415,
                {
                    "error": f"Unsupported media type {content_type or '(none)'}: "
                    "the body must be JSON (application/json)"
                },
            )
            return
        if json_depth_exceeds(body, self.max_depth):
            await send_json(
                send, 400, {"error": f"JSON body is nested deeper than {self.max_depth} levels"}
            )
            return
        await self.app(scope, replay_body(body, receive), send)


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields an already-read body once, then defers to the server."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


# --- authentication ---------------------------------------------------------------------------


def _digest(value: str) -> bytes:
    # Secrets are compared as SHA-256 digests: equal lengths whatever was sent, so that
    # compare_digest's time depends on neither the secret's content nor its length.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def _basic_credentials(encoded: str) -> str | None:
    """``user:password`` from a basic ``Authorization`` value, or None if malformed."""
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # RFC 7617's historical default
    return text if ":" in text else None


class Authenticator:
    """Basic and bearer authentication with read-only credentials, as the OSS broker and
    PactFlow offer them. Inactive unless some credential is configured.

    Access rules (the OSS broker's ``ResourceAccessPolicy``): the heartbeat is public, and so
    are badges with ``PACT_BROKER_ENABLE_PUBLIC_BADGE_ACCESS``; with
    public read, so are reads (GET, HEAD, OPTIONS and the pacts-for-verification POST); other
    reads need read-only or read/write credentials; everything else needs read/write ones.
    Missing or wrong credentials get 401 with a challenge; read-only ones on a write get 403.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        errors = settings.auth_configuration_errors()
        if errors:
            raise ValueError("; ".join(errors))
        self.app = app
        self.allow_public_read = settings.allow_public_read
        self.public_badges = settings.enable_public_badge_access
        # (scheme, digest of the credentials) per role; secrets themselves are not kept.
        self.secrets: list[tuple[str, str, bytes]] = []
        s = settings
        for role, username, password in (
            ("write", s.basic_auth_username, s.basic_auth_password),
            ("read", s.basic_auth_read_only_username, s.basic_auth_read_only_password),
        ):
            if username and password is not None and password.get_secret_value():
                self.secrets.append(
                    ("basic", role, _digest(f"{username}:{password.get_secret_value()}"))
                )
        for role, token in (("write", s.auth_token), ("read", s.read_only_auth_token)):
            if token is not None and token.get_secret_value():
                self.secrets.append(("bearer", role, _digest(token.get_secret_value())))
        self.enabled = bool(self.secrets)

    def role(self, header: str | None) -> str | None:
        """``"write"``, ``"read"`` or None for the credentials of an ``Authorization`` header."""
        if not header:
            return None
        scheme, _, credentials = header.strip().partition(" ")
        scheme = scheme.lower()
        credentials = credentials.strip()
        if scheme == "basic":
            decoded = _basic_credentials(credentials)
            if decoded is None:
                return None
            credentials = decoded
        elif scheme != "bearer" or not credentials:
            return None
        offered = _digest(credentials)
        roles = set()
        # Compare against every secret, whichever matches, so timing tells nothing.
        for kind, role, secret in self.secrets:
            if hmac.compare_digest(offered, secret) and kind == scheme:
                roles.add(role)
        if "write" in roles:
            return "write"
        return "read" if roles else None

    def required(self, scope: Scope) -> str:
        """The access a request needs: ``"public"``, ``"read"`` or ``"write"``."""
        method = scope["method"]
        path = raw_path(scope)
        reads = method in READ_METHODS or (
            method == "POST" and PACTS_FOR_VERIFICATION_PATH.match(path) is not None
        )
        if method in READ_METHODS and HEARTBEAT_PATH.match(path):
            return "public"
        if method in READ_METHODS and self.public_badges and is_badge_path(path):
            return "public"  # a README's badge images cannot send credentials
        if reads:
            return "public" if self.allow_public_read else "read"
        return "write"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.enabled or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        required = self.required(scope)
        if required == "public":
            await self.app(scope, receive, send)
            return
        role = self.role(_header(scope, b"authorization"))
        if role is None:
            await send_json(
                send,
                401,
                {
                    "error": "Authentication required: send valid basic auth credentials "
                    "or a bearer token"
                },
                [CHALLENGE],
            )
            return
        if required == "write" and role != "write":
            await send_json(
                send,
                403,
                {
                    "error": "These credentials are read-only: they may not create, change "
                    "or delete anything"
                },
            )
            return
        await self.app(scope, receive, send)


# --- transient conflicts ------------------------------------------------------------------------


class ConflictRetry:
    """Replays a request whose transaction lost a race with a concurrent one.

    Two transactions that both find a pacticipant (version, branch...) missing both insert it;
    the second then fails on the unique constraint, although re-running it would simply find
    the row. PostgreSQL can also abort a transaction on a deadlock or serialization failure,
    and SQLite across processes can report "database is locked" after its busy timeout. Every
    write is one transaction that rolled back whole, and nothing was sent yet (routes render
    before responding), so running the request again is safe and gives the client the answer
    a serial execution would have given.
    """

    # Enough for a dozen writers racing for one new row: each round, at least one of them wins.
    ATTEMPTS = 10
    MAX_BACKOFF_SECONDS = 0.5

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away before sending its whole request
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                await self.app(scope, replay_body(body, receive), tracking_send)
                return
            except Exception as exc:
                if started or attempt == self.ATTEMPTS or not is_retryable(exc):
                    raise
                log.info(
                    "retrying %s %s after a transient database conflict (attempt %d): %s",
                    scope["method"],
                    raw_path(scope),
                    attempt,
                    type(exc).__name__,
                )
                # Jittered backoff so that the racers do not collide again in lockstep.
                backoff = min(self.MAX_BACKOFF_SECONDS, 0.01 * 2**attempt)
                await asyncio.sleep(random.uniform(0, backoff))


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
