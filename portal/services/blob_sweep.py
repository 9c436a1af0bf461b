"""The orphan sweep: blobs no row names, and partial writes a killed server left behind.

Every blob is written completely before the row that names it is committed (see
:mod:`portal.services.uploads`), and deleted again if that commit fails. Only a server
that dies in between (killed, out of memory, power cut) leaves something behind: a
partial write if it died mid-stream, a complete blob no row names if it died between
the blob and the commit. Neither is ever shown or downloadable; both take space, and
an open S3 multipart upload is billed. Every worker sweeps at start and then hourly;
deletes are idempotent, so several sweeping at once do no harm.

- Partial writes: the store tells which writers are gone (LocalStore by the lock each
  writer holds, S3 by an upload making no progress for :data:`PARTIAL_IDLE`).
- Complete blobs that no ``blob_key`` column names and that are older than
  :data:`ORPHAN_AGE`. The age covers the time between a blob's completion and its
  row's commit: milliseconds for uploads and exports, and for a backup restore the
  time it takes to store every blob before it commits all rows at once.
- Nothing is swept against a database without a single file row: it is new, or a
  restore is filling it, and the store's blobs are the restore's.
- Nothing is swept when the store holds more unnamed blobs than named ones (and more
  than a few): that is a DATABASE_URL and a STORAGE_URL of different installations,
  not crash leftovers, and deleting would destroy the other installation's files.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import SQLModel

import portal.models  # noqa: F401 (every table in the metadata, so every blob column is seen)
from portal.domain.clock import utcnow
from portal.services import db
from portal.services.backup import BLOB_COLUMN
from portal.storage import BlobStore, get_store

logger = logging.getLogger("portal.sweep")

ORPHAN_AGE = dt.timedelta(hours=24)
PARTIAL_IDLE = dt.timedelta(hours=1)
# Up to this many unnamed blobs are always taken for crash leftovers.
FEW_ORPHANS = 20
_BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    """What one sweep removed, or held back.

    Attributes:
        orphans: Complete blobs deleted that no row named.
        partials: Partial writes removed.
        held_back: Unnamed blobs left alone because they looked like another
            installation's files (see the module docstring); 0 normally.
    """

    orphans: int
    partials: int
    held_back: int = 0


def _blob_columns() -> list[sa.Column]:
    return [table.c[BLOB_COLUMN] for table in SQLModel.metadata.sorted_tables if BLOB_COLUMN in table.c]


def delete_if_unnamed(key: str, *, store: BlobStore | None = None) -> bool:
    """Delete a blob whose row was not written, unless a row names it after all.

    For the failure path of a write: a commit whose answer was lost (the connection
    dropped during COMMIT) may have gone through, and its row must keep its file. When
    the database cannot be asked, the blob stays for :func:`sweep`. Never raises.

    Returns:
        Whether the blob was deleted.
    """
    try:
        with db.session() as s:
            if any(s.execute(sa.select(column).where(column == key).limit(1)).first() for column in _blob_columns()):
                return False
        (store or get_store()).delete(key)
        return True
    except Exception:
        logger.exception("Could not make sure blob %s is unused; the blob sweep decides later.", key)
        return False


def sweep(*, now: dt.datetime | None = None, store: BlobStore | None = None) -> SweepResult:
    """Remove partial writes whose writer is gone and old blobs no row names.

    Args:
        now: The moment to judge ages by (tests); defaults to the current time.
        store: The store to sweep; defaults to ``STORAGE_URL``'s.

    Returns:
        What was removed.
    """
    now = now or utcnow()
    store = store or get_store()
    partials = store.remove_partials(idle_before=now - PARTIAL_IDLE)
    # The listing comes first: a row for a blob this old was committed long before the query below.
    old = [blob.key for blob in store.list_blobs() if blob.modified_at < now - ORPHAN_AGE]
    columns = _blob_columns()
    with db.session() as s:
        named_total = sum(s.execute(sa.select(sa.func.count()).where(column.is_not(None))).scalar_one()
                          for column in columns)
        if not old or not named_total:
            return SweepResult(orphans=0, partials=partials)
        orphans: list[str] = []
        for start in range(0, len(old), _BATCH):
            batch = old[start:start + _BATCH]
            named: set[str] = set()
            for column in columns:
                named.update(s.execute(sa.select(column).where(column.in_(batch))).scalars())
            orphans += [key for key in batch if key not in named]
    if len(orphans) > max(FEW_ORPHANS, named_total):
        logger.error("Blob sweep held back: %s old blobs no row names, but only %s rows name a blob. "
                     "DATABASE_URL and STORAGE_URL probably belong to different installations; "
                     "nothing was deleted.", len(orphans), named_total)
        return SweepResult(orphans=0, partials=partials, held_back=len(orphans))
    deleted = 0
    for key in orphans:
        try:
            store.delete(key)
            deleted += 1
        except Exception:
            logger.exception("Could not delete orphaned blob %s; the next sweep tries again.", key)
    return SweepResult(orphans=deleted, partials=partials)


async def run_sweep_loop(*, interval: float = 3600.0) -> None:
    """Sweep at once (a restart after a crash cleans up right away), then every ``interval`` seconds.

    Args:
        interval: Seconds between rounds.
    """
    while True:
        try:
            # Listing the store and querying the database block; a thread keeps the websockets served.
            result = await asyncio.to_thread(sweep)
            if result.orphans or result.partials:
                logger.info("Blob sweep: %s orphaned blobs and %s partial writes removed.",
                            result.orphans, result.partials)
        except Exception:
            logger.exception("Blob sweep failed; trying again in %s s.", interval)
        await asyncio.sleep(interval)
