"""Bringing clients into the portal: invitations, activation links and self sign-up.

An invitation emails a contact a single-use activation link (14 days). Opening it, the
contact sets a password and is logged in; the account then counts as active. A new
invitation voids the links sent before. Self sign-up creates an account that waits in
"Onboarding" until the firm invites its contact, and tells the staff in their inbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from portal import realtime, routes
from portal.domain import clients as rules
from portal.domain.actor import Actor
from portal.domain.addresses import clean_address
from portal.domain.audit import Action
from portal.domain.clock import utcnow
from portal.domain.enums import (
    AccountKind,
    AccountStatus,
    Audience,
    SubjectKind,
    ThreadKind,
    TokenScope,
)
from portal.domain.errors import UserError
from portal.domain.passwords import password_problem
from portal.domain.talks import FIRM_RECIPIENT, MAX_SUBJECT_CHARS
from portal.domain.text import clean_block
from portal.domain.tokens import hash_token, new_token
from portal.i18n import DEFAULT_LOCALE, normalize_locale, translate
from portal.models import (
    AccountContact,
    ClientAccount,
    Contact,
    Firm,
    LoginFailure,
    LoginToken,
    StaffUser,
    Thread,
)
from portal.notify import outbox
from portal.services import audit, auth, db, folders, talks
from portal.services.access import NotFound, staff_account
from portal.services.clients import refresh_status
from portal.services.magic_links import guessing_limited, record_miss
from portal.settings import get_settings

INVITE_VALID = timedelta(days=14)
MAX_INVITE_MESSAGE_CHARS = 2000
# Sign-ups per address and hour: enough for an office behind one address, not for a script.
SIGNUP_LIMIT = 5
SIGNUP_WINDOW = timedelta(hours=1)


class OnboardingError(UserError):
    """A refused invitation, activation or sign-up; ``key`` names the message."""


# Invitations


def invite(*, actor: Actor, account_id: int, contact_ids: Sequence[int] | None = None, message: str = "") -> int:
    """Email portal invitations to the account's contacts with LOGIN who have not activated.

    Args:
        actor: Staff working the account.
        account_id: The account.
        contact_ids: Only these contacts (default: every one still to activate).
        message: Personal message shown in the email.

    Returns:
        How many invitations were queued.

    Raises:
        OnboardingError: ``onboarding.error.nobody`` when nobody is left to invite,
            ``onboarding.error.message_long`` for an overlong message.
        NotFound: If the actor does not work this account.
    """
    note = clean_block(message)
    if len(note) > MAX_INVITE_MESSAGE_CHARS:
        raise OnboardingError("onboarding.error.message_long", limit=MAX_INVITE_MESSAGE_CHARS)
    with db.session() as s:
        account = staff_account(s, actor, account_id)
        count = queue_invitations(s, actor, account, contact_ids=contact_ids, note=note)
        s.commit()
    realtime.publish({realtime.STAFF_CLIENTS_ROOM, realtime.account_room(account_id)})
    return count


def queue_invitations(s: Session, actor: Actor, account: ClientAccount, *,
                      contact_ids: Sequence[int] | None = None, note: str = "") -> int:
    """Queue the invitations of :func:`invite` in the caller's transaction (the caller
    checked access and commits; the client import invites in its own transaction).

    Returns:
        How many invitations were queued.

    Raises:
        OnboardingError: ``onboarding.error.nobody`` when nobody is left to invite.
    """
    now = utcnow()
    query = (select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
             .where(AccountContact.account_id == account.id, AccountContact.login == True,  # noqa: E712
                    col(Contact.activated_at).is_(None), col(Contact.email).is_not(None)))
    if contact_ids is not None:
        query = query.where(col(Contact.id).in_(list(contact_ids)))
    contacts = s.exec(query.order_by(Contact.id)).all()
    if not contacts:
        raise OnboardingError("onboarding.error.nobody")
    firm = s.exec(select(Firm)).first()
    staff = s.get(StaffUser, actor.id)
    for contact in contacts:
        _queue_invitation(s, contact, account=account, firm=firm, sender=staff.sender_name or staff.name,
                          note=note, now=now)
        audit.record_contact(s, actor=actor, action=Action.CONTACT_INVITED, account_id=account.id, contact=contact,
                             detail={"email": contact.email})
    s.flush()
    refresh_status(s, account)
    return len(contacts)


def _queue_invitation(s: Session, contact: Contact, *, account: ClientAccount, firm: Firm | None, sender: str,
                      note: str, now: datetime) -> None:
    # Only the newest link works: a re-invite voids the ones sent before.
    s.exec(update(LoginToken).where(
        LoginToken.subject_kind == SubjectKind.CONTACT, LoginToken.subject_id == contact.id,
        LoginToken.scope == TokenScope.ACTIVATE, col(LoginToken.used_at).is_(None),
        col(LoginToken.revoked_at).is_(None)).values(revoked_at=now))
    token = new_token()
    s.add(LoginToken(token_hash=hash_token(token), subject_kind=SubjectKind.CONTACT, subject_id=contact.id,
                     scope=TokenScope.ACTIVATE, created_at=now, expires_at=now + INVITE_VALID))
    contact.invited_at = now
    s.add(contact)
    outbox.queue(s, to=contact.email, template="invitation", context={
        "locale": contact.locale or DEFAULT_LOCALE,
        "name": f"{contact.first_name} {contact.last_name}".strip(),
        "firm_name": firm.name if firm else "",
        "account_name": account.name,
        "sender": sender,
        "message": note,
        "link": get_settings().base_url + routes.activate(token),
        "valid_days": INVITE_VALID.days,
    })


def reinvite(*, actor: Actor, contact_id: int, message: str = "") -> int:
    """Invite a pending contact again (from the "pending activation" list).

    The new link voids the old one. The invitation names the first account the actor
    works that gives the contact portal login.

    Raises:
        OnboardingError: If the contact activated meanwhile.
        NotFound: If the contact is on no account the actor works.
    """
    with db.session() as s:
        account_ids = s.exec(select(AccountContact.account_id).where(
            AccountContact.contact_id == contact_id, AccountContact.login == True)  # noqa: E712
            .order_by(AccountContact.account_id)).all()
        workable = []
        for account_id in account_ids:
            try:
                workable.append(staff_account(s, actor, account_id).id)
            except NotFound:  # an account another accountant works
                continue
    if not workable:
        raise NotFound("contact")
    return invite(actor=actor, account_id=workable[0], contact_ids=[contact_id], message=message)


# Activation


class ActivationProblem(StrEnum):
    """Why an activation link does not work."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    LIMITED = "limited"


