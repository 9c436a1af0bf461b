"""Blob store on the local file system (the embedded default)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat
import threading
from collections.abc import AsyncIterable
from pathlib import Path
from typing import BinaryIO

from portal.storage import BlobNotFound, BlobTooLarge, StoredBlob, check_key, check_max_bytes, new_key

FILE_BLOCK_BYTES = 1024 * 1024
# Refuse a symlink in the last path component even if it appeared after the check.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class LocalStore:
    """Blobs as files under one private directory, fanned out as ``ab/cd/<key>``.

    Args:
        root: Directory of the store; created with mode 0o700 if missing.
    """

    def __init__(self, root: Path) -> None:
        Path(root).mkdir(mode=0o700, parents=True, exist_ok=True)
        self._root = Path(root).resolve()

    @property
    def root(self) -> Path:
        """The resolved store directory."""
        return self._root

    async def put_stream(self, chunks: AsyncIterable[bytes], *, max_bytes: int) -> StoredBlob:
        """Store a stream under a new random key, all or nothing.

        The content goes to ``.<key>.part`` beside its final place and is renamed
        into place only when complete, so readers never see half a file.

        Args:
            chunks: The content, in pieces of any size.
            max_bytes: Largest accepted total size.

        Returns:
            The stored blob.

        Raises:
            BlobTooLarge: As soon as the stream grows past ``max_bytes``.
            ValueError: If ``max_bytes`` is negative.
        """
        check_max_bytes(max_bytes)
        key, part = self._begin()
        try:
            size = 0
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise BlobTooLarge(max_bytes)
                if chunk:
                    await asyncio.to_thread(part.write, chunk)
            await asyncio.to_thread(part.commit)
        except BaseException:
            # BaseException: a cancelled upload (client gone) must not leave a file.
            part.discard()
            raise
        return StoredBlob(key=key, size=size, sha256=part.sha256)

    def put_file(self, file: BinaryIO, *, max_bytes: int) -> StoredBlob:
        """Store a readable binary file under a new random key, all or nothing.

        Synchronous, for code that already runs in a worker thread; reads ``file``
        from its current position to the end, written the same way as
        :meth:`put_stream`.

        Args:
            file: The content.
            max_bytes: Largest accepted total size.

        Returns:
            The stored blob.

        Raises:
            BlobTooLarge: As soon as the file turns out longer than ``max_bytes``.
            ValueError: If ``max_bytes`` is negative.
        """
        check_max_bytes(max_bytes)
        key, part = self._begin()
        return self._write_file(key, part, file, max_bytes)

    def put_file_as(self, key: str, file: BinaryIO, *, max_bytes: int) -> StoredBlob:
        """Store a readable binary file under a key chosen earlier, all or nothing.

        For restoring a backup, whose rows name their blobs' keys. A blob already
        stored under ``key`` is replaced: the caller checks first.

        Args:
            key: The blob's key, shaped like one :func:`~portal.storage.new_key` makes.
            file: The content, read from its current position to the end.
            max_bytes: Largest accepted total size.

        Returns:
            The stored blob.

        Raises:
            BlobTooLarge: As soon as the file turns out longer than ``max_bytes``.
            ValueError: If the key is malformed or ``max_bytes`` negative.
        """
        check_max_bytes(max_bytes)
        key, part = self._begin(key)
        return self._write_file(key, part, file, max_bytes)

    def _write_file(self, key: str, part: _PartFile, file: BinaryIO, max_bytes: int) -> StoredBlob:
        try:
            size = 0
            while block := file.read(FILE_BLOCK_BYTES):
                size += len(block)
                if size > max_bytes:
                    raise BlobTooLarge(max_bytes)
                part.write(block)
            part.commit()
        except BaseException:
            part.discard()
            raise
        return StoredBlob(key=key, size=size, sha256=part.sha256)

    def open(self, key: str) -> BinaryIO:
        """Open a blob for reading.

        Raises:
            BlobNotFound: If no blob has this key.
            ValueError: If the key is malformed or leads outside the store.
        """
        path = self._path(key)
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc
        except OSError as exc:
            if path.is_symlink():
                raise ValueError(f"Refusing blob key {key!r}: its path is a symlink.") from exc
            raise
        return os.fdopen(fd, "rb")

    def delete(self, key: str) -> None:
        """Remove a blob; a missing key is not an error.

        Raises:
            ValueError: If the key is malformed or leads outside the store.
        """
        # Unlinks the entry itself, never what a planted symlink points to.
        self._path(key).unlink(missing_ok=True)

    def size(self, key: str) -> int:
        """Return a blob's length in bytes.

        Raises:
            BlobNotFound: If no blob has this key.
            ValueError: If the key is malformed or leads outside the store.
        """
        path = self._path(key)
        try:
            info = path.lstat()
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"Refusing blob key {key!r}: not a regular file.")
        return info.st_size

    def _begin(self, key: str | None = None) -> tuple[str, _PartFile]:
        """Pick a new key (or take ``key``) and open its partial file, creating the fan-out directories."""
        key = new_key() if key is None else key
        final = self._path(key)
        for directory in (final.parent.parent, final.parent):
            directory.mkdir(mode=0o700, exist_ok=True)
        final = self._path(key)  # again: a fan-out directory may be a planted symlink
        return key, _PartFile(final.with_name(f".{key}.part"), final)

    def _path(self, key: str) -> Path:
        """Return the file path of ``key``, refusing anything that leaves the root."""
        check_key(key)
        path = self._root / key[:2] / key[2:4] / key
        if not path.resolve().is_relative_to(self._root):
            raise ValueError(f"Refusing blob key {key!r}: its path leads outside the store.")
        return path


class _PartFile:
    """A blob being written: hashes as it writes, then fsyncs and renames into place.

    Methods run in worker threads. The lock matters on cancellation: the event loop
    calls :meth:`discard` while a worker may still be inside :meth:`write`, and the
    file must not be closed and unlinked under it.
    """

    def __init__(self, part: Path, final: Path) -> None:
        self._part = part
        self._final = final
        self._hash = hashlib.sha256()
        self._lock = threading.Lock()
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        self._file = os.fdopen(os.open(part, flags, 0o600), "wb")
        self._committed = False

    @property
    def sha256(self) -> str:
        """Hex digest of everything written so far."""
        return self._hash.hexdigest()

    def write(self, chunk: bytes) -> None:
        """Append a chunk (refused once discarded)."""
        with self._lock:
            if self._file.closed:
                raise ValueError("The partial blob was already discarded.")
            self._hash.update(chunk)
            self._file.write(chunk)

    def commit(self) -> None:
        """Make the content durable and move it to its final name."""
        with self._lock:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._part, self._final)
            self._committed = True
            _fsync_dir(self._final.parent)

    def discard(self) -> None:
        """Delete the partial file, or the final one if a cancelled commit got there."""
        with self._lock:
            self._file.close()
            self._part.unlink(missing_ok=True)
            if self._committed:
                self._final.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    """Persist a rename: the directory entry must reach the disk, not only the data."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
