"""Receipt uploads into a booking talk: streamed into the blob store, all or nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from portal.domain.actor import Actor
from portal.domain.files import RECEIPT_TYPES
from portal.services import talks
from portal.services.uploads import StoredUpload, UploadRefused, save_upload

__all__ = ["UploadRefused", "upload_receipt"]


async def upload_receipt(*, actor: Actor, thread_id: int, filename: str, chunks: AsyncIterator[bytes],
                         body: str = "") -> int:
    """Store an uploaded receipt and post it into the talk.

    The bytes stream into the blob store (never held in memory), counted against
    MAX_UPLOAD_MB and sniffed; the rows are written only after the blob is complete,
    and a failure at any point leaves neither blob nor row behind.

    Returns:
        The id of the message carrying the receipt.

    Raises:
        UploadRefused: Too large, empty or not a PDF/JPEG/PNG/HEIC.
        NotFound: If the actor may not write into the talk.
        TalkError: If the talk is closed.
    """
    await asyncio.to_thread(talks.check_can_upload, actor=actor, thread_id=thread_id)

    def write(upload: StoredUpload) -> int:
        return talks.add_receipt_message(actor=actor, thread_id=thread_id, body=body, filename=upload.filename,
                                         blob_key=upload.key, size=upload.size, content_type=upload.content_type,
                                         sha256=upload.sha256)

    return await save_upload(chunks, filename=filename, allowed=RECEIPT_TYPES, write=write)
