"""Matrix rows: current pact publications joined to their verifications, then narrowed the
way the query asks (``latestby``, ``success[]``, ``ignore[]``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from pact_pipeline.broker.matrix.selectors import ResolvedSelector

LatestBy = Literal["cvpv", "cvp", "cp"]


@dataclass(frozen=True)
class Publication:
    """The current revision of a consumer version's pact with a provider."""

    id: int
    consumer_id: int
    consumer_name: str
    consumer_version_id: int
    consumer_version_number: str
    provider_id: int
    provider_name: str
    pact_version_id: int


VerificationKind = Literal["CDCT", "BDCT"]


@dataclass(frozen=True)
class VerificationRef:
    """The latest verification of a pact version by one provider version: the provider ran
    the pact (``CDCT``), or the pact was compared with the provider version's contract and
    the provider tested itself against that contract (``BDCT``, bi-directional; ``id`` is then
    the contract publication's, and ``detail`` says why it failed)."""

    id: int
    pact_version_id: int
    provider_version_id: int
    provider_version_number: str
    success: bool
    kind: VerificationKind = "CDCT"
    detail: str | None = None


@dataclass(frozen=True)
class Row:
    """One line of the matrix: a pact and (maybe) its verification by a provider version."""

    publication: Publication
    verification: VerificationRef | None
    ignored: bool = False

    @property
    def success(self) -> bool | None:
        """The verification outcome, None when the pact has no (matching) verification."""
        return None if self.verification is None else self.verification.success

    @property
    def provider_version_id(self) -> int | None:
        """The verifying provider version, None when unverified."""
        return None if self.verification is None else self.verification.provider_version_id

    @property
    def provider_version_number(self) -> str | None:
        """The verifying provider version's number, None when unverified."""
        return None if self.verification is None else self.verification.provider_version_number


def _last_action_key(row: Row) -> tuple[int, int, int]:
    """Sort key of the broker's "order by last action date desc" (used reversed).

    The last action is the newer of the consumer and provider versions' creation; ties go to
    the newer publication, then the newer verification.
    """
    pub = row.publication
    provider_version = row.provider_version_id
    newest = max(pub.consumer_version_id, provider_version or pub.consumer_version_id)
    return (newest, pub.id, row.verification.id if row.verification is not None else -1)


def _in_last_action_order(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=_last_action_key, reverse=True)


def build_rows(
    selectors: Sequence[ResolvedSelector],
    publications: Iterable[Publication],
    verifications: Iterable[VerificationRef],
) -> list[Row]:
    """Join publications to verifications following the broker's row rules.

    With exactly one resolved selector: rows whose consumer version it selects (with every
    verification of them), plus rows whose verification's provider version it selects. With
    several: rows whose consumer version is selected and whose provider is among the selectors'
    pacticipants, joined to verifications by selected provider versions only (so a pact that
    no selected provider version verified still gives a row, unverified); kept when the
    consumer or the provider is a specified pacticipant.

    Args:
        selectors: Every resolved selector (specified and inferred).
        publications: Current pact revisions that may appear in rows.
        verifications: The latest verification per (pact content, provider version).

    Returns:
        The rows, most recent last action first.
    """
    by_pact_version: dict[int, list[VerificationRef]] = {}
    for verification in verifications:
        by_pact_version.setdefault(verification.pact_version_id, []).append(verification)
    pubs = list(publications)
    # The broker switches on the number of *resolved* selectors, not of pacticipants: a tag
    # resolving to two versions of one pacticipant already uses the several-selector query.
    if len(selectors) == 1:
        pairs = _one_selector_pairs(selectors[0], pubs, by_pact_version)
    else:
        pairs = _several_selector_pairs(selectors, pubs, by_pact_version)
    return _in_last_action_order(_distinct_rows(pairs))


_Pair = tuple[Publication, VerificationRef | None]


def _distinct_rows(pairs: Iterable[_Pair]) -> list[Row]:
    rows: list[Row] = []
    seen: set[tuple[int, int | None, str | None]] = set()
    for pub, verification in pairs:
        key = (
            pub.id,
            None if verification is None else verification.id,
            None if verification is None else verification.kind,
        )
        if key not in seen:
            seen.add(key)
            rows.append(Row(pub, verification))
    return rows


def _one_selector_pairs(
    only: ResolvedSelector,
    pubs: Sequence[Publication],
    by_pact_version: dict[int, list[VerificationRef]],
) -> Iterator[_Pair]:
    for pub in pubs:
        verifs = by_pact_version.get(pub.pact_version_id, [])
        if only.matches(pub.consumer_id, pub.consumer_version_id):
            for verification in verifs:
                yield pub, verification
            if not verifs:
                yield pub, None
        else:
            for verification in verifs:
                if only.matches(pub.provider_id, verification.provider_version_id):
                    yield pub, verification


