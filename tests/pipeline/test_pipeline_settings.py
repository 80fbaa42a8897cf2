"""Settings from Invoke's config and the environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pact_pipeline import settings as settings_module
from pact_pipeline.errors import ConfigurationError
from pact_pipeline.settings import DEFAULTS, BrokerAuth, build_url_from, load_settings
from tests.pipeline.pipeline_helpers import REPOSITORY

ROOT = Path("/repo")


def test_defaults_name_this_repository_s_pacticipants() -> None:
    settings = load_settings({}, {}, root=ROOT)

    assert settings.pacticipants == ("ProductService", "FrontendWebsite")
    assert settings.broker_url is None
    assert settings.auth == BrokerAuth()
    assert settings.ci is False
    assert settings.pacts_dir == ROOT / "pacts"
    assert settings.broker_dir == ROOT / ".pact-broker"
    assert settings.environments == ("test", "prod")
    assert settings.environment == "prod"
    assert settings.main_branch == "main"


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
    assert from_config.wip_since == "2023-03-03"
    assert (from_env.broker_port, from_env.can_i_deploy_retries) == (2222, 0)
    assert load_settings({}, {}, root=ROOT).broker_port == DEFAULTS["broker_port"]


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


def test_a_non_numeric_value_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="PACT_PIPELINE_BROKER_PORT must be a number"):
        load_settings({}, {"PACT_PIPELINE_BROKER_PORT": "ninety"}, root=ROOT)


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


def test_build_url_prefers_an_explicit_build_url() -> None:
    assert build_url_from({"BUILD_URL": "https://jenkins/1", "GITHUB_RUN_ID": "2"}) == (
        "https://jenkins/1"
    )
    assert build_url_from({}) is None


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    source = Path(settings_module.__file__).read_text(encoding="utf-8")

    for key in DEFAULTS:
        assert f"| `{key}` |" in readme, f"pipeline.{key} is not in the README's settings table"
    for variable in sorted(set(re.findall(r"PACT_PIPELINE_[A-Z_]+", source))):
        assert f"`{variable}`" in readme, f"{variable} is not in the README"
    assert "pact-pipeline-broker" in readme, "the console script is documented"
