"""Pact content: parsing, interaction ids, the content SHA and merging.

The SHA defines "the same content" (a verification of a SHA covers every consumer version that
published it), so it ignores metadata and the order of interactions, as the Ruby broker does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pact_pipeline.broker.errors import ConflictError, invalid

INTERACTION_KEYS = ("interactions", "messages")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no insignificant whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_pact(text: str | bytes, *, field: str = "content") -> dict[str, Any]:
    """Parse pact JSON, requiring an object."""
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(field, f"is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise invalid(field, "must be a JSON object")
    return value


def pacticipant_name(pact: dict[str, Any], role: str) -> str | None:
    """The ``consumer.name`` or ``provider.name`` of a pact, if present."""
    party = pact.get(role)
    if isinstance(party, dict) and isinstance(party.get("name"), str):
        return str(party["name"])
    return None


def interaction_id(interaction: dict[str, Any]) -> str:
    """A stable id for an interaction: the SHA-1 of its canonical JSON without ``_id``."""
    body = {k: v for k, v in interaction.items() if k != "_id"}
    return hashlib.sha1(canonical_json(body).encode(), usedforsecurity=False).hexdigest()


def with_interaction_ids(pact: dict[str, Any]) -> dict[str, Any]:
    """Add ``_id`` as the first key of every interaction and message."""
    result = dict(pact)
    for key in INTERACTION_KEYS:
        items = pact.get(key)
        if isinstance(items, list):
            result[key] = [
                {"_id": interaction_id(item), **{k: v for k, v in item.items() if k != "_id"}}
                if isinstance(item, dict)
                else item
                for item in items
            ]
    return result


def content_sha(pact: dict[str, Any]) -> str:
    """The SHA-1 that identifies pact content, independent of metadata and interaction order."""
    significant: dict[str, Any] = {}
    for key in INTERACTION_KEYS:
        items = pact.get(key)
        if isinstance(items, list):
            stripped = [
                {k: v for k, v in item.items() if k != "_id"} if isinstance(item, dict) else item
                for item in items
            ]
            significant[key] = sorted(stripped, key=canonical_json)
    for key, value in pact.items():
        if key not in INTERACTION_KEYS and key not in ("metadata", "createdAt", "_links"):
            significant[key] = value
    return hashlib.sha1(canonical_json(significant).encode(), usedforsecurity=False).hexdigest()


def _interaction_key(interaction: dict[str, Any]) -> str:
    states = interaction.get("providerStates", interaction.get("providerState"))
    return canonical_json([interaction.get("description"), states])


def merge_pacts(
    existing: dict[str, Any], incoming: dict[str, Any], *, strict: bool
) -> dict[str, Any]:
    """Merge ``incoming`` interactions into ``existing``.

    Interactions are matched on description and provider state. With ``strict`` (PATCH), a
    matched interaction whose content differs is a conflict; otherwise the incoming one wins.
    """
    merged = dict(existing)
    for key in INTERACTION_KEYS:
        new_items = incoming.get(key)
        if not isinstance(new_items, list):
            continue
        items = [i for i in existing.get(key, []) if isinstance(i, dict)]
        index = {_interaction_key(item): n for n, item in enumerate(items)}
        for item in new_items:
            if not isinstance(item, dict):
                continue
            clean = {k: v for k, v in item.items() if k != "_id"}
            position = index.get(_interaction_key(clean))
            if position is None:
                index[_interaction_key(clean)] = len(items)
                items.append(clean)
                continue
            current = {k: v for k, v in items[position].items() if k != "_id"}
            if strict and canonical_json(current) != canonical_json(clean):
                msg = (
                    "Cannot merge pacts: an interaction with description "
                    f"{clean.get('description')!r} and the same provider state already exists "
                    "with different content"
                )
                raise ConflictError(msg)
            items[position] = clean
        merged[key] = items
    return merged
