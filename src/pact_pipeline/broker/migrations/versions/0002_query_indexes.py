"""indexes for queries whose cost must not grow with the history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 12:00:00

Each index turns a scan over every row of an integration, branch or pact version into a seek
(``BENCHMARKS.md`` has the figures):

* ``pact_publications (provider_id, consumer_id, consumer_version_id)`` replaces
  ``(provider_id, consumer_id)``: the newest pact of an integration, the previous one when
  publishing, and the consumers of a provider (one seek per consumer, not per publication).
* ``pact_publications (consumer_id, provider_id)``: the providers of a consumer.
* ``branch_versions (branch_id, id)``: a branch's head is its newest branch version; without it
  every version on the branch is read (the ``pact_broker#872`` query).
* ``verifications (pact_version_id, provider_version_id, id)``: the newest verification per
  (pact version, provider version), as the matrix asks.
* ``verifications (pact_version_id, id)``: the newest verification of a pact version (on SQLite
  the table's rowid is ``id``, so this is ``(pact_version_id)`` there).
* ``deployed_versions (version_id)``: the environments a version is deployed to.
* ``deployed_versions (pacticipant_id, undeployed_at)`` and
  ``released_versions (pacticipant_id, support_ended_at)``: what a pacticipant has in its
  environments now, without reading every deployment or release it ever recorded.
* ``tags (pacticipant_id, name, version_id)``: the newest version with each tag.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    (
        "ix_pact_publications_provider_consumer_version",
        "pact_publications",
        ["provider_id", "consumer_id", "consumer_version_id"],
    ),
    ("ix_pact_publications_consumer_provider", "pact_publications", ["consumer_id", "provider_id"]),
    ("ix_branch_versions_branch_id_id", "branch_versions", ["branch_id", "id"]),
    (
        "ix_verifications_pact_version_provider_version",
        "verifications",
        ["pact_version_id", "provider_version_id", "id"],
    ),
    ("ix_verifications_pact_version_id_id", "verifications", ["pact_version_id", "id"]),
    ("ix_deployed_versions_version_id", "deployed_versions", ["version_id"]),
    (
        "ix_deployed_versions_pacticipant_current",
        "deployed_versions",
        ["pacticipant_id", "undeployed_at"],
    ),
    (
        "ix_released_versions_pacticipant_current",
        "released_versions",
        ["pacticipant_id", "support_ended_at"],
    ),
    ("ix_tags_pacticipant_name_version", "tags", ["pacticipant_id", "name", "version_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    # Its columns lead the first index above, which serves every query it served.
    op.drop_index("ix_pact_publications_provider_consumer", table_name="pact_publications")


def downgrade() -> None:
    op.create_index(
        "ix_pact_publications_provider_consumer",
        "pact_publications",
        ["provider_id", "consumer_id"],
        unique=False,
    )
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
