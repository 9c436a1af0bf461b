"""Outgoing email, digest subscriptions and admin reminders."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from portal.domain.clock import utcnow


class Outbox(SQLModel, table=True):
    """An email waiting to be sent, or the record of one that was."""

    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to: str = Field(max_length=320)
    template: str = Field(max_length=50)
    context: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    not_before: datetime = Field(default_factory=utcnow)
    batch_key: str | None = Field(default=None, max_length=100, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str = Field(default="", sa_type=Text)


class DigestSubscription(SQLModel, table=True):
    """A staff user's periodic digest, for one client account or all of theirs."""

    __tablename__ = "digest_subscription"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    account_id: int | None = Field(default=None, foreign_key="client_account.id")
    frequency: str = Field(max_length=10)
    next_run_at: datetime = Field(index=True)
    last_sent_at: datetime | None = None


class Reminder(SQLModel, table=True):
    """An admin's reminder to the accountants of a client about pending work."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="client_account.id", index=True)
    from_admin_id: int = Field(foreign_key="staff_user.id")
    task_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    comment: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)


class PushSubscription(SQLModel, table=True):
    """One device's Web Push subscription (a browser's push service endpoint and keys)."""

    __tablename__ = "push_subscription"
    __table_args__ = (Index("ix_push_subscription_subject", "subject_kind", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_kind: str = Field(max_length=10)
    subject_id: int
    endpoint: str = Field(max_length=2000, unique=True)
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    device: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None


class ServerKey(SQLModel, table=True):
    """A key the installation generates once and shares between workers (e.g. VAPID)."""

    __tablename__ = "server_key"

    name: str = Field(primary_key=True, max_length=50)
    value: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
