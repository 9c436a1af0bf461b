"""Audit trail of security-relevant actions."""

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from portal.domain.clock import utcnow


class AuditEvent(SQLModel, table=True):
    """Who did what to which object, and when."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_kind", "object_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_kind: str = Field(max_length=10)
    actor_id: int | None = None
    action: str = Field(max_length=50)
    object_kind: str = Field(default="", max_length=30)
    object_id: int | None = None
    at: datetime = Field(default_factory=utcnow)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
