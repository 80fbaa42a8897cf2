"""Queries of the database clean-up: versions the keep selectors select, versions that must never
go, the rows hanging off a set of versions, and their deletion (children first)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from pact_pipeline.broker.clean_selectors import KeepSelector
from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    CleanLock,
    ContractComparison,
    DeployedVersion,
    Environment,
    Pacticipant,
    PactPublication,
    PactVersion,
    ProviderContractPublication,
    ProviderContractVersion,
    ReleasedVersion,
    Tag,
    TriggeredWebhook,
    Verification,
    Version,
    WebhookExecution,
)
from pact_pipeline.broker.repository.common import chunked
from pact_pipeline.broker.repository.webhooks import PENDING_STATUSES

#: The tables a clean deletes from, children first (the order deletions run in).
CLEANED: dict[str, Any] = {
    "webhook_executions": WebhookExecution,
    "triggered_webhooks": TriggeredWebhook,
    "verifications": Verification,
    "contract_comparisons": ContractComparison,
    "provider_contract_publications": ProviderContractPublication,
    "provider_contract_versions": ProviderContractVersion,
    "pact_publications": PactPublication,
    "pact_versions": PactVersion,
    "tags": Tag,
    "branch_versions": BranchVersion,
    "deployed_versions": DeployedVersion,
    "released_versions": ReleasedVersion,
    "versions": Version,
    "branches": Branch,
}
#: Report order: parents first.
REPORTED = (
    "versions",
    "pact_publications",
    "pact_versions",
    "verifications",
    "tags",
    "branches",
    "branch_versions",
    "deployed_versions",
    "released_versions",
    "triggered_webhooks",
    "webhook_executions",
    "provider_contract_publications",
    "provider_contract_versions",
)


def row_counts(session: Session) -> dict[str, int]:
    """Rows per table the clean touches."""
    return {
        name: int(session.scalar(select(func.count()).select_from(CLEANED[name])) or 0)
        for name in REPORTED
    }


def all_version_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Version.id).order_by(Version.id)))


# --- keep selectors --------------------------------------------------------------------------


def _current_in(model: type[DeployedVersion | ReleasedVersion], env: str | None) -> Select[Any]:
    query = select(model.version_id).where(model.end_column().is_(None))
    if env is not None:
        query = query.join(Environment, Environment.id == model.environment_id).where(
            Environment.name == env
        )
    return query


def _filters(selector: KeepSelector, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if selector.pacticipant_name is not None:
        named = select(Pacticipant.id).where(Pacticipant.name == selector.pacticipant_name)
        conditions.append(Version.pacticipant_id.in_(named))
    if selector.max_age is not None:
        conditions.append(Version.created_at >= now - timedelta(days=selector.max_age))
    env = selector.environment_name
    if selector.deployed:
        conditions.append(Version.id.in_(_current_in(DeployedVersion, env)))
    if selector.released:
        conditions.append(Version.id.in_(_current_in(ReleasedVersion, env)))
    if env is not None and not (selector.deployed or selector.released):
        conditions.append(
            or_(
                Version.id.in_(_current_in(DeployedVersion, env)),
                Version.id.in_(_current_in(ReleasedVersion, env)),
            )
        )
    return conditions


def _branch_condition(selector: KeepSelector) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if isinstance(selector.branch, str):
        conditions.append(Branch.name == selector.branch)
    if selector.main_branch:
        main = select(Pacticipant.id).where(
            Pacticipant.id == Branch.pacticipant_id, Pacticipant.main_branch == Branch.name
        )
        conditions.append(exists(main))
    return conditions


def _on_branches(selector: KeepSelector, *, heads: bool) -> Select[Any]:
    """Versions on the selector's branches, or only the heads of those branches."""
    chosen = _branch_condition(selector)
    if not heads:
        return (
            select(BranchVersion.version_id)
            .join(Branch, Branch.id == BranchVersion.branch_id)
            .where(*chosen)
        )
    newest = (
        select(func.max(BranchVersion.id))
        .join(Branch, Branch.id == BranchVersion.branch_id)
        .where(*chosen)
        .group_by(BranchVersion.branch_id)
    )
    return select(BranchVersion.version_id).where(BranchVersion.id.in_(newest))


