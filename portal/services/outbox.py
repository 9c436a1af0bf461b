"""Delivering the outbox: claim due rows, send them, record success or the retry time.

Several worker processes may run the sender loop at once (Granian workers, SQLite or
Postgres); a row is only sent by the worker whose atomic claim succeeded.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, update
from sqlmodel import col, select

from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.models.notify import Outbox
from portal.notify.emails import Email, render
from portal.notify.smtp import SmtpSender
from portal.services import notifications, upload_requests
from portal.services.access import AccessDenied
from portal.services.talks import MAX_PAGE_SIZE, PAGE_SIZE
from portal.services.db import session
from portal.settings import get_settings

logger = logging.getLogger("portal.mail")

# Longer than one SMTP conversation (20 s timeout per step), so a live worker keeps its
# claim; short enough that a crashed worker's rows are retried soon.
CLAIM_FOR = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
MAX_ERROR_CHARS = 2000
PERMANENT_PREFIX = "permanent: "
PARKED = timedelta(days=3650)


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(Outbox.sent_at).is_(None),
        col(Outbox.not_before) <= now,
        col(Outbox.next_attempt_at) <= now,
    )


def _retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY)


def is_permanent(error: Exception) -> bool:
    """Whether retrying cannot help: the server refused the address or the message (5xx).

    Authentication failures are 5xx too, but they are the portal's configuration, which
    an admin fixes; those emails keep being retried.
    """
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _msg in error.recipients.values())
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def _claim(row_id: int, now: datetime) -> Outbox | None:
    """Claim one row for this worker; ``None`` if another worker has it or it was handled."""
    with session() as db:
        # One conditional UPDATE is atomic on SQLite (single writer) and Postgres (the row
        # lock makes a concurrent UPDATE re-check the WHERE); the due check is repeated
        # because the row may have been sent or rescheduled since our SELECT.
        result = db.exec(
            update(Outbox)
            .where(
                col(Outbox.id) == row_id,
                _due(now),
                or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < now),
            )
            .values(claimed_until=now + CLAIM_FOR)
        )
        db.commit()
        if result.rowcount != 1:
            return None
        return db.get(Outbox, row_id)


def _email_for(row: Outbox) -> Email | None:
    """Batched notices and request links are composed when they go out; the rest from their stored context."""
    if row.template in notifications.BATCH_TEMPLATES:
        return notifications.prepare(row)
    if row.template == upload_requests.EMAIL_TEMPLATE:
        return upload_requests.compose_email(row)
    return render(row.template, row.to, row.context)


def _finish(row_id: int, *, now: datetime, error: Exception | None, skipped: bool = False) -> None:
    """Record a sent (or deliberately skipped) email, or a failure and when to try again."""
    with session() as db:
        row = db.get(Outbox, row_id)
        assert row is not None  # rows are never deleted
        if error is None:
            row.sent_at = now
            row.last_error = notifications.SKIPPED if skipped else ""
        else:
            row.attempts += 1
            permanent = is_permanent(error)
            prefix = PERMANENT_PREFIX if permanent else ""
            row.last_error = f"{prefix}{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]
            # A refused address stays failed (visible, retryable by hand) instead of retrying hourly.
            row.next_attempt_at = now + (PARKED if permanent else _retry_delay(row.attempts))
        row.claimed_until = None
        db.add(row)
        db.commit()


def deliver_due(
    *, sender: SmtpSender, mail_from: str, now: datetime | None = None, limit: int = 50
) -> int:
    """Send the outbox emails that are due, oldest first.

    Args:
        sender: The SMTP sender.
        mail_from: The ``From`` header.
        now: The current time (aware UTC); default the clock. Tests pass a later time to
            step past a retry delay.
        limit: Most rows to look at in this call.

    Returns:
        How many emails were sent.
    """
    with session() as db:
        ids = db.exec(
            select(Outbox.id).where(_due(now or utcnow())).order_by(col(Outbox.id)).limit(limit)
        ).all()
    sent = 0
    for row_id in ids:
        # A fresh time per row: a slow batch must not hand out claims that already expired.
        at = now or utcnow()
        row = _claim(row_id, at)
        if row is None:
            continue
        try:
            email = _email_for(row)
            if email is None:
                _finish(row_id, now=at, error=None, skipped=True)
                continue
            sender.send(email, mail_from=mail_from)
        except Exception as exc:  # any failure (render or SMTP) becomes a retry, never a loss
            logger.warning("Email %s to %s failed (attempt %s): %s", row_id, row.to, row.attempts + 1, exc)
            _finish(row_id, now=at, error=exc)
        else:
            # If this commit fails the claim expires and the email is sent again:
            # at-least-once delivery, preferred over losing a reset link.
            _finish(row_id, now=at, error=None)
            sent += 1
    return sent


async def run_sender_loop(*, interval: float = 5.0) -> None:
    """Deliver the outbox every ``interval`` seconds until cancelled.

    Returns at once (after one log line) when ``SMTP_URL`` is not set: emails then stay
    in the outbox and :func:`portal.notify.outbox.queue` has already logged them.

    Args:
        interval: Seconds between delivery rounds.
    """
    settings = get_settings()
    if not settings.smtp_url:
        logger.info("SMTP_URL is not set; emails are logged and kept in the outbox, not sent.")
        return
    sender = SmtpSender.from_url(settings.smtp_url)
    while True:
        try:
            # SMTP and the DB driver block; a thread keeps the event loop serving websockets.
            await asyncio.to_thread(notifications.release_ended_sessions)
            await asyncio.to_thread(deliver_due, sender=sender, mail_from=settings.mail_from)
        except Exception:
            logger.exception("Outbox delivery round failed; trying again in %s s.", interval)
        await asyncio.sleep(interval)


@dataclass(frozen=True)
class OutboxRow:
    """One email as the admin outbox view shows it."""

    id: int
    to: str
    template: str
    status: str  # queued, sent, skipped, failed
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str
    next_attempt_at: datetime


def _status(row) -> str:
    if row.sent_at is not None:
        return "skipped" if row.last_error == notifications.SKIPPED else "sent"
    return "failed" if row.attempts else "queued"


def list_outbox(*, actor: Actor, status: str = "all", limit: int = PAGE_SIZE) -> list[OutboxRow]:
    """The newest emails, optionally only queued, sent or failed ones (admins only).

    Args:
        actor: An admin.
        status: ``all``, ``queued``, ``failed`` or ``sent``.
        limit: Most emails returned (the view pages by asking for more).

    Raises:
        AccessDenied: If the actor is not an admin.
    """
    if not actor.is_admin:
        raise AccessDenied("admins only")
    with session() as db:
        # The columns the view shows; never the rendering context, which can be large.
        query = select(Outbox.id, Outbox.to, Outbox.template, Outbox.created_at, Outbox.sent_at, Outbox.attempts,
                       Outbox.last_error, Outbox.next_attempt_at)
        if status == "sent":
            query = query.where(col(Outbox.sent_at).is_not(None))
        elif status == "failed":
            query = query.where(col(Outbox.sent_at).is_(None), col(Outbox.attempts) > 0)
        elif status == "queued":
            query = query.where(col(Outbox.sent_at).is_(None), col(Outbox.attempts) == 0)
        rows = db.exec(query.order_by(col(Outbox.id).desc()).limit(max(1, min(limit, MAX_PAGE_SIZE)))).all()
        return [OutboxRow(id=r.id, to=r.to, template=r.template, status=_status(r), created_at=r.created_at,
                          sent_at=r.sent_at, attempts=r.attempts, last_error=r.last_error,
                          next_attempt_at=r.next_attempt_at) for r in rows]


def retry_now(*, actor: Actor, row_id: int) -> bool:
    """Try a failed email again at the next sender round instead of after the backoff.

    Returns:
        Whether an unsent email was rescheduled.

    Raises:
        AccessDenied: If the actor is not an admin.
    """
    if not actor.is_admin:
        raise AccessDenied("admins only")
    with session() as db:
        result = db.exec(update(Outbox).where(col(Outbox.id) == row_id, col(Outbox.sent_at).is_(None))
                         .values(next_attempt_at=utcnow(), not_before=utcnow()))
        db.commit()
        return result.rowcount == 1
