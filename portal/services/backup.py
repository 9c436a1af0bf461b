"""Backups: every table's rows from one snapshot and every blob they name, in one
archive; and restoring such an archive into an empty instance.

The archive's format is :mod:`portal.domain.backup`. Writing it never changes the
database or the store; the archive appears under its name only once complete.
Restoring checks the whole archive (manifest, every member's size and SHA-256) before
it touches the target, then writes rows and blobs in one database transaction that
commits only once every blob is stored and verified: a refused restore leaves the
database without rows and removes the blobs it wrote.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gzip
import hashlib
import io
import logging
import os
import tarfile
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script.revision import RevisionError
from alembic.util.exc import CommandError
from sqlalchemy import Engine
from sqlmodel import SQLModel

import portal.models  # noqa: F401  (registers every table on SQLModel.metadata)
from portal.domain.backup import (
    MANIFEST,
    BackupError,
    BlobEntry,
    Manifest,
    TableEntry,
    blob_member,
    decode_row,
    encode_row,
    parents_first,
    parse_manifest,
)
from portal.domain.clock import utcnow
from portal.services import db
from portal.storage import BlobNotFound, BlobStore, BlobTooLarge, check_key, get_store

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
READ_BYTES = 1024 * 1024
INSERT_BATCH = 500
# Alembic's own bookkeeping: it is set by the upgrade, never copied.
_ALEMBIC_TABLE = "alembic_version"
# Any column of this name holds a blob store key (Document, BookingExport, ...): a new
# table with files is backed up with its blobs without touching this module.
BLOB_COLUMN = "blob_key"
_PROGRESS_BLOBS = 100
_PROGRESS_BYTES = 256 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class BackupSummary:
    """What a written backup holds."""

    archive: Path
    revision: str
    tables: int
    rows: int
    blobs: int
    blob_bytes: int
    missing_blobs: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class RestoreSummary:
    """What a restore wrote."""

    revision: str
    rows: int
    blobs: int
    blob_bytes: int
    missing_blobs: tuple[str, ...]


def _quiet(_message: str) -> None:
    pass


def human_bytes(size: int) -> str:
    """A byte count for progress lines (binary units, one decimal)."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


# Writing


