"""Status badges, rendered here as shields-style flat SVG (no call to shields.io).

Pure rules and rendering, free of the database: the texts and colours of the Ruby broker's
badges (``lib/pact_broker/badges/service.rb``), the pseudo-branch status that decides a pact
badge (``verifications/pseudo_branch_status.rb``), text widths estimated from Verdana's glyph
advances at 11px (the font shields sizes its badges for), and the SVG itself.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from xml.sax.saxutils import escape

#: The colours shields names, as the Ruby broker asks for them.
COLOURS = {
    "brightgreen": "#4c1",
    "green": "#97ca00",
    "yellowgreen": "#a4a61d",
    "yellow": "#dfb317",
    "orange": "#fe7d37",
    "red": "#e05d44",
    "blue": "#007ec6",
    "grey": "#555",
    "lightgrey": "#9f9f9f",
}
LABEL_COLOUR = "#555"

FONT_SIZE = 11
#: Verdana's advance widths (units of a 2048-unit em) of the printable ASCII characters, from
#: the space (32) to the tilde (126).
_VERDANA_ADVANCES = (
    # space ! " # $ % & ' ( ) * + , - . /
    720, 806, 940, 1676, 1302, 2204, 1488, 550, 930, 930, 1302, 1676, 745, 930, 745, 930,
    # 0-9 : ; < = > ? @
    *(1302,) * 10, 930, 930, 1676, 1676, 1676, 1117, 2048,
    # A-Z
    1400, 1404, 1430, 1578, 1295, 1177, 1588, 1539, 862, 931, 1419, 1140, 1726, 1532, 1612,
    1235, 1612, 1424, 1400, 1262, 1499, 1400, 2025, 1403, 1260, 1403,
    # [ \ ] ^ _ `
    930, 930, 930, 1676, 1302, 1302,
    # a-z
    1230, 1276, 1067, 1276, 1220, 720, 1276, 1296, 562, 705, 1212, 562, 1992, 1296, 1243,
    1276, 1276, 874, 1067, 807, 1296, 1212, 1676, 1212, 1212, 1076,
    # { | } ~
    1300, 930, 1300, 1676,
)  # fmt: skip
_EM_UNITS = 2048
#: Glyphs the table lacks: as wide as Verdana's ``M`` (few letters are wider), or a full em
#: for East Asian wide characters, so that estimated text is rarely narrower than drawn text.
_UNKNOWN_ADVANCE = 1726
_WIDE_ADVANCE = _EM_UNITS
HORIZONTAL_PADDING = 5
HEIGHT = 20


def _advance(char: str) -> int:
    code = ord(char)
    if 32 <= code <= 126:
        return _VERDANA_ADVANCES[code - 32]
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cc", "Cf", "Mn", "Me"):
        return 0
    base = unicodedata.normalize("NFD", char)[0]
    if base != char and 32 <= ord(base) <= 126:
        return _VERDANA_ADVANCES[ord(base) - 32]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _WIDE_ADVANCE
    return _UNKNOWN_ADVANCE


def text_width(text: str) -> float:
    """The width in pixels of ``text`` set in 11px Verdana (no kerning), estimated per
    character from the font's advance widths."""
    return sum(_advance(char) for char in text) * FONT_SIZE / _EM_UNITS


# --- escaping ---------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE = re.compile(r"[\t\n\r]")


def displayable(text: str) -> str:
    """``text`` as a badge shows it: characters XML cannot hold dropped, line breaks and tabs
    turned into spaces."""
    return _WHITESPACE.sub(" ", _NOT_XML.sub("", text))


def xml_text(text: str) -> str:
    """``text`` as XML character data or attribute value (see :func:`displayable`), with
    ``& < > " '`` escaped."""
    return escape(displayable(text), {'"': "&quot;", "'": "&apos;"})


