"""``GET /metrics`` as JSON, with the field names of the Pact Broker's ``Metrics::Service``."""

from __future__ import annotations

from pact_pipeline.broker.api.representations.hal import JSONDict, iso
from pact_pipeline.broker.services.metrics import BrokerCounts, DependencyStatus

#: The Ruby broker hard-codes the matrix count: counting it "has no real meaning".
MATRIX_COUNT = -1


def metrics(snapshot: BrokerCounts) -> JSONDict:
    c = snapshot.counts
    interactions = snapshot.interactions
    return {
        "interactions": {
            "latestInteractionsCount": interactions.interactions,
            "latestMessagesCount": interactions.messages,
            "latestInteractionsAndMessagesCount": interactions.interactions + interactions.messages,
        },
        "pacticipants": {
            "count": c["pacticipants"],
            "withMainBranchSetCount": c["pacticipants_with_main_branch"],
        },
        "integrations": {"count": c["integrations"]},
        "pactPublications": {
            "count": c["pact_publications"],
            "first": iso(snapshot.pact_publications_first),
            "last": iso(snapshot.pact_publications_last),
        },
        "pactVersions": {"count": c["pact_versions"]},
        "pactRevisionsPerConsumerVersion": {
            "distribution": _distribution(snapshot.revisions_per_consumer_version)
        },
        "verificationResults": _verifications(snapshot),
        "verificationResultsPerPactVersion": {
            "distribution": _distribution(snapshot.verifications_per_pact_version)
        },
        "pacticipantVersions": {
            "count": c["versions"],
            # Every branch is user-created here (the broker creates none of its own).
            "withUserCreatedBranchCount": c["versions_with_branch"],
            "withBranchCount": c["versions_with_branch"],
            "withBranchSetCount": c["versions_with_branch"],
        },
        "webhooks": {"count": c["webhooks"]},
        "tags": {
            "count": c["tags"],
            "distinctCount": c["tags_distinct"],
            "distinctWithPacticipantCount": c["tags_distinct_with_pacticipant"],
        },
        "triggeredWebhooks": {"count": c["triggered_webhooks"]},
        "webhookExecutions": {"count": c["webhook_executions"]},
        "matrix": {"count": MATRIX_COUNT},
        "environments": {"count": c["environments"]},
        "deployedVersions": {
            "count": c["deployed_versions"],
            # Every deployment is recorded by a user here (none are inferred from tags).
            "userCreatedCount": c["deployed_versions"],
            "currentlyDeployedCount": c["deployed_versions_current"],
        },
        "releasedVersions": {
            "count": c["released_versions"],
            "currentlySupportedCount": c["released_versions_current"],
        },
    }


def _verifications(snapshot: BrokerCounts) -> JSONDict:
    c = snapshot.counts
    return {
        "count": c["verifications"],
        "successCount": c["verifications_success"],
        "failureCount": c["verifications_failure"],
        "distinctCount": c["verifications_distinct"],
        "first": iso(snapshot.verifications_first),
        "last": iso(snapshot.verifications_last),
    }


def _distribution(counts: dict[int, int]) -> JSONDict:
    """JSON object keys are strings: ``{"1": 10, "2": 3}``, as Ruby's ``to_json`` writes."""
    return {str(size): count for size, count in sorted(counts.items())}


def dependencies(status: DependencyStatus, self_href: str) -> JSONDict:
    """The dependency check: ``ok`` at the top, and the Ruby broker's ``database`` report."""
    database: JSONDict = {"ok": status.ok}
    body: JSONDict = {"ok": status.ok}
    if status.error is not None:
        database["error"] = {"message": status.error}
        body["error"] = status.error
    body["database"] = database
    body["_links"] = {"self": {"href": self_href}}
    return body
