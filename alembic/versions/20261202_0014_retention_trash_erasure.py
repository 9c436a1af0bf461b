"""Retention classes, the trash ("Papierkorb") and erased contacts (Art. 17 DSGVO).

- document.retention_class ("receipt", "business_letter", "none"): how long the law keeps
  it. Existing files attached to a booking (receipts uploaded in a booking talk) become
  receipts, everything else "none" until staff set a class.
- document/folder trashed_at, trashed_by, trashed_with_folder_id: deleting moves to the
  trash; a folder takes its subfolders and documents along (they point to it).
- document (account_id, trashed_at): a client's trash; document (trashed_at): the purge.
- document.kept_after_erasure_at: the uploader was erased, the file kept for retention.
- contact.erased_at: the contact's personal data was erased.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _trash_columns(batch_op, table: str) -> None:
    batch_op.add_column(sa.Column("trashed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    batch_op.add_column(sa.Column("trashed_by", sa.Integer(), nullable=True))
    batch_op.add_column(sa.Column("trashed_with_folder_id", sa.Integer(), nullable=True))
    batch_op.create_foreign_key(f"fk_{table}_trashed_by_staff_user", "staff_user", ["trashed_by"], ["id"])
    batch_op.create_foreign_key(f"fk_{table}_trashed_with_folder_id_folder", "folder",
                                ["trashed_with_folder_id"], ["id"])


def upgrade() -> None:
    with op.batch_alter_table("folder", schema=None) as batch_op:
        _trash_columns(batch_op, "folder")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_class", sqlmodel.sql.sqltypes.AutoString(length=20),
                                      nullable=False, server_default="none"))
        batch_op.add_column(sa.Column("kept_after_erasure_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        _trash_columns(batch_op, "document")
        batch_op.create_index("ix_document_account_trashed", ["account_id", "trashed_at"], unique=False)
        batch_op.create_index("ix_document_trashed", ["trashed_at"], unique=False)
    op.execute(sa.text("UPDATE document SET retention_class = 'receipt' WHERE booking_id IS NOT NULL"))
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
    for table in ("document", "folder"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == "document":
                batch_op.drop_index("ix_document_trashed")
                batch_op.drop_index("ix_document_account_trashed")
                batch_op.drop_column("kept_after_erasure_at")
                batch_op.drop_column("retention_class")
            batch_op.drop_constraint(f"fk_{table}_trashed_with_folder_id_folder", type_="foreignkey")
            batch_op.drop_constraint(f"fk_{table}_trashed_by_staff_user", type_="foreignkey")
            batch_op.drop_column("trashed_with_folder_id")
            batch_op.drop_column("trashed_by")
            batch_op.drop_column("trashed_at")
