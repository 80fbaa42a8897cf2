"""ASGI entry point for multi-worker servers: ``uvicorn pact_pipeline.broker.asgi:app``
(settings from the environment).

Each worker process imports this module: uvicorn configures only its own loggers there, so the
broker's log (conflict retries, unexpected errors with their references) is set up here.
"""

from __future__ import annotations

import logging

from pact_pipeline.broker import logs
from pact_pipeline.broker.app import create_app, settle_the_heap
from pact_pipeline.broker.settings import Settings

if not logging.getLogger().handlers:
    _settings = Settings()
    logs.configure(_settings.log_level, _settings.log_format)

app = create_app()
settle_the_heap()
