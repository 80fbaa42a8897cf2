"""Keep selectors of the database clean-up: which pacticipant versions a clean must not delete.

Named and read as the Pact Broker reads them (``PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS``,
a JSON list): keys in snake or camel case, ``pacticipant`` for ``pacticipant_name`` and
``environment`` for ``environment_name``. A selector's criteria all apply (AND); a version is kept
when any selector selects it (OR).

* ``{"latest": true}``: the newest version of each pacticipant;
* ``{"branch": true, "latest": true}``: the head of every branch (``"branch": "main"``: of those
  branches only); ``{"branch": true}`` alone: every version on a branch;
* ``{"mainBranch": true}`` (``"latest": true`` for its head only): versions on each pacticipant's
  main branch;
* ``{"tag": true, "latest": true}``: the newest version per tag name (``"tag": "prod"``: per
  pacticipant for that tag); ``{"tag": true}`` alone: every tagged version;
* ``{"deployed": true}`` / ``{"released": true}``: currently deployed / supported versions
  (``"environment": "prod"`` narrows to one environment);
* ``{"max_age": 90}``: versions created in the last 90 days;
* ``{"pacticipant": "Foo"}`` narrows any of the above to one pacticipant.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

#: The Pact Broker's default keep selectors (``PactBroker::DB::CleanIncremental``).
DEFAULT_KEEP_SELECTORS_JSON = (
    '[{"tag": true, "latest": true}, {"branch": true, "latest": true}, {"latest": true}, '
    '{"deployed": true}, {"released": true}, {"max_age": 90}]'
)

_ALIASES = {"pacticipant": "pacticipant_name", "environment": "environment_name"}
_BOOLEAN = ("latest", "deployed", "released", "main_branch")
_NAME_OR_TRUE = ("tag", "branch")
_NAMES = ("pacticipant_name", "environment_name")


class SelectorError(ValueError):
    """A keep selector (or the JSON holding it) that cannot be used."""


@dataclass(frozen=True)
class KeepSelector:
    """One keep selector; ``None`` means "no criterion"."""

    pacticipant_name: str | None = None
    latest: bool | None = None
    tag: str | bool | None = None
    branch: str | bool | None = None
    main_branch: bool | None = None
    environment_name: str | None = None
    max_age: int | None = None
    deployed: bool | None = None
    released: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """The selector's criteria, snake case (as the Pact Broker reports them)."""
        return {key: value for key, value in asdict(self).items() if value is not None}

    def __str__(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _check_value(key: str, value: Any, shown: str) -> None:
    if key in _BOOLEAN and not isinstance(value, bool):
        raise SelectorError(f"keep selector {shown}: {key} must be true or false")
    if key in _NAME_OR_TRUE and not (value is True or (isinstance(value, str) and value)):
        raise SelectorError(f"keep selector {shown}: {key} must be true or a name")
    if key in _NAMES and not (isinstance(value, str) and value):
        raise SelectorError(f"keep selector {shown}: {key} must be a name")
    if key == "max_age" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise SelectorError(f"keep selector {shown}: max_age must be a whole number of days")


def selector_from_json(raw: Any) -> KeepSelector:
    """One selector from its JSON object.

    Raises:
        SelectorError: If it is not an object, names an unknown criterion, has a value of the
            wrong type, or has no criterion at all (it would keep every version).
    """
    if not isinstance(raw, dict):
        raise SelectorError(f"keep selector {json.dumps(raw)} is not a JSON object")
    shown = json.dumps(raw, sort_keys=True)
    fields: dict[str, Any] = {}
    for name, value in raw.items():
        key = _ALIASES.get(_snake(str(name)), _snake(str(name)))
        if key not in KeepSelector.__dataclass_fields__:
            raise SelectorError(f"keep selector {shown}: unknown criterion {name!r}")
        if value is None or (value is False and key in _NAME_OR_TRUE):
            continue
        _check_value(key, value, shown)
        fields[key] = value
    selector = KeepSelector(**fields)
    if not [value for value in selector.to_json().values() if value is not False]:
        raise SelectorError(f"keep selector {shown} has no criterion (it would keep everything)")
    return selector


def parse_selectors(text: str) -> list[KeepSelector]:
    """Selectors from JSON: one object or a list of objects.

    Raises:
        SelectorError: If the text is not JSON or a selector cannot be used.
    """
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise SelectorError(f"keep selectors are not valid JSON ({error.msg}): {text}") from None
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise SelectorError("no keep selectors given (an empty list would delete every version)")
    return [selector_from_json(item) for item in items]


def with_defaults(selectors: list[KeepSelector]) -> list[KeepSelector]:
    """As the Pact Broker's clean task: currently deployed and currently supported versions are
    always kept, so ``{"deployed": true}`` and ``{"released": true}`` are added when missing."""
    result = list(selectors)
    if not any(s.deployed for s in result):
        result.append(KeepSelector(deployed=True))
    if not any(s.released for s in result):
        result.append(KeepSelector(released=True))
    return result
