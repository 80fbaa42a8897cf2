"""What changed between two versions of a pact, for the "pact diff" page.

Pure, and as tolerant as :mod:`pact_view`: any two documents give a diff. Interactions are
paired by their V4 ``key`` when both versions carry the same one, then by description and
provider state names (pact-reference's keys hash the content, so a changed interaction
usually gets a new key). Differences are found in a version-neutral tree (a V3 body and a
V4 ``{"content": …}`` body compare alike); what only tells copies apart, such as the
broker's ``_id``, is not in it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pact_pipeline.broker.ui.pact_view import (
    MAX_DEPTH,
    ComparableInteraction,
    InteractionView,
    JsonValue,
    comparable_interactions,
    short,
)

Status = Literal["added", "removed", "changed", "unchanged"]
_STATUSES: tuple[Status, ...] = ("removed", "added", "changed", "unchanged")
#: At most this many change lines per interaction; the rest are counted in a last line.
MAX_CHANGES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class InteractionChange:
    """One interaction's fate between the two versions."""

    status: Status
    key: str
    description: str
    before: InteractionView | None
    after: InteractionView | None
    changes: list[str]


@dataclass(frozen=True)
class PactDiff:
    """Removed, added and changed interactions first, then unchanged ones."""

    changes: list[InteractionChange]

    @property
    def counts(self) -> dict[str, int]:
        """How many interactions have each status (all four statuses present)."""
        counts: dict[str, int] = dict.fromkeys(_STATUSES, 0)
        for change in self.changes:
            counts[change.status] += 1
        return counts

    @property
    def identical(self) -> bool:
        """Whether no interaction was added, removed or changed."""
        return all(change.status == "unchanged" for change in self.changes)


def pact_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> PactDiff:
    """The interaction-by-interaction difference from ``before`` to ``after``."""
    old = comparable_interactions(before)
    new = comparable_interactions(after)
    pairs = _pairs(old, new)
    paired_new = set(pairs.values())
    grouped: dict[Status, list[InteractionChange]] = {status: [] for status in _STATUSES}
    for i, entry in enumerate(old):
        if i not in pairs:
            grouped["removed"].append(_change("removed", entry, entry, None, []))
    for j, entry in enumerate(new):
        if j not in paired_new:
            grouped["added"].append(_change("added", entry, None, entry, []))
    for i, j in sorted(pairs.items(), key=lambda pair: pair[1]):
        lines = interaction_changes(old[i].tree, new[j].tree)
        status: Status = "changed" if lines else "unchanged"
        grouped[status].append(_change(status, new[j], old[i], new[j], lines))
    return PactDiff([change for status in _STATUSES for change in grouped[status]])


def interaction_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Human lines for what differs between two comparable trees, e.g.
    ``response.status: 200 → 404`` or ``response.body.$.price: added 12.5``."""
    lines: list[str] = []
    _walk(before, after, "", lines, 0, in_json=False)
    if len(lines) > MAX_CHANGES:
        return [*lines[:MAX_CHANGES], f"… and {len(lines) - MAX_CHANGES} more changes"]
    return lines


def identity(entry: ComparableInteraction) -> tuple[str, tuple[str, ...]]:
    """An interaction's identity without a V4 key: description and sorted state names."""
    return entry.view.description, tuple(sorted(state.name for state in entry.view.states))


def _pairs(old: list[ComparableInteraction], new: list[ComparableInteraction]) -> dict[int, int]:
    """``{index in old: index in new}``: same V4 key first, then same identity, in order."""
    pairs: dict[int, int] = {}
    by_key: dict[str, list[int]] = {}
    for j, entry in enumerate(new):
        if entry.key:
            by_key.setdefault(entry.key, []).append(j)
    for i, entry in enumerate(old):
        if entry.key and by_key.get(entry.key):
            pairs[i] = by_key[entry.key].pop(0)
    taken = set(pairs.values())
    by_identity: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for j, entry in enumerate(new):
        if j not in taken:
            by_identity.setdefault(identity(entry), []).append(j)
    for i, entry in enumerate(old):
        if i not in pairs and by_identity.get(identity(entry)):
            pairs[i] = by_identity[identity(entry)].pop(0)
    return pairs


