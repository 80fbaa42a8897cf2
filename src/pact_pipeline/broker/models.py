"""ORM models, named as in the Ruby Pact Broker.

A *pacticipant* (consumer or provider) has *versions*; a version can be on *branches* and carry
*tags*. Pact content is stored once per SHA as a *pact version*; a *pact publication* links a
consumer version and a provider to a pact version (a republication adds a revision). A
*verification* is the result of a provider version verifying a pact version. *Environments*
receive *deployed versions* (one current per application instance) and *released versions*.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import InstrumentedAttribute, Mapped, declared_attr, mapped_column, relationship

from pact_pipeline.broker.db import Base

# JSONB on PostgreSQL: it has equality (DISTINCT, GROUP BY) where plain json has none.
JSONColumn = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def new_uuid() -> str:
    """A random UUID as text."""
    return str(uuid_module.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC and hands back aware UTC, identically on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Pacticipant(Base):
    __tablename__ = "pacticipants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    main_branch: Mapped[str | None] = mapped_column(String(255))
    repository_url: Mapped[str | None] = mapped_column(String(1024))
    repository_name: Mapped[str | None] = mapped_column(String(255))
    repository_namespace: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    labels: Mapped[list[Label]] = relationship(
        back_populates="pacticipant", cascade="all, delete-orphan", order_by="Label.name"
    )


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("pacticipant_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pacticipant_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pacticipant: Mapped[Pacticipant] = relationship(back_populates="labels")


class Version(Base):
    """A pacticipant version. Its ``id`` gives the creation order that "latest" follows."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("pacticipant_id", "number"),
        Index("ix_versions_pacticipant_id_id", "pacticipant_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pacticipant_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(255))
    build_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    pacticipant: Mapped[Pacticipant] = relationship()
    tags: Mapped[list[Tag]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Tag.id"
    )
    branch_versions: Mapped[list[BranchVersion]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="BranchVersion.id"
    )


class Branch(Base):
    __tablename__ = "branches"
    __table_args__ = (UniqueConstraint("pacticipant_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pacticipant_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pacticipant: Mapped[Pacticipant] = relationship()


class BranchVersion(Base):
    """A version on a branch. The branch head is the most recently added one (highest id)."""

    __tablename__ = "branch_versions"
    __table_args__ = (
        UniqueConstraint("branch_id", "version_id"),
        Index("ix_branch_versions_version_id_branch_id", "version_id", "branch_id"),
        # The head of a branch in one seek (pact_broker#872).
        Index("ix_branch_versions_branch_id_id", "branch_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    branch: Mapped[Branch] = relationship()
    version: Mapped[Version] = relationship(back_populates="branch_versions")


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (
        UniqueConstraint("version_id", "name"),
        Index("ix_tags_name_version_id", "name", "version_id"),
        Index("ix_tags_pacticipant_name_version", "pacticipant_id", "name", "version_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    pacticipant_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[Version] = relationship(back_populates="tags")


class PactVersion(Base):
    """Pact content, stored once per (consumer, provider, SHA)."""

    __tablename__ = "pact_versions"
    __table_args__ = (UniqueConstraint("consumer_id", "provider_id", "sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    sha: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consumer: Mapped[Pacticipant] = relationship(foreign_keys=[consumer_id])
    provider: Mapped[Pacticipant] = relationship(foreign_keys=[provider_id])


class PactPublication(Base):
    """A consumer version's pact with a provider; the highest revision is the current one."""

    __tablename__ = "pact_publications"
    __table_args__ = (
        UniqueConstraint("consumer_version_id", "provider_id", "revision_number"),
        # An integration's newest (or previous) pact, and its consumers, in seeks.
        Index(
            "ix_pact_publications_provider_consumer_version",
            "provider_id",
            "consumer_id",
            "consumer_version_id",
        ),
        # The providers of a consumer; an integration's newest publication time (0005).
        Index(
            "ix_pact_publications_consumer_provider_created",
            "consumer_id",
            "provider_id",
            "created_at",
        ),
        Index("ix_pact_publications_pact_version_id", "pact_version_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    consumer_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    pact_version_id: Mapped[int] = mapped_column(ForeignKey("pact_versions.id", ondelete="CASCADE"))
    revision_number: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consumer: Mapped[Pacticipant] = relationship(foreign_keys=[consumer_id])
    provider: Mapped[Pacticipant] = relationship(foreign_keys=[provider_id])
    consumer_version: Mapped[Version] = relationship()
    pact_version: Mapped[PactVersion] = relationship()


class Verification(Base):
    """The result of a provider version verifying a pact version."""

    __tablename__ = "verifications"
    __table_args__ = (
        UniqueConstraint("pact_version_id", "number"),
        Index("ix_verifications_provider_version_id", "provider_version_id"),
        # The newest verification per (pact version, provider version), and per pact version.
        Index(
            "ix_verifications_pact_version_provider_version",
            "pact_version_id",
            "provider_version_id",
            "id",
        ),
        Index("ix_verifications_pact_version_id_id", "pact_version_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    pact_version_id: Mapped[int] = mapped_column(ForeignKey("pact_versions.id", ondelete="CASCADE"))
    provider_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    success: Mapped[bool] = mapped_column(Boolean)
    build_url: Mapped[str | None] = mapped_column(String(2048))
    test_results: Mapped[Any] = mapped_column(JSONColumn, nullable=True)
    verified_by: Mapped[Any] = mapped_column(JSONColumn, nullable=True)
    wip: Mapped[bool] = mapped_column(Boolean, default=False)
    pact_pending: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pact_version: Mapped[PactVersion] = relationship()
    provider_version: Mapped[Version] = relationship()


class Environment(Base):
    __tablename__ = "environments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    production: Mapped[bool] = mapped_column(Boolean, default=False)
    contacts: Mapped[Any] = mapped_column(JSONColumn, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VersionInEnvironment:
    """What deployed and released versions share: a version of a pacticipant, placed in an
    environment, current until the moment its own end column records (undeployed, or support
    ended). Each keeps its own table; this mixin gives them their common columns and reading.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uuid)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    pacticipant_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    environment_id: Mapped[int] = mapped_column(ForeignKey("environments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def version(cls) -> Mapped[Version]:
        return relationship(Version)

    @declared_attr
    def environment(cls) -> Mapped[Environment]:
        return relationship(Environment)

    @property
    def ended_at(self) -> datetime | None:
        """When the version stopped being deployed (or supported); None while it is."""
        raise NotImplementedError

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class DeployedVersion(VersionInEnvironment, Base):
    """A version deployed to an environment; current until ``undeployed_at`` is set."""

    __tablename__ = "deployed_versions"
    __table_args__ = (
        Index("ix_deployed_versions_environment_current", "environment_id", "undeployed_at"),
        Index("ix_deployed_versions_version_id", "version_id"),
        Index("ix_deployed_versions_pacticipant_current", "pacticipant_id", "undeployed_at"),
    )

    target: Mapped[str | None] = mapped_column(String(255))
    undeployed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def ended_at(self) -> datetime | None:
        return self.undeployed_at

    @classmethod
    def end_column(cls) -> InstrumentedAttribute[datetime | None]:
        return cls.undeployed_at


class ReleasedVersion(VersionInEnvironment, Base):
    """A version released to an environment; supported until ``support_ended_at`` is set."""

    __tablename__ = "released_versions"
    __table_args__ = (
        UniqueConstraint("version_id", "environment_id"),
        Index("ix_released_versions_pacticipant_current", "pacticipant_id", "support_ended_at"),
    )

    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    support_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def ended_at(self) -> datetime | None:
        return self.support_ended_at

    @classmethod
    def end_column(cls) -> InstrumentedAttribute[datetime | None]:
        return cls.support_ended_at


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uuid)
    description: Mapped[str | None] = mapped_column(String(1024))
    consumer_id: Mapped[int | None] = mapped_column(
        ForeignKey("pacticipants.id", ondelete="CASCADE")
    )
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("pacticipants.id", ondelete="CASCADE")
    )
    consumer_label: Mapped[str | None] = mapped_column(String(255))
    provider_label: Mapped[str | None] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    events: Mapped[Any] = mapped_column(JSONColumn)
    request: Mapped[Any] = mapped_column(JSONColumn)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consumer: Mapped[Pacticipant | None] = relationship(foreign_keys=[consumer_id])
    provider: Mapped[Pacticipant | None] = relationship(foreign_keys=[provider_id])


class TriggeredWebhook(Base):
    """A delivery owed: a webhook matched an event (a pact or verification publication).

    Written in the triggering transaction; the delivery loop claims it (``claimed_by`` until
    ``claimed_until``), makes an attempt and records it as a :class:`WebhookExecution`.
    ``event_context`` holds the ``${pactbroker.*}`` values, never the rendered request.
    """

    __tablename__ = "triggered_webhooks"
    __table_args__ = (
        Index("ix_triggered_webhooks_due", "status", "next_attempt_at"),
        Index("ix_triggered_webhooks_pact_publication_id", "pact_publication_id"),
        Index("ix_triggered_webhooks_verification_id", "verification_id"),
        Index("ix_triggered_webhooks_webhook_id", "webhook_id"),
        Index("ix_triggered_webhooks_consumer_provider", "consumer_id", "provider_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uuid)
    trigger_uuid: Mapped[str] = mapped_column(String(64))
    trigger_type: Mapped[str] = mapped_column(String(32))
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_name: Mapped[str] = mapped_column(String(100))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    pact_publication_id: Mapped[int | None] = mapped_column(
        ForeignKey("pact_publications.id", ondelete="CASCADE")
    )
    verification_id: Mapped[int | None] = mapped_column(
        ForeignKey("verifications.id", ondelete="CASCADE")
    )
    event_context: Mapped[Any] = mapped_column(JSONColumn)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    webhook: Mapped[Webhook] = relationship()
    consumer: Mapped[Pacticipant] = relationship(foreign_keys=[consumer_id])
    provider: Mapped[Pacticipant] = relationship(foreign_keys=[provider_id])


class WebhookSecret(Base):
    """A value webhooks name as ``${user.NAME}``, resolved only when a request is sent."""

    __tablename__ = "webhook_secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(String(1024))
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookExecution(Base):
    """One delivery attempt of a webhook, kept so that failures are visible."""

    __tablename__ = "webhook_executions"
    __table_args__ = (Index("ix_webhook_executions_triggered_webhook_id", "triggered_webhook_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uuid)
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    triggered_webhook_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "triggered_webhooks.id",
            ondelete="CASCADE",
            name="fk_webhook_executions_triggered_webhook_id",
        )
    )
    event_name: Mapped[str] = mapped_column(String(100))
    success: Mapped[bool] = mapped_column(Boolean)
    logs: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CleanLock(Base):
    """The clean-up's named lease: one clean at a time across broker processes."""

    __tablename__ = "broker_clean_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


# Bi-directional contract testing's tables live beside these (this module would outgrow the
# broker's module size); importing them here registers them with the metadata and keeps one
# place to import every model from.
from pact_pipeline.broker.contract_models import (  # noqa: E402
    ContractComparison,
    ProviderContractPublication,
    ProviderContractVersion,
)

__all__ = [
    "Base",
    "Branch",
    "BranchVersion",
    "CleanLock",
    "ContractComparison",
    "DeployedVersion",
    "Environment",
    "JSONColumn",
    "Label",
    "PactPublication",
    "PactVersion",
    "Pacticipant",
    "ProviderContractPublication",
    "ProviderContractVersion",
    "ReleasedVersion",
    "Tag",
    "TriggeredWebhook",
    "UTCDateTime",
    "Verification",
    "Version",
    "VersionInEnvironment",
    "Webhook",
    "WebhookExecution",
    "WebhookSecret",
    "new_uuid",
    "utcnow",
]
