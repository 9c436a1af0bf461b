"""Blob store on the local file system (the embedded default).

A blob is written to a partial file beside its final place and renamed into place when
complete. Its writer holds an exclusive ``flock`` on the partial file the whole time;
the kernel drops the lock when the process dies, however it dies, so a partial file
nobody holds is one a killed server left behind, and :meth:`LocalStore.remove_partials`
deletes it without guessing from ages. (On NFS this needs working ``flock``, which
Linux emulates with NFS locks.)
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import stat
import threading
from collections.abc import AsyncIterable, Iterator
from pathlib import Path
from typing import BinaryIO

from portal.storage import (
    BlobListing,
    BlobNotFound,
    BlobStoreFull,
    BlobTooLarge,
    StoredBlob,
    check_key,
    check_max_bytes,
    is_key,
    is_no_space,
    new_key,
)

FILE_BLOCK_BYTES = 1024 * 1024
# Refuse a symlink in the last path component even if it appeared after the check.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
# A blob being written is ".<key>.part"; for the instant between creating it and taking
# its lock it is ".<key>.new", a name the sweep only takes once it is old.
_PART, _NEW = ".part", ".new"


@contextlib.contextmanager
def _full_is_store_full() -> Iterator[None]:
    """Turn the file system's "no space left" (a write, a create, an fsync) into BlobStoreFull."""
    try:
        yield
    except OSError as exc:
        if is_no_space(exc):
            raise BlobStoreFull("No space left in the blob store.") from exc
        raise


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
            BlobStoreFull: The disk filled up (or a quota was reached); the partial
                file is removed.
            ValueError: If ``max_bytes`` is negative.
        """
        check_max_bytes(max_bytes)
        with _full_is_store_full():
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
            BlobStoreFull: The disk filled up; the partial file is removed.
            ValueError: If ``max_bytes`` is negative.
        """
        check_max_bytes(max_bytes)
        return self._write_file(None, file, max_bytes)

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
        return self._write_file(key, file, max_bytes)

    def _write_file(self, key: str | None, file: BinaryIO, max_bytes: int) -> StoredBlob:
        with _full_is_store_full():
            key, part = self._begin(key)
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

    def list_blobs(self) -> Iterator[BlobListing]:
        """Every complete blob (partial files are not listed), with its modification time."""
        for directory, fanout in self._fanout_dirs():
            with os.scandir(directory) as entries:
                found = [entry for entry in entries
                         # Only a key in its own fan-out place is a blob; anything else is not ours to judge.
                         if is_key(entry.name) and entry.name[:4] == fanout and entry.is_file(follow_symlinks=False)]
            for entry in found:
                with contextlib.suppress(FileNotFoundError):  # deleted meanwhile
                    mtime = entry.stat(follow_symlinks=False).st_mtime
                    yield BlobListing(key=entry.name, modified_at=dt.datetime.fromtimestamp(mtime, dt.UTC))

    def remove_partials(self, *, idle_before: dt.datetime) -> int:
        """Delete every partial file whose writer is gone (nobody holds its lock).

        Args:
            idle_before: Only for the ``.new`` name a writer holds for an instant before
                its lock: such a file older than this is a crash's leftover too.

        Returns:
            How many partial files were deleted.
        """
        removed = 0
        for directory, _fanout in self._fanout_dirs():
            with os.scandir(directory) as entries:
                names = [entry.name for entry in entries]
            for name in names:
                path = Path(directory) / name
                if name.startswith(".") and name.endswith(_PART) and is_key(name[1:-len(_PART)]):
                    removed += _remove_unheld(path)
                elif name.startswith(".") and name.endswith(_NEW) and is_key(name[1:-len(_NEW)]):
                    with contextlib.suppress(FileNotFoundError):
                        if dt.datetime.fromtimestamp(path.lstat().st_mtime, dt.UTC) < idle_before:
                            path.unlink()
                            removed += 1
        return removed

    def _fanout_dirs(self) -> Iterator[tuple[str, str]]:
        """Each ``ab/cd`` directory and its four characters, never following a symlink."""
        for top, first in _subdirs(str(self._root)):
            for directory, second in _subdirs(top):
                yield directory, first + second

    def _begin(self, key: str | None = None) -> tuple[str, _PartFile]:
        """Pick a new key (or take ``key``) and open its partial file, creating the fan-out directories."""
        key = new_key() if key is None else key
        final = self._path(key)
        for directory in (final.parent.parent, final.parent):
            directory.mkdir(mode=0o700, exist_ok=True)
        final = self._path(key)  # again: a fan-out directory may be a planted symlink
        return key, _PartFile(final.with_name(f".{key}{_NEW}"), final.with_name(f".{key}{_PART}"), final)

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

    The file is created as ``new``, locked (``flock``, held until it is closed), and
    only then renamed to ``part``: whatever the sweep finds under a ``.part`` name
    carries its writer's lock for as long as that writer lives.
    """

    def __init__(self, new: Path, part: Path, final: Path) -> None:
        self._part = part
        self._final = final
        self._hash = hashlib.sha256()
        self._lock = threading.Lock()
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        fd = os.open(new, flags, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # uncontended: nobody else knows the name yet
            os.rename(new, part)
        except BaseException:
            os.close(fd)
            new.unlink(missing_ok=True)
            raise
        self._file = os.fdopen(fd, "wb")
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
            # Unlinked before closing: on a full disk, close() flushes the buffer and fails
            # again, and the file must go all the same.
            self._part.unlink(missing_ok=True)
            if self._committed:
                self._final.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # the fd is closed even when the flush fails
                self._file.close()


def _subdirs(directory: str) -> Iterator[tuple[str, str]]:
    """The two-character fan-out directories in ``directory`` (no symlinks): path and name."""
    try:
        with os.scandir(directory) as entries:
            found = [(entry.path, entry.name) for entry in entries
                     if len(entry.name) == 2 and not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return
    yield from found


def _remove_unheld(path: Path) -> bool:
    """Delete a partial file if no writer holds its lock; whether it was deleted."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    except OSError:  # committed or discarded meanwhile, or a planted symlink: not ours
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a live writer
        # The lock was free: its writer died, or finished (and renamed the file into place
        # after this open). Only the first case still has this very file under the name.
        try:
            same = os.path.samestat(os.fstat(fd), path.lstat())
        except FileNotFoundError:
            return False
        if not same:
            return False
        path.unlink(missing_ok=True)
        return True
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Persist a rename: the directory entry must reach the disk, not only the data."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