def selector_query(selector: KeepSelector, now: datetime) -> Select[Any]:
    """The ids of the versions ``selector`` selects ("latest" is the highest id)."""
    conditions = _filters(selector, now)
    latest = bool(selector.latest)
    if selector.branch is not None or selector.main_branch:
        conditions.append(Version.id.in_(_on_branches(selector, heads=latest)))
        latest = False
    tag_names = [Tag.name == selector.tag] if isinstance(selector.tag, str) else []
    if selector.tag is not None and not latest:
        conditions.append(Version.id.in_(select(Tag.version_id).where(*tag_names)))
    if not latest:
        return select(Version.id).where(*conditions)
    filtered = select(Version.id, Version.pacticipant_id).where(*conditions).subquery()
    if selector.tag is None:
        return select(func.max(filtered.c.id)).group_by(filtered.c.pacticipant_id)
    return (
        select(func.max(filtered.c.id))
        .join(Tag, Tag.version_id == filtered.c.id)
        .where(*tag_names)
        .group_by(filtered.c.pacticipant_id, Tag.name)
    )


def selected_version_ids(session: Session, selector: KeepSelector, now: datetime) -> set[int]:
    return {int(i) for i in session.scalars(selector_query(selector, now)) if i is not None}


# --- versions that are never deleted ---------------------------------------------------------


def protected_version_ids(session: Session) -> dict[str, set[int]]:
    """Versions a clean keeps whatever the selectors say, by reason."""
    newest_bv = select(func.max(BranchVersion.id)).group_by(BranchVersion.branch_id)
    newest_pact = select(func.max(PactPublication.consumer_version_id)).group_by(
        PactPublication.consumer_id, PactPublication.provider_id
    )
    queries: dict[str, Select[Any]] = {
        "currently deployed": _current_in(DeployedVersion, None),
        "currently supported release": _current_in(ReleasedVersion, None),
        "branch head": select(BranchVersion.version_id).where(BranchVersion.id.in_(newest_bv)),
        "latest version of a pacticipant": select(func.max(Version.id)).group_by(
            Version.pacticipant_id
        ),
        "latest pact of an integration": newest_pact,
        "undelivered webhook": _pending_webhook_versions(None),
    }
    return {
        reason: {int(i) for i in session.scalars(query) if i is not None}
        for reason, query in queries.items()
    }


def _pending_webhook_versions(ids: list[int] | None) -> Select[Any]:
    pending = TriggeredWebhook.status.in_(PENDING_STATUSES)
    by_pact = (
        select(PactPublication.consumer_version_id)
        .join(TriggeredWebhook, TriggeredWebhook.pact_publication_id == PactPublication.id)
        .where(pending)
    )
    by_verification = (
        select(Verification.provider_version_id)
        .join(TriggeredWebhook, TriggeredWebhook.verification_id == Verification.id)
        .where(pending)
    )
    if ids is not None:
        by_pact = by_pact.where(PactPublication.consumer_version_id.in_(ids))
        by_verification = by_verification.where(Verification.provider_version_id.in_(ids))
    return by_pact.union(by_verification)  # type: ignore[return-value]


def protected_among(session: Session, ids: list[int]) -> set[int]:
    """Which of ``ids`` must not be deleted now (re-checked in each batch's transaction, as
    the broker may have deployed a version or published a pact since the plan was made)."""
    newer_version = aliased(Version)
    newer_bv = aliased(BranchVersion)
    newer_pub = aliased(PactPublication)
    queries: list[Select[Any]] = [
        _current_in(DeployedVersion, None).where(DeployedVersion.version_id.in_(ids)),
        _current_in(ReleasedVersion, None).where(ReleasedVersion.version_id.in_(ids)),
        select(BranchVersion.version_id).where(
            BranchVersion.version_id.in_(ids),
            ~exists().where(
                newer_bv.branch_id == BranchVersion.branch_id, newer_bv.id > BranchVersion.id
            ),
        ),
        select(Version.id).where(
            Version.id.in_(ids),
            ~exists().where(
                newer_version.pacticipant_id == Version.pacticipant_id,
                newer_version.id > Version.id,
            ),
        ),
        select(PactPublication.consumer_version_id).where(
            PactPublication.consumer_version_id.in_(ids),
            ~exists().where(
                newer_pub.consumer_id == PactPublication.consumer_id,
                newer_pub.provider_id == PactPublication.provider_id,
                newer_pub.consumer_version_id > PactPublication.consumer_version_id,
            ),
        ),
        _pending_webhook_versions(ids),
    ]
    return {int(i) for query in queries for i in session.scalars(query) if i is not None}


