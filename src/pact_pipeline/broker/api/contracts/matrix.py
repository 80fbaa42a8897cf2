"""The matrix's query string (``q[][pacticipant]=…``, ``latestby``, ``ignore[]`` …) and
can-i-deploy's, parsed the way Rack parses nested queries, into a :class:`MatrixQuery`."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import parse_qsl

from pact_pipeline.broker import matrix as rules
from pact_pipeline.broker.api.contracts.checks import parse_bool
from pact_pipeline.broker.errors import InvalidRequestError
from pact_pipeline.broker.services.matrix import MatrixQuery, SelectorInput

# Rows a matrix query may ask for; also keeps the number inside the database's integer range.
MAX_LIMIT = 1_000_000
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


# Keys of a selector, in the order values are handed out when the order of a query was lost.
DISTRIBUTION_ORDER = ("version", "latest", "branch", "tag", "mainBranch", "environment")
NARROWING_KEYS = ("latest", "branch", "tag", "mainBranch", "environment")


def _compatible(selector: dict[str, str], key: str) -> bool:
    if key in selector:
        return False
    if key == "version":
        return not any(k in selector for k in NARROWING_KEYS)
    if "version" in selector:
        return False
    if key in ("tag", "branch") and ({"tag", "branch"} & selector.keys()):
        return False
    return not (key == "environment" and "latest" in selector)


def _grouped_by_key(query: str, name: str) -> list[tuple[str, str]] | None:
    """The ``name[][key]`` pairs of a query if its keys are sorted (so the order the client
    wrote its selectors in was lost, e.g. by a proxy or a pact file that sorts parameters)."""
    prefix = f"{name}[]["
    pairs = [
        (k[len(prefix) : -1], v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if k.startswith(prefix) and k.endswith("]")
    ]
    keys = [k for k, _ in pairs]
    if keys.count("pacticipant") < 2 or len(set(keys)) < 2 or keys != sorted(keys):
        return None
    return pairs


def _contradictory(selectors: list[Any]) -> bool:
    return any(
        not isinstance(s, dict)
        or "pacticipant" not in s
        or ("version" in s and any(k in s for k in NARROWING_KEYS))
        for s in selectors
    )


def repair_sorted_selectors(query: str, name: str, parsed: list[Any]) -> list[Any]:
    """Rebuild selectors from a query whose parameters were sorted by key.

    Real clients write each selector's pacticipant first, then its attributes. When the
    parameters arrive sorted by key instead, Rack's order-based grouping attaches attributes to
    the wrong selector: an attribute comes before any pacticipant, or the grouping gives
    contradictory selectors (a version without a pacticipant, or with ``latest``). Then the
    values are dealt out column by column: each goes to the first selector, in pacticipant
    order, that it can belong to.
    """
    pairs = _grouped_by_key(query, name)
    if pairs is None:
        return parsed
    attribute_first = pairs[0][0] != "pacticipant"
    if not attribute_first and not _contradictory(parsed):
        return parsed
    selectors: list[dict[str, str]] = [{"pacticipant": v} for k, v in pairs if k == "pacticipant"]
    for key in DISTRIBUTION_ORDER:
        for value in (v for k, v in pairs if k == key):
            target = next((s for s in selectors if _compatible(s, key)), None)
            if target is None:
                return parsed
            target[key] = value
    return [dict(s) for s in selectors]


def _selector(raw: Any, field: str) -> SelectorInput:
    if not isinstance(raw, dict):
        raise InvalidRequestError([f"{field} must be a list of selectors"])
    unknown = sorted(set(raw) - set(SELECTOR_FIELDS))
    if unknown:
        raise InvalidRequestError([f"Unknown {field} selector key(s): {', '.join(unknown)}"])

    def string(key: str) -> str | None:
        value = raw.get(key)
        return value if isinstance(value, str) and value != "" else None

    return SelectorInput(
        pacticipant=string("pacticipant"),
        version=string("version"),
        latest=bool(parse_bool(f"{field}[][latest]", raw.get("latest"))),
        tag=string("tag"),
        branch=string("branch"),
        main_branch=bool(parse_bool(f"{field}[][mainBranch]", raw.get("mainBranch"))),
        environment=string("environment"),
    )


def _selectors(params: dict[str, Any], name: str, query: str) -> tuple[SelectorInput, ...]:
    raw = params.get(name, [])
    if not isinstance(raw, list):
        raise InvalidRequestError([f"{name} must be given as {name}[][pacticipant]=..."])
    return tuple(_selector(item, name) for item in repair_sorted_selectors(query, name, raw))


def _success(params: dict[str, Any]) -> tuple[bool | None, ...]:
    raw = params.get("success", [])
    values = raw if isinstance(raw, list) else [raw]
    return tuple(parse_bool("success[]", v) if v != "" else None for v in values)


def parse_matrix_query(query: str) -> MatrixQuery:
    params = parse_nested_query(query)
    latest_by = params.get("latestby") or None
    if latest_by not in (None, "cvpv", "cvp", "cp"):
        raise InvalidRequestError([f"latestby must be one of cvpv, cvp or cp, got {latest_by!r}"])
    limit_raw = params.get("limit", "100")
    try:
        limit = int(limit_raw)
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError([f"limit must be an integer, got {limit_raw!r}"]) from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequestError([f"limit must be from 1 to {MAX_LIMIT}, got {limit}"])
    return MatrixQuery(
        selectors=_selectors(params, "q", query),
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
        ignore=_selectors(params, "ignore", query),
        success=_success(params),
        limit=limit,
    )


def _ignores(params: dict[str, Any]) -> tuple[SelectorInput, ...]:
    raw = params.get("ignore", [])
    result: list[SelectorInput] = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, str):
            result.append(SelectorInput(pacticipant=item))
        else:
            result.append(_selector(item, "ignore"))
    return tuple(result)


def can_i_deploy_query(query: str) -> MatrixQuery:
    """``/can-i-deploy?pacticipant=P&version=V&environment=E`` (or ``to=TAG``) as the matrix
    query it stands for."""
    params = parse_nested_query(query)
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
    selector = SelectorInput(pacticipant=str(pacticipant), version=str(version))
    return MatrixQuery(
        selectors=(selector,),
        latest_by="cvpv" if environment else "cvp",
        latest=bool(to),
        tag=str(to) if to else None,
        environment=str(environment) if environment else None,
        ignore=_ignores(params),
    )
