"""Absolute URLs of the broker's resources, built from the request's base URL.

The Ruby broker emits absolute hrefs derived from the request; the Rust CLI keeps only their
path, the verifier keeps path and query, so both work behind proxies and on any port.
"""

from __future__ import annotations

from urllib.parse import quote


def segment(value: str) -> str:
    """Percent-encode a name as one path segment (``/`` included).

    A name that is all dots (``.`` or ``..``) is encoded too: clients resolve such a segment
    as a relative path step (RFC 3986 §5.2.4), so the link would lose the name.
    """
    if value and value.strip(".") == "":
        return "%2E" * len(value)
    return quote(value, safe="")


class Links:
    """URL builder for one request."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def url(self, *parts: str) -> str:
        return self.base + "/" + "/".join(parts)

    def template(self, path: str) -> str:
        return f"{self.base}{path}"

    # provider contracts (bi-directional contract testing)
    def provider_contract(self, provider: str, number: str) -> str:
        return self.url(
            "contracts",
            "bi-directional",
            "provider",
            segment(provider),
            "version",
            segment(number),
            "provider-contract",
        )

    def cross_contract_results(
        self, provider: str, provider_number: str, consumer: str, consumer_number: str
    ) -> str:
        return self.url(
            "contracts",
            "bi-directional",
            "provider",
            segment(provider),
            "version",
            segment(provider_number),
            "consumer",
            segment(consumer),
            "version",
            segment(consumer_number),
            "cross-contract-verification-results",
        )

    # pacticipants and versions
    def pacticipants(self) -> str:
        return self.url("pacticipants")

    def pacticipant(self, name: str) -> str:
        return self.url("pacticipants", segment(name))

    def versions(self, pacticipant: str) -> str:
        return self.url("pacticipants", segment(pacticipant), "versions")

    def version(self, pacticipant: str, number: str) -> str:
        return self.url("pacticipants", segment(pacticipant), "versions", segment(number))

    def tag(self, pacticipant: str, number: str, tag: str) -> str:
        return self.version(pacticipant, number) + "/tags/" + segment(tag)

    def branches(self, pacticipant: str) -> str:
        return self.pacticipant(pacticipant) + "/branches"

    def branch(self, pacticipant: str, branch: str) -> str:
        return self.pacticipant(pacticipant) + "/branches/" + segment(branch)

    def branch_version(self, pacticipant: str, branch: str, number: str) -> str:
        return self.branch(pacticipant, branch) + "/versions/" + segment(number)

    def label(self, pacticipant: str, label: str) -> str:
        return self.pacticipant(pacticipant) + "/labels/" + segment(label)

    def latest_version(self, pacticipant: str, tag: str | None = None) -> str:
        suffix = "/latest-version" + (f"/{segment(tag)}" if tag else "")
        return self.pacticipant(pacticipant) + suffix

    # pacts
    def integration(self, provider: str, consumer: str) -> str:
        return self.url("pacts", "provider", segment(provider), "consumer", segment(consumer))

    def pact(self, provider: str, consumer: str, number: str) -> str:
        return self.integration(provider, consumer) + "/version/" + segment(number)

    def pact_version(
        self, provider: str, consumer: str, sha: str, metadata: str | None = None
    ) -> str:
        url = self.integration(provider, consumer) + "/pact-version/" + segment(sha)
        return url + (f"/metadata/{segment(metadata)}" if metadata else "")

    def latest_pact(self, provider: str, consumer: str, tag: str | None = None) -> str:
        return (
            self.integration(provider, consumer) + "/latest" + (f"/{segment(tag)}" if tag else "")
        )

    def verification_results(
        self, provider: str, consumer: str, sha: str, metadata: str | None = None
    ) -> str:
        return self.pact_version(provider, consumer, sha, metadata) + "/verification-results"

    def verification(self, provider: str, consumer: str, sha: str, number: int) -> str:
        return self.verification_results(provider, consumer, sha) + f"/{number}"

    def provider_pacts(self, provider: str) -> str:
        return self.url("pacts", "provider", segment(provider))

    def for_verification(self, provider: str) -> str:
        return self.provider_pacts(provider) + "/for-verification"

    # environments and deployments
    def environments(self) -> str:
        return self.url("environments")

    def environment(self, uuid: str) -> str:
        return self.url("environments", segment(uuid))

    def record_deployment(self, pacticipant: str, number: str, env_uuid: str) -> str:
        return (
            self.version(pacticipant, number)
            + "/deployed-versions/environment/"
            + segment(env_uuid)
        )

    def record_release(self, pacticipant: str, number: str, env_uuid: str) -> str:
        return (
            self.version(pacticipant, number)
            + "/released-versions/environment/"
            + segment(env_uuid)
        )

    def deployed_version(self, uuid: str) -> str:
        return self.url("deployed-versions", segment(uuid))

    def released_version(self, uuid: str) -> str:
        return self.url("released-versions", segment(uuid))

    # webhooks
    def webhooks(self) -> str:
        return self.url("webhooks")

    def webhook(self, uuid: str) -> str:
        return self.url("webhooks", segment(uuid))

    def webhook_execute(self) -> str:
        return self.url("webhooks", "execute")

    def pair_webhooks(self, provider: str, consumer: str) -> str:
        return self.url("webhooks", "provider", segment(provider), "consumer", segment(consumer))

    def triggered_webhook_logs(self, uuid: str) -> str:
        return self.url("triggered-webhooks", segment(uuid), "logs")

    def pact_triggered_webhooks(self, provider: str, consumer: str, number: str) -> str:
        return self.pact(provider, consumer, number) + "/triggered-webhooks"

    def pact_webhooks_status(self, provider: str, consumer: str) -> str:
        return self.integration(provider, consumer) + "/webhooks/status"

    # secrets
    def secrets(self) -> str:
        return self.url("secrets")

    def secret(self, uuid: str) -> str:
        return self.url("secrets", segment(uuid))