# --- what deleting versions takes with it ----------------------------------------------------


@dataclass
class DeletionPlan:
    """Ids per table (names as in :data:`CLEANED`) that deleting some versions removes."""

    ids: dict[str, set[int]] = field(default_factory=lambda: {name: set() for name in CLEANED})

    def counts(self) -> dict[str, int]:
        return {name: len(self.ids[name]) for name in REPORTED}


def _ids(session: Session, query: Select[Any]) -> set[int]:
    return {int(i) for i in session.scalars(query)}


def _rows_of(session: Session, column: Any, key: Any, ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunked(ids):
        found |= _ids(session, select(column).where(key.in_(chunk)))
    return found


def plan_deletion(session: Session, version_ids: Iterable[int], *, sweep: bool) -> DeletionPlan:
    """What deleting ``version_ids`` removes, as the database stands: their publications, tags,
    branch versions, deployments and releases, verifications by them, then pact versions no
    remaining publication refers to (with their verifications), webhooks triggered by any of
    those, and branches left empty. ``sweep`` adds pact versions and branches that were already
    orphaned."""
    plan = DeletionPlan()
    ids = plan.ids
    ids["versions"] = set(version_ids)
    versions = ids["versions"]
    ids["pact_publications"] = _rows_of(
        session, PactPublication.id, PactPublication.consumer_version_id, versions
    )
    ids["tags"] = _rows_of(session, Tag.id, Tag.version_id, versions)
    ids["branch_versions"] = _rows_of(session, BranchVersion.id, BranchVersion.version_id, versions)
    ids["deployed_versions"] = _rows_of(
        session, DeployedVersion.id, DeployedVersion.version_id, versions
    )
    ids["released_versions"] = _rows_of(
        session, ReleasedVersion.id, ReleasedVersion.version_id, versions
    )
    ids["pact_versions"] = _orphaned_pact_versions(session, ids["pact_publications"], sweep=sweep)
    ids["verifications"] = _rows_of(
        session, Verification.id, Verification.provider_version_id, versions
    ) | _rows_of(session, Verification.id, Verification.pact_version_id, ids["pact_versions"])
    ids["triggered_webhooks"] = _rows_of(
        session, TriggeredWebhook.id, TriggeredWebhook.pact_publication_id, ids["pact_publications"]
    ) | _rows_of(
        session, TriggeredWebhook.id, TriggeredWebhook.verification_id, ids["verifications"]
    )
    ids["webhook_executions"] = _rows_of(
        session,
        WebhookExecution.id,
        WebhookExecution.triggered_webhook_id,
        ids["triggered_webhooks"],
    )
    ids["branches"] = _emptied_branches(session, ids["branch_versions"], sweep=sweep)
    _plan_provider_contracts(session, plan, sweep=sweep)
    return plan


def _plan_provider_contracts(session: Session, plan: DeletionPlan, *, sweep: bool) -> None:
    """The provider contracts of the deleted versions, contract content no remaining version
    published, and the comparisons of either deleted contract content or deleted pacts."""
    ids = plan.ids
    pub = ProviderContractPublication
    ids["provider_contract_publications"] = _rows_of(
        session, pub.id, pub.provider_version_id, ids["versions"]
    )
    contents = _rows_of(
        session, pub.provider_contract_version_id, pub.id, ids["provider_contract_publications"]
    )
    using = _rows_of(session, pub.id, pub.provider_contract_version_id, contents)
    remaining = using - ids["provider_contract_publications"]
    kept = _rows_of(session, pub.provider_contract_version_id, pub.id, remaining)
    ids["provider_contract_versions"] = contents - kept
    if sweep:
        unpublished = ~exists().where(
            pub.provider_contract_version_id == ProviderContractVersion.id
        )
        ids["provider_contract_versions"] |= _ids(
            session, select(ProviderContractVersion.id).where(unpublished)
        )
    cc = ContractComparison
    ids["contract_comparisons"] = _rows_of(
        session, cc.id, cc.provider_contract_version_id, ids["provider_contract_versions"]
    ) | _rows_of(session, cc.id, cc.pact_version_id, ids["pact_versions"])


def _pairs(session: Session, query: Select[int, int]) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in session.execute(query)]


