"""Retention classes of documents and the trash ("Papierkorb").

Deleting a document or a folder moves it to the client's trash: the row stays, the
bytes stay, the client no longer sees it anywhere. Staff restore it from the trash, or
a periodic purge destroys it (row and blob) once it has been there ``TRASH_DAYS`` days.
A document the law still makes the firm keep (:mod:`portal.domain.retention`) is never
destroyed before its period ends: it waits in the trash, marked as retained.

A folder takes its subfolders and documents into the trash with it; they point to it in
``trashed_with_folder_id``, so restoring the folder brings exactly them back, and
everything that is not in the trash can be read with a plain ``trashed_at IS NULL``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from portal import realtime
from portal.domain import retention as rules
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.enums import RetentionClass
from portal.domain.errors import UserError
from portal.models import Answer, Document, Folder, StaffUser, UploadRequest
from portal.services import access, db
from portal.settings import get_settings
from portal.storage import get_store

logger = logging.getLogger(__name__)

# Most trash entries a list shows (newest first); the purge keeps the trash short.
TRASH_LIMIT = 500
# Documents destroyed per purge transaction.
PURGE_BATCH = 200


class TrashError(UserError):
    """A trash step that is not possible now; ``key`` is the catalog key."""


def periods() -> rules.RetentionPeriods:
    """The configured retention periods."""
    settings = get_settings()
    return rules.RetentionPeriods(receipt_years=settings.retention_receipt_years,
                                  business_letter_years=settings.retention_letter_years)


def until(doc: Document, configured: rules.RetentionPeriods | None = None) -> dt.date | None:
    """The last day ``doc`` must be kept, or None when no legal period applies."""
    return rules.retention_until(doc.created_at, doc.retention_class, configured or periods())


def is_retained(doc: Document, now: dt.datetime | None = None,
                configured: rules.RetentionPeriods | None = None) -> bool:
    """Whether the law still makes the firm keep ``doc`` (on the firm's calendar day of ``now``)."""
    return rules.under_retention(until(doc, configured), rules.firm_date(now or utcnow()))


def not_trashed():
    """The WHERE clause of documents that are not in the trash (every view but the trash)."""
    return Document.trashed_at.is_(None)


# Moving into the trash (callers check access and commit).


def trash_documents(s: Session, docs: list[Document], *, by: int, now: dt.datetime,
                    with_folder_id: int | None = None) -> None:
    """Put documents into the trash.

    A questionnaire answer pointing to one of them becomes unanswered again, as it did
    when deleting destroyed the file (the client may answer again).

    Args:
        s: The open session.
        docs: Documents not yet in the trash.
        by: The staff user deleting them.
        now: The moment (one for a whole folder, so it restores as one).
        with_folder_id: The trashed folder they go along with; None when deleted themselves.
    """
    for doc in docs:
        doc.trashed_at, doc.trashed_by, doc.trashed_with_folder_id = now, by, with_folder_id
        s.add(doc)
    if docs:
        s.exec(update(Answer).where(Answer.document_id.in_([d.id for d in docs])).values(document_id=None))


def _subtree(s: Session, folder: Folder) -> list[Folder]:
    """The folder and every folder below it that is not in the trash yet, parents first."""
    children: dict[int | None, list[Folder]] = {}
    for row in s.exec(select(Folder).where(Folder.account_id == folder.account_id,
                                           Folder.trashed_at.is_(None))).all():
        children.setdefault(row.parent_id, []).append(row)
    found, queue = [], [folder]
    while queue:
        current = queue.pop(0)
        found.append(current)
        queue.extend(children.get(current.id, []))
    return found


def trash_folder(s: Session, folder: Folder, *, by: int, now: dt.datetime) -> int:
    """Put a folder with its subfolders and documents into the trash.

    Returns:
        How many documents went along.

    Raises:
        TrashError: The uploads folder is in it, or an upload request points into it
            (the link would upload into the trash).
    """
    tree = _subtree(s, folder)
    ids = [f.id for f in tree]
    if any(f.uploads_default for f in tree):
        raise TrashError("folder.error.uploads_folder")
    if s.exec(select(UploadRequest.id).where(UploadRequest.folder_id.in_(ids))).first() is not None:
        raise TrashError("folder.error.has_requests")
    for row in tree:
        row.trashed_at, row.trashed_by = now, by
        row.trashed_with_folder_id = None if row.id == folder.id else folder.id
        s.add(row)
    docs = list(s.exec(select(Document).where(Document.folder_id.in_(ids), not_trashed())).all())
    trash_documents(s, docs, by=by, now=now, with_folder_id=folder.id)
    return len(docs)


# The trash of one client (staff).


@dataclass(frozen=True)
class TrashItem:
    """A document or folder in a client's trash.

    Attributes:
        kind: ``document`` or ``folder``.
        location: Path of the folder it was in ("" at the top or for a talk attachment).
        retained_until: For a document under retention its last day; for a folder the
            latest of its documents'. None when nothing in it is retained.
        purge_on: The first day the purge may destroy it.
        documents: Documents inside (folders); 1 for a document.
    """

    kind: str
    id: int
    name: str
    location: str
    trashed_at: dt.datetime
    trashed_by: str
    retention_class: str
    retained_until: dt.date | None
    purge_on: dt.date
    documents: int
    key: str
    size: int
    kept_after_erasure: bool


def _paths(s: Session, account_id: int) -> dict[int, str]:
    rows = {f.id: f for f in s.exec(select(Folder).where(Folder.account_id == account_id)).all()}

    def path(folder_id: int | None) -> str:
        parts = []
        while folder_id is not None and folder_id in rows and len(parts) < 50:
            parts.insert(0, rows[folder_id].name)
            folder_id = rows[folder_id].parent_id
        return " / ".join(parts)

    return {folder_id: path(folder_id) for folder_id in rows}


def list_trash(*, actor: Actor, account_id: int, limit: int = TRASH_LIMIT) -> list[TrashItem]:
    """What staff deleted of a client and can still restore, newest first.

    Raises:
        NotFound: If the actor does not work this account.
    """
    with db.session() as s:
        access.staff_account(s, actor, account_id)
        now, configured, trash_days = utcnow(), periods(), get_settings().trash_days
        today = rules.firm_date(now)
        docs = s.exec(select(Document).where(Document.account_id == account_id, Document.trashed_at.is_not(None),
                                             Document.trashed_with_folder_id.is_(None))
                      .order_by(Document.trashed_at.desc(), Document.id.desc()).limit(limit)).all()
        folders = s.exec(select(Folder).where(Folder.account_id == account_id, Folder.trashed_at.is_not(None),
                                              Folder.trashed_with_folder_id.is_(None))
                         .order_by(Folder.trashed_at.desc(), Folder.id.desc()).limit(limit)).all()
        inside: dict[int, list[Document]] = {}
        if folders:
            for doc in s.exec(select(Document).where(
                    Document.trashed_with_folder_id.in_([f.id for f in folders]))).all():
                inside.setdefault(doc.trashed_with_folder_id, []).append(doc)
        staff_ids = {row.trashed_by for row in (*docs, *folders) if row.trashed_by}
        names = dict(s.exec(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(staff_ids))).all()) \
            if staff_ids else {}
        paths = _paths(s, account_id)

        def retained(candidates: list[Document]) -> dt.date | None:
            dates = [d for d in (until(doc, configured) for doc in candidates) if rules.under_retention(d, today)]
            return max(dates) if dates else None

        items = []
        for doc in docs:
            kept = retained([doc])
            items.append(TrashItem(
                kind="document", id=doc.id, name=doc.filename, location=paths.get(doc.folder_id, ""),
                trashed_at=doc.trashed_at, trashed_by=names.get(doc.trashed_by, ""),
                retention_class=doc.retention_class, retained_until=kept,
                purge_on=rules.purge_on(doc.trashed_at, kept, trash_days), documents=1, key=doc.blob_key,
                size=doc.size, kept_after_erasure=doc.kept_after_erasure_at is not None))
        for folder in folders:
            kept = retained(inside.get(folder.id, []))
            items.append(TrashItem(
                kind="folder", id=folder.id, name=folder.name, location=paths.get(folder.parent_id, ""),
                trashed_at=folder.trashed_at, trashed_by=names.get(folder.trashed_by, ""),
                retention_class=RetentionClass.NONE, retained_until=kept,
                purge_on=rules.purge_on(folder.trashed_at, kept, trash_days),
                documents=len(inside.get(folder.id, [])), key="", size=0, kept_after_erasure=False))
        items.sort(key=lambda item: (item.trashed_at, item.kind, item.id), reverse=True)
        return items[:limit]


