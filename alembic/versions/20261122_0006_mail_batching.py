"""Firm settings for batched client emails.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("firm", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_quiet_minutes", sa.Integer(), nullable=False, server_default="10"))
        batch_op.add_column(sa.Column("mail_include_text", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("mail_include_amounts", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("firm", schema=None) as batch_op:
        batch_op.drop_column("mail_include_amounts")
        batch_op.drop_column("mail_include_text")
        batch_op.drop_column("mail_quiet_minutes")
