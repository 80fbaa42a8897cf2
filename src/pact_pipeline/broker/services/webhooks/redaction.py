"""Keeping secrets out of what the broker shows and stores: webhook representations, delivery
logs and execution results. Pure functions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

from pact_pipeline.broker.services.webhooks.templates import includes_placeholder

#: How a password or a sensitive header is shown (as the Pact Broker shows it).
MASK = "**********"
#: What a secret value is replaced with in logs (as the Pact Broker's ``RedactLogs``).
LOG_MASK = "********"
#: Header names whose values are never shown: the Pact Broker's ``/authorization/i``,
#: ``/token/i``, and a few more names that carry credentials.
SENSITIVE_HEADER = re.compile(r"authorization|token|secret|password|api[-_]?key|cookie", re.I)


def is_sensitive_header(name: str) -> bool:
    return SENSITIVE_HEADER.search(name) is not None


def template_headers(headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """A webhook's headers as shown: a sensitive one is masked unless it is only a template
    (``Bearer ${user.TOKEN}`` shows which secret, not its value)."""
    if not headers:
        return None
    return {
        name: MASK
        if is_sensitive_header(str(name)) and not includes_placeholder(str(value))
        else value
        for name, value in headers.items()
    }


def template_request(request: dict[str, Any]) -> dict[str, Any]:
    """A webhook's request as shown: password masked (unless a template), headers redacted."""
    shown = dict(request)
    password = shown.get("password")
    if password is not None:
        shown["password"] = password if includes_placeholder(str(password)) else MASK
    if "headers" in shown:
        headers = template_headers(shown.get("headers"))
        if headers is None:
            shown.pop("headers")
        else:
            shown["headers"] = headers
    return shown


def sent_headers(headers: dict[str, str]) -> dict[str, str]:
    """Headers actually sent, as logged: sensitive ones masked."""
    return {name: MASK if is_sensitive_header(name) else value for name, value in headers.items()}


def forms(value: str) -> list[str]:
    """The forms a value can take in a request or its log: raw, URL- and JSON-escaped."""
    found = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    return sorted((f for f in found if f.strip()), key=len, reverse=True)


def redact(text: str, values: Iterable[str]) -> str:
    """``text`` with every form of every value replaced by :data:`LOG_MASK`."""
    every = sorted({f for value in values if value and value.strip() for f in forms(value)})
    for form in sorted(every, key=len, reverse=True):
        text = text.replace(form, LOG_MASK)
    return text


def redact_value(value: Any, values: list[str]) -> Any:
    """A JSON value with secret values redacted from every string in it."""
    if isinstance(value, str):
        return redact(value, values)
    if isinstance(value, list):
        return [redact_value(item, values) for item in value]
    if isinstance(value, dict):
        return {redact(str(k), values): redact_value(v, values) for k, v in value.items()}
    return value
