"""Receipt uploads into a booking talk: streamed into the blob store, all or nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from portal.domain.errors import UserError
from portal.domain.actor import Actor
from portal.domain.files import RECEIPT_TYPES, SNIFF_BYTES, safe_filename, sniff
from portal.services import talks
from portal.settings import get_settings
from portal.storage import BlobTooLarge, get_store


class UploadRefused(UserError):
    """The file was not stored; ``key`` is the catalog key of the reason."""


async def _sniffed(chunks: AsyncIterator[bytes], found: list[str]) -> AsyncIterator[bytes]:
    """Pass the stream through, checking its type before the first byte is written."""
    head = b""
    pending: list[bytes] = []
    async for chunk in chunks:
        if found:
            yield chunk
            continue
        head += chunk
        pending.append(chunk)
        if len(head) < SNIFF_BYTES:
            continue
        found.append(_check_type(head))
        for piece in pending:
            yield piece
    if not found and head:
        found.append(_check_type(head))
        for piece in pending:
            yield piece


def _check_type(head: bytes) -> str:
    content_type = sniff(head)
    if content_type not in RECEIPT_TYPES:
        raise UploadRefused("upload.error.type")
    return content_type


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
    store = get_store()
    found: list[str] = []
    try:
        blob = await store.put_stream(_sniffed(chunks, found), max_bytes=get_settings().max_upload_mb * 1024 * 1024)
    except BlobTooLarge as exc:
        raise UploadRefused("upload.error.too_large") from exc
    if blob.size == 0 or not found:
        store.delete(blob.key)
        raise UploadRefused("upload.error.empty")
    try:
        return await asyncio.to_thread(
            talks.add_receipt_message, actor=actor, thread_id=thread_id, body=body,
            filename=safe_filename(filename, found[0]), blob_key=blob.key, size=blob.size,
            content_type=found[0], sha256=blob.sha256)
    except BaseException:
        store.delete(blob.key)
        raise
