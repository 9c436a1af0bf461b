"""Email digests for staff: per client or for all their clients, daily, weekly or monthly.

A staff user subscribes for one client account they work, or for "all my clients"
(``account_id`` None: an accountant's assigned clients, every client for an admin),
at most one subscription per (user, client or all). Each digest lists, per client with
anything to report, four numbers:

* open questions: open booking talks, i.e. bookings the firm still has a question
  about (whoever wrote last) - the list the client sees as their open items;
* missing receipts: bookings not exported yet whose receipt is missing;
* export-ready: bookings not exported yet with their receipt and without an open talk
  or internal note - nothing left to clarify before the export;
* unanswered: open threads (booking talks, conversations, files that arrived through
  an upload request link) whose last message came from outside the firm (a client
  user or a guest) - what the inbox and its counter show as waiting for the firm.

:func:`run_due` sends what is due. Every worker process runs it; a subscription is
claimed with a compare-and-set UPDATE on its ``next_run_at`` in the same transaction
that queues the email, so exactly one worker sends each digest, on SQLite and
Postgres. The next run is computed from now, not from the missed slot: a server that
was down for days sends one digest, not a backlog.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, delete, select

from portal import routes
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.enums import DigestFrequency, Role, SubjectKind, ThreadKind, ThreadStatus
from portal.domain.schedule import BERLIN, next_run
from portal.domain.talks import OUTSIDE_AUTHORS
from portal.i18n import format as fmt
from portal.models import Assignment, Booking, ClientAccount, DigestSubscription, Firm, Message, StaffUser, Thread
from portal.notify.outbox import queue
from portal.services import access, db
from portal.settings import get_settings

logger = logging.getLogger("portal.mail")

TEMPLATE = "digest"
# A digest for an admin's "all clients" could list hundreds; the rest is one line.
MAX_CLIENTS = 50
# Subscriptions looked at per round; any beyond wait for the next round, a minute later.
DUE_BATCH = 200


@dataclass(frozen=True)
class Subscription:
    """One of the user's digests as the settings show it."""

    account_id: int | None  # None: all the user's clients
    account_name: str
    public_id: str
    frequency: DigestFrequency
    next_run_at: dt.datetime


@dataclass(frozen=True)
class ClientNumbers:
    """What a digest reports about one client (see the module docstring)."""

    account_id: int
    name: str
    public_id: str
    open_questions: int
    missing_receipts: int
    export_ready: int
    unanswered: int

    @property
    def anything(self) -> bool:
        """Whether there is something to report."""
        return bool(self.open_questions or self.missing_receipts or self.export_ready or self.unanswered)


# Settings


def _mine(s: Session, actor: Actor, account_id: int | None) -> list[DigestSubscription]:
    return list(s.exec(select(DigestSubscription).where(
        DigestSubscription.staff_id == actor.id,
        col(DigestSubscription.account_id).is_(None) if account_id is None
        else DigestSubscription.account_id == account_id)).all())


def subscribe(*, actor: Actor, account_id: int | None, frequency: DigestFrequency | str,
              now: dt.datetime | None = None) -> Subscription:
    """Receive the digest for one client (or all of the actor's clients) at ``frequency``.

    Choosing the frequency a subscription already has keeps its next date; a new
    frequency starts a new schedule from now.

    Args:
        actor: A staff user.
        account_id: The client, or None for all clients the actor works.
        frequency: Daily, weekly or monthly.
        now: The current time (tests).

    Returns:
        The subscription.

    Raises:
        ValueError: If ``frequency`` is unknown.
        NotFound: If the actor does not work that client.
    """
    frequency = DigestFrequency(frequency)
    now = now or utcnow()
    access.require_staff(actor)
    with db.session() as s:
        account = access.staff_account(s, actor, account_id) if account_id is not None else None
        # Without a unique constraint two racing first clicks may both insert; such twins are
        # merged into one email by run_due, changed together here and removed together by unsubscribe.
        rows = _mine(s, actor, account_id) or [
            DigestSubscription(staff_id=actor.id, account_id=account_id, frequency=frequency,
                               next_run_at=next_run(frequency, now))]
        for row in rows:
            if row.frequency != frequency:
                row.frequency, row.next_run_at = frequency, next_run(frequency, now)
            s.add(row)
        s.commit()
        return _view(rows[0], account)


def unsubscribe(*, actor: Actor, account_id: int | None) -> bool:
    """Stop the digest for one client (or the one for all clients).

    Only the actor's own subscriptions are touched, so no access check on the client is
    needed: a user may always stop a digest, even for a client no longer assigned.

    Returns:
        Whether there was one.
    """
    access.require_staff(actor)
    with db.session() as s:
        rows = _mine(s, actor, account_id)
        for row in rows:
            s.delete(row)
        s.commit()
        return bool(rows)


