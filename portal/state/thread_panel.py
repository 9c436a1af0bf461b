"""One thread in a side sheet, for either side: read, answer, attach, edit, close.

The staff inbox and the client's conversations both use it; the side (and so the
access rules) comes from the session, never from the browser.
"""

import asyncio

import reflex as rx

from portal import realtime, routes
from portal.domain.actor import Actor
from portal.i18n import translate
from portal.services import conversations, receipts, talks
from portal.services.access import NotFound
from portal.state.session import Area, SessionState, require_actor, to_login, user_formats
from portal.state.talk_view import BookingDetail, MessageItem, booking_detail, message_items

ATTACH_UPLOAD_ID = "thread-attachment"


async def _file_bytes(first: bytes, chunks: rx.UploadChunkIterator, filename: str):
    yield first
    async for chunk in chunks:
        if chunk.filename != filename:
            raise receipts.UploadRefused("upload.error.one_file")
        yield chunk.data


class ThreadPanelState(rx.State):
    """The thread shown in the sheet."""

    is_open: bool = False
    thread_id: int = 0
    subject: str = ""
    account_name: str = ""
    is_booking_talk: bool = False
    booking: BookingDetail = BookingDetail()
    messages: list[MessageItem] = []
    older_messages: bool = False
    _newest: int = talks.MESSAGE_PAGE
    thread_open: bool = False
    can_close: bool = False
    closed_at: str = ""
    error: str = ""
    upload_error: str = ""
    uploading: bool = False
    progress: int = 0
    edit_open: bool = False
    edit_id: int = 0
    edit_body: str = ""

    async def _actor(self) -> Actor | None:
        session = await self.get_state(SessionState)
        # Contacts may come from an email link: the services refuse what that scope may not reach.
        area = Area.STAFF if session.kind == "staff" else Area.TALK
        return await require_actor(self, area)

    async def _load(self, actor: Actor) -> None:
        view = await asyncio.to_thread(talks.thread_view, actor=actor, thread_id=self.thread_id,
                                       newest=self._newest)
        formats = await user_formats(self)
        locale = formats.locale
        self.subject = view.subject or (view.booking.counterparty if view.booking else "")
        self.is_booking_talk = view.booking is not None
        self.booking = booking_detail(view.booking, locale) if view.booking else BookingDetail()
        self.messages, self.older_messages = message_items(view, actor, formats), view.older
        self.thread_open = view.status == "open"
        self.can_close = self.thread_open and conversations.may_close(actor, view)
        self.closed_at = formats.datetime(view.closed_at) if view.closed_at else ""

    @rx.event
    async def open_thread(self, thread_id: int, account_name: str = ""):
        """Show a thread the user may read (the services decide)."""
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        self.thread_id, self.account_name, self.error, self.upload_error = thread_id, account_name, "", ""
        self._newest = talks.MESSAGE_PAGE
        # Joined before loading, so a message landing meanwhile is not missed. A push only
        # makes the tab reload through the services, so an unreadable thread's room tells nothing.
        await realtime.link(self, realtime.thread_room(thread_id))
        await realtime.link(self, realtime.tasks_room(thread_id))
        try:
            await self._load(actor)
        except NotFound:
            # Not a thread this user may read (e.g. from a stale link): show none rather than the last one.
            self.thread_id, self.is_open = 0, False
            return None
        self.is_open = True
        return None

    @rx.event
    def open_linked(self):
        """Open the thread a link names (``?thread=<id>``, e.g. from a push notification).

        Runs after the list page's own on_load, so the session is already checked.
        """
        raw = self.router.url.query_parameters.get(routes.THREAD_PARAM, "")
        if not raw.isdigit():
            return None
        return ThreadPanelState.open_thread(int(raw), "")

    @rx.event
    async def refresh(self):
        """The thread changed somewhere: reload it."""
        if not self.is_open or not self.thread_id:
            return None
        actor = await self._actor()
        if actor is None:
            return to_login(self)
        try:
            await self._load(actor)
        except NotFound:
            self.is_open = False
        return None

    @rx.event
    def load_older(self):
        """Show the next older messages above those shown."""
        self._newest += talks.MESSAGE_PAGE
        return ThreadPanelState.refresh

    @rx.event
    def set_is_open(self, is_open: bool):
        """Close the sheet."""
        self.is_open = is_open

    async def _run(self, call, **kwargs) -> bool:
        """Run a service call for the user; show its refusal; reload on success."""
        actor = await self._actor()
        if actor is None:
            return False
        formats = await user_formats(self)
        locale = formats.locale
        try:
            await asyncio.to_thread(call, actor=actor, **kwargs)
        except talks.TalkError as err:
            self.error = translate(locale, err.key)
            return False
        except NotFound:
            self.error = translate(locale, "talk.error.gone")
            return False
        self.error = ""
        await self._load(actor)
        return True

    @rx.event
    async def send(self, form: dict):
        """Answer in the thread."""
        if await self._run(talks.post_message, thread_id=self.thread_id, body=str(form.get("body", ""))):
            return rx.set_value("thread-body", "")
        return None

    @rx.event
    async def delete_message(self, message_id: int):
        """Delete one of the user's own messages."""
        await self._run(talks.delete_message, message_id=message_id)

    @rx.event
    def start_edit(self, message_id: int):
        """Open the edit dialog for one of the user's own messages."""
        message = next((m for m in self.messages if m.id == message_id and m.mine), None)
        if message is not None:
            self.edit_id, self.edit_body, self.edit_open = message.id, message.body, True

    @rx.event
    def set_edit_open(self, is_open: bool):
        """Close the edit dialog."""
        self.edit_open = is_open

    @rx.event
    async def save_edit(self, form: dict):
        """Store the edited text."""
        if await self._run(conversations.edit_message, message_id=self.edit_id, body=str(form.get("body", ""))):
            self.edit_open = False

    @rx.event
    async def close_thread(self):
        """Archive the conversation (only offered to the side that started it)."""
        await self._run(conversations.close_conversation, thread_id=self.thread_id)

    @rx.event
    def set_progress(self, progress: dict):
        """Upload progress from the browser (0..1)."""
        self.progress = round(float(progress.get("progress", 0)) * 100)

    @rx.event(background=True)
    async def attach(self, chunks: rx.UploadChunkIterator):
        """Stream a file into the store and post it into the thread."""
        async with self:
            actor = await self._actor()
            thread_id, locale = self.thread_id, (await self.get_state(SessionState)).locale
            self.uploading, self.upload_error, self.progress = True, "", 0
        error = ""
        try:
            if actor is None:
                raise NotFound("session")
            first = await anext(chunks)
            await receipts.upload_receipt(actor=actor, thread_id=thread_id, filename=first.filename,
                                          chunks=_file_bytes(first.data, chunks, first.filename))
        except StopAsyncIteration:
            error = "upload.error.empty"
        except (receipts.UploadRefused, talks.TalkError) as err:
            error = err.key
        except NotFound:
            error = "talk.error.gone"
        async with self:
            self.uploading = False
            self.upload_error = translate(locale, error) if error else ""
            if not error and actor is not None:
                await self._load(actor)
