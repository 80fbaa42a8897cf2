"""Provider contracts (bi-directional contract testing): the outcome of publishing one, the
contract read back, and a pact's cross-contract verification results against it, in the
shapes PactFlow serves and its clients read."""

from __future__ import annotations

from pact_pipeline.broker import bdct
from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, compact, iso, link
from pact_pipeline.broker.services.provider_contracts import (
    ContractView,
    CrossContractView,
    ProviderContractCommand,
    PublishedContract,
)

#: Who compared, as the results' ``verifier`` (PactFlow names its engine there).
VERIFIER = "pact-pipeline-bdct"


def published(links: Links, outcome: PublishedContract) -> JSONDict:
    """``POST …/publish``'s answer: notices (which the CLIs print), the version, and links."""
    version = outcome.version
    name = outcome.provider.name
    notices = [{"type": level, "text": text} for level, text in publish_notices(links, outcome)]
    version_link = link(links.version(name, version.number), title="Version", name=version.number)
    relations: JSONDict = {
        "pb:pacticipant": link(links.pacticipant(name), title="Pacticipant", name=name),
        "pb:pacticipant-version": link(
            links.version(name, version.number), title="Pacticipant version", name=version.number
        ),
        "pb:pacticipant-version-tags": [
            link(links.tag(name, version.number, t.name), title="Tag", name=t.name)
            for t in version.tags
        ],
        "pf:provider-contract": link(
            links.provider_contract(name, version.number), title="Provider contract"
        ),
        "pf:ui": link(links.provider_contract(name, version.number)),
    }
    if outcome.command.branch:
        relations["pb:branch-version"] = link(
            links.branch_version(name, outcome.command.branch, version.number),
            title="Branch version",
            name=outcome.command.branch,
        )
    return {
        "notices": notices,
        "_embedded": {
            "pacticipant": {"name": name, "_links": {"self": link(links.pacticipant(name))}},
            "version": {"number": version.number, "_links": {"self": version_link}},
        },
        "_links": relations,
    }


def put_result(links: Links, outcome: PublishedContract) -> JSONDict:
    """The older ``PUT``'s answer: where to see the contract."""
    name, number = outcome.provider.name, outcome.version.number
    return {
        "notices": [{"type": t, "text": x} for t, x in publish_notices(links, outcome)],
        "_links": {
            "self": link(links.provider_contract(name, number)),
            "pf:provider-contract": link(links.provider_contract(name, number)),
            "pf:ui": link(links.provider_contract(name, number)),
        },
    }


def publish_notices(links: Links, outcome: PublishedContract) -> list[tuple[str, str]]:
    """What happened, then what it means for each consumer the contract was compared with."""
    command = outcome.command
    name, number = outcome.provider.name, outcome.version.number
    notices: list[tuple[str, str]] = []
    if outcome.created_version:
        notices.append(("info", f"Created {name} version {number}{_labels(command)}"))
    elif command.branch or command.tags:
        notices.append(("info", f"Updated {name} version {number}{_labels(command)}"))
    verb = "Republished" if outcome.republished else "Published"
    notices.append(
        (
            "success",
            f"{verb} provider contract for {name} version {number} "
            f"({command.specification}, {command.content_type})",
        )
    )
    success = outcome.publication.self_verification_success
    if success is None:
        notices.append(
            (
                "warning",
                "No self-verification results were published: can-i-deploy counts this "
                "contract only once the provider's own tests against it pass",
            )
        )
    elif not success:
        notices.append(
            (
                "warning",
                "The provider's self-verification against this contract failed: can-i-deploy "
                "will not deploy with it",
            )
        )
    for compared in outcome.compared:
        who = f"the pact for {compared.consumer_name} version {compared.consumer_version_number}"
        if compared.comparison.success:
            notices.append(("success", f"The contract is compatible with {who}"))
        else:
            notices.append(
                (
                    "error",
                    f"The contract is incompatible with {who}: {compared.comparison.summary()}",
                )
            )
    notices.append(("info", f"View the contract at {links.provider_contract(name, number)}"))
    return notices


def _labels(command: ProviderContractCommand) -> str:
    parts = []
    if command.branch:
        parts.append(f"branch {command.branch}")
    if command.tags:
        parts.append(("tag " if len(command.tags) == 1 else "tags ") + ", ".join(command.tags))
    return f" with {' and '.join(parts)}" if parts else ""


def _self_verification(view: ContractView) -> JSONDict:
    publication = view.publication
    return compact(
        {"success": publication.self_verification_success, **(publication.self_verification or {})}
    )


def provider_contract(links: Links, view: ContractView) -> JSONDict:
    """The contract of a provider version, with its self-verification."""
    name, number = view.provider.name, view.version.number
    contract = view.publication.contract_version
    return {
        "content": contract.content,
        "contentType": contract.content_type,
        "specification": contract.specification,
        "sha": contract.sha,
        "createdAt": iso(view.publication.created_at),
        "selfVerificationResults": _self_verification(view),
        "buildUrl": view.publication.build_url,
        "_links": {
            "self": link(links.provider_contract(name, number), title="Provider contract"),
            "pb:pacticipant": link(links.pacticipant(name), title="Pacticipant", name=name),
            "pb:pacticipant-version": link(
                links.version(name, number), title="Pacticipant version", name=number
            ),
        },
    }


def cross_contract_results(links: Links, view: CrossContractView) -> JSONDict:
    """A consumer version's pact compared with a provider version's contract (PactFlow's
    ``cross-contract-verification-results``)."""
    contract = view.contract
    provider, provider_number = contract.provider.name, contract.version.number
    consumer, consumer_number = view.consumer.name, view.consumer_version.number
    comparison = view.comparison
    compared: JSONDict = {
        "success": comparison.success,
        "results": bdct.comparison_to_json(comparison),
        "verifier": VERIFIER,
        "verifierVersion": bdct.ENGINE_VERSION,
    }
    if not comparison.success:
        compared["failureReason"] = (
            f'Mock file "pact" is not compatible with spec file "oas": {comparison.summary()}'
        )
    return {
        "summary": {"success": view.success},
        "crossContractVerificationResults": compared,
        "providerContractVerificationResults": _self_verification(contract),
        "_links": {
            "self": link(
                links.cross_contract_results(provider, provider_number, consumer, consumer_number),
                title="Cross contract and provider contract verification results",
            ),
            "pf:provider-contract": link(links.provider_contract(provider, provider_number)),
            "pb:pact-version": link(
                links.pact_version(provider, consumer, view.pact_sha), title="Pact"
            ),
        },
    }
