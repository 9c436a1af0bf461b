"""Backups (portal/services/backup.py, ``python -m portal.cli backup|restore``): a firm
seeded through the services is written into one archive and restored into an empty
instance, SQLite with files and PostgreSQL with S3, across engines too; every row and
every file comes back, and the restored portal works. Damaged or changed archives,
newer schemas and non-empty targets are refused and leave the target as it was."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from portal import cli, realtime
from portal.domain import backup as fmt
from portal.domain.backup import BackupError
from portal.models import BookingExport, ClientAccount, Document, Firm, Folder, StaffUser
from portal.services import auth, backup, booking_transfer, conversations, db, demo, documents, folders, talks
from portal.settings import get_settings
from portal.storage import BlobNotFound, get_store
from portal.storage.s3 import PART_BYTES
from tests import factories, stack
from tests.pg import temporary_database

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40
# Larger than one S3 part and than the services' read blocks: streamed, multipart.
BIG = b"%PDF-1.4\n" + hashlib.sha256(b"seed").digest() * ((PART_BYTES + 300_000) // 32)
ADMIN = "admin@kanzlei-berger.demo"
ANNA = "anna.schmidt@kanzlei-berger.demo"
MARIA = "maria@baeckerei-hofmann.demo"
BUCKET = "portal-backup-tests"


# Instances


def _clear_caches() -> None:
    get_settings.cache_clear()
    get_store.cache_clear()
    db.get_engine.cache_clear()


@contextlib.contextmanager
def instance(database_url: str, storage_url: str, env: dict[str, str] | None = None) -> Iterator[None]:
    """Point settings, engine and store at one portal instance, as its processes see them."""
    names = {"DATABASE_URL": database_url, "STORAGE_URL": storage_url, **(env or {})}
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    _clear_caches()
    try:
        yield
    finally:
        db.get_engine().dispose()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _clear_caches()


@pytest.fixture(autouse=True)
def no_push(monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)


@pytest.fixture(scope="module")
def s3_env() -> Iterator[dict[str, str]]:
    """A moto S3 server with one bucket; each instance uses a prefix of its own."""
    with stack.moto_s3(BUCKET) as env:
        yield {name: value for name, value in env.items() if name != "STORAGE_URL"}


def _sqlite(path: Path) -> str:
    return f"sqlite:///{path}"


def _files(path: Path) -> str:
    return f"file://{path}"


def _s3(prefix: str) -> str:
    return f"s3://{BUCKET}/{prefix}"


def _s3_keys(env: dict[str, str], prefix: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_DEFAULT_REGION"],
                          aws_access_key_id="test", aws_secret_access_key="test")
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/")
    return [item["Key"] for item in listing.get("Contents", [])]


# The firm


async def _chunks(data: bytes, size: int = 256 * 1024):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def _upload(actor, folder_id: int, data: bytes, name: str) -> int:
    return asyncio.run(documents.upload_document(actor=actor, folder_id=folder_id, filename=name,
                                                 chunks=_chunks(data)))


def _actor(email: str):
    with db.session() as s:
        from portal.models import Contact

        user = s.exec(select(StaffUser).where(StaffUser.email == email)).first()
        user = user or s.exec(select(Contact).where(Contact.email == email)).one()
    return factories.actor(user)


def seed_firm() -> dict[str, bytes]:
    """The demo firm plus what a working week adds: folders (one moved under a newer
    one), documents, a booking talk with a receipt, a conversation, an export, logins.

    Returns:
        The content of every blob, by key.
    """
    demo.seed()
    anna, maria = _actor(ANNA), _actor(MARIA)
    with db.session() as s:
        account_id = s.exec(select(ClientAccount.id).where(ClientAccount.name == "Bäckerei Hofmann GmbH")).one()
    uploads = documents.browse(actor=anna, account_id=account_id).subfolders[0].id
    taxes = folders.create_folder(actor=anna, account_id=account_id, parent_id=None, name="Steuern", shared=True)
    archive = folders.create_folder(actor=anna, account_id=account_id, parent_id=None, name="Archiv")
    folders.move_folder(actor=anna, folder_id=taxes, parent_id=archive)  # a parent with a higher id
    _upload(anna, taxes, PDF, "Bescheid 2025.pdf")
    _upload(anna, taxes, BIG, "Jahresabschluss.pdf")
    _upload(maria, uploads, PDF[:-7] + b"maria!!", "Kassenbuch.pdf")
    with db.session() as s:
        from portal.models import Booking

        booking_id = s.exec(select(Booking.id).where(Booking.account_id == account_id,
                                                     Booking.receipt_missing.is_(True))).first()
    thread_id = talks.start_talk(actor=anna, booking_id=booking_id, recipient_contact_id=None, internal=False,
                                 sender_name="Anna", body="Bitte den Beleg hochladen.")
    receipt = get_store().put_file(io.BytesIO(PDF + b"receipt"), max_bytes=10**6)
    talks.add_receipt_message(actor=maria, thread_id=thread_id, body="Anbei", filename="Beleg.pdf",
                              blob_key=receipt.key, size=receipt.size, content_type="application/pdf",
                              sha256=receipt.sha256)
    conversations.start_conversation(actor=maria, account_id=account_id, subject="Frage zur Lohnabrechnung",
                                     body="Wann kommt die Abrechnung? 😊")
    year = booking_transfer.export_options(actor=anna, account_id=account_id).years[0]
    booking_transfer.export_bookings(actor=anna, account_id=account_id, fmt="csv", year=year)
    assert auth.login(email=ADMIN, password=demo.DEMO_PASSWORD).token
    store = get_store()
    with db.session() as s:
        keys = [*s.exec(select(Document.blob_key)).all(), *s.exec(select(BookingExport.blob_key)).all()]
    assert len(keys) == 5
    contents = {}
    for key in keys:
        with contextlib.closing(store.open(key)) as blob:
            contents[key] = blob.read()
    return contents


def table_rows(engine: sa.Engine) -> dict[str, list[dict]]:
    """Every row of every portal table, by primary key, as the models read them."""
    with engine.connect() as conn:
        return {table.name: [dict(row._mapping) for row in
                             conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
                for table in SQLModel.metadata.sorted_tables}


def stored_blobs(keys) -> dict[str, bytes]:
    """The content of each key in the current instance's store."""
    store = get_store()
    found = {}
    for key in keys:
        with contextlib.closing(store.open(key)) as blob:
            found[key] = blob.read()
    return found


