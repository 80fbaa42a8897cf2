"""Provider contracts (bi-directional contract testing): publishing a provider version's
OpenAPI document with its self-verification, reading it back, and the cross-contract results
of a consumer version's pact against it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import bdct
from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import ConflictError, NotFoundError
from pact_pipeline.broker.models import (
    Pacticipant,
    ProviderContractPublication,
    Version,
    utcnow,
)
from pact_pipeline.broker.services import contract_comparisons
from pact_pipeline.broker.services.pacticipants import require_pacticipant
from pact_pipeline.broker.services.pacts import require_publication_for_sha

R = TypeVar("R")


@dataclass(frozen=True)
class SelfVerification:
    """The result of testing the provider against its contract, as the provider published it."""

    success: bool | None
    #: The rest as published (content base64, contentType, format, verifier, verifierVersion).
    details: dict[str, Any]


@dataclass(frozen=True)
class ProviderContractCommand:
    provider_name: str
    version_number: str
    content: str
    content_type: str
    specification: str
    self_verification: SelfVerification | None
    branch: str | None = None
    tags: tuple[str, ...] = ()
    build_url: str | None = None


@dataclass(frozen=True)
class ConsumerComparison:
    """A consumer version's pact compared with the published contract."""

    consumer_name: str
    consumer_version_number: str
    comparison: bdct.Comparison


@dataclass
class PublishedContract:
    command: ProviderContractCommand
    provider: Pacticipant
    version: Version
    publication: ProviderContractPublication
    created_version: bool
    republished: bool
    compared: list[ConsumerComparison] = field(default_factory=list)


def contract_sha(content: str) -> str:
    """The SHA-256 of the contract's text (its identity, like a pact version's SHA)."""
    return hashlib.sha256(content.encode()).hexdigest()


def publish_provider_contract(
    db: Database, command: ProviderContractCommand, present: Callable[[PublishedContract], R]
) -> R:
    """Create the provider version with its branch and tags, store the contract (content once
    per SHA) and its self-verification, and compare it with the consumers' pacts that matter.

    Republishing the same content for a version replaces its self-verification (a rerun of the
    provider's build); other content for a version that has a contract is a conflict, as a
    changed pact for a consumer version is.
    """
    with db.write() as session:
        provider = repo.find_or_create_pacticipant(session, command.provider_name)
        found = repo.find_version(session, provider, command.version_number)
        version = found or repo.find_or_create_version(session, provider, command.version_number)
        if command.build_url:
            version.build_url = command.build_url
        if command.branch:
            repo.add_version_to_branch(session, version, command.branch)
        for tag in command.tags:
            repo.add_tag(session, version, tag)
        publication, republished = _store(session, provider, version, command)
        compared = _compare_with_consumers(session, provider, publication)
        session.flush()
        session.refresh(version)
        return present(
            PublishedContract(
                command, provider, version, publication, found is None, republished, compared
            )
        )


def _store(
    session: Session, provider: Pacticipant, version: Version, command: ProviderContractCommand
) -> tuple[ProviderContractPublication, bool]:
    sha = contract_sha(command.content)
    existing = repo.contract_publication_of(session, version)
    if existing is not None and existing.contract_version.sha != sha:
        msg = (
            f"Cannot change the provider contract of {provider.name} version {version.number}: "
            "it was published with other content. Publish the new contract with a new version "
            "of the provider."
        )
        raise ConflictError(msg, body={"errors": {"contract": [msg]}, "error": msg})
    contract = repo.find_contract_version(session, provider, sha) or repo.add_contract_version(
        session,
        provider,
        sha=sha,
        content=command.content,
        content_type=command.content_type,
        specification=command.specification,
    )
    verification = command.self_verification
    publication = existing or ProviderContractPublication(
        provider_id=provider.id,
        provider_version_id=version.id,
        provider_contract_version_id=contract.id,
    )
    publication.self_verification_success = verification.success if verification else None
    publication.self_verification = verification.details if verification else None
    publication.build_url = command.build_url
    if existing is not None:
        publication.updated_at = utcnow()
    session.add(publication)
    session.flush()
    session.refresh(publication)
    return publication, existing is not None


