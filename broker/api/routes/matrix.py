"""``GET /matrix`` and ``GET /can-i-deploy``."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response

from broker import matrix as rules
from broker.api import decorators as d
from broker.api.deps import DB, LinksDep
from broker.api.http import RawPathRoute, hal
from broker.api.validation import parse_bool
from broker.errors import InvalidRequestError
from broker.services import matrix as svc

router = APIRouter(route_class=RawPathRoute, tags=["matrix"])

SELECTOR_FIELDS = ("pacticipant", "version", "latest", "tag", "branch", "mainBranch", "environment")


def parse_nested_query(query: str) -> dict[str, Any]:
    """Rack's ``parse_nested_query`` for the shapes the matrix uses.

    ``q[][key]=v`` adds ``key`` to the last hash of ``q`` unless that hash already has it, in
    which case a new hash starts; ``x[]=v`` appends to a list; ``x=v`` sets a scalar.
    """
    result: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.endswith("[]") and "[][" not in key:
            result.setdefault(key[:-2], []).append(value)
        elif "[][" in key and key.endswith("]"):
            name, _, field = key.partition("[][")
            field = field[:-1]
            hashes = result.setdefault(name, [])
            if not isinstance(hashes, list):
                hashes = result[name] = []
            if hashes and isinstance(hashes[-1], dict) and field not in hashes[-1]:
                hashes[-1][field] = value
            else:
                hashes.append({field: value})
        else:
            result[key] = value
    return result


def _selector(raw: Any, field: str) -> svc.SelectorInput:
    if not isinstance(raw, dict):
        raise InvalidRequestError([f"{field} must be a list of selectors"])
    unknown = sorted(set(raw) - set(SELECTOR_FIELDS))
    if unknown:
        raise InvalidRequestError([f"Unknown {field} selector key(s): {', '.join(unknown)}"])

    def text(key: str) -> str | None:
        value = raw.get(key)
        return value if isinstance(value, str) and value != "" else None

    return svc.SelectorInput(
        pacticipant=text("pacticipant"),
        version=text("version"),
        latest=bool(parse_bool(f"{field}[][latest]", raw.get("latest"))),
        tag=text("tag"),
        branch=text("branch"),
        main_branch=bool(parse_bool(f"{field}[][mainBranch]", raw.get("mainBranch"))),
        environment=text("environment"),
    )


def _selectors(params: dict[str, Any], name: str) -> tuple[svc.SelectorInput, ...]:
    raw = params.get(name, [])
    if not isinstance(raw, list):
        raise InvalidRequestError([f"{name} must be given as {name}[][pacticipant]=..."])
    return tuple(_selector(item, name) for item in raw)


def _success(params: dict[str, Any]) -> tuple[bool | None, ...]:
    raw = params.get("success", [])
    values = raw if isinstance(raw, list) else [raw]
    return tuple(parse_bool("success[]", v) if v != "" else None for v in values)


def parse_matrix_query(query: str) -> svc.MatrixQuery:
    params = parse_nested_query(query)
    latest_by = params.get("latestby") or None
    if latest_by not in (None, "cvpv", "cvp", "cp"):
        raise InvalidRequestError([f"latestby must be one of cvpv, cvp or cp, got {latest_by!r}"])
    limit_raw = params.get("limit", "100")
    try:
        limit = int(limit_raw)
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError([f"limit must be an integer, got {limit_raw!r}"]) from exc
    return svc.MatrixQuery(
        selectors=_selectors(params, "q"),
        latest_by=cast(rules.LatestBy | None, latest_by),
        latest=bool(
            parse_bool(
                "latest", params.get("latest") if isinstance(params.get("latest"), str) else None
            )
        ),
        tag=params.get("tag") or None,
        environment=params.get("environment") or None,
        main_branch=bool(
            parse_bool(
                "mainBranch",
                params.get("mainBranch") if isinstance(params.get("mainBranch"), str) else None,
            )
        ),
        ignore=_selectors(params, "ignore"),
        success=_success(params),
        limit=limit,
    )


@router.get("/matrix")
def get_matrix(request: Request, db: DB, links: LinksDep) -> Response:
    query = parse_matrix_query(request.url.query)
    return hal(request, svc.matrix_query(db, query, lambda s, result: d.matrix(s, links, result)))


def _ignores(params: dict[str, Any]) -> tuple[svc.SelectorInput, ...]:
    raw = params.get("ignore", [])
    result: list[svc.SelectorInput] = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, str):
            result.append(svc.SelectorInput(pacticipant=item))
        else:
            result.append(_selector(item, "ignore"))
    return tuple(result)


@router.get("/can-i-deploy")
def can_i_deploy(request: Request, db: DB, links: LinksDep) -> Response:
    params = parse_nested_query(request.url.query)
    errors: list[str] = []
    pacticipant, version = params.get("pacticipant"), params.get("version")
    to, environment = params.get("to"), params.get("environment")
    if not pacticipant:
        errors.append("pacticipant is missing")
    if not version:
        errors.append("version is missing")
    if bool(to) == bool(environment):
        errors.append("Please specify either environment or to, but not both")
    if errors:
        raise InvalidRequestError(errors)
    selector = svc.SelectorInput(pacticipant=str(pacticipant), version=str(version))
    query = svc.MatrixQuery(
        selectors=(selector,),
        latest_by="cvpv" if environment else "cvp",
        latest=bool(to),
        tag=str(to) if to else None,
        environment=str(environment) if environment else None,
        ignore=_ignores(params),
    )
    return hal(request, svc.matrix_query(db, query, lambda s, result: d.matrix(s, links, result)))
