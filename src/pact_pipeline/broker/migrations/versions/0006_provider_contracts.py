"""provider contracts and their comparisons with pacts (bi-directional contract testing)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 23:45:00

* ``provider_contract_versions``: a provider's OpenAPI documents, content once per SHA.
* ``provider_contract_publications``: a provider version's contract with its self-verification.
* ``contract_comparisons``: a pact version compared with a provider contract version, per
  comparison engine version (inputs are immutable, so a stored result never goes stale).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSONColumn = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    _provider_contract_versions()
    _provider_contract_publications()
    _contract_comparisons()


def _provider_contract_versions() -> None:
    op.create_table(
        "provider_contract_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "provider_id",
            sa.Integer(),
            sa.ForeignKey("pacticipants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sha", sa.String(64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(255), nullable=False),
        sa.Column("specification", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("provider_id", "sha"),
    )


def _provider_contract_publications() -> None:
    op.create_table(
        "provider_contract_publications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "provider_id",
            sa.Integer(),
            sa.ForeignKey("pacticipants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "provider_version_id",
            sa.Integer(),
            sa.ForeignKey("versions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "provider_contract_version_id",
            sa.Integer(),
            sa.ForeignKey("provider_contract_versions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("self_verification_success", sa.Boolean(), nullable=True),
        sa.Column("self_verification", JSONColumn, nullable=True),
        sa.Column("build_url", sa.String(2048), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("provider_version_id"),
    )
    op.create_index(
        "ix_provider_contract_publications_provider_id",
        "provider_contract_publications",
        ["provider_id"],
    )


def _contract_comparisons() -> None:
    op.create_table(
        "contract_comparisons",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "pact_version_id",
            sa.Integer(),
            sa.ForeignKey("pact_versions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "provider_contract_version_id",
            sa.Integer(),
            sa.ForeignKey("provider_contract_versions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("engine", sa.String(32), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("results", JSONColumn, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("pact_version_id", "provider_contract_version_id", "engine"),
    )
    op.create_index(
        "ix_contract_comparisons_provider_contract_version_id",
        "contract_comparisons",
        ["provider_contract_version_id"],
    )


def downgrade() -> None:
    op.drop_table("contract_comparisons")
    op.drop_table("provider_contract_publications")
    op.drop_table("provider_contract_versions")
