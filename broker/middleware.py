"""ASGI middleware guarding the broker: body size, media types, JSON depth and authentication.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so that request bodies stream through
untouched and the checks cost nothing on the hot path.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broker.settings import Settings

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
OPEN_PATHS = frozenset({"/diagnostic/status/heartbeat"})


async def send_json(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
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


def json_depth_exceeds(data: bytes, limit: int) -> bool:
    """Tell, without parsing, whether JSON nests deeper than ``limit`` (strings are skipped)."""
    depth = 0
    in_string = False
    escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
            continue
        if byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


class RequestGuard:
    """Rejects oversized bodies (413), non-JSON bodies (415) and over-deep JSON (400)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_bytes = settings.max_request_bytes
        self.max_depth = settings.max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await send_json(
                send,
                413,
                {"error": f"Request body is larger than the limit of {self.max_bytes} bytes"},
            )
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
                await send_json(
                    send,
                    413,
                    {"error": f"Request body is larger than the limit of {self.max_bytes} bytes"},
                )
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        content_type = (_header(scope, b"content-type") or "").lower()
        if body.strip() and "json" not in content_type:
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
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class Authenticator:
    """Basic and bearer authentication with read-only credentials, as the OSS broker and
    PactFlow offer them. Inactive unless some credential is configured."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.read_write: list[tuple[str, str]] = []
        self.read_only: list[tuple[str, str]] = []
        s = settings
        if s.basic_auth_username and s.basic_auth_password is not None:
            self.read_write.append(("basic", _basic(s.basic_auth_username, s.basic_auth_password)))
        if s.basic_auth_read_only_username and s.basic_auth_read_only_password is not None:
            self.read_only.append(
                ("basic", _basic(s.basic_auth_read_only_username, s.basic_auth_read_only_password))
            )
        if s.auth_token:
            self.read_write.append(("bearer", s.auth_token))
        if s.read_only_auth_token:
            self.read_only.append(("bearer", s.read_only_auth_token))
        self.enabled = bool(self.read_write or self.read_only)

    def _role(self, header: str | None) -> str | None:
        if not header:
            return None
        scheme, _, credentials = header.partition(" ")
        scheme = scheme.lower()
        credentials = credentials.strip()
        if scheme == "basic":
            try:
                credentials = _basic_from_header(credentials)
            except ValueError:
                return None
        role = None
        # Compare against every secret, whatever matches first, so timing tells nothing.
        for kind, secret in self.read_write:
            if kind == scheme and hmac.compare_digest(credentials.encode(), secret.encode()):
                role = role or "write"
        for kind, secret in self.read_only:
            if kind == scheme and hmac.compare_digest(credentials.encode(), secret.encode()):
                role = role or "read"
        return role

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.enabled or scope["type"] != "http" or scope.get("path") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        role = self._role(_header(scope, b"authorization"))
        write = scope["method"] in WRITE_METHODS
        if role is None and not (self.settings.allow_public_read and not write):
            challenge = [
                (b"www-authenticate", b'Basic realm="Pact Broker", Bearer realm="Pact Broker"')
            ]
            await send_json(
                send,
                401,
                {
                    "error": "Authentication required: send valid basic auth credentials "
                    "or a bearer token"
                },
                challenge,
            )
            return
        if write and role != "write":
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


def _basic(username: str, password: str) -> str:
    return f"{username}:{password}"


def _basic_from_header(encoded: str) -> str:
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        msg = "malformed basic credentials"
        raise ValueError(msg) from exc
