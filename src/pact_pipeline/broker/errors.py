"""The broker's error hierarchy: one root, a few leaves, one mapping to HTTP (in ``broker.app``)."""

from __future__ import annotations

from typing import Any


class BrokerError(Exception):
    """Base class of every error the broker reports to its client."""

    status_code = 400

    def __init__(self, message: str, *, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.body = body

    def to_body(self) -> dict[str, Any]:
        """Render the error as the Ruby broker does: ``{"error": message}`` unless a body is set."""
        return self.body if self.body is not None else {"error": self.message}


class NotFoundError(BrokerError):
    """A named resource does not exist."""

    status_code = 404


class ConflictError(BrokerError):
    """The request conflicts with stored data (e.g. changing a published pact's content)."""

    status_code = 409


class InvalidRequestError(BrokerError):
    """The request is well-formed HTTP but its content breaks a rule: 400 with ``errors``."""

    status_code = 400

    def __init__(self, errors: dict[str, list[str]] | list[str]) -> None:
        if isinstance(errors, dict):
            message = "; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items())
        else:
            message = "; ".join(errors)
        super().__init__(message, body={"errors": errors})
        self.errors = errors


def invalid(field: str, message: str) -> InvalidRequestError:
    """Build a one-field validation error in the dry-validation shape."""
    return InvalidRequestError({field: [message]})


class UnprocessableError(BrokerError):
    """A semantically impossible change, e.g. re-deploying an undeployed version."""

    status_code = 422
