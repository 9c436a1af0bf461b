"""Threads store when their newest message was written.

- thread.last_message_at: the newest undeleted message's created_at, else the thread's
  created_at. The staff inbox and the conversation lists sort and page by it instead of
  looking up every thread's newest message.
- thread (status, last_message_at, id): a view of the inbox (open or closed) read newest
  first in index order, stopping at the page size. A client user's list keeps using
  (account_id, status): one contact's threads are few enough to sort after reading.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added NOT NULL with a placeholder default and filled from the messages in one statement.
    # Adding nullable and tightening afterwards would make SQLite rebuild the table, and
    # dropping the old thread table fails its messages' foreign keys.
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_message_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False,
                                      server_default="1970-01-01 00:00:00+00:00"))
    op.execute(
        "UPDATE thread SET last_message_at = COALESCE("
        "(SELECT MAX(message.created_at) FROM message"
        " WHERE message.thread_id = thread.id AND message.deleted_at IS NULL), thread.created_at)")
    # The portal always writes the value; SQLite keeps the unused default, as dropping it is a rebuild.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("thread", "last_message_at", server_default=None)
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.create_index("ix_thread_status_last", ["status", "last_message_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.drop_index("ix_thread_status_last")
        batch_op.drop_column("last_message_at")
