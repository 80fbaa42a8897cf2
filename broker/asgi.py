"""ASGI entry point for multi-worker servers: ``uvicorn broker.asgi:app`` (settings from env)."""

from __future__ import annotations

from broker.app import create_app

app = create_app()
