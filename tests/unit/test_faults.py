"""Nothing lost, nothing half done (issue 10): a full disk, a failed commit, a cancelled or
killed server during an upload, an export or an import; and the sweep that removes what
a killed server left in the blob store.

The browser-side journeys (a real server SIGKILLed mid-upload, mid-send and mid-import,
then restarted on its data) are in ``tests/e2e/test_faults.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from portal import realtime
from portal.domain.clock import utcnow
from portal.domain.files import DOCUMENT_TYPES
from portal.i18n import translate
from portal.models import Booking, BookingExport, ClientAccount, Contact, Document, Outbox
from portal.services import blob_sweep, booking_transfer, db, documents, uploads
from portal.services.client_import import import_clients
from portal.services.uploads import UploadRefused
from portal.settings import get_settings
from portal.state.file_upload import DONE, REFUSED, UPLOADING, FileUploadMixin, UploadItem
from portal.storage import get_store
from portal.storage import local as local_store
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 800  # 200 KiB: many buffer flushes
DISK_FULL = OperationalError("COMMIT", {}, Exception("database or disk is full"))


async def _chunks(data: bytes, size: int = 4096):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def _files(root: Path) -> list[Path]:
    return sorted(Path(d) / n for d, _, names in os.walk(root) for n in names)


def _count(model) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def store(tmp_path) -> Iterator[local_store.LocalStore]:
    """A blob store of this test's own, so "nothing left behind" means nothing at all."""
    saved = os.environ.get("STORAGE_URL")
    os.environ["STORAGE_URL"] = f"file://{tmp_path / 'blobs'}"
    get_settings.cache_clear()
    get_store.cache_clear()
    try:
        yield get_store()
    finally:
        if saved is None:
            os.environ.pop("STORAGE_URL", None)
        else:
            os.environ["STORAGE_URL"] = saved
        get_settings.cache_clear()
        get_store.cache_clear()


@pytest.fixture
def office(fresh_db, store, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms: None)
    factories.firm()
    anna = factories.staff()
    account = factories.client(name="Fehler GmbH", accountants=(anna,), missing_receipts=2)
    folder = documents.browse(actor=factories.actor(anna), account_id=account.id).subfolders[0]
    return {"anna": factories.actor(anna), "account": account, "folder_id": folder.id, "store": store}


def _upload(office, data: bytes = PDF) -> int:
    return asyncio.run(documents.upload_document(actor=office["anna"], folder_id=office["folder_id"],
                                                 filename="Bescheid.pdf", chunks=_chunks(data)))


# A full disk under the local store.


class _Disk:
    """A file system with room for ``room`` more bytes of blob data, as LocalStore's files see it."""

    def __init__(self, room: int) -> None:
        self.room = room

    def install(self, monkeypatch) -> None:
        real_fdopen = os.fdopen
        disk = self

        class Filling(io.FileIO):
            def write(self, data) -> int:
                if disk.room <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                written = super().write(bytes(data[:disk.room]))  # a short write, as a real disk does
                disk.room -= written
                return written

        def fdopen(fd, mode="r", *args, **kwargs):
            if mode != "wb":
                return real_fdopen(fd, mode, *args, **kwargs)
            return io.BufferedWriter(Filling(fd, "wb", closefd=True))

        monkeypatch.setattr(local_store.os, "fdopen", fdopen)


def _fill(monkeypatch, where: str) -> None:
    """Make the disk run full at one of the places a write meets it."""
    no_space = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if where == "write":
        _Disk(room=50_000).install(monkeypatch)
    elif where == "fsync":  # delayed allocation: the data only meets the full disk here
        monkeypatch.setattr(local_store.os, "fsync", lambda fd: (_ for _ in ()).throw(no_space))
    elif where == "create":  # no inode left for the partial file
        real_open = os.open

        def open_(path, flags, *args, **kwargs):
            if flags & os.O_CREAT:
                raise no_space
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(local_store.os, "open", open_)


