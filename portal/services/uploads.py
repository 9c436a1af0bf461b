"""Streamed uploads into the blob store: size cap, content sniffing, SHA-256, all or nothing.

Every upload path (talk receipts, documents, request links, questionnaire answers)
goes through :func:`save_upload`: the bytes stream into the store without being held
in memory, the type is decided from the content before the first byte is written, and
the database rows are written only once the blob is complete. Any failure or
cancellation afterwards deletes the blob again, so nothing half-done remains. (A
server killed between the blob and the commit leaves a blob no row names; the sweep
in :mod:`portal.services.blob_sweep` removes it.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from portal.domain.errors import UserError
from portal.domain.files import RECEIPT_TYPES, SNIFF_BYTES, PolyglotScan, safe_filename, sniff
from portal.services import blob_sweep
from portal.settings import get_settings
from portal.storage import BlobStoreFull, BlobTooLarge, get_store

T = TypeVar("T")
logger = logging.getLogger("portal.upload")


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
            not in ``allowed``, a receipt or image that is also a web page or script
            (:class:`~portal.domain.files.PolyglotScan`), or no room left in the store. Nothing is stored then.
    """
    store = get_store()
    found: list[str] = []
    try:
        blob = await store.put_stream(_sniffed(chunks, allowed, found),
                                      max_bytes=get_settings().max_upload_mb * 1024 * 1024)
    except BlobTooLarge as exc:
        raise UploadRefused("upload.error.too_large") from exc
    except BlobStoreFull as exc:
        # The uploader cannot fix this, the firm can: say so, and tell the operator in the log.
        logger.error("Upload refused: the blob store is full (%s).", exc.__cause__ or exc)
        raise UploadRefused("upload.error.storage_full") from exc
    if blob.size == 0 or not found:
        _delete_quietly(blob.key)
        raise UploadRefused("upload.error.empty")
    return StoredUpload(key=blob.key, size=blob.size, sha256=blob.sha256, content_type=found[0],
                        filename=safe_filename(filename, found[0]))


async def save_upload(chunks: AsyncIterator[bytes], *, filename: str, allowed: frozenset[str] | set[str],
                      write: Callable[[StoredUpload], T]) -> T:
    """Store an upload, then record it with ``write`` (run in a worker thread).

    If ``write`` fails the blob is deleted (unless a row names it after all: a commit
    whose answer was lost may have gone through). If the caller is cancelled meanwhile,
    the thread still runs to its end and decides the same way.

    Returns:
        Whatever ``write`` returned.

    Raises:
        UploadRefused: See :func:`store_stream`; ``upload.error.not_saved`` when the
            database refused the row (the blob is gone again, the error is logged).
        UserError: Whatever ``write`` refuses with (e.g. a closed talk).
    """
    upload = await store_stream(chunks, filename=filename, allowed=allowed)
    try:
        return await asyncio.to_thread(_record, write, upload)
    except SQLAlchemyError as exc:
        logger.exception("Upload not recorded: the database refused the row.")
        raise UploadRefused("upload.error.not_saved") from exc


def _record(write: Callable[[StoredUpload], T], upload: StoredUpload) -> T:
    """Run ``write``; if it fails, delete the blob, here in the worker thread.

    Here and not in the awaiting coroutine: that one may be cancelled (a server shutting
    down) while the thread goes on and commits, and a committed row must keep its file.
    """
    try:
        return write(upload)
    except BaseException:
        blob_sweep.delete_if_unnamed(upload.key)
        raise


def _delete_quietly(key: str) -> None:
    """Delete a blob nothing names yet; a failure is logged, not raised (the sweep gets it later)."""
    try:
        get_store().delete(key)
    except Exception:
        logger.exception("Could not delete blob %s of an upload that was not recorded; "
                         "the blob sweep removes it later.", key)
