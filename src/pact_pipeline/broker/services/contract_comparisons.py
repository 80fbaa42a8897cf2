"""Comparisons of pacts with provider contracts (bi-directional contract testing).

A comparison's inputs are content addressed by SHA (a pact version, a provider contract
version) and its rules by :data:`bdct.ENGINE_VERSION`, so a result, once computed, is the
answer for good: it is stored keyed by all three and never recomputed. Comparisons are made
eagerly when either side is published (against the other side's versions that matter: the
newest, main branch heads, what is deployed or released), and on demand, in memory, for any
other pair a matrix asks about; :func:`store_computed` then keeps those too.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pact_pipeline.broker import bdct, matrix
from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import Pacticipant, PactPublication
from pact_pipeline.broker.repository.provider_contracts import ContractRef, StoredComparison

ENGINE = bdct.ENGINE_VERSION

#: Parsed provider contracts by content SHA: parsing and compiling a large OpenAPI document
#: costs more than comparing a pact with it.
_PARSED: OrderedDict[str, bdct.ProviderContract] = OrderedDict()
_PARSED_LIMIT = 32
_PARSED_LOCK = threading.Lock()

Pair = tuple[int, int]


@dataclass
class Comparisons:
    """Comparisons by (pact version id, contract version id), with those computed in memory
    (not yet stored) listed apart."""

    results: dict[Pair, bdct.Comparison]
    computed: list[StoredComparison]


def parsed_contract(sha: str, content: str, content_type: str | None) -> bdct.ProviderContract:
    """The compiled contract of this content, from the cache when it was compiled lately."""
    with _PARSED_LOCK:
        found = _PARSED.get(sha)
        if found is not None:
            _PARSED.move_to_end(sha)
            return found
    try:
        contract = bdct.parse_contract(content, content_type)
    except bdct.ContractDocumentError as problem:
        # Publication refuses such content; one stored before the rules tightened is
        # compared as the invalid document it is (every comparison then says why).
        contract = bdct.parse_contract(json.dumps({"unreadable": str(problem)}), None)
    with _PARSED_LOCK:
        _PARSED[sha] = contract
        while len(_PARSED) > _PARSED_LIMIT:
            _PARSED.popitem(last=False)
    return contract


def comparisons_of(session: Session, pairs: Iterable[Pair]) -> Comparisons:
    """The comparisons of the pairs: stored ones read, missing ones computed (not stored)."""
    wanted = set(pairs)
    stored = repo.stored_comparisons(session, wanted, ENGINE)
    results = {pair: bdct.comparison_from_json(s.results) for pair, s in stored.items()}
    missing = sorted(wanted - stored.keys())
    computed = _compute(session, missing)
    results.update({(c.pact_version_id, c.contract_version_id): _loaded(c) for c in computed})
    return Comparisons(results, computed)


def _loaded(stored: StoredComparison) -> bdct.Comparison:
    return bdct.comparison_from_json(stored.results)


def _compute(session: Session, pairs: Sequence[Pair]) -> list[StoredComparison]:
    if not pairs:
        return []
    pacts = repo.pact_contents(session, (p for p, _ in pairs))
    contracts = repo.contract_versions(session, (c for _, c in pairs))
    computed: list[StoredComparison] = []
    for pact_version_id, contract_version_id in pairs:
        _sha, text = pacts[pact_version_id]
        stored_contract = contracts[contract_version_id]
        contract = parsed_contract(
            stored_contract.sha, stored_contract.content, stored_contract.content_type
        )
        comparison = bdct.compare(contract, json.loads(text))
        computed.append(
            StoredComparison(
                pact_version_id,
                contract_version_id,
                comparison.success,
                bdct.comparison_to_json(comparison),
            )
        )
    return computed


def compare_and_store(session: Session, pairs: Iterable[Pair]) -> Comparisons:
    """:func:`comparisons_of` in a write transaction, storing what it computed."""
    found = comparisons_of(session, pairs)
    repo.add_comparisons(session, ENGINE, found.computed)
    return found


def store_computed(db: Database, computed: Sequence[StoredComparison]) -> None:
    """Keep comparisons a read computed (a concurrent request may have stored them first:
    the same inputs give the same result, so that one stands)."""
    if not computed:
        return
    try:
        with db.write() as session:
            have = repo.stored_comparisons(
                session, ((c.pact_version_id, c.contract_version_id) for c in computed), ENGINE
            )
            fresh = [c for c in computed if (c.pact_version_id, c.contract_version_id) not in have]
            repo.add_comparisons(session, ENGINE, fresh)
    except IntegrityError:
        return


def contracts_that_matter(session: Session, provider: Pacticipant) -> list[ContractRef]:
    """The provider's contracts a new pact is compared with at once: its newest, its main
    branch head's, and those of its versions deployed or released now (none, after one
    indexed read, for a provider that publishes no contracts)."""
    newest = repo.latest_contract_publications(session, provider.id, 1)
    if not newest:
        return []
    version_ids = {p.provider_version_id for p in newest}
    version_ids.update(
        version_id
        for _env, _kind, version_id in repo.current_placements_of_pacticipant(session, provider.id)
    )
    if provider.main_branch:
        head = repo.branch_head(session, provider, provider.main_branch)
        if head is not None:
            version_ids.add(head.id)
    return repo.contract_refs(session, {provider.id}, version_ids=version_ids, whole_ids=set())


def compare_new_pacts(session: Session, publications: Sequence[PactPublication]) -> None:
    """Compare newly published pacts with their providers' contracts that matter (nothing to
    do for providers without contracts)."""
    pairs: set[Pair] = set()
    for pub in publications:
        for ref in contracts_that_matter(session, pub.provider):
            pairs.add((pub.pact_version_id, ref.contract_version_id))
    compare_and_store(session, pairs)


def pacts_that_matter(session: Session, provider: Pacticipant) -> list[tuple[int, int, str, int]]:
    """The consumers' pacts a new provider contract is compared with at once: each consumer's
    newest, its main branch head's and those of its versions deployed or released now, as
    (consumer id, consumer version id, consumer version number, pact version id)."""
    consumer_ids = repo.consumers_of_provider(session, provider.id)
    version_ids = set(repo.newest_consumer_versions_with_pacts(session, provider.id, consumer_ids))
    consumers = repo.pacticipants_by_ids(session, set(consumer_ids))
    heads = repo.branch_heads_of(
        session, {c.id: c.main_branch for c in consumers.values() if c.main_branch}
    )
    version_ids.update(v.id for v in heads.values())
    for consumer_id in consumer_ids:
        version_ids.update(
            version_id
            for _e, _kind, version_id in repo.current_placements_of_pacticipant(
                session, consumer_id
            )
        )
    rows = repo.current_pacts_of_consumer_versions(session, provider.id, version_ids)
    return [(row[0], row[1], row[2], row[3]) for row in rows]


@dataclass
class MatrixContractRefs:
    """The matrix's bi-directional answers: one per (pact, provider version with a contract)."""

    refs: list[matrix.VerificationRef]
    computed: list[StoredComparison]


