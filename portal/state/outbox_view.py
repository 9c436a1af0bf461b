"""Admin view of outgoing email."""

import asyncio
import dataclasses

import reflex as rx

from portal import routes
from portal.services import outbox
from portal.state.session import Area, require_actor, to_login, user_formats

STATUSES = ("all", "queued", "failed", "sent")


@dataclasses.dataclass
class OutboxItem:
    """One email in the table."""

    id: int = 0
    recipient: str = ""
    template: str = ""
    status: str = ""
    created: str = ""
    sent: str = ""
    attempts: int = 0
    error: str = ""


class OutboxViewState(rx.State):
    """Queued, sent and failed emails with their errors."""

    rows: list[OutboxItem] = []
    status: str = "all"
    loaded: bool = False
    # How many emails are shown; reloads keep it, "load more" adds a step.
    shown: int = outbox.PAGE_SIZE
    has_more: bool = False

    @rx.event
    async def load(self):
        """Admins see the outbox; everyone else goes to their clients."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        if not actor.is_admin:
            return rx.redirect(routes.STAFF_CLIENTS)
        # One more than shown tells whether a "load more" button is needed.
        items = await asyncio.to_thread(outbox.list_outbox, actor=actor, status=self.status, limit=self.shown + 1)
        self.has_more, items = len(items) > self.shown, items[:self.shown]
        formats = await user_formats(self)
        self.rows = [OutboxItem(id=r.id, recipient=r.to, template=r.template, status=r.status,
                                created=formats.datetime(r.created_at),
                                sent=formats.datetime(r.sent_at) if r.sent_at else "", attempts=r.attempts,
                                error=r.last_error) for r in items]
        self.loaded = True
        return None

    @rx.event
    def set_status(self, status: str | list[str]):
        """Filter by state."""
        value = status[0] if isinstance(status, list) and status else status
        self.status = value if value in STATUSES else "all"
        self.shown = outbox.PAGE_SIZE
        return OutboxViewState.load

    @rx.event
    def load_more(self):
        """Show the next step of older emails."""
        self.shown += outbox.PAGE_SIZE
        return OutboxViewState.load

    @rx.event
    async def retry(self, row_id: int):
        """Send a failed email at the next round."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None or not actor.is_admin:
            return None
        await asyncio.to_thread(outbox.retry_now, actor=actor, row_id=row_id)
        return OutboxViewState.load
