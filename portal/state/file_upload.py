"""Several files streamed in one upload, each with its own progress bar, status and cancel.

A concrete state mixes in :class:`FileUploadMixin`, says where files go in
``_save_file`` and exposes a background ``receive`` handler that calls
:meth:`FileUploadMixin._receive_all`. The browser sends all dropped files in one
request; their sizes (sent first by :meth:`queue_files`) turn the request's progress
into per-file progress, and the server reports each file's outcome as it finishes.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator

import reflex as rx

from portal.domain.actor import Actor
from portal.i18n import format as fmt
from portal.i18n import translate
from portal.services.access import NotFound
from portal.services.uploads import UploadRefused
from portal.state.session import SessionState

logger = logging.getLogger("portal.upload")
WAITING, UPLOADING, DONE, REFUSED, CANCELLED = "waiting", "uploading", "done", "refused", "cancelled"
MAX_FILES = 50


@dataclasses.dataclass
class UploadItem:
    """One file of the current upload."""

    name: str = ""
    size: str = ""
    percent: int = 0
    status: str = WAITING
    message: str = ""


async def _files(chunks: rx.UploadChunkIterator,
                 limit: int = MAX_FILES) -> AsyncIterator[tuple[str, AsyncIterator[bytes]]]:
    """Split the upload's chunk stream into one byte stream per file, in order.

    A consumer that stops early (a refused file) gets the rest of its file skipped,
    so the next file starts at its own first byte. Files after the first ``limit`` are
    not read: a browser sends what :meth:`FileUploadMixin.queue_files` announced (at
    most :data:`MAX_FILES`), a request carrying more is no browser's, and it ends with
    the handler.
    """
    stream = aiter(chunks)
    pending = await anext(stream, None)
    count = 0
    while pending is not None and count < limit:
        count += 1
        current, following = pending, []

        async def body(first=current, after=following) -> AsyncIterator[bytes]:
            yield first.data
            async for chunk in stream:
                if chunk.filename != first.filename:
                    after.append(chunk)
                    return
                yield chunk.data

        data = body()
        yield current.filename, data
        async for _rest in data:
            pass
        pending = following[0] if following else None


class FileUploadMixin(rx.State, mixin=True):
    """Per-file progress and results of the current upload."""

    upload_items: list[UploadItem] = []
    uploading: bool = False
    _sizes: list[int] = []

    @rx.event
    async def queue_files(self, picked: list[dict]):
        """The browser is about to send these files (name and size each)."""
        locale = (await self.get_state(SessionState)).locale
        files = picked[:MAX_FILES]
        self._sizes = [max(int(f.get("size", 0)), 1) for f in files]
        self.upload_items = [UploadItem(name=str(f.get("name", ""))[:200], size=fmt.size(int(f.get("size", 0)), locale))
                             for f in files]
        self.uploading = bool(files)

    @rx.event
    def upload_progress(self, progress: dict):
        """Spread the request's sent bytes over the files in their order."""
        loaded = float(progress.get("loaded", 0))
        start = 0
        for item, size in zip(self.upload_items, self._sizes, strict=False):
            if item.status in (WAITING, UPLOADING):
                share = min(max((loaded - start) / size, 0.0), 1.0)
                item.percent = round(share * 100)
                item.status = UPLOADING if share > 0 else WAITING
            start += size

    @rx.event
    def cancel_upload(self, upload_id: str):
        """Stop sending; files not yet stored are dropped on the server (nothing half-stored stays)."""
        for item in self.upload_items:
            if item.status in (WAITING, UPLOADING):
                item.status, item.percent = CANCELLED, 0
        self.uploading = False
        return rx.cancel_upload(upload_id)

    @rx.event
    def clear_uploads(self):
        """Hide the finished upload's list."""
        if not self.uploading:
            self.upload_items, self._sizes = [], []

    async def _save_file(self, actor: Actor | None, filename: str, data: AsyncIterator[bytes]) -> None:
        """Store one file; raise UploadRefused or NotFound to refuse it. Subclasses say where it goes."""
        raise NotImplementedError

    async def _receive_one(self, actor: Actor | None, locale: str, index: int, filename: str,
                           data: AsyncIterator[bytes]) -> int:
        async with self:
            if index >= len(self.upload_items):  # the browser sent more than it announced
                self.upload_items = [*self.upload_items, UploadItem(name=filename[:200])]
                self._sizes = [*self._sizes, 1]
            cancelled = self.upload_items[index].status == CANCELLED
        message = ""
        if not cancelled:
            try:
                await self._save_file(actor, filename, data)
            except UploadRefused as refused:
                message = translate(locale, refused.key)
            except NotFound:
                message = translate(locale, "upload.error.gone")
        async with self:
            item = self.upload_items[index]
            if item.status != CANCELLED:
                item.status, item.message = (REFUSED, message) if message else (DONE, "")
                item.percent = item.percent if message else 100
            self.upload_items = list(self.upload_items)
        return 0 if message or cancelled else 1

    async def _receive_all(self, actor: Actor | None, chunks: rx.UploadChunkIterator) -> int:
        """Store each file of the upload in turn, reporting every outcome as it happens.

        Must be called from a background event handler (it takes the state lock per step).

        Returns:
            How many files were stored.
        """
        async with self:
            locale = (await self.get_state(SessionState)).locale
        stored, index = 0, 0
        try:
            async for filename, data in _files(chunks):
                stored += await self._receive_one(actor, locale, index, filename, data)
                index += 1
        except Exception as exc:  # the producer forwards whatever ended the request
            # The browser cancelled or the connection dropped: the store already removed
            # the partial blob; the files not received stay marked as not stored.
            logger.info("Upload ended early after %s file(s): %r", index, exc)
            async with self:
                for item in self.upload_items[index:]:
                    if item.status in (WAITING, UPLOADING):
                        item.status, item.message = CANCELLED, translate(locale, "upload.error.interrupted")
                self.upload_items = list(self.upload_items)
        async with self:
            self.uploading = False
        return stored
