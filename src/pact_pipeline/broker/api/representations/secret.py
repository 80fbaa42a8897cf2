"""Webhook secrets, as PactFlow shows them: never with their value."""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, compact, iso, link
from pact_pipeline.broker.models import WebhookSecret


def secret(links: Links, s: WebhookSecret) -> JSONDict:
    return compact(
        {
            "uuid": s.uuid,
            "name": s.name,
            "description": s.description,
            "createdAt": iso(s.created_at),
            "updatedAt": iso(s.updated_at),
            "_links": {"self": link(links.secret(s.uuid), title="Secret", name=s.name)},
        }
    )


def secrets(links: Links, items: Sequence[WebhookSecret]) -> JSONDict:
    return {
        "_embedded": {"secrets": [secret(links, s) for s in items]},
        "_links": {"self": link(links.secrets(), title="Secrets")},
    }
