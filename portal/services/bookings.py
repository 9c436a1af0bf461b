"""Bookings of a client account as the staff work them: list, filters, talk status."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from portal import realtime
from portal.domain.actor import Actor
from portal.domain.enums import Ledger, ThreadStatus
from portal.domain.talks import TalkStatus, talk_status
from portal.models import Booking, ClientAccount, Thread
from portal.services import access, db, talks

PAGE_SIZE = 50
TALK_FILTERS = ("all", "talk", *(s.value for s in TalkStatus if s != TalkStatus.NONE))


@dataclass(frozen=True)
class BookingRow(talks.BookingLine):
    """One line of the staff bookings list: the booking and its talk status."""

    talk: TalkStatus = TalkStatus.NONE


@dataclass(frozen=True)
class BookingPage:
    """A page of an account's bookings plus what the filters need."""

    account_id: int
    account_name: str
    rows: tuple[BookingRow, ...]
    total: int
    page: int
    pages: int
    talk_counts: dict[str, int]


def account_for_staff(*, actor: Actor, public_id: str) -> ClientAccount:
    """The account behind a URL id, if the staff actor works it.

    Raises:
        NotFound: Otherwise.
    """
    with db.session() as s:
        return access.staff_account_by_public_id(s, actor, public_id)


def talk_statuses(s: Session, account_id: int) -> dict[int, tuple[TalkStatus, int]]:
    """Status icon and thread id per booking of the account that ever had a talk.

    The open talk decides; without one, the newest closed talk.
    """
    # Every talk the account ever had: only the columns the status needs, no ORM rows.
    threads = s.exec(select(Thread.id, Thread.booking_id, Thread.kind, Thread.status)
                     .where(Thread.account_id == account_id, Thread.booking_id.is_not(None))
                     .order_by(Thread.id)).all()
    open_ids = [t.id for t in threads if t.status == ThreadStatus.OPEN]
    authors = talks.last_authors(s, open_ids) if open_ids else {}
    result: dict[int, tuple[TalkStatus, int]] = {}
    for thread in threads:  # ascending: a later talk overrides, an open one always wins
        current = result.get(thread.booking_id)
        if current is not None and current[0] != TalkStatus.CLOSED and thread.status == ThreadStatus.CLOSED:
            continue
        result[thread.booking_id] = (talk_status(kind=thread.kind, status=thread.status,
                                                 last_author_kind=authors.get(thread.id)), thread.id)
    return result


def list_bookings(*, actor: Actor, account_id: int, ledger: str = "", talk: str = "all",
                  page: int = 1) -> BookingPage:
    """A page of the account's bookings, newest first, filtered by ledger and talk state.

    Loading the list counts as the firm having received the client's messages.

    Args:
        actor: Staff working the account.
        account_id: The account.
        ledger: One of :class:`Ledger`, or empty for all.
        talk: ``all``, ``talk`` (any open talk) or a :class:`TalkStatus` value.
        page: 1-based page number.

    Raises:
        NotFound: If the actor does not work the account.
    """
    with db.session() as s:
        account = access.staff_account(s, actor, account_id)
        statuses = talk_statuses(s, account.id)
        counts: dict[str, int] = {}
        for status, _thread in statuses.values():
            counts[status.value] = counts.get(status.value, 0) + 1
        counts["talk"] = sum(n for k, n in counts.items() if k != TalkStatus.CLOSED)
        query = select(Booking).where(Booking.account_id == account.id)
        if ledger in {l.value for l in Ledger}:
            query = query.where(Booking.ledger == ledger)
        if talk != "all":
            wanted = {b for b, (st, _t) in statuses.items()
                      if (st != TalkStatus.CLOSED if talk == "talk" else st.value == talk)}
            query = query.where(Booking.id.in_(wanted))
        total = s.exec(select(func.count()).select_from(query.subquery())).one()
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(1, page), pages)
        bookings = s.exec(query.order_by(Booking.date.desc(), Booking.id.desc())
                          .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
        open_threads = [t for st, t in statuses.values() if st in (TalkStatus.WAITING, TalkStatus.ANSWERED)]
        changed = talks.mark_received(s, talks.FIRM_RECIPIENT, open_threads, read=False) if open_threads else []
        s.commit()
        rows = tuple(BookingRow(**vars(talks.booking_line(b)), talk=statuses.get(b.id, (TalkStatus.NONE, 0))[0])
                     for b in bookings)
    if changed:
        realtime.publish(realtime.thread_room(t) for t in changed)
    return BookingPage(account_id=account.id, account_name=account.name, rows=rows, total=total, page=page,
                       pages=pages, talk_counts=counts)
