"""Clean-up of old data, as the Pact Broker's ``clean`` task does it.

Deletes the pacticipant versions no keep selector selects, with everything hanging off them, in
batches of ``deletion_limit`` versions, each batch one short write transaction (a serving broker
keeps answering between batches). Versions that are never deleted, whatever the selectors: the
currently deployed and supported ones, branch heads, each pacticipant's newest version, the
consumer version of each integration's latest pact, and versions with an undelivered webhook.
A dry run reads only and reports what a real run would delete.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pact_pipeline.broker.clean_selectors import KeepSelector, with_defaults
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import utcnow
from pact_pipeline.broker.repository import cleanup as clean_repo

LOCK_NAME = "clean"
LOCK_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class CleanOptions:
    """What to keep, how many versions per transaction, and whether to delete at all."""

    keep: list[KeepSelector]
    deletion_limit: int = 500
    dry_run: bool = False


@dataclass(frozen=True)
class Batch:
    """One transaction of a real run: versions deleted, rows deleted per table, seconds."""

    versions: int
    deleted: dict[str, int]
    seconds: float


@dataclass
class CleanReport:
    """The outcome of one clean (or dry run)."""

    dry_run: bool
    keep: list[KeepSelector]
    deletion_limit: int
    kept_by_selector: list[tuple[KeepSelector, int]] = field(default_factory=list)
    protected: dict[str, int] = field(default_factory=dict)
    versions_kept: int = 0
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    batches: list[Batch] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "dryRun": self.dry_run,
            "skipped": self.skipped,
            "deletionLimit": self.deletion_limit,
            "keep": [s.to_json() for s in self.keep],
            "versionsKept": self.versions_kept,
            "keptBySelector": [
                {"selector": s.to_json(), "count": n} for s, n in self.kept_by_selector
            ],
            "keptWhateverTheSelectors": self.protected,
            "before": self.before,
            "after": self.after,
            ("wouldDelete" if self.dry_run else "deleted"): self.deleted,
            "batches": [
                {"versions": b.versions, "deleted": b.deleted, "seconds": round(b.seconds, 3)}
                for b in self.batches
            ],
            "seconds": round(self.seconds, 3),
        }

    def lines(self) -> list[str]:
        """A human-readable report."""
        prefix = "[DRY RUN] " if self.dry_run else ""
        if self.skipped:
            return [f"{prefix}clean not performed: {self.skipped}"]
        out = [f"{prefix}kept {self.versions_kept} versions:"]
        out += [f"  {n:>8}  {s}" for s, n in self.kept_by_selector]
        out += [f"  {n:>8}  ({reason})" for reason, n in self.protected.items()]
        verb = "would delete" if self.dry_run else "deleted"
        out.append(f"{prefix}{'table':<20} {'before':>9} {verb:>12} {'after':>9}")
        for table in clean_repo.REPORTED:
            before, gone, after = self.before[table], self.deleted[table], self.after[table]
            out.append(f"{prefix}{table:<20} {before:>9} {gone:>12} {after:>9}")
        if not self.dry_run:
            largest = max((b.versions for b in self.batches), default=0)
            out.append(
                f"{len(self.batches)} transactions, at most {largest} versions each "
                f"(limit {self.deletion_limit})"
            )
        out.append(f"{prefix}took {self.seconds:.2f} s")
        return out


def _select_versions(db: Database, report: CleanReport, now: datetime) -> list[int]:
    """Fill in what is kept and why; return the ids to delete, oldest first."""
    with db.read() as session:
        report.before = clean_repo.row_counts(session)
        kept: set[int] = set()
        for selector in report.keep:
            selected = clean_repo.selected_version_ids(session, selector, now)
            report.kept_by_selector.append((selector, len(selected)))
            kept |= selected
        for reason, ids in clean_repo.protected_version_ids(session).items():
            report.protected[reason] = len(ids)
            kept |= ids
        every = clean_repo.all_version_ids(session)
    report.versions_kept = len(kept.intersection(every))
    return [i for i in every if i not in kept]


def _dry_run(db: Database, report: CleanReport, doomed: list[int]) -> None:
    with db.read() as session:
        plan = clean_repo.plan_deletion(session, doomed, sweep=True)
    report.deleted = plan.counts()
    report.after = {t: report.before[t] - report.deleted[t] for t in report.before}


def _delete_batch(db: Database, ids: list[int], *, sweep: bool, holder: str) -> Batch:
    started = time.perf_counter()
    with db.write() as session:
        now = utcnow()
        clean_repo.claim_lock(session, LOCK_NAME, holder, now, now + LOCK_LEASE)
        safe = sorted(set(ids) - clean_repo.protected_among(session, ids)) if ids else []
        plan = clean_repo.plan_deletion(session, safe, sweep=sweep)
        deleted = clean_repo.execute_plan(session, plan)
    return Batch(len(safe), deleted, time.perf_counter() - started)


def _delete(db: Database, report: CleanReport, doomed: list[int], holder: str) -> None:
    limit = report.deletion_limit
    for start in range(0, len(doomed), limit):
        report.batches.append(
            _delete_batch(db, doomed[start : start + limit], sweep=False, holder=holder)
        )
    # Pact versions and branches that were orphaned before this clean.
    sweep = _delete_batch(db, [], sweep=True, holder=holder)
    if any(sweep.deleted.values()):
        report.batches.append(sweep)
    report.deleted = {
        table: sum(b.deleted.get(table, 0) for b in report.batches) for table in report.before
    }
    with db.read() as session:
        report.after = clean_repo.row_counts(session)


def _claim(db: Database, holder: str) -> bool:
    with db.write() as session:
        now = utcnow()
        return clean_repo.claim_lock(session, LOCK_NAME, holder, now, now + LOCK_LEASE)


def _release(db: Database, holder: str) -> None:
    with db.write() as session:
        clean_repo.release_lock(session, LOCK_NAME, holder)


def run_clean(db: Database, options: CleanOptions, *, holder: str | None = None) -> CleanReport:
    """Run one clean (or dry run) and report it.

    Only one real clean runs at a time across processes sharing the database: a lease row is
    claimed first, and a clean that finds it held by another holder reports itself skipped.
    ``{"deployed": true}`` and ``{"released": true}`` are added to the keep selectors when
    missing, as the Pact Broker does.
    """
    started = time.perf_counter()
    report = CleanReport(options.dry_run, with_defaults(options.keep), options.deletion_limit)
    holder = holder or uuid.uuid4().hex
    if not options.dry_run and not _claim(db, holder):
        report.skipped = "another clean is in progress"
        return report
    try:
        doomed = _select_versions(db, report, utcnow())
        if options.dry_run:
            _dry_run(db, report, doomed)
        else:
            _delete(db, report, doomed, holder)
    finally:
        if not options.dry_run:
            _release(db, holder)
    report.seconds = time.perf_counter() - started
    return report