def _change(
    status: Status,
    entry: ComparableInteraction,
    before: ComparableInteraction | None,
    after: ComparableInteraction | None,
    lines: list[str],
) -> InteractionChange:
    """``entry`` (the newer side, if there is one) names the change."""
    description, states = identity(entry)
    key = entry.key or (f"{description} (given {', '.join(states)})" if states else description)
    return InteractionChange(
        status=status,
        key=key,
        description=description,
        before=before.view if before else None,
        after=after.view if after else None,
        changes=lines,
    )


def _walk(
    before: Any, after: Any, path: str, lines: list[str], depth: int, *, in_json: bool
) -> None:
    if isinstance(before, JsonValue) and isinstance(after, JsonValue):
        _walk(before.value, after.value, f"{path}.$", lines, depth + 1, in_json=True)
    elif depth < MAX_DEPTH and isinstance(before, Mapping) and isinstance(after, Mapping):
        for name, value in before.items():
            child = _child(path, name, in_json=in_json)
            if name in after:
                _walk(value, after[name], child, lines, depth + 1, in_json=in_json)
            else:
                lines.append(f"{child}: removed")
        for name, value in after.items():
            if name not in before:
                lines.append(f"{_child(path, name, in_json=in_json)}: added {_shown(value)}")
    elif depth < MAX_DEPTH and isinstance(before, list) and isinstance(after, list):
        for index, value in enumerate(before):
            if index < len(after):
                _walk(value, after[index], f"{path}[{index}]", lines, depth + 1, in_json=in_json)
            else:
                lines.append(f"{path}[{index}]: removed")
        for index in range(len(before), len(after)):
            lines.append(f"{path}[{index}]: added {_shown(after[index])}")
    elif not _same(before, after):
        lines.append(f"{path}: {_shown(before)} → {_shown(after)}")


def _child(path: str, name: Any, *, in_json: bool) -> str:
    text = str(name)
    if in_json and not _NAME.fullmatch(text):
        text = "['" + text.replace("\\", "\\\\").replace("'", "\\'") + "']"
        return f"{path}{text}"
    return f"{path}.{text}" if path else text


def _same(before: Any, after: Any) -> bool:
    """Equal, and a JSON ``true`` is not the number ``1``; iterative, so any depth will do."""
    pending = [(before, after)]
    while pending:
        old, new = pending.pop()
        if isinstance(old, JsonValue) and isinstance(new, JsonValue):
            pending.append((old.value, new.value))
        elif isinstance(old, Mapping) and isinstance(new, Mapping):
            if old.keys() != new.keys():
                return False
            pending.extend((old[name], new[name]) for name in old)
        elif isinstance(old, list) and isinstance(new, list):
            if len(old) != len(new):
                return False
            pending.extend(zip(old, new, strict=True))
        elif (
            isinstance(old, Mapping | list | JsonValue)  # a container against something else
            or isinstance(new, Mapping | list | JsonValue)
            or isinstance(old, bool) != isinstance(new, bool)
            or old != new
        ):
            return False
    return True


def _shown(value: Any) -> str:
    """A short JSON rendering: strings quoted, so ``"10"`` and ``10`` differ on the page."""
    value = _plain(value, 0)
    return short(value if not isinstance(value, str) else _quoted(value))


def _plain(value: Any, depth: int) -> Any:
    """A comparable tree without its ``JsonValue`` wrappers (they sit near its top)."""
    if isinstance(value, JsonValue):
        return value.value
    if depth > 4:
        return value
    if isinstance(value, Mapping):
        return {name: _plain(item, depth + 1) for name, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, depth + 1) for item in value]
    return value


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
