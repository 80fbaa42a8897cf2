"""Pipeline settings, read from Invoke's configuration and the environment.

Precedence, highest first:

1. the standard Pact and CI environment variables (`PACT_BROKER_BASE_URL`,
   `PACT_BROKER_TOKEN`, `PACT_BROKER_USERNAME`/`PACT_BROKER_PASSWORD`, `CI`, `GIT_COMMIT`,
   `GIT_BRANCH`, `BUILD_URL`, GitHub Actions' `GITHUB_*`) and the pipeline's own
   `PACT_PIPELINE_*` variables;
2. the `pipeline` section of Invoke's configuration (`invoke.yaml`, `INVOKE_PIPELINE_*`,
   or `ns.configure` in `tasks.py`);
3. the defaults in [`DEFAULTS`][pact_pipeline.settings.DEFAULTS].

The environment wins over Invoke's configuration because CI systems and the Pact tooling
(the CLI, pact-python's `Verifier`) all speak these variables; a value exported for them
must mean the same thing here.

Settings are an immutable value built once per task by
[`load_settings`][pact_pipeline.settings.load_settings]; nothing is read at import time, so tests
pass their own mappings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from pact_pipeline.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Defaults of the `pipeline` configuration section; `tasks.py` registers them with
#: `ns.configure({"pipeline": DEFAULTS})` so `INVOKE_PIPELINE_*` variables can override them.
DEFAULTS: dict[str, Any] = {
    "consumer": "FrontendWebsite",
    "provider": "ProductService",
    "pacts_dir": "pacts",
    "main_branch": "main",
    "environment": "prod",
    "environments": ["test", "prod"],
    "wip_since": "2024-01-01",
    "can_i_deploy_retries": 3,
    "can_i_deploy_interval": 5.0,
    "broker_url": "",
    "broker_retries": 3,
    "broker_port": 9292,
    "broker_dir": ".pact-broker",
    "broker_start_timeout": 30.0,
}

#: Environments recorded in the broker as production environments.
PRODUCTION_ENVIRONMENTS = frozenset({"prod", "production"})

_N = TypeVar("_N", int, float)

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class BrokerAuth:
    """Credentials for the Pact Broker: a bearer token, or basic auth, or none.

    Attributes:
        token:
            A bearer token (PactFlow, or a broker behind a token-checking proxy).

        username:
            The basic-auth user name (the OSS Pact Broker).

        password:
            The basic-auth password.
    """

    token: str | None = None
    username: str | None = None
    password: str | None = None

    @property
    def is_set(self) -> bool:
        """Whether any credential was given."""
        return bool(self.token or self.username or self.password)


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline stages need to know about this repository and its CI.

    Attributes:
        root:
            The repository root (where `tasks.py` lives).

        broker_url:
            The Pact Broker to use, or `None` to start and use the embedded broker.

        auth:
            Broker credentials.

        ci:
            Whether we run in CI (`CI` is set): verification results are published only then
            (or with `--publish`), so laptops do not pollute the broker.

        commit_override:
            `GIT_COMMIT`: the version to use instead of the short git sha.

        branch_override:
            `GIT_BRANCH` (or the branch GitHub Actions builds): the branch to use instead of
            git's current branch.

        build_url:
            The CI build's URL, attached to published pacts and verification results.

        pact_url:
            `PACT_URL`: the one pact a broker webhook asks `ci-webhook` to verify.

        consumer:
            The consumer pacticipant of this repository.

        provider:
            The provider pacticipant of this repository.

        pacts_dir:
            Where the consumer tests write pact files.

        main_branch:
            The branch deployments are made from.

        environment:
            The default environment for can-i-deploy and deploy.

        environments:
            The environments this pipeline may deploy to; they are created in the broker on
            first use, any other name is rejected as unknown.

        wip_since:
            Include work-in-progress pacts published after this date (`YYYY-MM-DD`).

        can_i_deploy_retries:
            How many times can-i-deploy asks again while the answer is unknown.

        can_i_deploy_interval:
            Seconds between those retries.

        broker_retries:
            How many times a broker request is retried on connection errors and 5xx.

        broker_port:
            The embedded broker's port.

        broker_dir:
            The embedded broker's data directory (database, log, pid file).

        broker_start_timeout:
            Seconds to wait for the embedded broker to answer its heartbeat.
    """

    root: Path
    broker_url: str | None = None
    auth: BrokerAuth = BrokerAuth()
    ci: bool = False
    commit_override: str | None = None
    branch_override: str | None = None
    build_url: str | None = None
    pact_url: str | None = None
    consumer: str = DEFAULTS["consumer"]
    provider: str = DEFAULTS["provider"]
    pacts_dir: Path = Path(DEFAULTS["pacts_dir"])
    main_branch: str = DEFAULTS["main_branch"]
    environment: str = DEFAULTS["environment"]
    environments: tuple[str, ...] = tuple(DEFAULTS["environments"])
    wip_since: str = DEFAULTS["wip_since"]
    can_i_deploy_retries: int = DEFAULTS["can_i_deploy_retries"]
    can_i_deploy_interval: float = DEFAULTS["can_i_deploy_interval"]
    broker_retries: int = DEFAULTS["broker_retries"]
    broker_port: int = DEFAULTS["broker_port"]
    broker_dir: Path = Path(DEFAULTS["broker_dir"])
    broker_start_timeout: float = DEFAULTS["broker_start_timeout"]

    @property
    def pacticipants(self) -> tuple[str, str]:
        """The pacticipants this repository builds, provider first.

        The provider comes first because a consumer can only be deployed once the provider
        version it was verified against is in the environment.
        """
        return (self.provider, self.consumer)

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed (e.g. `ci=True` for fake-ci)."""
        return dataclasses.replace(self, **changes)


def load_settings(
    config: Mapping[str, Any],
    environ: Mapping[str, str],
    *,
    root: Path,
) -> Settings:
    """Build the settings from Invoke's `pipeline` config section and the environment.

    Args:
        config:
            The `pipeline` section of Invoke's configuration (missing keys use
            [`DEFAULTS`][pact_pipeline.settings.DEFAULTS]).

        environ:
            The environment variables (normally `os.environ`).

        root:
            The repository root; relative directories are resolved against it.

    Returns:
        The settings.

    Raises:
        ConfigurationError:
            If a value has the wrong type (e.g. a non-numeric retry count).
    """
    merged = {**DEFAULTS, **dict(config)}

    def pick(env_name: str, key: str) -> Any:
        value = _non_empty(environ.get(env_name))
        return value if value is not None else merged[key]

    settings = Settings(
        root=root,
        broker_url=_non_empty(environ.get("PACT_BROKER_BASE_URL"))
        or _non_empty(str(merged["broker_url"])),
        auth=BrokerAuth(
            token=_non_empty(environ.get("PACT_BROKER_TOKEN")),
            username=_non_empty(environ.get("PACT_BROKER_USERNAME")),
            password=_non_empty(environ.get("PACT_BROKER_PASSWORD")),
        ),
        ci=_truthy(environ.get("CI")),
        commit_override=_non_empty(environ.get("GIT_COMMIT")),
        branch_override=_non_empty(environ.get("GIT_BRANCH")) or github_branch(environ),
        build_url=build_url_from(environ),
        pact_url=_non_empty(environ.get("PACT_URL")),
        consumer=str(merged["consumer"]),
        provider=str(merged["provider"]),
        pacts_dir=_under(root, str(pick("PACT_PIPELINE_PACTS_DIR", "pacts_dir"))),
        main_branch=str(merged["main_branch"]),
        environment=str(pick("PACT_PIPELINE_ENVIRONMENT", "environment")),
        environments=_names(pick("PACT_PIPELINE_ENVIRONMENTS", "environments")),
        wip_since=str(pick("PACT_PIPELINE_WIP_SINCE", "wip_since")),
        can_i_deploy_retries=_number(
            int,
            "PACT_PIPELINE_CAN_I_DEPLOY_RETRIES",
            pick("PACT_PIPELINE_CAN_I_DEPLOY_RETRIES", "can_i_deploy_retries"),
        ),
        can_i_deploy_interval=_number(
            float,
            "PACT_PIPELINE_CAN_I_DEPLOY_INTERVAL",
            pick("PACT_PIPELINE_CAN_I_DEPLOY_INTERVAL", "can_i_deploy_interval"),
        ),
        broker_retries=_number(
            int,
            "PACT_PIPELINE_BROKER_RETRIES",
            pick("PACT_PIPELINE_BROKER_RETRIES", "broker_retries"),
        ),
        broker_port=_number(
            int, "PACT_PIPELINE_BROKER_PORT", pick("PACT_PIPELINE_BROKER_PORT", "broker_port")
        ),
        broker_dir=_under(root, str(pick("PACT_PIPELINE_BROKER_DIR", "broker_dir"))),
        broker_start_timeout=_number(
            float,
            "PACT_PIPELINE_BROKER_START_TIMEOUT",
            pick("PACT_PIPELINE_BROKER_START_TIMEOUT", "broker_start_timeout"),
        ),
    )
    check(settings)
    return settings


def check(settings: Settings) -> None:
    """Reject settings that cannot work, before any stage runs on them.

    Args:
        settings:
            The settings.

    Raises:
        ConfigurationError:
            Naming the first setting that cannot work.
    """
    url = settings.broker_url
    if url is not None and urlsplit(url).scheme not in ("http", "https"):
        msg = f"PACT_BROKER_BASE_URL must start with http:// or https://, got {url!r}"
        raise ConfigurationError(msg)
    if not 0 < settings.broker_port < 65536:
        msg = (
            "the embedded broker's port (PACT_PIPELINE_BROKER_PORT, pipeline.broker_port or "
            f"--port) must be 1-65535, got {settings.broker_port}"
        )
        raise ConfigurationError(msg)
    for name, value in (
        ("PACT_PIPELINE_CAN_I_DEPLOY_RETRIES", settings.can_i_deploy_retries),
        ("PACT_PIPELINE_CAN_I_DEPLOY_INTERVAL", settings.can_i_deploy_interval),
        ("PACT_PIPELINE_BROKER_RETRIES", settings.broker_retries),
        ("PACT_PIPELINE_BROKER_START_TIMEOUT", settings.broker_start_timeout),
    ):
        if value < 0:
            msg = f"{name} must not be negative, got {value}"
            raise ConfigurationError(msg)
    if url is None and settings.broker_dir.exists() and not settings.broker_dir.is_dir():
        msg = (
            f"PACT_PIPELINE_BROKER_DIR must be a directory for the embedded broker's data, "
            f"but {settings.broker_dir} is a file"
        )
        raise ConfigurationError(msg)
    if not settings.environments:
        msg = "PACT_PIPELINE_ENVIRONMENTS must name at least one environment"
        raise ConfigurationError(msg)


def build_url_from(environ: Mapping[str, str]) -> str | None:
    """Find the CI build's URL: `BUILD_URL` (Jenkins & co) or GitHub Actions' run URL.

    Args:
        environ:
            The environment variables.

    Returns:
        The URL, or `None` outside CI.
    """
    explicit = _non_empty(environ.get("BUILD_URL"))
    if explicit:
        return explicit
    server, repository, run_id = (
        _non_empty(environ.get(name))
        for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if server and repository and run_id:
        return f"{server.rstrip('/')}/{repository}/actions/runs/{run_id}"
    return None


def github_branch(environ: Mapping[str, str]) -> str | None:
    """Find the branch GitHub Actions builds, since its checkouts are often a detached HEAD.

    Args:
        environ:
            The environment variables.

    Returns:
        The pull request's head branch, the pushed branch, or `None` (not GitHub, or a tag).
    """
    head_ref = _non_empty(environ.get("GITHUB_HEAD_REF"))
    if head_ref:
        return head_ref
    if environ.get("GITHUB_REF_TYPE") == "branch":
        return _non_empty(environ.get("GITHUB_REF_NAME"))
    return None


def _non_empty(value: str | None) -> str | None:
    """Treat empty and whitespace-only values as unset, as CI templates often export `X=`."""
    if value is None or not value.strip():
        return None
    return value.strip()


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _TRUE_WORDS


def _under(root: Path, path: str) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else root / candidate


def _names(value: Any) -> tuple[str, ...]:
    """Accept a list (Invoke config) or a comma-separated string (environment)."""
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(name.strip() for name in map(str, items) if name.strip())


def _number(kind: type[_N], name: str, value: Any) -> _N:
    try:
        return kind(value)
    except (TypeError, ValueError):
        msg = f"{name} must be a number, got {value!r}"
        raise ConfigurationError(msg) from None
