"""Reading the Pact Broker's answers: HAL links, JSON bodies, error texts, transport errors.

Pure helpers of [`BrokerClient`][pact_pipeline.broker_client.BrokerClient]: what the broker
answered, in the types and the one-line words the pipeline reports.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from pact_pipeline.errors import BrokerProtocolError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

#: A decoded JSON object as the broker returns it.
JsonObject = dict[str, Any]

_ERRNO_PREFIX = re.compile(r"^\[Errno -?\d+\]\s*")


def link_href(resource: Mapping[str, Any], relation: str, *, where: str) -> str:
    """Return `_links[relation].href` of a HAL resource.

    Args:
        resource:
            A HAL resource.

        relation:
            The relation name.

        where:
            Where the resource came from, for the error message.

    Returns:
        The (possibly templated) href.

    Raises:
        BrokerProtocolError:
            If the relation is missing or malformed.
    """
    link = resource.get("_links", {}).get(relation)
    href = link.get("href") if isinstance(link, dict) else None
    if not isinstance(href, str):
        msg = f"the Pact Broker at {where} offers no '{relation}' link (is it a Pact Broker?)"
        raise BrokerProtocolError(msg)
    return href


def error_detail(response: httpx.Response) -> str:
    """Extract the broker's explanation from an error response, as one line.

    The broker answers `{"errors": {"field": ["message"]}}` for validation failures,
    `{"errors": ["message"]}` for matrix queries, `{"error": "message"}` otherwise, and may
    add `notices` of type `error`.

    Args:
        response:
            The error response.

    Returns:
        The messages joined with "; ", or a shortened body when it is not JSON.
    """
    try:
        body = response.json()
    except ValueError:
        text = " ".join(response.text.split())
        return text[:200]
    if not isinstance(body, dict):
        return " ".join(str(body).split())[:200]
    messages: list[str] = []
    messages.extend(_flatten_errors(body.get("errors")))
    error = body.get("error")
    if isinstance(error, str):
        messages.append(error)
    elif isinstance(error, dict) and isinstance(error.get("message"), str):
        messages.append(error["message"])
    for notice in body.get("notices", []) or []:
        if isinstance(notice, dict) and notice.get("type") == "error":
            text = str(notice.get("text", ""))
            if text and text not in messages:
                messages.append(text)
    return "; ".join(" ".join(message.split()) for message in _unique(messages))


def _flatten_errors(errors: Any) -> list[str]:
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, list):
        return [message for item in errors for message in _flatten_errors(item)]
    if isinstance(errors, dict):
        return [
            f"{field}: {message}"
            for field, value in errors.items()
            for message in _flatten_errors(value)
        ]
    return []


def _unique(messages: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(messages))


def version_numbers(entries: Sequence[Any]) -> list[str]:
    numbers = []
    for entry in entries:
        version = entry.get("_embedded", {}).get("version", {}) if isinstance(entry, dict) else {}
        number = version.get("number") if isinstance(version, dict) else None
        if isinstance(number, str):
            numbers.append(number)
    return numbers


def json_object(response: httpx.Response, base_url: str) -> JsonObject:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        content_type = response.headers.get("content-type", "no content type")
        msg = (
            f"{base_url} answered {response.request.method} "
            f"{urlsplit(str(response.request.url)).path} with {content_type}, not a JSON "
            "object: is PACT_BROKER_BASE_URL a Pact Broker?"
        )
        raise BrokerProtocolError(msg)
    return body


def describe(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    text = _ERRNO_PREFIX.sub("", str(error)).strip()
    return text[:1].lower() + text[1:] if text else type(error).__name__