@dataclass(frozen=True)
class Activation:
    """What the activation page shows: the contact's name and firm, or the problem."""

    problem: ActivationProblem | None
    name: str = ""
    email: str = ""
    firm_name: str = ""


def _token_row(s: Session, token: str) -> LoginToken | None:
    return s.exec(select(LoginToken).where(LoginToken.token_hash == hash_token(token),
                                           LoginToken.scope == TokenScope.ACTIVATE)).first()


def _problem(row: LoginToken | None, now: datetime) -> ActivationProblem | None:
    if row is None:
        return ActivationProblem.UNKNOWN
    if row.used_at is not None or row.revoked_at is not None:
        # A voided link reads as used: a newer invitation (or the activation) replaced it.
        return ActivationProblem.USED
    if row.expires_at <= now:
        return ActivationProblem.EXPIRED
    return None


def activation(*, token: str, client: str) -> Activation:
    """Check an activation link before showing its form.

    Args:
        token: The token from the URL.
        client: The requester's address, for the guessing limit shared with other links.
    """
    now = utcnow()
    with db.session() as s:
        if guessing_limited(s, client, now):
            return Activation(problem=ActivationProblem.LIMITED)
        row = _token_row(s, token)
        if row is None:
            record_miss(s, client, now)
            s.commit()
        problem = _problem(row, now)
        if problem is not None:
            return Activation(problem=problem)
        contact = s.get(Contact, row.subject_id)
        firm = s.exec(select(Firm)).first()
        return Activation(problem=None, name=f"{contact.first_name} {contact.last_name}".strip(),
                          email=contact.email or "", firm_name=firm.name if firm else "")


def activate(*, token: str, password: str, repeat: str, client: str = "") -> str:
    """Set the contact's password through the link, log them in and mark their accounts active.

    Args:
        token: The token from the link.
        password: The new password.
        repeat: The new password typed again.
        client: The requester's address, for the audit trail.

    Returns:
        The raw token of the new full session (for the cookie).

    Raises:
        OnboardingError: ``activate.used``/``activate.expired``/``activate.unknown`` for a
            link that cannot be used, or the key of the broken password rule.
    """
    now = utcnow()
    with db.session() as s:
        row = _token_row(s, token)
        problem = _problem(row, now)
        if problem is not None:
            raise OnboardingError(f"activate.{problem.value}")
        rule = password_problem(password, repeat)
        if rule:
            raise OnboardingError(rule)
        # Conditional update: of two submissions at once only one may use the link.
        used = s.exec(update(LoginToken).where(LoginToken.id == row.id, col(LoginToken.used_at).is_(None),
                                               col(LoginToken.revoked_at).is_(None)).values(used_at=now))
        if used.rowcount != 1:
            raise OnboardingError("activate.used")
        contact = s.get(Contact, row.subject_id)
        contact.password_hash = auth.hash_password(password)
        contact.activated_at = now
        s.add(contact)
        account_ids = s.exec(select(AccountContact.account_id).where(
            AccountContact.contact_id == contact.id, AccountContact.login == True)).all()  # noqa: E712
        for account in s.exec(select(ClientAccount).where(col(ClientAccount.id).in_(account_ids))).all():
            refresh_status(s, account)
        session_token = auth.open_session(s, SubjectKind.CONTACT, contact.id, now)
        audit.record_for_subject(s, subject=contact, action=Action.CONTACT_ACTIVATED, ip=client,
                                 detail={"method": "activation"})
        s.commit()
    realtime.publish({realtime.STAFF_CLIENTS_ROOM, *(realtime.account_room(i) for i in account_ids)})
    return session_token


