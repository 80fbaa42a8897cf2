"""An embedded, Pact-Broker-compatible broker (FastAPI + SQLAlchemy)."""

from __future__ import annotations

__all__ = ["Settings", "create_app"]

from broker.app import create_app
from broker.settings import Settings