def xml_comment(text: str) -> str:
    """An XML comment holding ``text``; ``--`` (which would end or break it) is split up."""
    clean = displayable(text)
    while "--" in clean:
        clean = clean.replace("--", "- -")
    return f"<!-- {clean} -->"


# --- the badge --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    """What a badge says: ``label`` on grey, ``message`` on ``colour`` (a shields colour name
    or a ``#rgb`` value), and an optional comment before the SVG (the Ruby broker notes the
    versions a pact badge was decided from)."""

    label: str
    message: str
    colour: str
    comment: str | None = None


def segment_width(text: str) -> int:
    """The width of one half of a badge: its text as displayed, padded on both sides."""
    return math.ceil(text_width(displayable(text))) + 2 * HORIZONTAL_PADDING


def _texts(text: str, centre: float, width: int) -> str:
    body = xml_text(text)
    length = max(width - 2 * HORIZONTAL_PADDING, 0)
    return (
        f'<text x="{centre:.1f}" y="15" fill="#010101" fill-opacity=".3" '
        f'textLength="{length}" lengthAdjust="spacing">{body}</text>'
        f'<text x="{centre:.1f}" y="14" textLength="{length}" lengthAdjust="spacing">{body}</text>'
    )


def render(badge: Badge) -> str:
    """The badge as a flat, shields-style SVG document (UTF-8 text)."""
    left = segment_width(badge.label)
    right = segment_width(badge.message)
    total = left + right
    fill = COLOURS.get(badge.colour, badge.colour)
    title = xml_text(f"{badge.label}: {badge.message}")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{HEIGHT}" '
        f'role="img" aria-label="{title}"><title>{title}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="{HEIGHT}" rx="3" fill="#fff"/>'
        '</clipPath><g clip-path="url(#r)">'
        f'<rect width="{left}" height="{HEIGHT}" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="{xml_text(fill)}"/>'
        f'<rect width="{total}" height="{HEIGHT}" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" '
        f'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="{FONT_SIZE}">'
        f"{_texts(badge.label, left / 2, left)}{_texts(badge.message, left + right / 2, right)}"
        "</g></svg>"
    )
    if badge.comment is None:
        return svg
    return f"{xml_comment(badge.comment)}\n{svg}"


# --- pact badges ------------------------------------------------------------------------------


class PseudoBranchStatus(Enum):
    """The state of a pseudo branch (an integration's pacts, or those with a tag): how its
    latest pact relates to its latest verification."""

    NEVER = "never"
    SUCCESS = "success"
    STALE = "stale"
    FAILED = "failed"
    FAILED_PENDING = "failed_pending"


@dataclass(frozen=True)
class VerificationOutcome:
    pact_version_id: int
    success: bool
    pact_pending: bool | None


def pseudo_branch_status(
    pact_version_id: int | None, verification: VerificationOutcome | None
) -> PseudoBranchStatus:
    """Never verified, verified, changed since it was verified, or failed (pending or not)."""
    if pact_version_id is None or verification is None:
        return PseudoBranchStatus.NEVER
    if verification.success:
        if verification.pact_version_id != pact_version_id:
            return PseudoBranchStatus.STALE
        return PseudoBranchStatus.SUCCESS
    if verification.pact_pending:
        return PseudoBranchStatus.FAILED_PENDING
    return PseudoBranchStatus.FAILED


_STATUS_TEXTS = {
    PseudoBranchStatus.SUCCESS: ("verified", "brightgreen"),
    PseudoBranchStatus.FAILED: ("failed", "red"),
    PseudoBranchStatus.FAILED_PENDING: ("failed (pending)", "red"),
    PseudoBranchStatus.STALE: ("changed", "orange"),
    PseudoBranchStatus.NEVER: ("unknown", "lightgrey"),
}
PACT_NOT_FOUND = Badge("pact not found", "unknown", "lightgrey")

_SPACE_DASH_UNDERSCORE = re.compile(r"[ \t\r\n\f\v_\-]")  # Ruby's \s is ASCII only
_UNDERSCORE = re.compile("_")


def _split(text: str, separator: re.Pattern[str]) -> list[str]:
    """``text`` split as Ruby's ``String#split`` splits it (trailing empty parts dropped)."""
    parts = separator.split(text)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _split_camel_case(name: str) -> list[str]:
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", spaced)
    return _split(spaced.replace("-", "_"), _UNDERSCORE)


def badge_name(name: str, *, initials: bool, tag: str | None = None) -> str:
    """A pacticipant's name as a pact badge shows it: lower case, or its initials (of words
    split on spaces, dashes and underscores, else on camel case), then ``(tag)`` if tagged."""
    suffix = f" ({tag})" if tag is not None else ""
    if initials:
        parts = _split(name, _SPACE_DASH_UNDERSCORE)
        if len(parts) == 1:
            parts = _split_camel_case(name)
        if len(parts) > 1:
            return "".join(part[:1] for part in parts).lower() + suffix
    return name.lower() + suffix


@dataclass(frozen=True)
class PactBadgeRequest:
    """How to title a pact badge: ``label`` ``consumer`` or ``provider`` names only that side
    (anything else, both); ``initials`` shortens the names; tags follow the names."""

    label: str | None = None
    initials: bool = False
    consumer_tag: str | None = None
    provider_tag: str | None = None


def pact_badge(
    consumer: str,
    provider: str,
    status: PseudoBranchStatus,
    request: PactBadgeRequest,
    comment: str | None = None,
) -> Badge:
    """The badge of a pact's verification status, titled ``consumer/provider pact``."""
    consumer_name = badge_name(consumer, initials=request.initials, tag=request.consumer_tag)
    provider_name = badge_name(provider, initials=request.initials, tag=request.provider_tag)
    side = (request.label or "").lower()
    if side == "consumer":
        title = consumer_name
    elif side == "provider":
        title = provider_name
    else:
        title = f"{consumer_name}/{provider_name}"
    message, colour = _STATUS_TEXTS[status]
    return Badge(f"{title} pact".lower(), message, colour, comment)


# --- can-i-deploy badges ----------------------------------------------------------------------


def can_i_deploy_badge(
    source: str, target: str, label: str | None, deployable: bool | None
) -> Badge:
    """``can-i-deploy | <source> to <target>``: green when deployable, else red (an unknown
    answer is not a yes)."""
    colour = "brightgreen" if deployable else "red"
    return Badge(label or "can-i-deploy", f"{source} to {target}", colour)


def not_found_badge(what: str) -> Badge:
    """``<what> | not found`` in grey: a badge in a README must render even when its subject
    is gone."""
    return Badge(what, "not found", "lightgrey")


def error_badge(reference: str) -> Badge:
    return Badge("error", f"reference: {reference}", "lightgrey")


# --- paths ------------------------------------------------------------------------------------

#: The paths of badges, as sent (percent-encoded), with an optional extension (``.svg``).
BADGE_PATHS = (
    re.compile(r"^/pacts/provider/[^/]+/consumer/.*/badge(?:\.[A-Za-z]+)?$"),
    re.compile(
        r"^/matrix/provider/[^/]+/latest/[^/]+/consumer/[^/]+/latest/[^/]+/badge(?:\.[A-Za-z]+)?$"
    ),
    re.compile(
        r"^/pacticipants/[^/]+/latest-version/[^/]+/can-i-deploy/to/[^/]+/badge(?:\.[A-Za-z]+)?$"
    ),
    re.compile(
        r"^/pacticipants/[^/]+/branches/[^/]+/latest-version/can-i-deploy/to-environment/[^/]+"
        r"/badge(?:\.[A-Za-z]+)?$"
    ),
)


def is_badge_path(path: str) -> bool:
    """Whether a (raw) request path names a badge: for public badge access."""
    return "/badge" in path and any(pattern.match(path) for pattern in BADGE_PATHS)
