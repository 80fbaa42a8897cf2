"""Bi-directional contract testing through `invoke`, in a copy of this repository.

The copy's provider is switched to `contract_testing: openapi`: it never runs the consumer's
pact; it publishes its FastAPI app's OpenAPI document, self-verified by schemathesis, and the
embedded broker compares the pact with it. Every printed command must work as printed, a
breaking change to the document must be refused by can-i-deploy naming the field, and the
webhook's build must not verify anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.helpers import Project, git, whole_project

pytestmark = pytest.mark.e2e

COMMAND = re.compile(r"run `(invoke [^`]+)`")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with whole_project(tmp_path_factory.mktemp("bdct")) as copy:
        config = copy.root / "invoke.yaml"
        text = config.read_text()
        assert "contract_testing: pacts" in text
        config.write_text(text.replace("contract_testing: pacts", "contract_testing: openapi"))
        git(copy.root, "commit", "--quiet", "--all", "-m", "Test the provider bi-directionally")
        yield copy


def test_an_openapi_provider_is_told_to_publish_its_contract_and_that_works(
    project: Project,
) -> None:
    asked = project.invoke("can-i-deploy", "--pacticipant", "ProductService")
    assert asked.returncode == 1
    assert COMMAND.findall(asked.stdout) == ["invoke publish-provider-contract"]

    published = project.invoke("publish-provider-contract", "--tag", "bdct")

    assert published.returncode == 0
    assert "self-verification passed — schemathesis" in published.stdout
    assert f"Published provider contract for ProductService version {project.version()}" in (
        published.stdout
    )
    again = project.invoke("can-i-deploy", "--pacticipant", "ProductService")
    assert again.returncode == 0
    assert f"yes: ProductService {project.version()} can be deployed to prod" in again.stdout


def test_ci_publishes_the_contract_instead_of_verifying_and_deploys_both(
    project: Project,
) -> None:
    result = project.invoke("ci")

    assert result.returncode == 0
    assert "▶ publish provider contract" in result.stdout
    assert "▶ verify" not in result.stdout, "an openapi provider runs no pact"
    assert "⏭ verify skipped: ProductService runs no pacts (contract_testing: openapi)" in (
        result.stdout
    )
    assert "The contract is compatible with the pact for FrontendWebsite" in result.stdout
    assert re.search(r"│ oas +│ fits ProductService \w+'s OpenAPI \(self-verified\)", result.stdout)
    assert f"recorded the deployment of FrontendWebsite {project.version()} to prod" in (
        result.stdout
    )


def test_the_webhook_build_of_an_openapi_provider_verifies_nothing(project: Project) -> None:
    result = project.invoke("ci-webhook", "--pact-url", "http://127.0.0.1:9/pacts/1", "--publish")

    assert result.returncode == 0
    assert "verify (webhook) skipped: ProductService does not run pacts" in result.stdout


def test_a_breaking_change_to_the_document_is_refused_naming_the_field(project: Project) -> None:
    models = project.root / "provider" / "models.py"
    models.write_text(models.read_text().replace("    name: str\n", "", 1))
    git(project.root, "commit", "--quiet", "--all", "-m", "Products lose their name")
    assert project.invoke("publish-provider-contract").returncode == 0

    answer = project.invoke("can-i-deploy", "--pacticipant", "ProductService")

    assert answer.returncode == 1
    said = " ".join(answer.stdout.split())
    assert f"no: ProductService {project.version()} cannot be deployed to prod" in said
    assert "The cross contract verification between the pact for the version of " in said
    assert "must NOT have additional properties - name" in said
    assert "run `" not in said, "no command here changes an incompatible pair"