def list_subscriptions(*, actor: Actor) -> list[Subscription]:
    """The actor's digests: the one for all clients first, then per client by name.

    Clients the actor no longer works are left out (:func:`run_due` removes those).
    """
    access.require_staff(actor)
    with db.session() as s:
        rows = s.exec(select(DigestSubscription, ClientAccount)
                      .outerjoin(ClientAccount, ClientAccount.id == DigestSubscription.account_id)
                      .where(DigestSubscription.staff_id == actor.id)
                      .order_by(col(DigestSubscription.id))).all()
        worked = access.staff_account_ids(s, actor, [account for _, account in rows if account is not None])
        seen: set[int | None] = set()
        result = []
        for row, account in rows:
            if row.account_id in seen or (row.account_id is not None and row.account_id not in worked):
                continue
            seen.add(row.account_id)
            result.append(_view(row, account))
    result.sort(key=lambda sub: (sub.account_id is not None, sub.account_name.casefold()))
    return result


def subscription(*, actor: Actor, account_id: int | None) -> Subscription | None:
    """The actor's digest for one client (or for all clients), if any.

    Raises:
        NotFound: If the actor does not work that client.
    """
    access.require_staff(actor)
    with db.session() as s:
        account = access.staff_account(s, actor, account_id) if account_id is not None else None
        rows = _mine(s, actor, account_id)
        return _view(rows[0], account) if rows else None


def _view(row: DigestSubscription, account: ClientAccount | None) -> Subscription:
    return Subscription(account_id=row.account_id, account_name=account.name if account else "",
                        public_id=account.public_id if account else "", frequency=DigestFrequency(row.frequency),
                        next_run_at=row.next_run_at)


# Content


def _works(s: Session, actor: Actor, account_id: int) -> bool:
    """Whether the staff actor works the client now (the rule of :func:`access.staff_account`)."""
    try:
        access.staff_account(s, actor, account_id)
    except access.NotFound:
        return False
    return True


def _all_clients(s: Session, actor: Actor) -> list[int]:
    """ "All my clients": an accountant's assigned clients, every client for an admin.

    The same scope as the staff action counter, so the digest and the inbox agree.
    """
    query = select(ClientAccount.id)
    if not actor.is_admin:
        query = query.join(Assignment, Assignment.account_id == ClientAccount.id).where(
            Assignment.staff_id == actor.id)
    return list(s.exec(query).all())


def _staff_actor(user: StaffUser) -> Actor:
    """The digest's recipient as the access rules see them (the loop has no login session)."""
    return Actor(kind=SubjectKind.STAFF, id=user.id, name=user.name, email=user.email, role=Role(user.role),
                 locale=user.locale)


def _counts(s: Session, query) -> dict[int, int]:
    return dict(s.exec(query).all())


def client_numbers(s: Session, account_ids: list[int]) -> list[ClientNumbers]:
    """The four numbers of each client with anything to report, ordered by name.

    One grouped query per number, so an admin's digest over every client stays cheap.
    """
    if not account_ids:
        return []
    in_scope = col(Booking.account_id).in_(account_ids)
    unexported = col(Booking.exported_at).is_(None)
    open_threads = (col(Thread.account_id).in_(account_ids), Thread.status == ThreadStatus.OPEN)
    missing = _counts(s, select(Booking.account_id, func.count()).where(
        in_scope, unexported, Booking.receipt_missing == True).group_by(Booking.account_id))  # noqa: E712
    # Any open thread on a booking, internal notes included: the firm is still clarifying it.
    being_discussed = select(Thread.booking_id).where(*open_threads, col(Thread.booking_id).is_not(None))
    ready = _counts(s, select(Booking.account_id, func.count()).where(
        in_scope, unexported, Booking.receipt_missing == False,  # noqa: E712
        col(Booking.id).not_in(being_discussed)).group_by(Booking.account_id))
    questions = _counts(s, select(Thread.account_id, func.count()).where(
        *open_threads, Thread.kind == ThreadKind.BOOKING_TALK).group_by(Thread.account_id))
    # Message ids grow with time: the highest undeleted id is a thread's last word.
    last_words = (select(func.max(Message.id)).join(Thread, Thread.id == Message.thread_id)
                  .where(*open_threads, Thread.kind != ThreadKind.INTERNAL, col(Message.deleted_at).is_(None))
                  .group_by(Message.thread_id))
    unanswered = _counts(s, select(Thread.account_id, func.count()).join(Message, Message.thread_id == Thread.id)
                         .where(col(Message.id).in_(last_words), col(Message.author_kind).in_(OUTSIDE_AUTHORS))
                         .group_by(Thread.account_id))
    accounts = s.exec(select(ClientAccount).where(col(ClientAccount.id).in_(account_ids))).all()
    numbers = [ClientNumbers(account_id=a.id, name=a.name, public_id=a.public_id,
                             open_questions=questions.get(a.id, 0), missing_receipts=missing.get(a.id, 0),
                             export_ready=ready.get(a.id, 0), unanswered=unanswered.get(a.id, 0))
               for a in accounts]
    return sorted((n for n in numbers if n.anything), key=lambda n: (n.name.casefold(), n.account_id))


