"""An embedded, Pact-Broker-compatible broker (FastAPI + SQLAlchemy)."""

from __future__ import annotations

__all__ = ["Settings", "create_app"]

from pact_pipeline.broker.app import create_app
from pact_pipeline.broker.settings import Settings
