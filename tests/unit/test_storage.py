"""The BlobStore contract, for LocalStore and for S3Store against a moto S3 server:
all-or-nothing writes, early refusal over the limit, random keys, no way out of the
root or prefix; plus what each backend promises beyond it."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import io
import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from portal.settings import SettingsError, get_settings, load_settings
from portal.storage import BlobNotFound, BlobStore, BlobTooLarge, content_disposition, get_store, new_key
from portal.storage.local import LocalStore
from portal.storage.s3 import PART_BYTES, S3Store

REGION = "eu-central-1"
PREFIX = "kanzlei/blobs"
MiB = 1024 * 1024


# Backends.


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterable[str]:
    """An S3 API on a free local port, for the whole session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Dummy credentials, and nothing from the developer's own AWS setup."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def s3_admin(moto_endpoint, aws_env):
    """A plain boto3 client for looking behind the store's back."""
    config = Config(s3={"addressing_style": "path"}, request_checksum_calculation="when_required")
    return boto3.session.Session().client("s3", region_name=REGION, endpoint_url=moto_endpoint, config=config)


@pytest.fixture
def bucket(s3_admin) -> str:
    """A fresh bucket per test, so leftovers of one test never show up in another."""
    name = f"portal-{uuid.uuid4().hex[:16]}"
    s3_admin.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


@pytest.fixture
def s3_store(moto_endpoint, bucket) -> S3Store:
    return S3Store(bucket=bucket, prefix=PREFIX, region=REGION, endpoint_url=moto_endpoint)


@dataclasses.dataclass
class Backend:
    """A store under test and a way to see everything it left behind."""

    name: str
    store: BlobStore
    leftovers: Callable[[], list[str]]


def _files(root: Path) -> list[Path]:
    return [Path(dirpath) / name for dirpath, _, names in os.walk(root) for name in names]


def _s3_leftovers(admin, bucket: str) -> Callable[[], list[str]]:
    def leftovers() -> list[str]:
        objects = [o["Key"] for o in admin.list_objects_v2(Bucket=bucket).get("Contents", [])]
        uploads = [f"upload of {u['Key']}" for u in admin.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]
        return objects + uploads

    return leftovers


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path) -> Backend:
    if request.param == "local":
        store = LocalStore(tmp_path / "blobs")
        return Backend("local", store, lambda: [str(p) for p in _files(store.root)])
    store = request.getfixturevalue("s3_store")
    leftovers = _s3_leftovers(request.getfixturevalue("s3_admin"), request.getfixturevalue("bucket"))
    return Backend("s3", store, leftovers)