def trash_count(*, actor: Actor, account_id: int) -> int:
    """How many entries the client's trash has (for the tab's label)."""
    with db.session() as s:
        access.staff_account(s, actor, account_id)
        docs = s.exec(select(func.count()).select_from(Document).where(
            Document.account_id == account_id, Document.trashed_at.is_not(None),
            Document.trashed_with_folder_id.is_(None))).one()
        folders = s.exec(select(func.count()).select_from(Folder).where(
            Folder.account_id == account_id, Folder.trashed_at.is_not(None),
            Folder.trashed_with_folder_id.is_(None))).one()
        return docs + folders


def _folder_in_trash(s: Session, folder_id: int | None) -> Folder | None:
    folder = s.get(Folder, folder_id) if folder_id is not None else None
    return folder if folder is not None and folder.trashed_at is not None else None


def restore_document(*, actor: Actor, document_id: int) -> None:
    """Take a document out of the trash, back into its folder (staff).

    Raises:
        TrashError: Its folder is in the trash too (restore that first), or it went
            into the trash with a folder (restore the folder).
        NotFound: Not in the trash, or not the actor's.
    """
    access.require_staff(actor)
    with db.session() as s:
        doc = s.get(Document, document_id)
        if doc is None or doc.trashed_at is None:
            raise access.NotFound("document")
        access.staff_account(s, actor, doc.account_id)
        if doc.trashed_with_folder_id is not None:
            raise TrashError("trash.error.restore_folder", name=s.get(Folder, doc.trashed_with_folder_id).name)
        parent = _folder_in_trash(s, doc.folder_id)
        if parent is not None:
            raise TrashError("trash.error.folder_in_trash", name=parent.name)
        doc.trashed_at = doc.trashed_by = None
        s.add(doc)
        s.commit()
        account_id = doc.account_id
    realtime.publish({realtime.account_room(account_id)})


