"""The publish-provider-contract stage: the provider's OpenAPI document as its contract.

Bi-directional contract testing (PactFlow's name): instead of (or as well as) running every
consumer's pact, the provider publishes its OpenAPI document with the result of testing its
implementation against it ("self-verification"), and the broker compares each consumer pact
with the document: can-i-deploy says yes when every interaction the consumer relies on is one
the document has, and the self-verification passed.

1. The document comes from `pipeline.provider.openapi`: the app's `.openapi()` or a file
   ([`pact_pipeline.openapi_document`][]).
2. The provider is served through its adapter, as for verification, and schemathesis tests it
   against the document ([`pact_pipeline.self_verification`][]).
3. `POST pf:publish-provider-contract` (PactFlow's relation, also this project's broker's) with
   the version and branch `publish` and `verify` use, the tags and build URL, the document and
   the self-verification's report, both base64-encoded; the broker's notices are printed.

A failed self-verification is still published (the broker records it, and can-i-deploy then
says no for this version), and the stage fails after publishing.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from pact_pipeline.errors import BrokerRequestError, ConfigurationError, PipelineError, StageFailed
from pact_pipeline.openapi_document import load_document
from pact_pipeline.self_verification import VERIFIER, self_verify
from pact_pipeline.stages.publish import print_notices
from pact_pipeline.verifier import load_adapter

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pact_pipeline.broker_client import BrokerClient
    from pact_pipeline.git import Revision
    from pact_pipeline.hal import JsonObject
    from pact_pipeline.openapi_document import ProviderDocument
    from pact_pipeline.output import Output
    from pact_pipeline.self_verification import SelfVerification
    from pact_pipeline.settings import ProviderSettings, Settings

_CONFLICT = 409

#: Lines of a failed self-verification's report shown in the log (all of it is published).
_SHOWN_REPORT_LINES = 60


def provider_contract_request(
    document: ProviderDocument,
    verification: SelfVerification,
    *,
    version: str,
    branch: str,
    tags: Sequence[str] = (),
    build_url: str | None = None,
) -> JsonObject:
    """The body of `POST pf:publish-provider-contract`, as PactFlow's clients send it.

    Args:
        document:
            The OpenAPI document.

        verification:
            Its self-verification.

        version:
            The provider version number.

        branch:
            The provider's branch.

        tags:
            Extra version tags.

        build_url:
            The CI build that published it.

    Returns:
        The request body.
    """
    body: JsonObject = {
        "pacticipantVersionNumber": version,
        "branch": branch,
        "tags": list(tags),
        "contract": {
            "content": base64.b64encode(document.content).decode("ascii"),
            "contentType": document.content_type,
            "specification": "oas",
            "selfVerificationResults": {
                "success": verification.success,
                "content": base64.b64encode(verification.report.encode("utf-8")).decode("ascii"),
                "contentType": "text/plain",
                "format": "text",
                "verifier": VERIFIER,
                "verifierVersion": verification.verifier_version,
            },
        },
    }
    if build_url:
        body["buildUrl"] = build_url
    return body


def require_document(provider: ProviderSettings) -> str:
    """The provider's `openapi` setting, for a task that needs it.

    Raises:
        ConfigurationError:
            If it is not set.
    """
    if provider.openapi is None:
        msg = (
            f"publish-provider-contract needs {provider.name}'s OpenAPI document: set "
            "pipeline.provider.openapi (module:attribute of the app, e.g. provider.app:app, "
            "or a JSON or YAML file) in invoke.yaml"
        )
        raise ConfigurationError(msg)
    return provider.openapi


def publish_provider_contract(
    settings: Settings,
    broker: BrokerClient,
    revision: Revision,
    out: Output,
    *,
    tags: Sequence[str] = (),
) -> SelfVerification:
    """Self-verify the provider against its OpenAPI document and publish both.

    Args:
        settings:
            The settings (the provider, its adapter and document, examples, build URL).

        broker:
            The broker client.

        revision:
            The provider version and branch.

        out:
            Where to print.

        tags:
            Extra tags for the provider version.

    Returns:
        The self-verification (successful: a failed one raises after publishing).

    Raises:
        PipelineError:
            If the document cannot be read, the broker does not support provider contracts,
            the provider cannot be served, or the broker refuses; `StageFailed` after
            publishing when the self-verification failed.
    """
    provider = settings.require_provider("publish-provider-contract")
    document = load_document(require_document(provider), settings.root)
    out.info(
        f"OpenAPI document of {provider.name}: {document.title}, {document.operations} "
        f"operation(s), from {document.source} ({document.content_type})"
    )
    # Before the self-verification: an OSS Pact Broker is a one-line error, not a wait.
    url = broker.provider_contract_href(provider.name)
    verification = _self_verify(settings, provider, document, out)
    body = provider_contract_request(
        document,
        verification,
        version=revision.version,
        branch=revision.branch,
        tags=tags,
        build_url=settings.build_url,
    )
    outcome = "passed" if verification.success else "failed"
    out.info(
        f"publishing {provider.name} {revision.version} (branch {revision.branch}) provider "
        f"contract with its self-verification ({outcome})"
    )
    try:
        answer = broker.publish_provider_contract(url, body)
    except BrokerRequestError as error:
        if error.status == _CONFLICT:
            msg = (
                f"{error} — the OpenAPI document changed but version {revision.version} did "
                "not: commit the change (a new version), or run `invoke fake-ci` for a unique one"
            )
            raise StageFailed(msg) from None
        raise
    print_notices(answer, out)
    if not verification.success:
        msg = (
            f"the self-verification of {provider.name} {revision.version} failed "
            f"({verification.summary}); it was published as failed, so can-i-deploy says no "
            f"for this version: fix the app or its OpenAPI document (schemathesis' report is "
            "above)"
        )
        raise StageFailed(msg)
    out.success(
        f"{provider.name} {revision.version} published its provider contract, self-verified "
        f"({verification.summary})"
    )
    return verification


def _self_verify(
    settings: Settings, provider: ProviderSettings, document: ProviderDocument, out: Output
) -> SelfVerification:
    """Serve the provider through its adapter and test it against the document."""
    adapter = load_adapter(provider.adapter)
    examples = settings.self_verification_examples
    try:
        with adapter() as served:
            out.info(
                f"self-verification: schemathesis tests {provider.name} at {served.base_url} "
                f"against the document ({examples} examples per operation, every check)"
            )
            verification = self_verify(
                document,
                served.base_url,
                headers=served.headers,
                examples=examples,
                root=settings.root,
            )
    except RuntimeError as error:
        # serve_app raises RuntimeError when the app cannot start.
        msg = f"cannot serve {provider.name} for its self-verification: {error}"
        raise PipelineError(msg) from None
    cases = f"{verification.test_cases}; " if verification.test_cases else ""
    line = (
        f"schemathesis {verification.verifier_version}: {cases}{verification.summary} "
        f"({verification.seconds:.1f}s)"
    )
    if verification.success:
        out.success(f"self-verification passed — {line}")
        return verification
    out.error(f"self-verification failed — {line}")
    for report_line in _failures(verification.report):
        out.info(report_line)
    out.info(f"ran: {verification.command}")
    return verification


def _failures(report: str) -> list[str]:
    """The report from its FAILURES (or ERRORS) section on, at most so many lines."""
    lines = report.rstrip().splitlines()
    start = next(
        (i for i, line in enumerate(lines) if " FAILURES " in line or " ERRORS " in line), 0
    )
    shown = lines[start : start + _SHOWN_REPORT_LINES]
    if len(lines) - start > _SHOWN_REPORT_LINES:
        shown.append(f"… ({len(lines) - start - _SHOWN_REPORT_LINES} more lines, all published)")
    return shown
