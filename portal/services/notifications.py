"""Batched emails to clients about messages from the firm (as FIBUscan does).

Messages an accountant writes to a client user are collected into one pending email
per user. It goes out when nothing new was added for the firm's quiet period, when the
accountant's working session ends (logout), or at once on "send email now". What the
email says is decided only when it goes out: messages the user has read in the portal
meanwhile are left out, and a batch with nothing left is not sent at all. Internal
talks never produce email.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from portal import routes
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.enums import SubjectKind, ThreadKind
from portal.i18n import format as fmt
from portal.models import AccountContact, Booking, Contact, Firm, Message, Outbox, Receipt, Thread
from portal.notify.emails import Email, talk_batch
from portal.services import access, db, magic_links
from portal.settings import get_settings

TEMPLATE = "talk_batch"
MAX_ITEMS = 20
SKIPPED = "skipped: everything was read in the portal"


def batch_key(contact_id: int) -> str:
    """The outbox key that collects one client user's notices."""
    return f"contact:{contact_id}"


def collect(s: Session, *, thread: Thread, message: Message, recipients: list[tuple[str, int]],
            now: datetime | None = None) -> None:
    """Add a staff message to each recipient's pending email (inside the caller's transaction).

    Each new message restarts that user's quiet period. Users who switched NOTIFY off,
    or have no email address, get none.
    """
    if thread.kind == ThreadKind.INTERNAL or message.author_kind != SubjectKind.STAFF:
        return
    now = now or utcnow()
    firm = s.exec(select(Firm)).first()
    quiet = timedelta(minutes=firm.mail_quiet_minutes if firm else 10)
    for kind, contact_id in recipients:
        if kind != SubjectKind.CONTACT:
            continue
        link = s.get(AccountContact, (thread.account_id, contact_id))
        contact = s.get(Contact, contact_id)
        if link is None or not link.notify or contact is None or not contact.email:
            continue
        pending = s.exec(select(Outbox).where(Outbox.batch_key == batch_key(contact_id), Outbox.sent_at.is_(None),
                                              Outbox.claimed_until.is_(None))).first()
        staff_ids = sorted({*(pending.context.get("staff_ids", []) if pending else []), message.author_id})
        if pending is None:
            # The batch starts with this message, so its own timestamp bounds what it covers.
            pending = Outbox(to=contact.email, template=TEMPLATE, batch_key=batch_key(contact_id),
                             created_at=message.created_at, context={"contact_id": contact_id})
        pending.context = {"contact_id": contact_id, "staff_ids": staff_ids, "since": pending.created_at.isoformat()}
        pending.not_before = now + quiet
        pending.next_attempt_at = now
        s.add(pending)


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
    """The accountant's working session ended: their collected emails may go now.

    Returns:
        How many pending emails were released.
    """
    with db.session() as s:
        pending = s.exec(select(Outbox).where(Outbox.template == TEMPLATE, Outbox.sent_at.is_(None))).all()
        released = 0
        for row in pending:
            if staff_id in row.context.get("staff_ids", []):
                row.not_before = utcnow()
                s.add(row)
                released += 1
        s.commit()
        return released


def prepare(row: Outbox) -> Email | None:
    """The email for a pending batch as of now, or None when nothing is left unread.

    Creates the talk link (stored hashed) unless the firm wants the password for the
    talk area; then the button is a plain link to the portal.
    """
    contact_id = row.context["contact_id"]
    since = datetime.fromisoformat(row.context.get("since", row.created_at.isoformat()))
    with db.session() as s:
        contact = s.get(Contact, contact_id)
        unread = s.exec(
            select(Message, Thread).join(Receipt, Receipt.message_id == Message.id)
            .join(Thread, Thread.id == Message.thread_id)
            .where(Receipt.recipient_kind == SubjectKind.CONTACT, Receipt.recipient_id == contact_id,
                   Receipt.read_at.is_(None), Message.deleted_at.is_(None), Message.created_at >= since,
                   Thread.kind != ThreadKind.INTERNAL)
            .order_by(Message.created_at)).all()
        if contact is None or not unread:
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
        if firm is not None and firm.talk_password:
            link = base + routes.PORTAL
        else:
            link = base + routes.talk_link(magic_links.issue_talk_link(s, contact_id=contact_id))
        s.commit()
        name = f"{contact.first_name} {contact.last_name}".strip()
        return talk_batch(to=row.to, locale=locale, name=name, firm_name=firm.name if firm else "",
                          count=len(unread), items=items, link=link)
