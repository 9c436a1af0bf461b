"""Client accounts get a random public id for URLs; bookings exports are recorded.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("format", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("blob_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("booking_count", sa.Integer(), nullable=False),
        sa.Column("closed_talks", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["client_account.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("blob_key"),
    )
    with op.batch_alter_table("booking_export", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_export_account_id"), ["account_id"], unique=False)

    # Nullable first, fill existing rows with fresh random ids, then tighten.
    with op.batch_alter_table("client_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    conn = op.get_bind()
    for (account_id,) in conn.execute(sa.text("SELECT id FROM client_account")).all():
        conn.execute(sa.text("UPDATE client_account SET public_id = :p WHERE id = :i"),
                     {"p": secrets.token_urlsafe(12), "i": account_id})
    with op.batch_alter_table("client_account", schema=None) as batch_op:
        batch_op.alter_column("public_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
                              nullable=False)
        batch_op.create_unique_constraint("uq_client_account_public_id", ["public_id"])


def downgrade() -> None:
    with op.batch_alter_table("client_account", schema=None) as batch_op:
        batch_op.drop_constraint("uq_client_account_public_id", type_="unique")
        batch_op.drop_column("public_id")
    with op.batch_alter_table("booking_export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_export_account_id"))
    op.drop_table("booking_export")
