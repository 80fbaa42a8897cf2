"""Broker settings, read from the environment with the ``PACT_BROKER_`` prefix.

Settings are built on demand (never at import time) so that tests can run several brokers with
different databases in one process.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///.pact-broker/broker.sqlite"


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
    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_json_depth: int = Field(default=64, ge=4)

    basic_auth_username: str | None = None
    basic_auth_password: str | None = None
    basic_auth_read_only_username: str | None = None
    basic_auth_read_only_password: str | None = None
    auth_token: str | None = None
    read_only_auth_token: str | None = None
    allow_public_read: bool = False
