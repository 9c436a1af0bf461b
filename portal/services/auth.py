"""Login, sessions, logout and password reset.

Sessions are database rows; the browser holds only a random token, signed so that
garbage cookies are rejected without a database round trip. Revoking the row logs
the browser out everywhere at once.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, Signer
from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from portal.domain.errors import UserError
from portal import routes
from portal.domain.actor import Actor
from portal.domain.audit import Action
from portal.domain.clock import utcnow
from portal.domain.enums import Role, SessionScope, SubjectKind, TokenScope
from portal.domain.passwords import password_problem
from portal.domain.tokens import hash_token, new_token
from portal.models import (
    AccountContact,
    AuthSession,
    Contact,
    Firm,
    LoginFailure,
    LoginToken,
    StaffUser,
)
from portal.notify import outbox
from portal.services import audit, db
from portal.settings import get_settings

SESSION_COOKIE = "portal_session"
MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
RESET_VALID = timedelta(minutes=60)
# Writing last_seen_at on every page load would turn reads into writes.
TOUCH_INTERVAL = timedelta(minutes=5)

_hasher = PasswordHasher()


class AuthError(UserError):
    """A refused auth operation; ``key`` is the catalog key of the message."""


@dataclass(frozen=True)
class LoginResult:
    """Outcome of a login attempt.

    Attributes:
        token: The new session token (None when refused).
        actor: Who logged in (None when refused).
        error: ``"invalid"`` or ``"locked"`` when refused.
        retry_minutes: With ``"locked"``, minutes until the next attempt is allowed.
    """

    token: str | None = None
    actor: Actor | None = None
    error: str | None = None
    retry_minutes: int = 0


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password`` against an argon2 hash; False for a missing hash."""
    try:
        matches = _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and password_hash is not None


@functools.cache
def _dummy_hash() -> str:
    # Verifying against this when the email is unknown makes both failures cost the same.
    return _hasher.hash(new_token())


def sign_session_token(token: str) -> str:
    """Return the cookie value carrying ``token``."""
    return _signer().sign(token).decode()


def unsign_session_token(value: str) -> str | None:
    """Return the token inside a cookie value, or None if the signature is wrong."""
    try:
        return _signer().unsign(value).decode()
    except BadSignature:
        return None


def _signer() -> Signer:
    return Signer(get_settings().secret_key, salt="portal.session")


def normalize_email(email: str) -> str:
    """Canonical form of an email address for lookups."""
    return email.strip().lower()


def _staff_actor(user: StaffUser, scope: SessionScope = SessionScope.FULL) -> Actor:
    return Actor(kind=SubjectKind.STAFF, id=user.id, name=user.name, email=user.email,
                 role=Role(user.role), scope=scope, locale=user.locale, timezone=user.timezone)


def _contact_actor(contact: Contact, scope: SessionScope = SessionScope.FULL) -> Actor:
    name = f"{contact.first_name} {contact.last_name}".strip() or (contact.email or "")
    return Actor(kind=SubjectKind.CONTACT, id=contact.id, name=name, email=contact.email or "",
                 scope=scope, locale=contact.locale, timezone=contact.timezone)


def _contact_may_log_in(s: Session, contact_id: int) -> bool:
    link = s.exec(
        select(AccountContact.account_id).where(
            AccountContact.contact_id == contact_id, AccountContact.login == True  # noqa: E712
        )
    ).first()
    return link is not None


def _find_login_subject(s: Session, email: str) -> StaffUser | Contact | None:
    """Staff first; a contact only if some account grants them portal login."""
    staff = s.exec(select(StaffUser).where(StaffUser.email == email)).first()
    if staff is not None:
        return staff
    contact = s.exec(select(Contact).where(Contact.email == email)).first()
    if contact is not None and _contact_may_log_in(s, contact.id):
        return contact
    return None


def _actor_for(subject: StaffUser | Contact) -> Actor:
    return _staff_actor(subject) if isinstance(subject, StaffUser) else _contact_actor(subject)


