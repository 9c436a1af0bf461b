"""Booking talks ("Mandanten Talk"): questions about one booking, answers, receipts.

Each public function takes the acting user, checks access through
:mod:`portal.services.access`, writes, commits, and only then publishes the live
update, so tabs never reload for a change that was rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from portal.domain.errors import UserError
from portal import realtime
from portal.domain.actor import Actor
from portal.domain.audit import Action
from portal.domain.clock import utcnow
from portal.domain.enums import Audience, RetentionClass, SubjectKind, ThreadKind, ThreadStatus
from portal.domain.talks import (
    FIRM_RECIPIENT,
    MAX_SENDER_NAME_CHARS,
    STAFF_ONLY_THREADS,
    Delivery,
    delivery,
    message_problem,
)
from portal.domain.text import clean_block, clean_line
from portal.models import (
    AccountContact,
    Assignment,
    Booking,
    Contact,
    Document,
    Firm,
    Message,
    Receipt,
    StaffUser,
    Thread,
)
from portal.services import access, audit, db, notifications, webpush


# Rows per step of the lists that page by "load more" (open items, inbox, conversations).
PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# A thread opens with its newest messages; "load older" adds this many each time.
MESSAGE_PAGE = 100


class TalkError(UserError):
    """Refused input; ``key`` is the catalog key of the message to show."""


@dataclass(frozen=True)
class Recipient:
    """A contact a talk can be addressed to."""

    contact_id: int
    name: str


@dataclass(frozen=True)
class AttachmentView:
    """A file attached to a message or booking."""

    key: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class MessageView:
    """One message as both sides see it (deleted ones without their text)."""

    id: int
    author_kind: str
    author_id: int
    sender_name: str
    body: str
    created_at: dt.datetime
    edited: bool
    deleted: bool
    delivery: Delivery
    attachments: tuple[AttachmentView, ...]


@dataclass(frozen=True)
class BookingLine:
    """The booking a talk is about."""

    id: int
    ledger: str
    date: dt.date
    amount_cents: int
    currency: str
    counterparty: str
    text: str
    receipt_missing: bool
    exported: bool


@dataclass(frozen=True)
class ThreadView:
    """A talk with everything its flyout shows."""

    id: int
    account_id: int
    kind: str
    subject: str
    started_by_side: str
    status: str
    closed_at: dt.datetime | None
    recipient_name: str
    booking: BookingLine | None
    messages: tuple[MessageView, ...]
    receipts: tuple[AttachmentView, ...]
    older: bool = False  # messages before the first one shown exist


@dataclass(frozen=True)
class OpenItem:
    """A booking with an open question, as the client's list shows it."""

    thread_id: int
    booking: BookingLine
    question: str
    unread: bool


# Reading


def recipients(*, actor: Actor, account_id: int) -> list[Recipient]:
    """Contacts of an account with portal access, for the recipient field."""
    with db.session() as s:
        access.staff_account(s, actor, account_id)
        rows = s.exec(
            select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
            .where(AccountContact.account_id == account_id, AccountContact.login == True)  # noqa: E712
            .order_by(Contact.last_name, Contact.first_name)).all()
        return [Recipient(contact_id=c.id, name=_contact_name(c)) for c in rows]


def sender_name(*, actor: Actor) -> str:
    """The sender name this staff user used last (their name at first)."""
    access.require_staff(actor)
    with db.session() as s:
        user = s.get(StaffUser, actor.id)
        return (user.sender_name or user.name) if user else actor.name


def booking_talk(*, actor: Actor, booking_id: int, newest: int = MESSAGE_PAGE) -> ThreadView | None:
    """The booking's open talk, else its newest closed one, else None; marks it read for the firm.

    Args:
        actor: A staff member.
        booking_id: The booking.
        newest: How many of the newest messages to include.
    """
    with db.session() as s:
        booking = _staff_booking(s, actor, booking_id)
        thread = s.exec(
            select(Thread).where(Thread.booking_id == booking.id)
            .order_by((Thread.status == ThreadStatus.OPEN).desc(), Thread.id.desc())).first()
        if thread is None:
            return None
        changed = mark_received(s, FIRM_RECIPIENT, [thread.id], read=True)
        view = build_view(s, thread, newest=newest)
        s.commit()
    if changed:
        # The reader's tab shows the view it asked for; the others see the read marks.
        realtime.publish([realtime.thread_room(thread.id)], origin_reloads=("thread",))
    return view


