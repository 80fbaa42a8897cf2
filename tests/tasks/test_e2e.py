"""End to end: the whole pipeline through `invoke`, in a copy of this repository.

The copy (without .venv, .git, broker data and generated pacts) gets its own git history,
its own embedded broker on a free port and its own database, so these tests neither touch
the developer's checkout nor a running broker.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator

import pytest

from pact_pipeline.broker_client import BrokerClient
from pact_pipeline.stages.selection import for_verification_request, parse_selected
from tests.helpers import Project, git, whole_project

pytestmark = pytest.mark.e2e

#: The provider route the consumer's pact relies on; renaming it breaks the contract.
PRODUCT_NAME_FIELD = "    name: str\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with whole_project(tmp_path_factory.mktemp("e2e")) as copy:
        yield copy


def test_ci_publishes_verifies_and_deploys_both_sides(project: Project) -> None:
    result = project.invoke("ci")

    assert result.returncode == 0
    pact = json.loads((project.root / "pacts" / "FrontendWebsite-ProductService.json").read_text())
    assert len(pact["interactions"]) >= 6
    assert "Pipeline summary" in result.stdout
    for stage in ("test", "publish", "verify", "deploy ProductService to prod"):
        assert stage in result.stdout
    assert "published verification result (success)" in result.stdout
    assert f"FrontendWebsite {project.version()}: passed (" in result.stdout
    assert f"ProductService {project.version()} honours 1 of 1 pact(s)" in result.stdout
    assert f"recorded the deployment of FrontendWebsite {project.version()} to prod" in (
        result.stdout
    )
    assert "\x1b[" not in result.stdout + result.stderr, "no colour codes in a piped log"


def test_can_i_deploy_in_a_new_process_says_yes(project: Project) -> None:
    result = project.invoke("can-i-deploy", "--env", "prod")

    assert result.returncode == 0
    assert f"yes: ProductService {project.version()} can be deployed to prod" in result.stdout
    assert f"yes: FrontendWebsite {project.version()} can be deployed to prod" in result.stdout


def test_a_second_ci_run_is_green_too(project: Project) -> None:
    result = project.invoke("ci")

    assert result.returncode == 0
    assert "republished with no content changes" in result.stdout


def test_fake_ci_uses_a_unique_version(project: Project) -> None:
    result = project.invoke("fake-ci")

    assert result.returncode == 0
    assert f"version {project.version()}+" in result.stdout
    assert "(CI)" in result.stdout


def test_ci_on_a_feature_branch_checks_but_does_not_deploy(project: Project) -> None:
    result = project.invoke("ci", GIT_BRANCH="feature/login")

    assert result.returncode == 0
    assert "on branch feature/login" in result.stdout
    assert "Pacts selected for ProductService (branch feature/login)" in result.stdout
    assert "deploy ProductService to prod skipped: branch feature/login is not main" in (
        result.stdout
    )
    assert "recorded the deployment" not in result.stdout


def test_ci_webhook_verifies_the_pact_it_is_given(project: Project) -> None:
    with BrokerClient(project.url) as broker:
        request = for_verification_request(branch="main", wip_since="2024-01-01")
        (pact, *_) = parse_selected(broker.pacts_for_verification("ProductService", request))

    result = project.invoke("ci-webhook", PACT_URL=pact.url, CI="true")

    assert result.returncode == 0
    assert f"verifying the pact at {pact.url}" in result.stdout
    assert "published verification result (success)" in result.stdout


def test_a_failing_pending_pact_is_reported_by_pact_and_does_not_fail_verify(
    project: Project,
) -> None:
    """Two pacts of one consumer: main's (verified) and a feature branch's that expects an
    endpoint the provider lacks. The feature pact is pending: its failure is shown as such,
    the build stays green, and the verdict counts pacts, not the pending failure as a pass."""
    pact = json.loads((project.root / "pacts" / "FrontendWebsite-ProductService.json").read_text())
    pact["interactions"].append(
        {
            "type": "Synchronous/HTTP",
            "description": "get the reviews of product 10",
            "providerStates": [{"name": "product with ID 10 exists"}],
            "request": {"method": "GET", "path": "/products/10/reviews"},
            "response": {
                "status": 200,
                "body": {"content": [{"stars": 5}], "contentType": "application/json"},
            },
        }
    )
    with BrokerClient(project.url) as broker:
        broker.publish_contracts(
            {
                "pacticipantName": "FrontendWebsite",
                "pacticipantVersionNumber": "feat-reviews-1",
                "branch": "feat/reviews",
                "contracts": [
                    {
                        "consumerName": "FrontendWebsite",
                        "providerName": "ProductService",
                        "specification": "pact",
                        "contentType": "application/json",
                        "content": base64.b64encode(json.dumps(pact).encode()).decode(),
                    }
                ],
            }
        )

    result = project.invoke("verify")

    assert result.returncode == 0, "a pending pact's failure does not fail the build"
    version = project.version()
    # main's latest pact is the version an earlier test (fake-ci) published.
    assert re.search(r"FrontendWebsite \S+: passed \(6/6 interactions\)", result.stdout)
    assert (
        "FrontendWebsite feat-reviews-1 (pending): failed 1 of 7 interactions; pending, so it "
        "does not fail the build"
    ) in result.stdout
    assert (
        f"ProductService {version} honours 1 of 2 pact(s) (1 pending pact(s) failed: they do "
        "not fail the build)"
    ) in result.stdout
    row = r"FrontendWebsite feat-reviews-1\s+│ get the reviews of product 10"
    assert re.search(row, result.stdout), "each result row names its pact"


def test_a_breaking_provider_change_fails_verify_and_blocks_deploy(project: Project) -> None:
    models = project.root / "provider" / "models.py"
    source = models.read_text(encoding="utf-8")
    assert PRODUCT_NAME_FIELD in source, "the provider's Product model changed; update this test"
    renamed = source.replace(
        PRODUCT_NAME_FIELD, '    name: str = Field(serialization_alias="title")\n'
    ).replace("from pydantic import BaseModel,", "from pydantic import BaseModel, Field,")
    models.write_text(renamed, encoding="utf-8")
    git(project.root, "commit", "--quiet", "-am", "Rename the product's name field (breaking)")
    version = project.version()

    verified = project.invoke("verify", "--publish")

    assert verified.returncode == 1
    assert "Traceback" not in verified.stderr
    assert "missing the following keys: name" in verified.stdout, "the mismatch is shown"
    assert "published verification result (failure)" in verified.stdout
    assert "/_pact/state" not in verified.stderr, "the state callbacks' access log is quiet"
    assert verified.stderr.strip().startswith(f"error: verification of ProductService {version}")

    answer = project.invoke("can-i-deploy", "--env", "prod", "--pacticipant", "ProductService")

    assert answer.returncode == 1
    assert f"ProductService {version} failed to verify this pact" in answer.stdout
    assert answer.stderr.strip().startswith(
        f"error: can-i-deploy says no for ProductService {version} to prod: ProductService "
        f"{version} fails the pact of FrontendWebsite "
    )
