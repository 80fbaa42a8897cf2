"""The workshop's timestamp "authentication".

ProductService accepts ``Authorization: Bearer <ISO-8601 timestamp>`` where the timestamp
is at most [`MAX_TOKEN_AGE`][] old. It is not real security: it stands in for a token that
expires, which is exactly what makes provider verification interesting, because a token
recorded in a pact file is stale by the time the provider replays it (see
[`provider.verification.FreshAuthorizationMiddleware`][]).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

MAX_TOKEN_AGE = timedelta(hours=1)
"""How old a token may be before it is rejected."""

CLOCK_SKEW = timedelta(minutes=1)
"""How far in the future a token may be, to tolerate clients whose clock runs ahead."""

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="An ISO-8601 timestamp no older than one hour, e.g. 2024-05-01T12:00:00Z.",
)
"""FastAPI security scheme; ``auto_error=False`` so that we answer 401 in our own format."""


class NotAuthorizedError(Exception):
    """Raised by [`require_fresh_token`][] and turned into a 401 by the app."""


def parse_timestamp_token(token: str) -> datetime | None:
    """Parse a bearer token as an ISO-8601 timestamp.

    Args:
        token: The credentials after ``Bearer ``.

    Returns:
        The timestamp as an aware datetime (naive timestamps are read as UTC, which is
        what a client sending ``...T12:00:00`` almost certainly means), or ``None`` if the
        token is not a timestamp.
    """
    try:
        parsed = datetime.fromisoformat(token.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def is_fresh(token: str, *, now: datetime | None = None) -> bool:
    """Tell whether a bearer token is an acceptable timestamp.

    Args:
        token: The credentials after ``Bearer ``.
        now: The current time; injectable so that tests need not sleep.

    Returns:
        ``True`` if the token is a timestamp within [`MAX_TOKEN_AGE`][] in the past and
        [`CLOCK_SKEW`][] in the future.
    """
    issued = parse_timestamp_token(token)
    if issued is None:
        return False
    current = now if now is not None else datetime.now(UTC)
    return current - MAX_TOKEN_AGE <= issued <= current + CLOCK_SKEW


def require_fresh_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> None:
    """FastAPI dependency guarding every ProductService route.

    Args:
        credentials: The parsed ``Authorization`` header, or ``None`` if it is missing or
            not a ``Bearer`` header.

    Raises:
        NotAuthorizedError: If the header is missing, not ``Bearer``, or not a fresh
            timestamp.
    """
    if credentials is None or not is_fresh(credentials.credentials):
        raise NotAuthorizedError
