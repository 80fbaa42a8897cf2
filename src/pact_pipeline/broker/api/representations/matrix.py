"""The matrix and can-i-deploy: rows of pacts and their verifications, and the summary."""

from __future__ import annotations

from pact_pipeline.broker import matrix as rules
from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, compact, iso, link
from pact_pipeline.broker.models import Version
from pact_pipeline.broker.services.matrix import MatrixResult, MatrixRowFacts


def _version_ref(
    links: Links, p_name: str, v: Version | None, loaded: MatrixRowFacts
) -> JSONDict | None:
    if v is None:
        return None
    branches = [bv.branch.name for bv in v.branch_versions]
    envs = [*loaded.deployed.get(v.id, []), *loaded.released.get(v.id, [])]
    return compact(
        {
            "number": v.number,
            "branch": branches[-1] if branches else None,
            "branches": [{"name": b, "latest": None} for b in branches] if branches else None,
            "branchVersions": [
                {
                    "name": bv.branch.name,
                    "latest": loaded.heads.get(bv.branch_id) == v.id,
                    "_links": {
                        "self": link(links.branch_version(p_name, bv.branch.name, v.number))
                    },
                }
                for bv in v.branch_versions
            ],
            "environments": [
                {
                    "uuid": e.uuid,
                    "name": e.name,
                    "displayName": e.display_name or e.name,
                    "production": e.production,
                    "createdAt": iso(e.created_at),
                    "_links": {"self": link(links.environment(e.uuid))},
                }
                for e in envs
            ],
            "tags": [
                {
                    "name": t.name,
                    "latest": None,
                    "_links": {"self": link(links.tag(p_name, v.number, t.name))},
                }
                for t in v.tags
            ],
            "_links": {
                "self": link(links.version(p_name, v.number), title="Version", name=v.number)
            },
        }
    )


def matrix(links: Links, result: MatrixResult, facts: MatrixRowFacts) -> JSONDict:
    status = result.status
    names = {r.publication.consumer_id: r.publication.consumer_name for r in status.rows} | {
        r.publication.provider_id: r.publication.provider_name for r in status.rows
    }
    rows = [_row(links, row, names, facts) for row in status.rows]
    summary: JSONDict = {
        "deployable": status.deployable,
        "reason": status.reason_text,
        "success": status.success,
        "failed": status.failed,
        "unknown": status.unknown,
    }
    if result.query.ignore:
        summary["ignored"] = status.ignored
    notices = [{"type": r.level, "text": r.text} for r in status.reasons]
    return {
        "summary": summary,
        "notices": notices,
        "reasons": [
            {"code": r.code.value, "text": r.text, "level": r.level} for r in status.reasons
        ],
        "matrix": rows,
        "_links": {"self": link(links.url("matrix"))},
    }


def _row(links: Links, row: rules.Row, names: dict[int, str], facts: MatrixRowFacts) -> JSONDict:
    publication = row.publication
    consumer = names[publication.consumer_id]
    provider = names[publication.provider_id]
    consumer_number = publication.consumer_version_number
    pact_created_at, sha = facts.publications[publication.id]
    provider_version = (
        facts.versions.get(row.verification.provider_version_id) if row.verification else None
    )
    verification_body = _verification(links, row, consumer, provider, sha, facts)
    line: JSONDict = {
        "consumer": {
            "name": consumer,
            "version": _version_ref(
                links, consumer, facts.versions[publication.consumer_version_id], facts
            ),
            "_links": {"self": link(links.pacticipant(consumer))},
        },
        "provider": {
            "name": provider,
            "version": _version_ref(links, provider, provider_version, facts),
            "_links": {"self": link(links.pacticipant(provider))},
        },
        "pact": {
            "createdAt": iso(pact_created_at),
            "_links": {"self": link(links.pact(provider, consumer, consumer_number))},
        },
        "verificationResult": verification_body,
        # PactFlow's field: which kind of testing the row's answer comes from.
        "verificationType": None if row.verification is None else row.verification.kind,
    }
    if row.ignored:
        line["ignored"] = True
    return line


def _verification(
    links: Links, row: rules.Row, consumer: str, provider: str, sha: str, facts: MatrixRowFacts
) -> JSONDict | None:
    verification = row.verification
    if verification is None:
        return None
    if verification.kind == "BDCT":
        href = links.cross_contract_results(
            provider,
            verification.provider_version_number,
            consumer,
            row.publication.consumer_version_number,
        )
        return {
            "success": verification.success,
            "verifiedAt": iso(facts.contracts.get(verification.id)),
            "_links": {"self": link(href, title="Cross contract verification results")},
        }
    success, verified_at, number = facts.verifications[verification.id]
    return {
        "success": success,
        "verifiedAt": iso(verified_at),
        "_links": {"self": link(links.verification(provider, consumer, sha, number))},
    }
