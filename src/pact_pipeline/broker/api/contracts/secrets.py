"""The body of a webhook secret (PactFlow's ``/secrets``): ``name``, ``description``, ``value``.

Messages never repeat the value.
"""

from __future__ import annotations

from typing import Any

from pact_pipeline.broker.api.contracts.checks import Checker
from pact_pipeline.broker.errors import invalid
from pact_pipeline.broker.services.secrets import SecretData
from pact_pipeline.broker.services.webhooks.templates import SECRET_NAME

MAX_VALUE_LENGTH = 64 * 1024


def secret_data(body: dict[str, Any], *, value_required: bool) -> SecretData:
    """The secret a body describes; on update the value may be left out (kept)."""
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise invalid("name", "is missing" if name is None else "must be a non-empty string")
    checker = Checker(body)
    if len(name) > 255:
        checker.add("name", "must be at most 255 characters")
    elif SECRET_NAME.fullmatch(name) is None:
        checker.add("name", "may contain only letters, digits and underscores")
    description = checker.string("description", blank_ok=True, max_length=1024)
    value = body.get("value")
    if value is None:
        if value_required:
            checker.add("value", "is missing")
    elif not isinstance(value, str):
        checker.add("value", "must be a string")
    elif not value:
        checker.add("value", "cannot be blank")
    elif len(value) > MAX_VALUE_LENGTH:
        checker.add("value", f"must be at most {MAX_VALUE_LENGTH} characters")
    checker.raise_if_any()
    return SecretData(name=name, description=description, value=value)
