"""Staff view of one client: bookings list with filters and the talk flyout."""

import asyncio
import dataclasses

import reflex as rx

from portal import realtime
from portal.domain.actor import Actor
from portal.i18n import format as fmt
from portal.i18n import translate
from portal.services import bookings, notifications, talks
from portal.services.access import NotFound
from portal.state.client_page import ClientPageState
from portal.state.session import Area, require_actor, to_login, user_formats, user_locale
from portal.state.talk_view import (
    AttachmentItem,
    BookingDetail,
    MessageItem,
    attachment_items,
    booking_detail,
    message_items,
)

INTERN = "intern"
EVERYONE = "all"


@dataclasses.dataclass
class BookingRowView:
    """One line of the bookings table."""

    id: int = 0
    date: str = ""
    amount: str = ""
    incoming: bool = False
    ledger: str = ""
    counterparty: str = ""
    text: str = ""
    receipt_missing: bool = False
    exported: bool = False
    talk: str = "none"


@dataclasses.dataclass
class Option:
    """A choice in a select."""

    value: str = ""
    label: str = ""


class StaffBookingsState(rx.State):
    """Bookings of the client in the URL, and the talk on the selected booking."""

    rows: list[BookingRowView] = []
    ledger: str = ""
    talk: str = "all"
    page: int = 1
    pages: int = 1
    total: int = 0
    counts: dict[str, int] = {}
    loaded: bool = False

    flyout_open: bool = False
    booking: BookingDetail = BookingDetail()
    receipts: list[AttachmentItem] = []
    messages: list[MessageItem] = []
    older_messages: bool = False
    _newest: int = talks.MESSAGE_PAGE
    thread_id: int = 0
    thread_open: bool = False
    thread_internal: bool = False
    recipient_name: str = ""
    recipients: list[Option] = []
    recipient: str = EVERYONE
    sender_name: str = ""
    error: str = ""
    mail_notice: str = ""

    _account_id: int = 0
    _booking_id: int = 0

    async def _actor(self) -> Actor | None:
        return await require_actor(self, Area.STAFF)

    @rx.event
    async def load(self):
        """Open the client named in the URL (if the user works it) and follow it live."""
        client = await self.get_state(ClientPageState)
        actor = await client._open()
        if actor is None:
            return to_login(self)
        if client.not_found:
            self.loaded = True
            return None
        self._account_id = client._account_id
        self.ledger, self.talk, self.page, self.flyout_open = "", "all", 1, False
        await self._load_rows(actor)
        return None

    async def _load_rows(self, actor: Actor) -> None:
        result = await asyncio.to_thread(bookings.list_bookings, actor=actor, account_id=self._account_id,
                                         ledger=self.ledger, talk=self.talk, page=self.page)
        locale = await user_locale(self)
        self.rows = [BookingRowView(id=r.id, date=fmt.date(r.date, locale),
                                    amount=fmt.money(r.amount_cents, r.currency, locale), incoming=r.amount_cents > 0,
                                    ledger=r.ledger, counterparty=r.counterparty, text=r.text,
                                    receipt_missing=r.receipt_missing, exported=r.exported, talk=r.talk.value)
                     for r in result.rows]
        self.page, self.pages, self.total, self.counts = result.page, result.pages, result.total, result.talk_counts
        self.loaded = True

    @rx.event
    async def refresh(self):
        """The account changed somewhere: reload the list."""
        if not self._account_id:
            return None
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        await self._load_rows(actor)
        return None

    @rx.event
    async def set_ledger(self, ledger: str | list[str]):
        """Filter by ledger ("all" = no filter)."""
        ledger = ledger[0] if isinstance(ledger, list) and ledger else ledger
        self.ledger = "" if ledger == "all" or not isinstance(ledger, str) else ledger
        self.page = 1
        return StaffBookingsState.refresh

    @rx.event
    async def set_talk(self, talk: str):
        """Filter by talk state."""
        self.talk = talk if talk in bookings.TALK_FILTERS else "all"
        self.page = 1
        return StaffBookingsState.refresh

    @rx.event
    async def go_to_page(self, page: int):
        """Show another page."""
        self.page = page
        return StaffBookingsState.refresh

    # Flyout

    @rx.event
    async def open_booking(self, booking_id: int):
        """Show the booking's talk in the flyout."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self._booking_id, self.error, self.recipient, self.mail_notice = booking_id, "", EVERYONE, ""
        self._newest = talks.MESSAGE_PAGE
        try:
            await self._load_talk(actor)
            people = await asyncio.to_thread(talks.recipients, actor=actor, account_id=self._account_id)
        except NotFound:
            return None
        locale = await user_locale(self)
        self.recipients = [Option(EVERYONE, translate(locale, "talk.recipient.all")),
                           *[Option(str(p.contact_id), p.name) for p in people],
                           Option(INTERN, translate(locale, "talk.recipient.intern"))]
        self.sender_name = await asyncio.to_thread(talks.sender_name, actor=actor)
        self.flyout_open = True
        return None

    async def _load_talk(self, actor: Actor) -> None:
        view = await asyncio.to_thread(talks.booking_talk, actor=actor, booking_id=self._booking_id,
                                       newest=self._newest)
        locale = await user_locale(self)
        if view is None:
            row = next((r for r in self.rows if r.id == self._booking_id), None)
            if row is None:
                raise NotFound("booking")
            self.booking = BookingDetail(date=row.date, amount=row.amount, incoming=row.incoming,
                                         counterparty=row.counterparty, text=row.text, ledger=row.ledger,
                                         receipt_missing=row.receipt_missing, exported=row.exported)
            self.messages, self.receipts, self.thread_id, self.older_messages = [], [], 0, False
            self.thread_open, self.thread_internal, self.recipient_name = False, False, ""
            return
        self.booking = booking_detail(view.booking, locale)
        self.receipts = attachment_items(view.receipts)
        self.messages = message_items(view, actor, await user_formats(self))
        self.older_messages = view.older
        self.thread_id, self.thread_open = view.id, view.status == "open"
        self.thread_internal, self.recipient_name = view.kind == "internal", view.recipient_name
        await realtime.link(self, realtime.thread_room(view.id))

    @rx.event
    async def refresh_talk(self):
        """The open talk changed somewhere: reload it."""
        if not self.flyout_open:
            return None
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        await self._load_talk(actor)
        return None

    @rx.event
    def load_older(self):
        """Show the next older messages of the talk above those shown."""
        self._newest += talks.MESSAGE_PAGE
        return StaffBookingsState.refresh_talk

    @rx.event
    def set_flyout_open(self, is_open: bool):
        """Closing the flyout (Escape, overlay, close button)."""
        self.flyout_open = is_open

    @rx.event
    def set_recipient(self, value: str):
        """Choose who the new talk goes to."""
        self.recipient = value

    @rx.event
    async def send(self, form: dict):
        """Start the talk or write into the open one."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        body = str(form.get("body", ""))
        name = str(form.get("sender_name", ""))
        locale = await user_locale(self)
        try:
            if self.thread_id and self.thread_open:
                await asyncio.to_thread(talks.post_message, actor=actor, thread_id=self.thread_id, body=body,
                                        sender_name=name)
            else:
                recipient = None if self.recipient in (EVERYONE, INTERN) else int(self.recipient)
                await asyncio.to_thread(talks.start_talk, actor=actor, booking_id=self._booking_id,
                                        recipient_contact_id=recipient, internal=self.recipient == INTERN,
                                        sender_name=name, body=body)
        except talks.TalkError as err:
            self.error = translate(locale, err.key)
            return None
        except NotFound:
            self.error = translate(locale, "talk.error.gone")
            return None
        self.error, self.sender_name = "", name.strip() or self.sender_name
        await self._load_talk(actor)
        return rx.set_value("talk-body", "")

    @rx.event
    async def send_email_now(self):
        """"Send email now": the client's collected notice goes out without waiting."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        released = await asyncio.to_thread(notifications.send_now, actor=actor, account_id=self._account_id)
        locale = await user_locale(self)
        self.mail_notice = translate(locale, "talk.mail_sent" if released else "talk.mail_nothing")
        return None

    @rx.event
    async def delete_message(self, message_id: int):
        """Delete one of the user's own messages."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        try:
            await asyncio.to_thread(talks.delete_message, actor=actor, message_id=message_id)
        except NotFound:
            return None
        await self._load_talk(actor)
        return None

    @rx.event
    async def close_talk(self):
        """The red button: the questions on this booking are settled."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        if self.thread_id:
            await asyncio.to_thread(talks.close_talk, actor=actor, thread_id=self.thread_id)
            await self._load_talk(actor)
        return None

    @rx.var
    def ledger_choice(self) -> str:
        """The ledger select's value ("all" for no filter)."""
        return self.ledger or "all"
