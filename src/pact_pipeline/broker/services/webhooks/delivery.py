"""The delivery loop: each broker process runs one. It claims owed deliveries (triggered
webhooks) with a lease, sends them, records each attempt, and schedules retries.

Several processes may share one database: a delivery is claimed by a conditional UPDATE, so
exactly one of them makes each attempt. A process killed mid-request loses its lease after
:attr:`WebhookPolicy.lease_seconds`, and the attempt is made again by whoever claims it next.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import WebhookExecution, new_uuid, utcnow
from pact_pipeline.broker.services.webhooks.outcomes import attempted
from pact_pipeline.broker.services.webhooks.redaction import redact
from pact_pipeline.broker.services.webhooks.sending import AttemptResult, not_sent, send
from pact_pipeline.broker.services.webhooks.targets import WebhookPolicy
from pact_pipeline.broker.services.webhooks.templates import (
    MissingSecretError,
    render_request,
    secret_names,
)
from pact_pipeline.broker.services.webhooks.triggers import (
    STATUS_FAILURE,
    STATUS_RETRYING,
    STATUS_SUCCESS,
)

log = logging.getLogger("broker.webhooks")
POLL_INTERVAL_SECONDS = 1.0
PARALLEL_DELIVERIES = 4


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds the lease on, with what is needed to send it."""

    triggered_id: int
    uuid: str
    webhook_id: int
    event_name: str
    attempts: int
    request: dict[str, object]
    context: dict[str, str]
    secrets: dict[str, str]
    hidden: list[str]


def _worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{new_uuid()[:8]}"


class DeliveryWorker:
    """A thread that delivers due webhooks; woken after a triggering commit, and every
    :data:`POLL_INTERVAL_SECONDS` for retries that came due (and other processes' work)."""

    def __init__(
        self, db: Database, policy: WebhookPolicy, *, poll_interval: float = POLL_INTERVAL_SECONDS
    ) -> None:
        self.db = db
        self.policy = policy
        self.poll_interval = poll_interval
        self.name = _worker_name()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._slots = threading.Semaphore(PARALLEL_DELIVERIES)
        self._pool = ThreadPoolExecutor(PARALLEL_DELIVERIES, thread_name_prefix="webhook")
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="webhook-delivery", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def wake(self) -> None:
        self._wake.set()

    def wake_after_commit(self, session: Session) -> None:
        """Wake the loop once ``session`` commits (a rollback sends nothing)."""
        if not session.info.get("webhook_wake_registered"):
            session.info["webhook_wake_registered"] = True
            event.listen(session, "after_commit", self._after_commit, once=True)

    def _after_commit(self, session: Session) -> None:
        session.info.pop("webhook_wake_registered", None)
        self.wake()

    def _run(self) -> None:
        wait = 0.0
        while not self._stop.is_set():
            self._wake.wait(wait)
            self._wake.clear()
            wait = self.poll_interval
            try:
                self._dispatch_due()
                wait = self._until_next_due()
            except Exception:  # the loop must survive a database hiccup
                log.exception("webhook delivery loop failed; retrying")

    def _until_next_due(self) -> float:
        """Seconds to sleep: until the soonest retry, at most the poll interval."""
        now = utcnow()
        with self.db.read() as session:
            due = repo.next_due_time(session, now)
        if due is None:
            return self.poll_interval
        if due.tzinfo is None:  # an aggregate SQLite hands back without its column type
            due = due.replace(tzinfo=UTC)
        seconds = (due - now).total_seconds()
        return min(self.poll_interval, max(0.01, seconds))

    def _dispatch_due(self) -> None:
        while not self._stop.is_set() and self._slots.acquire(blocking=False):
            claimed = self.claim_one()
            if claimed is None:
                self._slots.release()
                return
            self._pool.submit(self._deliver_and_release, claimed)

    def _deliver_and_release(self, claimed: Claimed) -> None:
        try:
            self.deliver(claimed)
        except Exception:
            log.exception("webhook delivery %s failed unexpectedly", claimed.uuid)
        finally:
            self._slots.release()
            self.wake()

    def claim_one(self) -> Claimed | None:
        """Claim the next due delivery, if any (one short transaction)."""
        now = utcnow()
        with self.db.read() as session:  # most polls find nothing: take no write lock then
            if not repo.due_triggered_webhook_ids(session, now, limit=1):
                return None
        until = now + timedelta(seconds=self.policy.lease_seconds)
        with self.db.write() as session:
            for triggered_id in repo.due_triggered_webhook_ids(session, now, limit=8):
                if repo.claim_triggered_webhook(session, triggered_id, self.name, now, until):
                    return _load(session, triggered_id)
        return None

    def deliver(self, claimed: Claimed) -> AttemptResult:
        """Make one attempt (outside any transaction) and record it."""
        try:
            rendered = render_request(dict(claimed.request), claimed.context, claimed.secrets)
        except MissingSecretError as exc:
            shown = {"url": redact(str(claimed.request.get("url")), claimed.hidden)}
            result = not_sent(shown, str(exc), claimed.context, claimed.hidden)
            result.refused = False  # a secret created later lets a retry succeed
        else:
            result = send(rendered, self.policy, context=claimed.context, hidden=claimed.hidden)
        log.info(
            "webhook delivery %s (%s, attempt %d): %s",
            claimed.uuid,
            claimed.event_name,
            claimed.attempts + 1,
            "succeeded" if result.success else (result.error or "failed"),
        )
        self._record(claimed, result)
        return result

    def _record(self, claimed: Claimed, result: AttemptResult) -> None:
        now = utcnow()
        attempts = claimed.attempts + 1
        schedule = self.policy.retry_schedule
        if result.success:
            status, next_at = STATUS_SUCCESS, None
        elif result.refused or attempts > len(schedule):
            status, next_at = STATUS_FAILURE, None
        else:
            status, next_at = STATUS_RETRYING, now + timedelta(seconds=schedule[attempts - 1])
        with self.db.write() as session:
            session.add(
                WebhookExecution(
                    webhook_id=claimed.webhook_id,
                    triggered_webhook_id=claimed.triggered_id,
                    event_name=claimed.event_name,
                    success=result.success,
                    logs=result.logs,
                    created_at=now,
                )
            )
            owned = repo.finish_attempt(
                session,
                claimed.triggered_id,
                self.name,
                status=status,
                next_attempt_at=next_at,
                now=now,
            )
        attempted(self, status)
        if not owned:
            log.warning("webhook delivery %s: lease lost before the attempt ended", claimed.uuid)


def _load(session: Session, triggered_id: int) -> Claimed | None:
    row = repo.triggered_webhook_by_id(session, triggered_id)
    if row is None:
        return None
    request = dict(row.webhook.request or {})
    secrets = repo.secret_values(session, secret_names(request))
    return Claimed(
        triggered_id=row.id,
        uuid=row.uuid,
        webhook_id=row.webhook_id,
        event_name=row.event_name,
        attempts=row.attempts,
        request=request,
        context=dict(row.event_context or {}),
        secrets=secrets,
        hidden=repo.all_secret_values(session),
    )