def _several_selector_pairs(
    selectors: Sequence[ResolvedSelector],
    pubs: Sequence[Publication],
    by_pact_version: dict[int, list[VerificationRef]],
) -> Iterator[_Pair]:
    def selects(pacticipant_id: int, version_id: int | None) -> bool:
        return any(s.matches(pacticipant_id, version_id) for s in selectors)

    pacticipant_ids = {s.pacticipant_id for s in selectors}
    specified_ids = {s.pacticipant_id for s in selectors if s.specified}
    for pub in pubs:
        if pub.provider_id not in pacticipant_ids:
            continue
        if not selects(pub.consumer_id, pub.consumer_version_id):
            continue
        if pub.consumer_id not in specified_ids and pub.provider_id not in specified_ids:
            continue
        matching = [
            v
            for v in by_pact_version.get(pub.pact_version_id, [])
            if selects(pub.provider_id, v.provider_version_id)
        ]
        for verification in matching:
            yield pub, verification
        if not matching:
            yield pub, None


def _latest_by_key(row: Row, latest_by: LatestBy) -> tuple[int | str | None, ...]:
    pub = row.publication
    if latest_by == "cvpv":
        # A provider version may both have verified the pact and published a contract the
        # pact was compared with: each answer is a row, and either failing blocks.
        kind = None if row.verification is None else row.verification.kind
        return (
            pub.consumer_id,
            pub.consumer_version_id,
            pub.provider_id,
            row.provider_version_id,
            kind,
        )
    if latest_by == "cvp":
        return (pub.consumer_id, pub.consumer_version_id, pub.provider_id)
    return (pub.consumer_id, pub.provider_id)


def apply_latest_by(rows: Sequence[Row], latest_by: LatestBy | None) -> list[Row]:
    """Keep one row per ``latestby`` group, as the broker's post-filter does.

    Groups are (consumer, consumer version, provider, provider version) for ``cvpv``,
    (consumer, consumer version, provider) for ``cvp`` and (consumer, provider) for ``cp``.
    In each group the row with the newest provider version wins, except that a group whose
    first row (in last-action order) is unverified is kept as that row: the newest thing that
    happened to the group is a pact nobody has verified yet.

    Args:
        rows: Matrix rows, in any order.
        latest_by: The grouping, or None for no filtering.

    Returns:
        The kept rows, most recent last action first.
    """
    ordered = _in_last_action_order(rows)
    if latest_by is None:
        return ordered
    groups: dict[tuple[int | str | None, ...], list[Row]] = {}
    for row in ordered:
        groups.setdefault(_latest_by_key(row, latest_by), []).append(row)
    kept: list[Row] = []
    for group in groups.values():
        first = group[0]
        if first.verification is None:
            kept.append(first)
            continue
        # max() keeps the first of equal provider versions, i.e. the most recent row.
        kept.append(max(group, key=lambda r: r.provider_version_id or -1))
    return _in_last_action_order(kept)


def filter_success(rows: Sequence[Row], success: Sequence[bool | None] | None) -> list[Row]:
    """Keep rows whose verification outcome is one of ``success`` (``success[]`` query).

    Args:
        rows: Rows after ``latestby``; the filter must come after it, or a failed newest
            verification would let an older successful one through.
        success: Accepted outcomes (None for unverified rows); empty or None for no filter.

    Returns:
        The rows that pass the filter.
    """
    if not success:
        return list(rows)
    return [row for row in rows if row.success in success]


def mark_ignored(rows: Sequence[Row], ignores: Sequence[ResolvedSelector]) -> list[Row]:
    """Flag rows whose consumer or provider an ignore selector matches.

    An ignore selector naming only a pacticipant matches all its versions (and an unverified
    row's missing provider version); one with a version matches that exact version.

    Args:
        rows: The rows to flag.
        ignores: The resolved ignore selectors.

    Returns:
        Copies of the rows, with ``ignored`` set where an ignore selector matches.
    """
    if not ignores:
        return list(rows)

    def ignored(row: Row) -> bool:
        pub = row.publication
        return any(
            s.matches(pub.consumer_id, pub.consumer_version_id)
            or s.matches(pub.provider_id, row.provider_version_id)
            for s in ignores
        )

    return [replace(row, ignored=ignored(row)) for row in rows]