def write_backup(*, archive: Path, engine: Engine | None = None, store: BlobStore | None = None,
                 allow_missing: bool = False, progress: Progress = _quiet) -> BackupSummary:
    """Write a backup of the database and the blobs its rows name into ``archive``.

    Args:
        archive: The file to create; refused if it exists. Its directory holds the
            temporary files (table dumps, the partial archive) while it is written.
        engine: The database; defaults to ``DATABASE_URL``.
        store: The blob store; defaults to ``STORAGE_URL``.
        allow_missing: Write the archive even if the store lacks blobs the rows name;
            the manifest lists them. Without it such a backup fails.
        progress: Called with a line of text after each table and every few blobs.

    Returns:
        What the archive holds.

    Raises:
        BackupError: The archive exists, the schema is not this code's, or blobs are missing.
    """
    archive = Path(archive).absolute()
    engine = engine or db.get_engine()
    store = store or get_store()
    if archive.exists():
        raise BackupError(f"{archive} exists already; choose a new name (a backup never overwrites another).")
    if not archive.parent.is_dir():
        raise BackupError(f"The directory {archive.parent} does not exist.")
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=f".{archive.name}.") as work_dir:
        work = Path(work_dir)
        revision, created_at, tables, keys = _dump_tables(engine, work, progress)
        partial = work / "archive.partial"
        with open(partial, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for entry in tables:
                    with open(work / entry.name, "rb") as dump:
                        tar.addfile(_tar_info(entry.member, entry.size, created_at), dump)
                blobs, missing = _add_blobs(tar, store, keys, created_at, progress)
                if missing and not allow_missing:
                    listing = ", ".join(f"{keys[k][0]}.{keys[k][1]}={k}" for k in missing[:10])
                    more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
                    raise BackupError(f"{len(missing)} blob(s) named by the database are not in the store: "
                                      f"{listing}{more}. Nothing was written; run again with --allow-missing "
                                      "to back up without them (the manifest lists them).")
                manifest = Manifest(revision=revision, created_at=created_at, source=engine.dialect.name,
                                    tables=tuple(tables), blob_columns=_blob_columns(), blobs=tuple(blobs),
                                    missing_blobs=tuple(missing))
                data = manifest.to_json()
                tar.addfile(_tar_info(MANIFEST, len(data), created_at), io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        # The only step that makes the archive visible under its name: a crash before
        # it leaves a hidden temporary directory, never half an archive.
        os.replace(partial, archive)
        _fsync_dir(archive.parent)
    for key in missing:
        progress(f"warning: blob {key} ({keys[key][0]}.{keys[key][1]}) was missing from the store")
    return BackupSummary(archive=archive, revision=revision, tables=len(tables), rows=sum(t.rows for t in tables),
                         blobs=len(blobs), blob_bytes=manifest.blob_bytes, missing_blobs=tuple(missing))


def _blob_columns() -> tuple[tuple[str, str], ...]:
    return tuple((t.name, c.name) for t in SQLModel.metadata.sorted_tables for c in t.columns if c.name == BLOB_COLUMN)


@contextlib.contextmanager
def _snapshot(engine: Engine) -> Iterator[sa.Connection]:
    """A connection whose reads all see the database at one moment."""
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with engine.connect().execution_options(**options) as conn, conn.begin():
            yield conn
    elif engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            # pysqlite starts a transaction only before a write: without this BEGIN
            # each SELECT would see whatever was committed just before it.
            conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                conn.rollback()
    else:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine.dialect.name}.")


def _dump_tables(engine: Engine, work: Path, progress: Progress
                 ) -> tuple[str, dt.datetime, list[TableEntry], dict[str, tuple[str, str]]]:
    """Every table's rows into ``work/<table>``, read in one snapshot.

    Returns:
        The Alembic revision, the snapshot's time, the tables, and each blob key the
        rows name with the (table, column) naming it.
    """
    head = db.head_revision()
    tables: list[TableEntry] = []
    keys: dict[str, tuple[str, str]] = {}
    with _snapshot(engine) as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision != head:
            raise BackupError(f"The database is at schema revision {revision}, this code at {head}: start the "
                              "portal once (it upgrades the schema), or use the portal version that matches it.")
        created_at = utcnow()
        for table in SQLModel.metadata.sorted_tables:
            kinds = tuple(_kind(column) for column in table.columns)
            blob_at = [i for i, column in enumerate(table.columns) if column.name == BLOB_COLUMN]
            rows = 0
            query = sa.select(table).order_by(*table.primary_key.columns).execution_options(yield_per=1000)
            with open(work / table.name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
                for row in conn.execute(query):
                    out.write(encode_row(kinds, row))
                    rows += 1
                    for i in blob_at:
                        if row[i]:
                            keys.setdefault(row[i], (table.name, BLOB_COLUMN))
            with open(work / table.name, "rb") as dump:
                size, sha256 = _digest(dump)
            tables.append(TableEntry(name=table.name, columns=tuple(c.name for c in table.columns), kinds=kinds,
                                     rows=rows, size=size, sha256=sha256))
            progress(f"table {table.name}: {rows} rows")
    return revision, created_at, tables, keys


def _kind(column: sa.Column) -> str:
    """How a column's values are written into the archive (see portal.domain.backup)."""
    col_type = column.type
    if isinstance(col_type, sa.TypeDecorator):
        col_type = col_type.impl_instance
    if isinstance(col_type, sa.JSON):
        return "json"
    python_type = col_type.python_type
    if issubclass(python_type, dt.datetime):
        return "datetime"
    if issubclass(python_type, dt.date):
        return "date"
    if issubclass(python_type, bytes):
        return "bytes"
    if python_type in (int, str, bool, float):
        return "value"
    # A new column type needs an explicit encoding, not a silent str().
    raise BackupError(f"Column {column.table.name}.{column.name} has type {column.type!r}, which backups "
                      "cannot write yet.")


def _add_blobs(tar: tarfile.TarFile, store: BlobStore, keys: dict[str, tuple[str, str]], mtime: dt.datetime,
               progress: Progress) -> tuple[list[BlobEntry], list[str]]:
    """Stream each blob into the archive, hashing it on the way."""
    blobs: list[BlobEntry] = []
    missing: list[str] = []
    total = 0
    reported = 0
    for key in sorted(keys):
        try:
            check_key(key)
            size = store.size(key)
            source = store.open(key)
        except BlobNotFound:
            missing.append(key)
            continue
        except ValueError as exc:
            table, column = keys[key]
            raise BackupError(f"A row of {table} names a malformed blob key in {column}: {key!r}.") from exc
        with contextlib.closing(source):
            reader = _HashingReader(source)
            tar.addfile(_tar_info(blob_member(key), size, mtime), reader)
            if reader.read(1):
                raise BackupError(f"Blob {key} changed while it was read (longer than the store said).")
        blobs.append(BlobEntry(key=key, size=size, sha256=reader.hexdigest()))
        total += size
        if len(blobs) % _PROGRESS_BLOBS == 0 or total - reported >= _PROGRESS_BYTES:
            reported = total
            progress(f"blobs: {len(blobs)}/{len(keys)}, {human_bytes(total)}")
    progress(f"blobs: {len(blobs)} of {len(keys)} written, {human_bytes(total)}"
             + (f", {len(missing)} missing" if missing else ""))
    return blobs, missing


def _tar_info(name: str, size: int, mtime: dt.datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(mtime.timestamp())
    return info


# Restoring


def restore_backup(*, archive: Path, engine: Engine | None = None, store: BlobStore | None = None,
                   progress: Progress = _quiet) -> RestoreSummary:
    """Restore ``archive`` into an empty database and its blob store.

    The database is upgraded to the backup's schema revision, filled table by table,
    its id sequences moved past the restored ids, and upgraded to this code's head.

    Args:
        archive: A file :func:`write_backup` wrote.
        engine: The target database; defaults to ``DATABASE_URL``. It must hold no
            rows; its schema may be missing or older than the backup's.
        store: The target blob store; defaults to ``STORAGE_URL``.
        progress: Called with a line of text per step.

    Returns:
        What was restored.

    Raises:
        BackupError: The archive is damaged, changed or from a newer version, or the
            target is not empty. Nothing was changed then, but for the schema of the
            empty database (which a later restore reuses).
    """
    engine = engine or db.get_engine()
    store = store or get_store()
    url = engine.url.render_as_string(hide_password=False)
    with _open_archive(Path(archive)) as tar:
        manifest = _read_manifest(tar)
        _check_revision(manifest.revision)
        _verify_members(tar, manifest, progress)
        _check_target(engine, manifest.revision)
        progress(f"schema: upgrading the empty database to revision {manifest.revision}")
        db.upgrade(url, revision=manifest.revision)
        written: list[str] = []
        try:
            with engine.connect() as conn, conn.begin():
                schema = sa.MetaData()
                with warnings.catch_warnings():
                    # Expression indexes (lower(name)) are not reflected; only columns and keys matter here.
                    warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
                    schema.reflect(conn)
                referenced = _insert_rows(conn, tar, manifest, schema, progress)
                unknown = referenced - {b.key for b in manifest.blobs} - set(manifest.missing_blobs)
                if unknown:
                    raise BackupError(f"The rows name {len(unknown)} blob(s) the archive does not hold, e.g. "
                                      f"{min(unknown)}; the archive is incomplete.")
                if conn.dialect.name == "postgresql":
                    _reset_sequences(conn, schema)
                _put_blobs(tar, store, manifest, written, progress)
        except BaseException:
            # The transaction rolled back; the blobs this restore stored go too.
            for key in written:
                try:
                    store.delete(key)
                except Exception:
                    logger.exception("Could not delete restored blob %s after the restore failed.", key)
            raise
    progress("schema: upgrading to this version's head")
    db.upgrade(url)
    for key in manifest.missing_blobs:
        progress(f"warning: blob {key} was missing when the backup was written; its rows have no file")
    return RestoreSummary(revision=manifest.revision, rows=sum(t.rows for t in manifest.tables),
                          blobs=len(manifest.blobs), blob_bytes=manifest.blob_bytes,
                          missing_blobs=manifest.missing_blobs)


@contextlib.contextmanager
def _open_archive(archive: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(archive, mode="r:")
    except FileNotFoundError as exc:
        raise BackupError(f"{archive} does not exist.") from exc
    except tarfile.TarError as exc:
        raise BackupError(f"{archive} is not a backup archive (not an uncompressed tar file): {exc}.") from exc
    with tar:
        yield tar


def _member(tar: tarfile.TarFile, name: str) -> tarfile.TarInfo:
    try:
        member = tar.getmember(name)
    except KeyError as exc:
        raise BackupError(f"The archive lacks {name}, which the manifest lists.") from exc
    if not member.isfile():
        raise BackupError(f"{name} in the archive is not a regular file.")
    return member


def _read_manifest(tar: tarfile.TarFile) -> Manifest:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError as exc:
        raise BackupError("The archive has no manifest.json: it is not a backup, or was cut off.") from exc
    if not member.isfile() or member.size > 1024 * 1024 * 1024:
        raise BackupError("The archive's manifest.json is not a plain file of reasonable size.")
    manifest = parse_manifest(tar.extractfile(member).read())
    for entry in manifest.blobs:
        try:
            check_key(entry.key)
        except ValueError as exc:
            raise BackupError(f"The manifest names a malformed blob key {entry.key!r}.") from exc
    return manifest


def _check_revision(revision: str) -> None:
    """Refuse a backup from a schema this code does not know (a newer portal's)."""
    head = db.head_revision()
    try:
        known = db.migration_scripts().get_revision(revision)
    except (RevisionError, CommandError):
        known = None
    if known is None:
        raise BackupError(f"The backup's schema revision {revision} is unknown to this version of the portal "
                          f"(newest known: {head}); it was written by a newer version: update the portal first.")


def _verify_members(tar: tarfile.TarFile, manifest: Manifest, progress: Progress) -> None:
    """Check every member against the manifest, before the target is touched."""
    names = [m.name for m in tar.getmembers()]
    expected = {MANIFEST} | {t.member for t in manifest.tables} | {b.member for b in manifest.blobs}
    if len(set(names)) != len(names):
        raise BackupError("The archive holds a member twice; it was changed after the backup.")
    unexpected = sorted(set(names) - expected)
    if unexpected:
        raise BackupError(f"The archive holds {unexpected[0]}, which the manifest does not list; "
                          "it was changed after the backup.")
    entries: list[TableEntry | BlobEntry] = [*manifest.tables, *manifest.blobs]
    for entry in entries:
        member = _member(tar, entry.member)
        if member.size != entry.size:
            raise BackupError(f"{entry.member} has {member.size} bytes, the manifest says {entry.size}: "
                              "the archive is damaged or was changed.")
        size, sha256 = _digest(tar.extractfile(member))
        if size != entry.size or sha256 != entry.sha256:
            raise BackupError(f"The SHA-256 of {entry.member} does not match the manifest: the archive is damaged "
                              "or was changed.")
    progress(f"archive: {len(manifest.tables)} tables and {len(manifest.blobs)} blobs "
             f"({human_bytes(manifest.blob_bytes)}) match the manifest")


def _check_target(engine: Engine, revision: str) -> None:
    """Refuse a target database with rows, or with a schema newer than the backup's."""
    with engine.connect() as conn:
        filled = [name for name in sa.inspect(conn).get_table_names() if name != _ALEMBIC_TABLE
                  and conn.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first()]
        current = MigrationContext.configure(conn).get_current_revision()
    if filled:
        raise BackupError(f"The target database is not empty (rows in {', '.join(sorted(filled))}); "
                          "a backup restores only into an empty database.")
    if current is None:
        return
    older_or_same = {r.revision for r in db.migration_scripts().iterate_revisions(revision, "base")}
    if current not in older_or_same:
        raise BackupError(f"The target database's schema (revision {current}) is newer than the backup's "
                          f"({revision}); restore into a new, empty database.")


def _insert_rows(conn: sa.Connection, tar: tarfile.TarFile, manifest: Manifest, schema: sa.MetaData,
                 progress: Progress) -> set[str]:
    """Insert every table's rows, parents first; return the blob keys they name."""
    entries = {t.name: t for t in manifest.tables}
    present = {name for name in schema.tables if name != _ALEMBIC_TABLE}
    if present != set(entries):
        differ = sorted(present ^ set(entries))
        raise BackupError(f"The backup's tables do not match the schema of revision {manifest.revision} "
                          f"(differing: {', '.join(differ)}); the manifest is damaged.")
    blob_columns: dict[str, list[str]] = {}
    for table, column in manifest.blob_columns:
        blob_columns.setdefault(table, []).append(column)
    keys: set[str] = set()
    for reflected in schema.sorted_tables:
        if reflected.name == _ALEMBIC_TABLE:
            continue
        entry = entries[reflected.name]
        if set(entry.columns) != set(reflected.columns.keys()):
            raise BackupError(f"The columns of {entry.name} in the backup do not match the schema of revision "
                              f"{manifest.revision}; the manifest is damaged.")
        target = _insert_target(reflected, entry.columns)
        rows = _rows(tar, entry)
        self_refs = [fk.parent.name for fk in reflected.foreign_keys if fk.column.table is reflected]
        if self_refs:
            # A row may point to one with a higher id (a folder moved under a newer
            # one); the database checks each insert, so parents must come first.
            (pk,) = reflected.primary_key.columns
            rows = iter(parents_first(rows, key=pk.name, parents=self_refs))
        count = 0
        for batch in _batches(rows):
            try:
                conn.execute(sa.insert(target), batch)
            except sa.exc.DBAPIError as exc:
                raise BackupError(f"The database refused rows of {entry.name}: {exc.orig}") from exc
            count += len(batch)
            for column in blob_columns.get(entry.name, ()):
                keys.update(row[column] for row in batch if row[column])
        if count != entry.rows:
            raise BackupError(f"{entry.member} holds {count} rows, the manifest says {entry.rows}.")
        progress(f"table {entry.name}: {count} rows")
    return keys


def _insert_target(reflected: sa.Table, columns: tuple[str, ...]) -> sa.TableClause:
    """The table to insert into, with the models' column types where they have the column.

    The models' types (UTCDateTime, JSON) bind values exactly as the portal itself
    writes them; a column the models dropped since keeps its reflected type.
    """
    model = SQLModel.metadata.tables.get(reflected.name)
    return sa.table(reflected.name, *(
        sa.column(name, (model.c[name].type if model is not None and name in model.c else reflected.c[name].type))
        for name in columns))


def _rows(tar: tarfile.TarFile, entry: TableEntry) -> Iterator[dict[str, Any]]:
    reader = _HashingReader(tar.extractfile(_member(tar, entry.member)))
    number = 0
    try:
        with gzip.GzipFile(fileobj=reader, mode="rb") as lines:
            for line in lines:
                number += 1
                yield decode_row(entry.columns, entry.kinds, line)
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{entry.member} is damaged at row {number}: {exc}") from exc
    while reader.read(READ_BYTES):
        pass
    if reader.hexdigest() != entry.sha256:
        raise BackupError(f"The SHA-256 of {entry.member} does not match the manifest.")


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == INSERT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _reset_sequences(conn: sa.Connection, schema: sa.MetaData) -> None:
    """Move each id sequence past the restored ids, so new rows get fresh ones."""
    quote = conn.dialect.identifier_preparer.quote
    for table in schema.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
            continue
        name, column = quote(table.name), quote(pk[0].name)
        # setval(NULL, ...) is NULL: a key without a sequence is left alone.
        conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                             f"(SELECT COALESCE(MAX({column}), 0) + 1 FROM {name}), false)"),
                     {"table": name, "column": pk[0].name})


def _put_blobs(tar: tarfile.TarFile, store: BlobStore, manifest: Manifest, written: list[str],
               progress: Progress) -> None:
    """Store every blob under its key, checking size and SHA-256 against the manifest."""
    total = 0
    for done, entry in enumerate(manifest.blobs, start=1):
        if _already_stored(store, entry):
            continue
        with tar.extractfile(_member(tar, entry.member)) as source:
            try:
                stored = store.put_file_as(entry.key, source, max_bytes=entry.size)
            except BlobTooLarge as exc:
                raise BackupError(f"{entry.member} is longer than the manifest says.") from exc
        written.append(entry.key)
        if stored.size != entry.size or stored.sha256 != entry.sha256:
            raise BackupError(f"The SHA-256 of {entry.member} does not match the manifest.")
        total += entry.size
        if done % _PROGRESS_BLOBS == 0:
            progress(f"blobs: {done}/{len(manifest.blobs)}, {human_bytes(total)}")
    progress(f"blobs: {len(manifest.blobs)} stored and verified, {human_bytes(manifest.blob_bytes)}")


def _already_stored(store: BlobStore, entry: BlobEntry) -> bool:
    """Whether the store holds this very blob already (restoring into the store the
    lost database used); a different blob under the key is refused, never replaced."""
    try:
        size = store.size(entry.key)
    except BlobNotFound:
        return False
    if size == entry.size:
        with contextlib.closing(store.open(entry.key)) as existing:
            if _digest(existing) == (entry.size, entry.sha256):
                return True
    raise BackupError(f"The store already holds a different blob under key {entry.key}; "
                      "restore into an empty store.")


# Streams


class _HashingReader:
    """A read-only stream that hashes and counts what passes through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._hash.update(data)
        self.size += len(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _digest(stream: BinaryIO) -> tuple[int, str]:
    """Size and SHA-256 of a stream, read to its end in blocks."""
    reader = _HashingReader(stream)
    while reader.read(READ_BYTES):
        pass
    return reader.size, reader.hexdigest()


def _fsync_dir(directory: Path) -> None:
    """Persist a rename: the directory entry must reach the disk, not only the data."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
