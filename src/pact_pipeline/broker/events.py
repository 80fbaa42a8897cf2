"""Domain events raised by publications and verifications, turned into triggered webhooks.

Each matching webhook gets a ``triggered_webhooks`` row in the triggering transaction; the
delivery loop (``services.webhooks.delivery``) is woken once that transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.models import (
    PactPublication,
    Verification,
    Version,
    Webhook,
    new_uuid,
)
from pact_pipeline.broker.services.pacts import StoredPact
from pact_pipeline.broker.services.pacts_for_verification import encode_metadata
from pact_pipeline.broker.services.versions import first_tag_as_branch
from pact_pipeline.broker.services.webhooks import (
    DeliveryNotifier,
    Triggered,
    deploy_for_tag,
    is_for,
    matching_webhooks,
    pact_params,
    trigger,
)

REQUIRING = "contract_requiring_verification_published"


@dataclass
class BrokerHooks:
    """Side effects of writes that are not part of the use case itself."""

    notifier: DeliveryNotifier | None
    #: Seconds after a version's creation during which its first tag becomes its branch
    #: (``use_first_tag_as_branch``); None: never.
    first_tag_as_branch_within: float | None = None

    def on_tagged(self, session: Session, version: Version, tag: str) -> None:
        deploy_for_tag(session, version, tag)
        if self.first_tag_as_branch_within is not None:
            first_tag_as_branch(session, version, tag, self.first_tag_as_branch_within)

    def bind(self, links: Links) -> BoundHooks:
        return BoundHooks(self, EventUrls(links))


@dataclass(frozen=True)
class EventUrls:
    """The URLs template parameters name: the pact permalink (with the metadata a verifier
    needs to publish its results back) and verification results."""

    links: Links

    @property
    def base(self) -> str:
        return self.links.base

    def pact_url(self, pub: PactPublication) -> str:
        metadata = encode_metadata({"cv": [pub.consumer_version.number], "w": True})
        return self.links.pact_version(
            pub.provider.name, pub.consumer.name, pub.pact_version.sha, metadata
        )

    def verification_url(self, verification: Verification) -> str:
        pact_version = verification.pact_version
        return self.links.verification(
            pact_version.provider.name,
            pact_version.consumer.name,
            pact_version.sha,
            verification.number,
        )


@dataclass
class BoundHooks:
    """The hooks of one request."""

    hooks: BrokerHooks
    urls: EventUrls
    webhooks: Sequence[Webhook] | None = None

    def _webhooks(self, session: Session) -> Sequence[Webhook]:
        """Every webhook, read once per request (a publication raises several events for each
        of its pacts; most brokers have a handful of webhooks)."""
        if self.webhooks is None:
            self.webhooks = repo.all_webhooks(session)
        return self.webhooks

    def _wake(self, session: Session, triggered: list[Triggered]) -> None:
        if triggered and self.hooks.notifier is not None:
            self.hooks.notifier.wake_after_commit(session)

    def on_pact_published(self, session: Session, stored: StoredPact) -> None:
        """Raise the publication's events (adding the requiring-verification one when some
        provider version must verify this content) and trigger their webhooks."""
        pub = stored.publication
        trigger_uuid = new_uuid()
        needing = _provider_versions_needing_verification(session, pub)
        if needing and REQUIRING not in stored.events:
            stored.events.append(REQUIRING)
        webhooks = [w for w in self._webhooks(session) if is_for(w, pub.consumer, pub.provider)]
        triggered: list[Triggered] = []
        for event_name in stored.events:
            subscribed = [w for w in webhooks if w.enabled and event_name in (w.events or [])]
            if not subscribed:
                continue
            contexts = _contexts(session, self.urls, pub, event_name, needing)
            triggered.extend(
                trigger(
                    session,
                    webhook,
                    event_name,
                    publication=pub,
                    verification=None,
                    params=params,
                    trigger_uuid=trigger_uuid,
                )
                for webhook in subscribed
                for params in contexts
            )
        stored.triggered = triggered
        stored.webhooks_configured = bool(webhooks)
        self._wake(session, triggered)

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
        params = pact_params(
            pub,
            self.urls.pact_url(pub),
            verification,
            self.urls.verification_url(verification),
        )
        trigger_uuid = new_uuid()
        triggered = [
            trigger(
                session,
                webhook,
                event_name,
                publication=pub,
                verification=verification,
                params=params,
                trigger_uuid=trigger_uuid,
            )
            for event_name in ("provider_verification_published", outcome)
            for webhook in matching_webhooks(session, event_name, pub.consumer, pub.provider)
        ]
        self._wake(session, triggered)


def _contexts(
    session: Session,
    urls: EventUrls,
    pub: PactPublication,
    event_name: str,
    needing: list[tuple[int, str]],
) -> list[dict[str, str]]:
    """The template parameters of each delivery an event owes a webhook: one, or for the
    requiring-verification event one per provider version that must verify the pact."""
    if event_name != REQUIRING:
        latest = repo.latest_verification(session, pub.pact_version)
        return [pact_params(pub, urls.pact_url(pub), latest, "")]
    versions = repo.versions_with_branches_and_tags(session, (vid for vid, _ in needing))
    contexts = []
    for version_id, description in needing:
        version = versions[version_id]
        params = pact_params(pub, urls.pact_url(pub), None, "")
        params["providerVersionNumber"] = version.number
        params["providerVersionBranch"] = ", ".join(
            bv.branch.name for bv in version.branch_versions
        )
        params["providerVersionDescriptions"] = description
        contexts.append(params)
    return contexts


def _provider_versions_needing_verification(
    session: Session, pub: PactPublication
) -> list[tuple[int, str]]:
    """Provider versions that should verify the pact's content and have not, with why: the
    head of the provider's main branch, and each version deployed or released (and
    supported)."""
    provider = pub.provider
    found: dict[int, list[str]] = {}
    if provider.main_branch:
        head = repo.branch_heads_of(session, {provider.id: provider.main_branch}).get(provider.id)
        if head is not None:
            found.setdefault(head.id, []).append("latest from main branch")
    for environment, kind, version_id in repo.current_placements_of_pacticipant(
        session, provider.id
    ):
        found.setdefault(version_id, []).append(f"{kind} in {environment}")
    if not found:
        return []
    verified = repo.provider_versions_that_verified(session, pub.pact_version_id, found)
    return [(vid, ", ".join(texts)) for vid, texts in found.items() if vid not in verified]