async def _stream(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _put(store: BlobStore, parts: Iterable[bytes], max_bytes: int = 100 * MiB):
    return asyncio.run(store.put_stream(_stream(parts), max_bytes=max_bytes))


def _read(store: BlobStore, key: str) -> bytes:
    with store.open(key) as handle:
        return handle.read()


# The contract, for every backend.


def test_round_trip_matches_content_and_hash(backend):
    store = backend.store
    blob = _put(store, [b"Lohnabrechnung ", b"M\xc3\xa4rz", b""])

    content = b"Lohnabrechnung M\xc3\xa4rz"
    assert blob.size == len(content) == store.size(blob.key)
    assert blob.sha256 == hashlib.sha256(content).hexdigest()
    assert _read(store, blob.key) == content
    assert len(backend.leftovers()) == 1


def test_empty_upload(backend):
    blob = _put(backend.store, [])

    assert blob.size == 0 == backend.store.size(blob.key)
    assert blob.sha256 == hashlib.sha256(b"").hexdigest()
    assert _read(backend.store, blob.key) == b""


def test_keys_are_random_url_safe_and_unique(backend):
    keys = {_put(backend.store, [b"same content"]).key for _ in range(20)}

    assert len(keys) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", key) for key in keys)


def test_multi_part_upload_from_small_chunks(backend, request):
    chunks = [os.urandom(64 * 1024) for _ in range(320)]  # 20 MiB

    blob = _put(backend.store, chunks)

    content = b"".join(chunks)
    assert blob.size == len(content) == backend.store.size(blob.key)
    assert blob.sha256 == hashlib.sha256(content).hexdigest()
    assert _read(backend.store, blob.key) == content
    if backend.name == "s3":
        # A multipart object's ETag ends in its part count: 8 + 8 + 4 MiB.
        [name] = backend.leftovers()
        admin, bucket = request.getfixturevalue("s3_admin"), request.getfixturevalue("bucket")
        etag = admin.head_object(Bucket=bucket, Key=name)["ETag"]
        assert etag.strip('"').endswith("-3")


LIMIT = PART_BYTES + MiB  # past one part, so S3 is mid-way through a multipart upload


def _quarters(total: int) -> list[bytes]:
    quarter = 256 * 1024
    return [b"q" * quarter] * (total // quarter) + ([b"r" * (total % quarter)] if total % quarter else [])


def test_exactly_at_the_limit_is_accepted(backend):
    blob = _put(backend.store, _quarters(LIMIT), max_bytes=LIMIT)

    assert blob.size == LIMIT == backend.store.size(blob.key)


def test_one_byte_over_is_refused_and_leaves_nothing(backend):
    with pytest.raises(BlobTooLarge) as excinfo:
        _put(backend.store, [*_quarters(LIMIT), b"!"], max_bytes=LIMIT)

    assert excinfo.value.limit == LIMIT
    assert backend.leftovers() == []


def test_over_limit_is_refused_as_soon_as_it_is_passed(backend):
    consumed = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal consumed
        while True:
            consumed += 1
            yield b"x" * (256 * 1024)

    with pytest.raises(BlobTooLarge):
        asyncio.run(backend.store.put_stream(endless(), max_bytes=LIMIT))

    assert consumed == LIMIT // (256 * 1024) + 1
    assert backend.leftovers() == []


def test_failing_stream_leaves_nothing(backend):
    async def broken() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"a" * MiB  # past one part: S3 has an upload in progress by now
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        asyncio.run(backend.store.put_stream(broken(), max_bytes=100 * MiB))

    assert backend.leftovers() == []


def test_cancelled_upload_leaves_nothing(backend):
    async def scenario() -> list[str]:
        waiting_for_next = asyncio.Event()

        async def stalled() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"a" * MiB
            waiting_for_next.set()  # everything so far is written; the store wants more
            await asyncio.Event().wait()
            yield b"never"

        task = asyncio.create_task(backend.store.put_stream(stalled(), max_bytes=100 * MiB))
        await waiting_for_next.wait()
        during = backend.leftovers()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return during

    during = asyncio.run(scenario())

    assert len(during) == 1  # the partial file, or the open multipart upload
    assert backend.leftovers() == []


def test_put_file_round_trip(backend):
    content = os.urandom(PART_BYTES + 12345)
    source = io.BytesIO(b"skipped header" + content)
    source.seek(len(b"skipped header"))

    blob = backend.store.put_file(source, max_bytes=len(content))

    assert blob.size == len(content)
    assert blob.sha256 == hashlib.sha256(content).hexdigest()
    assert _read(backend.store, blob.key) == content


def test_put_file_over_limit_is_refused_and_leaves_nothing(backend):
    with pytest.raises(BlobTooLarge):
        backend.store.put_file(io.BytesIO(b"x" * (LIMIT + 1)), max_bytes=LIMIT)

    assert backend.leftovers() == []


def test_put_file_failing_read_leaves_nothing(backend):
    class Broken(io.RawIOBase):
        reads = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.reads += 1
            if self.reads > 10:
                raise OSError("disk gone")
            return b"b" * MiB

    with pytest.raises(OSError, match="disk gone"):
        backend.store.put_file(Broken(), max_bytes=100 * MiB)

    assert backend.leftovers() == []


def test_negative_limit_is_a_programming_error(backend):
    with pytest.raises(ValueError):
        _put(backend.store, [b"x"], max_bytes=-1)
    with pytest.raises(ValueError):
        backend.store.put_file(io.BytesIO(b"x"), max_bytes=-1)


def test_delete_removes_and_tolerates_missing(backend):
    store = backend.store
    blob = _put(store, [b"data"])

    store.delete(blob.key)
    store.delete(blob.key)

    assert backend.leftovers() == []
    with pytest.raises(BlobNotFound):
        store.open(blob.key)
    with pytest.raises(BlobNotFound):
        store.size(blob.key)


def test_missing_key_is_not_found(backend):
    key = new_key()

    with pytest.raises(BlobNotFound) as excinfo:
        backend.store.open(key)
    assert excinfo.value.key == key
    with pytest.raises(BlobNotFound):
        backend.store.size(key)


UNSAFE_KEYS = ["../x", "a/b", "/etc/passwd", "..", "", "../../../../../../etc/passwd", "short", "A" * 101,
               "A" * 20 + "\n", "A" * 20 + "/..", "A" * 20 + "..", "A" * 20 + "%2F..", None]


@pytest.mark.parametrize("key", UNSAFE_KEYS)
def test_unsafe_keys_are_refused(backend, key):
    store = backend.store
    with pytest.raises(ValueError):
        store.open(key)
    with pytest.raises(ValueError):
        store.size(key)
    with pytest.raises(ValueError):
        store.delete(key)


# What a killed server leaves behind, for the orphan sweep (portal.services.blob_sweep).

_KILLED_WRITER = """
import asyncio, sys
from pathlib import Path
from portal.storage.local import LocalStore
from portal.storage.s3 import PART_BYTES, S3Store

kind, *where = sys.argv[1:]
store = LocalStore(Path(where[0])) if kind == "local" else \\
    S3Store(bucket=where[0], prefix=where[1], region=where[2], endpoint_url=where[3])

async def stalled():
    yield b"a" * (PART_BYTES + 1)  # S3: one part is out, the multipart upload is open
    print("writing", flush=True)  # the store asks for more: what it got is written
    await asyncio.Event().wait()

asyncio.run(store.put_stream(stalled(), max_bytes=100 * PART_BYTES))
"""


def _killed_mid_write(backend: Backend, request) -> None:
    """A separate process starts a blob and is SIGKILLed half-way, as a server would be."""
    if backend.name == "local":
        where = [str(backend.store.root)]
    else:
        where = [request.getfixturevalue("bucket"), PREFIX, REGION, request.getfixturevalue("moto_endpoint")]
    root = Path(__file__).resolve().parents[2]
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, backend.name, *where], cwd=root,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
    finally:
        writer.kill()
        writer.wait(10)


def _later() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)


