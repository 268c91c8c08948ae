"""observation grain and estimate

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 13:30:00

(Written as 0008 after 0007 on branch `grain`; chained after 0009 when main, which has 0009, was merged in.)

A figure is stored at the grain its source gives (a month, a quarter, the first 6 or 9 months, a year;
`period` stays the period's first day) and is never turned into a month; the grain is part of the figure's
key. `estimated` marks a figure written before its period was over ("ước thực hiện"); loading the actual
figure later replaces it as a revision, which keeps whether the old and the new figure were estimates.
Downgrading deletes the figures stored at a grain coarser than a month (the old key cannot hold them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_OLD_KEY = "uq_observation_unit_id_metric_id_period_member_id"
_NEW_KEY = "uq_observation_unit_id_metric_id_period_member_id_grain"


def upgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        batch.add_column(sa.Column("grain", sa.String(length=16), nullable=False, server_default="month"))
        batch.add_column(sa.Column("estimated", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.drop_constraint(_OLD_KEY, type_="unique")
        batch.create_unique_constraint(_NEW_KEY, ["unit_id", "metric_id", "period", "member_id", "grain"])
    with op.batch_alter_table("revision") as batch:
        batch.add_column(sa.Column("old_estimated", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("new_estimated", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("revision") as batch:
        batch.drop_column("new_estimated")
        batch.drop_column("old_estimated")
    op.execute(sa.text("DELETE FROM revision WHERE observation_id IN (SELECT id FROM observation WHERE grain <> 'month')"))
    op.execute(sa.text("DELETE FROM observation WHERE grain <> 'month'"))
    with op.batch_alter_table("observation") as batch:
        batch.drop_constraint(_NEW_KEY, type_="unique")
        batch.create_unique_constraint(_OLD_KEY, ["unit_id", "metric_id", "period", "member_id"])
        batch.drop_column("estimated")
        batch.drop_column("grain")
