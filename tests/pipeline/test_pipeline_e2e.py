"""End to end: the whole pipeline through `invoke`, in a copy of this repository.

The copy (without .venv, .git, broker data and generated pacts) gets its own git history,
its own embedded broker on a free port and its own database, so these tests neither touch
the developer's checkout nor a running broker.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.broker_client import BrokerClient
from pipeline.verify import for_verification_request, parse_selected
from tests.pipeline.pipeline_helpers import (
    REPOSITORY,
    copy_repository,
    free_port,
    git,
    invoke_environment,
    run_invoke,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        importlib.util.find_spec("broker.__main__") is None
        or importlib.util.find_spec("provider.verification") is None,
        reason="the broker or the provider is not built yet",
    ),
]

#: Top-level entries of the repository that are never copied.
NOT_COPIED = {".venv", ".git", ".pact-broker", ".mypy_cache", ".ruff_cache", ".pytest_cache"}

#: The provider route the consumer's pact relies on; renaming it breaks the contract.
PRODUCT_NAME_FIELD = "    name: str\n"


class Project:
    """A copy of the repository and the environment to run `invoke` in it."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.url = f"http://127.0.0.1:{port}"
        self.environment = invoke_environment(
            PACT_PIPELINE_BROKER_PORT=str(port),
            PACT_PIPELINE_CAN_I_DEPLOY_RETRIES="0",
            PACT_PIPELINE_BROKER_START_TIMEOUT="60",
            COLUMNS="200",
        )

    def invoke(self, *arguments: str, **extra: str) -> subprocess.CompletedProcess[str]:
        result = run_invoke(
            self.root, *arguments, environment={**self.environment, **extra}, timeout=240
        )
        # Shown by pytest when a test fails, which is when it is needed.
        print(f"$ invoke {' '.join(arguments)}  → {result.returncode}")
        print(result.stdout[-6000:])
        print(result.stderr[-3000:])
        return result

    def version(self) -> str:
        return git(self.root, "rev-parse", "--short", "HEAD")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    names = tuple(
        sorted(entry.name for entry in REPOSITORY.iterdir() if entry.name not in NOT_COPIED)
    )
    root = copy_repository(tmp_path_factory.mktemp("e2e") / "repo", names)
    copy = Project(root, free_port())
    try:
        yield copy
    finally:
        copy.invoke("broker-stop")


def test_ci_publishes_verifies_and_deploys_both_sides(project: Project) -> None:
    result = project.invoke("ci")

    assert result.returncode == 0
    pact = json.loads((project.root / "pacts" / "FrontendWebsite-ProductService.json").read_text())
    assert len(pact["interactions"]) >= 6
    assert "Pipeline summary" in result.stdout
    for stage in ("test", "publish", "verify", "deploy ProductService to prod"):
        assert stage in result.stdout
    assert "published verification result (success)" in result.stdout
    assert f"recorded the deployment of FrontendWebsite {project.version()} to prod" in (
        result.stdout
    )


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
        f"error: can-i-deploy says no for ProductService {version} to prod: fix the failing "
        "verification at http"
    )
