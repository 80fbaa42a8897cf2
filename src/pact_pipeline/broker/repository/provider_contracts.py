"""Provider contracts (bi-directional contract testing): their content by SHA, each provider
version's publication with its self-verification, and the stored comparisons with pacts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session

from pact_pipeline.broker.models import (
    ContractComparison,
    Pacticipant,
    PactVersion,
    ProviderContractPublication,
    ProviderContractVersion,
    Version,
)
from pact_pipeline.broker.repository.common import chunked, column_rows


@dataclass(frozen=True)
class ContractRef:
    """A provider version's contract, as the matrix joins it to pacts."""

    publication_id: int
    provider_id: int
    provider_version_id: int
    provider_version_number: str
    contract_version_id: int
    self_verification_success: bool | None


@dataclass(frozen=True)
class StoredComparison:
    pact_version_id: int
    contract_version_id: int
    success: bool
    results: Any


def find_contract_version(
    session: Session, provider: Pacticipant, sha: str
) -> ProviderContractVersion | None:
    found = select(ProviderContractVersion).where(
        ProviderContractVersion.provider_id == provider.id, ProviderContractVersion.sha == sha
    )
    return session.scalars(found).first()


def add_contract_version(
    session: Session,
    provider: Pacticipant,
    *,
    sha: str,
    content: str,
    content_type: str,
    specification: str,
) -> ProviderContractVersion:
    stored = ProviderContractVersion(
        provider_id=provider.id,
        sha=sha,
        content=content,
        content_type=content_type,
        specification=specification,
    )
    session.add(stored)
    session.flush()
    return stored


def contract_publication_of(
    session: Session, version: Version
) -> ProviderContractPublication | None:
    """The contract a provider version published, if any."""
    found = select(ProviderContractPublication).where(
        ProviderContractPublication.provider_version_id == version.id
    )
    return session.scalars(found).first()


def latest_contract_publications(
    session: Session, provider_id: int, limit: int
) -> list[ProviderContractPublication]:
    """A provider's newest contract publications, newest first."""
    newest = (
        select(ProviderContractPublication)
        .where(ProviderContractPublication.provider_id == provider_id)
        .order_by(ProviderContractPublication.provider_version_id.desc())
        .limit(limit)
    )
    return list(session.scalars(newest))


def contract_refs(
    session: Session,
    provider_ids: set[int],
    *,
    version_ids: set[int] | None,
    whole_ids: set[int],
) -> list[ContractRef]:
    """The contracts of the providers published by the given provider versions (every version
    when ``version_ids`` is None) or by any version of the whole pacticipants."""
    if not provider_ids:
        return []
    pub = ProviderContractPublication
    by_version = true() if version_ids is None else pub.provider_version_id.in_(sorted(version_ids))
    query = (
        select(
            pub.id,
            pub.provider_id,
            pub.provider_version_id,
            Version.number,
            pub.provider_contract_version_id,
            pub.self_verification_success,
        )
        .join(Version, Version.id == pub.provider_version_id)
        .where(
            pub.provider_id.in_(sorted(provider_ids)),
            or_(by_version, pub.provider_id.in_(sorted(whole_ids))),
        )
    )
    return [ContractRef(*row) for row in column_rows(session, query, {})]


def stored_comparisons(
    session: Session, pairs: Iterable[tuple[int, int]], engine: str
) -> dict[tuple[int, int], StoredComparison]:
    """The stored comparisons of (pact version id, contract version id) pairs by ``engine``."""
    wanted = set(pairs)
    contract_ids = sorted({contract for _pact, contract in wanted})
    found: dict[tuple[int, int], StoredComparison] = {}
    if not wanted:
        return found
    cc = ContractComparison
    for chunk in chunked(pact for pact, _contract in wanted):
        query = select(
            cc.pact_version_id, cc.provider_contract_version_id, cc.success, cc.results
        ).where(
            cc.engine == engine,
            cc.pact_version_id.in_(chunk),
            cc.provider_contract_version_id.in_(contract_ids),
        )
        for row in column_rows(session, query, {}):
            if (row[0], row[1]) in wanted:
                found[(row[0], row[1])] = StoredComparison(*row)
    return found


def add_comparisons(session: Session, engine: str, comparisons: Sequence[StoredComparison]) -> None:
    for comparison in comparisons:
        session.add(
            ContractComparison(
                pact_version_id=comparison.pact_version_id,
                provider_contract_version_id=comparison.contract_version_id,
                engine=engine,
                success=comparison.success,
                results=comparison.results,
            )
        )
    session.flush()


def pact_contents(session: Session, pact_version_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(SHA, content) of pact versions, by id."""
    found: dict[int, tuple[str, str]] = {}
    for chunk in chunked(pact_version_ids):
        query = select(PactVersion.id, PactVersion.sha, PactVersion.content).where(
            PactVersion.id.in_(chunk)
        )
        for pact_version_id, sha, content in column_rows(session, query, {}):
            found[pact_version_id] = (sha, content)
    return found


def contract_versions(
    session: Session, contract_version_ids: Iterable[int]
) -> dict[int, ProviderContractVersion]:
    ids = sorted(set(contract_version_ids))
    if not ids:
        return {}
    query = select(ProviderContractVersion).where(ProviderContractVersion.id.in_(ids))
    return {c.id: c for c in session.scalars(query)}


def contract_publication_times(
    session: Session, publication_ids: Iterable[int]
) -> dict[int, datetime]:
    """When each contract publication was made (or last republished), by id."""
    found: dict[int, datetime] = {}
    pub = ProviderContractPublication
    for chunk in chunked(publication_ids):
        query = select(pub.id, pub.created_at, pub.updated_at).where(pub.id.in_(chunk))
        for publication_id, created_at, updated_at in column_rows(session, query, {}):
            found[publication_id] = updated_at or created_at
    return found


def compared_contract_publications(
    session: Session, pact_version_id: int, engine: str, limit: int
) -> list[tuple[str, bool | None, bool, Any]]:
    """The provider versions whose contract a pact version was compared with (stored
    comparisons), newest first: (version number, self-verification success, comparison
    success, results)."""
    pub, cc = ProviderContractPublication, ContractComparison
    query = (
        select(Version.number, pub.self_verification_success, cc.success, cc.results)
        .join(pub, pub.provider_contract_version_id == cc.provider_contract_version_id)
        .join(Version, Version.id == pub.provider_version_id)
        .where(cc.pact_version_id == pact_version_id, cc.engine == engine)
        .order_by(pub.provider_version_id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in column_rows(session, query, {})]
