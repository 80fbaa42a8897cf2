"""Witnesses: for each pact content, *one* successful verification that answers a question the
pending and WIP rules ask, instead of every successful verification.

A content verified by every provider build (``pact_broker#487``: 15,000 verifications of one
pact version) made the rules read all of them. Their questions are all "is there a success
such that ..." (see :class:`~pact_pipeline.broker.selection.VerifiedOn`), so one real
verification satisfying the condition, when there is one, gives the rules the same answer: each
question is one statement for every candidate content, each content's search stopping at its
first match (newest first: what was verified lately is where matches are).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, or_, select, true
from sqlalchemy.orm import Session, aliased

from pact_pipeline.broker.models import Branch, BranchVersion, PactVersion, Tag, Verification
from pact_pipeline.broker.repository.common import chunked, column_rows
from pact_pipeline.broker.selection import VerifiedOn


def verification_witnesses(
    session: Session, provider_id: int, pact_version_ids: Iterable[int], question: VerifiedOn
) -> dict[int, int]:
    """For each pact content with a successful verification by the provider that satisfies
    the question, the id of one such verification (the newest)."""
    params: dict[str, object] = {"provider_id": provider_id}
    if question.label is not None:
        params["label"] = question.label
    if question.since is not None:
        params["since"] = question.since
    if question.started is not None:
        params["started"] = question.started
    query = _witness_query(
        question.kind,
        question.include_wip,
        question.since is not None,
        question.started is not None,
    )
    found: dict[int, int] = {}
    for chunk in chunked(pact_version_ids):
        for pact_version_id, verification_id in column_rows(
            session, query, {**params, "ids": chunk}
        ):
            if verification_id is not None:
                found[pact_version_id] = verification_id
    return found


def witness_rows(
    session: Session, verification_ids: Iterable[int]
) -> list[tuple[int, int, datetime, bool]]:
    """The verifications as the rules' facts need them, oldest first: (pact version id,
    provider version id, time, whether the pact was WIP)."""
    rows: list[tuple[int, int, datetime, bool]] = []
    for chunk in chunked(verification_ids):
        rows.extend(column_rows(session, _WITNESS_ROWS, {"ids": chunk}))
    return rows


_WITNESS_ROWS = (
    select(
        Verification.pact_version_id,
        Verification.provider_version_id,
        Verification.created_at,
        Verification.wip,
    )
    .where(Verification.id.in_(bindparam("ids", expanding=True)))
    .order_by(Verification.id)
)


def _labelled(kind: str, same: bool) -> ColumnElement[bool]:
    """The verification's provider version has the label (``same``) or a label other than it."""
    if kind == "branch":
        branch = aliased(Branch)
        name = branch.name
        return exists().where(
            BranchVersion.version_id == Verification.provider_version_id,
            branch.id == BranchVersion.branch_id,
            name == bindparam("label") if same else name != bindparam("label"),
        )
    return exists().where(
        Tag.version_id == Verification.provider_version_id,
        Tag.name == bindparam("label") if same else Tag.name != bindparam("label"),
    )


@cache
def _witness_query(
    kind: str | None, include_wip: bool, has_since: bool, has_started: bool
) -> Select[int, int]:
    """One statement per question shape, built once: each content id with its witness."""
    conditions: list[ColumnElement[bool]] = [
        Verification.pact_version_id == PactVersion.id,
        Verification.provider_id == bindparam("provider_id"),
        Verification.success.is_(True),
    ]
    if not include_wip:
        conditions.append(Verification.wip.is_(False))
    if has_since:
        conditions.append(Verification.created_at >= bindparam("since"))
    if kind is not None:
        # Another label only counts before the asked one existed (a new branch inherits).
        before = Verification.created_at < bindparam("started") if has_started else true()
        conditions.append(
            or_(_labelled(kind, same=True), and_(_labelled(kind, same=False), before))
        )
    witness = (
        select(Verification.id)
        .where(*conditions)
        .order_by(Verification.id.desc())
        .limit(1)
        .correlate(PactVersion)
        .scalar_subquery()
    )
    return select(PactVersion.id, witness).where(
        PactVersion.id.in_(bindparam("ids", expanding=True))
    )
