"""A recipient's receipts not yet delivered or read, from a small partial index.

- receipt (recipient_kind, recipient_id) WHERE delivered_at IS NULL OR read_at IS NULL:
  the client's open items ("unread"), marking a list's messages received and the
  email notices looked for these receipts by scanning the whole table (the primary
  key starts with the message).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "delivered_at IS NULL OR read_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.create_index("ix_receipt_pending", ["recipient_kind", "recipient_id"], unique=False,
                              postgresql_where=sa.text(PENDING), sqlite_where=sa.text(PENDING))


def downgrade() -> None:
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_receipt_pending")
