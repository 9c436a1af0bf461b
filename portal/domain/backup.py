"""The backup archive's format: its manifest, and table values as JSON.

A backup is one uncompressed tar file:

- ``tables/<table>.jsonl.gz``: one JSON array per row, values in the order of the
  manifest's column list, ordered by primary key;
- ``blobs/<key>``: each blob's bytes, as the store holds them;
- ``manifest.json``, written last: the Alembic revision, every member's size and
  SHA-256, and the row and blob counts.

Values are engine-neutral (dates and times as ISO 8601, JSON columns as JSON), so a
SQLite backup restores into PostgreSQL and back. Nothing here touches a database, a
store or the file system.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMAT = "kanzleiportal-backup"
VERSION = 1
MANIFEST = "manifest.json"
# How a column's values are written: ``value`` is anything JSON holds as it is
# (numbers, strings, booleans, null).
KINDS = frozenset({"value", "datetime", "date", "json", "bytes"})
_TABLE_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


class BackupError(Exception):
    """A backup cannot be written, or an archive cannot be restored; the message says why."""


@dataclasses.dataclass(frozen=True)
class TableEntry:
    """One table's rows in the archive.

    Attributes:
        name: Table name.
        columns: Column names, in the order of each row's values.
        kinds: How each column's values are written (one of :data:`KINDS`).
        rows: Number of rows.
        size: Length of the member in bytes.
        sha256: Hex digest of the member.
    """

    name: str
    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: int
    size: int
    sha256: str

    @property
    def member(self) -> str:
        """The tar member holding the rows."""
        return table_member(self.name)


@dataclasses.dataclass(frozen=True)
class BlobEntry:
    """One blob in the archive.

    Attributes:
        key: The blob store key, as the rows name it.
        size: Length in bytes.
        sha256: Hex digest of the content.
    """

    key: str
    size: int
    sha256: str

    @property
    def member(self) -> str:
        """The tar member holding the bytes."""
        return blob_member(self.key)


@dataclasses.dataclass(frozen=True)
class Manifest:
    """What a backup holds.

    Attributes:
        revision: Alembic revision of the database the rows were read from.
        created_at: When the snapshot was taken (aware UTC).
        source: Database dialect the rows came from (``sqlite``, ``postgresql``), for information.
        tables: The tables, parents before children.
        blob_columns: ``(table, column)`` pairs whose values are blob keys.
        blobs: The blobs, one per key.
        missing_blobs: Keys the rows name that the store did not hold at backup time
            (only with ``--allow-missing``).
    """

    revision: str
    created_at: dt.datetime
    source: str
    tables: tuple[TableEntry, ...]
    blob_columns: tuple[tuple[str, str], ...]
    blobs: tuple[BlobEntry, ...]
    missing_blobs: tuple[str, ...] = ()

    @property
    def blob_bytes(self) -> int:
        """Total size of the blobs."""
        return sum(b.size for b in self.blobs)

    def to_json(self) -> bytes:
        """The manifest as the archive stores it."""
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "revision": self.revision,
            "created_at": self.created_at.isoformat(),
            "source": self.source,
            "tables": [{"name": t.name, "columns": list(t.columns), "kinds": list(t.kinds), "rows": t.rows,
                        "size": t.size, "sha256": t.sha256} for t in self.tables],
            "blob_columns": [list(pair) for pair in self.blob_columns],
            "blobs": [{"key": b.key, "size": b.size, "sha256": b.sha256} for b in self.blobs],
            "missing_blobs": list(self.missing_blobs),
        }
        return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def table_member(name: str) -> str:
    """The tar member name of a table's rows."""
    return f"tables/{name}.jsonl.gz"


def blob_member(key: str) -> str:
    """The tar member name of a blob."""
    return f"blobs/{key}"


def parse_manifest(raw: bytes) -> Manifest:
    """Read and check a manifest.

    Only the shape is checked here: whether the revision is known, the members
    exist and the hashes match is for the caller.

    Raises:
        BackupError: If it is not a manifest this version writes, or is malformed.
    """
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"The manifest is not valid JSON: {exc}.") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BackupError("This is not a Kanzleiportal backup (the manifest names no such format).")
    if doc.get("version") != VERSION:
        raise BackupError(f"Backup format version {doc.get('version')!r} is not supported (this version reads "
                          f"{VERSION}); restore it with the portal version that wrote it.")
    try:
        tables = tuple(_table(t) for t in _list(doc, "tables"))
        blobs = tuple(_blob(b) for b in _list(doc, "blobs"))
        blob_columns = tuple(_pair(p) for p in _list(doc, "blob_columns"))
        missing = tuple(_str(k, "missing blob key") for k in _list(doc, "missing_blobs"))
        manifest = Manifest(revision=_str(doc.get("revision"), "revision"),
                            created_at=dt.datetime.fromisoformat(_str(doc.get("created_at"), "created_at")),
                            source=_str(doc.get("source"), "source"), tables=tables, blob_columns=blob_columns,
                            blobs=blobs, missing_blobs=missing)
    except (TypeError, ValueError, KeyError) as exc:
        raise BackupError(f"The manifest is malformed: {exc}") from exc
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise BackupError("The manifest lists a table twice.")
    keys = [b.key for b in blobs]
    if len(set(keys)) != len(keys) or set(keys) & set(missing):
        raise BackupError("The manifest lists a blob twice.")
    for table, column in blob_columns:
        entry = next((t for t in tables if t.name == table), None)
        if entry is None or column not in entry.columns:
            raise BackupError(f"The manifest names blob column {table}.{column}, which the backup does not hold.")
    return manifest


