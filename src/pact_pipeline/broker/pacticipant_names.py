"""Pacticipant names that are probably the same one spelled another way (pure rules).

The Pact Broker refuses the first pact for a new name that looks like an existing one
("foo-api" when "Foo" exists, "FooService" when "foo" exists): a typo in a client's
configuration would otherwise split one integration into two, silently. Its rule: split both
names into lower-case words (at spaces, hyphens, underscores and case changes), drop a plural
"s" from each word and the words "api", "provider" and "service", and compare what is left.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_IGNORED_WORDS = ("api", "provider", "service")


def words(name: str) -> list[str]:
    """A name's words, lower case: "FooBarAPI v2" → ["foo", "bar", "api", "v2"]."""
    text = re.sub(r"\s", "_", name).replace("::", "/")
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", text)
    parts = text.replace("-", "_").lower().split("_")
    while parts and not parts[-1]:
        parts.pop()  # as Ruby's split, which drops trailing empty fields
    return parts


def _essence(name: str) -> list[str]:
    stems = [word.removesuffix("s") for word in words(name)]
    return [stem for stem in stems if stem not in _IGNORED_WORDS]


def potential_duplicates(new_name: str, existing_names: Iterable[str]) -> list[str]:
    """The existing names `new_name` may be a misspelling of (none if it already exists)."""
    existing = list(existing_names)
    if new_name in existing:
        return []
    essence = _essence(new_name)
    return [name for name in existing if _essence(name) == essence]


def duplicate_message(new_name: str, similar: Iterable[str], base_url: str) -> str:
    """The Pact Broker's explanation, with the command that creates the name on purpose."""
    listed = "\n".join(f"* {name}" for name in similar)
    return (
        f'This is the first time a pact has been published for "{new_name}".\n'
        f'The name "{new_name}" is very similar to the following existing pacticipants:\n'
        f"{listed}\n"
        "If you meant to specify one of the above names, please correct the pact "
        "configuration, and re-publish the pact.\n"
        f"If the pact is intended to be for a new consumer or provider, please manually create "
        f'"{new_name}" using the following command from the Pact Broker CLI, and then '
        "re-publish the pact:\n\n"
        f'pact-broker create-or-update-pacticipant --name "{new_name}" --broker-base-url '
        f"{base_url}\n\n"
        "To disable this check, set PACT_BROKER_CHECK_FOR_POTENTIAL_DUPLICATE_PACTICIPANT_NAMES "
        "to false."
    )
