"""Folders, documents, upload requests and questionnaires ("organizers")."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from portal.domain.clock import utcnow


class FolderTemplate(SQLModel, table=True):
    """The folders a new client account starts with (firm-defined).

    ``folders`` lists ``{"path": "Steuern/2026", "shared": true, "uploads": false}``
    entries; ``uploads`` marks the folder client and questionnaire uploads land in.
    """

    __tablename__ = "folder_template"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    folders: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    is_default: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Folder(SQLModel, table=True):
    """A folder in a client account's document tree."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="client_account.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="folder.id")
    name: str = Field(max_length=200)
    # Visible to the client's users with full access (subfolders of a shared folder too).
    shared: bool = False
    # The folder where uploads by the client (portal, questionnaires) land.
    uploads_default: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # In the trash ("Papierkorb") since then; its subfolders and documents go with it and
    # point to it in ``trashed_with_folder_id`` (None on the folder staff deleted).
    trashed_at: datetime | None = None
    trashed_by: int | None = Field(default=None, foreign_key="staff_user.id")
    trashed_with_folder_id: int | None = Field(default=None, foreign_key="folder.id")


class Document(SQLModel, table=True):
    """A stored file; the bytes live in the blob store under ``blob_key``."""

    # folder_created: a folder's listing, newest first (also any lookup by folder alone).
    # account_trashed: a client's trash; trashed: the purge's look for old trash.
    __table_args__ = (
        Index("ix_document_folder_created", "folder_id", "created_at"),
        Index("ix_document_account_trashed", "account_id", "trashed_at"),
        Index("ix_document_trashed", "trashed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="client_account.id", index=True)
    folder_id: int | None = Field(default=None, foreign_key="folder.id")
    blob_key: str = Field(max_length=100, unique=True)
    filename: str = Field(max_length=255)
    size: int
    content_type: str = Field(max_length=100)
    sha256: str = Field(max_length=64)
    uploaded_by_kind: str = Field(max_length=10)
    uploaded_by_id: int | None = None
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    upload_request_id: int | None = Field(default=None, foreign_key="upload_request.id", index=True)
    task_id: int | None = Field(default=None, foreign_key="client_task.id", index=True)
    # Typed in on a request link page by someone without a login (may be empty).
    uploaded_by_name: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    # RetentionClass: how long the law makes the firm keep it (receipts, business letters).
    retention_class: str = Field(default="none", max_length=20)
    # In the trash since then (see Folder.trashed_at); destroyed after TRASH_DAYS unless retained.
    trashed_at: datetime | None = None
    trashed_by: int | None = Field(default=None, foreign_key="staff_user.id")
    trashed_with_folder_id: int | None = Field(default=None, foreign_key="folder.id")
    # Its uploader's personal data was erased (Art. 17 DSGVO) and it was kept because
    # the law still requires it.
    kept_after_erasure_at: datetime | None = None


class UploadRequest(SQLModel, table=True):
    """A link that lets anyone holding it upload into one folder."""

    __tablename__ = "upload_request"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="client_account.id", index=True)
    folder_id: int = Field(foreign_key="folder.id")
    message: str = Field(default="", sa_type=Text)
    token_hash: str = Field(max_length=64, unique=True)
    # The link is derived from this salt and the server secret, so staff can copy it
    # again later while a database dump alone reveals no working link.
    token_salt: str = Field(max_length=64)
    recipient_email: str = Field(default="", max_length=320)
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_sent_at: datetime | None = None
    # The staff-only thread where arrivals show up in the inbox.
    thread_id: int | None = Field(default=None, foreign_key="thread.id")
    created_by: int = Field(foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow)


class Questionnaire(SQLModel, table=True):
    """An organizer: a template of questions (no account), or a copy sent to one client."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, foreign_key="client_account.id", index=True)
    template_id: int | None = Field(default=None, foreign_key="questionnaire.id")
    title: str = Field(max_length=200)
    intro: str = Field(default="", sa_type=Text)
    created_by: int = Field(foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    submitted_at: datetime | None = None


class Question(SQLModel, table=True):
    """One question of a questionnaire."""

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id", index=True)
    position: int = 0
    text: str = Field(max_length=1000)
    kind: str = Field(max_length=20)
    required: bool = False
    choices: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Answer(SQLModel, table=True):
    """The client's answer to a question (one per question); file answers point to a document."""

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", unique=True, index=True)
    contact_id: int = Field(foreign_key="contact.id")
    value: str = Field(default="", sa_type=Text)
    document_id: int | None = Field(default=None, foreign_key="document.id")
    answered_at: datetime = Field(default_factory=utcnow)