def assert_restored(source_rows: dict[str, list[dict]], blobs: dict[str, bytes]) -> None:
    """The current instance holds exactly the source's rows and files, and works."""
    assert table_rows(db.get_engine()) == source_rows
    assert stored_blobs(blobs) == blobs
    with db.session() as s:
        revision = s.connection().execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert revision == db.head_revision()
    result = auth.login(email=ANNA, password=demo.DEMO_PASSWORD)
    assert result.token and auth.resolve_session(result.token).email == ANNA
    with db.session() as s:
        doc = s.exec(select(Document).where(Document.filename == "Jahresabschluss.pdf")).one()
    info = documents.readable_document(actor=result.actor, key=doc.blob_key)
    with contextlib.closing(get_store().open(info.key)) as blob:
        assert blob.read() == BIG
    maria = auth.login(email=MARIA, password=demo.DEMO_PASSWORD).actor
    assert [t.subject for t in conversations.list_for_client(actor=maria)] == ["Frage zur Lohnabrechnung"]


def assert_no_rows(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        for name in sa.inspect(conn).get_table_names():
            if name != "alembic_version":
                assert conn.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() == 0, name


# A seeded SQLite source, shared by the tests that only read it


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory, migrated_template) -> dict:
    """A seeded SQLite + files instance and a backup of it, written with the CLI."""
    root = tmp_path_factory.mktemp("source")
    shutil.copy(migrated_template, root / "portal.db")
    urls = (_sqlite(root / "portal.db"), _files(root / "blobs"))
    mp = pytest.MonkeyPatch()
    mp.setattr(realtime, "publish", lambda rooms, **_: None)
    try:
        with instance(*urls):
            blobs = seed_firm()
            rows = table_rows(db.get_engine())
            archive = root / "firm.tar"
            assert cli.main(["backup", str(archive)]) == 0
    finally:
        mp.undo()
    return {"urls": urls, "blobs": blobs, "rows": rows, "archive": archive}


