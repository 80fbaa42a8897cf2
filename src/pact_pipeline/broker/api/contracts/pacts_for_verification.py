"""The body of a pacts-for-verification request: consumer version selectors, pending and WIP
options, and the provider version's branch and tags (``reference/broker-api.md`` §5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pact_pipeline.broker import selection
from pact_pipeline.broker.api.contracts.checks import Checker, parse_date
from pact_pipeline.broker.errors import InvalidRequestError
from pact_pipeline.broker.services.pacts_for_verification import VerificationQuery

SELECTOR_KEYS = {
    "mainBranch",
    "branch",
    "matchingBranch",
    "fallbackBranch",
    "tag",
    "fallbackTag",
    "latest",
    "consumer",
    "deployed",
    "released",
    "deployedOrReleased",
    "environment",
}
_STRING_KEYS = ("branch", "fallbackBranch", "tag", "fallbackTag", "consumer", "environment")
_BOOLEAN_KEYS = (
    "mainBranch",
    "matchingBranch",
    "latest",
    "deployed",
    "released",
    "deployedOrReleased",
)
_EMPTY_BRANCH = (
    "when pending or WIP pacts are enabled and there are no tags provided, the provider "
    "version branch must not be an empty string, as it is used in the calculations for "
    "the pending and WIP pacts. Either set the branch to a non-blank value, or do not "
    "include the providerVersionBranch in the request."
)


def verification_query(body: dict[str, Any]) -> VerificationQuery:
    """The request's query, or ``InvalidRequestError`` with every problem of the body."""
    checker = Checker(body)
    include_pending = checker.boolean("includePendingStatus")
    branch = body.get("providerVersionBranch")
    if branch is not None and not isinstance(branch, str):
        checker.add("providerVersionBranch", "must be a string")
        branch = None
    tags = checker.string_list("providerVersionTags")
    wip_since = _wip_since(checker, body)
    if isinstance(branch, str) and branch != "" and not branch.strip():
        checker.add("providerVersionBranch", "cannot be blank")
    if branch == "" and not tags and (include_pending or wip_since is not None):
        checker.add("providerVersionBranch", _EMPTY_BRANCH)
    selectors = _selectors(checker, body.get("consumerVersionSelectors", []), branch or None)
    checker.raise_if_any()
    return VerificationQuery(
        selectors=tuple(selectors),
        include_pending_status=bool(include_pending),
        include_wip_pacts_since=wip_since,
        provider_version_branch=branch or None,
        provider_version_tags=tuple(tags),
    )


def _wip_since(checker: Checker, body: dict[str, Any]) -> datetime | None:
    if body.get("includeWipPactsSince") is None:
        return None
    try:
        return parse_date("includeWipPactsSince", body["includeWipPactsSince"])
    except InvalidRequestError as exc:
        assert isinstance(exc.errors, dict)
        for field, messages in exc.errors.items():
            for message in messages:
                checker.add(field, message)
    return None


def _selectors(
    checker: Checker, raw_selectors: Any, provider_branch: str | None
) -> list[selection.Selector]:
    selectors: list[selection.Selector] = []
    if raw_selectors is None:
        raw_selectors = []
    if not isinstance(raw_selectors, list):
        checker.add("consumerVersionSelectors", "must be an array")
        return selectors
    for index, raw in enumerate(raw_selectors):
        selector, errors = parse_selector(index, raw, provider_branch)
        for message in errors:
            checker.add("consumerVersionSelectors", message)
        if selector is not None:
            selectors.append(selector)
    return selectors


def parse_selector(
    index: int, raw: Any, provider_branch: str | None
) -> tuple[selection.Selector | None, list[str]]:
    """One consumer version selector, or the reasons it is not one (each ending "(at index
    N)")."""
    at = f" (at index {index})"
    if not isinstance(raw, dict):
        return None, [f"must be an object{at}"]
    errors = _shape_errors(raw, at)
    if errors:
        return None, errors
    s = _selector_of(raw)
    errors = [
        *_criteria_errors(s, at),
        *_main_and_matching_branch_errors(s, provider_branch, at),
        *_branch_and_tag_errors(s, at),
        *_environment_and_consumer_errors(s, at),
    ]
    return (None if errors else s), errors