@pytest.mark.parametrize("where", ["write", "fsync", "create"])
def test_a_full_disk_refuses_the_upload_in_words_and_leaves_no_file_and_no_row(office, monkeypatch, where):
    _fill(monkeypatch, where)

    with pytest.raises(UploadRefused) as refused:
        _upload(office)

    assert refused.value.key == "upload.error.storage_full"
    assert translate("de", refused.value.key).startswith("Der Speicherplatz des Portals ist voll. "
                                                         "Die Datei wurde nicht gespeichert")
    assert _files(office["store"].root) == []  # no partial file, no blob
    assert _count(Document) == 0


def test_the_upload_zone_shows_a_full_disk_on_the_file_and_goes_on(office, monkeypatch):
    """The state path: the refused file shows the German message; the next file, with room again, is stored."""
    disk = _Disk(room=50_000)
    disk.install(monkeypatch)

    class Zone:
        upload_items = [UploadItem(name="Bescheid.pdf", status=UPLOADING), UploadItem(name="Auszug.pdf")]
        _sizes = [len(PDF), len(PDF)]

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            return False

        async def _save_file(self, actor, filename, data):
            await documents.upload_document(actor=actor, folder_id=office["folder_id"], filename=filename,
                                            chunks=data)

    zone = Zone()

    async def scenario():
        first = await FileUploadMixin._receive_one(zone, office["anna"], "de", 0, "Bescheid.pdf", _chunks(PDF))
        disk.room = 10 * len(PDF)  # someone made room
        second = await FileUploadMixin._receive_one(zone, office["anna"], "de", 1, "Auszug.pdf", _chunks(PDF))
        return first, second

    assert asyncio.run(scenario()) == (0, 1)
    refused, stored = zone.upload_items
    assert refused.status == REFUSED and refused.message == translate("de", "upload.error.storage_full")
    assert "Speicherplatz" in refused.message
    assert stored.status == DONE and _count(Document) == 1
    assert len(_files(office["store"].root)) == 1


def test_a_full_disk_refuses_the_export_and_marks_nothing_exported(office, monkeypatch):
    _Disk(room=100).install(monkeypatch)

    with pytest.raises(booking_transfer.TransferError, match="export.error.storage_full"):
        booking_transfer.export_bookings(actor=office["anna"], account_id=office["account"].id, fmt="csv",
                                         year=2026)

    assert _files(office["store"].root) == [] and _count(BookingExport) == 0
    with db.session() as s:
        assert s.exec(select(Booking.exported_at).where(Booking.account_id == office["account"].id)).all() == \
            [None, None]


# A database that refuses the row after the blob was stored.


def _failing_commit(monkeypatch, *, after_commit: bool = False) -> None:
    """Every commit fails; with ``after_commit`` it goes through first and only its answer is lost."""
    real_commit = Session.commit

    def commit(self):
        if after_commit:
            real_commit(self)
        raise DISK_FULL

    monkeypatch.setattr(Session, "commit", commit)


def test_a_failed_commit_deletes_the_blob_it_stored(office, monkeypatch):
    with monkeypatch.context() as patched, pytest.raises(UploadRefused) as refused:
        _failing_commit(patched)
        _upload(office)

    assert refused.value.key == "upload.error.not_saved"
    assert _files(office["store"].root) == [] and _count(Document) == 0


def test_a_commit_whose_answer_was_lost_keeps_its_blob(office, monkeypatch):
    """The row made it after all: deleting its blob would lose the file."""
    with monkeypatch.context() as patched, pytest.raises(UploadRefused):
        _failing_commit(patched, after_commit=True)
        _upload(office)

    with db.session() as s:
        doc = s.exec(select(Document)).one()
    with office["store"].open(doc.blob_key) as handle:
        assert handle.read() == PDF


def test_a_failed_export_commit_deletes_the_export_file(office, monkeypatch):
    with monkeypatch.context() as patched, pytest.raises(OperationalError):
        _failing_commit(patched)
        booking_transfer.export_bookings(actor=office["anna"], account_id=office["account"].id, fmt="csv",
                                         year=2026)

    assert _files(office["store"].root) == [] and _count(BookingExport) == 0