async def _while_writing(store: BlobStore, during: Callable[[], object]):
    """Run ``during`` (in a thread) while a blob is half written, then finish the blob."""
    go_on, started = asyncio.Event(), asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield b"a" * (PART_BYTES + 1)
        started.set()
        await go_on.wait()
        yield b"b"

    task = asyncio.create_task(store.put_stream(stalled(), max_bytes=100 * MiB))
    await started.wait()
    seen = await asyncio.to_thread(during)
    go_on.set()
    return seen, await task


def test_listing_names_complete_blobs_only(backend):
    done = _put(backend.store, [b"fertig"])

    listed, finished = asyncio.run(_while_writing(backend.store, lambda: list(backend.store.list_blobs())))

    assert [blob.key for blob in listed] == [done.key]
    assert abs(listed[0].modified_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert {blob.key for blob in backend.store.list_blobs()} == {done.key, finished.key}


def test_a_killed_writers_partial_write_is_removed(backend, request):
    kept = _put(backend.store, [b"fertig"])
    _killed_mid_write(backend, request)
    assert len(backend.leftovers()) == 2  # the blob, and the partial file or the open multipart upload

    # LocalStore sees the writer is gone (its lock went with it); S3 goes by progress.
    assert backend.store.remove_partials(idle_before=_later()) == 1

    assert len(backend.leftovers()) == 1 and _read(backend.store, kept.key) == b"fertig"


def test_a_live_write_is_never_removed(backend):
    idle_before = _later() if backend.name == "local" else dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)

    removed, blob = asyncio.run(_while_writing(backend.store,
                                               lambda: backend.store.remove_partials(idle_before=idle_before)))

    assert removed == 0
    assert _read(backend.store, blob.key) == b"a" * (PART_BYTES + 1) + b"b"


# LocalStore.


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "blobs")


def test_local_layout_and_permissions(store):
    blob = _put(store, [b"x"])

    path = store.root / blob.key[:2] / blob.key[2:4] / blob.key
    assert _files(store.root) == [path]
    assert store.root.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("planted", ["file", "directory"])
def test_local_symlink_out_of_root_is_refused(store, tmp_path, planted):
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


def test_local_sweep_takes_only_its_own_leftovers(store):
    blob = _put(store, [b"x"])
    fanout = store.root / blob.key[:2] / blob.key[2:4]
    # Created but not yet locked and renamed when the server died: taken only once old.
    created = fanout / f".{new_key()}.new"
    created.write_bytes(b"")
    foreign = [store.root / "notes.txt", fanout / ".DS_Store", fanout / "not-a-key.part", fanout / f".{new_key()}.tmp"]
    for path in foreign:
        path.write_bytes(b"not ours")

    assert store.remove_partials(idle_before=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)) == 0
    assert created.exists()
    assert store.remove_partials(idle_before=_later()) == 1

    assert not created.exists() and all(path.exists() for path in foreign)
    assert [listed.key for listed in store.list_blobs()] == [blob.key]


