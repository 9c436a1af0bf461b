"""Batched email notices about new messages, in both directions (as FIBUscan does).

Messages an accountant writes to a client user are collected into one pending email
per user. It goes out when nothing new was added for the firm's quiet period, when the
accountant's working session ends (logout, or the last staff tab closed), or at once on
"send email now". Messages a client writes are collected the same way into one pending
email per responsible staff user (assigned accountants, else the admins), sent after the
quiet period; files a guest sends through an upload request link count like client messages. What an email says is decided only when it goes out: messages read in the
portal meanwhile are left out, and a batch with nothing left is not sent at all.
Internal talks never produce email; the account link's NOTIFY toggle and each user's
personal setting are honoured.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from portal import routes
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.enums import Role, SubjectKind, ThreadKind
from portal.domain.presence import PRESENCE_TIMEOUT
from portal.domain.talks import FIRM_RECIPIENT, OUTSIDE_AUTHORS
from portal.i18n import format as fmt
from portal.models import (
    AccountContact,
    Assignment,
    Booking,
    ClientAccount,
    Contact,
    Document,
    Firm,
    Folder,
    Message,
    Outbox,
    Receipt,
    StaffUser,
    Thread,
)
from portal.notify.emails import Email, client_messages, talk_batch
from portal.services import access, db, magic_links
from portal.settings import get_settings

TEMPLATE = "talk_batch"
STAFF_TEMPLATE = "client_messages"
BATCH_TEMPLATES = (TEMPLATE, STAFF_TEMPLATE)
MAX_ITEMS = 20
SKIPPED = "skipped: nothing left to announce (read in the portal meanwhile, or the link was revoked)"


def batch_key(contact_id: int) -> str:
    """The outbox key that collects one client user's notices."""
    return f"contact:{contact_id}"


def staff_batch_key(staff_id: int) -> str:
    """The outbox key that collects one staff user's notices about client messages."""
    return f"staff:{staff_id}"


def collect(s: Session, *, thread: Thread, message: Message, recipients: list[tuple[str, int]],
            now: datetime | None = None) -> None:
    """Add a new message to the pending email of each recipient (inside the caller's transaction).

    Each new message restarts that recipient's quiet period. Client users who switched
    NOTIFY off for the account or email notices off for themselves, staff users who
    switched notices off, and anyone without an email address get none.
    """
    if thread.kind == ThreadKind.INTERNAL:
        return
    now = now or utcnow()
    quiet = _quiet_period(s)
    if message.author_kind == SubjectKind.STAFF:
        _mark_present(s, message.author_id, now)
        for kind, contact_id in recipients:
            if kind == SubjectKind.CONTACT:
                _collect_for_contact(s, thread.account_id, message.author_id, contact_id, message.created_at,
                                     now, quiet)
    elif recipients:
        _collect_for_staff(s, thread.account_id, message.created_at, now, quiet)


def collect_document(s: Session, *, document: Document, now: datetime | None = None) -> None:
    """Add a new document in a client folder to the other side's pending email (caller's transaction).

    Staff uploads into a folder shared with the client reach the client's users with
    full access; client uploads reach the responsible staff. Files that came with a
    message are announced by that message already.
    """
    if document.folder_id is None or document.message_id is not None:
        return
    now = now or utcnow()
    quiet = _quiet_period(s)
    if document.uploaded_by_kind == SubjectKind.STAFF:
        if not _shared_with_client(s, document.folder_id):
            return
        _mark_present(s, document.uploaded_by_id, now)
        readers = s.exec(select(AccountContact.contact_id).where(
            AccountContact.account_id == document.account_id, AccountContact.login == True,  # noqa: E712
            AccountContact.full_access == True)).all()  # noqa: E712
        for contact_id in readers:
            _collect_for_contact(s, document.account_id, document.uploaded_by_id, contact_id, document.created_at,
                                 now, quiet)
    elif document.uploaded_by_kind == SubjectKind.CONTACT:
        _collect_for_staff(s, document.account_id, document.created_at, now, quiet)


def _quiet_period(s: Session) -> timedelta:
    firm = s.exec(select(Firm)).first()
    return timedelta(minutes=firm.mail_quiet_minutes if firm else 10)


def _shared_with_client(s: Session, folder_id: int | None) -> bool:
    """Whether the folder or one of its ancestors is shared with the client's users."""
    while folder_id is not None:
        folder = s.get(Folder, folder_id)
        if folder is None:
            return False
        if folder.shared:
            return True
        folder_id = folder.parent_id
    return False


def _collect_for_staff(s: Session, account_id: int, started: datetime, now: datetime, quiet: timedelta) -> None:
    for user in access.responsible_staff(s, account_id):
        if user.email_notices:
            _add_to_batch(s, key=staff_batch_key(user.id), to=user.email, template=STAFF_TEMPLATE,
                          context={"staff_id": user.id}, started=started, now=now, quiet=quiet)