def _lockout_minutes(s: Session, email: str, now: datetime) -> int:
    """Minutes the email stays locked, 0 if it may try now."""
    recent = s.exec(
        select(LoginFailure.at)
        .where(LoginFailure.email == email, LoginFailure.at > now - FAILURE_WINDOW)
        .order_by(LoginFailure.at.desc())
        .limit(MAX_FAILURES)
    ).all()
    if len(recent) < MAX_FAILURES:
        return 0
    # Locked until the oldest of the last MAX_FAILURES failures leaves the window.
    unlock_at = recent[-1] + FAILURE_WINDOW
    return max(1, math.ceil((unlock_at - now).total_seconds() / 60))


def login(*, email: str, password: str, client: str = "") -> LoginResult:
    """Check credentials and open a session.

    Unknown emails and wrong passwords fail identically (same result, same argon2
    work). After ``MAX_FAILURES`` failures for one email within ``FAILURE_WINDOW``
    further attempts are refused without checking the password.

    The audit trail gets the success, each failure (with the typed email, never the
    password) and the failure that starts a lockout; attempts refused while locked add
    nothing, so hammering a locked address cannot flood the trail.

    Args:
        email: The email typed in.
        password: The password typed in.
        client: The requester's address, for the audit trail.

    Returns:
        The result; on success it carries the raw session token for the cookie.
    """
    email = normalize_email(email)
    now = utcnow()
    with db.session() as s:
        locked = _lockout_minutes(s, email, now)
        if locked:
            return LoginResult(error="locked", retry_minutes=locked)
        subject = _find_login_subject(s, email) if email else None
        ok = verify_password(subject.password_hash if subject else None, password)
        if not ok or subject is None:
            s.add(LoginFailure(email=email[:320], at=now))
            audit.record_login(s, action=Action.LOGIN_FAILED, email=email, subject=subject, ip=client)
            locked = _lockout_minutes(s, email, now)
            if locked:
                audit.record_login(s, action=Action.LOGIN_LOCKED, email=email, subject=subject, ip=client,
                                   detail={"minutes": locked})
            s.commit()
            return LoginResult(error="invalid")
        if _hasher.check_needs_rehash(subject.password_hash):
            subject.password_hash = hash_password(password)
            s.add(subject)
        s.exec(delete(LoginFailure).where(LoginFailure.email == email))
        kind = SubjectKind.STAFF if isinstance(subject, StaffUser) else SubjectKind.CONTACT
        token = open_session(s, kind, subject.id, now)
        audit.record_login(s, action=Action.LOGIN_SUCCEEDED, email=email, subject=subject, ip=client)
        s.commit()
        return LoginResult(token=token, actor=_actor_for(subject))


def open_session(s: Session, kind: SubjectKind, subject_id: int, now: datetime,
                 scope: SessionScope = SessionScope.FULL) -> str:
    """Add a new session row (caller commits); return its raw token for the cookie."""
    token = new_token()
    s.add(AuthSession(token_hash=hash_token(token), subject_kind=kind, subject_id=subject_id, scope=scope,
                      created_at=now, last_seen_at=now, expires_at=now + timedelta(days=get_settings().session_days)))
    return token


def change_password(*, token: str, current: str, password: str, repeat: str, client: str = "") -> str:
    """Change the password of the session's user, who proves it with the current one.

    Every session of the user ends, on other devices too; this browser gets a new one.
    Wrong current passwords count as failed logins, so the form cannot be used to guess.

    Args:
        token: The raw session token of the browser asking.
        current: The current password.
        password: The new password.
        repeat: The new password typed again.
        client: The requester's address, for the audit trail.

    Returns:
        The raw token of the new session for this browser.

    Raises:
        AuthError: ``password.no_session`` without a live full session,
            ``password.locked`` after too many failures, ``password.current_wrong``,
            or the key of the password rule that was broken.
    """
    now = utcnow()
    with db.session() as s:
        row = s.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).first()
        if row is None or row.revoked_at is not None or row.expires_at <= now or row.scope != SessionScope.FULL:
            raise AuthError("password.no_session")
        model = StaffUser if row.subject_kind == SubjectKind.STAFF else Contact
        subject = s.get(model, row.subject_id)
        if subject is None:
            raise AuthError("password.no_session")
        email = normalize_email(subject.email)
        if _lockout_minutes(s, email, now):
            raise AuthError("password.locked")
        if not verify_password(subject.password_hash, current):
            s.add(LoginFailure(email=email[:320], at=now))
            s.commit()
            raise AuthError("password.current_wrong")
        problem = password_problem(password, repeat)
        if problem:
            raise AuthError(problem)
        subject.password_hash = hash_password(password)
        s.add(subject)
        kind = SubjectKind(row.subject_kind)
        revoke_all(s, kind, subject.id)
        new = open_session(s, kind, subject.id, now)
        audit.record_for_subject(s, subject=subject, action=Action.PASSWORD_CHANGED, ip=client)
        s.commit()
        return new


