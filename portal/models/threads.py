"""Threads (booking talks, conversations, internal notes) and their messages."""

from datetime import datetime

from sqlalchemy import Index, Text, text
from sqlmodel import Field, SQLModel

from portal.domain.clock import utcnow


class Thread(SQLModel, table=True):
    """A conversation, optionally about one booking."""

    # account_status: an account's open or closed threads. status_last: the staff inbox, a
    # view's threads newest activity first, read in index order and cut at the page size.
    __table_args__ = (
        Index("ix_thread_account_status", "account_id", "status"),
        Index("ix_thread_status_last", "status", "last_message_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="client_account.id")
    kind: str = Field(max_length=20)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    subject: str = Field(default="", max_length=200)
    audience: str = Field(default="all", max_length=10)
    audience_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    started_by_side: str = Field(max_length=10)
    status: str = Field(default="open", max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    # When its newest undeleted message was written (created_at while it has none), kept by
    # talks.record_message and talks.delete_message, so lists sort by activity without
    # looking at the messages.
    last_message_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    closed_by: int | None = None


class Message(SQLModel, table=True):
    """One message in a thread."""

    # thread_created: a thread's messages in order; thread_last: the newest undeleted
    # message of a thread (lists by last activity, counters) in one index step.
    __table_args__ = (
        Index("ix_message_thread_created", "thread_id", "created_at"),
        Index("ix_message_thread_last", "thread_id", "deleted_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="thread.id")
    author_kind: str = Field(max_length=10)
    author_id: int
    sender_name: str = Field(default="", max_length=200)
    body: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
    edited_at: datetime | None = None
    deleted_at: datetime | None = None


class Receipt(SQLModel, table=True):
    """Delivery and read state of a message for one recipient."""

    # What a recipient has not received or read yet (the client's open items, read marks, email
    # notices): a few rows per recipient, where their whole history runs into the thousands.
    # Reading implies delivery, so in practice the predicate is read_at IS NULL; spelled as
    # the OR, Postgres also takes it for the delivered_at IS NULL lookups.
    __table_args__ = (
        Index("ix_receipt_pending", "recipient_kind", "recipient_id",
              postgresql_where=text("delivered_at IS NULL OR read_at IS NULL"),
              sqlite_where=text("delivered_at IS NULL OR read_at IS NULL")),
    )

    message_id: int = Field(foreign_key="message.id", primary_key=True)
    recipient_kind: str = Field(max_length=10, primary_key=True)
    recipient_id: int = Field(primary_key=True)
    delivered_at: datetime | None = None
    read_at: datetime | None = None


class ClientTask(SQLModel, table=True):
    """A document request inside a thread that the client ticks off."""

    __tablename__ = "client_task"

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="thread.id", index=True)
    text: str = Field(max_length=500)
    position: int = 0
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None
    done_by: int | None = Field(default=None, foreign_key="contact.id")
