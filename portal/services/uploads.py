"""Streamed uploads into the blob store: size cap, content sniffing, SHA-256, all or nothing.

Every upload path (talk receipts, documents, request links, questionnaire answers)
goes through :func:`save_upload`: the bytes stream into the store without being held
in memory, the type is decided from the content before the first byte is written, and
the database rows are written only once the blob is complete. Any failure or
cancellation afterwards deletes the blob again, so nothing half-done remains.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TypeVar

from portal.domain.errors import UserError
from portal.domain.files import RECEIPT_TYPES, SNIFF_BYTES, PolyglotScan, safe_filename, sniff
from portal.settings import get_settings
from portal.storage import BlobTooLarge, get_store

T = TypeVar("T")


class UploadRefused(UserError):
    """The file was not stored; ``key`` is the catalog key of the reason."""


@dataclass(frozen=True)
class StoredUpload:
    """A complete blob and what was learned about it on the way in."""

    key: str
    size: int
    sha256: str
    content_type: str
    filename: str


async def _sniffed(chunks: AsyncIterator[bytes], allowed: frozenset[str] | set[str],
                   found: list[str]) -> AsyncIterator[bytes]:
    """Pass the stream through, checking its type before the first byte is written and
    every byte of a receipt or image for a second, active format (a polyglot)."""
    head = b""
    pending: list[bytes] = []
    scan: PolyglotScan | None = None
    async for chunk in chunks:
        if scan is not None:
            _check_polyglot(scan, chunk, allowed)
            yield chunk
            continue
        head += chunk
        pending.append(chunk)
        if len(head) < SNIFF_BYTES:
            continue
        found.append(_check_type(head[:SNIFF_BYTES], allowed))
        scan = PolyglotScan(found[0])
        for piece in pending:
            _check_polyglot(scan, piece, allowed)
            yield piece
    if not found and head:
        found.append(_check_type(head, allowed))
        scan = PolyglotScan(found[0])
        for piece in pending:
            _check_polyglot(scan, piece, allowed)
            yield piece


def _refusal(allowed: frozenset[str] | set[str]) -> UploadRefused:
    # Receipts name the few types they take; the documents area only refuses programs and unknowns.
    return UploadRefused("upload.error.type" if allowed <= RECEIPT_TYPES else "upload.error.document_type")


def _check_type(head: bytes, allowed: frozenset[str] | set[str]) -> str:
    content_type = sniff(head)
    if content_type not in allowed:
        raise _refusal(allowed)
    return content_type


def _check_polyglot(scan: PolyglotScan, chunk: bytes, allowed: frozenset[str] | set[str]) -> None:
    # Raised inside the stream: the store then deletes what it has written so far.
    if scan.feed(chunk):
        raise _refusal(allowed)


async def store_stream(chunks: AsyncIterator[bytes], *, filename: str,
                       allowed: frozenset[str] | set[str]) -> StoredUpload:
    """Stream an upload into the blob store.

    Args:
        chunks: The file's bytes as they arrive.
        filename: The name the browser sent (cleaned for display and download).
        allowed: Content types to accept, as sniffed from the bytes.

    Raises:
        UploadRefused: Over MAX_UPLOAD_MB (refused while streaming), empty, a type
            not in ``allowed``, or a receipt or image that is also a web page or script
            (:class:`~portal.domain.files.PolyglotScan`). Nothing is stored then.
    """
    store = get_store()
    found: list[str] = []
    try:
        blob = await store.put_stream(_sniffed(chunks, allowed, found),
                                      max_bytes=get_settings().max_upload_mb * 1024 * 1024)
    except BlobTooLarge as exc:
        raise UploadRefused("upload.error.too_large") from exc
    if blob.size == 0 or not found:
        store.delete(blob.key)
        raise UploadRefused("upload.error.empty")
    return StoredUpload(key=blob.key, size=blob.size, sha256=blob.sha256, content_type=found[0],
                        filename=safe_filename(filename, found[0]))


async def save_upload(chunks: AsyncIterator[bytes], *, filename: str, allowed: frozenset[str] | set[str],
                      write: Callable[[StoredUpload], T]) -> T:
    """Store an upload, then record it with ``write`` (run in a worker thread).

    If ``write`` fails, or the caller is cancelled meanwhile, the blob is deleted.

    Returns:
        Whatever ``write`` returned.

    Raises:
        UploadRefused: See :func:`store_stream`.
    """
    upload = await store_stream(chunks, filename=filename, allowed=allowed)
    try:
        return await asyncio.to_thread(write, upload)
    except BaseException:
        get_store().delete(upload.key)
        raise
