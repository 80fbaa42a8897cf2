"""The pipeline's settings, declared once: fields, defaults, variables, checks and the docs table.

Precedence, highest first:

1. environment variables: the pipeline's own `PACT_PIPELINE_*` and the standard Pact and CI
   ones (`PACT_BROKER_BASE_URL`, `PACT_BROKER_TOKEN`, `PACT_BROKER_USERNAME`/`PASSWORD`, `CI`,
   `GIT_COMMIT`, `GIT_BRANCH`, `BUILD_URL`, `PACT_URL`, GitHub Actions' `GITHUB_*`);
2. the `pipeline` section of Invoke's configuration (`invoke.yaml` beside `tasks.py`,
   `INVOKE_PIPELINE_*`, or `ns.configure`), which is also where a repository declares its
   pacticipants (`pipeline.consumer`, `pipeline.provider`);
3. the defaults below.

The environment wins because CI systems and the Pact tooling (the CLI, pact-python's
`Verifier`) all speak these variables: a value exported for them must mean the same here.
Settings are built once per task by [`load_settings`][pact_pipeline.settings.load_settings];
nothing is read at import time, and a `Settings(...)` built directly reads no environment.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

from pact_pipeline.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pydantic_settings import PydanticBaseSettingsSource

#: Environments recorded in the broker as production environments.
PRODUCTION_ENVIRONMENTS = frozenset({"prod", "production"})


class ConsumerSettings(BaseModel):
    """A consumer this repository builds (`pipeline.consumer`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="its pacticipant name")
    tests: tuple[str, ...] = Field(
        default=(), description="pytest arguments that run its Pact tests (paths, `-k …`)"
    )
    command: str | None = Field(
        default=None, description="or a shell command that runs them (gets `PACT_DIR`)"
    )


#: How a provider's consumers' pacts are checked (`pipeline.provider.contract_testing`).
ContractTesting = Literal["pacts", "openapi", "both"]


class ProviderSettings(BaseModel):
    """A provider this repository builds and verifies (`pipeline.provider`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="its pacticipant name")
    adapter: str = Field(
        description="`module:function` serving the app for verification (and for the "
        "provider contract's self-verification), with its states"
    )
    tests: tuple[str, ...] = Field(default=(), description="pytest arguments of its own tests")
    command: str | None = Field(default=None, description="or a shell command that runs them")
    contract_testing: ContractTesting = Field(
        default="pacts",
        description="how its consumers' pacts are checked: `pacts` (it verifies them), "
        "`openapi` (it publishes its OpenAPI document as a provider contract and the broker "
        "compares each pact with it: bi-directional contract testing), or `both`",
    )
    openapi: str | None = Field(
        default=None,
        min_length=1,
        description="its OpenAPI document, for `openapi` and `both`: `module:attribute` of "
        "an app with `.openapi()` (FastAPI), or a JSON or YAML file",
    )

    @property
    def verifies_pacts(self) -> bool:
        """Whether it runs its consumers' pacts (`pacts` or `both`)."""
        return self.contract_testing in ("pacts", "both")

    @property
    def publishes_provider_contract(self) -> bool:
        """Whether it publishes its OpenAPI document as a provider contract (`openapi`, `both`)."""
        return self.contract_testing in ("openapi", "both")

    @model_validator(mode="after")
    def _has_a_document(self) -> ProviderSettings:
        if self.publishes_provider_contract and self.openapi is None:
            msg = (
                f"contract_testing {self.contract_testing} needs the OpenAPI document: set "
                "pipeline.provider.openapi (module:attribute of the app, or a file)"
            )
            raise ValueError(msg)
        return self


@dataclass(frozen=True)
class BrokerAuth:
    """Credentials for the Pact Broker: a bearer token, or basic auth, or none."""

    token: str | None = None
    username: str | None = None
    password: str | None = None

    @property
    def is_set(self) -> bool:
        """Whether any credential was given."""
        return bool(self.token or self.username or self.password)


def _variable(*names: str) -> AliasChoices:
    """A field read from these environment variables (and by its own name from config)."""
    return AliasChoices(*names)


#: The environment the settings are read from while `load_settings` runs (none otherwise).
_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("pact_pipeline_environ", default=None)