def _compare_with_consumers(
    session: Session, provider: Pacticipant, publication: ProviderContractPublication
) -> list[ConsumerComparison]:
    pacts = contract_comparisons.pacts_that_matter(session, provider)
    contract_version_id = publication.provider_contract_version_id
    found = contract_comparisons.compare_and_store(
        session, {(pact_version_id, contract_version_id) for *_, pact_version_id in pacts}
    )
    names = repo.pacticipants_by_ids(session, {consumer_id for consumer_id, *_ in pacts})
    return [
        ConsumerComparison(
            names[consumer_id].name,
            number,
            found.results[(pact_version_id, contract_version_id)],
        )
        for consumer_id, _version_id, number, pact_version_id in sorted(
            pacts, key=lambda row: (names[row[0]].name, row[1])
        )
    ]


@dataclass(frozen=True)
class ContractView:
    provider: Pacticipant
    version: Version
    publication: ProviderContractPublication


def get_provider_contract(
    db: Database, provider_name: str, version_number: str, present: Callable[[ContractView], R]
) -> R:
    with db.read() as session:
        provider, version, publication = _require_contract(session, provider_name, version_number)
        return present(ContractView(provider, version, publication))


def _require_contract(
    session: Session, provider_name: str, version_number: str
) -> tuple[Pacticipant, Version, ProviderContractPublication]:
    provider = require_pacticipant(session, provider_name)
    version = repo.find_version(session, provider, version_number)
    publication = repo.contract_publication_of(session, version) if version else None
    if version is None or publication is None:
        msg = f"No provider contract found for {provider_name} version {version_number}"
        raise NotFoundError(msg)
    return provider, version, publication


@dataclass(frozen=True)
class CrossContractView:
    """A consumer version's pact compared with a provider version's contract."""

    contract: ContractView
    consumer: Pacticipant
    consumer_version: Version
    pact_sha: str
    comparison: bdct.Comparison

    @property
    def success(self) -> bool:
        return (
            self.comparison.success and self.contract.publication.self_verification_success is True
        )


def cross_contract_results(
    db: Database,
    *,
    provider_name: str,
    provider_version: str,
    consumer_name: str,
    consumer_version: str,
    present: Callable[[CrossContractView], R],
) -> R:
    """The comparison of the consumer version's pact with the provider version's contract
    (computed now if no publication asked for it before, and then kept)."""
    with db.read() as session:
        provider, version, publication = _require_contract(session, provider_name, provider_version)
        consumer = require_pacticipant(session, consumer_name)
        cv = repo.find_version(session, consumer, consumer_version)
        pub = repo.current_publication(session, cv, provider) if cv else None
        if cv is None or pub is None:
            msg = (
                f"No pact found between {consumer_name} version {consumer_version} "
                f"and {provider_name}"
            )
            raise NotFoundError(msg)
        pair = (pub.pact_version_id, publication.provider_contract_version_id)
        found = contract_comparisons.comparisons_of(session, [pair])
        view = CrossContractView(
            ContractView(provider, version, publication),
            consumer,
            cv,
            pub.pact_version.sha,
            found.results[pair],
        )
        rendered = present(view)
    contract_comparisons.store_computed(db, found.computed)
    return rendered


@dataclass(frozen=True)
class ComparedContract:
    """A provider version's contract a pact was compared with, and the outcome."""

    provider_version_number: str
    self_verification_success: bool | None
    comparison: bdct.Comparison

    @property
    def success(self) -> bool:
        return self.comparison.success and self.self_verification_success is True


def compared_contracts(
    db: Database, *, consumer_name: str, provider_name: str, sha: str, limit: int = 10
) -> list[ComparedContract]:
    """The newest provider versions whose contract this pact content was compared with."""
    with db.read() as session:
        pub = require_publication_for_sha(session, consumer_name, provider_name, sha)
        rows = repo.compared_contract_publications(
            session, pub.pact_version_id, contract_comparisons.ENGINE, limit
        )
        return [
            ComparedContract(number, own, bdct.comparison_from_json(results))
            for number, own, _success, results in rows
        ]
