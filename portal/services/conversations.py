"""Conversations (not tied to a booking), the staff inbox and the action counters.

Posting, deleting and read marks are shared with booking talks (:mod:`talks`); this
module adds what only conversations have: a subject, both sides starting them, the
close rule, editing, and the lists that show what needs whose action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from portal import realtime
from portal.domain.actor import Actor
from portal.domain.audit import Action
from portal.domain.clock import utcnow
from portal.domain.enums import Audience, SessionScope, SubjectKind, ThreadKind, ThreadStatus
from portal.domain.talks import MAX_SUBJECT_CHARS, OUTSIDE_AUTHORS
from portal.domain.text import clean_line
from portal.models import AccountContact, Assignment, Booking, ClientAccount, Contact, Message, Thread
from portal.services import access, audit, db, talks
from portal.services.talks import MAX_PAGE_SIZE, PAGE_SIZE, TalkError

VIEWS = ("open", "closed", "all")
INBOX_STATES = ("open", "waiting", "answered", "closed", "all")


@dataclass(frozen=True)
class ThreadSummary:
    """One line of a conversation list or of the staff inbox."""

    id: int
    kind: str
    account_id: int
    account_name: str
    subject: str
    status: str
    closed_at: dt.datetime | None
    started_by_side: str
    last_author_kind: str
    last_preview: str
    last_at: dt.datetime
    needs_action: bool
    private: bool


@dataclass(frozen=True)
class AccountChoice:
    """A client the staff user may start a conversation with, and its users."""

    account_id: int
    name: str
    contacts: tuple[talks.Recipient, ...]


def _side(actor: Actor) -> str:
    return SubjectKind.STAFF.value if actor.is_staff else SubjectKind.CONTACT.value


def _check_subject(subject: str) -> str:
    cleaned = clean_line(subject)
    if not cleaned:
        raise TalkError("conversation.error.subject_empty")
    if len(cleaned) > MAX_SUBJECT_CHARS:
        raise TalkError("conversation.error.subject_too_long")
    return cleaned


def start_conversation(*, actor: Actor, account_id: int, subject: str, body: str,
                       private_contact_id: int | None = None) -> int:
    """Open a conversation with a first message.

    Staff address all users of the account with full access, or one user privately.
    A client user addresses the firm; with ``private_contact_id`` equal to their own id
    (or without full access) nobody else of their account sees it.

    Returns:
        The conversation's id.

    Raises:
        TalkError: Empty or too long subject or message, or an addressee who is not a
            portal user of that account.
        NotFound: If the actor may not work with that account.
    """
    subject = _check_subject(subject)
    body = talks.check_body(body)
    with db.session() as s:
        if actor.is_staff:
            access.staff_account(s, actor, account_id)
            if private_contact_id is not None:
                link = s.get(AccountContact, (account_id, private_contact_id))
                if link is None or not link.login:
                    raise TalkError("talk.error.recipient")
        else:
            access.require_full_login(actor)
            link = access.contact_link(s, actor, account_id)
            if private_contact_id not in (None, actor.id):
                raise TalkError("talk.error.recipient")
            if not link.full_access:
                private_contact_id = actor.id
        thread = Thread(account_id=account_id, kind=ThreadKind.CONVERSATION, subject=subject,
                        audience=Audience.CONTACT if private_contact_id else Audience.ALL,
                        audience_contact_id=private_contact_id, started_by_side=_side(actor))
        s.add(thread)
        s.flush()
        talks.add_message(s, actor, thread, body, "")
        rooms = talks.rooms_for(s, [thread])
        s.commit()
    realtime.publish(rooms)
    return thread.id


def edit_message(*, actor: Actor, message_id: int, body: str) -> None:
    """Change one's own message; it then shows as edited.

    Raises:
        TalkError: Bad body, deleted message, or closed thread.
        NotFound: If the message is not the actor's own.
    """
    body = talks.check_body(body)
    with db.session() as s:
        message, thread = access.own_message(s, actor, message_id)
        if message.deleted_at is not None:
            raise TalkError("conversation.error.deleted")
        if thread.status != ThreadStatus.OPEN:
            raise TalkError("talk.error.closed")
        message.body = body
        message.edited_at = utcnow()
        s.add(message)
        rooms = talks.rooms_for(s, [thread])
        s.commit()
    realtime.publish(rooms)


def may_close(actor: Actor, thread: Thread | talks.ThreadView) -> bool:
    """A side closes only what it started; booking talks are closed by the firm."""
    if thread.kind == ThreadKind.CONVERSATION:
        return thread.started_by_side == _side(actor)
    return actor.is_staff


def close_conversation(*, actor: Actor, thread_id: int) -> None:
    """Archive a conversation the actor's side started. It stays readable.

    Raises:
        NotFound: Not readable, or the other side started it.
    """
    with db.session() as s:
        thread = access.readable_thread(s, actor, thread_id)
        if not may_close(actor, thread):
            raise access.NotFound("thread")
        closed = talks.close_threads(s, [thread.id], closed_by=actor.id)
        for each in closed:
            audit.record_thread(s, actor=actor, action=Action.CONVERSATION_CLOSED, thread=each,
                                object_kind="conversation")
        rooms = talks.rooms_for(s, closed)
        s.commit()
    realtime.publish(rooms)


def start_choices(*, actor: Actor) -> list[AccountChoice]:
    """For staff: the clients they work and their portal users (for "new conversation")."""
    access.require_staff(actor)
    with db.session() as s:
        accounts = s.exec(_scoped_accounts(actor, mine=True).order_by(ClientAccount.name)).all()
        ids = [a.id for a in accounts]
        people: dict[int, list[talks.Recipient]] = {}
        if ids:
            for account_id, contact in s.exec(
                    select(AccountContact.account_id, Contact).join(Contact, Contact.id == AccountContact.contact_id)
                    .where(AccountContact.account_id.in_(ids), AccountContact.login == True)  # noqa: E712
                    .order_by(Contact.last_name)).all():
                name = f"{contact.first_name} {contact.last_name}".strip() or (contact.email or "")
                people.setdefault(account_id, []).append(talks.Recipient(contact_id=contact.id, name=name))
        return [AccountChoice(account_id=a.id, name=a.name, contacts=tuple(people.get(a.id, ()))) for a in accounts]


def client_accounts(*, actor: Actor) -> list[AccountChoice]:
    """For a client user: the accounts they may write from."""
    access.require_contact(actor)
    access.require_full_login(actor)
    with db.session() as s:
        rows = s.exec(select(ClientAccount).join(AccountContact, AccountContact.account_id == ClientAccount.id)
                      .where(AccountContact.contact_id == actor.id, AccountContact.login == True)  # noqa: E712
                      .order_by(ClientAccount.name)).all()
        return [AccountChoice(account_id=a.id, name=a.name, contacts=()) for a in rows]


def list_for_client(*, actor: Actor, view: str = "open", limit: int = PAGE_SIZE) -> list[ThreadSummary]:
    """The client user's conversations in the Open / Closed / All view, newest activity first.

    Args:
        actor: A client user with a full login.
        view: ``open``, ``closed`` or ``all``.
        limit: Most conversations returned (the list pages by asking for more).
    """
    access.require_contact(actor)
    access.require_full_login(actor)
    with db.session() as s:
        links = list(s.exec(select(AccountContact).where(
            AccountContact.contact_id == actor.id, AccountContact.login == True)).all())  # noqa: E712
        if not links:
            return []
        clauses = [access.contact_threads(actor, links), Thread.kind == ThreadKind.CONVERSATION, *_view_filter(view)]
        return _newest_first(s, clauses, viewer_side=SubjectKind.CONTACT, limit=limit)


def inbox(*, actor: Actor, mine: bool = True, state: str = "open", limit: int = PAGE_SIZE) -> list[ThreadSummary]:
    """The staff inbox across clients: booking talks, conversations and files that arrived
    through upload request links, newest activity first.

    Args:
        actor: Staff.
        mine: Only clients assigned to the actor (admins may choose all).
        state: ``open``, ``waiting`` (for the client), ``answered`` (needs the firm),
            ``closed`` or ``all``.
        limit: Most threads returned (the inbox pages by asking for more).
    """
    access.require_staff(actor)
    with db.session() as s:
        account_ids = _scoped_accounts(actor, mine, columns=(ClientAccount.id,))
        clauses = [Thread.account_id.in_(account_ids), Thread.kind != ThreadKind.INTERNAL,
                   *_view_filter("all" if state == "all" else ("closed" if state == "closed" else "open"))]
        # The last author decides: no message yet counts as the firm's turn being done.
        if state == "waiting":
            clauses.append(func.coalesce(_last(Message.author_kind), SubjectKind.STAFF.value) == SubjectKind.STAFF)
        elif state == "answered":
            clauses.append(_last(Message.author_kind) != SubjectKind.STAFF)
        return _newest_first(s, clauses, viewer_side=SubjectKind.STAFF, limit=limit)


def action_count(*, actor: Actor) -> int:
    """Open threads waiting for the actor's side: the other side wrote last.

    Staff count the clients they work (admins: all); client users count what they may read.
    """
    with db.session() as s:
        if actor.is_staff:
            clauses = [Thread.account_id.in_(_scoped_accounts(actor, not actor.is_admin, columns=(ClientAccount.id,))),
                       Thread.kind != ThreadKind.INTERNAL]
            other_side = OUTSIDE_AUTHORS  # client users, and guests' arrivals through request links
        else:
            links = list(s.exec(select(AccountContact).where(
                AccountContact.contact_id == actor.id, AccountContact.login == True)).all())  # noqa: E712
            if not links:
                return 0
            kinds = [ThreadKind.BOOKING_TALK, ThreadKind.CONVERSATION] if actor.scope == SessionScope.FULL \
                else [ThreadKind.BOOKING_TALK]  # an email link reaches booking talks only
            clauses = [access.contact_threads(actor, links), Thread.kind.in_(kinds)]
            other_side = {SubjectKind.STAFF.value}
        return s.exec(select(func.count()).select_from(Thread).where(
            *clauses, Thread.status == ThreadStatus.OPEN, _last(Message.author_kind).in_(sorted(other_side)))).one()


def _scoped_accounts(actor: Actor, mine: bool, columns: tuple = (ClientAccount,)):
    """Accounts the actor works (``mine``), or all of them for an admin who asks."""
    query = select(*columns)
    if mine or not actor.is_admin:
        query = query.join(Assignment, Assignment.account_id == ClientAccount.id).where(
            Assignment.staff_id == actor.id)
    return query


def _view_filter(view: str) -> list:
    if view == "open":
        return [Thread.status == ThreadStatus.OPEN]
    if view == "closed":
        return [Thread.status == ThreadStatus.CLOSED]
    return []


def _last(column):
    """A column of the thread's newest undeleted message, per thread row; one step down the
    message index (thread_id, deleted_at, id), so filtering by it stays cheap."""
    return (select(column).where(Message.thread_id == Thread.id, Message.deleted_at.is_(None))
            .order_by(Message.id.desc()).limit(1).correlate(Thread).scalar_subquery())


def _newest_first(s: Session, clauses: list, *, viewer_side: str, limit: int) -> list[ThreadSummary]:
    """The first ``limit`` threads matching ``clauses`` by last activity, with what the lists show."""
    threads = s.exec(select(Thread).where(*clauses)
                     .order_by(Thread.last_message_at.desc(), Thread.id.desc())
                     .limit(max(1, min(limit, MAX_PAGE_SIZE)))).all()
    if not threads:
        return []
    last = talks.last_messages(s, [t.id for t in threads])
    names = dict(s.exec(select(ClientAccount.id, ClientAccount.name).where(
        ClientAccount.id.in_({t.account_id for t in threads}))).all())
    booking_ids = {t.booking_id for t in threads if t.booking_id}
    bookings = dict(s.exec(select(Booking.id, Booking.counterparty).where(
        Booking.id.in_(booking_ids))).all()) if booking_ids else {}
    result = []
    for t in threads:
        message = last.get(t.id)
        author = message.author_kind if message else viewer_side
        result.append(ThreadSummary(
            id=t.id, kind=t.kind, account_id=t.account_id, account_name=names.get(t.account_id, ""),
            subject=t.subject or bookings.get(t.booking_id, ""), status=t.status, closed_at=t.closed_at,
            started_by_side=t.started_by_side, last_author_kind=author,
            last_preview=(message.body[:140] if message else ""), last_at=t.last_message_at,
            needs_action=t.status == ThreadStatus.OPEN and author != viewer_side,
            private=t.audience == Audience.CONTACT))
    return result
