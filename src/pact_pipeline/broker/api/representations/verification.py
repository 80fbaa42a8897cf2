"""Verification results."""

from __future__ import annotations

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, compact, iso, link
from pact_pipeline.broker.models import Verification


def verification(links: Links, v: Verification) -> JSONDict:
    pv = v.pact_version
    consumer, provider = pv.consumer.name, pv.provider.name
    return compact(
        {
            "providerName": provider,
            "providerApplicationVersion": v.provider_version.number,
            "success": v.success,
            "verificationDate": iso(v.created_at),
            "buildUrl": v.build_url,
            "testResults": v.test_results,
            "verifiedBy": v.verified_by,
            "_links": {
                "self": link(
                    links.verification(provider, consumer, pv.sha, v.number),
                    title="Verification result",
                    name=f"Verification result {v.number} for {consumer} and {provider}",
                ),
                "pb:pact-version": link(
                    links.pact_version(provider, consumer, pv.sha), title="Pact"
                ),
                "pb:provider-version": link(
                    links.version(provider, v.provider_version.number),
                    title="Provider version",
                    name=v.provider_version.number,
                ),
                "pb:triggered-webhooks": link(
                    links.verification(provider, consumer, pv.sha, v.number)
                    + "/triggered-webhooks",
                    title="Webhooks triggered by the publication of this verification result",
                ),
            },
        }
    )
