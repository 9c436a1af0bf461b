"""Admins remind the accountants of a client about pending work ("Buchhalter benachrichtigen")."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select

from portal import routes
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.enums import ReminderKind
from portal.domain.errors import UserError
from portal.domain.text import clean_block
from portal.i18n import DEFAULT_LOCALE
from portal.models import Assignment, Firm, Reminder, StaffUser
from portal.notify import outbox
from portal.services import db
from portal.services.access import staff_account
from portal.services.clients import require_admin
from portal.services.digests import client_numbers
from portal.settings import get_settings

MAX_COMMENT_CHARS = 2000


class ReminderError(UserError):
    """A reminder that cannot go out; ``key`` names the message."""


def remind_accountants(*, actor: Actor, account_id: int, kinds: Sequence[str], comment: str = "") -> int:
    """Email every accountant assigned to the client about the ticked pending task kinds.

    Each email names the kinds with the client's current numbers, the admin's comment
    and a link to the client; it goes through the outbox.

    Args:
        actor: An admin.
        account_id: The client.
        kinds: Values of :class:`ReminderKind`; at least one.
        comment: Free text added to the email.

    Returns:
        How many accountants were emailed.

    Raises:
        ReminderError: No kind ticked, an overlong comment, or no accountant assigned.
        AccessDenied: If the actor is not an admin.
    """
    require_admin(actor)
    chosen = [k.value for k in ReminderKind if k.value in set(kinds)]
    if not chosen:
        raise ReminderError("reminder.error.kinds")
    note = clean_block(comment)
    if len(note) > MAX_COMMENT_CHARS:
        raise ReminderError("reminder.error.comment_long", limit=MAX_COMMENT_CHARS)
    with db.session() as s:
        account = staff_account(s, actor, account_id)
        accountants = s.exec(select(StaffUser).join(Assignment, Assignment.staff_id == StaffUser.id)
                             .where(Assignment.account_id == account.id).order_by(StaffUser.id)).all()
        if not accountants:
            raise ReminderError("reminder.error.nobody")
        numbers = client_numbers(s, [account.id])
        counts = {ReminderKind.MISSING_RECEIPTS.value: numbers[0].missing_receipts if numbers else 0,
                  ReminderKind.OPEN_TALKS.value: (numbers[0].open_questions + numbers[0].unanswered) if numbers else 0,
                  ReminderKind.EXPORT_READY.value: numbers[0].export_ready if numbers else 0}
        firm = s.exec(select(Firm)).first()
        admin = s.get(StaffUser, actor.id)
        s.add(Reminder(account_id=account.id, from_admin_id=actor.id, task_kinds=chosen, comment=note,
                       created_at=utcnow()))
        link = get_settings().base_url + routes.staff_client(account.public_id)
        for user in accountants:
            outbox.queue(s, to=user.email, template="reminder", context={
                "locale": user.locale or DEFAULT_LOCALE, "name": user.name, "firm_name": firm.name if firm else "",
                "admin": admin.name, "client": account.name, "kinds": [[k, counts[k]] for k in chosen],
                "comment": note, "link": link,
            })
        s.commit()
        return len(accountants)
