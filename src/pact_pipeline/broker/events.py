"""Domain events raised by publications and verifications, turned into webhook deliveries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.models import (
    DeployedVersion,
    PactPublication,
    ReleasedVersion,
    Verification,
    Version,
)
from pact_pipeline.broker.services.pacts import StoredPact
from pact_pipeline.broker.services.pacts_for_verification import encode_metadata
from pact_pipeline.broker.services.webhooks import (
    Delivery,
    WebhookDispatcher,
    build_delivery,
    deploy_for_tag,
    matching_webhooks,
    pact_params,
)


@dataclass
class BrokerHooks:
    """Side effects of writes that are not part of the use case itself."""

    dispatcher: WebhookDispatcher | None

    def on_tagged(self, session: Session, version: Version, tag: str) -> None:
        deploy_for_tag(session, version, tag)

    def bind(self, links: Links) -> BoundHooks:
        return BoundHooks(self, links)


@dataclass
class BoundHooks:
    hooks: BrokerHooks
    links: Links

    def _pact_url(self, pub: PactPublication) -> str:
        metadata = encode_metadata({"cv": [pub.consumer_version.number], "w": True})
        return self.links.pact_version(
            pub.provider.name, pub.consumer.name, pub.pact_version.sha, metadata
        )

    def _enqueue(self, session: Session, deliveries: list[Delivery]) -> None:
        if self.hooks.dispatcher is not None:
            self.hooks.dispatcher.enqueue(session, deliveries)

    def on_pact_published(self, session: Session, stored: StoredPact) -> None:
        pub = stored.publication
        deliveries: list[Delivery] = []
        latest = repo.latest_verification(session, pub.pact_version)
        for event_name in stored.events:
            for webhook in matching_webhooks(session, event_name, pub.consumer, pub.provider):
                params = pact_params(pub, self._pact_url(pub), latest, "")
                deliveries.append(build_delivery(webhook, event_name, params))
        requiring = matching_webhooks(
            session, "contract_requiring_verification_published", pub.consumer, pub.provider
        )
        if requiring:
            for version, description in self._provider_versions_needing_verification(session, pub):
                for webhook in requiring:
                    params = pact_params(pub, self._pact_url(pub), None, "")
                    params["providerVersionNumber"] = version.number
                    params["providerVersionBranch"] = ", ".join(
                        bv.branch.name for bv in version.branch_versions
                    )
                    params["providerVersionDescriptions"] = description
                    deliveries.append(
                        build_delivery(webhook, "contract_requiring_verification_published", params)
                    )
        self._enqueue(session, deliveries)

    def _provider_versions_needing_verification(
        self, session: Session, pub: PactPublication
    ) -> list[tuple[Version, str]]:
        provider = pub.provider
        found: dict[int, tuple[Version, list[str]]] = {}
        if provider.main_branch:
            head = repo.branch_head(session, provider, provider.main_branch)
            if head is not None:
                found.setdefault(head.id, (head, []))[1].append("latest from main branch")
        for environment in repo.list_environments(session):
            for deployed in repo.current_placements(
                session, DeployedVersion, environment, pacticipant=provider
            ):
                found.setdefault(deployed.version_id, (deployed.version, []))[1].append(
                    f"deployed in {environment.name}"
                )
            for released in repo.current_placements(
                session, ReleasedVersion, environment, pacticipant=provider
            ):
                found.setdefault(released.version_id, (released.version, []))[1].append(
                    f"released in {environment.name}"
                )
        verified = {
            v.provider_version_id
            for v in repo.latest_verifications(session, pact_version_ids=[pub.pact_version_id])
        }
        return [
            (version, ", ".join(texts))
            for vid, (version, texts) in found.items()
            if vid not in verified
        ]

    def on_verification_published(self, session: Session, verification: Verification) -> None:
        pact_version = verification.pact_version
        pub = repo.newest_publication_of_pact_version(session, pact_version)
        if pub is None:
            return
        outcome = (
            "provider_verification_succeeded"
            if verification.success
            else "provider_verification_failed"
        )
        url = self.links.verification(
            pact_version.provider.name,
            pact_version.consumer.name,
            pact_version.sha,
            verification.number,
        )
        deliveries = [
            build_delivery(
                webhook, event_name, pact_params(pub, self._pact_url(pub), verification, url)
            )
            for event_name in ("provider_verification_published", outcome)
            for webhook in matching_webhooks(session, event_name, pub.consumer, pub.provider)
        ]
        self._enqueue(session, deliveries)
