"""Bodies about pacticipants and their versions: a pacticipant's attributes, and what a PUT or
PATCH of a version carries (build URL, branch, tags)."""

from __future__ import annotations

from typing import Any

from pact_pipeline.broker.api.contracts.checks import MAX_NAME_LENGTH, Checker, check_text
from pact_pipeline.broker.services.pacticipants import PACTICIPANT_FIELDS
from pact_pipeline.broker.services.versions import VersionChanges


def new_pacticipant_name(body: dict[str, Any]) -> str:
    """The name of a pacticipant to create (``POST /pacticipants``)."""
    checker = Checker(body)
    name = checker.string("name", required=True)
    checker.raise_if_any()
    assert name is not None
    return name


def pacticipant_attributes(body: dict[str, Any], *, partial: bool) -> dict[str, str | None]:
    checker = Checker(body)
    result: dict[str, str | None] = {}
    for key in PACTICIPANT_FIELDS:
        if key in body:
            if key == "repositoryUrl":
                # The column holds 1024 characters (a longer value reached the database).
                result[key] = checker.string(key, max_length=1024, blank_ok=True)
            else:
                result[key] = checker.string(key, blank_ok=key != "mainBranch")
        elif not partial:
            result[key] = None
    checker.raise_if_any()
    return result


def version_changes(body: dict[str, Any], *, replace: bool) -> VersionChanges:
    checker = Checker(body)
    build_url = checker.url("buildUrl")
    branch = checker.string("branch")
    tags: list[str] = []
    raw_tags = body.get("tags")
    if isinstance(raw_tags, list):
        for index, item in enumerate(raw_tags):
            name = item.get("name") if isinstance(item, dict) else item
            if not isinstance(name, str) or not name.strip():
                checker.add("tags", f"must be a non-blank tag name (at index {index})")
            elif check_text(
                checker,
                "tags",
                name,
                blank_ok=False,
                single_line=True,
                max_length=MAX_NAME_LENGTH,
                suffix=f" (at index {index})",
            ):
                tags.append(name)
    elif "tags" in body and body["tags"] is not None:
        checker.add("tags", "must be an array")
    checker.raise_if_any()
    return VersionChanges(build_url=build_url, branch=branch, tags=tuple(tags), replace=replace)
