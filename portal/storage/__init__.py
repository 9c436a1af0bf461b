"""Blob storage for uploaded client files, behind a small interface.

Callers only see :class:`BlobStore`; :func:`get_store` picks the backend named by
``STORAGE_URL``: :class:`~portal.storage.local.LocalStore` for ``file://``,
:class:`~portal.storage.s3.S3Store` for ``s3://`` (boto3 is imported only then). Keys
are random (:func:`new_key`), never derived from file names, so a key reveals nothing
and cannot be guessed or steered into another directory or object prefix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import functools
import re
import secrets
import unicodedata
from collections.abc import AsyncIterable, Iterator
from typing import BinaryIO, Protocol
from urllib.parse import quote, urlparse

from portal.settings import get_settings


@dataclasses.dataclass(frozen=True)
class StoredBlob:
    """A blob that was written completely.

    Attributes:
        key: The store's random key for the blob.
        size: Length in bytes.
        sha256: Hex digest of the content.
    """

    key: str
    size: int
    sha256: str


class BlobTooLarge(Exception):
    """An upload went over its byte limit; nothing was stored.

    Attributes:
        limit: The limit in bytes that was exceeded.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(f"The upload exceeds the limit of {limit} bytes.")
        self.limit = limit


class BlobStoreFull(Exception):
    """The store has no room left (disk full, quota exceeded); nothing was stored."""


# What a full disk or an exhausted quota raises from a write, a create or an fsync.
NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_no_space(exc: BaseException) -> bool:
    """Whether ``exc`` says the file system has no room (rather than some other failure)."""
    return isinstance(exc, OSError) and exc.errno in NO_SPACE_ERRNOS


@dataclasses.dataclass(frozen=True)
class BlobListing:
    """A complete blob as the store lists it, for the orphan sweep.

    Attributes:
        key: The blob's key.
        modified_at: When it was written (aware UTC).
    """

    key: str
    modified_at: dt.datetime


class BlobNotFound(KeyError):
    """No blob is stored under the key.

    Attributes:
        key: The key that was looked up.
    """

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class BlobStore(Protocol):
    """What the portal needs from a blob backend."""

    async def put_stream(self, chunks: AsyncIterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Store a stream under a new random key, all or nothing.

        Args:
            chunks: The content, in pieces of any size.
            max_bytes: Largest accepted total size.

        Returns:
            The stored blob.

        Raises:
            BlobTooLarge: If the stream is longer than ``max_bytes``.
            BlobStoreFull: If the store ran out of room; nothing is left behind.
        """
        ...

    def put_file(self, file: BinaryIO, *, max_bytes: int) -> StoredBlob:
        """Store a readable binary file under a new random key, all or nothing.

        Synchronous, for code that already runs in a worker thread (exports the
        server generates); it reads ``file`` from its current position to the end.

        Args:
            file: The content, e.g. a spooled temporary file rewound to the start.
            max_bytes: Largest accepted total size.

        Returns:
            The stored blob.

        Raises:
            BlobTooLarge: If the file is longer than ``max_bytes``.
        """
        ...

    def put_file_as(self, key: str, file: BinaryIO, *, max_bytes: int) -> StoredBlob:
        """Store a readable binary file under a key chosen earlier, all or nothing.

        Only for restoring a backup, whose rows name their blobs' keys; everything
        else gets a new random key. A blob already under ``key`` is replaced, so the
        caller checks with :meth:`size` first.

        Args:
            key: The blob's key, shaped like one :func:`new_key` makes.
            file: The content, read from its current position to the end.
            max_bytes: Largest accepted total size.

        Returns:
            The stored blob.

        Raises:
            BlobTooLarge: If the file is longer than ``max_bytes``.
            ValueError: If the key is malformed.
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """Open a blob for reading.

        Raises:
            BlobNotFound: If no blob has this key.
            ValueError: If the key is malformed or leads outside the store.
        """
        ...

    def delete(self, key: str) -> None:
        """Remove a blob; a missing key is not an error.

        Raises:
            ValueError: If the key is malformed or leads outside the store.
        """
        ...

    def size(self, key: str) -> int:
        """Return a blob's length in bytes.

        Raises:
            BlobNotFound: If no blob has this key.
            ValueError: If the key is malformed or leads outside the store.
        """
        ...

    def list_blobs(self) -> Iterator[BlobListing]:
        """Every complete blob, in no particular order (partial writes are not listed)."""
        ...

    def remove_partials(self, *, idle_before: dt.datetime) -> int:
        """Remove what writers that died mid-blob (a killed server) left behind.

        A write that is still going on is never touched: a backend that can tell a
        live writer (LocalStore: each holds a lock on its partial file) removes every
        partial write nobody holds; one that cannot (S3) removes those that made no
        progress since ``idle_before``.

        Returns:
            How many partial writes were removed.
        """
        ...


_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,100}")