def _collect_for_contact(s: Session, account_id: int, staff_id: int | None, contact_id: int, started: datetime,
                         now: datetime, quiet: timedelta) -> None:
    link = s.get(AccountContact, (account_id, contact_id))
    contact = s.get(Contact, contact_id)
    if link is None or not link.notify or contact is None or not contact.email or not contact.email_notices:
        return
    pending = _add_to_batch(s, key=batch_key(contact_id), to=contact.email, template=TEMPLATE,
                            context={"contact_id": contact_id}, started=started, now=now, quiet=quiet)
    # Whose working session releases this email: every accountant who wrote into it.
    writers = {*pending.context.get("staff_ids", []), *([staff_id] if staff_id else [])}
    pending.context = {**pending.context, "staff_ids": sorted(writers)}


def _add_to_batch(s: Session, *, key: str, to: str, template: str, context: dict, started: datetime,
                  now: datetime, quiet: timedelta) -> Outbox:
    pending = s.exec(select(Outbox).where(Outbox.batch_key == key, Outbox.sent_at.is_(None),
                                          Outbox.claimed_until.is_(None))).first()
    if pending is None:
        # The batch starts with this message, so its own timestamp bounds what it covers.
        pending = Outbox(to=to, template=template, batch_key=key, created_at=started,
                         context={**context, "since": started.isoformat()})
    pending.not_before = now + quiet
    # A batch waiting for a retry after an SMTP failure goes with the new message instead.
    pending.next_attempt_at = now
    s.add(pending)
    return pending


def send_now(*, actor: Actor, account_id: int, contact_id: int | None = None) -> int:
    """ "Send email now": release the pending emails of an account's users at once.

    Args:
        actor: Staff working the account.
        account_id: The account.
        contact_id: Only this user; all users of the account when None.

    Returns:
        How many pending emails were released.
    """
    with db.session() as s:
        access.staff_account(s, actor, account_id)
        ids = [contact_id] if contact_id is not None else list(s.exec(
            select(AccountContact.contact_id).where(AccountContact.account_id == account_id)).all())
        result = s.exec(update(Outbox).where(Outbox.batch_key.in_([batch_key(i) for i in ids]),
                                             Outbox.sent_at.is_(None)).values(not_before=utcnow()))
        s.commit()
        return result.rowcount


def end_session(*, staff_id: int) -> int:
    """The accountant's working session ended (logout): their collected emails may go now.

    Returns:
        How many pending emails were released.
    """
    with db.session() as s:
        user = s.get(StaffUser, staff_id)
        if user is not None:
            user.last_seen_at = None
            s.add(user)
        now = utcnow()
        released = 0
        for row in _waiting_batches(s, now):
            if staff_id in row.context.get("staff_ids", []):
                _release(s, row, now)
                released += 1
        s.commit()
        return released


def heartbeat(*, actor: Actor) -> None:
    """An open staff tab says its user is still working (every :data:`portal.domain.presence.BEAT`)."""
    access.require_staff(actor)
    with db.session() as s:
        _mark_present(s, actor.id, utcnow())
        s.commit()


def release_ended_sessions(now: datetime | None = None) -> int:
    """Release the emails of accountants whose last staff tab closed without logout.

    A session counts as ended when no tab has beaten for :data:`PRESENCE_TIMEOUT` (or
    the user logged out); a batch several accountants wrote into waits for all of them.

    Returns:
        How many pending emails were released.
    """
    now = now or utcnow()
    with db.session() as s:
        waiting = _waiting_batches(s, now)
        writers = {staff_id for row in waiting for staff_id in row.context.get("staff_ids", [])}
        present = set(s.exec(select(StaffUser.id).where(StaffUser.id.in_(writers),
                                                        StaffUser.last_seen_at >= now - PRESENCE_TIMEOUT)).all())
        released = 0
        for row in waiting:
            if not present & set(row.context.get("staff_ids", [])):
                _release(s, row, now)
                released += 1
        s.commit()
        return released


def _mark_present(s: Session, staff_id: int, now: datetime) -> None:
    s.exec(update(StaffUser).where(StaffUser.id == staff_id).values(last_seen_at=now))


def _waiting_batches(s: Session, now: datetime) -> list[Outbox]:
    """Client emails still inside their quiet period."""
    return list(s.exec(select(Outbox).where(Outbox.template == TEMPLATE, Outbox.sent_at.is_(None),
                                            Outbox.not_before > now)).all())


def _release(s: Session, row: Outbox, now: datetime) -> None:
    row.not_before = now
    s.add(row)


def prepare(row: Outbox) -> Email | None:
    """The email for a pending batch as of now, or None when nothing is left unread."""
    since = datetime.fromisoformat(row.context.get("since", row.created_at.isoformat()))
    if row.template == STAFF_TEMPLATE:
        return _prepare_for_staff(row, row.context["staff_id"], since)
    return _prepare_for_contact(row, row.context["contact_id"], since)


