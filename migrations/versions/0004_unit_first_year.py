"""unit first year

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 08:00:00

The first year a unit may have figures for. Imports refuse a month before it (or after the current
month plus a margin), so one date cell of 1800 or 9999 can no longer enter the observation table.
Empty means the settings' default (COMMSTATS_FIRST_YEAR).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("first_year", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("first_year")