def new_key() -> str:
    """Return a fresh random, URL-safe blob key (32 characters, 192 bits)."""
    return secrets.token_urlsafe(24)


def check_key(key: str) -> str:
    """Return ``key`` if it is shaped like one :func:`new_key` makes.

    Backends build paths and object names from keys, so only URL-safe characters
    are let through: no separators, no dots, nothing to climb out with.

    Raises:
        ValueError: If the key is anything else.
    """
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise ValueError(f"Malformed blob key {key!r}.")
    return key


def is_key(name: str) -> bool:
    """Whether ``name`` is shaped like a blob key (for listings, which meet other names too)."""
    return isinstance(name, str) and _KEY_RE.fullmatch(name) is not None


def check_max_bytes(max_bytes: int) -> None:
    """Refuse a negative size limit before anything is written.

    Raises:
        ValueError: If ``max_bytes`` is negative.
    """
    if max_bytes < 0:
        raise ValueError(f"max_bytes must not be negative, got {max_bytes}.")


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """Return a ``Content-Disposition`` value naming the file (RFC 6266).

    ``filename*`` carries the real name (RFC 5987, percent-encoded UTF-8); the plain
    ``filename`` is an ASCII stand-in for old clients, with quotes, backslashes and
    control characters replaced so the value can never end the header or the quoted
    string early. Both lose invisible characters and path separators first.

    Args:
        filename: The name to offer, any Unicode.
        attachment: Download (True) or show in the page (False).
    """
    # The stored names are clean already (safe_filename); rows from before, export names and
    # whatever a caller passes get the same treatment here, where the browser takes the name:
    # no control, direction or zero-width characters, no lone surrogates, no path.
    filename = "".join(ch for ch in filename if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    filename = re.sub(r"[/\\]", "_", filename).strip(" .") or "download"
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "_" for ch in filename)
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@functools.cache
def get_store() -> BlobStore:
    """Return the process-wide blob store chosen by ``STORAGE_URL``.

    Returns:
        A :class:`~portal.storage.local.LocalStore` for ``file://`` URLs, an
        :class:`~portal.storage.s3.S3Store` for ``s3://`` URLs.

    Raises:
        ValueError: If ``STORAGE_URL`` names a backend this build does not provide.
    """
    # Backends are imported here: they import this module for the shared types, and
    # a file:// install must never pay for (or need) boto3.
    settings = get_settings()
    scheme = urlparse(settings.storage_url).scheme
    if scheme == "file":
        from portal.storage.local import LocalStore

        return LocalStore(settings.blob_root)
    if scheme == "s3":
        from portal.storage.s3 import S3Store

        return S3Store(bucket=settings.s3_bucket, prefix=settings.s3_prefix,
                       region=settings.s3_region, endpoint_url=settings.s3_endpoint_url)
    raise ValueError(
        f"STORAGE_URL={settings.storage_url!r} uses the {scheme!r} scheme, which this "
        "version does not support; use file:///absolute/path or s3://bucket/prefix."
    )
