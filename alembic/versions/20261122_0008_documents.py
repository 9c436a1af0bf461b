"""Documents: folder templates, shared and upload folders, request-link bookkeeping,
uploads against client tasks, questionnaire templates, one answer per question.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Existing rows get these values; the models set them for new rows.
_NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "folder_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("folders", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_question_id")
        batch_op.create_index("ix_answer_question_id", ["question_id"], unique=True)

    with op.batch_alter_table("client_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False,
                                      server_default=_NOW))
        batch_op.add_column(sa.Column("done_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_client_task_done_by_contact", "contact", ["done_by"], ["id"])
        batch_op.create_foreign_key("fk_client_task_created_by_staff_user", "staff_user", ["created_by"], ["id"])

    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("upload_request_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("task_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("uploaded_by_name", sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=False, server_default=""))
        batch_op.create_index("ix_document_task_id", ["task_id"], unique=False)
        batch_op.create_index("ix_document_upload_request_id", ["upload_request_id"], unique=False)
        batch_op.create_foreign_key("fk_document_task_id_client_task", "client_task", ["task_id"], ["id"])
        batch_op.create_foreign_key("fk_document_upload_request_id_upload_request", "upload_request",
                                    ["upload_request_id"], ["id"])

    with op.batch_alter_table("folder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("uploads_default", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False,
                                      server_default=_NOW))

    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("required", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("questionnaire", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("intro", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.alter_column("account_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key("fk_questionnaire_template_id_questionnaire", "questionnaire",
                                    ["template_id"], ["id"])

    with op.batch_alter_table("upload_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("last_sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("thread_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_upload_request_thread_id_thread", "thread", ["thread_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("upload_request", schema=None) as batch_op:
        batch_op.drop_constraint("fk_upload_request_thread_id_thread", type_="foreignkey")
        batch_op.drop_column("thread_id")
        batch_op.drop_column("last_sent_at")
        batch_op.drop_column("token_salt")

    with op.batch_alter_table("questionnaire", schema=None) as batch_op:
        batch_op.drop_constraint("fk_questionnaire_template_id_questionnaire", type_="foreignkey")
        batch_op.alter_column("account_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("sent_at")
        batch_op.drop_column("intro")
        batch_op.drop_column("template_id")

    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("required")

    with op.batch_alter_table("folder", schema=None) as batch_op:
        batch_op.drop_column("created_at")
        batch_op.drop_column("uploads_default")
        batch_op.drop_column("shared")

    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint("fk_document_upload_request_id_upload_request", type_="foreignkey")
        batch_op.drop_constraint("fk_document_task_id_client_task", type_="foreignkey")
        batch_op.drop_index("ix_document_upload_request_id")
        batch_op.drop_index("ix_document_task_id")
        batch_op.drop_column("uploaded_by_name")
        batch_op.drop_column("task_id")
        batch_op.drop_column("upload_request_id")

    with op.batch_alter_table("client_task", schema=None) as batch_op:
        batch_op.drop_constraint("fk_client_task_created_by_staff_user", type_="foreignkey")
        batch_op.drop_constraint("fk_client_task_done_by_contact", type_="foreignkey")
        batch_op.drop_column("done_by")
        batch_op.drop_column("created_at")
        batch_op.drop_column("created_by")
        batch_op.drop_column("position")

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_question_id")
        batch_op.create_index("ix_answer_question_id", ["question_id"], unique=False)

    op.drop_table("folder_template")
