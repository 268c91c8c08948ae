"""narrative blocks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00

The text blocks of a unit's report per period (overall assessment, difficulties, next period's tasks,
recommendations, letterhead and signature), versioned: each save adds a row. (down_revision is 0004 on the
branch it was written on; the lead re-chains it after the migrations of other branches at merge.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "narrative_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_narrative_block_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_narrative_block")),
        sa.UniqueConstraint(
            "unit_id", "period_key", "kind", "version", name=op.f("uq_narrative_block_unit_id_period_key_kind_version")
        ),
    )
    op.create_index(op.f("ix_narrative_block_unit_id"), "narrative_block", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_narrative_block_unit_id"), table_name="narrative_block")
    op.drop_table("narrative_block")
