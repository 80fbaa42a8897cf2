"""The tables of bi-directional contract testing: provider contracts (OpenAPI documents) by
SHA, each provider version's publication of one with its self-verification, and the stored
comparisons of pacts with them. Imported by (and re-exported from) :mod:`broker.models`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pact_pipeline.broker.db import Base
from pact_pipeline.broker.models import JSONColumn, Pacticipant, UTCDateTime, Version, utcnow


class ProviderContractVersion(Base):
    """A provider contract's content (an OpenAPI document), stored once per (provider, SHA)
    like pact content: bi-directional contract testing's other side."""

    __tablename__ = "provider_contract_versions"
    __table_args__ = (UniqueConstraint("provider_id", "sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    sha: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(255))
    specification: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProviderContractPublication(Base):
    """A provider version's contract and the result of testing the provider against it (its
    self-verification); one per provider version."""

    __tablename__ = "provider_contract_publications"
    __table_args__ = (
        UniqueConstraint("provider_version_id"),
        Index("ix_provider_contract_publications_provider_id", "provider_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("pacticipants.id", ondelete="CASCADE"))
    provider_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    provider_contract_version_id: Mapped[int] = mapped_column(
        ForeignKey("provider_contract_versions.id", ondelete="CASCADE")
    )
    #: None when no self-verification result was published (which can-i-deploy treats as a
    #: failure: nothing says the provider does what its contract says).
    self_verification_success: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    #: The results as published: content (base64), contentType, format, verifier, version.
    self_verification: Mapped[Any] = mapped_column(JSONColumn, nullable=True)
    build_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[Pacticipant] = relationship()
    provider_version: Mapped[Version] = relationship()
    contract_version: Mapped[ProviderContractVersion] = relationship()


class ContractComparison(Base):
    """The comparison of a pact version with a provider contract version: immutable inputs
    (both are content by SHA), so a stored result never goes stale; ``engine`` keys it to the
    rules that produced it."""

    __tablename__ = "contract_comparisons"
    __table_args__ = (
        UniqueConstraint("pact_version_id", "provider_contract_version_id", "engine"),
        Index(
            "ix_contract_comparisons_provider_contract_version_id", "provider_contract_version_id"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pact_version_id: Mapped[int] = mapped_column(ForeignKey("pact_versions.id", ondelete="CASCADE"))
    provider_contract_version_id: Mapped[int] = mapped_column(
        ForeignKey("provider_contract_versions.id", ondelete="CASCADE")
    )
    engine: Mapped[str] = mapped_column(String(32))
    success: Mapped[bool] = mapped_column(Boolean)
    results: Mapped[Any] = mapped_column(JSONColumn)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
