"""persisted webhook deliveries (triggered webhooks) and webhook secrets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00

* ``triggered_webhooks``: one row per delivery owed (a webhook matched an event), written in
  the triggering transaction and worked off by each broker process's delivery loop, which claims
  a row with a lease (``claimed_by``/``claimed_until``) so that every delivery is made once.
* ``webhook_executions.triggered_webhook_id``: each attempt belongs to its triggered webhook.
* ``webhook_secrets``: the values webhooks name as ``${user.NAME}``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
FK_NAME = "fk_webhook_executions_triggered_webhook_id"


def _create_triggered_webhooks() -> None:
    op.create_table(
        "triggered_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=64), nullable=False),
        sa.Column("trigger_uuid", sa.String(length=64), nullable=False),
        sa.Column("trigger_type", sa.String(length=32), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("event_name", sa.String(length=100), nullable=False),
        sa.Column("consumer_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("pact_publication_id", sa.Integer(), nullable=True),
        sa.Column("verification_id", sa.Integer(), nullable=True),
        sa.Column("event_context", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["consumer_id"], ["pacticipants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["provider_id"], ["pacticipants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["pact_publication_id"], ["pact_publications.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["verification_id"], ["verifications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid"),
    )
    for name, columns in (
        ("ix_triggered_webhooks_due", ["status", "next_attempt_at"]),
        ("ix_triggered_webhooks_pact_publication_id", ["pact_publication_id"]),
        ("ix_triggered_webhooks_verification_id", ["verification_id"]),
        ("ix_triggered_webhooks_webhook_id", ["webhook_id"]),
        ("ix_triggered_webhooks_consumer_provider", ["consumer_id", "provider_id"]),
    ):
        op.create_index(name, "triggered_webhooks", columns, unique=False)


def upgrade() -> None:
    _create_triggered_webhooks()
    op.create_table(
        "webhook_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=1024), nullable=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("uuid"),
    )
    with op.batch_alter_table("webhook_executions") as batch:
        batch.add_column(sa.Column("triggered_webhook_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            FK_NAME, "triggered_webhooks", ["triggered_webhook_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index(
            "ix_webhook_executions_triggered_webhook_id", ["triggered_webhook_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_executions") as batch:
        batch.drop_index("ix_webhook_executions_triggered_webhook_id")
        batch.drop_constraint(FK_NAME, type_="foreignkey")
        batch.drop_column("triggered_webhook_id")
    op.drop_table("webhook_secrets")
    for name in (
        "ix_triggered_webhooks_consumer_provider",
        "ix_triggered_webhooks_webhook_id",
        "ix_triggered_webhooks_verification_id",
        "ix_triggered_webhooks_pact_publication_id",
        "ix_triggered_webhooks_due",
    ):
        op.drop_index(name, table_name="triggered_webhooks")
    op.drop_table("triggered_webhooks")