# Self sign-up


def signup_open() -> bool:
    """Whether the firm takes sign-ups on the public page."""
    with db.session() as s:
        # No firm row yet (a fresh install): the model's defaults apply, as everywhere.
        return (s.exec(select(Firm)).first() or Firm(name="")).self_signup


@dataclass(frozen=True)
class SignupForm:
    """What the public sign-up page sends."""

    first_name: str
    last_name: str
    email: str
    company_name: str = ""
    phone: str = ""
    locale: str = DEFAULT_LOCALE


def sign_up(*, form: SignupForm, client: str) -> None:
    """Register a new client: a pending account in "Onboarding" and its contact, and a note
    in the staff inbox. The firm checks it and sends the portal invitation.

    An address that is already known creates nothing and is answered the same way, so the
    page does not tell strangers who is a client.

    Raises:
        OnboardingError: ``signup.closed`` when sign-up is off, ``signup.limited`` after
            too many sign-ups from one address, or an input problem.
    """
    now = utcnow()
    first = rules.clean_text(form.first_name, rules.MAX_PERSON_NAME_CHARS)
    last = rules.clean_text(form.last_name, rules.MAX_PERSON_NAME_CHARS)
    if not first or not last:
        raise OnboardingError("signup.error.name")
    email = clean_address(form.email)
    if email is None:
        raise OnboardingError("clients.error.email_invalid", email=form.email.strip()[:100])
    email = email.lower()
    company = rules.clean_text(form.company_name, rules.MAX_NAME_CHARS)
    kind = AccountKind.COMPANY if company else AccountKind.INDIVIDUAL
    name = rules.account_name("", kind=kind, company_name=company, first_name=first, last_name=last)
    with db.session() as s:
        if not (s.exec(select(Firm)).first() or Firm(name="")).self_signup:
            raise OnboardingError("signup.closed")
        key = f"signup:{client}"[:320]
        recent = s.exec(select(LoginFailure.id).where(LoginFailure.email == key,
                                                      LoginFailure.at > now - SIGNUP_WINDOW)).all()
        if len(recent) >= SIGNUP_LIMIT:
            raise OnboardingError("signup.limited")
        s.add(LoginFailure(email=key, at=now))
        known = s.exec(select(Contact.id).where(Contact.email == email)).first() is not None or \
            s.exec(select(StaffUser.id).where(StaffUser.email == email)).first() is not None
        if known:
            s.commit()
            return
        account = ClientAccount(kind=kind, name=name, company_name=company, status=AccountStatus.ONBOARDING,
                                self_signup=True, created_at=now)
        s.add(account)
        contact = Contact(first_name=first, last_name=last, email=email,
                          phone=rules.clean_text(form.phone, 50), locale=normalize_locale(form.locale),
                          created_at=now)
        s.add(contact)
        s.flush()
        s.add(AccountContact(account_id=account.id, contact_id=contact.id, login=True, notify=True))
        folders.ensure_folders(s, account)
        thread = Thread(account_id=account.id, kind=ThreadKind.SIGNUP, audience=Audience.ALL,
                        # The name may take the whole column already: the subject is cut to fit.
                        subject=translate(DEFAULT_LOCALE, "signup.thread.subject", name=name)[:MAX_SUBJECT_CHARS],
                        started_by_side=SubjectKind.CONTACT)
        s.add(thread)
        s.flush()
        talks.record_message(
            s, thread, author_kind=SubjectKind.CONTACT, author_id=contact.id, sender_name=f"{first} {last}",
            body=translate(DEFAULT_LOCALE, "signup.thread.body", name=f"{first} {last}", email=email,
                           company=company or "-", phone=contact.phone or "-"),
            recipients=[FIRM_RECIPIENT])
        rooms = talks.rooms_for(s, [thread])
        s.commit()
    realtime.publish({realtime.STAFF_CLIENTS_ROOM, *rooms})