class _Environ(EnvSettingsSource):
    """The environment variables given to `load_settings`, not necessarily `os.environ`."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            _ENVIRON.get() or {},
            self.case_sensitive,
            self.env_ignore_empty,
            self.env_parse_none_str,
        )


class Settings(BaseSettings):
    """Everything the stages need to know about this repository and its CI."""

    model_config = SettingsConfigDict(
        env_prefix="PACT_PIPELINE_",
        env_ignore_empty=True,  # CI templates often export `X=`: empty means unset
        extra="forbid",
        frozen=True,
        populate_by_name=True,
    )

    root: Path = Field(description="the repository root (where `tasks.py` is)")
    consumer: ConsumerSettings | None = Field(default=None, description="the consumer built here")
    provider: ProviderSettings | None = Field(default=None, description="the provider built here")
    main_branch: str = Field(default="main", description="the branch `ci` deploys from")
    environment: str = Field(default="prod", description="environment for can-i-deploy and deploy")
    environments: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("test", "prod"),
        min_length=1,
        description="environments the pipeline may deploy to (created on first use)",
    )
    pacts_dir: Path = Field(
        default=Path("pacts"),
        validate_default=True,
        description="where the consumer's tests write its pact files",
    )
    wip_since: date = Field(
        default=date(2024, 1, 1),
        description="include work-in-progress pacts published since this date",
    )
    can_i_deploy_retries: int = Field(
        default=3,
        ge=0,
        description="how often can-i-deploy asks again while its answer is unknown *and* a "
        "verification can still arrive; with nothing to wait for it answers at once",
    )
    can_i_deploy_interval: float = Field(
        default=5.0, ge=0, description="seconds between those retries"
    )
    self_verification_examples: int = Field(
        default=20,
        ge=1,
        description="test cases per operation when `publish-provider-contract` tests the "
        "running provider against its OpenAPI document (schemathesis `--max-examples`)",
    )
    broker_url: str | None = Field(
        default=None,
        validation_alias=_variable("PACT_BROKER_BASE_URL", "broker_url"),
        description="the broker to use instead of the embedded one (`http://` or `https://`)",
    )
    broker_retries: int = Field(
        default=3, ge=0, description="retries (with back-off) of broker calls on errors and 5xx"
    )
    broker_port: int = Field(default=9292, ge=1, le=65535, description="the embedded broker's port")
    broker_dir: Path = Field(
        default=Path(".pact-broker"),
        validate_default=True,
        description="the embedded broker's data: database, log, pid file and instance id",
    )
    broker_start_timeout: float = Field(
        default=30.0, ge=0, description="seconds to wait for the embedded broker to start"
    )
    ci_server_port: int = Field(
        default=9393, ge=1, le=65535, description="the port `invoke ci-server` listens on"
    )
    ci_server_dir: Path = Field(
        default=Path(".pact-ci"),
        validate_default=True,
        description="the local CI's data: its token and one log per build",
    )
    ci_server_token: str | None = Field(
        default=None,
        repr=False,
        description="the token the local CI expects in `Authorization: Bearer …` (default: "
        "one generated into `ci_server_dir`); also the value the webhook set-up stores in "
        "the broker secret",
    )
    webhook_url: str | None = Field(
        default=None,
        description="where the pact-changed webhook POSTs (default: the local CI, "
        "`http://127.0.0.1:<ci_server_port>/dispatches`; or GitHub's "
        "`https://api.github.com/repos/OWNER/REPO/dispatches`)",
    )
    webhook_secret: str = Field(
        default="ciServerToken",
        pattern=r"^[A-Za-z0-9_]+$",
        description="the broker secret the webhook sends as its bearer token "
        "(`${user.NAME}`; e.g. `githubToken` for GitHub)",
    )
    webhook_uuid: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_\-]{16,}$",
        description="the pact-changed webhook's fixed uuid (default: derived from the "
        "provider's name, so set-up is idempotent)",
    )
    # The standard variables of Pact and CI: environment only.
    token: str | None = Field(default=None, validation_alias=_variable("PACT_BROKER_TOKEN"))
    username: str | None = Field(default=None, validation_alias=_variable("PACT_BROKER_USERNAME"))
    password: str | None = Field(default=None, validation_alias=_variable("PACT_BROKER_PASSWORD"))
    ci: bool = Field(default=False, validation_alias=_variable("CI", "ci"))
    commit_override: str | None = Field(
        default=None, validation_alias=_variable("GIT_COMMIT", "commit_override")
    )
    branch_override: str | None = Field(
        default=None, validation_alias=_variable("GIT_BRANCH", "branch_override")
    )
    build_url: str | None = Field(
        default=None, validation_alias=_variable("BUILD_URL", "build_url")
    )
    pact_url: str | None = Field(default=None, validation_alias=_variable("PACT_URL", "pact_url"))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment first, then Invoke's configuration (passed as arguments)."""
        del env_settings, dotenv_settings, file_secret_settings  # not os.environ, no files
        return _Environ(settings_cls), init_settings

    @field_validator("environments", mode="before")
    @classmethod
    def _split_names(cls, value: Any) -> Any:
        """Accept a list (Invoke config) or a comma-separated string (environment)."""
        items = value.split(",") if isinstance(value, str) else value
        return tuple(str(item).strip() for item in items if str(item).strip())

    @field_validator("broker_url")
    @classmethod
    def _has_a_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            msg = "must start with http:// or https://"
            raise ValueError(msg)
        return value.rstrip("/") if value else value

    @field_validator("ci", mode="before")
    @classmethod
    def _truthy(cls, value: Any) -> bool:
        return str(value).strip().lower() in {"1", "true", "yes", "on"}

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_has_a_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            msg = "must start with http:// or https://"
            raise ValueError(msg)
        return value

    @field_validator("pacts_dir", "broker_dir", "ci_server_dir")
    @classmethod
    def _under_root(cls, value: Path, info: ValidationInfo) -> Path:
        """Relative directories are relative to the repository root."""
        root = info.data.get("root")
        path = value.expanduser()
        if not path.is_absolute() and isinstance(root, Path):
            path = root / path
        embedded = info.field_name == "broker_dir" and info.data.get("broker_url") is None
        if embedded and path.is_file():
            msg = "must be a directory for the embedded broker's data, not a file"
            raise ValueError(msg)
        return path

    @property
    def auth(self) -> BrokerAuth:
        """The broker credentials."""
        return BrokerAuth(token=self.token, username=self.username, password=self.password)

    @property
    def pacticipants(self) -> tuple[str, ...]:
        """The pacticipants this repository builds, provider first.

        The provider comes first because a consumer can only be deployed once the provider
        version it was verified against is in the environment.
        """
        return tuple(side.name for side in (self.provider, self.consumer) if side is not None)

    @property
    def tested(self) -> tuple[ConsumerSettings | ProviderSettings, ...]:
        """The pacticipants that declare tests, the consumer first (its tests write pacts)."""
        sides = (self.consumer, self.provider)
        return tuple(side for side in sides if side is not None and (side.tests or side.command))

    def require_consumer(self, task: str) -> ConsumerSettings:
        """This repository's consumer, for a task that needs one.

        Raises:
            ConfigurationError:
                If none is declared.
        """
        if self.consumer is None:
            msg = (
                f"{task} needs a consumer: declare pipeline.consumer (its name and how its "
                "Pact tests run) in invoke.yaml"
            )
            raise ConfigurationError(msg)
        return self.consumer

    def require_provider(self, task: str) -> ProviderSettings:
        """This repository's provider, for a task that needs one.

        Raises:
            ConfigurationError:
                If none is declared.
        """
        if self.provider is None:
            msg = (
                f"{task} needs a provider: declare pipeline.provider (its name and its "
                "adapter, module:function) in invoke.yaml"
            )
            raise ConfigurationError(msg)
        return self.provider

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed (e.g. `ci=True` for fake-ci), checked again.

        Raises:
            ConfigurationError:
                If a changed value cannot work (e.g. `invoke broker --port 70000`).
        """
        try:
            return Settings(**{**self.model_dump(), **changes})
        except ValidationError as error:
            raise ConfigurationError(describe(error, {})) from None


def load_settings(config: Mapping[str, Any], environ: Mapping[str, str], *, root: Path) -> Settings:
    """Build the settings from Invoke's `pipeline` config section and the environment.

    Args:
        config:
            The `pipeline` section of Invoke's configuration.

        environ:
            The environment variables (normally `os.environ`).

        root:
            The repository root; relative directories are resolved against it.

    Returns:
        The settings.

    Raises:
        ConfigurationError:
            Naming the first setting that cannot work, where it came from and its value.
    """
    github = {"GIT_BRANCH": github_branch(environ), "BUILD_URL": build_url_from(environ)}
    given = {name: value for name, value in environ.items() if value.strip()}
    token = _ENVIRON.set({**{k: v for k, v in github.items() if v}, **given})
    try:
        return Settings(**{**dict(config), "root": root})
    except ValidationError as error:
        raise ConfigurationError(describe(error, environ)) from None
    finally:
        _ENVIRON.reset(token)


def describe(error: ValidationError, environ: Mapping[str, str]) -> str:
    """One line for the first problem: the setting as the user set it, the problem, the value."""
    first = error.errors()[0]
    location = [str(part) for part in first["loc"]]
    head = location[0] if location else ""
    field = Settings.model_fields.get(head)
    names = variable_names(head, field) if field is not None else [head]
    where = next((name for name in names if environ.get(name, "").strip()), None)
    where = where or ("pipeline." + ".".join(location) if head.islower() else head)
    message = str(first["msg"]).removeprefix("Value error, ")
    value = first.get("input")
    shown = f", got {value!r}" if isinstance(value, str | int | float) else ""
    return f"{where}: {message[:1].lower()}{message[1:]}{shown}"


def variable_names(name: str, field: Any) -> list[str]:
    """The environment variables a field is read from."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices if str(choice).isupper()]
    return [f"PACT_PIPELINE_{name.upper()}"]