@pytest.mark.parametrize("commits", [True, False])
def test_a_cancelled_upload_keeps_the_blob_exactly_when_its_row_commits(office, commits):
    """A server shutting down cancels the handler while the thread writing the row goes on."""
    in_write, release = threading.Event(), threading.Event()

    def write(upload: uploads.StoredUpload) -> int:
        in_write.set()
        release.wait(10)
        if not commits:
            raise DISK_FULL
        with db.session() as s:
            doc = Document(account_id=office["account"].id, folder_id=office["folder_id"], blob_key=upload.key,
                           filename=upload.filename, size=upload.size, content_type=upload.content_type,
                           sha256=upload.sha256, uploaded_by_kind="staff", uploaded_by_id=office["anna"].id)
            s.add(doc)
            s.commit()
            return doc.id

    async def scenario():
        task = asyncio.create_task(uploads.save_upload(_chunks(PDF), filename="Bescheid.pdf",
                                                       allowed=DOCUMENT_TYPES, write=write))
        await asyncio.to_thread(in_write.wait, 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()  # asyncio.run waits for the thread before it returns

    asyncio.run(scenario())

    blobs = _files(office["store"].root)
    if commits:
        with db.session() as s:
            key = s.exec(select(Document.blob_key)).one()
        assert [p.name for p in blobs] == [key]
    else:
        assert blobs == [] and _count(Document) == 0


# The sweep of what a killed server left.


def _orphan(store) -> str:
    """A blob whose server died before its row was committed."""
    return asyncio.run(store.put_stream(_chunks(b"%PDF-1.4 orphan"), max_bytes=1000)).key


def _later(hours: float) -> dt.datetime:
    return utcnow() + dt.timedelta(hours=hours)


def test_the_sweep_deletes_old_blobs_no_row_names_and_keeps_the_rest(office):
    _upload(office)
    orphan = _orphan(office["store"])
    with db.session() as s:
        named = s.exec(select(Document.blob_key)).one()

    # Young: the row of a blob this new may be about to commit.
    assert blob_sweep.sweep(now=_later(1)) == blob_sweep.SweepResult(orphans=0, partials=0)
    assert blob_sweep.sweep(now=_later(25)) == blob_sweep.SweepResult(orphans=1, partials=0)

    assert [p.name for p in _files(office["store"].root)] == [named]
    assert orphan != named


def test_the_sweep_keeps_export_files_their_rows_name(office):
    result = booking_transfer.export_bookings(actor=office["anna"], account_id=office["account"].id, fmt="csv",
                                              year=2026)

    assert blob_sweep.sweep(now=_later(25)).orphans == 0
    assert [p.name for p in _files(office["store"].root)] == [result.key]


def test_the_sweep_leaves_the_store_of_an_empty_database_alone(office):
    """A restore stores every blob before it commits all rows: its blobs are no orphans."""
    keys = {_orphan(office["store"]) for _ in range(3)}

    assert blob_sweep.sweep(now=_later(25)).orphans == 0
    assert {p.name for p in _files(office["store"].root)} == keys


def test_the_sweep_holds_back_when_the_store_is_not_this_databases(office, caplog):
    _upload(office)
    for _ in range(blob_sweep.FEW_ORPHANS + 1):
        _orphan(office["store"])

    result = blob_sweep.sweep(now=_later(25))

    assert result.orphans == 0 and result.held_back == blob_sweep.FEW_ORPHANS + 1
    assert len(_files(office["store"].root)) == blob_sweep.FEW_ORPHANS + 2
    assert "different installations" in caplog.text


_KILLED_UPLOAD = """
import asyncio, sys
from portal.services import documents
from portal.domain.actor import Actor
from portal.domain.enums import Role, SubjectKind

async def stalled():
    yield b"%PDF-1.4\\n" + b"x" * 100_000
    print("uploading", flush=True)
    await asyncio.Event().wait()

anna = Actor(kind=SubjectKind.STAFF, id=int(sys.argv[1]), name="Anna", email="", role=Role.ACCOUNTANT)
asyncio.run(documents.upload_document(actor=anna, folder_id=int(sys.argv[2]), filename="gross.pdf",
                                      chunks=stalled()))
"""


def _env_for(engine, store) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "STORAGE_URL": f"file://{store.root}"}


