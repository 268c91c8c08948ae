"""server-side sessions of password sign-ins

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 16:40:00

A password sign-in was kept by an HMAC-signed cookie alone, so a copied cookie stayed valid after its
owner signed out elsewhere. Each sign-in is now a row of `user_session` (the token carries its random id,
the table keeps only the id's SHA-256): signing out deletes it, a new password or a disabled account
deletes all of the account's rows, and expired rows are deleted. Cookies signed before this revision name
no row and sign nobody in (their owners sign in once more).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_session_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session") as batch:
        batch.create_index(batch.f("ix_user_session_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_user_session_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_index(batch.f("ix_user_session_expires_at"))
        batch.drop_index(batch.f("ix_user_session_user_id"))
    op.drop_table("user_session")
