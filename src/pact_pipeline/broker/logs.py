"""The broker's log lines: as text for people, or JSON / logfmt for log pipelines
(``PACT_BROKER_LOG_FORMAT``, the Pact Broker's name)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

FORMATS = ("text", "json", "logfmt")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message (and the exception, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class LogfmtFormatter(logging.Formatter):
    """``key=value`` pairs a line, values quoted when they hold spaces, quotes or `=`."""

    def format(self, record: logging.LogRecord) -> str:
        pairs = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            pairs["exception"] = self.formatException(record.exc_info)
        return " ".join(f"{key}={_value(value)}" for key, value in pairs.items())


def _value(value: str) -> str:
    if value and not any(c in value for c in ' "=\n\t'):
        return value
    return json.dumps(value, ensure_ascii=False)


def configure(level: str, log_format: str) -> None:
    """Send every logger's records (uvicorn's included) to stderr in the chosen format."""
    handler = logging.StreamHandler()
    formatters: dict[str, logging.Formatter] = {
        "json": JsonFormatter(),
        "logfmt": LogfmtFormatter(),
    }
    handler.setFormatter(formatters.get(log_format, logging.Formatter(TEXT_FORMAT)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
