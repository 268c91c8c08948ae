"""sign-in throttle per name and client

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:30:00

Failed sign-ins were counted per typed name from the audit trail, so anyone could lock an account from
anywhere and every later attempt extended the lock. They are now counted per (name, client) in their own
table with an exponential, capped back-off (commstats.auth), and the typed name is stored only as a
keyed hash; `app_secret` holds that key, made here once per database.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("name_key", sa.String(length=32), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name_key", "client", name=op.f("pk_sign_in_throttle")),
    )
    secret = op.create_table(
        "app_secret",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_app_secret")),
    )
    op.bulk_insert(secret, [{"name": "name_hash", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("app_secret")
    op.drop_table("sign_in_throttle")