def test_a_server_killed_mid_upload_leaves_a_partial_file_the_sweep_removes_at_once(office, fresh_db):
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_UPLOAD, str(office["anna"].id),
                               str(office["folder_id"])], cwd=ROOT, env=_env_for(fresh_db, office["store"]),
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "uploading"
    finally:
        writer.kill()
        writer.wait(10)
    assert [p.name.endswith(".part") for p in _files(office["store"].root)] == [True]

    # No waiting for an age: the lock its writer held died with it.
    assert blob_sweep.sweep() == blob_sweep.SweepResult(orphans=0, partials=1)
    assert _files(office["store"].root) == [] and _count(Document) == 0


def test_the_sweep_runs_first_thing_and_then_on_its_interval(monkeypatch):
    calls = []

    def sweep():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("store unreachable")  # a failing round does not end the loop
        return blob_sweep.SweepResult(orphans=0, partials=0)

    monkeypatch.setattr(blob_sweep, "sweep", sweep)

    async def scenario():
        task = asyncio.create_task(blob_sweep.run_sweep_loop(interval=0.01))
        while len(calls) < 3:
            await asyncio.sleep(0.005)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(asyncio.wait_for(scenario(), 5))
    assert len(calls) >= 3



# An import that dies midway.


HEADER = "Kontoname;Firmenname;Vorname;Nachname;E-Mail;Telefon;Schlagwörter;LOGIN"


def _client_csv(count: int) -> bytes:
    lines = [HEADER] + [f";Import {i} GmbH;Ina;Import{i};ina{i}@import.test;;;ja" for i in range(count)]
    return ("\r\n".join(lines) + "\r\n").encode()


class _Crash(Exception):
    pass


@pytest.mark.parametrize("stage", ["write", "invite"])
def test_an_import_that_fails_midway_leaves_no_client_and_no_invitation(office, stage):
    def progress(current, done, total):
        if current == stage and done == 3:
            raise _Crash()

    with pytest.raises(_Crash):
        import_clients(actor=office["anna"], data=_client_csv(6), invite=True, progress=progress)

    with db.session() as s:
        assert s.exec(select(ClientAccount.name).where(ClientAccount.name.like("Import %"))).all() == []
        assert s.exec(select(Contact).where(Contact.email.like("%@import.test"))).all() == []
    assert _count(Outbox) == 0


_KILLED_IMPORT = """
import sys, time
from portal.domain.actor import Actor
from portal.domain.enums import Role, SubjectKind
from portal.services.client_import import import_clients

def progress(stage, done, total):
    if stage == sys.argv[2] and done == 5:
        print("importing", flush=True)
        time.sleep(60)

anna = Actor(kind=SubjectKind.STAFF, id=int(sys.argv[1]), name="Anna", email="", role=Role.ACCOUNTANT)
import_clients(actor=anna, data=sys.stdin.buffer.read(), invite=True, progress=progress)
"""


@pytest.mark.parametrize("stage", ["write", "invite"])
def test_a_server_killed_during_an_import_leaves_nothing_of_it(office, fresh_db, stage):
    importer = subprocess.Popen([sys.executable, "-c", _KILLED_IMPORT, str(office["anna"].id), stage], cwd=ROOT,
                                env=_env_for(fresh_db, office["store"]), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE)
    try:
        importer.stdin.write(_client_csv(20))
        importer.stdin.close()
        assert importer.stdout.readline().strip() == b"importing"
    finally:
        importer.kill()
        importer.wait(10)

    with db.session() as s:
        assert s.exec(select(func.count()).select_from(ClientAccount).where(
            ClientAccount.name.like("Import %"))).one() == 0
    assert _count(Outbox) == 0
    # And the file imports whole afterwards.
    assert import_clients(actor=office["anna"], data=_client_csv(20), invite=True).invited == 20