def test_sqlite_round_trip_restores_every_row_and_file_and_the_portal_works(sqlite_source, tmp_path, capsys):
    with instance(_sqlite(tmp_path / "restored.db"), _files(tmp_path / "blobs")):
        assert cli.main(["restore", str(sqlite_source["archive"])]) == 0
        out = capsys.readouterr().out
        assert "table folder: " in out and "blobs: 5 stored and verified" in out
        assert_restored(sqlite_source["rows"], sqlite_source["blobs"])


def test_the_archive_holds_a_manifest_with_every_table_and_file(sqlite_source):
    with tarfile.open(sqlite_source["archive"]) as tar:
        manifest = fmt.parse_manifest(tar.extractfile(fmt.MANIFEST).read())
        names = tar.getnames()
    assert manifest.revision == db.head_revision() and manifest.source == "sqlite"
    assert {t.name: t.rows for t in manifest.tables} == {n: len(r) for n, r in sqlite_source["rows"].items()}
    assert {b.key: (b.size, b.sha256) for b in manifest.blobs} == {
        key: (len(data), hashlib.sha256(data).hexdigest()) for key, data in sqlite_source["blobs"].items()}
    assert set(manifest.blob_columns) == {("document", "blob_key"), ("booking_export", "blob_key")}
    assert names[-1] == fmt.MANIFEST and set(names) == {fmt.MANIFEST, *(t.member for t in manifest.tables),
                                                        *(b.member for b in manifest.blobs)}


def test_sqlite_backup_restores_into_postgres(sqlite_source, tmp_path):
    with temporary_database() as url, instance(url, _files(tmp_path / "blobs")):
        summary = backup.restore_backup(archive=sqlite_source["archive"])
        assert summary.rows == sum(len(r) for r in sqlite_source["rows"].values()) and summary.blobs == 5
        assert_restored(sqlite_source["rows"], sqlite_source["blobs"])


# PostgreSQL + S3


@pytest.fixture(scope="module")
def pg_source(s3_env, tmp_path_factory) -> Iterator[dict]:
    """A seeded PostgreSQL + S3 instance and a backup of it."""
    root = tmp_path_factory.mktemp("pg-source")
    mp = pytest.MonkeyPatch()
    mp.setattr(realtime, "publish", lambda rooms, **_: None)
    try:
        with temporary_database() as url:
            db.upgrade(url)
            with instance(url, _s3("source"), s3_env):
                blobs = seed_firm()
                rows = table_rows(db.get_engine())
                archive = root / "firm.tar"
                summary = backup.write_backup(archive=archive, progress=lambda line: None)
            assert summary.blobs == 5 and summary.blob_bytes == sum(len(b) for b in blobs.values())
            yield {"blobs": blobs, "rows": rows, "archive": archive}
    finally:
        mp.undo()


@pytest.fixture
def pg_restored(pg_source, s3_env) -> Iterator[dict]:
    """A fresh PostgreSQL + S3 prefix, with the backup restored into it (and still selected)."""
    with temporary_database() as url, instance(url, _s3("restored"), s3_env):
        backup.restore_backup(archive=pg_source["archive"])
        yield pg_source
    for key in _s3_keys(s3_env, "restored"):
        boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"], region_name=s3_env["AWS_DEFAULT_REGION"],
                     aws_access_key_id="test", aws_secret_access_key="test").delete_object(Bucket=BUCKET, Key=key)


