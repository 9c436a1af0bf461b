"""Documents in client folders: browse, upload, rename, move, delete (into the trash, see
:mod:`portal.services.retention`); and reading any stored document, with access checked
before a byte leaves the store."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlmodel import Session, select

from portal import realtime
from portal.domain.actor import Actor
from portal.domain.audit import Action
from portal.domain.enums import SubjectKind
from portal.domain.files import DOCUMENT_TYPES, safe_filename
from portal.domain.clock import utcnow
from portal.models import Contact, Document, Message, StaffUser
from portal.services import access, audit, db, folders, notifications, retention
from portal.services.uploads import StoredUpload, save_upload
from portal.storage import get_store

PREVIEW_PX = 480
# Documents per step of a folder listing ("load more" asks for the next step).
PAGE_SIZE = 100
MAX_PAGE_SIZE = 5000


@dataclass(frozen=True)
class DocumentInfo:
    """What a download response needs to know."""

    key: str
    filename: str
    content_type: str
    size: int


def readable_document(*, actor: Actor, key: str, audit_action: Action | None = None, ip: str = "") -> DocumentInfo:
    """A document the actor may read.

    Staff: documents of accounts they work (also in the trash). Client users: files in
    folders shared with them, or unfiled files in talks they may read; never what is in
    the trash.

    Raises:
        NotFound: Unknown key or not the actor's to read (indistinguishable on purpose).

    Args:
        actor: Who wants to read it.
        key: The document's blob key (from the URL).
        audit_action: ``document.downloaded`` or ``document.viewed`` to record the read in
            the audit trail once it is allowed; None for reads nobody sees.
        ip: The requester's address, for the audit trail.
    """
    with db.session() as s:
        doc = s.exec(select(Document).where(Document.blob_key == key)).first()
        if doc is None:
            raise access.NotFound("document")
        if actor.is_staff:
            access.staff_account(s, actor, doc.account_id)
        elif doc.trashed_at is not None:
            raise access.NotFound("document")
        elif doc.folder_id is not None:
            # Filed documents follow their folder's sharing, also when they arrived as an
            # attachment of a staff-only thread (files sent through a request link).
            folders.visible_folder(s, actor, doc.folder_id)
        elif doc.message_id is not None:
            message = s.get(Message, doc.message_id)
            if message.deleted_at is not None:
                raise access.NotFound("document")
            access.readable_thread(s, actor, message.thread_id)
        else:
            raise access.NotFound("document")
        if audit_action is not None:
            audit.record(s, actor=actor, action=audit_action, account_id=doc.account_id, object_kind="document",
                         object_id=doc.id, detail={"name": doc.filename}, ip=ip)
            s.commit()
        return DocumentInfo(key=doc.blob_key, filename=doc.filename, content_type=doc.content_type, size=doc.size)


def preview_png(info: DocumentInfo) -> bytes | None:
    """A small PNG of an image or of a PDF's first page; None for other types.

    Rendering a fresh PNG also drops whatever else the original carried (EXIF, scripts).
    """
    from PIL import Image

    with get_store().open(info.key) as handle:
        if info.content_type in ("image/jpeg", "image/png"):
            image = Image.open(handle)
            image.draft("RGB", (PREVIEW_PX * 2, PREVIEW_PX * 2))  # JPEG: decode at reduced size
            image = image.convert("RGB")
        elif info.content_type == "application/pdf":
            import pypdfium2

            pdf = pypdfium2.PdfDocument(handle.read())
            try:
                page = pdf[0]
                image = page.render(scale=PREVIEW_PX / max(page.get_width(), 1)).to_pil().convert("RGB")
            finally:
                pdf.close()
        else:
            return None
    image.thumbnail((PREVIEW_PX, PREVIEW_PX * 2))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# The documents area.


@dataclass(frozen=True)
class DocumentRow:
    """A document in a folder listing."""

    id: int
    key: str
    filename: str
    size: int
    content_type: str
    created_at: dt.datetime
    uploaded_by: str
    retention_class: str = "none"
    # The last day the law makes the firm keep it; None without a period.
    retained_until: dt.date | None = None
    # Its uploader was erased and it was kept for retention.
    kept_after_erasure: bool = False


@dataclass(frozen=True)
class FolderView:
    """One folder's content and where it sits."""

    account_id: int
    folder_id: int | None
    path: tuple[folders.FolderNode, ...]
    subfolders: tuple[folders.FolderNode, ...]
    documents: tuple[DocumentRow, ...]
    tree: tuple[folders.FolderNode, ...]


def _uploaders(s: Session, docs: list[Document]) -> dict[int, str]:
    """Who uploaded each document, with one query per kind of uploader for the whole list."""
    def ids_of(kind: str) -> set[int]:
        return {d.uploaded_by_id for d in docs if d.uploaded_by_kind == kind and d.uploaded_by_id}

    staff_ids, contact_ids = ids_of(SubjectKind.STAFF), ids_of(SubjectKind.CONTACT)
    staff = dict(s.exec(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(staff_ids))).all()) \
        if staff_ids else {}
    contacts = {c.id: f"{c.first_name} {c.last_name}".strip() for c in s.exec(
        select(Contact).where(Contact.id.in_(contact_ids))).all()} if contact_ids else {}
    names = {SubjectKind.STAFF: staff, SubjectKind.CONTACT: contacts}
    return {d.id: names[d.uploaded_by_kind].get(d.uploaded_by_id, "") if d.uploaded_by_kind in names
            else d.uploaded_by_name for d in docs}