# S3Store.


def test_s3_objects_live_under_the_prefix_with_download_headers(s3_store, s3_admin, bucket):
    blob = _put(s3_store, [b"%PDF-1.7"])

    head = s3_admin.head_object(Bucket=bucket, Key=f"{PREFIX}/{blob.key}")
    assert head["ContentLength"] == 8
    assert head["ContentType"] == "application/octet-stream"
    assert head["ContentDisposition"] == "attachment"


def test_s3_small_blob_is_one_put_large_blob_is_multipart(s3_store, s3_admin, bucket):
    calls: list[str] = []
    s3_store._client.meta.events.register("before-call.s3", lambda model, **_: calls.append(model.name))

    _put(s3_store, [b"a" * (PART_BYTES - 1)])
    assert calls == ["PutObject"]

    calls.clear()
    _put(s3_store, [b"a" * MiB] * 20)
    assert calls == ["CreateMultipartUpload", "UploadPart", "UploadPart", "UploadPart", "CompleteMultipartUpload"]


def test_s3_open_streams_instead_of_loading_the_object(s3_store):
    content = os.urandom(3 * MiB)
    blob = _put(s3_store, [content])

    with s3_store.open(blob.key) as handle:
        first = handle.read(1000)
        assert not handle.seekable()
        rest = handle.read()

    assert first + rest == content


def test_s3_cancel_during_a_part_upload_aborts_only_after_that_part(s3_store, s3_admin, bucket):
    """S3 keeps a part that lands after its upload was aborted; the abort must wait for it."""
    order: list[str] = []
    part_started = threading.Event()
    release_part = threading.Event()

    def hold_part(**_):
        part_started.set()
        release_part.wait(10)

    events = s3_store._client.meta.events
    events.register("before-call.s3.UploadPart", hold_part)
    events.register("after-call.s3.UploadPart", lambda **_: order.append("part stored"))
    events.register("before-call.s3.AbortMultipartUpload", lambda **_: order.append("abort"))

    async def scenario() -> None:
        task = asyncio.create_task(s3_store.put_stream(_stream([b"a" * MiB] * 20), max_bytes=100 * MiB))
        await asyncio.to_thread(part_started.wait, 10)
        task.cancel()
        await asyncio.sleep(0.2)  # the abort is now waiting for the part in flight
        release_part.set()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())

    assert order == ["part stored", "abort"]
    assert _s3_leftovers(s3_admin, bucket)() == []


def test_s3_failed_cleanup_keeps_the_original_error(s3_store, s3_admin, bucket, caplog):
    def refuse_abort(**_):
        raise ConnectionError("S3 unreachable")

    s3_store._client.meta.events.register("before-call.s3.AbortMultipartUpload", refuse_abort)

    with pytest.raises(BlobTooLarge):
        _put(s3_store, [b"a" * MiB] * 12, max_bytes=10 * MiB)

    assert "Could not clean up S3 object" in caplog.text


# Choosing the store.


def test_get_store_is_a_cached_local_store_at_blob_root():
    store = get_store()

    assert isinstance(store, LocalStore)
    assert store.root == get_settings().blob_root.resolve()
    assert get_store() is store


def test_file_storage_never_imports_boto3(tmp_path):
    code = (
        "import io, sys\n"
        "from portal.storage import get_store\n"
        "store = get_store()\n"
        "store.put_file(io.BytesIO(b'x'), max_bytes=1)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 's3transfer'))\n"
        "print(type(store).__name__, loaded)\n"
    )
    env = {**os.environ, "STORAGE_URL": f"file://{tmp_path / 'blobs'}"}

    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parents[2], check=True)

    assert result.stdout.strip() == "LocalStore []"


@pytest.fixture
def configured(monkeypatch):
    """Let a test point the settings (and so get_store) at another STORAGE_URL."""

    def configure(**environ: str):
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        get_store.cache_clear()

    yield configure
    monkeypatch.undo()
    get_settings.cache_clear()
    get_store.cache_clear()


def test_get_store_picks_s3_for_s3_urls(configured, moto_endpoint, bucket, s3_admin):
    configured(STORAGE_URL=f"s3://{bucket}/{PREFIX}/", S3_ENDPOINT_URL=moto_endpoint, AWS_REGION=REGION)

    store = get_store()
    blob = _put(store, [b"via settings"])

    assert isinstance(store, S3Store)
    assert s3_admin.get_object(Bucket=bucket, Key=f"{PREFIX}/{blob.key}")["Body"].read() == b"via settings"