def thread_view(*, actor: Actor, thread_id: int, newest: int = MESSAGE_PAGE) -> ThreadView:
    """A talk the actor may read; opening it marks its messages read for the actor.

    Args:
        actor: Who reads.
        thread_id: The thread.
        newest: How many of the newest messages to include.
    """
    with db.session() as s:
        thread = access.readable_thread(s, actor, thread_id)
        changed = mark_received(s, _recipient_of(actor), [thread.id], read=True)
        view = build_view(s, thread, newest=newest)
        s.commit()
    if changed:
        # The reader's tab shows the view it asked for; the others see the read marks.
        realtime.publish([realtime.thread_room(thread.id)], origin_reloads=("thread",))
    return view


def open_items(*, actor: Actor, limit: int = PAGE_SIZE) -> list[OpenItem]:
    """The contact's bookings with an open question, newest activity first.

    Loading the list counts as the contact's portal having received the messages of
    the talks it shows.

    Args:
        actor: A client contact (an email link's session too).
        limit: Most items returned (the home page pages by asking for more).
    """
    access.require_contact(actor)
    with db.session() as s:
        links = list(s.exec(select(AccountContact).where(
            AccountContact.contact_id == actor.id, AccountContact.login == True)).all())  # noqa: E712
        if not links:
            return []
        threads = s.exec(select(Thread).where(
            access.contact_threads(actor, links), Thread.kind == ThreadKind.BOOKING_TALK,
            Thread.status == ThreadStatus.OPEN)
            .order_by(Thread.last_message_at.desc(), Thread.id.desc())
            .limit(max(1, min(limit, MAX_PAGE_SIZE)))).all()
        if not threads:
            return []
        ids = [t.id for t in threads]
        bookings = {b.id: b for b in s.exec(select(Booking).where(
            Booking.id.in_([t.booking_id for t in threads]))).all()}
        last_staff = last_messages(s, ids, author_kind=SubjectKind.STAFF)
        unread = set(s.exec(select(Message.thread_id).join(Receipt, Receipt.message_id == Message.id).where(
            Message.thread_id.in_(ids), Receipt.recipient_kind == SubjectKind.CONTACT,
            Receipt.recipient_id == actor.id, Receipt.read_at.is_(None))).all())
        changed = mark_received(s, _recipient_of(actor), ids, read=False)
        s.commit()
        items = [OpenItem(thread_id=t.id, booking=booking_line(bookings[t.booking_id]),
                          question=last_staff[t.id].body if t.id in last_staff else "",
                          unread=t.id in unread)
                 for t in threads if t.booking_id in bookings]
    if changed:
        realtime.publish(realtime.thread_room(t) for t in changed)
    return items


# Writing


def start_talk(*, actor: Actor, booking_id: int, recipient_contact_id: int | None, internal: bool,
               sender_name: str, body: str) -> int:
    """Ask about a booking: opens a talk (or continues the open one) with a first message.

    Args:
        actor: A staff user working the booking's account.
        booking_id: The booking.
        recipient_contact_id: One contact with portal access, or None for all users
            of the account with full access (the usual case for a single user).
        internal: A staff-only talk: never emailed, never visible to the client.
        sender_name: The name shown to the client; remembered for next time.
        body: The message.

    Returns:
        The talk's id.

    Raises:
        TalkError: For an empty or too long message or an unknown recipient.
        NotFound: If the actor may not work this booking.
    """
    body = check_body(body)
    with db.session() as s:
        booking = _staff_booking(s, actor, booking_id)
        thread = s.exec(select(Thread).where(Thread.booking_id == booking.id,
                                             Thread.status == ThreadStatus.OPEN)).first()
        if thread is None:
            audience_contact = None
            if not internal and recipient_contact_id is not None:
                link = s.get(AccountContact, (booking.account_id, recipient_contact_id))
                if link is None or not link.login:
                    raise TalkError("talk.error.recipient")
                audience_contact = recipient_contact_id
            thread = Thread(account_id=booking.account_id, booking_id=booking.id,
                            kind=ThreadKind.INTERNAL if internal else ThreadKind.BOOKING_TALK,
                            audience=Audience.CONTACT if audience_contact else Audience.ALL,
                            audience_contact_id=audience_contact, started_by_side=SubjectKind.STAFF,
                            subject=booking.counterparty[:200])
            s.add(thread)
            s.flush()
        add_message(s, actor, thread, body, sender_name)
        rooms = rooms_for(s, [thread])
        s.commit()
    realtime.publish(rooms)
    return thread.id