def _orphaned_pact_versions(session: Session, publications: set[int], *, sweep: bool) -> set[int]:
    referenced: dict[int, bool] = {}
    pact_versions = _rows_of(
        session, PactPublication.pact_version_id, PactPublication.id, publications
    )
    for chunk in chunked(pact_versions):
        query = select(PactPublication.pact_version_id, PactPublication.id).where(
            PactPublication.pact_version_id.in_(chunk)
        )
        for pact_version_id, publication_id in _pairs(session, query):
            kept = publication_id not in publications
            referenced[pact_version_id] = referenced.get(pact_version_id, False) or kept
    orphans = {pv for pv, kept in referenced.items() if not kept}
    if sweep:
        unpublished = ~exists().where(PactPublication.pact_version_id == PactVersion.id)
        orphans |= _ids(session, select(PactVersion.id).where(unpublished))
    return orphans


def _emptied_branches(session: Session, branch_versions: set[int], *, sweep: bool) -> set[int]:
    remaining: dict[int, bool] = {}
    branches = _rows_of(session, BranchVersion.branch_id, BranchVersion.id, branch_versions)
    for chunk in chunked(branches):
        query = select(BranchVersion.branch_id, BranchVersion.id).where(
            BranchVersion.branch_id.in_(chunk)
        )
        for branch_id, branch_version_id in _pairs(session, query):
            kept = branch_version_id not in branch_versions
            remaining[branch_id] = remaining.get(branch_id, False) or kept
    emptied = {branch for branch, kept in remaining.items() if not kept}
    if sweep:
        empty = ~exists().where(BranchVersion.branch_id == Branch.id)
        emptied |= _ids(session, select(Branch.id).where(empty))
    return emptied


def execute_plan(session: Session, plan: DeletionPlan) -> dict[str, int]:
    """Delete the planned rows, children first; returns the rows deleted per table."""
    deleted: dict[str, int] = {}
    for name, model in CLEANED.items():
        count = 0
        for chunk in chunked(plan.ids[name]):
            result = session.execute(delete(model).where(model.id.in_(chunk)))
            count += int(getattr(result, "rowcount", 0) or 0)
        deleted[name] = count
    return deleted


# --- one clean at a time ---------------------------------------------------------------------

#: The clean-up's lease (a model, migration 0004); Core statements below, as it is a lease.
CLEAN_LOCKS = cast(Table, CleanLock.__table__)


def claim_lock(session: Session, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take (or renew) the lease ``name`` for ``holder``; False while another holder has it."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    session.execute(
        module.insert(CLEAN_LOCKS)
        .values(name=name, holder=None, lease_until=None)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    free = or_(
        CLEAN_LOCKS.c.lease_until.is_(None),
        CLEAN_LOCKS.c.lease_until < now,
        CLEAN_LOCKS.c.holder == holder,
    )
    result = session.execute(
        update(CLEAN_LOCKS)
        .where(CLEAN_LOCKS.c.name == name, free)
        .values(holder=holder, lease_until=until)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def release_lock(session: Session, name: str, holder: str) -> None:
    session.execute(
        update(CLEAN_LOCKS)
        .where(CLEAN_LOCKS.c.name == name, CLEAN_LOCKS.c.holder == holder)
        .values(holder=None, lease_until=None)
    )
