"""The body of a verification result."""

from __future__ import annotations

from typing import Any

from pact_pipeline.broker.api.contracts.checks import Checker
from pact_pipeline.broker.services.verifications import VerificationCommand


def verification_command(body: dict[str, Any]) -> VerificationCommand:
    checker = Checker(body)
    success = checker.boolean("success", required=True)
    version = checker.string("providerApplicationVersion", required=True)
    build_url = checker.url("buildUrl")
    test_results = body.get("testResults")
    if test_results is not None and not isinstance(test_results, list | dict):
        checker.add("testResults", "must be an array")
    verified_by = body.get("verifiedBy")
    if verified_by is not None and not isinstance(verified_by, dict):
        checker.add("verifiedBy", "must be an object")
    checker.raise_if_any()
    assert success is not None and version is not None
    return VerificationCommand(success, version, build_url, test_results, verified_by)