#: Fields of the `pipeline` section a user sets (the rest are the environment's, or `root`).
_DOCUMENTED_ELSEWHERE = {"root", "token", "username", "password", "ci", "commit_override"}
_DOCUMENTED_ELSEWHERE |= {"branch_override", "build_url", "pact_url"}


def settings_table() -> str:
    """The README's table of the pipeline's settings, made from the declarations above."""
    rows = ["| `pipeline.` key | variable | default | meaning |", "| --- | --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        if name in _DOCUMENTED_ELSEWHERE:
            continue
        variables = ", ".join(f"`{v}`" for v in variable_names(name, field))
        if name in ("consumer", "provider"):
            variables = ""
        default = _shown_default(field.default)
        rows.append(f"| `{name}` | {variables} | {default} | {field.description} |")
    for section, model in (("consumer", ConsumerSettings), ("provider", ProviderSettings)):
        for name, field in model.model_fields.items():
            default = "(required)" if field.is_required() else _shown_default(field.default)
            rows.append(f"| `{section}.{name}` | | {default} | {field.description} |")
    return "\n".join(rows) + "\n"


def _shown_default(value: Any) -> str:
    if value is None or value == ():
        return "(unset)"
    if isinstance(value, tuple):
        return "`" + ",".join(map(str, value)) + "`"
    return f"`{value}`"


def build_url_from(environ: Mapping[str, str]) -> str | None:
    """GitHub Actions' run URL, when the build runs there (`BUILD_URL` wins over it)."""
    server, repository, run_id = (
        (environ.get(name) or "").strip()
        for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if server and repository and run_id:
        return f"{server.rstrip('/')}/{repository}/actions/runs/{run_id}"
    return None


def github_branch(environ: Mapping[str, str]) -> str | None:
    """The branch GitHub Actions builds, since its checkouts are often a detached HEAD.

    Args:
        environ:
            The environment variables.

    Returns:
        The pull request's head branch, the pushed branch, or `None` (not GitHub, or a tag).
    """
    head_ref = (environ.get("GITHUB_HEAD_REF") or "").strip()
    if head_ref:
        return head_ref
    if environ.get("GITHUB_REF_TYPE") == "branch":
        return (environ.get("GITHUB_REF_NAME") or "").strip() or None
    return None


if __name__ == "__main__":
    # `python -m pact_pipeline.settings` prints the README's settings table.
    print(settings_table(), end="")  # noqa: T201
