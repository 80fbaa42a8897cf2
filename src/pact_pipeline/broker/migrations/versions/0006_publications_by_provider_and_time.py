"""an index for WIP pacts: a provider's publications by time

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:10:00

* ``pact_publications (provider_id, created_at)``: pacts for verification with WIP pacts reads
  the consumer versions with a pact for the provider published since the WIP date, and only
  their branches' heads and tags' newest versions can be WIP. The index makes that read as
  long as the window's publications, not the provider's history.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_pact_publications_provider_created",
        "pact_publications",
        ["provider_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_pact_publications_provider_created", table_name="pact_publications")
