"""an index for the integrations list: each integration's latest publication time in a seek

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 21:00:00

* ``pact_publications (consumer_id, provider_id, created_at)`` replaces
  ``(consumer_id, provider_id)``: ``GET /integrations`` and the home page step from one
  integration to the next in it (a loose index scan) and read each integration's newest
  publication time from its end, so that their cost grows with the integrations, not with the
  publications. Its leading columns are the replaced index's, which serves every query it
  served (the providers of a consumer).
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_pact_publications_consumer_provider_created",
        "pact_publications",
        ["consumer_id", "provider_id", "created_at"],
        unique=False,
    )
    op.drop_index("ix_pact_publications_consumer_provider", table_name="pact_publications")


def downgrade() -> None:
    op.create_index(
        "ix_pact_publications_consumer_provider",
        "pact_publications",
        ["consumer_id", "provider_id"],
        unique=False,
    )
    op.drop_index("ix_pact_publications_consumer_provider_created", table_name="pact_publications")
