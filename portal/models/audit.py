"""Audit trail of security-relevant actions."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from portal.domain.clock import utcnow


class AuditEvent(SQLModel, table=True):
    """Who did what to which object, and when.

    Rows are never changed; they keep names as they were at the time (``actor_name``,
    names in ``detail``), so the trail still reads right after a rename or an erasure of
    the object. ``account_id`` is the client the event belongs to (None for firm-wide
    ones such as a staff login); no foreign key, so the trail outlives what it names.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_object", "object_kind", "object_id", "at"),
        # A client's protocol, newest first, paged by id.
        Index("ix_audit_event_account", "account_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    actor_kind: str = Field(max_length=10)
    actor_id: int | None = None
    actor_name: str = Field(default="", max_length=200)
    action: str = Field(max_length=50)
    object_kind: str = Field(default="", max_length=30)
    object_id: int | None = None
    account_id: int | None = None
    ip: str = Field(default="", max_length=64)
    at: datetime = Field(default_factory=utcnow)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