def login_sso(*, issuer: str, subject: str, email: str, email_verified: bool, client: str = "") -> LoginResult:
    """Open a staff session for an identity the SSO provider vouched for.

    The user is found by the provider account bound to them, else, at the first SSO login,
    by the email address if the provider verified it; that binds the account. Only staff
    users log in this way: a contact's address is refused like an unknown one, and nobody
    is created.

    Args:
        issuer: The provider (``iss`` of the verified ID token).
        subject: The provider's stable id of the account (``sub``).
        email: The ``email`` claim, possibly empty.
        email_verified: Whether the provider said it verified that email.
        client: The requester's address, for the audit trail.

    Returns:
        The result; refused with ``sso_unknown`` (no staff user for this account),
        ``sso_unverified`` (email not verified) or ``sso_conflict`` (the staff user with
        this email is bound to another account of the provider).
    """
    now = utcnow()
    with db.session() as s:
        user = s.exec(select(StaffUser).where(StaffUser.oidc_issuer == issuer,
                                              StaffUser.oidc_subject == subject)).first()
        if user is None:
            email = normalize_email(email)
            refused = _sso_refusal(s, email, email_verified, issuer)
            if refused:
                audit.record_login(s, action=Action.LOGIN_FAILED, email=email, subject=None, ip=client,
                                   method="sso", detail={"reason": refused})
                s.commit()
                return LoginResult(error=refused)
            user = s.exec(select(StaffUser).where(StaffUser.email == email)).one()
            user.oidc_issuer, user.oidc_subject = issuer, subject
            s.add(user)
        token = open_session(s, SubjectKind.STAFF, user.id, now)
        audit.record_login(s, action=Action.LOGIN_SUCCEEDED, email=user.email, subject=user, ip=client, method="sso")
        s.commit()
        return LoginResult(token=token, actor=_staff_actor(user))


def _sso_refusal(s: Session, email: str, email_verified: bool, issuer: str) -> str | None:
    """Why an SSO account bound to nobody yet may not be bound by its email, if it may not."""
    if not email:
        return "sso_unknown"
    if not email_verified:
        return "sso_unverified"
    user = s.exec(select(StaffUser).where(StaffUser.email == email)).first()
    if user is None:
        return "sso_unknown"
    if user.oidc_issuer == issuer and user.oidc_subject:
        # The provider gave this address to another account (e.g. a successor); the
        # bound one stays the only way in until an admin says otherwise.
        return "sso_conflict"
    return None


def resolve_session(token: str) -> Actor | None:
    """Return the actor of a live session, or None if it is unknown, expired or revoked.

    A contact whose portal login was switched off loses access immediately.

    Args:
        token: The raw session token from the cookie.
    """
    now = utcnow()
    with db.session() as s:
        row = s.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).first()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        if row.subject_kind == SubjectKind.STAFF:
            staff = s.get(StaffUser, row.subject_id)
            actor = _staff_actor(staff, SessionScope(row.scope)) if staff else None
        else:
            contact = s.get(Contact, row.subject_id)
            allowed = contact is not None and _contact_may_log_in(s, contact.id)
            actor = _contact_actor(contact, SessionScope(row.scope)) if allowed else None
        if actor is not None and now - row.last_seen_at > TOUCH_INTERVAL:
            row.last_seen_at = now
            s.add(row)
            s.commit()
        return actor


