"""Verification results: publishing them and reading them back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError
from pact_pipeline.broker.models import PactPublication, Verification, Version
from pact_pipeline.broker.services.pacticipants import require_pacticipant
from pact_pipeline.broker.services.pacts import require_publication_for_sha

R = TypeVar("R")


# --- verification results ----------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationCommand:
    success: bool
    provider_version: str
    build_url: str | None = None
    test_results: Any = None
    verified_by: Any = None
    provider_branch: str | None = None


def publish_verification(
    db: Database,
    *,
    provider_name: str,
    consumer_name: str,
    sha: str | None,
    metadata: dict[str, Any],
    command: VerificationCommand,
    present: Callable[[Verification], R],
    on_published: Callable[[Session, Verification], None] | None = None,
) -> R:
    """Record a verification of a pact version (by SHA, or the integration's latest pact)."""
    with db.write() as session:
        if sha is None:
            consumer = require_pacticipant(session, consumer_name)
            provider = require_pacticipant(session, provider_name)
            latest = repo.latest_publication(session, consumer, provider)
            if latest is None:
                msg = f"No pact found between {consumer_name} and {provider_name}"
                raise NotFoundError(msg)
            pub: PactPublication = latest
        else:
            pub = require_publication_for_sha(session, consumer_name, provider_name, sha)
        provider = pub.provider
        version = repo.find_or_create_version(session, provider, command.provider_version)
        if command.build_url:
            version.build_url = command.build_url
        if command.provider_branch:
            repo.add_version_to_branch(session, version, command.provider_branch)
        verification = Verification(
            number=repo.next_verification_number(session, pub.pact_version),
            pact_version_id=pub.pact_version_id,
            provider_version_id=version.id,
            consumer_id=pub.consumer_id,
            provider_id=pub.provider_id,
            success=command.success,
            build_url=command.build_url,
            test_results=command.test_results,
            verified_by=command.verified_by,
            wip=bool(metadata.get("w")),
            pact_pending=metadata.get("p") if isinstance(metadata.get("p"), bool) else None,
        )
        session.add(verification)
        session.flush()
        if on_published is not None:
            on_published(session, verification)
        return present(verification)


def get_verification(
    db: Database,
    *,
    provider_name: str,
    consumer_name: str,
    sha: str,
    number: int | None,
    present: Callable[[Verification], R],
) -> R:
    with db.read() as session:
        pub = require_publication_for_sha(session, consumer_name, provider_name, sha)
        if number is None:
            verification = repo.latest_verification(session, pub.pact_version)
        else:
            verification = repo.find_verification(session, pub.pact_version, number)
        if verification is None:
            msg = (
                "No verification results found for the pact between "
                f"{consumer_name} and {provider_name} ({sha})"
            )
            raise NotFoundError(msg)
        return present(verification)


def latest_verification_for_latest_pact(
    db: Database,
    *,
    provider_name: str,
    consumer_name: str,
    present: Callable[[Verification], R],
    tag: str | None = None,
    consumer_version: str | None = None,
) -> R:
    """The newest verification of the integration's latest pact (with ``tag``), or of the
    pact of ``consumer_version``."""
    with db.read() as session:
        consumer = require_pacticipant(session, consumer_name)
        provider = require_pacticipant(session, provider_name)
        if consumer_version is not None:
            version = repo.find_version(session, consumer, consumer_version)
            pub = repo.current_publication(session, version, provider) if version else None
        else:
            pub = repo.latest_publication(session, consumer, provider, tag=tag)
        verification = repo.latest_verification(session, pub.pact_version) if pub else None
        if verification is None:
            which = (
                f"the pact of {consumer_name} version {consumer_version}"
                if consumer_version is not None
                else f"the latest pact{f' tagged {tag}' if tag else ''}"
            )
            msg = f"No verification results found for {which} between {consumer_name} and "
            raise NotFoundError(msg + provider_name)
        return present(verification)


def latest_verification_for_consumer_version(
    db: Database, *, consumer_name: str, number: str, present: Callable[[Verification], R]
) -> R:
    with db.read() as session:
        consumer = require_pacticipant(session, consumer_name)
        version: Version | None = repo.find_version(session, consumer, number)
        verification = (
            repo.latest_verification_for_consumer_version(session, version) if version else None
        )
        if verification is None:
            msg = f"No verification results found for {consumer_name} version {number}"
            raise NotFoundError(msg)
        return present(verification)
