"""The LocalStore contract: all-or-nothing writes, random keys, no way out of the root."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest

from portal.settings import get_settings
from portal.storage import BlobNotFound, BlobTooLarge, get_store
from portal.storage.local import LocalStore


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "blobs")


async def _stream(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _put(store: LocalStore, parts: Iterable[bytes], max_bytes: int = 10_000_000):
    return asyncio.run(store.put_stream(_stream(parts), max_bytes=max_bytes))


def _files(root: Path) -> list[Path]:
    return [Path(dirpath) / name for dirpath, _, names in os.walk(root) for name in names]


def test_round_trip_matches_content_and_hash(store):
    blob = _put(store, [b"Lohnabrechnung ", b"M\xc3\xa4rz", b""])

    content = b"Lohnabrechnung M\xc3\xa4rz"
    assert blob.size == len(content) == store.size(blob.key)
    assert blob.sha256 == hashlib.sha256(content).hexdigest()
    with store.open(blob.key) as file:
        assert file.read() == content


def test_layout_and_permissions(store):
    blob = _put(store, [b"x"])

    path = store.root / blob.key[:2] / blob.key[2:4] / blob.key
    assert _files(store.root) == [path]
    assert store.root.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600


def test_delete_removes_and_tolerates_missing(store):
    blob = _put(store, [b"data"])

    store.delete(blob.key)
    store.delete(blob.key)

    assert _files(store.root) == []
    with pytest.raises(BlobNotFound):
        store.open(blob.key)
    with pytest.raises(BlobNotFound):
        store.size(blob.key)


def test_keys_are_random_url_safe_and_unique(store):
    keys = {_put(store, [b"same content"]).key for _ in range(100)}

    assert len(keys) == 100
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", key) for key in keys)


def test_empty_upload(store):
    blob = _put(store, [])

    assert blob.size == 0 == store.size(blob.key)
    assert blob.sha256 == hashlib.sha256(b"").hexdigest()


def test_exact_limit_is_accepted(store):
    assert _put(store, [b"12345", b"67890"], max_bytes=10).size == 10


def test_over_limit_raises_and_leaves_nothing(store):
    with pytest.raises(BlobTooLarge) as excinfo:
        _put(store, [b"12345", b"678901"], max_bytes=10)

    assert excinfo.value.limit == 10
    assert _files(store.root) == []


def test_failing_stream_leaves_no_partial_file(store):
    async def broken() -> AsyncIterator[bytes]:
        yield b"a" * 100_000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        asyncio.run(store.put_stream(broken(), max_bytes=1_000_000))

    assert _files(store.root) == []


def test_cancelled_upload_leaves_no_partial_file(store):
    async def scenario() -> list[Path]:
        waiting_for_next = asyncio.Event()

        async def stalled() -> AsyncIterator[bytes]:
            yield b"a" * 100_000
            waiting_for_next.set()  # the first chunk is written; the store wants more
            await asyncio.Event().wait()
            yield b"never"

        task = asyncio.create_task(store.put_stream(stalled(), max_bytes=1_000_000))
        await waiting_for_next.wait()
        during = _files(store.root)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return during

    during = asyncio.run(scenario())

    assert len(during) == 1 and during[0].name.endswith(".part")
    assert _files(store.root) == []


def test_multi_mib_upload_in_64k_chunks(store):
    chunks = [os.urandom(64 * 1024) for _ in range(48)]  # 3 MiB

    blob = _put(store, chunks)

    content = b"".join(chunks)
    assert blob.size == len(content)
    assert blob.sha256 == hashlib.sha256(content).hexdigest()
    with store.open(blob.key) as file:
        assert file.read() == content


@pytest.mark.parametrize(
    "key",
    ["../x", "a/b", "/etc/passwd", "..", "", "../../../../../../etc/passwd",
     "short", "A" * 101, "A" * 20 + "\n", "A" * 20 + "/..", "A" * 20 + ".."],
)
def test_unsafe_keys_are_refused(store, key):
    with pytest.raises(ValueError):
        store.open(key)
    with pytest.raises(ValueError):
        store.size(key)
    with pytest.raises(ValueError):
        store.delete(key)


@pytest.mark.parametrize("planted", ["file", "directory"])
def test_symlink_out_of_root_is_refused(store, tmp_path, planted):
    outside = tmp_path / "outside"
    outside.mkdir()
    key = "Abcdefghijklmnopqrstuvwxyz012345"
    (outside / key).write_bytes(b"secret")
    fanout = store.root / key[:2] / key[2:4]
    if planted == "file":
        fanout.mkdir(parents=True)
        (fanout / key).symlink_to(outside / key)
    else:
        fanout.parent.mkdir()
        fanout.symlink_to(outside, target_is_directory=True)

    with pytest.raises(ValueError):
        store.open(key)
    with pytest.raises(ValueError):
        store.size(key)
    with pytest.raises(ValueError):
        store.delete(key)
    assert (outside / key).read_bytes() == b"secret"


def test_get_store_is_a_cached_local_store_at_blob_root():
    store = get_store()

    assert isinstance(store, LocalStore)
    assert store.root == get_settings().blob_root.resolve()
    assert get_store() is store
