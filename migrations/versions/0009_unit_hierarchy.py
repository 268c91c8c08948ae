"""unit hierarchy: units placed in provinces (63 or 34), regions and the nation; population reference

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02 13:30:00

`unit.area_code` names the province a unit reports for; `area` holds the provinces of both maps of the
country (63 until 2025-07-01, 34 from then, Nghị quyết 202/2025/QH15), the six socio-economic regions and the
nation; `population` the reference population per area and year. Both tables are filled by `init` from
data/provinces.yaml and data/population.yaml. (down_revision is 0007 on the branch it was written on; the lead
re-chains it at merge.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("area_code", sa.String(length=16), nullable=True))
        batch.create_index(batch.f("ix_unit_area_code"), ["area_code"], unique=False)
    op.create_table(
        "area",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("map", sa.String(length=4), nullable=False),
        sa.Column("name_vi", sa.String(length=255), nullable=False),
        sa.Column("name_en", sa.String(length=255), nullable=False),
        sa.Column("parent_code", sa.String(length=16), nullable=True),
        sa.Column("successor_code", sa.String(length=16), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_area")),
    )
    op.create_table(
        "population",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_population")),
        sa.UniqueConstraint("area_code", "year", name=op.f("uq_population_area_code_year")),
    )


def downgrade() -> None:
    op.drop_table("population")
    op.drop_table("area")
    with op.batch_alter_table("unit") as batch:
        batch.drop_index(batch.f("ix_unit_area_code"))
        batch.drop_column("area_code")