def restore_folder(*, actor: Actor, folder_id: int) -> None:
    """Take a folder out of the trash with everything that went in with it (staff).

    Raises:
        TrashError: Its parent folder is in the trash (restore that first), or a folder
            of the same name was made there meanwhile.
        NotFound: Not in the trash (as the folder deleted), or not of a client the actor works.
    """
    access.require_staff(actor)
    with db.session() as s:
        folder = s.get(Folder, folder_id)
        if folder is None or folder.trashed_at is None or folder.trashed_with_folder_id is not None:
            raise access.NotFound("folder")
        access.staff_account(s, actor, folder.account_id)
        parent = _folder_in_trash(s, folder.parent_id)
        if parent is not None:
            raise TrashError("trash.error.folder_in_trash", name=parent.name)
        siblings = s.exec(select(Folder.name).where(Folder.account_id == folder.account_id,
                                                    Folder.parent_id == folder.parent_id,
                                                    Folder.trashed_at.is_(None))).all()
        if any(name.casefold() == folder.name.casefold() for name in siblings):
            raise TrashError("folder.error.exists", name=folder.name)
        back = {"trashed_at": None, "trashed_by": None, "trashed_with_folder_id": None}
        for model in (Folder, Document):
            s.exec(update(model).where(model.trashed_with_folder_id == folder.id).values(**back))
        folder.trashed_at = folder.trashed_by = None
        s.add(folder)
        s.commit()
        account_id = folder.account_id
    realtime.publish({realtime.account_room(account_id)})


# The purge (a periodic task of every worker; safe to run in several at once).


@dataclass(frozen=True)
class PurgeResult:
    """What one purge destroyed, and what it had to keep for retention."""

    documents: int
    folders: int
    retained: int