def _unread(s: Session, recipient: tuple[str, int], since: datetime, author_kinds: Iterable[str]):
    kind, rid = recipient
    return s.exec(
        select(Message, Thread).join(Receipt, Receipt.message_id == Message.id)
        .join(Thread, Thread.id == Message.thread_id)
        .where(Receipt.recipient_kind == kind, Receipt.recipient_id == rid, Receipt.read_at.is_(None),
               Message.deleted_at.is_(None), Message.created_at >= since, Message.author_kind.in_(author_kinds),
               Thread.kind != ThreadKind.INTERNAL)
        .order_by(Message.created_at)).all()


def _prepare_for_staff(row: Outbox, staff_id: int, since: datetime) -> Email | None:
    """Per client, how many of its messages (and guests' arrivals) the firm has not read yet;
    a link to the inbox."""
    with db.session() as s:
        user = s.get(StaffUser, staff_id)
        if user is None or not user.email_notices:
            return None
        unread = _unread(s, FIRM_RECIPIENT, since, OUTSIDE_AUTHORS)
        new_docs = s.exec(select(Document.account_id).where(
            Document.uploaded_by_kind == SubjectKind.CONTACT, Document.message_id.is_(None),
            Document.folder_id.is_not(None), Document.created_at >= since, Document.trashed_at.is_(None))).all()
        if user.role != Role.ADMIN:
            # Assignments may have changed since the message came in.
            mine = set(s.exec(select(Assignment.account_id).where(Assignment.staff_id == staff_id)).all())
            unread = [(m, t) for m, t in unread if t.account_id in mine]
            new_docs = [account_id for account_id in new_docs if account_id in mine]
        if not unread and not new_docs:
            return None
        messages, docs = Counter(t.account_id for _m, t in unread), Counter(new_docs)
        names = dict(s.exec(select(ClientAccount.id, ClientAccount.name)
                            .where(ClientAccount.id.in_({*messages, *docs}))).all())
        firm = s.exec(select(Firm)).first()
    busiest = (messages + docs).most_common(MAX_ITEMS)
    items = [{"client": names.get(account_id, ""), "count": messages[account_id], "documents": docs[account_id]}
             for account_id, _total in busiest]
    return client_messages(to=row.to, locale=user.locale, name=user.name, firm_name=firm.name if firm else "",
                           count=len(unread), documents=len(new_docs), items=items,
                           link=get_settings().base_url + (routes.STAFF_INBOX if unread else routes.STAFF_CLIENTS))


def _prepare_for_contact(row: Outbox, contact_id: int, since: datetime) -> Email | None:
    """The unread messages from the firm; the button is a talk link unless the firm wants the password."""
    with db.session() as s:
        contact = s.get(Contact, contact_id)
        unread = _unread(s, (SubjectKind.CONTACT.value, contact_id), since, [SubjectKind.STAFF.value])
        documents = _new_documents_for(s, contact_id, since)
        if contact is None or not (unread or documents):
            return None
        firm = s.exec(select(Firm)).first()
        locale = contact.locale or "de"
        bookings = {b.id: b for b in s.exec(select(Booking).where(
            Booking.id.in_({t.booking_id for _m, t in unread if t.booking_id}))).all()}
        items = []
        for message, thread in unread[:MAX_ITEMS]:
            booking = bookings.get(thread.booking_id)
            amounts = bool(firm and firm.mail_include_amounts and booking)
            items.append({
                "date": fmt.date((booking.date if amounts else message.created_at.date()), locale),
                "amount": fmt.money(booking.amount_cents, booking.currency, locale) if amounts else "",
                "counterparty": booking.counterparty if amounts else "",
                "text": message.body[:500] if firm and firm.mail_include_text else "",
            })
        base = get_settings().base_url
        if not unread:
            link = base + routes.PORTAL_DOCUMENTS  # documents need the password login anyway
        elif firm is not None and firm.talk_password:
            link = base + routes.PORTAL
        else:
            link = base + routes.talk_link(magic_links.issue_talk_link(s, contact_id=contact_id))
        s.commit()
        name = f"{contact.first_name} {contact.last_name}".strip()
        return talk_batch(to=row.to, locale=locale, name=name, firm_name=firm.name if firm else "",
                          count=len(unread), documents=documents, items=items, link=link)


def _new_documents_for(s: Session, contact_id: int, since: datetime) -> int:
    """How many documents the firm put into folders the user sees since the batch began."""
    accounts = s.exec(select(AccountContact.account_id).where(
        AccountContact.contact_id == contact_id, AccountContact.login == True,  # noqa: E712
        AccountContact.full_access == True)).all()  # noqa: E712
    folder_ids = s.exec(select(Document.folder_id).where(
        Document.account_id.in_(accounts), Document.uploaded_by_kind == SubjectKind.STAFF,
        Document.message_id.is_(None), Document.folder_id.is_not(None), Document.created_at >= since,
        Document.trashed_at.is_(None))).all()
    return sum(1 for folder_id in folder_ids if _shared_with_client(s, folder_id))
