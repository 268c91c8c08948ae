"""feed state per unit

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 02:50:00

Feed validators (ETag / Last-Modified) were kept per URL; they are now kept per unit and URL, so a
304 answered to one unit's fetch cannot hide new posts from another unit fetching the same feed.
Existing rows cannot be given a unit, so they are dropped: they are only a cache for conditional
requests, and the next fetch reads each feed in full once (stored posts are matched by guid, so
nothing is counted twice).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM feed_state")
    with op.batch_alter_table("feed_state") as batch:
        batch.drop_constraint("uq_feed_state_url", type_="unique")
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=False))
        batch.create_foreign_key(op.f("fk_feed_state_unit_id_unit"), "unit", ["unit_id"], ["id"])
        batch.create_unique_constraint(op.f("uq_feed_state_unit_id_url"), ["unit_id", "url"])


def downgrade() -> None:
    op.execute("DELETE FROM feed_state")
    with op.batch_alter_table("feed_state") as batch:
        batch.drop_constraint(op.f("uq_feed_state_unit_id_url"), type_="unique")
        batch.drop_constraint(op.f("fk_feed_state_unit_id_unit"), type_="foreignkey")
        batch.drop_column("unit_id")
        batch.create_unique_constraint(op.f("uq_feed_state_url"), ["url"])