def test_postgres_and_s3_round_trip(pg_restored, s3_env):
    assert_restored(pg_restored["rows"], pg_restored["blobs"])
    assert len(_s3_keys(s3_env, "restored")) == 5


def test_new_rows_after_a_postgres_restore_get_fresh_ids(pg_restored):
    rows = pg_restored["rows"]
    anna = _actor(ANNA)
    with db.session() as s:
        account_id = s.exec(select(ClientAccount.id).where(ClientAccount.name == "Bäckerei Hofmann GmbH")).one()
    account = factories.client(name="Neu nach Restore GmbH", accountants=(), missing_receipts=1)
    folder_id = folders.create_folder(actor=anna, account_id=account_id, parent_id=None, name="Nach dem Restore")
    document_id = _upload(anna, folder_id, PDF, "Neu.pdf")
    thread_id = conversations.start_conversation(actor=anna, account_id=account_id, subject="Neu", body="Hallo")
    for table, new_id in (("client_account", account.id), ("folder", folder_id), ("document", document_id),
                          ("thread", thread_id)):
        assert new_id > max(row["id"] for row in rows[table]), table


def test_postgres_backup_restores_into_sqlite(pg_source, tmp_path):
    with instance(_sqlite(tmp_path / "restored.db"), _files(tmp_path / "blobs")):
        backup.restore_backup(archive=pg_source["archive"])
        assert_restored(pg_source["rows"], pg_source["blobs"])
        factories.staff(name="Neu")  # SQLite picks fresh ids by itself


# Consistency and the archive's name


def _one_client() -> Callable[[str], None]:
    """A progress callback that adds a client once the first table is written."""
    added = []

    def progress(line: str) -> None:
        if line.startswith("table ") and not added:
            added.append(factories.client(name="Zu spät GmbH").id)

    return progress


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_all_tables_come_from_one_snapshot(backend, tmp_path, migrated_template):
    with contextlib.ExitStack() as stack_:
        if backend == "postgres":
            url = stack_.enter_context(temporary_database())
            db.upgrade(url)
        else:
            shutil.copy(migrated_template, tmp_path / "portal.db")
            url = _sqlite(tmp_path / "portal.db")
        stack_.enter_context(instance(url, _files(tmp_path / "blobs")))
        factories.client(name="Vorher GmbH")
        summary = backup.write_backup(archive=tmp_path / "b.tar", progress=_one_client())
        with db.session() as s:
            assert len(s.exec(select(ClientAccount)).all()) == 2  # the late one was committed
    assert summary.rows == 1
    with tarfile.open(tmp_path / "b.tar") as tar:
        manifest = fmt.parse_manifest(tar.extractfile(fmt.MANIFEST).read())
    assert {t.name: t.rows for t in manifest.tables if t.rows} == {"client_account": 1}


def test_a_failed_backup_leaves_no_archive_and_no_leftovers(tmp_path, migrated_template, monkeypatch):
    shutil.copy(migrated_template, tmp_path / "portal.db")
    out = tmp_path / "out"
    out.mkdir()
    with instance(_sqlite(tmp_path / "portal.db"), _files(tmp_path / "blobs")):
        seed_firm()
        store = get_store()
        opened = []

        def crash_on_third(key):
            opened.append(key)
            if len(opened) == 3:
                raise OSError("disk on fire")
            return type(store).open(store, key)

        monkeypatch.setattr(store, "open", crash_on_third)
        with pytest.raises(OSError, match="disk on fire"):
            backup.write_backup(archive=out / "firm.tar", store=store)
    assert list(out.iterdir()) == []


def test_an_existing_archive_is_never_overwritten(sqlite_source):
    before = sqlite_source["archive"].read_bytes()
    with instance(*sqlite_source["urls"]), pytest.raises(BackupError, match="exists already"):
        backup.write_backup(archive=sqlite_source["archive"])
    assert sqlite_source["archive"].read_bytes() == before


