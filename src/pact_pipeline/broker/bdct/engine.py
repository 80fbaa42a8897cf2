"""Comparing a pact with a provider contract: every HTTP interaction, in PactFlow's order.

Per interaction: the route (method and path; path parameters must fit their schemas), then
security, request headers, query and request body, then the response's status, headers and
body. An unknown route stops there. Nothing here raises for any pact mapping: what cannot
be read becomes a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pact_pipeline.broker.bdct.bodies import check_request_body, check_response_body
from pact_pipeline.broker.bdct.contract import ProviderContract
from pact_pipeline.broker.bdct.findings import Comparison, Finding
from pact_pipeline.broker.bdct.headers import check_request_headers, check_response_headers
from pact_pipeline.broker.bdct.pacts import Interaction, Unreadable, interactions
from pact_pipeline.broker.bdct.parameters import check_query, check_security, path_values_fit
from pact_pipeline.broker.bdct.report import Report
from pact_pipeline.broker.bdct.validation import View

#: Bump when a rule changes: stored comparisons made by another version are stale.
ENGINE_VERSION = "2"


def compare(contract: ProviderContract, pact: Mapping[str, Any]) -> Comparison:
    """Every HTTP interaction of a V1-V4 pact (V4: only type 'Synchronous/HTTP'; messages
    skipped) checked against the contract."""
    if contract.problem is not None:
        return Comparison((_invalid_spec(contract.problem),))
    if not isinstance(pact, Mapping):
        return Comparison((_unreadable(Unreadable(-1, "", "[none]", "the pact is not an object")),))
    found = interactions(pact)
    if isinstance(found, str):
        return Comparison((_unreadable(Unreadable(-1, "", "[none]", found)),))
    findings: list[Finding] = []
    for interaction in found:
        if isinstance(interaction, Unreadable):
            findings.append(_unreadable(interaction))
        else:
            findings += _checked(contract, interaction)
    return Comparison(tuple(findings))


def _checked(contract: ProviderContract, interaction: Interaction) -> list[Finding]:
    try:
        return _interaction(contract, interaction)
    except Exception as failure:  # one odd interaction must not hide the others
        reason = f"the comparator could not check it ({type(failure).__name__}: {failure})"
        return [
            _unreadable(
                Unreadable(interaction.index, interaction.description, interaction.state, reason)
            )
        ]


def _interaction(contract: ProviderContract, interaction: Interaction) -> list[Finding]:
    requests, responses = contract.requests, contract.responses
    assert requests is not None and responses is not None
    match = next(
        (
            m
            for m in contract.router.candidates(interaction.method, interaction.path)
            if path_values_fit(requests, m.operation, m.values)
        ),
        None,
    )
    if match is None:
        return [_unknown_path(interaction)]
    report = Report(interaction, match.operation)
    check_security(report, contract.presence_only_authorization)
    body_comparable = check_request_headers(report, requests)
    check_query(report, requests)
    if body_comparable:
        check_request_body(report, requests)
    _response(report, responses)
    return report.findings


def _response(report: Report, view: View) -> None:
    interaction, operation = report.interaction, report.operation
    response = operation.response_for(interaction.status)
    if response is None:
        report.add(
            "error",
            "response.status.unknown",
            f"Response status code not defined in spec file: {interaction.status}",
            "response.status",
            f"{operation.spec_location}.responses",
            interaction.status,
        )
        return
    if response.key == "default":
        report.add(
            "warning",
            "response.status.default",
            f"Response status code matched default response in spec file: {interaction.status}",
            "response.status",
            f"{operation.spec_location}.responses",
            interaction.status,
        )
    if check_response_headers(report, view, response):
        check_response_body(report, view, response)


def _unknown_path(interaction: Interaction) -> Finding:
    return Finding(
        code="request.path-or-method.unknown",
        message=f"Path or method not defined in spec file: {interaction.method} {interaction.path}",
        type="error",
        interaction=interaction.description,
        interaction_state=interaction.state,
        mock_location=f"[root].interactions[{interaction.index}].request.path",
        spec_location="[root].paths",
        path_name=None,
        path_method=None,
        value=interaction.path,
    )


def _unreadable(problem: Unreadable) -> Finding:
    where = f"[root].interactions[{problem.index}]" if problem.index >= 0 else "[root]"
    return Finding(
        code="pact.interaction.invalid",
        message=f"Interaction cannot be compared: {problem.reason}",
        type="error",
        interaction=problem.description,
        interaction_state=problem.state,
        mock_location=where,
        spec_location=None,
        path_name=None,
        path_method=None,
        value=None,
    )


def _invalid_spec(problem: str) -> Finding:
    return Finding(
        code="spec.invalid",
        message=f"The provider contract is not a valid OpenAPI document: {problem}",
        type="error",
        interaction="",
        interaction_state="[none]",
        mock_location="[root]",
        spec_location="[root]",
        path_name=None,
        path_method=None,
        value=None,
    )
