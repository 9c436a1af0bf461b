"""The client's view of one booking talk: read, answer, upload the receipt."""

import asyncio
from collections.abc import AsyncIterator

import reflex as rx

from portal import realtime
from portal.domain.actor import Actor
from portal.i18n import translate
from portal.services import receipts, talks
from portal.services.access import NotFound
from portal.state.session import Area, SessionState, require_actor, to_login
from portal.state.talk_view import AttachmentItem, BookingDetail, MessageItem, attachment_items, booking_detail, message_items

UPLOAD_ID = "receipt-upload"


async def _rest_of(first: bytes, chunks: rx.UploadChunkIterator, filename: str) -> AsyncIterator[bytes]:
    """The bytes of one uploaded file, starting with the chunk already read."""
    yield first
    async for chunk in chunks:
        if chunk.filename != filename:
            raise receipts.UploadRefused("upload.error.one_file")
        yield chunk.data


class PortalTalkState(rx.State):
    """The open talk in the client's talk view."""

    is_open: bool = False
    thread_id: int = 0
    thread_open: bool = False
    booking: BookingDetail = BookingDetail()
    messages: list[MessageItem] = []
    receipts: list[AttachmentItem] = []
    error: str = ""
    upload_error: str = ""
    uploading: bool = False
    progress: int = 0

    async def _locale(self) -> str:
        return (await self.get_state(SessionState)).locale

    async def _load(self, actor: Actor) -> None:
        view = await asyncio.to_thread(talks.thread_view, actor=actor, thread_id=self.thread_id)
        locale = await self._locale()
        self.booking = booking_detail(view.booking, locale) if view.booking else BookingDetail()
        self.messages = message_items(view, actor, locale)
        self.receipts = attachment_items(view.receipts)
        self.thread_open = view.status == "open"

    @rx.event
    async def open_talk(self, thread_id: int):
        """Show a talk (the service decides whether this user may read it)."""
        actor = await require_actor(self, Area.PORTAL)
        if actor is None:
            return to_login(self)
        self.thread_id, self.error, self.upload_error = thread_id, "", ""
        try:
            await self._load(actor)
        except NotFound:
            self.thread_id = 0
            return None
        await realtime.link(self, realtime.ThreadRoom, realtime.thread_room(thread_id))
        self.is_open = True
        return None

    @rx.event
    async def refresh(self):
        """The talk changed somewhere: reload it."""
        if not self.is_open or not self.thread_id:
            return None
        actor = await require_actor(self, Area.PORTAL)
        if actor is None:
            return to_login(self)
        try:
            await self._load(actor)
        except NotFound:
            self.is_open = False
        return None

    @rx.event
    def set_is_open(self, is_open: bool):
        """Close the talk view (Escape, overlay, close button)."""
        self.is_open = is_open

    @rx.event
    async def send(self, form: dict):
        """Answer the firm."""
        actor = await require_actor(self, Area.PORTAL)
        if actor is None:
            return to_login(self)
        try:
            await asyncio.to_thread(talks.post_message, actor=actor, thread_id=self.thread_id,
                                    body=str(form.get("body", "")))
        except talks.TalkError as err:
            self.error = translate(await self._locale(), err.key)
            return None
        except NotFound:
            self.error = translate(await self._locale(), "talk.error.gone")
            return None
        self.error = ""
        await self._load(actor)
        return rx.set_value("portal-talk-body", "")

    @rx.event
    async def delete_message(self, message_id: int):
        """Delete one of the user's own messages."""
        actor = await require_actor(self, Area.PORTAL)
        if actor is None:
            return to_login(self)
        try:
            await asyncio.to_thread(talks.delete_message, actor=actor, message_id=message_id)
        except NotFound:
            return None
        await self._load(actor)
        return None

    @rx.event
    def set_progress(self, progress: dict):
        """Upload progress from the browser (0..1)."""
        self.progress = round(float(progress.get("progress", 0)) * 100)

    @rx.event(background=True)
    async def upload_receipt(self, chunks: rx.UploadChunkIterator):
        """Stream the chosen file into the store and post it into the talk."""
        async with self:
            actor = await require_actor(self, Area.PORTAL)
            thread_id, locale = self.thread_id, await self._locale()
            self.uploading, self.upload_error, self.progress = True, "", 0
        error = ""
        try:
            if actor is None:
                raise NotFound("session")
            first = await anext(chunks)
            await receipts.upload_receipt(actor=actor, thread_id=thread_id, filename=first.filename,
                                          chunks=_rest_of(first.data, chunks, first.filename))
        except StopAsyncIteration:
            error = "upload.error.empty"
        except receipts.UploadRefused as err:
            error = err.key
        except talks.TalkError as err:
            error = err.key
        except NotFound:
            error = "talk.error.gone"
        async with self:
            self.uploading = False
            self.upload_error = translate(locale, error) if error else ""
            if not error and actor is not None:
                await self._load(actor)
