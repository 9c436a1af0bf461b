"""What the import pages share: the upload, the service in a worker thread with a progress
bar, and the rows of the line report (bookings and clients)."""

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TypeVar

import reflex as rx

from portal.services import booking_transfer

T = TypeVar("T")
PROBLEMS_SHOWN = 200


@dataclasses.dataclass
class ProblemView:
    """One line of the import report."""

    line: int = 0
    column: str = ""
    message: str = ""


async def _file_bytes(chunks: rx.UploadChunkIterator):
    async for chunk in chunks:
        yield chunk.data


Tick = Callable[[str, int, int], None]
"""``tick(stage, done, total)``: what an import in a worker thread reports."""


class ImportProgressMixin(rx.State, mixin=True):
    """Upload, then a service working in a thread, with a progress bar (bookings and clients)."""

    importing: bool = False
    stage: str = ""
    progress: int = 0

    @rx.event
    def set_upload_progress(self, progress: dict):
        """Bytes sent so far (0..1) while the file uploads."""
        self.stage, self.progress = "upload", round(float(progress.get("progress", 0)) * 100)

    async def _run_import(self, chunks: rx.UploadChunkIterator, call: Callable[[bytes, Tick], T]) -> T:
        """Read the upload (size-capped), run ``call(data, tick)`` in a worker thread and show
        its ticks four times a second. Call from a background handler, outside ``async with self``.

        Raises:
            TransferError: ``import.too_large`` for an oversized file; and whatever ``call`` raises.
        """
        data = await booking_transfer.read_upload(_file_bytes(chunks))
        ticks = {"stage": "check", "done": 0, "total": 1}
        async with self:
            self.stage, self.progress = "check", 0
        work = asyncio.create_task(asyncio.to_thread(
            call, data, lambda stage, done, total: ticks.update(stage=stage, done=done, total=max(total, 1))))
        while not work.done():
            await asyncio.sleep(0.25)
            async with self:
                self.stage, self.progress = ticks["stage"], round(100 * ticks["done"] / ticks["total"])
        return await work
