"""Indexes for the lists and filters that grow with the firm.

- booking (account_id, ledger, date): an account's bookings filtered by ledger, newest first.
- booking (account_id, receipt_missing, exported_at): missing receipts per account (the
  clients page filter and counts, the client's home, digests) from the index alone.
- document (folder_id, created_at) replaces (folder_id): a folder's listing, newest first.
- contact (activated_at, invited_at): the "pending activation" list in its order.
- message (thread_id, deleted_at, id): a thread's newest undeleted message, which orders
  the inbox and the conversation lists and drives the counters.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index("ix_booking_account_ledger_date", ["account_id", "ledger", "date"], unique=False)
        batch_op.create_index("ix_booking_account_missing", ["account_id", "receipt_missing", "exported_at"],
                              unique=False)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_folder_id"))
        batch_op.create_index("ix_document_folder_created", ["folder_id", "created_at"], unique=False)
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index("ix_contact_pending", ["activated_at", "invited_at"], unique=False)
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index("ix_message_thread_last", ["thread_id", "deleted_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_thread_last")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_pending")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_folder_created")
        batch_op.create_index(batch_op.f("ix_document_folder_id"), ["folder_id"], unique=False)
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_account_missing")
        batch_op.drop_index("ix_booking_account_ledger_date")
