"""Generic checks of request bodies, paths and query parameters, reported the way the Ruby
broker does: ``{"errors": {"<field>": ["<message>", ...]}}`` with every problem found at once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlparse

from pact_pipeline.broker.errors import InvalidRequestError

MAX_NAME_LENGTH = 255
# Webhook UUIDs are chosen by clients on PUT; the column holds 64 characters.
_UUID = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
MAX_UUID_LENGTH = 64


class Checker:
    """Collects validation errors for one request body."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidRequestError(self.errors)

    def string(
        self,
        field: str,
        *,
        required: bool = False,
        single_line: bool = True,
        blank_ok: bool = False,
        max_length: int = MAX_NAME_LENGTH,
        no_spaces: bool = False,
    ) -> str | None:
        value = self.body.get(field)
        if value is None:
            if required:
                self.add(field, "is missing" if field not in self.body else "must be filled")
            return None
        if not isinstance(value, str):
            self.add(field, "must be a string")
            return None
        return check_text(
            self,
            field,
            value,
            blank_ok=blank_ok,
            single_line=single_line,
            max_length=max_length,
            no_spaces=no_spaces,
        )

    def boolean(self, field: str, *, required: bool = False) -> bool | None:
        value = self.body.get(field)
        if value is None:
            if required:
                self.add(field, "is missing")
            return None
        if not isinstance(value, bool):
            self.add(field, "must be boolean")
            return None
        return value

    def string_list(self, field: str) -> list[str]:
        value = self.body.get(field)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(field, "must be an array")
            return []
        result: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.add(field, f"must be a string (at index {index})")
                continue
            checked = check_text(
                self,
                field,
                item,
                blank_ok=False,
                single_line=True,
                max_length=MAX_NAME_LENGTH,
                suffix=f" (at index {index})",
            )
            if checked is not None:
                result.append(checked)
        return result

    def url(self, field: str) -> str | None:
        value = self.string(field, max_length=2048)
        if value is not None and value != "" and not is_url(value):
            self.add(field, "must be a valid URL")
            return None
        return value or None


def check_text(
    checker: Checker,
    field: str,
    value: str,
    *,
    blank_ok: bool,
    single_line: bool,
    max_length: int,
    no_spaces: bool = False,
    suffix: str = "",
) -> str | None:
    ok = True
    if not blank_ok and not value.strip():
        checker.add(field, f"cannot be blank{suffix}")
        ok = False
    if single_line and ("\n" in value or "\r" in value):
        checker.add(field, f"cannot contain multiple lines{suffix}")
        ok = False
    if no_spaces and " " in value:
        checker.add(field, f"cannot contain spaces{suffix}")
        ok = False
    if len(value) > max_length:
        checker.add(field, f"must be at most {max_length} characters{suffix}")
        ok = False
    if "\x00" in value:
        checker.add(field, f"cannot contain NUL characters{suffix}")
        ok = False
    return value if ok else None


def is_url(value: str) -> bool:
    parsed = urlparse(value)
    return bool(parsed.scheme in ("http", "https") and parsed.netloc)


def check_path_name(field: str, value: str) -> str:
    """Names taken from the path: non-blank, single line, bounded."""
    checker = Checker({field: value})
    checker.string(field, required=True)
    checker.raise_if_any()
    return value


def parse_bool(field: str, value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise InvalidRequestError({field: [f"must be a boolean (true or false), got {value!r}"]})


def parse_date(field: str, value: Any) -> datetime:
    """An ISO-8601 date or date-time; naive values are taken as UTC."""
    if not isinstance(value, str):
        raise InvalidRequestError(
            {field: ["must be a date string (YYYY-MM-DD or ISO-8601 date-time)"]}
        )
    try:
        if len(value) == 10:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidRequestError({field: [f"{value!r} is not a valid date: {exc}"]}) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_webhook_uuid(value: str) -> bool:
    return bool(_UUID.match(value))