def logout(*, token: str, client: str | None = None) -> None:
    """Revoke the session behind ``token`` (no-op for unknown tokens).

    Args:
        token: The raw session token.
        client: The requester's address when the user logged out (the audit trail records
            it); None when a session is only replaced by a new login on the same browser.
    """
    with db.session() as s:
        if client is not None:
            row = s.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token),
                                                   AuthSession.revoked_at.is_(None))).first()
            model = StaffUser if row is not None and row.subject_kind == SubjectKind.STAFF else Contact
            subject = s.get(model, row.subject_id) if row is not None else None
            if subject is not None:
                audit.record_for_subject(s, subject=subject, action=Action.LOGOUT, ip=client)
        s.exec(
            update(AuthSession)
            .where(AuthSession.token_hash == hash_token(token), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        s.commit()


def revoke_all(s: Session, kind: SubjectKind, subject_id: int) -> None:
    """End every live session of a user (caller commits)."""
    s.exec(
        update(AuthSession)
        .where(AuthSession.subject_kind == kind, AuthSession.subject_id == subject_id,
               AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def live_session_count(*, kind: SubjectKind, subject_id: int) -> int:
    """Number of unrevoked, unexpired sessions of one user."""
    with db.session() as s:
        return s.exec(
            select(func.count()).select_from(AuthSession).where(
                AuthSession.subject_kind == kind, AuthSession.subject_id == subject_id,
                AuthSession.revoked_at.is_(None), AuthSession.expires_at > utcnow())
        ).one()


def request_password_reset(*, email: str, locale: str) -> None:
    """Email a single-use reset link if ``email`` belongs to someone who may log in.

    Says nothing about whether it did: the caller shows the same notice either way.

    Args:
        email: The address typed into the form.
        locale: UI language of the requester, used when the user has none.
    """
    email = normalize_email(email)
    if not email:
        return
    now = utcnow()
    with db.session() as s:
        subject = _find_login_subject(s, email)
        if subject is None:
            return
        token = new_token()
        kind = SubjectKind.STAFF if isinstance(subject, StaffUser) else SubjectKind.CONTACT
        s.add(LoginToken(token_hash=hash_token(token), subject_kind=kind, subject_id=subject.id,
                         scope=TokenScope.RESET, created_at=now, expires_at=now + RESET_VALID))
        firm = s.exec(select(Firm)).first()
        actor = _actor_for(subject)
        outbox.queue(
            s,
            to=email,
            template="password_reset",
            context={
                "locale": subject.locale or locale,
                "name": actor.name,
                "firm_name": firm.name if firm else "",
                "link": get_settings().base_url + routes.reset_password(token),
                "valid_minutes": int(RESET_VALID.total_seconds() // 60),
            },
        )
        s.commit()


def _usable_reset_token(s: Session, token: str, now: datetime) -> LoginToken | None:
    row = s.exec(select(LoginToken).where(LoginToken.token_hash == hash_token(token))).first()
    if row is None or row.scope != TokenScope.RESET or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def reset_token_is_valid(*, token: str) -> bool:
    """Whether a reset link can still be used (for showing the form or an error)."""
    with db.session() as s:
        return _usable_reset_token(s, token, utcnow()) is not None


def reset_password(*, token: str, password: str, repeat: str, client: str = "") -> None:
    """Set a new password through a reset link and log out every session of that user.

    Args:
        token: The raw token from the link.
        password: The new password.
        repeat: The new password typed again.
        client: The requester's address, for the audit trail.

    Raises:
        AuthError: ``reset.invalid`` for a used, expired or unknown link, or the
            key of the password rule that was broken.
    """
    now = utcnow()
    with db.session() as s:
        row = _usable_reset_token(s, token, now)
        if row is None:
            raise AuthError("reset.invalid")
        problem = password_problem(password, repeat)
        if problem:
            raise AuthError(problem)
        # Conditional update: of two concurrent submissions only one may use the link.
        used = s.exec(
            update(LoginToken).where(LoginToken.id == row.id, LoginToken.used_at.is_(None))
            .values(used_at=now)
        )
        if used.rowcount != 1:
            raise AuthError("reset.invalid")
        model = StaffUser if row.subject_kind == SubjectKind.STAFF else Contact
        subject = s.get(model, row.subject_id)
        if subject is None:
            raise AuthError("reset.invalid")
        subject.password_hash = hash_password(password)
        s.add(subject)
        revoke_all(s, SubjectKind(row.subject_kind), row.subject_id)
        audit.record_for_subject(s, subject=subject, action=Action.PASSWORD_RESET, ip=client)
        s.commit()
