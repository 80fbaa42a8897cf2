"""The body of ``POST /contracts/publish``: the consumer version, its branch and tags, and the
contracts, each a base64-encoded pact held to the rules of any JSON request body."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pact_pipeline.broker.api.contracts.checks import MAX_NAME_LENGTH, Checker, check_text
from pact_pipeline.broker.api.contracts.pact_content import pact_content_problems
from pact_pipeline.broker.content import pacticipant_name
from pact_pipeline.broker.errors import BrokerError, InvalidRequestError
from pact_pipeline.broker.json_documents import parse_json_document
from pact_pipeline.broker.services.pacts import Contract, PublishCommand


def publish_command(body: dict[str, Any], *, max_json_depth: int) -> PublishCommand:
    """The publication the body asks for, or ``InvalidRequestError`` with every problem."""
    checker = Checker(body)
    name = checker.string("pacticipantName", required=True)
    number = checker.string("pacticipantVersionNumber", required=True)
    branch = checker.string("branch")
    tags = checker.string_list("tags")
    build_url = checker.url("buildUrl")
    raw_contracts = body.get("contracts")
    contracts: list[Contract] = []
    if not isinstance(raw_contracts, list) or not raw_contracts:
        checker.add(
            "contracts", "is missing" if raw_contracts is None else "must be a non-empty array"
        )
    else:
        for index, item in enumerate(raw_contracts):
            contract = _contract(checker, index, item, name, max_json_depth)
            if contract is not None:
                contracts.append(contract)
    checker.raise_if_any()
    assert name is not None and number is not None
    return PublishCommand(name, number, tuple(contracts), branch, tuple(tags), build_url)


def _contract(
    checker: Checker, index: int, item: Any, pacticipant: str | None, max_depth: int
) -> Contract | None:
    where = f" (at index {index})"
    if not isinstance(item, dict):
        checker.add("contracts", f"must be an object{where}")
        return None
    consumer = item.get("consumerName")
    provider = item.get("providerName")
    ok = _names_ok(checker, consumer, provider, pacticipant, where)
    ok = _format_ok(checker, item, where) and ok
    mode = item.get("onConflict", item.get("writeMode", "overwrite"))
    raw = item.get("content")
    content: dict[str, Any] | None = None
    if not isinstance(raw, str):
        checker.add("contracts.content", f"is missing{where}")
        ok = False
    else:
        content = _decode_content(checker, raw, where, max_depth)
        ok = ok and content is not None
    if content is not None:
        ok = _content_names_ok(checker, content, consumer, provider, where) and ok
        for path, message in pact_content_problems(content):
            checker.add(f"contracts.content.{path}", f"{message}{where}")
            ok = False
    if not ok or content is None:
        return None
    assert isinstance(consumer, str) and isinstance(provider, str)
    return Contract(consumer, provider, content, "merge" if mode == "merge" else "overwrite")


def _names_ok(
    checker: Checker, consumer: Any, provider: Any, pacticipant: str | None, where: str
) -> bool:
    ok = True
    for field, value in (("consumerName", consumer), ("providerName", provider)):
        if not isinstance(value, str) or not value.strip():
            checker.add(f"contracts.{field}", f"is missing{where}")
            ok = False
        elif (
            check_text(
                checker,
                f"contracts.{field}",
                value,
                blank_ok=False,
                single_line=True,
                max_length=MAX_NAME_LENGTH,
                suffix=where,
            )
            is None
        ):
            ok = False
    if isinstance(consumer, str) and pacticipant is not None and consumer != pacticipant:
        checker.add("contracts.consumerName", f"must match the pacticipantName{where}")
        ok = False
    return ok


def _format_ok(checker: Checker, item: dict[str, Any], where: str) -> bool:
    """The contract is a pact, as JSON, published with a known conflict mode."""
    ok = True
    if item.get("specification") != "pact":
        checker.add("contracts.specification", f"must be one of: pact{where}")
        ok = False
    if item.get("contentType") != "application/json":
        checker.add("contracts.contentType", f"must be one of: application/json{where}")
        ok = False
    mode = item.get("onConflict", item.get("writeMode", "overwrite"))
    if mode not in ("overwrite", "merge"):
        checker.add("contracts.onConflict", f"must be one of: overwrite, merge{where}")
        ok = False
    return ok


def _content_names_ok(
    checker: Checker, content: dict[str, Any], consumer: Any, provider: Any, where: str
) -> bool:
    """The pacticipants the pact names are the ones the contract names."""
    ok = True
    for role, expected in (("consumer", consumer), ("provider", provider)):
        actual = pacticipant_name(content, role)
        if isinstance(expected, str) and actual is not None and actual != expected:
            checker.add(
                f"contracts.{role}Name",
                f"The {role} name '{actual}' in the pact content does not match the "
                f"{role}Name '{expected}'{where}",
            )
            ok = False
    return ok


def _decode_content(
    checker: Checker, raw: str, where: str, max_depth: int
) -> dict[str, Any] | None:
    """The pact inside a published contract, held to the rules of any JSON request body."""
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        checker.add("contracts.content", f"must be base64 encoded{where}")
        return None
    try:
        document = parse_json_document(decoded, field="contracts.content", max_depth=max_depth)
    except InvalidRequestError as exc:
        assert isinstance(exc.errors, dict)
        for message in exc.errors.get("contracts.content", []):
            checker.add("contracts.content", f"{message}{where}")
        return None
    except BrokerError:
        checker.add("contracts.content", f"must be valid JSON object encoded as base64{where}")
        return None
    if not isinstance(document, dict):
        checker.add("contracts.content", f"must be valid JSON object encoded as base64{where}")
        return None
    return document