def _shape_errors(raw: dict[str, Any], at: str) -> list[str]:
    """Unknown keys, and values of the wrong type."""
    errors: list[str] = []
    unknown = sorted(set(raw) - SELECTOR_KEYS)
    if unknown:
        errors.append(f"unknown key(s) {', '.join(unknown)}{at}")
    for key in _STRING_KEYS:
        value = raw.get(key)
        if key == "branch" and value is True:
            continue  # {"branch": true}: the latest of every branch
        if value is not None and (not isinstance(value, str) or not value.strip()):
            errors.append(f"{key} must be a non-blank string{at}")
    for key in _BOOLEAN_KEYS:
        value = raw.get(key)
        if value is not None and not isinstance(value, bool):
            errors.append(f"{key} must be a boolean{at}")
    return errors


def _selector_of(raw: dict[str, Any]) -> selection.Selector:
    return selection.Selector(
        main_branch=bool(raw.get("mainBranch")),
        branch=raw.get("branch") if isinstance(raw.get("branch"), str) else None,
        each_branch=raw.get("branch") is True,
        matching_branch=bool(raw.get("matchingBranch")),
        fallback_branch=raw.get("fallbackBranch"),
        tag=raw.get("tag"),
        fallback_tag=raw.get("fallbackTag"),
        latest=raw.get("latest"),
        consumer=raw.get("consumer"),
        deployed=raw.get("deployed") is True,
        released=raw.get("released") is True,
        deployed_or_released=raw.get("deployedOrReleased") is True,
        environment=raw.get("environment"),
    )


def _criteria_errors(s: selection.Selector, at: str) -> list[str]:
    """A selector must pick versions somehow: by environment, tag, branch or latest."""
    if (
        s.environment
        or s.tag
        or s.branch
        or s.each_branch
        or s.main_branch
        or s.matching_branch
        or s.latest is True
        or s.deployed
        or s.released
        or s.deployed_or_released
    ):
        return []
    return [
        "must specify a value for environment or tag or branch, or specify branch=true, "
        "mainBranch=true, "
        "matchingBranch=true, latest=true, deployed=true, released=true or "
        f"deployedOrReleased=true{at}"
    ]


def _main_and_matching_branch_errors(
    s: selection.Selector, provider_branch: str | None, at: str
) -> list[str]:
    errors: list[str] = []
    if s.each_branch and (
        s.tag or s.main_branch or s.matching_branch or s.fallback_tag or s.fallback_branch
    ):
        errors.append(f"cannot specify branch=true with any other criteria apart from consumer{at}")
    if s.each_branch and s.latest is False:
        errors.append(f"cannot specify branch=true with latest=false{at}")
    if s.main_branch and (
        s.tag or s.branch or s.matching_branch or s.fallback_tag or s.fallback_branch
    ):
        errors.append(
            f"cannot specify mainBranch=true with any other criteria apart from consumer{at}"
        )
    if s.main_branch and s.latest is False:
        errors.append(f"cannot specify mainBranch=true with latest=false{at}")
    if s.matching_branch and (s.tag or s.branch or s.main_branch or s.fallback_tag):
        errors.append(
            f"cannot specify matchingBranch=true with any other criteria apart from consumer{at}"
        )
    if s.matching_branch and not provider_branch:
        errors.append(
            "the providerVersionBranch must be specified when the selector matchingBranch=true "
            f"is used{at}"
        )
    return errors


def _branch_and_tag_errors(s: selection.Selector, at: str) -> list[str]:
    errors: list[str] = []
    if s.tag and s.branch:
        errors.append(f"cannot specify both a tag and a branch{at}")
    if s.branch and s.latest is False:
        errors.append(f"cannot specify a branch with latest=false{at}")
    branchish = (
        s.latest is not None
        or s.tag
        or s.fallback_tag
        or s.branch
        or s.fallback_branch
        or s.matching_branch
        or s.main_branch
    )
    envish = s.environment or s.deployed or s.released or s.deployed_or_released
    if branchish and envish:
        errors.append(
            f"cannot specify a branch or tag criteria together with environment criteria{at}"
        )
    if s.fallback_tag and not (s.tag and s.latest):
        errors.append(f"fallbackTag can only be set if tag is set and latest=true{at}")
    if s.fallback_branch and (not s.branch or s.latest is False):
        errors.append(
            f"fallbackBranch can only be set if branch is set and latest is not false{at}"
        )
    return errors


def _environment_and_consumer_errors(s: selection.Selector, at: str) -> list[str]:
    errors: list[str] = []
    if sum(1 for flag in (s.deployed, s.released, s.deployed_or_released) if flag) > 1:
        errors.append(
            f"cannot specify more than one of deployed, released or deployedOrReleased{at}"
        )
    if s.consumer is not None and not s.consumer.strip():
        errors.append(f"consumer cannot be blank{at}")
    return errors
