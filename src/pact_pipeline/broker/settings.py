"""Broker settings, read from the environment with the ``PACT_BROKER_`` prefix.

Settings are built on demand (never at import time) so that tests can run several brokers with
different databases in one process.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pact_pipeline.broker.db import PoolOptions

DEFAULT_DATABASE_URL = "sqlite:///.pact-broker/broker.sqlite"
INSTANCE_HEADER = "X-Pact-Broker-Instance"

# The Pact Broker's defaults (pact_broker: lib/pact_broker/config/runtime_configuration.rb):
# safe for a broker shared by many teams, where a webhook must not reach internal services.
DEFAULT_WEBHOOK_RETRY_SCHEDULE = (10.0, 60.0, 120.0, 300.0, 600.0, 1200.0)
DEFAULT_WEBHOOK_SCHEMES = ("https",)
DEFAULT_WEBHOOK_METHODS = ("POST",)
DEFAULT_WEBHOOK_SUCCESS_CODES = tuple(range(200, 300))


def _words(value: Any) -> Any:
    """A list from an environment value: ``"a b"``, ``"a,b"`` or a JSON array (already a list)."""
    if isinstance(value, str):
        return [word for word in re.split(r"[\s,]+", value.strip()) if word]
    if isinstance(value, int | float):
        return [value]
    return value


class Settings(BaseSettings):
    """Configuration of one broker instance."""

    model_config = SettingsConfigDict(env_prefix="PACT_BROKER_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # The Pact Broker's names. Pool size and wait apply per process (several workers multiply
    # them); the statement timeout is PostgreSQL's (SQLite has none).
    database_max_connections: int = Field(default=20, ge=1, le=1000)
    database_pool_timeout: float = Field(default=5.0, gt=0)
    database_statement_timeout: float = Field(default=15.0, ge=0)
    host: str = "127.0.0.1"
    port: int = 9292
    # When set, links are built from this URL instead of the request's Host header
    # (useful behind a proxy that rewrites the host).
    public_base_url: str | None = None
    # The Pact Broker's PACT_BROKER_BASE_URL(S): the broker's own URLs, space-separated; links
    # use the one whose host the request came to, else the first. (PUBLIC_BASE_URL wins.)
    base_url: str | None = None
    base_urls: str | None = None
    allow_dangerous_contract_modification: bool = False
    # The Pact Broker's defaults: a version tagged (by an old client) within this many seconds
    # of its creation, with no branch, gets its first tag as its branch; a new pacticipant name
    # much like an existing one ("foo-api" next to "Foo") is refused until created explicitly.
    use_first_tag_as_branch: bool = True
    use_first_tag_as_branch_time_limit: float = Field(default=10.0, ge=0)
    check_for_potential_duplicate_pacticipant_names: bool = True
    # Reported by the heartbeat (header INSTANCE_HEADER) so that whoever started this broker
    # can tell it from another server on the same port (e.g. another checkout's broker).
    instance_id: str | None = Field(default=None, max_length=200)
    # The Pact Broker's names: debug, info, warning, error; text (default), json or logfmt.
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    log_format: Literal["text", "json", "logfmt"] = "text"

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_json_depth: int = Field(default=64, ge=4)

    # Authentication, named as the OSS broker and PactFlow name it. Secrets are SecretStr so
    # that no repr, log line or validation message can show them.
    basic_auth_username: str | None = None
    basic_auth_password: SecretStr | None = None
    basic_auth_read_only_username: str | None = None
    basic_auth_read_only_password: SecretStr | None = None
    auth_token: SecretStr | None = None
    read_only_auth_token: SecretStr | None = None
    allow_public_read: bool = False
    # Badges readable without credentials (README images cannot send any), as the Pact
    # Broker's setting of the same name.
    enable_public_badge_access: bool = False

    # Webhooks, named as the Pact Broker names them. Lists come from the environment as
    # space- or comma-separated words (``PACT_BROKER_WEBHOOK_SCHEME_WHITELIST="http https"``).
    # The retry schedule: seconds to wait before each retry after the first attempt fails.
    webhook_retry_schedule: str | list[float] = Field(
        default_factory=lambda: list(DEFAULT_WEBHOOK_RETRY_SCHEDULE)
    )
    webhook_scheme_whitelist: str | list[str] = Field(
        default_factory=lambda: list(DEFAULT_WEBHOOK_SCHEMES)
    )
    webhook_http_method_whitelist: str | list[str] = Field(
        default_factory=lambda: list(DEFAULT_WEBHOOK_METHODS)
    )
    # Hosts, IP addresses, CIDR ranges, ``*.domain`` wildcards, ``/regex/``; empty = any host.
    webhook_host_whitelist: str | list[str] = Field(default_factory=list)
    webhook_http_code_success: str | list[int] = Field(
        default_factory=lambda: list(DEFAULT_WEBHOOK_SUCCESS_CODES)
    )
    # Whether delivery logs show the target's response headers and body. Unset: as the Pact
    # Broker, only when a host whitelist restricts the targets.
    webhook_show_response: bool | None = None
    # How long one webhook request may take before it counts as failed.
    webhook_timeout_seconds: float = Field(default=15.0, gt=0, le=300)

    # --- Database clean-up (``python -m pact_pipeline.broker clean``), named as the Pact Broker's
    # Docker image names them (PACT_BROKER_DATABASE_CLEAN_*). Run inside ``serve`` only when
    # enabled. Ruby's image runs it on a cron schedule (default "15 2 * * *"); this broker runs
    # it every DATABASE_CLEAN_FREQUENCY_SECONDS instead (default one day; a CRON_SCHEDULE value
    # is accepted and ignored). Keep selectors: a JSON list (see broker.clean_selectors);
    # unset means the Pact Broker's defaults. OVERWRITTEN_DATA_MAX_AGE is read but not applied
    # yet (overwritten revisions and duplicate verifications are not cleaned on their own).
    database_clean_enabled: bool = False
    database_clean_frequency_seconds: float = Field(default=86_400.0, gt=0)
    database_clean_cron_schedule: str | None = None
    database_clean_keep_version_selectors: str | None = None
    database_clean_deletion_limit: int = Field(default=500, ge=1)
    database_clean_overwritten_data_max_age: int = Field(default=7, ge=0)
    database_clean_dry_run: bool = False

    @field_validator(
        "webhook_retry_schedule",
        "webhook_scheme_whitelist",
        "webhook_http_method_whitelist",
        "webhook_host_whitelist",
        "webhook_http_code_success",
        mode="before",
    )
    @classmethod
    def _split_words(cls, value: Any) -> Any:
        return _words(value)

    @property
    def retry_schedule(self) -> tuple[float, ...]:
        """The webhook retry delays in seconds (never negative)."""
        return tuple(max(0.0, float(v)) for v in _as_list(self.webhook_retry_schedule))

    @property
    def scheme_whitelist(self) -> tuple[str, ...]:
        return tuple(str(v) for v in _as_list(self.webhook_scheme_whitelist))

    @property
    def method_whitelist(self) -> tuple[str, ...]:
        return tuple(str(v) for v in _as_list(self.webhook_http_method_whitelist))

    @property
    def host_whitelist(self) -> tuple[str, ...]:
        return tuple(str(v) for v in _as_list(self.webhook_host_whitelist))

    @property
    def success_codes(self) -> frozenset[int]:
        return frozenset(int(v) for v in _as_list(self.webhook_http_code_success))

    @property
    def pool_options(self) -> PoolOptions:
        """The database connection pool's settings."""
        return PoolOptions(
            self.database_max_connections,
            self.database_pool_timeout,
            self.database_statement_timeout,
        )

    @property
    def own_base_urls(self) -> tuple[str, ...]:
        """The broker's configured URLs, in order (none: links follow the request)."""
        if self.public_base_url:
            return (self.public_base_url.rstrip("/"),)
        urls = f"{self.base_url or ''} {self.base_urls or ''}".replace(",", " ").split()
        return tuple(dict.fromkeys(url.rstrip("/") for url in urls))

    def auth_configuration_errors(self) -> list[str]:
        """Half-configured credentials, which must stop the broker rather than leave it open.

        The messages name the settings, never their values.
        """
        errors: list[str] = []
        pairs = (
            ("BASIC_AUTH_USERNAME", self.basic_auth_username, self.basic_auth_password),
            (
                "BASIC_AUTH_READ_ONLY_USERNAME",
                self.basic_auth_read_only_username,
                self.basic_auth_read_only_password,
            ),
        )
        for username_name, username, password in pairs:
            password_name = username_name.replace("USERNAME", "PASSWORD")
            has_username = bool(username)
            has_password = bool(password and password.get_secret_value())
            if has_username != has_password:
                present, missing = (username_name, password_name)
                if not has_username:
                    present, missing = missing, present
                errors.append(
                    f"PACT_BROKER_{present} is set but PACT_BROKER_{missing} is not: set both "
                    "or neither"
                )
        return errors

    @property
    def auth_enabled(self) -> bool:
        """Whether any credential is configured (then every request needs one)."""
        secrets = (
            self.basic_auth_password,
            self.basic_auth_read_only_password,
            self.auth_token,
            self.read_only_auth_token,
        )
        return any(secret is not None and secret.get_secret_value() for secret in secrets)


def _as_list(value: str | list[Any]) -> list[Any]:
    parsed = _words(value)
    return list(parsed) if isinstance(parsed, list) else []