def test_get_store_refuses_an_unknown_scheme(monkeypatch):
    unknown = dataclasses.replace(get_settings(), storage_url="ftp://files.example/blobs")
    monkeypatch.setattr("portal.storage.get_settings", lambda: unknown)
    get_store.cache_clear()
    try:
        with pytest.raises(ValueError, match="file:///absolute/path or s3://bucket/prefix"):
            get_store()
    finally:
        get_store.cache_clear()


def test_s3_settings():
    settings = load_settings({"STORAGE_URL": "s3://kanzlei-belege/portal/blobs/", "AWS_DEFAULT_REGION": "eu-central-1",
                              "AWS_ENDPOINT_URL": "https://s3.example.net/"})

    assert (settings.s3_bucket, settings.s3_prefix) == ("kanzlei-belege", "portal/blobs")
    assert settings.s3_region == "eu-central-1"
    assert settings.s3_endpoint_url == "https://s3.example.net"
    assert load_settings({"STORAGE_URL": "s3://kanzlei-belege"}).s3_prefix == ""
    assert load_settings({"S3_ENDPOINT_URL": "http://minio:9000", "AWS_ENDPOINT_URL": "http://other"}
                         ).s3_endpoint_url == "http://minio:9000"


@pytest.mark.parametrize("environ", [
    {"STORAGE_URL": "s3:///prefix"},
    {"STORAGE_URL": "s3://Bad_Bucket/prefix"},
    {"STORAGE_URL": "s3://bucket/a/../b"},
    {"STORAGE_URL": "s3://bucket/a//b"},
    {"STORAGE_URL": "s3://bucket/prefix?versionId=1"},
    {"S3_ENDPOINT_URL": "minio:9000"},
])
def test_bad_s3_settings_are_explained(environ):
    with pytest.raises(SettingsError, match="STORAGE_URL|S3_ENDPOINT_URL"):
        load_settings(environ)


# Downloads through the API with S3 behind it.


def test_download_route_streams_from_s3_only_after_the_access_check(fresh_db, monkeypatch, s3_store):
    from PIL import Image
    from sqlmodel import select
    from starlette.testclient import TestClient

    from portal import realtime
    from portal.api import build_api, files
    from portal.models import Booking
    from portal.services import auth, db, documents, receipts, talks, uploads
    from tests import factories

    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    for module in (uploads, documents, files):
        monkeypatch.setattr(module, "get_store", lambda: s3_store)
    anna = factories.staff()
    account = factories.client(name="Beleg GmbH", accountants=(anna,), missing_receipts=1)
    maria = factories.contact(account=account)
    otto = factories.contact(account=factories.client(name="Andere GmbH"), first="Otto")
    with db.session() as s:
        booking_id = s.exec(select(Booking.id).where(Booking.account_id == account.id)).one()
    thread_id = talks.start_talk(actor=factories.actor(anna), booking_id=booking_id, recipient_contact_id=None,
                                 internal=False, sender_name="", body="Beleg bitte")
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 100, 50)).save(image, format="PNG")
    png = image.getvalue()
    asyncio.run(receipts.upload_receipt(actor=factories.actor(maria), thread_id=thread_id, filename="Beleg März.png",
                                        chunks=_stream([png[:100], png[100:]])))
    key = talks.thread_view(actor=factories.actor(anna), thread_id=thread_id).receipts[0].key
    http = TestClient(build_api(), base_url="http://127.0.0.1", follow_redirects=False)

    def as_user(user) -> None:
        token = auth.login(email=user.email, password=factories.PASSWORD).token
        http.cookies.set(auth.SESSION_COOKIE, auth.sign_session_token(token))

    anonymous = http.get(f"/files/{key}")
    assert anonymous.status_code == 404 and "location" not in anonymous.headers
    as_user(otto)
    assert http.get(f"/files/{key}").status_code == 404
    as_user(maria)
    response = http.get(f"/files/{key}")
    # From the portal's own origin, not a redirect to S3: leaving the origin closed the tab's websocket.
    assert response.status_code == 200 and response.content == png and "location" not in response.headers
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == content_disposition("Beleg März.png")
    assert response.headers["x-content-type-options"] == "nosniff"
    preview = http.get(f"/files/{key}/preview")  # read back through the streamed S3 body
    assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