def browse(*, actor: Actor, account_id: int, folder_id: int | None = None, limit: int = PAGE_SIZE) -> FolderView:
    """A folder of a client (the top level when ``folder_id`` is None) as the actor may see it.

    Args:
        actor: Staff working the client, or one of its users.
        account_id: The client.
        folder_id: The folder, or None for the top level (which holds no documents).
        limit: Most documents returned, newest first (the listing pages by asking for more).

    Raises:
        NotFound: Unknown folder, or not the actor's to see.
    """
    with db.session() as s:
        nodes = folders.tree(s, actor, account_id)
        s.commit()  # folders created from the template on first look
        by_id = {n.id: n for n in nodes}
        if folder_id is not None and folder_id not in by_id:
            raise access.NotFound("folder")
        path: list[folders.FolderNode] = []
        cursor = by_id.get(folder_id) if folder_id is not None else None
        while cursor is not None:
            path.insert(0, cursor)
            cursor = by_id.get(cursor.parent_id) if cursor.parent_id is not None else None
        # Client users see the top of their shared subtrees as their top level.
        top = [n for n in nodes if n.parent_id is None or (actor.is_contact and n.parent_id not in by_id)]
        subfolders = [n for n in nodes if n.parent_id == folder_id] if folder_id is not None else top
        docs = s.exec(select(Document).where(Document.account_id == account_id, Document.folder_id == folder_id,
                                             retention.not_trashed())
                      .order_by(Document.created_at.desc(), Document.id.desc())
                      .limit(max(1, min(limit, MAX_PAGE_SIZE)))).all() if folder_id else []
        uploaders, periods = _uploaders(s, docs), retention.periods()
        rows = tuple(DocumentRow(id=d.id, key=d.blob_key, filename=d.filename, size=d.size,
                                 content_type=d.content_type, created_at=d.created_at, uploaded_by=uploaders[d.id],
                                 retention_class=d.retention_class, retained_until=retention.until(d, periods),
                                 kept_after_erasure=d.kept_after_erasure_at is not None)
                     for d in docs)
        return FolderView(account_id=account_id, folder_id=folder_id, path=tuple(path), subfolders=tuple(subfolders),
                          documents=rows, tree=tuple(nodes))


async def upload_document(*, actor: Actor, folder_id: int, filename: str, chunks: AsyncIterator[bytes]) -> int:
    """Stream a file into a folder (staff; client users into folders shared with them).

    Returns:
        The new document's id.

    Raises:
        UploadRefused: Too large, empty, or a type the documents area does not take.
        NotFound: Not the actor's folder.
    """
    account_id = await asyncio.to_thread(_check_folder, actor, folder_id)

    def write(upload: StoredUpload) -> int:
        with db.session() as s:
            folders.visible_folder(s, actor, folder_id)  # still there, still the actor's
            doc = Document(account_id=account_id, folder_id=folder_id, blob_key=upload.key, filename=upload.filename,
                           size=upload.size, content_type=upload.content_type, sha256=upload.sha256,
                           uploaded_by_kind=actor.kind, uploaded_by_id=actor.id)
            s.add(doc)
            s.flush()
            notifications.collect_document(s, document=doc)
            s.commit()
            return doc.id

    document_id = await save_upload(chunks, filename=filename, allowed=DOCUMENT_TYPES, write=write)
    realtime.publish({realtime.account_room(account_id)})
    return document_id


def _check_folder(actor: Actor, folder_id: int) -> int:
    with db.session() as s:
        return folders.visible_folder(s, actor, folder_id).account_id


def _staff_document(s: Session, actor: Actor, document_id: int) -> Document:
    access.require_staff(actor)
    doc = s.get(Document, document_id)
    if doc is None or doc.folder_id is None or doc.trashed_at is not None:
        raise access.NotFound("document")
    access.staff_account(s, actor, doc.account_id)
    return doc


def rename_document(*, actor: Actor, document_id: int, name: str) -> None:
    """Rename a document (staff); the extension of its real type is kept.

    Raises:
        FolderError: Bad name.
        NotFound: Not the actor's document.
    """
    name = folders.clean_name(name)
    with db.session() as s:
        doc = _staff_document(s, actor, document_id)
        doc.filename = safe_filename(name, doc.content_type)
        s.add(doc)
        s.commit()
        account_id = doc.account_id
    realtime.publish({realtime.account_room(account_id)})


def move_document(*, actor: Actor, document_id: int, folder_id: int) -> None:
    """Move a document into another folder of the same client (staff).

    Raises:
        NotFound: Not the actor's document or folder, or another client's folder.
    """
    with db.session() as s:
        doc = _staff_document(s, actor, document_id)
        if folders.visible_folder(s, actor, folder_id).account_id != doc.account_id:
            raise access.NotFound("folder")
        doc.folder_id = folder_id
        s.add(doc)
        s.commit()
        account_id = doc.account_id
    realtime.publish({realtime.account_room(account_id)})


def delete_document(*, actor: Actor, document_id: int) -> None:
    """Move a document into the client's trash (staff); its file stays until the purge.

    Raises:
        NotFound: Not the actor's document (or already in the trash).
    """
    with db.session() as s:
        doc = _staff_document(s, actor, document_id)
        retention.trash_documents(s, [doc], by=actor.id, now=utcnow())
        s.commit()
        account_id = doc.account_id
    realtime.publish({realtime.account_room(account_id)})