def matrix_refs(
    session: Session,
    publications: Sequence[matrix.Publication],
    *,
    version_ids: set[int] | None,
    whole_ids: set[int],
) -> MatrixContractRefs:
    """Each publication compared with the contracts of its provider's selected versions (every
    version when ``version_ids`` is None), as matrix verification refs."""
    contracts = repo.contract_refs(
        session,
        {p.provider_id for p in publications},
        version_ids=version_ids,
        whole_ids=whole_ids,
    )
    if not contracts:
        return MatrixContractRefs([], [])
    by_provider: dict[int, list[ContractRef]] = {}
    for ref in contracts:
        by_provider.setdefault(ref.provider_id, []).append(ref)
    pairs = {
        (pub.pact_version_id, ref)
        for pub in publications
        for ref in by_provider.get(pub.provider_id, [])
    }
    found = comparisons_of(session, {(p, ref.contract_version_id) for p, ref in pairs})
    refs = [
        _as_verification(
            pact_version_id, ref, found.results[(pact_version_id, ref.contract_version_id)]
        )
        for pact_version_id, ref in sorted(
            pairs, key=lambda pair: (pair[0], pair[1].publication_id)
        )
    ]
    return MatrixContractRefs(refs, found.computed)


def _as_verification(
    pact_version_id: int, ref: ContractRef, comparison: bdct.Comparison
) -> matrix.VerificationRef:
    problems = []
    if ref.self_verification_success is None:
        problems.append("the provider published no self-verification results for its contract")
    elif not ref.self_verification_success:
        problems.append("the provider's self-verification against its contract failed")
    if not comparison.success:
        problems.append(comparison.summary())
    return matrix.VerificationRef(
        ref.publication_id,
        pact_version_id,
        ref.provider_version_id,
        ref.provider_version_number,
        not problems,
        kind="BDCT",
        detail="; ".join(problems) or None,
    )