def _list(doc: dict, name: str) -> list:
    value = doc.get(name)
    if not isinstance(value, list):
        raise BackupError(f"The manifest is malformed: {name!r} is not a list.")
    return value


def _str(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} is not a text.")
    return value


def _count(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{what} is not a count.")
    return value


def _sha256(value: object) -> str:
    if not isinstance(value, str) or not _SHA256_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a SHA-256 hex digest.")
    return value


def _table(doc: dict) -> TableEntry:
    name = _str(doc["name"], "table name")
    if not _TABLE_RE.fullmatch(name):
        raise ValueError(f"table name {name!r} is not a plain identifier.")
    columns = tuple(_str(c, "column name") for c in doc["columns"])
    kinds = tuple(doc["kinds"])
    if len(kinds) != len(columns) or not set(kinds) <= KINDS or len(set(columns)) != len(columns):
        raise ValueError(f"the columns of {name} do not match their kinds.")
    return TableEntry(name=name, columns=columns, kinds=kinds, rows=_count(doc["rows"], "rows"),
                      size=_count(doc["size"], "size"), sha256=_sha256(doc["sha256"]))


def _blob(doc: dict) -> BlobEntry:
    return BlobEntry(key=_str(doc["key"], "blob key"), size=_count(doc["size"], "size"),
                     sha256=_sha256(doc["sha256"]))


def _pair(doc: list) -> tuple[str, str]:
    table, column = doc
    return _str(table, "table name"), _str(column, "column name")


# Values


def encode_value(kind: str, value: Any) -> Any:
    """A column value as JSON holds it (None stays None)."""
    if value is None or kind in ("value", "json"):
        return value
    if kind in ("datetime", "date"):
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(value).decode("ascii")
    raise ValueError(f"Unknown column kind {kind!r}.")


def decode_value(kind: str, value: Any) -> Any:
    """The column value :func:`encode_value` wrote.

    Raises:
        ValueError: If the value does not fit its kind.
    """
    if value is None or kind in ("value", "json"):
        return value
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value, validate=True)
    raise ValueError(f"Unknown column kind {kind!r}.")


def encode_row(kinds: Sequence[str], row: Sequence[Any]) -> bytes:
    """One row as a line of the table's member (UTF-8 JSON array and a newline)."""
    values = [encode_value(kind, value) for kind, value in zip(kinds, row, strict=True)]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def decode_row(columns: Sequence[str], kinds: Sequence[str], line: bytes) -> dict[str, Any]:
    """A row from a line :func:`encode_row` wrote, as ``{column: value}``.

    Raises:
        ValueError: If the line is not such a row.
    """
    values = json.loads(line)
    if not isinstance(values, list) or len(values) != len(columns):
        raise ValueError("a row has the wrong number of values")
    return {column: decode_value(kind, value) for column, kind, value in zip(columns, kinds, values, strict=True)}


def parents_first(rows: Iterable[dict[str, Any]], *, key: str, parents: Sequence[str]) -> list[dict[str, Any]]:
    """Order the rows of a table that points to itself (``folder.parent_id``) so every
    parent comes before its children, whatever their ids; otherwise rows keep their order.

    Args:
        rows: The table's rows as ``{column: value}``.
        key: The primary key column.
        parents: The columns pointing to another row of the same table.

    Raises:
        ValueError: If the rows point to each other in a cycle.
    """
    pending = list(rows)
    present = {row[key] for row in pending}
    placed: set = set()
    ordered: list[dict[str, Any]] = []
    while pending:
        waiting = []
        for row in pending:
            # A parent that is not in the table at all is for the database to refuse.
            if all(row[p] is None or row[p] in placed or row[p] not in present for p in parents):
                ordered.append(row)
                placed.add(row[key])
            else:
                waiting.append(row)
        if len(waiting) == len(pending):
            raise ValueError(f"the rows' {', '.join(parents)} form a cycle")
        pending = waiting
    return ordered
