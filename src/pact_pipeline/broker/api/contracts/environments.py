"""Bodies about environments and the versions in them: an environment's attributes, where a
deployment went, and whether a deployment or release is still current."""

from __future__ import annotations

from typing import Any

from pact_pipeline.broker.api.contracts.checks import Checker
from pact_pipeline.broker.services.environments import EnvironmentData


def environment_data(body: dict[str, Any]) -> EnvironmentData:
    checker = Checker(body)
    name = checker.string("name", required=True, no_spaces=True)
    display_name = checker.string("displayName", blank_ok=True)
    production = checker.boolean("production", required=True)
    contacts = body.get("contacts")
    if contacts is not None:
        if not isinstance(contacts, list):
            checker.add("contacts", "must be an array")
        else:
            for index, contact in enumerate(contacts):
                if (
                    not isinstance(contact, dict)
                    or not isinstance(contact.get("name"), str)
                    or not contact["name"].strip()
                ):
                    checker.add("contacts", f"name is missing (at index {index})")
                elif contact.get("details") is not None and not isinstance(
                    contact["details"], dict
                ):
                    checker.add("contacts", f"details must be an object (at index {index})")
    checker.raise_if_any()
    assert name is not None and production is not None
    return EnvironmentData(
        name=name, production=production, display_name=display_name or None, contacts=contacts
    )


def deployment_target(body: dict[str, Any]) -> str | None:
    """The application instance a deployment went to (``target`` is its older name), if any."""
    checker = Checker(body)
    instance = checker.string("applicationInstance", blank_ok=True)
    target = checker.string("target", blank_ok=True)
    checker.raise_if_any()
    return instance or target or None


def currently_flag(body: dict[str, Any], field: str) -> bool | None:
    """``currentlyDeployed`` or ``currentlySupported`` of a PATCH, when given."""
    checker = Checker(body)
    currently = checker.boolean(field)
    checker.raise_if_any()
    return currently