def post_message(*, actor: Actor, thread_id: int, body: str, sender_name: str = "") -> int:
    """Write into an open talk the actor may read.

    Returns:
        The new message's id.

    Raises:
        TalkError: For an empty or too long message, or a closed talk.
        NotFound: If the actor may not read the talk.
    """
    body = check_body(body)
    with db.session() as s:
        thread = access.readable_thread(s, actor, thread_id)
        message = add_message(s, actor, thread, body, sender_name)
        rooms = rooms_for(s, [thread])
        s.commit()
    # Every tab that sends reloads its thread view after the call (ThreadPanelState, StaffBookingsState).
    realtime.publish(rooms, origin_reloads=("thread",))
    return message.id


def add_receipt_message(*, actor: Actor, thread_id: int, body: str, filename: str, blob_key: str,
                        size: int, content_type: str, sha256: str) -> int:
    """Record an uploaded receipt: a message with the file, attached to the booking.

    The blob is already stored; the caller deletes it if this raises.

    Returns:
        The new message's id.
    """
    body = check_body(body) if clean_block(body) else ""
    with db.session() as s:
        thread = access.readable_thread(s, actor, thread_id)
        message = add_message(s, actor, thread, body, "")
        s.add(Document(account_id=thread.account_id, blob_key=blob_key, filename=filename, size=size,
                       content_type=content_type, sha256=sha256, uploaded_by_kind=actor.kind,
                       uploaded_by_id=actor.id, message_id=message.id, booking_id=thread.booking_id,
                       # A file sent for a booking is its receipt ("Buchungsbeleg").
                       retention_class=RetentionClass.RECEIPT if thread.booking_id else RetentionClass.NONE))
        if thread.booking_id is not None:
            booking = s.get(Booking, thread.booking_id)
            booking.receipt_missing = False
            s.add(booking)
        rooms = rooms_for(s, [thread])
        s.commit()
    realtime.publish(rooms)
    return message.id


def check_can_upload(*, actor: Actor, thread_id: int) -> None:
    """Refuse an upload before any byte is stored.

    Raises:
        TalkError: If the talk is closed.
        NotFound: If the actor may not read the talk.
    """
    with db.session() as s:
        thread = access.readable_thread(s, actor, thread_id)
        if thread.status != ThreadStatus.OPEN:
            raise TalkError("talk.error.closed")


def delete_message(*, actor: Actor, message_id: int) -> None:
    """Delete one's own message: both sides then see it as deleted.

    A deleted receipt message no longer counts as the booking's receipt.

    Raises:
        NotFound: If the message is not the actor's own (or not readable).
    """
    with db.session() as s:
        message, thread = access.own_message(s, actor, message_id)
        rooms: set[str] = set()  # deleting it again changes nothing, and tells nobody
        if message.deleted_at is None:
            message.deleted_at = utcnow()
            s.add(message)
            audit.record_thread(s, actor=actor, action=Action.MESSAGE_DELETED, thread=thread, object_kind="message",
                                object_id=message.id)
            s.flush()
            _refresh_last_message_at(s, thread.id)
            if thread.booking_id is not None:
                _refresh_receipt_missing(s, thread.booking_id)
            rooms = rooms_for(s, [thread])
        s.commit()
    realtime.publish(rooms)


def close_talk(*, actor: Actor, thread_id: int) -> None:
    """Close a talk (staff only). It stays readable; talks never close by themselves.

    Raises:
        NotFound: If the actor is not staff working the talk's account.
    """
    access.require_staff(actor)
    with db.session() as s:
        thread = access.readable_thread(s, actor, thread_id)
        closed = close_threads(s, [thread.id], closed_by=actor.id)
        for each in closed:
            audit.record_thread(s, actor=actor, action=Action.TALK_CLOSED, thread=each)
        rooms = rooms_for(s, closed)
        s.commit()
    realtime.publish(rooms)


