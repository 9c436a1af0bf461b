"""Plain view data for talks, shared by the staff flyout and the client talk view."""

import dataclasses

from portal import routes
from portal.domain.actor import Actor
from portal.domain.enums import ThreadKind
from portal.domain.talks import OUTSIDE_AUTHORS
from portal.i18n import format as fmt
from portal.services.talks import AttachmentView, BookingLine, ThreadView

_PREVIEWABLE = {"application/pdf", "image/jpeg", "image/png"}


@dataclasses.dataclass
class AttachmentItem:
    """A file with its download and preview links."""

    name: str = ""
    url: str = ""
    preview_url: str = ""
    previewable: bool = False


@dataclasses.dataclass
class MessageItem:
    """One chat bubble as this viewer sees it."""

    id: int = 0
    from_client: bool = False
    internal: bool = False
    mine: bool = False
    sender: str = ""
    body: str = ""
    time: str = ""
    delivery: str = "sent"
    edited: bool = False
    deleted: bool = False
    attachments: list[AttachmentItem] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class BookingDetail:
    """The booking a talk is about, formatted for the viewer."""

    date: str = ""
    amount: str = ""
    incoming: bool = False
    counterparty: str = ""
    text: str = ""
    ledger: str = ""
    receipt_missing: bool = False
    exported: bool = False


def attachment_items(attachments: tuple[AttachmentView, ...]) -> list[AttachmentItem]:
    """Download and preview links of files."""
    return [AttachmentItem(name=a.filename, url=routes.file(a.key), preview_url=routes.file_preview(a.key),
                           previewable=a.content_type in _PREVIEWABLE) for a in attachments]


def message_items(view: ThreadView, actor: Actor, formats: fmt.Formats) -> list[MessageItem]:
    """The talk's messages for this viewer (``mine`` decides who may delete)."""
    return [
        MessageItem(id=m.id, from_client=m.author_kind in OUTSIDE_AUTHORS,
                    internal=view.kind == ThreadKind.INTERNAL,
                    mine=m.author_kind == actor.kind and m.author_id == actor.id, sender=m.sender_name,
                    body=m.body, time=formats.datetime(m.created_at), delivery=m.delivery.value,
                    edited=m.edited, deleted=m.deleted, attachments=attachment_items(m.attachments))
        for m in view.messages
    ]


def booking_detail(line: BookingLine, locale: str) -> BookingDetail:
    """The booking, formatted."""
    return BookingDetail(date=fmt.date(line.date, locale), amount=fmt.money(line.amount_cents, line.currency, locale),
                         incoming=line.amount_cents > 0, counterparty=line.counterparty, text=line.text,
                         ledger=line.ledger, receipt_missing=line.receipt_missing, exported=line.exported)
