"""Login sessions, emailed login tokens, failed-login records and used SSO states."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal.domain.clock import utcnow


class AuthSession(SQLModel, table=True):
    """A revocable login session; the cookie carries only its random token."""

    __tablename__ = "auth_session"
    __table_args__ = (Index("ix_auth_session_subject", "subject_kind", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    subject_kind: str = Field(max_length=10)
    subject_id: int
    scope: str = Field(default="full", max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None


class LoginToken(SQLModel, table=True):
    """A single-use token sent by email (talk link, activation, password reset)."""

    __tablename__ = "login_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    subject_kind: str = Field(max_length=10)
    subject_id: int
    scope: str = Field(max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class LoginFailure(SQLModel, table=True):
    """A failed login for an email address; counted for the lockout."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_email_at", "email", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    at: datetime = Field(default_factory=utcnow)


class OidcState(SQLModel, table=True):
    """The state of a single sign-on that came back once; a second return with it is refused.

    The rest of the flow (nonce, PKCE verifier) lives in the browser's signed cookie; only
    what was used is stored, for as long as the cookie could still be presented.
    """

    __tablename__ = "oidc_state"

    state_hash: str = Field(max_length=64, primary_key=True)
    expires_at: datetime = Field(index=True)
