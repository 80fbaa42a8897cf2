"""What would turn a can-i-deploy "no" or "unknown" into a "yes", row by row (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def remedies(
    answer: Mapping[str, Any],
    form: Mapping[str, str],
    in_environment: Mapping[str, list[str]] | None = None,
) -> list[str]:
    """One line per thing to do, from the matrix answer the page shows; none for a yes.

    `in_environment` names, for a provider, its versions in the environment: the versions
    that must verify a pact the answer waits for.
    """
    summary = answer.get("summary") or {}
    if summary.get("deployable") is True:
        return []
    lines: list[str] = []
    for row in answer.get("matrix") or []:
        line = _row_remedy(row, in_environment or {})
        if line and line not in lines:
            lines.append(line)
    if not lines:
        environment = form.get("environment", "the environment")
        lines.extend(
            f"{reason.get('text')}: deploy to {environment} a version of the other side that "
            "verified (or was verified by) this one"
            for reason in answer.get("reasons") or []
            if reason.get("level") == "error" and "currently" in str(reason.get("text", ""))
        )
    return lines or ["read the broker's reasons above"]


def _row_remedy(row: Mapping[str, Any], in_environment: Mapping[str, list[str]]) -> str | None:
    consumer = row.get("consumer") or {}
    provider = row.get("provider") or {}
    consumer_version = (consumer.get("version") or {}).get("number", "?")
    provider_version = (provider.get("version") or {}).get("number")
    pact = f"the pact of {consumer.get('name')} {consumer_version}"
    result = row.get("verificationResult")
    if result is None:
        name = str(provider.get("name"))
        versions = in_environment.get(name, [])
        if provider_version:
            who = f"{name} {provider_version}"
        elif versions:
            who = f"{name} {', '.join(versions)} (in the environment)"
        else:
            who = f"the {name} version in the environment"
        return (
            f"{who} has not verified {pact}: its build must verify it and publish the result "
            "(a contract_requiring_verification_published webhook does this)"
        )
    if result.get("success") is False:
        return (
            f"{provider.get('name')} {provider_version} fails {pact}: change "
            f"{provider.get('name')} to honour it (or agree a new pact with "
            f"{consumer.get('name')}'s team), then verify and deploy that version"
        )
    return None
