"""Reading stored documents: access checks before any byte leaves the store."""

from __future__ import annotations

import io
from dataclasses import dataclass

from sqlmodel import select

from portal.domain.actor import Actor
from portal.models import AccountContact, Document, Message
from portal.services import access, db
from portal.storage import get_store

PREVIEW_PX = 480


@dataclass(frozen=True)
class DocumentInfo:
    """What a download response needs to know."""

    key: str
    filename: str
    content_type: str
    size: int


def readable_document(*, actor: Actor, key: str) -> DocumentInfo:
    """A document the actor may read.

    Staff: documents of accounts they work. Contacts: files in talks they may read,
    or files of an account where they have full access.

    Raises:
        NotFound: Unknown key or not the actor's to read (indistinguishable on purpose).
    """
    with db.session() as s:
        doc = s.exec(select(Document).where(Document.blob_key == key)).first()
        if doc is None:
            raise access.NotFound("document")
        if actor.is_staff:
            access.staff_account(s, actor, doc.account_id)
        elif doc.message_id is not None:
            message = s.get(Message, doc.message_id)
            if message.deleted_at is not None:
                raise access.NotFound("document")
            access.readable_thread(s, actor, message.thread_id)
        else:
            access.require_full_login(actor)
            link = s.get(AccountContact, (doc.account_id, actor.id))
            if link is None or not link.login or not link.full_access:
                raise access.NotFound("document")
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
