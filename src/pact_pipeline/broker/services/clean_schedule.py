"""The clean-up, run inside ``serve`` every ``PACT_BROKER_DATABASE_CLEAN_FREQUENCY_SECONDS``.

A daemon thread; each run first claims the clean lease row (see :func:`services.cleanup.run_clean`),
so with several workers or brokers on one database only one of them cleans at a time and the
others skip that run.
"""

from __future__ import annotations

import logging
import threading
import uuid

from pact_pipeline.broker.clean_selectors import (
    DEFAULT_KEEP_SELECTORS_JSON,
    SelectorError,
    parse_selectors,
)
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.services.cleanup import CleanOptions, run_clean
from pact_pipeline.broker.settings import Settings

log = logging.getLogger("broker.clean")


def options_from_settings(settings: Settings) -> CleanOptions:
    """The clean's options from the ``PACT_BROKER_DATABASE_CLEAN_*`` settings.

    Raises:
        SelectorError: If the keep selectors setting is not usable.
    """
    keep = settings.database_clean_keep_version_selectors or DEFAULT_KEEP_SELECTORS_JSON
    return CleanOptions(
        keep=parse_selectors(keep),
        deletion_limit=settings.database_clean_deletion_limit,
        dry_run=settings.database_clean_dry_run,
    )


class CleanScheduler:
    """Runs the clean every ``interval`` seconds until stopped."""

    def __init__(self, db: Database, options: CleanOptions, interval: float) -> None:
        self.db = db
        self.options = options
        self.interval = interval
        self.holder = f"serve-{uuid.uuid4().hex[:12]}"
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="broker-clean", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                report = run_clean(self.db, self.options, holder=self.holder)
            except Exception:
                log.exception("database clean failed; will try again next time")
                continue
            self.runs += 1
            for line in report.lines():
                log.info("%s", line)


def scheduler_from_settings(db: Database, settings: Settings) -> CleanScheduler | None:
    """A scheduler when ``PACT_BROKER_DATABASE_CLEAN_ENABLED`` is true, else None (a bad keep
    selector setting is logged and disables the scheduled clean rather than the broker)."""
    if not settings.database_clean_enabled:
        return None
    try:
        options = options_from_settings(settings)
    except SelectorError as error:
        log.error("database clean disabled: %s", error)
        return None
    return CleanScheduler(db, options, settings.database_clean_frequency_seconds)


class _Disabled:
    def stop(self) -> None:
        return None


def start(db: Database, settings: Settings) -> CleanScheduler | _Disabled:
    """Start the scheduled clean if the settings enable it; stop what this returns at shutdown."""
    scheduler = scheduler_from_settings(db, settings)
    if scheduler is None:
        return _Disabled()
    scheduler.start()
    return scheduler
