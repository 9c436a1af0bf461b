"""A client's "Protokoll" tab: its audit trail, newest first, filtered by kind of action,
paged by "Mehr laden", and exported as CSV or PDF."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import reflex as rx

from portal import routes
from portal.domain.actor import Actor
from portal.domain.audit import CATEGORIES, Category
from portal.domain.clock import utcnow
from portal.services import audit, audit_export
from portal.services.access import NotFound
from portal.state.client_page import ClientPageState
from portal.state.session import Area, require_actor, to_login, user_formats

ALL = "all"
# How long after an export's download starts the list shows it.
EXPORT_SETTLE_SECONDS = 1.5
# An icon per kind of action, so the list can be scanned by eye.
_ICONS = {Category.LOGINS: "log-in", Category.DOCUMENTS: "file-text", Category.MESSAGES: "message-square-x",
          Category.CONTACTS: "user-cog", Category.EXPORTS: "file-down"}
_ICON_OF = {action.value: _ICONS[group] for group, actions in CATEGORIES.items() for action in actions}


@dataclasses.dataclass
class ProtocolRow:
    """One event of the list, in the user's words and time zone."""

    id: int = 0
    at: str = ""
    who: str = ""
    side: str = ""
    what: str = ""
    object: str = ""
    details: str = ""
    icon: str = "scroll-text"


@dataclasses.dataclass
class KindChoice:
    """An entry of the filter."""

    value: str = ""
    label_key: str = ""


# The filter's entries: all, then each group.
KINDS = [KindChoice(value=ALL, label_key="audit.filter.all"),
         *(KindChoice(value=c.value, label_key=f"audit.filter.{c.value}") for c in Category)]


def _day(value: str) -> str:
    """A date input's value if it is a real ISO date, else empty."""
    try:
        return dt.date.fromisoformat(value).isoformat() if value else ""
    except ValueError:
        return ""


class ClientProtocolState(rx.State):
    """The list on screen and the export dialog's choices."""

    rows: list[ProtocolRow] = []
    kind: str = ALL
    has_more: bool = False
    loaded: bool = False
    no_access: bool = False
    export_open: bool = False
    since: str = ""
    until: str = ""
    public_id: str = ""
    _account_id: int = 0
    _account_name: str = ""
    _next_before: int = 0

    async def _actor(self) -> Actor | None:
        return await require_actor(self, Area.STAFF)

    @rx.event
    async def load(self):
        """Open the client of the URL and show the newest events."""
        client = await self.get_state(ClientPageState)
        actor = await client._open()
        if actor is None:
            return to_login(self)
        self.loaded, self.kind, self.export_open, self.since, self.until = False, ALL, False, "", ""
        self.rows, self.has_more, self.no_access, self._next_before = [], False, False, 0
        if client.not_found:
            self.loaded = True
            return None
        self._account_id, self._account_name, self.public_id = client._account_id, client.account_name, client.public_id
        await self._show(actor, append=False)
        return None

    async def _show(self, actor: Actor, *, append: bool) -> None:
        formats = await user_formats(self)
        kind = "" if self.kind == ALL else self.kind
        try:
            page = await asyncio.to_thread(audit.protocol, actor=actor, account_id=self._account_id, kind=kind,
                                           before=self._next_before if append and self._next_before else None)
        except NotFound:
            # Staff who work the client but are not assigned to it (the guest account), or
            # whose assignment was removed meanwhile.
            self.rows, self.has_more, self.no_access, self.loaded = [], False, True, True
            return
        shown = [ProtocolRow(id=line.id, at=line.at, who=line.who, side=line.side, what=line.what, object=line.object,
                             details=line.details, icon=_ICON_OF.get(line.action, "scroll-text"))
                 for line in audit.lines(page.entries, formats)]
        self.rows = [*self.rows, *shown] if append else shown
        self.has_more, self._next_before = page.has_more, page.next_before or 0
        self.no_access, self.loaded = False, True

    @rx.event
    async def set_kind(self, value: str):
        """Show only one kind of action (or all again), from the newest."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self.kind = value if value in {k.value for k in KINDS} else ALL
        self._next_before = 0
        await self._show(actor, append=False)
        return None

    @rx.event
    async def load_more(self):
        """Add the next older step under the list."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        if self.has_more:
            await self._show(actor, append=True)
        return None

    @rx.event
    async def refresh(self):
        """Show the newest events again (after an export, which is recorded too)."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self._next_before = 0
        await self._show(actor, append=False)
        return None

    @rx.event
    def open_export(self):
        """Open the export dialog."""
        self.export_open = True

    @rx.event
    def set_export_open(self, is_open: bool):
        """Closing the dialog (close button, Escape, overlay)."""
        self.export_open = is_open

    @rx.event
    def set_since(self, value: str):
        """First day of the period to export."""
        self.since = _day(value)

    @rx.event
    def set_until(self, value: str):
        """Last day of the period to export."""
        self.until = _day(value)

    @rx.event
    async def download(self, file_format: str):
        """Download the export; the route checks access again and records it."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        if file_format not in audit_export.FORMATS or not self.public_id:
            return None
        formats = await user_formats(self)
        url = routes.audit_export(self.public_id, file_format, kind="" if self.kind == ALL else self.kind,
                                  since=self.since, until=self.until)
        filename = audit_export.export_filename(account_name=self._account_name, file_format=file_format,
                                                formats=formats, now=utcnow())
        return [rx.download(url=url, filename=filename), ClientProtocolState.refresh_soon]

    @rx.event(background=True)
    async def refresh_soon(self):
        """Show the export's own entry: the download route records it a moment after the click."""
        await asyncio.sleep(EXPORT_SETTLE_SECONDS)
        async with self:
            actor = await self._actor()
            if actor is not None and self._account_id:
                self._next_before = 0
                await self._show(actor, append=False)