def purge(*, now: dt.datetime | None = None) -> PurgeResult:
    """Destroy what has been in the trash longer than ``TRASH_DAYS`` (rows and blobs).

    Documents under retention stay (counted in ``retained``), and so do the folders that
    still hold them. Each row is deleted only while it is still in the trash, so a
    restore at the same moment wins, and only the worker whose delete removed the row
    deletes the blob (after the commit: a failure leaves an orphan blob, never a row
    without its bytes).

    Args:
        now: The moment to judge by (tests); defaults to the current time.
    """
    now = now or utcnow()
    trash_days, configured = get_settings().trash_days, periods()
    cutoff = now - dt.timedelta(days=trash_days)
    destroyed = retained = 0
    accounts: set[int] = set()
    last_id = 0
    while True:
        keys: list[str] = []
        with db.session() as s:
            batch = s.exec(select(Document).where(Document.trashed_at.is_not(None), Document.trashed_at <= cutoff,
                                                  Document.id > last_id)
                           .order_by(Document.id).limit(PURGE_BATCH)).all()
            if not batch:
                break
            last_id = batch[-1].id
            for doc in batch:
                if not rules.purge_due(doc.trashed_at, until(doc, configured), now, trash_days):
                    retained += 1
                    continue
                s.exec(update(Answer).where(Answer.document_id == doc.id).values(document_id=None))
                gone = s.exec(delete(Document).where(Document.id == doc.id, Document.trashed_at.is_not(None),
                                                     Document.trashed_at <= cutoff)).rowcount
                if gone:
                    keys.append(doc.blob_key)
                    accounts.add(doc.account_id)
            s.commit()
        for key in keys:
            try:
                get_store().delete(key)
            except Exception:
                logger.exception("Could not delete the blob of a purged document; it stays as an orphan.")
        destroyed += len(keys)
    folders = _purge_folders(cutoff, accounts)
    if accounts:
        realtime.publish({realtime.account_room(a) for a in accounts})
    return PurgeResult(documents=destroyed, folders=folders, retained=retained)


def _purge_folders(cutoff: dt.datetime, accounts: set[int]) -> int:
    """Delete old trashed folders that nothing points to any more, the deepest first."""
    removed = 0
    with db.session() as s:
        while True:
            candidates = s.exec(select(Folder).where(Folder.trashed_at.is_not(None),
                                                     Folder.trashed_at <= cutoff)).all()
            ids = [f.id for f in candidates]
            if not ids:
                break
            held = set(s.exec(select(Folder.parent_id).where(Folder.parent_id.in_(ids))).all())
            held |= set(s.exec(select(Folder.trashed_with_folder_id).where(
                Folder.trashed_with_folder_id.in_(ids))).all())
            held |= set(s.exec(select(Document.folder_id).where(Document.folder_id.in_(ids))).all())
            held |= set(s.exec(select(Document.trashed_with_folder_id).where(
                Document.trashed_with_folder_id.in_(ids))).all())
            held |= set(s.exec(select(UploadRequest.folder_id).where(UploadRequest.folder_id.in_(ids))).all())
            free = [f for f in candidates if f.id not in held]
            if not free:
                break
            for folder in free:
                removed += s.exec(delete(Folder).where(Folder.id == folder.id, Folder.trashed_at.is_not(None),
                                                       Folder.trashed_at <= cutoff)).rowcount
                accounts.add(folder.account_id)
            s.commit()
    return removed


async def run_purge_loop(*, interval: float = 3600.0) -> None:
    """Empty old trash every ``interval`` seconds until cancelled.

    Args:
        interval: Seconds between rounds.
    """
    while True:
        try:
            # The DB driver and the blob store block; a thread keeps the event loop serving websockets.
            result = await asyncio.to_thread(purge)
            if result.documents or result.folders:
                logger.info("Trash purge: %s documents and %s folders destroyed, %s kept for retention.",
                            result.documents, result.folders, result.retained)
        except Exception:
            logger.exception("Trash purge failed; trying again in %s s.", interval)
        await asyncio.sleep(interval)


def set_retention_class(*, actor: Actor, document_id: int, retention_class: str) -> None:
    """Set how long the law keeps a document (staff working its client).

    Raises:
        TrashError: ``retention.error.class`` for an unknown class.
        NotFound: Not the actor's document, or in the trash.
    """
    try:
        chosen = RetentionClass(retention_class)
    except ValueError:
        raise TrashError("retention.error.class") from None
    access.require_staff(actor)
    with db.session() as s:
        doc = s.get(Document, document_id)
        if doc is None or doc.trashed_at is not None:
            raise access.NotFound("document")
        access.staff_account(s, actor, doc.account_id)
        doc.retention_class = chosen
        s.add(doc)
        s.commit()
        account_id = doc.account_id
    realtime.publish({realtime.account_room(account_id)})