def close_threads(s: Session, thread_ids: Iterable[int], *, closed_by: int) -> list[Thread]:
    """Close the open ones among ``thread_ids`` inside the caller's transaction.

    Returns:
        The threads that were open and are now closed (the caller publishes
        :func:`rooms_for` them after its commit).
    """
    ids = list(thread_ids)
    if not ids:
        return []
    threads = s.exec(select(Thread).where(Thread.id.in_(ids), Thread.status == ThreadStatus.OPEN)
                     .with_for_update()).all()
    now = utcnow()
    for thread in threads:
        thread.status = ThreadStatus.CLOSED
        thread.closed_at = now
        thread.closed_by = closed_by
        s.add(thread)
    return list(threads)


def rooms_for(s: Session, threads: Iterable[Thread]) -> set[str]:
    """The rooms whose tabs show these threads: the thread itself, the account's staff
    views, the inbox and counter of the staff assigned to the account and of the admins,
    and each client user who may read it (never for staff-only threads)."""
    threads = list(threads)
    if not threads:
        return set()
    rooms = {realtime.FIRM_WIDE_ROOM}
    for thread in threads:
        rooms.add(realtime.thread_room(thread.id))
        rooms.add(realtime.account_room(thread.account_id))
        rooms.update(realtime.user_room(kind, rid) for kind, rid in _client_readers(s, thread))
    staff_ids = s.exec(select(Assignment.staff_id).where(
        col(Assignment.account_id).in_(sorted({t.account_id for t in threads})))).all()
    rooms.update(realtime.user_room(SubjectKind.STAFF.value, staff_id) for staff_id in set(staff_ids))
    return rooms


def _client_readers(s: Session, thread: Thread) -> list[tuple[str, int]]:
    if thread.kind in STAFF_ONLY_THREADS:
        return []
    if thread.audience == Audience.CONTACT and thread.audience_contact_id is not None:
        return [(SubjectKind.CONTACT.value, thread.audience_contact_id)]
    ids = s.exec(select(AccountContact.contact_id).where(
        AccountContact.account_id == thread.account_id, AccountContact.login == True,  # noqa: E712
        AccountContact.full_access == True)).all()  # noqa: E712
    return [(SubjectKind.CONTACT.value, cid) for cid in ids]


# Helpers


def check_body(body: str) -> str:
    """The message body as stored (:func:`~portal.domain.text.clean_block`).

    Raises:
        TalkError: Empty or too long once cleaned.
    """
    cleaned = clean_block(body)
    problem = message_problem(cleaned)
    if problem:
        raise TalkError(problem)
    return cleaned


def _contact_name(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}".strip() or (contact.email or "")


def _recipient_of(actor: Actor) -> tuple[str, int]:
    return FIRM_RECIPIENT if actor.is_staff else (SubjectKind.CONTACT.value, actor.id)


def _staff_booking(s: Session, actor: Actor, booking_id: int) -> Booking:
    booking = s.get(Booking, booking_id)
    if booking is None:
        raise access.NotFound("booking")
    access.staff_account(s, actor, booking.account_id)
    return booking


def add_message(s: Session, actor: Actor, thread: Thread, body: str, sender_name: str) -> Message:
    if thread.status != ThreadStatus.OPEN:
        raise TalkError("talk.error.closed")
    name = actor.name
    if actor.is_staff:
        name = clean_line(sender_name)[:MAX_SENDER_NAME_CHARS] or actor.name
        user = s.get(StaffUser, actor.id)
        if user is not None and user.sender_name != name:
            user.sender_name = name
            s.add(user)
    recipients = _recipients_of_message(s, actor, thread)
    message = record_message(s, thread, author_kind=actor.kind, author_id=actor.id, sender_name=name,
                             body=body, recipients=recipients)
    # Queued on the session: the pushes leave in the background only once the caller commits.
    webpush.send_after_commit(s, webpush.message_pushes(s, thread=thread, message=message, recipients=recipients))
    return message


