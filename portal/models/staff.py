"""The firm and its staff."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal.domain.clock import utcnow


class Firm(SQLModel, table=True):
    """The accounting firm running this installation (one row)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    datev_consultant_number: int | None = None
    read_marks: bool = True
    # "MandantenTalk Passwort": email links then log nobody in; the talk area needs the password too.
    talk_password: bool = False
    # Client emails: minutes without new messages before a batch goes out, and what it may contain.
    mail_quiet_minutes: int = 10
    mail_include_text: bool = False
    mail_include_amounts: bool = False
    # Public sign-up page for new clients ("Selbstregistrierung").
    self_signup: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class StaffUser(SQLModel, table=True):
    """An admin or accountant of the firm."""

    __tablename__ = "staff_user"
    # One portal user per provider account; NULLs (no SSO yet) do not collide.
    __table_args__ = (Index("ix_staff_user_oidc", "oidc_issuer", "oidc_subject", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    password_hash: str | None = Field(default=None, max_length=200)
    sender_name: str = Field(default="", max_length=200)
    # "" follows the browser's Accept-Language; emails then use the default language.
    locale: str = Field(default="", max_length=10)
    # IANA zone for dates and times; "" means the firm's (Europe/Berlin).
    timezone: str = Field(default="", max_length=64)
    # Personal setting: emails about new client messages (batched like the client emails).
    email_notices: bool = True
    # Heartbeat of the user's open staff tabs; a stale value means the working session ended.
    last_seen_at: datetime | None = None
    # The single sign-on account bound at the first SSO login (found by verified email then);
    # later logins match the provider's stable subject, so a changed email keeps working and
    # an address reassigned at the provider does not take this user over.
    oidc_issuer: str | None = Field(default=None, max_length=500)
    oidc_subject: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