def test_a_blob_missing_from_the_store_is_reported(tmp_path, migrated_template, capsys):
    shutil.copy(migrated_template, tmp_path / "portal.db")
    with instance(_sqlite(tmp_path / "portal.db"), _files(tmp_path / "blobs")):
        blobs = seed_firm()
        with db.session() as s:
            gone = s.exec(select(Document.blob_key).where(Document.filename == "Kassenbuch.pdf")).one()
        get_store().delete(gone)
        rows = table_rows(db.get_engine())
        assert cli.main(["backup", str(tmp_path / "strict.tar")]) == 1
        assert gone in capsys.readouterr().err and not (tmp_path / "strict.tar").exists()
        summary = backup.write_backup(archive=tmp_path / "lenient.tar", allow_missing=True)
        assert summary.missing_blobs == (gone,) and summary.blobs == 4
    with instance(_sqlite(tmp_path / "restored.db"), _files(tmp_path / "restored-blobs")):
        restored = backup.restore_backup(archive=tmp_path / "lenient.tar")
        assert restored.missing_blobs == (gone,)
        assert table_rows(db.get_engine()) == rows
        del blobs[gone]
        assert stored_blobs(blobs) == blobs
        with pytest.raises(BlobNotFound):
            get_store().size(gone)


# Refusals