def record_message(s: Session, thread: Thread, *, author_kind: str, author_id: int, sender_name: str, body: str,
                   recipients: list[tuple[str, int]]) -> Message:
    """Write a message into ``thread`` inside the caller's transaction; every new message goes
    through here.

    Adds a receipt per recipient, collects their email notices and moves the thread's
    ``last_message_at``, by which the lists sort.

    Args:
        s: The caller's session (the caller commits).
        thread: The thread, already flushed.
        author_kind: A :class:`SubjectKind` value.
        author_id: The author's id (a guest's: the upload request's).
        sender_name: The name shown with the message.
        body: The text, as stored.
        recipients: ``(kind, id)`` of who receives it.

    Returns:
        The flushed message.
    """
    # Cleaned here too: every writer of messages (request links, sign-ups) passes through.
    message = Message(thread_id=thread.id, author_kind=author_kind, author_id=author_id,
                      sender_name=clean_line(sender_name)[:MAX_SENDER_NAME_CHARS], body=clean_block(body))
    s.add(message)
    s.flush()
    # Only ever forward, decided in SQL on the locked row: of two messages posted at once, the
    # later commit may carry the earlier time.
    _set_last_message_at(s, thread.id, case((Thread.last_message_at < message.created_at, message.created_at),
                                            else_=Thread.last_message_at))
    s.add_all(Receipt(message_id=message.id, recipient_kind=kind, recipient_id=rid) for kind, rid in recipients)
    notifications.collect(s, thread=thread, message=message, recipients=recipients)
    return message


def _refresh_last_message_at(s: Session, thread_id: int) -> None:
    """Set the thread's ``last_message_at`` from its undeleted messages, after one was deleted."""
    newest = select(func.max(Message.created_at)).where(
        Message.thread_id == thread_id, Message.deleted_at.is_(None)).scalar_subquery()
    _set_last_message_at(s, thread_id, func.coalesce(newest, Thread.created_at))


def _set_last_message_at(s: Session, thread_id: int, value) -> None:
    # "fetch": the session's Thread row forgets its old value (the CASE cannot be evaluated in Python).
    s.exec(update(Thread).where(Thread.id == thread_id).values(last_message_at=value)
           .execution_options(synchronize_session="fetch"))


def _recipients_of_message(s: Session, actor: Actor, thread: Thread) -> list[tuple[str, int]]:
    # Internal notes have no recipients outside the firm, and staff read marks are not tracked.
    if thread.kind == ThreadKind.INTERNAL:
        return []
    return [FIRM_RECIPIENT] if actor.is_contact else _client_readers(s, thread)


def mark_received(s: Session, recipient: tuple[str, int], thread_ids: list[int], *, read: bool) -> list[int]:
    """Set delivered (and read) on the recipient's receipts in these threads (caller commits).

    Returns:
        The threads in which anything changed (to publish after commit).
    """
    kind, rid = recipient
    message_ids = select(Message.id).where(Message.thread_id.in_(thread_ids))
    column = Receipt.read_at if read else Receipt.delivered_at
    pending = s.exec(select(Message.thread_id).join(Receipt, Receipt.message_id == Message.id).where(
        Message.thread_id.in_(thread_ids), Receipt.recipient_kind == kind, Receipt.recipient_id == rid,
        column.is_(None)).distinct()).all()
    if not pending:
        return []
    now = utcnow()
    base = update(Receipt).where(Receipt.message_id.in_(message_ids), Receipt.recipient_kind == kind,
                                 Receipt.recipient_id == rid)
    s.exec(base.where(Receipt.delivered_at.is_(None)).values(delivered_at=now))
    if read:
        s.exec(base.where(Receipt.read_at.is_(None)).values(read_at=now))
    return list(pending)


def _newest_ids(thread_ids: list[int], author_kind: str | None):
    """The id of each thread's newest undeleted message (of ``author_kind``), as a subquery."""
    query = select(func.max(Message.id)).where(Message.thread_id.in_(thread_ids), Message.deleted_at.is_(None))
    if author_kind is not None:
        query = query.where(Message.author_kind == author_kind)
    return query.group_by(Message.thread_id)


def last_messages(s: Session, thread_ids: list[int], author_kind: str | None = None) -> dict[int, Message]:
    """Each thread's newest undeleted message (of ``author_kind``), by thread id."""
    return {m.thread_id: m for m in s.exec(
        select(Message).where(Message.id.in_(_newest_ids(thread_ids, author_kind)))).all()}


