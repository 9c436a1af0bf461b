"""DATEV consultant number of the firm and client number of each account.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("firm", schema=None) as batch_op:
        batch_op.add_column(sa.Column("datev_consultant_number", sa.Integer(), nullable=True))
    with op.batch_alter_table("client_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("datev_client_number", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("client_account", schema=None) as batch_op:
        batch_op.drop_column("datev_client_number")
    with op.batch_alter_table("firm", schema=None) as batch_op:
        batch_op.drop_column("datev_consultant_number")
