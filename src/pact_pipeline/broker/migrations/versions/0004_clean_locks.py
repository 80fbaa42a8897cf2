"""the clean-up's lease: one clean at a time across broker processes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 19:20:00

* ``broker_clean_locks``: a named lease (``holder``, ``lease_until``) a scheduled or manual
  clean takes before deleting anything, so that several workers (or a ``clean`` command next
  to a serving broker) never clean at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "broker_clean_locks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("broker_clean_locks")
