"""Client accounts and onboarding: company address, self sign-up, contact tags and custom
fields, invitation time, firm-defined custom fields, case-folded name index.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("client_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=500),
                                      nullable=False, server_default=""))
        batch_op.add_column(sa.Column("self_signup", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_client_account_name_lower", "client_account", [sa.text("lower(name)")])
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("custom_fields", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("invited_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("firm", schema=None) as batch_op:
        batch_op.add_column(sa.Column("self_signup", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("firm", schema=None) as batch_op:
        batch_op.drop_column("self_signup")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("invited_at")
        batch_op.drop_column("custom_fields")
        batch_op.drop_column("tags")
    op.drop_index("ix_client_account_name_lower", table_name="client_account")
    with op.batch_alter_table("client_account", schema=None) as batch_op:
        batch_op.drop_column("self_signup")
        batch_op.drop_column("address")
    op.drop_table("custom_field")