# Sending


@dataclass(frozen=True)
class _Due:
    id: int
    staff_id: int
    account_id: int | None
    frequency: str
    next_run_at: dt.datetime


def run_due(now: dt.datetime | None = None) -> int:
    """Send every digest that is due; safe to run in several workers at once.

    A user's digests due at the same time (e.g. all clients weekly and one client
    weekly) go out as one email covering all their clients.

    Args:
        now: The current time (aware UTC); default the clock.

    Returns:
        How many digest emails were queued.
    """
    now = now or utcnow()
    with db.session() as s:
        rows = s.exec(select(DigestSubscription.id, DigestSubscription.staff_id, DigestSubscription.account_id,
                             DigestSubscription.frequency, DigestSubscription.next_run_at)
                      .where(DigestSubscription.next_run_at <= now)
                      .order_by(col(DigestSubscription.next_run_at)).limit(DUE_BATCH)).all()
    by_staff: dict[int, list[_Due]] = defaultdict(list)
    for row in rows:
        by_staff[row[1]].append(_Due(*row))
    queued = 0
    for staff_id, due in by_staff.items():
        try:
            queued += _send(staff_id, due, now)
        except Exception:  # one broken digest must not hold up everyone else's
            logger.exception("Digest for staff user %s failed; it is tried again next round.", staff_id)
    return queued


def _send(staff_id: int, due: list[_Due], now: dt.datetime) -> int:
    """Claim the user's due subscriptions and queue their email, in one transaction."""
    with db.session() as s:
        claimed = []
        for sub in due:
            # Compare-and-set: only the worker that moves next_run_at on from the value it
            # read owns this run. The UPDATE comes first in the transaction, so SQLite takes
            # its write lock (a second worker waits, then matches no row) and Postgres
            # makes a concurrent UPDATE wait for our commit and re-check the WHERE.
            result = s.exec(update(DigestSubscription)
                            .where(col(DigestSubscription.id) == sub.id,
                                   col(DigestSubscription.next_run_at) == sub.next_run_at)
                            .values(next_run_at=next_run(sub.frequency, now)))
            if result.rowcount == 1:
                claimed.append(sub)
        user = s.get(StaffUser, staff_id)
        if not claimed or user is None:
            s.commit()
            return 0
        actor = _staff_actor(user)
        accounts = set(_all_clients(s, actor)) if any(sub.account_id is None for sub in claimed) else set()
        gone = []
        for sub in claimed:
            if sub.account_id is None:
                continue
            if _works(s, actor, sub.account_id):
                accounts.add(sub.account_id)
            else:
                gone.append(sub.id)
        if gone:
            # The client was unassigned: its digest would stay empty and invisible for good.
            s.exec(delete(DigestSubscription).where(col(DigestSubscription.id).in_(gone)))
        numbers = client_numbers(s, sorted(accounts))
        if not numbers:
            s.commit()  # nothing to report: no email, but the schedule moves on
            return 0
        firm = s.exec(select(Firm)).first()
        queue(s, to=user.email, template=TEMPLATE,
              context=_context(user, firm.name if firm else "", numbers, now))
        s.exec(update(DigestSubscription).where(col(DigestSubscription.id).in_([sub.id for sub in claimed]))
               .values(last_sent_at=now))
        s.commit()
        return 1


def _context(user: StaffUser, firm_name: str, numbers: list[ClientNumbers], now: dt.datetime) -> dict:
    base = get_settings().base_url
    shown = numbers[:MAX_CLIENTS]
    return {
        "locale": user.locale, "name": user.name, "firm_name": firm_name,
        "date": fmt.date(now.astimezone(BERLIN).date(), user.locale),
        "items": [{"client": n.name, "link": base + routes.staff_client(n.public_id),
                   "open_questions": n.open_questions, "missing_receipts": n.missing_receipts,
                   "export_ready": n.export_ready, "unanswered": n.unanswered} for n in shown],
        "more": len(numbers) - len(shown),
        "link": base + routes.STAFF_CLIENTS,
        "settings_link": base + routes.STAFF_PROFILE,
    }


async def run_digest_loop(*, interval: float = 60.0) -> None:
    """Send due digests every ``interval`` seconds until cancelled.

    Without SMTP the emails stay in the outbox (and in the log), like every other email.

    Args:
        interval: Seconds between rounds.
    """
    while True:
        try:
            # The DB driver blocks; a thread keeps the event loop serving websockets.
            await asyncio.to_thread(run_due)
        except Exception:
            logger.exception("Digest round failed; trying again in %s s.", interval)
        await asyncio.sleep(interval)
