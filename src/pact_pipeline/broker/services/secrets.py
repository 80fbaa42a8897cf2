"""Webhook secrets (PactFlow's ``/secrets``): values that webhook requests name as
``${user.NAME}``. A value is written, replaced or deleted, never read back through the API;
it is only filled into a request when the request is sent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import ConflictError, NotFoundError
from pact_pipeline.broker.models import WebhookSecret, utcnow

R = TypeVar("R")


@dataclass(frozen=True)
class SecretData:
    name: str
    description: str | None
    value: str | None  # None on update: keep the current value


def _require(session: Session, uuid: str) -> WebhookSecret:
    secret = repo.find_secret(session, uuid)
    if secret is None:
        msg = f"No secret with UUID {uuid} found"
        raise NotFoundError(msg)
    return secret


def _duplicate(name: str) -> ConflictError:
    msg = f"A secret with the name {name} already exists"
    return ConflictError(msg, body={"errors": {"name": [msg]}})


def create_secret(db: Database, data: SecretData, present: Callable[[WebhookSecret], R]) -> R:
    """Create a secret; 409 when its name is taken (names are unique)."""
    with db.write() as session:
        if repo.find_secret_by_name(session, data.name) is not None:
            raise _duplicate(data.name)
        secret = WebhookSecret(name=data.name, description=data.description, value=data.value or "")
        session.add(secret)
        session.flush()
        return present(secret)


def update_secret(
    db: Database, uuid: str, data: SecretData, present: Callable[[WebhookSecret], R]
) -> R:
    with db.write() as session:
        secret = _require(session, uuid)
        other = repo.find_secret_by_name(session, data.name)
        if other is not None and other.id != secret.id:
            raise _duplicate(data.name)
        secret.name = data.name
        secret.description = data.description
        if data.value is not None:
            secret.value = data.value
        secret.updated_at = utcnow()
        session.flush()
        return present(secret)


def get_secret(db: Database, uuid: str, present: Callable[[WebhookSecret], R]) -> R:
    with db.read() as session:
        return present(_require(session, uuid))


def list_secrets(db: Database, present: Callable[[Sequence[WebhookSecret]], R]) -> R:
    with db.read() as session:
        return present(repo.list_secrets(session))


def delete_secret(db: Database, uuid: str) -> None:
    with db.write() as session:
        session.delete(_require(session, uuid))
