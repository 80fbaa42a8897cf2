"""Settings: declared once, read from Invoke's config and the environment, checked, documented."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pact_pipeline.errors import ConfigurationError
from pact_pipeline.settings import (
    BrokerAuth,
    ConsumerSettings,
    ProviderSettings,
    load_settings,
    settings_table,
)
from tests.helpers import REPOSITORY

ROOT = Path("/repo")

PROVIDER = {"name": "ProductService", "adapter": "provider.verification:served_for_verification"}
EXAMPLE = {
    "consumer": {"name": "FrontendWebsite", "tests": ["tests/consumer"]},
    "provider": PROVIDER,
}


def test_defaults() -> None:
    settings = load_settings({}, {}, root=ROOT)

    assert settings.pacticipants == ()
    assert settings.broker_url is None
    assert settings.auth == BrokerAuth()
    assert settings.ci is False
    assert settings.pacts_dir == ROOT / "pacts"
    assert settings.broker_dir == ROOT / ".pact-broker"
    assert settings.environments == ("test", "prod")
    assert settings.environment == "prod"
    assert settings.main_branch == "main"
    assert settings.wip_since == date(2024, 1, 1)


def test_pacticipants_are_declared_in_the_config_provider_first() -> None:
    settings = load_settings(EXAMPLE, {}, root=ROOT)

    assert settings.pacticipants == ("ProductService", "FrontendWebsite")
    assert settings.consumer == ConsumerSettings(name="FrontendWebsite", tests=("tests/consumer",))
    assert settings.provider == ProviderSettings(
        name="ProductService", adapter="provider.verification:served_for_verification"
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"provider": {"name": "Api"}}, "pipeline.provider.adapter: field required"),
        ({"consumer": {"name": ""}}, "pipeline.consumer.name: string should have at least 1"),
        ({"consumer": {"name": "Web", "test": []}}, "pipeline.consumer.test: extra inputs are"),
        ({"bogus": 1}, "pipeline.bogus: extra inputs are not permitted, got 1"),
        (
            {"provider": {**PROVIDER, "contract_testing": "oas"}},
            "pipeline.provider.contract_testing: input should be 'pacts', 'openapi' or 'both', "
            "got 'oas'",
        ),
        (
            {"provider": {**PROVIDER, "contract_testing": "both"}},
            "pipeline.provider: contract_testing both needs the OpenAPI document: set "
            "pipeline.provider.openapi",
        ),
    ],
)
def test_a_declaration_that_cannot_work_is_named(config: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_settings(config, {}, root=ROOT)

    assert str(raised.value).startswith(message)


def test_a_provider_runs_pacts_unless_told_to_publish_its_openapi() -> None:
    default = load_settings(EXAMPLE, {}, root=ROOT).provider
    assert default is not None
    assert default.contract_testing == "pacts"
    assert (default.verifies_pacts, default.publishes_provider_contract) == (True, False)

    for mode, verifies, publishes in (("openapi", False, True), ("both", True, True)):
        config = {"provider": {**PROVIDER, "contract_testing": mode, "openapi": "a:b"}}
        provider = load_settings(config, {}, root=ROOT).provider
        assert provider is not None
        assert (provider.verifies_pacts, provider.publishes_provider_contract) == (
            verifies,
            publishes,
        )
        assert provider.openapi == "a:b"


def test_self_verification_examples_come_from_the_environment_too() -> None:
    assert load_settings({}, {}, root=ROOT).self_verification_examples == 20
    environ = {"PACT_PIPELINE_SELF_VERIFICATION_EXAMPLES": "5"}
    assert load_settings({}, environ, root=ROOT).self_verification_examples == 5
    with pytest.raises(ConfigurationError) as raised:
        load_settings({}, {"PACT_PIPELINE_SELF_VERIFICATION_EXAMPLES": "0"}, root=ROOT)
    assert str(raised.value).startswith("PACT_PIPELINE_SELF_VERIFICATION_EXAMPLES: input should")


def test_a_task_that_needs_a_side_this_repository_lacks_says_so() -> None:
    provider_only = load_settings({"provider": EXAMPLE["provider"]}, {}, root=ROOT)

    with pytest.raises(ConfigurationError, match="publish needs a consumer: declare"):
        provider_only.require_consumer("publish")
    assert provider_only.require_provider("verify").name == "ProductService"


def test_standard_pact_and_ci_variables_are_read() -> None:
    settings = load_settings(
        {},
        {
            "PACT_BROKER_BASE_URL": "https://broker.example",
            "PACT_BROKER_USERNAME": "user",
            "PACT_BROKER_PASSWORD": "secret",
            "CI": "true",
            "GIT_COMMIT": "abc123",
            "GIT_BRANCH": "feature/x",
            "BUILD_URL": "https://ci.example/42",
            "PACT_URL": "https://broker.example/pacts/1",
        },
        root=ROOT,
    )

    assert settings.broker_url == "https://broker.example"
    assert settings.auth == BrokerAuth(username="user", password="secret")
    assert settings.ci is True
    assert (settings.commit_override, settings.branch_override) == ("abc123", "feature/x")
    assert settings.build_url == "https://ci.example/42"
    assert settings.pact_url == "https://broker.example/pacts/1"


def test_environment_wins_over_invoke_config_which_wins_over_defaults() -> None:
    config = {"broker_port": 1111, "can_i_deploy_retries": 7, "wip_since": "2023-03-03"}

    from_config = load_settings(config, {}, root=ROOT)
    from_env = load_settings(
        config,
        {"PACT_PIPELINE_BROKER_PORT": "2222", "PACT_PIPELINE_CAN_I_DEPLOY_RETRIES": "0"},
        root=ROOT,
    )

    assert (from_config.broker_port, from_config.can_i_deploy_retries) == (1111, 7)
    assert from_config.wip_since == date(2023, 3, 3)
    assert (from_env.broker_port, from_env.can_i_deploy_retries) == (2222, 0)
    assert load_settings({}, {}, root=ROOT).broker_port == 9292


def test_settings_built_directly_read_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACT_PIPELINE_BROKER_PORT", "2222")
    monkeypatch.setenv("CI", "true")

    settings = load_settings({}, {}, root=ROOT)

    assert (settings.broker_port, settings.ci) == (9292, False)


def test_empty_variables_count_as_unset() -> None:
    settings = load_settings(
        {}, {"PACT_BROKER_BASE_URL": "  ", "CI": "", "GIT_COMMIT": ""}, root=ROOT
    )

    assert settings.broker_url is None
    assert settings.ci is False
    assert settings.commit_override is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("true", True, id="true"),
        pytest.param("1", True, id="one"),
        pytest.param("TRUE", True, id="upper"),
        pytest.param("false", False, id="false"),
        pytest.param("0", False, id="zero"),
    ],
)
def test_ci_flag(value: str, expected: bool) -> None:
    assert load_settings({}, {"CI": value}, root=ROOT).ci is expected


def test_environment_list_from_config_or_comma_separated_variable() -> None:
    assert load_settings({"environments": ["qa"]}, {}, root=ROOT).environments == ("qa",)
    assert load_settings(
        {}, {"PACT_PIPELINE_ENVIRONMENTS": "dev, staging ,prod"}, root=ROOT
    ).environments == ("dev", "staging", "prod")


def test_relative_directories_resolve_against_the_root_and_absolute_ones_stay(
    tmp_path: Path,
) -> None:
    settings = load_settings(
        {"pacts_dir": "out/pacts"}, {"PACT_PIPELINE_BROKER_DIR": str(tmp_path)}, root=ROOT
    )

    assert settings.pacts_dir == ROOT / "out" / "pacts"
    assert settings.broker_dir == tmp_path


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"PACT_PIPELINE_BROKER_PORT": "ninety"},
            "PACT_PIPELINE_BROKER_PORT: input should be a valid integer",
        ),
        (
            {"PACT_PIPELINE_BROKER_PORT": "0"},
            "PACT_PIPELINE_BROKER_PORT: input should be greater than or equal to 1, got '0'",
        ),
        (
            {"PACT_BROKER_BASE_URL": "127.0.0.1:9292"},
            "PACT_BROKER_BASE_URL: must start with http:// or https://, got '127.0.0.1:9292'",
        ),
        (
            {"PACT_PIPELINE_WIP_SINCE": "last week"},
            "PACT_PIPELINE_WIP_SINCE: input should be a valid date",
        ),
        (
            {"PACT_PIPELINE_CAN_I_DEPLOY_RETRIES": "-1"},
            "PACT_PIPELINE_CAN_I_DEPLOY_RETRIES: input should be greater than or equal to 0",
        ),
        (
            {"PACT_PIPELINE_BROKER_DIR": str(REPOSITORY / "README.md")},
            "PACT_PIPELINE_BROKER_DIR: must be a directory for the embedded broker's data",
        ),
    ],
)
def test_a_value_that_cannot_work_is_named_with_its_variable(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_settings({}, environ, root=ROOT)

    assert str(raised.value).startswith(message)


def test_github_actions_give_a_build_url_and_a_branch() -> None:
    environ = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_RUN_ID": "99",
        "GITHUB_REF_TYPE": "branch",
        "GITHUB_REF_NAME": "main",
    }

    settings = load_settings({}, environ, root=ROOT)

    assert settings.build_url == "https://github.com/acme/shop/actions/runs/99"
    assert settings.branch_override == "main"
    pull_request = load_settings({}, {**environ, "GITHUB_HEAD_REF": "feature/y"}, root=ROOT)
    assert pull_request.branch_override == "feature/y"
    jenkins = load_settings({}, {**environ, "BUILD_URL": "https://jenkins/1"}, root=ROOT)
    assert jenkins.build_url == "https://jenkins/1", "an explicit BUILD_URL wins"


def test_the_readme_settings_table_is_the_one_the_declarations_make() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")

    assert settings_table() in readme, "regenerate it: python -m pact_pipeline.settings"
    assert "pact-pipeline-broker" in readme, "the console script is documented"
