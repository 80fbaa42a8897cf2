"""The shared token between the broker's webhook and the local CI."""

from __future__ import annotations

import hmac
import os
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from pact_pipeline.settings import Settings

TOKEN_FILE = "token"  # noqa: S105 - a file name, not a token


def ci_token(settings: Settings) -> str:
    """The token the local CI expects: the setting, else one generated once into its directory.

    The generated token is written with owner-only permissions and reused on later runs, so the
    broker secret that the webhook set-up stores stays valid across restarts of the server.
    """
    if settings.ci_server_token:
        return settings.ci_server_token
    path = settings.ci_server_dir / TOKEN_FILE
    existing = _read(path)
    if existing:
        return existing
    settings.ci_server_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(token + "\n")
    return token


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def bearer_matches(header: str | None, token: str) -> bool:
    """Whether an `Authorization` header carries `token` (compared in constant time)."""
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