def _rewrite(archive: Path, out: Path, *, member: Callable[[str, bytes], bytes | None] = lambda n, d: d,
             manifest: Callable[[dict], None] = lambda m: None) -> Path:
    """Copy ``archive`` with members changed (None drops one) and the manifest edited."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if info.name == fmt.MANIFEST:
                doc = json.loads(data)
                manifest(doc)
                data = json.dumps(doc).encode()
            else:
                data = member(info.name, data)
                if data is None:
                    continue
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def _first_blob(doc: dict) -> dict:
    return doc["blobs"][0]


def _table_entry(doc: dict, name: str) -> dict:
    return next(t for t in doc["tables"] if t["name"] == name)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _drop_first_blob() -> Callable[[str, bytes], bytes | None]:
    dropped = []

    def member(name: str, data: bytes) -> bytes | None:
        if name.startswith("blobs/") and not dropped:
            dropped.append(name)
            return None
        return data

    return member


GIBBERISH = _gzip(b'["x"]\n')
# Each case: how the archive is changed (the _rewrite arguments), and why it is refused.
TAMPERING: dict[str, tuple[Callable[[], dict], str]] = {
    "blob bytes changed": (lambda: dict(member=lambda n, d: _flip_last_byte(d) if n.startswith("blobs/") else d),
                           r"SHA-256 of blobs/\S+ does not match"),
    "blob left out": (lambda: dict(member=_drop_first_blob()), r"lacks blobs/\S+, which the manifest lists"),
    "blob and its entry left out": (lambda: dict(member=lambda n, d: None if n.startswith("blobs/") else d,
                                                 manifest=lambda m: m.update(blobs=[])),
                                    r"rows name 5 blob\(s\) the archive does not hold"),
    "manifest hash edited": (lambda: dict(manifest=lambda m: _first_blob(m).update(sha256="0" * 64)),
                             r"SHA-256 of blobs/\S+ does not match"),
    "manifest size edited": (lambda: dict(manifest=lambda m: _first_blob(m).update(size=_first_blob(m)["size"] + 1)),
                             r"has \d+ bytes, the manifest says"),
    "rows changed": (lambda: dict(member=lambda n, d: _flip_last_byte(d) if n == fmt.table_member("firm") else d),
                     r"SHA-256 of tables/firm.jsonl.gz does not match"),
    "rows and their hash changed": (lambda: dict(
        member=lambda n, d: GIBBERISH if n == fmt.table_member("firm") else d,
        manifest=lambda m: _table_entry(m, "firm").update(sha256=hashlib.sha256(GIBBERISH).hexdigest(),
                                                          size=len(GIBBERISH))),
        r"tables/firm.jsonl.gz is damaged at row 1"),
    "row count edited": (lambda: dict(manifest=lambda m: _table_entry(m, "staff_user").update(rows=2)),
                         r"holds 3 rows, the manifest says 2"),
    "table left out": (lambda: dict(member=lambda n, d: None if n == fmt.table_member("receipt") else d,
                                    manifest=lambda m: m.update(tables=[t for t in m["tables"]
                                                                        if t["name"] != "receipt"])),
                       r"tables do not match the schema .* \(differing: receipt\)"),
    "extra member": (lambda: dict(), r"holds blobs/extra, which the manifest does not list"),
    "manifest emptied": (lambda: dict(manifest=lambda m: m.clear()), r"not a Kanzleiportal backup"),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_a_changed_archive_is_refused_and_the_target_stays_empty(case, sqlite_source, tmp_path):
    change, reason = TAMPERING[case]
    tampered = _rewrite(sqlite_source["archive"], tmp_path / "tampered.tar", **change())
    if case == "extra member":
        with tarfile.open(tampered, "a") as tar:
            tar.addfile(tarfile.TarInfo("blobs/extra"), io.BytesIO(b""))
    with instance(_sqlite(tmp_path / "restored.db"), _files(tmp_path / "blobs")):
        with pytest.raises(BackupError, match=reason):
            backup.restore_backup(archive=tampered)
        assert_no_rows(db.get_engine())
    assert not (tmp_path / "blobs").exists() or not any(p.is_file() for p in (tmp_path / "blobs").rglob("*"))


def test_a_failure_while_storing_files_rolls_back_rows_and_removes_written_files(pg_source, s3_env, monkeypatch):
    with temporary_database() as url, instance(url, _s3("half"), s3_env):
        store = get_store()
        stored = []

        def fail_on_third(key, file, *, max_bytes):
            if len(stored) == 2:
                raise OSError("S3 went away")
            stored.append(key)
            return type(store).put_file_as(store, key, file, max_bytes=max_bytes)

        monkeypatch.setattr(store, "put_file_as", fail_on_third)
        with pytest.raises(OSError, match="S3 went away"):
            backup.restore_backup(archive=pg_source["archive"], store=store)
        assert len(stored) == 2
        assert_no_rows(db.get_engine())
    assert _s3_keys(s3_env, "half") == []


def test_restoring_into_the_store_that_still_holds_the_files_keeps_them(sqlite_source, tmp_path, monkeypatch):
    """The database was lost, the blob store was not: identical blobs are kept, and a
    failed restore deletes none of them."""
    source_store_url = sqlite_source["urls"][1]
    with instance(_sqlite(tmp_path / "failed.db"), source_store_url):
        store = get_store()

        def refuse(*args, **kwargs):
            raise AssertionError("an identical blob must not be written again")

        monkeypatch.setattr(store, "put_file_as", refuse)
        backup.restore_backup(archive=sqlite_source["archive"], store=store)
        assert stored_blobs(sqlite_source["blobs"]) == sqlite_source["blobs"]
    with instance(_sqlite(tmp_path / "other.db"), source_store_url):
        # A different blob under a restored key is refused, and nothing is deleted.
        key = next(iter(sqlite_source["blobs"]))
        tampered = _rewrite(sqlite_source["archive"], tmp_path / "other.tar",
                            member=lambda n, d: _flip_last_byte(d) if n == fmt.blob_member(key) else d,
                            manifest=lambda m: next(b for b in m["blobs"] if b["key"] == key).update(
                                sha256=hashlib.sha256(_flip_last_byte(sqlite_source["blobs"][key])).hexdigest()))
        with pytest.raises(BackupError, match="already holds a different blob"):
            backup.restore_backup(archive=tampered)
        assert_no_rows(db.get_engine())
        assert stored_blobs(sqlite_source["blobs"]) == sqlite_source["blobs"]


def test_restore_into_a_database_with_rows_is_refused(sqlite_source, tmp_path, migrated_template):
    shutil.copy(migrated_template, tmp_path / "busy.db")
    with instance(_sqlite(tmp_path / "busy.db"), _files(tmp_path / "blobs")):
        factories.firm(name="Andere Kanzlei")
        with pytest.raises(BackupError, match=r"not empty \(rows in firm\)"):
            backup.restore_backup(archive=sqlite_source["archive"])
        assert cli.main(["restore", str(sqlite_source["archive"])]) == 1
        with db.session() as s:
            assert [f.name for f in s.exec(select(Firm)).all()] == ["Andere Kanzlei"]
            assert s.exec(select(Folder)).all() == []
    assert not (tmp_path / "blobs").exists() or not any(p.is_file() for p in (tmp_path / "blobs").rglob("*"))


def test_a_backup_from_a_newer_schema_is_refused_before_anything_changes(sqlite_source, tmp_path):
    newer = _rewrite(sqlite_source["archive"], tmp_path / "newer.tar",
                     manifest=lambda m: m.update(revision="9999"))
    with instance(_sqlite(tmp_path / "restored.db"), _files(tmp_path / "blobs")):
        with pytest.raises(BackupError, match="newer version"):
            backup.restore_backup(archive=newer)
        with db.get_engine().connect() as conn:
            assert sa.inspect(conn).get_table_names() == []


def test_an_empty_database_with_a_newer_schema_than_the_backup_is_refused(sqlite_source, tmp_path,
                                                                          migrated_template):
    older = _rewrite(sqlite_source["archive"], tmp_path / "older.tar", manifest=lambda m: m.update(revision="0012"))
    shutil.copy(migrated_template, tmp_path / "head.db")
    with instance(_sqlite(tmp_path / "head.db"), _files(tmp_path / "blobs")):
        with pytest.raises(BackupError, match="newer than the backup's"):
            backup.restore_backup(archive=older)


def test_a_backup_of_a_database_behind_the_code_is_refused(tmp_path):
    from alembic import command

    url = _sqlite(tmp_path / "old.db")
    command.upgrade(db.alembic_config(url), "0012")
    with instance(url, _files(tmp_path / "blobs")), pytest.raises(BackupError, match="revision 0012"):
        backup.write_backup(archive=tmp_path / "b.tar")
    assert not (tmp_path / "b.tar").exists()


# The format's pure parts


def test_values_survive_the_json_encoding():
    import datetime as dt

    row = [dt.datetime(2026, 3, 1, 8, 30, 0, 123456, tzinfo=dt.UTC), dt.date(2026, 2, 28), {"a": [1, "ü"]},
           b"\x00\xff", True, None, "Grüße 😊", 12.5]
    kinds = ["datetime", "date", "json", "bytes", "value", "datetime", "value", "value"]
    columns = [f"c{i}" for i in range(len(row))]
    assert list(fmt.decode_row(columns, kinds, fmt.encode_row(kinds, row)).values()) == row


def test_parents_come_before_their_children_whatever_the_ids():
    rows = [{"id": 1, "parent_id": 3}, {"id": 2, "parent_id": None}, {"id": 3, "parent_id": 4},
            {"id": 4, "parent_id": None}, {"id": 5, "parent_id": 1}]
    assert [r["id"] for r in fmt.parents_first(rows, key="id", parents=["parent_id"])] == [2, 4, 3, 1, 5]
    with pytest.raises(ValueError, match="cycle"):
        fmt.parents_first([{"id": 1, "parent_id": 2}, {"id": 2, "parent_id": 1}], key="id", parents=["parent_id"])


@pytest.mark.parametrize("raw", [b"[]", b'{"format": "zip"}', b'{"format": "kanzleiportal-backup", "version": 99}',
                                 b'{"format": "kanzleiportal-backup", "version": 1, "tables": "x"}', b"\xff"])
def test_malformed_manifests_are_refused(raw):
    with pytest.raises(BackupError):
        fmt.parse_manifest(raw)
