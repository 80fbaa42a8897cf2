"""Pacts for verification: the pacts a provider should verify, each with why it was selected
and whether it is pending."""

from __future__ import annotations

from pact_pipeline.broker import selection
from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations import notices as wording
from pact_pipeline.broker.api.representations.hal import JSONDict, link
from pact_pipeline.broker.services.pacts_for_verification import VerifiableResult, encode_metadata


def for_verification(links: Links, result: VerifiableResult) -> JSONDict:
    provider = result.provider.name
    include_pending = result.query.include_pending_status
    latest_shas = result.latest_shas
    pacts: list[JSONDict] = []
    for entry in result.entries:
        href, name = _verifiable_pact_link(links, provider, entry, include_pending, latest_shas)
        inclusion = wording.inclusion_notice(entry, href, provider)
        notices = [{"when": "before_verification", "text": inclusion}]
        properties: JSONDict = {}
        if include_pending:
            notices.append(
                {
                    "when": "before_verification",
                    "text": wording.pending_notice(
                        entry, provider, result.query.provider_version_branch
                    ),
                }
            )
            if entry.pending:
                after = wording.after_verification_notices(
                    provider, result.query.provider_version_branch, entry.pending_provider_tags
                )
                notices.extend({"when": when, "text": text} for when, text in after.items())
            properties["pending"] = entry.pending
        if entry.wip:
            properties["wip"] = True
            properties["pending"] = True
        properties["notices"] = notices
        pacts.append(
            {
                "shortDescription": wording.short_description(entry),
                "verificationProperties": properties,
                "_links": {"self": {"href": href, "name": name}},
            }
        )
    return {
        "_embedded": {"pacts": pacts},
        "_links": {"self": _self(links, provider)},
    }


def _verifiable_pact_link(
    links: Links,
    provider: str,
    entry: selection.VerifiablePact,
    include_pending: bool,
    latest_shas: dict[str, str],
) -> tuple[str, str]:
    """The URL the verifier fetches for an entry, and its name.

    An entry that carries no pending or WIP state and whose content is the integration's latest
    pact is linked by the integration's stable URL (``/pacts/provider/P/consumer/C``), which
    always serves the newest pact; every other entry gets a content permalink whose metadata
    tells the broker, when results come back, how the pact was selected.
    """
    candidate = entry.candidate
    consumer = candidate.consumer_name
    if not include_pending and not entry.wip and latest_shas.get(consumer) == candidate.sha:
        return links.integration(provider, consumer), f"Pact between {consumer} and {provider}"
    metadata = encode_metadata(
        {"w": True}
        if entry.wip
        else {"p": entry.pending, "cv": [candidate.consumer_version_number]}
    )
    href = links.pact_version(provider, consumer, candidate.sha, metadata)
    return href, f"Pact between {consumer} ({candidate.consumer_version_number}) and {provider}"


def for_verification_link(links: Links, provider: str) -> JSONDict:
    """What the verifier GETs first: the ``self`` link it then POSTs its selectors to."""
    return {
        "_links": {"self": link(links.for_verification(provider), title="Pacts to be verified")}
    }


def _self(links: Links, provider: str) -> JSONDict:
    return link(links.for_verification(provider), title="Pacts to be verified")
