"""Broker settings, read from the environment with the ``PACT_BROKER_`` prefix.

Settings are built on demand (never at import time) so that tests can run several brokers with
different databases in one process.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///.pact-broker/broker.sqlite"
INSTANCE_HEADER = "X-Pact-Broker-Instance"


class Settings(BaseSettings):
    """Configuration of one broker instance."""

    model_config = SettingsConfigDict(env_prefix="PACT_BROKER_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 9292
    # When set, links are built from this URL instead of the request's Host header
    # (useful behind a proxy that rewrites the host).
    public_base_url: str | None = None
    allow_dangerous_contract_modification: bool = False
    # Reported by the heartbeat (header INSTANCE_HEADER) so that whoever started this broker
    # can tell it from another server on the same port (e.g. another checkout's broker).
    instance_id: str | None = Field(default=None, max_length=200)
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
