"""Publishing and reading pacts, and pacts for verification."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker import selection
from pact_pipeline.broker.api import decorators as d
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep, SettingsDep
from pact_pipeline.broker.api.http import PLAIN_JSON, RawPathRoute, hal
from pact_pipeline.broker.api.validation import (
    MAX_NAME_LENGTH,
    Checker,
    check_path_name,
    check_text,
    parse_bool,
    parse_date,
    parse_json_document,
)
from pact_pipeline.broker.content import pacticipant_name
from pact_pipeline.broker.errors import BrokerError, InvalidRequestError
from pact_pipeline.broker.models import Pacticipant, PactPublication
from pact_pipeline.broker.services import pacts as svc
from pact_pipeline.broker.services import verifications as vsvc

router = APIRouter(route_class=RawPathRoute, tags=["pacts"])


# --- publish ------------------------------------------------------------------------------------


def _contract(
    checker: Checker, index: int, item: Any, pacticipant: str | None, max_depth: int
) -> svc.Contract | None:
    where = f" (at index {index})"
    if not isinstance(item, dict):
        checker.add("contracts", f"must be an object{where}")
        return None
    consumer = item.get("consumerName")
    provider = item.get("providerName")
    ok = True
    for field, value in (("consumerName", consumer), ("providerName", provider)):
        if not isinstance(value, str) or not value.strip():
            checker.add(f"contracts.{field}", f"is missing{where}")
            ok = False
        elif (
            check_text(
                checker,
                f"contracts.{field}",
                value,
                blank_ok=False,
                single_line=True,
                max_length=MAX_NAME_LENGTH,
                suffix=where,
            )
            is None
        ):
            ok = False
    if isinstance(consumer, str) and pacticipant is not None and consumer != pacticipant:
        checker.add("contracts.consumerName", f"must match the pacticipantName{where}")
        ok = False
    if item.get("specification") != "pact":
        checker.add("contracts.specification", f"must be one of: pact{where}")
        ok = False
    if item.get("contentType") != "application/json":
        checker.add("contracts.contentType", f"must be one of: application/json{where}")
        ok = False
    mode = item.get("onConflict", item.get("writeMode", "overwrite"))
    if mode not in ("overwrite", "merge"):
        checker.add("contracts.onConflict", f"must be one of: overwrite, merge{where}")
        ok = False
    raw = item.get("content")
    content: dict[str, Any] | None = None
    if not isinstance(raw, str):
        checker.add("contracts.content", f"is missing{where}")
        ok = False
    else:
        content = _decode_content(checker, raw, where, max_depth)
        ok = ok and content is not None
    if content is not None:
        for role, expected in (("consumer", consumer), ("provider", provider)):
            actual = pacticipant_name(content, role)
            if isinstance(expected, str) and actual is not None and actual != expected:
                checker.add(
                    f"contracts.{role}Name",
                    f"The {role} name '{actual}' in the pact content does not match the "
                    f"{role}Name '{expected}'{where}",
                )
                ok = False
    if not ok or content is None:
        return None
    assert isinstance(consumer, str) and isinstance(provider, str)
    return svc.Contract(consumer, provider, content, "merge" if mode == "merge" else "overwrite")


def _decode_content(
    checker: Checker, raw: str, where: str, max_depth: int
) -> dict[str, Any] | None:
    """The pact inside a published contract, held to the rules of any JSON request body."""
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        checker.add("contracts.content", f"must be base64 encoded{where}")
        return None
    try:
        document = parse_json_document(decoded, field="contracts.content", max_depth=max_depth)
    except InvalidRequestError as exc:
        assert isinstance(exc.errors, dict)
        for message in exc.errors.get("contracts.content", []):
            checker.add("contracts.content", f"{message}{where}")
        return None
    except BrokerError:
        checker.add("contracts.content", f"must be valid JSON object encoded as base64{where}")
        return None
    if not isinstance(document, dict):
        checker.add("contracts.content", f"must be valid JSON object encoded as base64{where}")
        return None
    return document


@router.post("/contracts/publish")
def publish_contracts(
    request: Request, body: JsonObject, db: DB, links: LinksDep, settings: SettingsDep
) -> Response:
    checker = Checker(body)
    name = checker.string("pacticipantName", required=True)
    number = checker.string("pacticipantVersionNumber", required=True)
    branch = checker.string("branch")
    tags = checker.string_list("tags")
    build_url = checker.url("buildUrl")
    raw_contracts = body.get("contracts")
    contracts: list[svc.Contract] = []
    if not isinstance(raw_contracts, list) or not raw_contracts:
        checker.add(
            "contracts", "is missing" if raw_contracts is None else "must be a non-empty array"
        )
    else:
        for index, item in enumerate(raw_contracts):
            contract = _contract(checker, index, item, name, settings.max_json_depth)
            if contract is not None:
                contracts.append(contract)
    checker.raise_if_any()
    assert name is not None and number is not None
    command = svc.PublishCommand(name, number, tuple(contracts), branch, tuple(tags), build_url)
    result = svc.publish_contracts(
        db,
        command,
        lambda s, outcome: d.publish_result(links, outcome),
        allow_dangerous=settings.allow_dangerous_contract_modification,
        pact_url=lambda pub: links.pact(
            pub.provider.name, pub.consumer.name, pub.consumer_version.number
        ),
        on_published=request.app.state.hooks.bind(links).on_pact_published,
    )
    return hal(request, result, 200)


@router.get("/pacts/latest")
def latest_pacts(request: Request, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.all_latest_pacts(db, lambda s, pubs: d.latest_pacts(links, pubs)))


# --- pacts for verification ---------------------------------------------------------------------

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


def _selector(
    index: int, raw: Any, errors: list[str], provider_branch: str | None
) -> selection.Selector | None:
    at = f" (at index {index})"
    if not isinstance(raw, dict):
        errors.append(f"must be an object{at}")
        return None
    unknown = sorted(set(raw) - SELECTOR_KEYS)
    if unknown:
        errors.append(f"unknown key(s) {', '.join(unknown)}{at}")
    strings = {
        k: raw.get(k)
        for k in ("branch", "fallbackBranch", "tag", "fallbackTag", "consumer", "environment")
    }
    for key, value in strings.items():
        if value is not None and (not isinstance(value, str) or not value.strip()):
            errors.append(f"{key} must be a non-blank string{at}")
    booleans = {
        k: raw.get(k)
        for k in (
            "mainBranch",
            "matchingBranch",
            "latest",
            "deployed",
            "released",
            "deployedOrReleased",
        )
    }
    for key, value in booleans.items():
        if value is not None and not isinstance(value, bool):
            errors.append(f"{key} must be a boolean{at}")
    if len(errors):
        return None
    s = selection.Selector(
        main_branch=bool(raw.get("mainBranch")),
        branch=raw.get("branch"),
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
    if not (
        s.environment
        or s.tag
        or s.branch
        or s.main_branch
        or s.matching_branch
        or s.latest is True
        or s.deployed
        or s.released
        or s.deployed_or_released
    ):
        errors.append(
            "must specify a value for environment or tag or branch, or specify mainBranch=true, "
            "matchingBranch=true, latest=true, deployed=true, released=true or "
            f"deployedOrReleased=true{at}"
        )
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
    if s.tag and s.branch:
        errors.append(f"cannot specify both a tag and a branch{at}")
    if s.branch and s.latest is False:
        errors.append(f"cannot specify a branch with latest=false{at}")
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
    if sum(1 for flag in (s.deployed, s.released, s.deployed_or_released) if flag) > 1:
        errors.append(
            f"cannot specify more than one of deployed, released or deployedOrReleased{at}"
        )
    if s.consumer is not None and not s.consumer.strip():
        errors.append(f"consumer cannot be blank{at}")
    return None if errors else s


def _verification_query(body: dict[str, Any]) -> vsvc.VerificationQuery:
    checker = Checker(body)
    include_pending = checker.boolean("includePendingStatus")
    branch = body.get("providerVersionBranch")
    if branch is not None and not isinstance(branch, str):
        checker.add("providerVersionBranch", "must be a string")
        branch = None
    tags = checker.string_list("providerVersionTags")
    wip_since = None
    if body.get("includeWipPactsSince") is not None:
        try:
            wip_since = parse_date("includeWipPactsSince", body["includeWipPactsSince"])
        except InvalidRequestError as exc:
            assert isinstance(exc.errors, dict)
            for field, messages in exc.errors.items():
                for message in messages:
                    checker.add(field, message)
    if isinstance(branch, str) and branch != "" and not branch.strip():
        checker.add("providerVersionBranch", "cannot be blank")
    if branch == "" and not tags and (include_pending or wip_since is not None):
        checker.add(
            "providerVersionBranch",
            "when pending or WIP pacts are enabled and there are no tags provided, the provider "
            "version branch must not be an empty string, as it is used in the calculations for "
            "the pending and WIP pacts. Either set the branch to a non-blank value, or do not "
            "include the providerVersionBranch in the request.",
        )
    raw_selectors = body.get("consumerVersionSelectors", [])
    selectors: list[selection.Selector] = []
    if raw_selectors is None:
        raw_selectors = []
    if not isinstance(raw_selectors, list):
        checker.add("consumerVersionSelectors", "must be an array")
    else:
        for index, raw in enumerate(raw_selectors):
            errors: list[str] = []
            selector = _selector(index, raw, errors, branch or None)
            for message in errors:
                checker.add("consumerVersionSelectors", message)
            if selector is not None:
                selectors.append(selector)
    checker.raise_if_any()
    return vsvc.VerificationQuery(
        selectors=tuple(selectors),
        include_pending_status=bool(include_pending),
        include_wip_pacts_since=wip_since,
        provider_version_branch=branch or None,
        provider_version_tags=tuple(tags),
    )


@router.get("/pacts/provider/{provider}/for-verification")
def for_verification_link(request: Request, provider: str, db: DB, links: LinksDep) -> Response:
    """The verifier GETs this first, for the ``self`` link it then POSTs its selectors to."""
    vsvc.require_provider(db, provider)
    body = {
        "_links": {"self": d.link(links.for_verification(provider), title="Pacts to be verified")}
    }
    return hal(request, body, default_media_type=PLAIN_JSON)


@router.post("/pacts/provider/{provider}/for-verification")
def for_verification(
    request: Request, provider: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    query = _verification_query(body)
    rendered = vsvc.pacts_for_verification(
        db, provider, query, lambda s, r: d.for_verification(s, links, r)
    )
    return hal(request, rendered, default_media_type=PLAIN_JSON)


# --- provider pact lists ------------------------------------------------------------------------


def _pact_list(
    request: Request,
    db: DB,
    links: LinksDep,
    provider: str,
    title: str,
    *,
    newest_per_consumer: bool = False,
    tag: str | None = None,
    branch: str | None = None,
    main_branch: bool = False,
) -> Response:
    """A provider's pacts filtered by consumer version, as a list of links.

    ``newest_per_consumer`` without a branch filter asks for each consumer's newest pact (with
    ``tag``, the newest with that tag); otherwise every matching pact, or with a branch filter
    and ``newest_per_consumer`` the newest of each consumer on that branch.
    """

    def present(_s: Any, found: Pacticipant, pubs: Sequence[PactPublication]) -> dict[str, Any]:
        return d.provider_pacts(links, found, pubs, str(request.url), title)

    if newest_per_consumer and branch is None and not main_branch:
        body = svc.latest_provider_pacts(db, provider, present, tag=tag)
    else:
        body = svc.provider_pacts(
            db,
            provider,
            present,
            tag=tag,
            branch=branch,
            main_branch=main_branch,
            latest=newest_per_consumer,
        )
    return hal(request, body)


@router.get("/pacts/provider/{provider}/latest")
def latest_provider_pacts(request: Request, provider: str, db: DB, links: LinksDep) -> Response:
    title = f"Latest pact versions for the provider {provider}"
    return _pact_list(request, db, links, provider, title, newest_per_consumer=True)


@router.get("/pacts/provider/{provider}/latest/{tag}")
def latest_provider_pacts_with_tag(
    request: Request, provider: str, tag: str, db: DB, links: LinksDep
) -> Response:
    title = f"Latest pact versions for the provider {provider} with consumer version tag '{tag}'"
    return _pact_list(request, db, links, provider, title, newest_per_consumer=True, tag=tag)


@router.get("/pacts/provider/{provider}")
def provider_pacts(request: Request, provider: str, db: DB, links: LinksDep) -> Response:
    title = f"All pact versions for the provider {provider}"
    return _pact_list(request, db, links, provider, title)


@router.get("/pacts/provider/{provider}/tag/{tag}")
def provider_pacts_with_tag(
    request: Request, provider: str, tag: str, db: DB, links: LinksDep
) -> Response:
    title = f"All pact versions for the provider {provider} with consumer version tag '{tag}'"
    return _pact_list(request, db, links, provider, title, tag=tag)


@router.get("/pacts/provider/{provider}/branch")
def provider_pacts_main_branch(
    request: Request, provider: str, db: DB, links: LinksDep
) -> Response:
    title = "Pacts from the consumers' main branches"
    return _pact_list(request, db, links, provider, title, main_branch=True)


@router.get("/pacts/provider/{provider}/branch/latest")
def latest_provider_pacts_main_branch(
    request: Request, provider: str, db: DB, links: LinksDep
) -> Response:
    title = "Latest pacts from the consumers' main branches"
    return _pact_list(
        request, db, links, provider, title, main_branch=True, newest_per_consumer=True
    )


@router.get("/pacts/provider/{provider}/branch/{branch}")
def provider_pacts_branch(
    request: Request, provider: str, branch: str, db: DB, links: LinksDep
) -> Response:
    title = f"Pacts from consumer branch {branch}"
    return _pact_list(request, db, links, provider, title, branch=branch)


@router.get("/pacts/provider/{provider}/branch/{branch}/latest")
def latest_provider_pacts_branch(
    request: Request, provider: str, branch: str, db: DB, links: LinksDep
) -> Response:
    title = f"Latest pacts from consumer branch {branch}"
    return _pact_list(request, db, links, provider, title, branch=branch, newest_per_consumer=True)


# --- one integration ----------------------------------------------------------------------------


def _pact_response(request: Request, body: dict[str, Any], status: int = 200) -> Response:
    return hal(request, body, status, {"X-Pact-Consumer-Version": _consumer_version_of(body)})


def _consumer_version_of(body: dict[str, Any]) -> str:
    href = body.get("_links", {}).get("pb:consumer-version", {}).get("name", "")
    return str(href)


def _read_pact_body(body: dict[str, Any]) -> dict[str, Any]:
    return body


@router.get("/pacts/provider/{provider}/consumer/{consumer}/version/{number}")
def get_pact(
    request: Request, provider: str, consumer: str, number: str, db: DB, links: LinksDep
) -> Response:
    return _pact_response(
        request,
        svc.get_pact_for_version(
            db, consumer, provider, number, lambda s, pub: d.pact(s, links, pub)
        ),
    )


def _store(
    request: Request,
    provider: str,
    consumer: str,
    number: str,
    body: dict[str, Any],
    db: DB,
    links: LinksDep,
    settings: SettingsDep,
    *,
    merge: bool,
) -> Response:
    for field, value in (("provider", provider), ("consumer", consumer), ("version", number)):
        check_path_name(field, value)
    created, rendered = svc.put_pact(
        db,
        consumer_name=consumer,
        provider_name=provider,
        version_number=number,
        content=body,
        merge=merge,
        allow_dangerous=settings.allow_dangerous_contract_modification,
        present=lambda s, stored: (stored.created, d.pact(s, links, stored.publication)),
        on_published=request.app.state.hooks.bind(links).on_pact_published,
    )
    return _pact_response(request, rendered, 201 if created else 200)


@router.put("/pacts/provider/{provider}/consumer/{consumer}/version/{number}")
def put_pact(
    request: Request,
    provider: str,
    consumer: str,
    number: str,
    body: JsonObject,
    db: DB,
    links: LinksDep,
    settings: SettingsDep,
) -> Response:
    return _store(request, provider, consumer, number, body, db, links, settings, merge=False)


@router.patch("/pacts/provider/{provider}/consumer/{consumer}/version/{number}")
def patch_pact(
    request: Request,
    provider: str,
    consumer: str,
    number: str,
    body: JsonObject,
    db: DB,
    links: LinksDep,
    settings: SettingsDep,
) -> Response:
    return _store(request, provider, consumer, number, body, db, links, settings, merge=True)


@router.delete("/pacts/provider/{provider}/consumer/{consumer}/version/{number}")
def delete_pact(
    request: Request, provider: str, consumer: str, number: str, db: DB, links: LinksDep
) -> Response:
    svc.delete_pact_for_version(db, consumer, provider, number)
    return hal(
        request,
        {
            "_links": {
                "index": d.link(links.base + "/"),
                "pb:latest-pact-version": d.link(links.latest_pact(provider, consumer)),
            }
        },
    )


@router.get("/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}")
def get_pact_version(
    request: Request, provider: str, consumer: str, sha: str, db: DB, links: LinksDep
) -> Response:
    return _pact_response(
        request,
        svc.get_pact_version(
            db,
            consumer,
            provider,
            sha,
            lambda s, pub: d.pact(
                s, links, pub, self_href=links.pact_version(provider, consumer, sha)
            ),
        ),
    )


@router.get("/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{metadata}")
def get_pact_version_with_metadata(
    request: Request, provider: str, consumer: str, sha: str, metadata: str, db: DB, links: LinksDep
) -> Response:
    return _pact_response(
        request,
        svc.get_pact_version(
            db,
            consumer,
            provider,
            sha,
            lambda s, pub: d.pact(
                s,
                links,
                pub,
                metadata=metadata,
                self_href=links.pact_version(provider, consumer, sha, metadata),
            ),
        ),
    )


@router.get("/pacts/provider/{provider}/consumer/{consumer}/latest")
# The integration's stable, version-less URL serves the same newest pact.
@router.get("/pacts/provider/{provider}/consumer/{consumer}")
def latest_pact(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    return _pact_response(
        request, svc.get_latest_pact(db, consumer, provider, lambda s, pub: d.pact(s, links, pub))
    )


@router.get("/pacts/provider/{provider}/consumer/{consumer}/latest-untagged")
def latest_untagged_pact(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    return _pact_response(
        request,
        svc.get_latest_pact(
            db, consumer, provider, lambda s, pub: d.pact(s, links, pub), untagged=True
        ),
    )


@router.get("/pacts/provider/{provider}/consumer/{consumer}/latest/{tag}")
def latest_tagged_pact(
    request: Request, provider: str, consumer: str, tag: str, db: DB, links: LinksDep
) -> Response:
    return _pact_response(
        request,
        svc.get_latest_pact(db, consumer, provider, lambda s, pub: d.pact(s, links, pub), tag=tag),
    )


@router.get("/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}/latest")
def latest_branch_pact(
    request: Request, provider: str, consumer: str, branch: str, db: DB, links: LinksDep
) -> Response:
    return _pact_response(
        request,
        svc.get_latest_pact(
            db, consumer, provider, lambda s, pub: d.pact(s, links, pub), branch=branch
        ),
    )


def _truthy(value: str | None) -> bool:
    return bool(parse_bool("flag", value))
