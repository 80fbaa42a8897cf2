"""Pacts: one publication's content with its relations, and lists of pacts."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links, segment
from pact_pipeline.broker.api.representations.hal import JSONDict, iso, link
from pact_pipeline.broker.models import Pacticipant, PactPublication
from pact_pipeline.broker.services.pacts import PactView


def pact_name(pub: PactPublication) -> str:
    return (
        f"Pact between {pub.consumer.name} ({pub.consumer_version.number}) and {pub.provider.name}"
    )


def pact(
    links: Links,
    view: PactView,
    *,
    metadata: str | None = None,
    self_href: str | None = None,
) -> JSONDict:
    """The stored pact content with ``createdAt`` and the relations the verifier follows."""
    pub = view.publication
    content = json.loads(pub.pact_version.content)
    relations = _relations(links, pub, metadata=metadata, self_href=self_href)
    if view.latest_verification is not None:
        relations["pb:latest-verification-results"]["name"] = str(view.latest_verification.success)
    result: JSONDict = dict(content)
    result["createdAt"] = iso(pub.created_at)
    result["_links"] = relations
    return result


def _relations(
    links: Links, pub: PactPublication, *, metadata: str | None, self_href: str | None
) -> JSONDict:
    consumer, provider = pub.consumer.name, pub.provider.name
    number = pub.consumer_version.number
    sha = pub.pact_version.sha
    return {
        "self": link(
            self_href or links.pact(provider, consumer, number), title="Pact", name=pact_name(pub)
        ),
        "pb:consumer": link(links.pacticipant(consumer), title="Consumer", name=consumer),
        "pb:consumer-version": link(
            links.version(consumer, number), title="Consumer version", name=number
        ),
        "pb:provider": link(links.pacticipant(provider), title="Provider", name=provider),
        "pb:pact-version": link(
            links.pact_version(provider, consumer, sha),
            title="Pact content version permalink",
            name=sha,
        ),
        "pb:latest-pact-version": link(
            links.latest_pact(provider, consumer), title="Latest version of this pact"
        ),
        "pb:all-pact-versions": link(
            links.integration(provider, consumer) + "/versions", title="All versions of this pact"
        ),
        "pb:latest-untagged-pact-version": link(
            links.integration(provider, consumer) + "/latest-untagged",
            title="Latest untagged version of this pact",
        ),
        "pb:latest-tagged-pact-version": link(
            links.integration(provider, consumer) + "/latest/{tag}",
            title="Latest tagged version of this pact",
            templated=True,
        ),
        "pb:consumer-version-tag": link(
            links.version(consumer, number) + "/tags/{tag}", templated=True
        ),
        "pb:publish-verification-results": link(
            links.verification_results(provider, consumer, sha, metadata),
            title="Publish verification results",
        ),
        "pb:latest-verification-results": link(
            links.verification_results(provider, consumer, sha) + "/latest",
            title="Latest verification results",
        ),
        "pb:matrix-for-consumer-version": link(
            links.url("matrix")
            + f"?q[][pacticipant]={segment(consumer)}&q[][version]={segment(number)}&latestby=cvpv",
            title="View matrix rows for the consumer version to which this pact belongs",
        ),
        **_webhook_relations(links, provider, consumer, number),
        "curies": [
            {"name": "pb", "href": links.template("/doc/{rel}?context=pact"), "templated": True}
        ],
    }


def _webhook_relations(links: Links, provider: str, consumer: str, number: str) -> JSONDict:
    return {
        "pb:triggered-webhooks": link(
            links.pact_triggered_webhooks(provider, consumer, number),
            title="Webhooks triggered by the publication of this pact",
        ),
        "pb:pact-webhooks": link(
            links.pair_webhooks(provider, consumer),
            title=f"Webhooks for the pact between {consumer} and {provider}",
        ),
    }


def provider_pacts(
    links: Links, provider: Pacticipant, pubs: Sequence[PactPublication], self_href: str, title: str
) -> JSONDict:
    items = [
        link(
            links.pact(pub.provider.name, pub.consumer.name, pub.consumer_version.number),
            title=pact_name(pub),
            name=pub.consumer.name,
        )
        for pub in pubs
    ]
    return {
        "_links": {
            "self": link(self_href, title=title),
            "pb:provider": link(
                links.pacticipant(provider.name), title="Provider", name=provider.name
            ),
            "provider": link(
                links.pacticipant(provider.name), title="Provider", name=provider.name
            ),
            "pb:pacts": items,
            "pacts": items,
        }
    }


def latest_pacts(links: Links, pubs: Sequence[PactPublication]) -> JSONDict:
    rendered = []
    for pub in pubs:
        consumer, provider = pub.consumer.name, pub.provider.name
        number = pub.consumer_version.number
        rendered.append(
            {
                "createdAt": iso(pub.created_at),
                "_embedded": {
                    "consumer": {
                        "name": consumer,
                        "_links": {"self": link(links.pacticipant(consumer))},
                        "_embedded": {"version": {"number": number}},
                    },
                    "provider": {
                        "name": provider,
                        "_links": {"self": link(links.pacticipant(provider))},
                    },
                },
                "_links": {
                    "self": [
                        link(links.latest_pact(provider, consumer), title="Latest pact"),
                        link(links.pact(provider, consumer, number)),
                    ],
                    "pb:pact": link(links.pact(provider, consumer, number)),
                },
            }
        )
    return {
        "pacts": rendered,
        "_links": {
            "self": link(links.url("pacts", "latest")),
            "pb:pacts": [
                link(
                    links.pact(p.provider.name, p.consumer.name, p.consumer_version.number),
                    title=pact_name(p),
                    name=p.consumer.name,
                )
                for p in pubs
            ],
        },
    }


def pact_deleted(links: Links, provider: str, consumer: str) -> JSONDict:
    """What is left to follow once a consumer version's pact is deleted."""
    return {
        "_links": {
            "index": link(links.base + "/"),
            "pb:latest-pact-version": link(links.latest_pact(provider, consumer)),
        }
    }
