"""Listeners told the outcome of each webhook delivery attempt (for the Prometheus counter).

Keyed by the delivery worker, so that several brokers in one process (tests) count apart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from weakref import WeakKeyDictionary

from pact_pipeline.broker.services.webhooks.triggers import (
    STATUS_FAILURE,
    STATUS_RETRYING,
    STATUS_SUCCESS,
)

log = logging.getLogger("broker.webhooks")

OUTCOMES = {STATUS_SUCCESS: "success", STATUS_FAILURE: "failure", STATUS_RETRYING: "retry"}
"""The outcome label of each status an attempt leaves its delivery in."""

Listener = Callable[[str], None]
_listeners: WeakKeyDictionary[object, list[Listener]] = WeakKeyDictionary()
_lock = threading.Lock()


def listen(worker: object, listener: Listener) -> None:
    """Call ``listener(outcome)`` (success, failure or retry) after each of ``worker``'s
    attempts."""
    with _lock:
        _listeners.setdefault(worker, []).append(listener)


def attempted(worker: object, status: str) -> None:
    """Tell ``worker``'s listeners the outcome of an attempt that left its delivery in
    ``status``; a failing listener never disturbs the delivery loop."""
    outcome = OUTCOMES.get(status, status)
    with _lock:
        listeners = list(_listeners.get(worker, ()))
    for listener in listeners:
        try:
            listener(outcome)
        except Exception:
            log.exception("webhook outcome listener failed")
