"""ASGI entry point for multi-worker servers: ``uvicorn pact_pipeline.broker.asgi:app``
(settings from the environment).

Each worker process imports this module: uvicorn configures only its own loggers there, so the
broker's log (conflict retries, unexpected errors with their references) is set up here.
"""

from __future__ import annotations

import logging

from pact_pipeline.broker.app import create_app

if not logging.getLogger().handlers:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

app = create_app()
