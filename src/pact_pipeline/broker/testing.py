"""A fluent test-data builder that sets broker data up through the service layer.

Used by the broker's tests and by the conformance harness, whose provider states name fixed
pacticipants, versions and UUIDs. Every step is a real use case (its own transaction), so the
data is exactly what the HTTP API would have produced.
"""

from __future__ import annotations

import json
from typing import Any, Self

from pact_pipeline.broker import repository
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.services import environments as env_svc
from pact_pipeline.broker.services import pacticipants as pacticipant_svc
from pact_pipeline.broker.services import pacts as pact_svc
from pact_pipeline.broker.services import verifications as verification_svc
from pact_pipeline.broker.services import versions as version_svc
from pact_pipeline.broker.services import versions_in_environments as placement_svc
from pact_pipeline.broker.services import webhooks as webhook_svc


def reset_database(db: Database) -> None:
    """Delete every row (schema kept), children first."""
    with db.write() as session:
        repository.delete_every_row(session)


def _ignore(*_args: Any) -> None:
    return None


def empty_pact(consumer: str, provider: str) -> dict[str, Any]:
    """A pact with no interactions (what the Ruby broker's test-data builder publishes)."""
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": [],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }


def simple_pact(consumer: str, provider: str, description: str = "a request") -> dict[str, Any]:
    """A minimal valid pact between two pacticipants."""
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": [
            {
                "description": description,
                "request": {"method": "GET", "path": "/"},
                "response": {"status": 200},
            }
        ],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }


class TestData:
    """Builds scenarios step by step, remembering the current consumer, provider and versions."""

    __test__ = False  # not a pytest test class

    def __init__(self, db: Database) -> None:
        self.db = db
        self.consumer: str | None = None
        self.provider: str | None = None
        self.consumer_version: str | None = None
        self.provider_version: str | None = None
        self.pact_sha: str | None = None
        self._revision = 0

    # pacticipants and versions
    def create_pacticipant(self, name: str, **attributes: str | None) -> Self:
        pacticipant_svc.update_pacticipant(
            self.db, name, dict(attributes), _ignore, create_if_missing=True
        )
        return self

    def create_consumer(self, name: str, **attributes: str | None) -> Self:
        self.consumer = name
        return self.create_pacticipant(name, **attributes)

    def create_provider(self, name: str, **attributes: str | None) -> Self:
        self.provider = name
        return self.create_pacticipant(name, **attributes)

    def create_consumer_version(
        self, number: str, *, branch: str | None = None, tags: tuple[str, ...] = ()
    ) -> Self:
        assert self.consumer is not None, "create a consumer first"
        self.consumer_version = number
        changes = version_svc.VersionChanges(branch=branch, tags=tags)
        version_svc.upsert_version(self.db, self.consumer, number, changes, _ignore)
        return self

    def create_provider_version(
        self, number: str, *, branch: str | None = None, tags: tuple[str, ...] = ()
    ) -> Self:
        assert self.provider is not None, "create a provider first"
        self.provider_version = number
        changes = version_svc.VersionChanges(branch=branch, tags=tags)
        version_svc.upsert_version(self.db, self.provider, number, changes, _ignore)
        return self

    def create_consumer_version_tag(self, tag: str) -> Self:
        assert self.consumer is not None and self.consumer_version is not None
        version_svc.put_tag(self.db, self.consumer, self.consumer_version, tag, _ignore)
        return self

    def create_provider_version_tag(self, tag: str) -> Self:
        assert self.provider is not None and self.provider_version is not None
        version_svc.put_tag(self.db, self.provider, self.provider_version, tag, _ignore)
        return self

    def use_provider_version(self, number: str) -> Self:
        self.provider_version = number
        return self

    # pacts and verifications
    def create_pact(self, content: dict[str, Any] | None = None) -> Self:
        assert self.consumer and self.provider and self.consumer_version, (
            "need consumer, version and provider"
        )
        body = content or empty_pact(self.consumer, self.provider)
        self.pact_sha = pact_svc.put_pact(
            self.db,
            consumer_name=self.consumer,
            provider_name=self.provider,
            version_number=self.consumer_version,
            content=body,
            merge=False,
            allow_dangerous=True,
            present=lambda view, _created: view.publication.pact_version.sha,
        )
        return self

    def create_pact_with_hierarchy(self, consumer: str, version: str, provider: str) -> Self:
        return (
            self.create_consumer(consumer)
            .create_consumer_version(version)
            .create_provider(provider)
            .create_pact()
        )

    def revise_pact(self) -> Self:
        """Publish a new revision of the current pact with different content."""
        assert self.consumer and self.provider
        self._revision += 1
        return self.create_pact(
            simple_pact(self.consumer, self.provider, f"a request, revision {self._revision}")
        )

    def random_pact(self) -> Self:
        assert self.consumer and self.provider
        self._revision += 1
        return self.create_pact(
            simple_pact(self.consumer, self.provider, f"another request {self._revision}")
        )

    def create_verification(
        self, provider_version: str, *, success: bool = True, branch: str | None = None
    ) -> Self:
        assert self.consumer and self.provider and self.pact_sha
        self.provider_version = provider_version
        verification_svc.publish_verification(
            self.db,
            provider_name=self.provider,
            consumer_name=self.consumer,
            sha=self.pact_sha,
            metadata={},
            command=verification_svc.VerificationCommand(
                success=success, provider_version=provider_version, provider_branch=branch
            ),
            present=_ignore,
        )
        return self

    # environments, deployments, releases
    def create_environment(
        self,
        name: str,
        *,
        uuid: str | None = None,
        production: bool = False,
        display_name: str | None = None,
        contacts: Any = None,
    ) -> Self:
        data = env_svc.EnvironmentData(
            name=name, production=production, display_name=display_name, contacts=contacts
        )
        env_svc.create_environment(self.db, data, _ignore, uuid=uuid)
        return self

    def _environment_uuid(self, name: str) -> str:
        return env_svc.list_environments(
            self.db, lambda items: next(e.uuid for e in items if e.name == name)
        )

    def deploy(
        self,
        pacticipant: str,
        version: str,
        environment: str,
        *,
        uuid: str | None = None,
        target: str | None = None,
    ) -> Self:
        placement_svc.record_deployment(
            self.db,
            pacticipant_name=pacticipant,
            version_number=version,
            environment_uuid=self._environment_uuid(environment),
            target=target,
            present=_ignore,
            uuid=uuid,
        )
        return self

    def release(
        self, pacticipant: str, version: str, environment: str, *, uuid: str | None = None
    ) -> Self:
        placement_svc.record_release(
            self.db,
            pacticipant_name=pacticipant,
            version_number=version,
            environment_uuid=self._environment_uuid(environment),
            present=_ignore,
            uuid=uuid,
        )
        return self

    # webhooks
    def create_webhook(
        self,
        *,
        uuid: str | None = None,
        events: tuple[str, ...] = ("contract_content_changed",),
        url: str = "https://example.org/hook",
    ) -> Self:
        data = webhook_svc.WebhookData(
            request={
                "method": "POST",
                "url": url,
                "headers": {"Content-Type": "application/json"},
                "body": json.loads('{"pact": "${pactbroker.pactUrl}"}'),
            },
            events=events,
            consumer_name=self.consumer,
            provider_name=self.provider,
        )
        webhook_svc.create_webhook(self.db, data, _ignore, uuid=uuid)
        return self
