"""Pact content is a pact: checked before a publication stores anything.

The Pact Broker stores whatever JSON object it is given; a document that is not a pact then
fails far from its publisher (the verifier, the matrix, the UI). Here a published document must
have its interactions (``interactions``, or a message pact's ``messages``) as a list of
objects; an HTTP interaction needs ``request`` and ``response`` objects and the request its
``method`` and ``path``; a V4 interaction names its ``type``, one of the specification's; and
``consumer``/``provider``, when given, are objects with a string ``name``. Everything else (a
V4 plugin's ``interactionMarkup``, ``pending``, ``comments``, metadata) is the publisher's.
Each problem is reported under its field's path: ``interactions[0].request.method``.
"""

from __future__ import annotations

from typing import Any

from pact_pipeline.broker.errors import InvalidRequestError

HTTP = "Synchronous/HTTP"
#: The interaction types of the V4 specification.
V4_TYPES = (HTTP, "Asynchronous/Messages", "Synchronous/Messages")

Problems = list[tuple[str, str]]


def check_pact_content(content: dict[str, Any]) -> None:
    """Raise a 400 naming every problem of a pact document (the body of a PUT)."""
    problems = pact_content_problems(content)
    if problems:
        errors: dict[str, list[str]] = {}
        for path, message in problems:
            errors.setdefault(path, []).append(message)
        raise InvalidRequestError(errors)


def pact_content_problems(content: dict[str, Any]) -> Problems:
    """(field path, message) of each way the document is not a pact; empty if it is one."""
    problems: Problems = []
    for role in ("consumer", "provider"):
        _check_party(problems, content, role)
    v4 = _specification(content).startswith("4")
    if "interactions" not in content and "messages" not in content:
        problems.append(("interactions", "is missing (a pact has interactions or messages)"))
    for key in ("interactions", "messages"):
        if key in content and not isinstance(content[key], list):
            problems.append((key, "must be an array"))
    interactions = content.get("interactions")
    if isinstance(interactions, list):
        for index, item in enumerate(interactions):
            _check_interaction(problems, f"interactions[{index}]", item, v4=v4)
    messages = content.get("messages")
    if isinstance(messages, list):
        for index, item in enumerate(messages):
            if not isinstance(item, dict):
                problems.append((f"messages[{index}]", "must be an object"))
    return problems


def _check_party(problems: Problems, content: dict[str, Any], role: str) -> None:
    if role not in content:
        return  # the path (or the publication's names) names it
    party = content[role]
    if not isinstance(party, dict):
        problems.append((role, "must be an object with a name"))
    elif "name" not in party:
        problems.append((f"{role}.name", "is missing"))
    elif not isinstance(party["name"], str):
        problems.append((f"{role}.name", "must be a string"))
    elif not party["name"].strip():
        problems.append((f"{role}.name", "cannot be blank"))


def _specification(content: dict[str, Any]) -> str:
    """The pact specification version the metadata declares ("" when it declares none)."""
    metadata = content.get("metadata")
    if not isinstance(metadata, dict):
        return ""
    spec = metadata.get("pactSpecification", metadata.get("pact-specification"))
    version = spec.get("version") if isinstance(spec, dict) else None
    return version if isinstance(version, str) else ""


def _check_interaction(problems: Problems, path: str, item: Any, *, v4: bool) -> None:
    if not isinstance(item, dict):
        problems.append((path, "must be an object"))
        return
    kind = item.get("type")
    if kind is None:
        if v4:
            problems.append((f"{path}.type", f"is missing (one of: {', '.join(V4_TYPES)})"))
            return
        kind = HTTP  # V2 and V3 interactions are HTTP ones
    elif kind not in V4_TYPES:
        problems.append((f"{path}.type", f"must be one of: {', '.join(V4_TYPES)}"))
        return
    if kind == HTTP:
        _check_http(problems, path, item)


def _check_http(problems: Problems, path: str, item: dict[str, Any]) -> None:
    for part in ("request", "response"):
        if part not in item:
            problems.append((f"{path}.{part}", "is missing"))
        elif not isinstance(item[part], dict):
            problems.append((f"{path}.{part}", "must be an object"))
    request = item.get("request")
    if isinstance(request, dict):
        for field in ("method", "path"):
            value = request.get(field)
            if value is None:
                problems.append((f"{path}.request.{field}", "is missing"))
            elif not isinstance(value, str):
                problems.append((f"{path}.request.{field}", "must be a string"))
