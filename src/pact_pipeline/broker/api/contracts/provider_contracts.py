"""The bodies of PactFlow's provider contract resources: ``POST /provider-contracts/provider/
{provider}/publish`` and the older ``PUT /contracts/provider/{provider}/version/{version}``.

The official clients differ in what they leave out (the Ruby client sends ``null`` for a
missing branch or build URL, the Rust one omits the key; ``contentType`` may be missing), so
absent and null mean the same here. The content must be an OpenAPI document in JSON or YAML,
base64-encoded; whether it is a *valid* OpenAPI document is the comparison's concern (PactFlow
accepts it and reports the problem when comparing).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pact_pipeline.broker import bdct
from pact_pipeline.broker.api.contracts.checks import Checker
from pact_pipeline.broker.services.provider_contracts import (
    ProviderContractCommand,
    SelfVerification,
)

#: What ``contentType`` may say, and what a missing one is taken to be after looking.
YAML_TYPES = frozenset({"application/yaml", "application/yml", "application/x-yaml", "text/yaml"})
JSON_TYPES = frozenset({"application/json"})
SPECIFICATIONS = frozenset({"oas"})
_RESULT_FIELDS = ("contentType", "format", "verifier", "verifierVersion")


def publish_command(provider: str, body: dict[str, Any]) -> ProviderContractCommand:
    """``POST …/publish``: the version, branch, tags and build URL, and ``contract``."""
    checker = Checker(body)
    number = checker.string("pacticipantVersionNumber", required=True)
    branch = checker.string("branch")
    tags = checker.string_list("tags")
    build_url = checker.url("buildUrl")
    contract = body.get("contract")
    if not isinstance(contract, dict):
        checker.add("contract", "is missing" if contract is None else "must be an object")
        contract = {}
    parts = _contract_parts(
        checker,
        contract,
        prefix="contract.",
        specification_field="specification",
        results_field="selfVerificationResults",
    )
    checker.raise_if_any()
    assert number is not None and parts is not None
    content, content_type, specification, verification = parts
    return ProviderContractCommand(
        provider,
        number,
        content,
        content_type,
        specification,
        verification,
        branch,
        tuple(tags),
        build_url,
    )


def put_command(provider: str, version: str, body: dict[str, Any]) -> ProviderContractCommand:
    """``PUT /contracts/provider/{provider}/version/{version}``: the contract alone, with the
    old field names (``contractType``, ``verificationResults``)."""
    checker = Checker(body)
    parts = _contract_parts(
        checker,
        body,
        prefix="",
        specification_field="contractType",
        results_field="verificationResults",
    )
    checker.raise_if_any()
    assert parts is not None
    content, content_type, specification, verification = parts
    return ProviderContractCommand(
        provider, version, content, content_type, specification, verification
    )


def _contract_parts(
    checker: Checker,
    contract: dict[str, Any],
    *,
    prefix: str,
    specification_field: str,
    results_field: str,
) -> tuple[str, str, str, SelfVerification | None] | None:
    inner = Checker(contract)
    specification = inner.string(specification_field) or "oas"
    if specification.lower() not in SPECIFICATIONS:
        inner.add(specification_field, f"must be oas (OpenAPI), got {specification!r}")
    content_type = inner.string("contentType")
    if content_type is not None and _media_type(content_type) not in YAML_TYPES | JSON_TYPES:
        inner.add("contentType", "must be application/json or application/yaml")
    text = _decoded(inner, contract.get("content"))
    verification = _self_verification(inner, contract.get(results_field), results_field)
    for field_name, messages in inner.errors.items():
        for message in messages:
            checker.add(prefix + field_name, message)
    if inner.errors or text is None:
        return None
    return text, content_type or _sniffed_type(text), specification.lower(), verification


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _sniffed_type(text: str) -> str:
    return "application/json" if text.lstrip().startswith("{") else "application/yaml"


def _decoded(checker: Checker, raw: Any) -> str | None:
    if raw is None:
        checker.add("content", "is missing")
        return None
    if not isinstance(raw, str):
        checker.add("content", "must be a base64-encoded string")
        return None
    try:
        text = base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        checker.add("content", "must be base64-encoded UTF-8 text (an OpenAPI document)")
        return None
    try:
        # Only whether it reads as a document: compiling it is the comparison's work.
        bdct.load_document(text, None)
    except bdct.ContractDocumentError as problem:
        checker.add("content", f"is not a JSON or YAML document: {problem}")
        return None
    return text


def _self_verification(checker: Checker, raw: Any, field_name: str) -> SelfVerification | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        checker.add(field_name, "must be an object")
        return None
    success = raw.get("success")
    if success is not None and not isinstance(success, bool):
        checker.add(f"{field_name}.success", "must be boolean")
    content = raw.get("content")
    if content is not None:
        if not isinstance(content, str):
            checker.add(f"{field_name}.content", "must be a base64-encoded string")
        else:
            try:
                base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                checker.add(f"{field_name}.content", "must be base64-encoded")
    details: dict[str, Any] = {"content": content} if isinstance(content, str) else {}
    for name in _RESULT_FIELDS:
        value = raw.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > 255:
            checker.add(f"{field_name}.{name}", "must be a string of at most 255 characters")
            continue
        details[name] = value
    return SelfVerification(success if isinstance(success, bool) else None, details)