def last_authors(s: Session, thread_ids: list[int]) -> dict[int, str]:
    """Who wrote each thread's newest undeleted message, by thread id (without the messages)."""
    return dict(s.exec(select(Message.thread_id, Message.author_kind).where(
        Message.id.in_(_newest_ids(thread_ids, None)))).all())


def booking_line(b: Booking) -> BookingLine:
    """The view of a booking row."""
    return BookingLine(id=b.id, ledger=b.ledger, date=b.date, amount_cents=b.amount_cents, currency=b.currency,
                       counterparty=b.counterparty, text=b.text, receipt_missing=b.receipt_missing,
                       exported=b.exported_at is not None)


def _attachment(d: Document) -> AttachmentView:
    return AttachmentView(key=d.blob_key, filename=d.filename, content_type=d.content_type, size=d.size)


def _refresh_receipt_missing(s: Session, booking_id: int) -> None:
    """A booking lacks its receipt when no undeleted message carries a file for it (out of the trash)."""
    has_file = s.exec(select(Document.id).outerjoin(Message, Message.id == Document.message_id).where(
        Document.booking_id == booking_id, Message.deleted_at.is_(None), Document.trashed_at.is_(None))).first()
    booking = s.get(Booking, booking_id)
    booking.receipt_missing = has_file is None
    s.add(booking)


def build_view(s: Session, thread: Thread, *, newest: int = MESSAGE_PAGE) -> ThreadView:
    """The thread with its ``newest`` latest messages, oldest of them first."""
    newest = max(1, newest)
    latest = s.exec(select(Message).where(Message.thread_id == thread.id)
                    .order_by(Message.created_at.desc(), Message.id.desc()).limit(newest + 1)).all()
    messages = latest[:newest][::-1]
    ids = [m.id for m in messages]
    states: dict[int, tuple[bool, bool]] = {}
    docs: dict[int, list[AttachmentView]] = {}
    if ids:
        for message_id, delivered, read in s.exec(
                select(Receipt.message_id, func.count(Receipt.delivered_at), func.count(Receipt.read_at))
                .where(Receipt.message_id.in_(ids)).group_by(Receipt.message_id)).all():
            states[message_id] = (delivered > 0, read > 0)
        for d in s.exec(select(Document).where(Document.message_id.in_(ids), Document.trashed_at.is_(None))
                        .order_by(Document.id)).all():
            docs.setdefault(d.message_id, []).append(_attachment(d))
    booking = s.get(Booking, thread.booking_id) if thread.booking_id else None
    firm = s.exec(select(Firm)).first()
    show_read = firm is None or firm.read_marks
    receipts: tuple[AttachmentView, ...] = ()
    if booking is not None:
        receipts = tuple(_attachment(d) for d in s.exec(
            select(Document).outerjoin(Message, Message.id == Document.message_id)
            .where(Document.booking_id == booking.id, Message.deleted_at.is_(None), Document.trashed_at.is_(None))
            .order_by(Document.id)).all())
    if thread.kind == ThreadKind.INTERNAL:
        recipient = ""
    elif thread.audience_contact_id:
        contact = s.get(Contact, thread.audience_contact_id)
        recipient = _contact_name(contact) if contact else ""
    else:
        recipient = ""
    return ThreadView(
        id=thread.id, account_id=thread.account_id, kind=thread.kind, subject=thread.subject,
        started_by_side=thread.started_by_side, status=thread.status,
        closed_at=thread.closed_at, recipient_name=recipient,
        booking=booking_line(booking) if booking else None,
        messages=tuple(MessageView(
            id=m.id, author_kind=m.author_kind, author_id=m.author_id, sender_name=m.sender_name,
            body="" if m.deleted_at else m.body, created_at=m.created_at, edited=m.edited_at is not None,
            deleted=m.deleted_at is not None,
            delivery=delivery(delivered=states.get(m.id, (False, False))[0],
                              read=show_read and states.get(m.id, (False, False))[1]),
            attachments=() if m.deleted_at else tuple(docs.get(m.id, ())))
            for m in messages),
        receipts=receipts,
        older=len(latest) > newest,
    )
