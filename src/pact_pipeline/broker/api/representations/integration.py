"""Integrations: the consumer/provider pairs that have pacts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pact_pipeline.broker.api.links import Links, segment
from pact_pipeline.broker.api.representations.hal import JSONDict, iso, link
from pact_pipeline.broker.models import Pacticipant


def integrations(
    links: Links, items: Sequence[tuple[Pacticipant, Pacticipant, datetime]]
) -> JSONDict:
    return {
        "_embedded": {
            "integrations": [
                {
                    "consumer": {
                        "name": c.name,
                        "_links": {"self": link(links.pacticipant(c.name))},
                    },
                    "provider": {
                        "name": p.name,
                        "_links": {"self": link(links.pacticipant(p.name))},
                    },
                    "latestPactPublishedAt": iso(created),
                    "_links": {
                        "self": link(
                            links.url(
                                "integrations",
                                "provider",
                                segment(p.name),
                                "consumer",
                                segment(c.name),
                            )
                        ),
                        "pb:latest-pact": link(links.latest_pact(p.name, c.name)),
                    },
                }
                for c, p, created in items
            ]
        },
        "_links": {"self": link(links.url("integrations"))},
    }
