"""Test data written straight into the database the services use."""

import datetime as dt
import itertools

from sqlmodel import select

from portal.domain.enums import AccountKind, Ledger, Role
from portal.models import AccountContact, Assignment, Booking, ClientAccount, Contact, Firm, StaffUser
from portal.services import db
from portal.services.auth import hash_password

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def unique_email(prefix: str) -> str:
    """An address no other test uses."""
    return f"{prefix}-{next(_seq)}-{id(object())}@example.test"


def firm(*, name: str = "Steuerkanzlei Test", consultant_number: int | None = 29098) -> Firm:
    """Create the firm row."""
    with db.session() as s:
        row = Firm(name=name, datev_consultant_number=consultant_number)
        s.add(row)
        s.commit()
        return row


def ensure_firm(name: str = "Steuerkanzlei Berger & Partner") -> Firm:
    """The firm row, created with ``name`` if the shared e2e database has none yet.

    A row that an earlier test created bare (saving a setting does) gets ``name`` and the
    DATEV consultant number, so what the tests expect of the firm does not depend on the
    order they run in.
    """
    with db.session() as s:
        existing = s.exec(select(Firm)).first()
        if existing is not None and (not existing.name or existing.datev_consultant_number is None):
            existing.name = existing.name or name
            existing.datev_consultant_number = existing.datev_consultant_number or 29098
            s.add(existing)
            s.commit()
            s.refresh(existing)
    return existing or firm(name=name)


def staff(*, role: Role = Role.ACCOUNTANT, name: str = "Anna Schmidt", email: str | None = None,
          password: str = PASSWORD) -> StaffUser:
    """Create a staff user."""
    with db.session() as s:
        user = StaffUser(email=email or unique_email("staff"), name=name, role=role,
                         password_hash=hash_password(password), sender_name=name)
        s.add(user)
        s.commit()
        return user


def client(*, name: str, accountants: tuple[StaffUser, ...] = (), kind: AccountKind = AccountKind.COMPANY,
           missing_receipts: int = 0) -> ClientAccount:
    """Create a client account, assign it and add bookings lacking receipts."""
    with db.session() as s:
        account = ClientAccount(kind=kind, name=name, company_name=name if kind == AccountKind.COMPANY else "")
        s.add(account)
        s.flush()
        s.add_all(Assignment(staff_id=a.id, account_id=account.id) for a in accountants)
        s.add_all(Booking(account_id=account.id, ledger=Ledger.SUPPLIERS,
                          date=dt.date(2026, 11, 2) + dt.timedelta(days=i),
                          amount_cents=-(12_345 + i * 100), counterparty=f"Lieferant {i + 1}",
                          text=f"Rechnung {1000 + i}", receipt_missing=True)
                  for i in range(missing_receipts))
        s.commit()
        return account


def contact(*, account: ClientAccount, first: str = "Maria", last: str = "Hofmann", login: bool = True,
            full_access: bool = True, email: str | None = None, password: str = PASSWORD,
            also_on: tuple[ClientAccount, ...] = ()) -> Contact:
    """Create a contact linked to ``account`` (and, as a portal user, to the accounts ``also_on``)."""
    with db.session() as s:
        person = Contact(first_name=first, last_name=last, email=email or unique_email("contact"),
                         password_hash=hash_password(password))
        s.add(person)
        s.flush()
        s.add(AccountContact(account_id=account.id, contact_id=person.id, login=login, full_access=full_access))
        s.add_all(AccountContact(account_id=other.id, contact_id=person.id, login=True) for other in also_on)
        s.commit()
        return person


def actor(user: StaffUser | Contact):
    """The Actor a login of ``user`` would produce, without paying for argon2."""
    from portal.domain.actor import Actor
    from portal.domain.enums import SubjectKind

    if isinstance(user, StaffUser):
        return Actor(kind=SubjectKind.STAFF, id=user.id, name=user.name, email=user.email, role=Role(user.role))
    return Actor(kind=SubjectKind.CONTACT, id=user.id, name=f"{user.first_name} {user.last_name}".strip(),
                 email=user.email or "")


def bulk_messages(*, thread_id: int, count: int, author: StaffUser | Contact, recipients=(),
                  body: str = "Nachricht {n}") -> None:
    """Add ``count`` messages to a thread in a few INSERTs (not ``count`` service calls).

    Messages follow the thread's newest one a millisecond apart, numbered 1..count in
    ``body``; each gets an unread receipt per ``(kind, id)`` in ``recipients``. The
    thread's ``last_message_at`` moves to the newest, as the services would leave it.
    """
    from sqlalchemy import insert, update

    from portal.domain.clock import utcnow
    from portal.domain.enums import SubjectKind
    from portal.models import Message, Receipt, Thread

    kind = SubjectKind.STAFF if isinstance(author, StaffUser) else SubjectKind.CONTACT
    name = author.name if isinstance(author, StaffUser) else f"{author.first_name} {author.last_name}"
    with db.session() as s:
        start = s.get(Thread, thread_id).last_message_at or utcnow()
        newest = start + dt.timedelta(milliseconds=count)
        # RETURNING in parameter order: the ids come from the table's own sequence (Postgres too).
        ids = s.execute(insert(Message).returning(Message.id, sort_by_parameter_order=True), [
            {"thread_id": thread_id, "author_kind": kind, "author_id": author.id, "sender_name": name,
             "body": body.format(n=n + 1), "created_at": start + dt.timedelta(milliseconds=n + 1)}
            for n in range(count)]).scalars().all()
        if recipients:
            s.execute(insert(Receipt), [{"message_id": mid, "recipient_kind": rkind, "recipient_id": rid}
                                        for mid in ids for rkind, rid in recipients])
        s.execute(update(Thread).where(Thread.id == thread_id).values(last_message_at=newest))
        s.commit()
