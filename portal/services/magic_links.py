"""Email links that log a client into the talk area only (``/t/<token>``).

A link opens one session scoped to open items and booking talks; conversations,
documents and settings still ask for the password. With the firm's "talk password"
setting on, links log nobody in and the talk area needs the password too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, select

from portal.domain.actor import Actor
from portal.domain.audit import Action
from portal.domain.clock import utcnow
from portal.domain.enums import SessionScope, SubjectKind, TokenScope
from portal.domain.tokens import hash_token, new_token
from portal.models import AccountContact, AuthSession, Contact, Firm, LoginFailure, LoginToken
from portal.services import access, audit, auth, db

LINK_VALID = timedelta(days=14)
# Guessing tokens from one address: refused after this many misses in the window.
MAX_MISSES = 20
MISS_WINDOW = timedelta(minutes=15)


class LinkProblem(StrEnum):
    """Why a link did not log anybody in."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    PASSWORD = "password"  # the firm wants the password for the talk area
    LIMITED = "limited"  # too many wrong tokens from this address


@dataclass(frozen=True)
class LinkResult:
    """Outcome of opening a link: a session token, or the problem."""

    session_token: str | None = None
    problem: LinkProblem | None = None


def issue_talk_link(s: Session, *, contact_id: int) -> str:
    """Create a talk link for a contact inside the caller's transaction.

    Returns:
        The raw token for the email; only its hash is stored.
    """
    token = new_token()
    now = utcnow()
    s.add(LoginToken(token_hash=hash_token(token), subject_kind=SubjectKind.CONTACT, subject_id=contact_id,
                     scope=TokenScope.TALK, created_at=now, expires_at=now + LINK_VALID))
    return token


def talk_password_required() -> bool:
    """Whether the firm switched on "talk password" (links then carry no login)."""
    with db.session() as s:
        firm = s.exec(select(Firm)).first()
        return bool(firm and firm.talk_password)


def set_talk_password(*, actor: Actor, enabled: bool) -> None:
    """Switch the "talk password" setting (admins only).

    Turning it on also revokes every outstanding link, so none of them logs anybody in.

    Raises:
        AccessDenied: If the actor is not an admin.
    """
    if not actor.is_admin:
        raise access.AccessDenied("admins only")
    with db.session() as s:
        firm = s.exec(select(Firm)).first() or Firm(name="")
        firm.talk_password = enabled
        s.add(firm)
        if enabled:
            s.exec(update(LoginToken).where(LoginToken.scope == TokenScope.TALK, LoginToken.used_at.is_(None),
                                            LoginToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
        s.commit()


def revoke_contact_links(*, actor: Actor, account_id: int, contact_id: int) -> int:
    """Revoke a contact's talk links and end the sessions they opened (staff working the account).

    For a forwarded or leaked email: the link stops working, and whoever already
    opened it is logged out of the talk area. Password sessions stay.

    Returns:
        How many unused links and open link sessions were ended.

    Raises:
        NotFound: If the actor does not work the account or the contact is not on it.
    """
    now = utcnow()
    with db.session() as s:
        access.staff_account(s, actor, account_id)
        if s.get(AccountContact, (account_id, contact_id)) is None:
            raise access.NotFound("contact")
        links = s.exec(update(LoginToken).where(
            LoginToken.subject_kind == SubjectKind.CONTACT, LoginToken.subject_id == contact_id,
            LoginToken.scope == TokenScope.TALK, LoginToken.used_at.is_(None), LoginToken.revoked_at.is_(None),
            LoginToken.expires_at > now).values(revoked_at=now))
        sessions = s.exec(update(AuthSession).where(
            AuthSession.subject_kind == SubjectKind.CONTACT, AuthSession.subject_id == contact_id,
            AuthSession.scope == SessionScope.TALK, AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now).values(revoked_at=now))
        s.commit()
        return links.rowcount + sessions.rowcount


def open_talk_link(*, token: str, client: str) -> LinkResult:
    """Use a link: on success a talk-scoped session for its contact.

    The token is looked up by its hash (no timing difference between near misses), and
    a link works once: the session it opens lasts, the link does not.

    Args:
        token: The token from the URL.
        client: The requester's address, for the guessing limit.
    """
    now = utcnow()
    with db.session() as s:
        if guessing_limited(s, client, now):
            return LinkResult(problem=LinkProblem.LIMITED)
        row = s.exec(select(LoginToken).where(LoginToken.token_hash == hash_token(token),
                                              LoginToken.scope == TokenScope.TALK)).first()
        if row is None:
            record_miss(s, client, now)
            s.commit()
            return LinkResult(problem=LinkProblem.UNKNOWN)
        problem = _problem(s, row, now)
        if problem is not None:
            return LinkResult(problem=problem)
        # Conditional update: two clicks at once must not both log in.
        used = s.exec(update(LoginToken).where(LoginToken.id == row.id, LoginToken.used_at.is_(None))
                      .values(used_at=now))
        if used.rowcount != 1:
            return LinkResult(problem=LinkProblem.USED)
        session_token = auth.open_session(s, SubjectKind.CONTACT, row.subject_id, now, SessionScope.TALK)
        contact = s.get(Contact, row.subject_id)
        audit.record_login(s, action=Action.LOGIN_SUCCEEDED, email=contact.email or "", subject=contact, ip=client,
                           method="magic_link")
        s.commit()
        return LinkResult(session_token=session_token)


def _miss_key(client: str) -> str:
    # One budget per address for every kind of link token (talk and upload request links).
    return f"link:{client}"[:320]


def guessing_limited(s: Session, client: str, now: datetime) -> bool:
    """Whether ``client`` missed too many link tokens lately to be answered at all."""
    misses = s.exec(select(LoginFailure.id).where(LoginFailure.email == _miss_key(client),
                                                  LoginFailure.at > now - MISS_WINDOW)).all()
    return len(misses) >= MAX_MISSES


def record_miss(s: Session, client: str, now: datetime) -> None:
    """Count an unknown link token against ``client`` (caller commits)."""
    s.add(LoginFailure(email=_miss_key(client), at=now))


def _problem(s: Session, row: LoginToken, now) -> LinkProblem | None:
    if row.revoked_at is not None:
        return LinkProblem.REVOKED
    if row.used_at is not None:
        return LinkProblem.USED
    if row.expires_at <= now:
        return LinkProblem.EXPIRED
    firm = s.exec(select(Firm)).first()
    if firm is not None and firm.talk_password:
        return LinkProblem.PASSWORD
    login = s.exec(select(AccountContact.account_id).where(AccountContact.contact_id == row.subject_id,
                                                           AccountContact.login == True)).first()  # noqa: E712
    return None if login is not None else LinkProblem.REVOKED
