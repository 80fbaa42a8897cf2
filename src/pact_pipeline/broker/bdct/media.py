"""Content negotiation between a pact's media types and a contract's (RFC 9110 §12).

A requested type (a Content-Type, or an Accept list with q-values) is matched against the
documented types in this order: exactly (parameters included), by essence (``charset`` and
other parameters ignored), as a structured-syntax suffix (``application/problem+json`` is a
narrower ``application/json``, and the other way round), then the contract's media ranges
(``application/*``, ``*/*``), then the pact's (``Accept: */*``). Case and spaces never count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Matcher = Callable[[str, str], bool]


def essence(media_type: str) -> str:
    """``type/subtype`` without parameters, lower-case."""
    return media_type.split(";", 1)[0].strip().lower()


def _normal(media_type: str) -> str:
    return "".join(media_type.split()).lower()


def _quality(part: str) -> float:
    for parameter in part.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 1.0
    return 1.0


def _without_quality(part: str) -> str:
    kept = [p for p in part.split(";") if p.split("=", 1)[0].strip().lower() != "q"]
    return ";".join(kept)


def _ranges(requested: str) -> list[str]:
    """The requested types, best q first, without q and without refused ones (q=0)."""
    parts = [p for p in requested.split(",") if p.strip()]
    ranked = sorted(parts, key=_quality, reverse=True)
    return [_normal(_without_quality(p)) for p in ranked if _quality(p) > 0]


def _split(media_type: str) -> tuple[str, str, str]:
    kind, _, subtype = essence(media_type).partition("/")
    suffix = subtype.rsplit("+", 1)[1] if "+" in subtype else ""
    return kind, subtype, suffix


def _exact(wanted: str, offered: str) -> bool:
    return wanted == _normal(offered)


def _same_essence(wanted: str, offered: str) -> bool:
    return essence(wanted) == essence(offered)


def _suffix(wanted: str, offered: str) -> bool:
    kind, subtype, suffix = _split(wanted)
    other_kind, other_subtype, other_suffix = _split(offered)
    if kind != other_kind:
        return False
    return bool(suffix and suffix == other_subtype) or bool(
        other_suffix and other_suffix == subtype
    )


def _offered_range(wanted: str, offered: str) -> bool:
    kind, _, _ = _split(wanted)
    other_kind, other_subtype, _ = _split(offered)
    return other_subtype == "*" and other_kind in (kind, "*")


def _wanted_range(wanted: str, offered: str) -> bool:
    kind, subtype, _ = _split(wanted)
    return subtype == "*" and kind in (_split(offered)[0], "*")


STEPS: tuple[Matcher, ...] = (_exact, _same_essence, _suffix, _offered_range, _wanted_range)


def best_match(requested: str, offered: Sequence[str]) -> str | None:
    """The documented type ``requested`` is best served by, or None if none is acceptable."""
    wanted = _ranges(requested)
    for step in STEPS:
        for want in wanted:
            for candidate in offered:
                if step(want, candidate):
                    return candidate
    return None


def is_json(media_type: str) -> bool:
    """``application/json`` or any ``+json`` type: the bodies that are schema-checked."""
    kind, subtype, suffix = _split(media_type)
    return kind == "application" and (subtype == "json" or suffix == "json")


def is_form(media_type: str) -> bool:
    """``application/x-www-form-urlencoded``: parsed into fields, then schema-checked."""
    return essence(media_type) == "application/x-www-form-urlencoded"
