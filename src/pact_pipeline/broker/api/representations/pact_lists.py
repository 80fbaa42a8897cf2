"""One integration's pact versions, a provider's provider states, label names, and version
lists by branch, tag or environment."""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links, segment
from pact_pipeline.broker.api.representations.hal import JSONDict, compact, iso, link
from pact_pipeline.broker.api.representations.pact import pact_name
from pact_pipeline.broker.api.representations.verification import verification
from pact_pipeline.broker.api.representations.version import version
from pact_pipeline.broker.models import Pacticipant, PactPublication, Verification, Version
from pact_pipeline.broker.services.integration_pacts import ProviderState
from pact_pipeline.broker.services.versions import VersionFacts


def _embedded_pact(links: Links, pub: PactPublication) -> JSONDict:
    consumer, provider = pub.consumer.name, pub.provider.name
    number = pub.consumer_version.number
    return compact(
        {
            "createdAt": iso(pub.created_at),
            "_embedded": {
                "consumerVersion": {
                    "number": number,
                    "_links": {
                        "self": link(links.version(consumer, number), title="Version", name=number)
                    },
                }
            },
            "_links": {"self": link(links.pact(provider, consumer, number), title=pact_name(pub))},
        }
    )


def pact_versions(
    links: Links,
    consumer: str,
    provider: str,
    pubs: Sequence[PactPublication],
    self_href: str,
    title: str,
) -> JSONDict:
    """The Pact Broker's pact versions list: embedded pacts, ``pb:pact-versions`` links."""
    return {
        "_embedded": {"pacts": [_embedded_pact(links, pub) for pub in pubs]},
        "_links": {
            "self": link(self_href, title=title),
            "pb:consumer": link(links.pacticipant(consumer), title="Consumer", name=consumer),
            "pb:provider": link(links.pacticipant(provider), title="Provider", name=provider),
            "pb:pact-versions": [
                link(
                    links.pact(provider, consumer, pub.consumer_version.number),
                    title="Pact version",
                    name=f"Version {pub.consumer_version.number} - {iso(pub.created_at)}",
                )
                for pub in pubs
            ],
        },
    }


def provider_states(states: Sequence[ProviderState]) -> JSONDict:
    return {
        "providerStates": [
            compact({"name": s.name, "params": s.params, "consumers": s.consumers}) for s in states
        ]
    }


def labels(links: Links, names: Sequence[str]) -> JSONDict:
    return {
        "_embedded": {
            "labels": [
                {"name": name, "_links": {"pb:pacticipants": link(_label_url(links, name))}}
                for name in names
            ]
        },
        "_links": {"self": link(links.url("labels"), title="Labels")},
    }


def _label_url(links: Links, name: str) -> str:
    return links.pacticipants() + "/label/" + segment(name)


def version_list(
    links: Links,
    p: Pacticipant,
    items: Sequence[Version],
    facts: VersionFacts,
    self_href: str,
    title: str,
) -> JSONDict:
    """Versions of a pacticipant (by branch, tag or environment), like ``pb:versions``."""
    return {
        "_embedded": {"versions": [version(links, v, facts) for v in items]},
        "_links": {
            "self": link(self_href, title=title),
            "pb:pacticipant": link(links.pacticipant(p.name), title="Pacticipant", name=p.name),
            "pb:versions": [
                link(links.version(p.name, v.number), title="Version", name=v.number) for v in items
            ],
        },
    }


def verification_summary(
    links: Links, items: Sequence[Verification], self_href: str, consumer: str, number: str
) -> JSONDict:
    """The Pact Broker's summary of a consumer version's latest verification results."""
    return {
        "success": bool(items) and all(v.success for v in items),
        "providerSummary": {
            "successful": [v.pact_version.provider.name for v in items if v.success],
            "failed": [v.pact_version.provider.name for v in items if not v.success],
        },
        "_embedded": {"verificationResults": [verification(links, v) for v in items]},
        "_links": {
            "self": link(
                self_href,
                title=f"Latest verification results for consumer {consumer} version {number}",
            )
        },
    }
