"""Reading JSON request bodies safely: nesting measured before parsing, and values no database
could store refused.

Below the HTTP API on purpose: the request guard middleware measures nesting before any route
runs, and the routes parse bodies with the same rules.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pact_pipeline.broker.errors import BrokerError, invalid


def json_depth_exceeds(data: bytes, limit: int) -> bool:
    """Tell, without parsing, whether JSON nests deeper than ``limit`` (strings are skipped).

    Run before parsing because Python's parser recurses: a deep enough document raises
    ``RecursionError`` instead of returning.
    """
    depth = 0
    in_string = False
    escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
            continue
        if byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _no_constants(name: str) -> Any:
    # NaN and Infinity are not JSON: PostgreSQL's JSONB refuses them and clients could not
    # parse them back, so they are rejected rather than stored.
    msg = f"{name} is not a valid JSON number"
    raise ValueError(msg)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        msg = f"{text} is out of the range of JSON numbers"
        raise ValueError(msg)
    return value


def _unstorable_string(value: str) -> str | None:
    if "\x00" in value:
        return "strings cannot contain NUL characters (\\u0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "strings cannot contain unpaired UTF-16 surrogates (e.g. \\ud800)"
    return None


def _first_unstorable(document: Any) -> str | None:
    """The first problem of a parsed document that no database could store, if any.

    Walks iteratively: the depth is bounded already, but recursion is not needed.
    """
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            problem = _unstorable_string(item)
            if problem:
                return problem
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def parse_json_document(raw: bytes | str, *, field: str, max_depth: int) -> Any:
    """Parse JSON that will be stored or queried, refusing what a database cannot hold.

    Beyond syntax, this rejects nesting deeper than ``max_depth``, ``NaN``/``Infinity`` and
    floats that overflow to infinity, NUL characters and unpaired surrogates (PostgreSQL refuses
    all of these, and surrogates cannot even be encoded as UTF-8). Every pact, body and
    base64-embedded contract goes through here, so these checks hold on every route.

    Raises:
        BrokerError: 400 ``{"error": "Error parsing JSON: ..."}`` for a syntax error.
        InvalidRequestError: 400 ``{"errors": {field: [...]}}`` for valid but unstorable JSON.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if json_depth_exceeds(data, max_depth):
        raise invalid(field, f"is nested deeper than {max_depth} levels")
    try:
        document = json.loads(data, parse_constant=_no_constants, parse_float=_finite_float)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        msg = f"Error parsing JSON: {exc}"
        raise BrokerError(msg, body={"error": msg}) from exc
    problem = _first_unstorable(document)
    if problem:
        raise invalid(field, problem)
    return document
