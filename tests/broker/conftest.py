"""Registers the broker tests' fixtures; they live in ``broker_support`` (type-checked there)."""

from tests.broker.broker_support import api, broker_factory, in_process_broker, live_broker

__all__ = ["api", "broker_factory", "in_process_broker", "live_broker"]
