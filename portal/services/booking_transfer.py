"""Bookings in and out: CSV/DATEV import (all or nothing) and CSV/DATEV export.

Exporting marks the bookings exported and closes their open talks, as in FIBUscan.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from sqlalchemy import extract
from sqlmodel import select

from portal.domain.errors import UserError
from portal import realtime
from portal.domain.actor import Actor
from portal.domain.audit import Action
from portal.domain.booking_import import LineProblem, parse_bookings
from portal.domain.clock import utcnow
from portal.domain.datev import DatevHeader, ExportBooking, bookings_csv, write_export_zip
from portal.domain.enums import ThreadStatus
from portal.models import Booking, BookingExport, Document, Firm, Message, StaffUser, Thread
from portal.services import access, audit, blob_sweep, db, talks
from portal.storage import BlobStoreFull, get_store

FORMATS = ("csv", "datev")
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class TransferError(UserError):
    """An import or export was refused; ``key`` is the catalog key of the reason."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did: rows written, or the problems that stopped it."""

    format: str
    imported: int
    problems: tuple[LineProblem, ...]


@dataclass(frozen=True)
class ExportResult:
    """A finished export, ready to download."""

    key: str
    filename: str
    bookings: int
    closed_talks: int


@dataclass(frozen=True)
class ExportOptions:
    """What the export dialog offers for an account."""

    years: tuple[int, ...]
    consultant_number: int | None
    client_number: int | None


def import_bookings(*, actor: Actor, account_id: int, data: bytes,
                    progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Parse a CSV or DATEV file and write all its bookings, or none.

    Args:
        actor: Staff working the account.
        account_id: Target account.
        data: The whole file.
        progress: Called with (lines done, lines total) while parsing.

    Raises:
        NotFound: If the actor does not work the account.
    """
    with db.session() as s:
        access.staff_account(s, actor, account_id)
    result = parse_bookings(data, progress=progress)
    if not result.ok:
        return ImportReport(format=result.format, imported=0, problems=result.problems)
    with db.session() as s:
        access.staff_account(s, actor, account_id)
        s.add_all(Booking(account_id=account_id, ledger=r.ledger, date=r.date, amount_cents=r.amount_cents,
                          currency=r.currency, counterparty=r.counterparty, text=r.text,
                          receipt_missing=r.receipt_missing) for r in result.rows)
        s.commit()
    realtime.publish([realtime.account_room(account_id)])
    return ImportReport(format=result.format, imported=len(result.rows), problems=())


async def read_upload(chunks: AsyncIterator[bytes]) -> bytes:
    """Collect an uploaded import file, refusing files over :data:`MAX_IMPORT_BYTES`.

    Raises:
        TransferError: ``import.too_large`` when the file is too big.
    """
    parts, size = [], 0
    async for chunk in chunks:
        size += len(chunk)
        if size > MAX_IMPORT_BYTES:
            raise TransferError("import.too_large")
        parts.append(chunk)
    return b"".join(parts)


def export_options(*, actor: Actor, account_id: int) -> ExportOptions:
    """Years with bookings not yet exported, and the DATEV numbers on file."""
    with db.session() as s:
        account = access.staff_account(s, actor, account_id)
        years = s.exec(select(extract("year", Booking.date)).where(
            Booking.account_id == account_id, Booking.exported_at.is_(None)).distinct()).all()
        firm = s.exec(select(Firm)).first()
        return ExportOptions(years=tuple(sorted(int(y) for y in years)),
                             consultant_number=firm.datev_consultant_number if firm else None,
                             client_number=account.datev_client_number)


def export_bookings(*, actor: Actor, account_id: int, fmt: str, year: int,
                    consultant_number: int | None = None, client_number: int | None = None) -> ExportResult:
    """Export the year's unexported bookings, mark them exported, close their talks.

    Args:
        actor: Staff working the account.
        account_id: The account.
        fmt: ``csv`` (Excel file) or ``datev`` (ZIP with EXTF Buchungsstapel and receipts).
        year: Calendar year (a DATEV Buchungsstapel covers one year).
        consultant_number: DATEV Beraternummer to store for the firm, if given.
        client_number: DATEV Mandantennummer to store for the account, if given.

    Raises:
        TransferError: Nothing to export, or DATEV numbers missing or invalid.
        NotFound: If the actor does not work the account.
    """
    if fmt not in FORMATS:
        raise TransferError("export.error.format")
    now = utcnow()
    store = get_store()
    with db.session() as s:
        account = access.staff_account(s, actor, account_id)
        firm = s.exec(select(Firm)).first()
        if consultant_number is not None and firm is not None:
            firm.datev_consultant_number = consultant_number
            s.add(firm)
        if client_number is not None:
            account.datev_client_number = client_number
            s.add(account)
        rows = s.exec(select(Booking).where(
            Booking.account_id == account_id, Booking.exported_at.is_(None),
            Booking.date >= dt.date(year, 1, 1), Booking.date <= dt.date(year, 12, 31))
            .order_by(Booking.date, Booking.id)).all()
        if not rows:
            raise TransferError("export.error.nothing")
        documents = _receipts(s, [b.id for b in rows])
        bookings = [ExportBooking(id=b.id, ledger=b.ledger, date=b.date, amount_cents=b.amount_cents,
                                  currency=b.currency, counterparty=b.counterparty, text=b.text,
                                  receipt_filenames=tuple(d.filename for d in documents.get(b.id, ())))
                    for b in rows]
        staff = s.get(StaffUser, actor.id)
        stem = f"Buchungen_{_slug(account.name)}_{year}"
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
            if fmt == "csv":
                out.write(bookings_csv(bookings))
                filename = f"{stem}.csv"
            else:
                header = _datev_header(firm, account.datev_client_number, year, rows, now,
                                       staff.name if staff else actor.name)
                receipts = {bid: [(d.filename, _opener(store, d.blob_key)) for d in docs]
                            for bid, docs in documents.items()}
                try:
                    write_export_zip(out, bookings, header=header, receipts=receipts)
                except ValueError as exc:
                    raise TransferError("export.error.datev") from exc
                filename = f"{stem}_DATEV.zip"
            out.seek(0)
            # The export is generated here, not uploaded: no user-facing size cap applies.
            try:
                blob = store.put_file(out, max_bytes=2**40)
            except BlobStoreFull as exc:
                raise TransferError("export.error.storage_full") from exc
        try:
            for booking in rows:
                booking.exported_at = now
                s.add(booking)
            open_threads = s.exec(select(Thread.id).where(Thread.booking_id.in_([b.id for b in rows]),
                                                          Thread.status == ThreadStatus.OPEN)).all()
            closed = talks.close_threads(s, open_threads, closed_by=actor.id)
            rooms = talks.rooms_for(s, closed) | {realtime.account_room(account_id)}
            export = BookingExport(account_id=account_id, format=fmt, blob_key=blob.key, filename=filename,
                                   booking_count=len(rows), closed_talks=len(closed), created_by=actor.id,
                                   created_at=now)
            s.add(export)
            s.flush()
            audit.record(s, actor=actor, action=Action.BOOKINGS_EXPORTED, account_id=account_id, object_kind="export",
                         object_id=export.id, detail={"name": filename, "format": fmt, "year": year,
                                                      "bookings": len(rows), "closed_talks": len(closed)})
            s.commit()
        except BaseException:
            # Nothing marked exported, no talk closed: the file goes too (unless the commit
            # went through after all and only its answer was lost).
            blob_sweep.delete_if_unnamed(blob.key, store=store)
            raise
    realtime.publish(rooms)
    return ExportResult(key=blob.key, filename=filename, bookings=len(rows), closed_talks=len(closed))


@dataclass(frozen=True)
class ExportFile:
    """A stored export as the download route needs it."""

    key: str
    filename: str
    content_type: str


def readable_export(*, actor: Actor, key: str, ip: str = "") -> ExportFile:
    """An export the staff actor may download; the download is recorded in the audit trail.

    Raises:
        NotFound: Unknown key or not the actor's account.
    """
    with db.session() as s:
        row = s.exec(select(BookingExport).where(BookingExport.blob_key == key)).first()
        if row is None:
            raise access.NotFound("export")
        access.staff_account(s, actor, row.account_id)
        audit.record(s, actor=actor, action=Action.EXPORT_DOWNLOADED, account_id=row.account_id, object_kind="export",
                     object_id=row.id, detail={"name": row.filename, "format": row.format}, ip=ip)
        s.commit()
        content_type = "text/csv; charset=utf-8" if row.format == "csv" else "application/zip"
        return ExportFile(key=row.blob_key, filename=row.filename, content_type=content_type)


def _receipts(s, booking_ids: list[int]) -> dict[int, list[Document]]:
    docs = s.exec(select(Document).outerjoin(Message, Message.id == Document.message_id).where(
        Document.booking_id.in_(booking_ids), Message.deleted_at.is_(None), Document.trashed_at.is_(None))
        .order_by(Document.id)).all()
    grouped: dict[int, list[Document]] = {}
    for doc in docs:
        grouped.setdefault(doc.booking_id, []).append(doc)
    return grouped


def _opener(store, key: str):
    return lambda: store.open(key)


def _datev_header(firm: Firm | None, client_number: int | None, year: int, rows: list[Booking],
                  now: dt.datetime, exported_by: str) -> DatevHeader:
    if firm is None or firm.datev_consultant_number is None or client_number is None:
        raise TransferError("export.error.numbers")
    try:
        return DatevHeader(consultant_number=firm.datev_consultant_number, client_number=client_number,
                           fiscal_year_start=dt.date(year, 1, 1), created_at=now, exported_by=exported_by[:25],
                           period_from=min(b.date for b in rows), period_to=max(b.date for b in rows))
    except ValueError as exc:
        raise TransferError("export.error.numbers") from exc


def _slug(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in name)
    return "_".join(part for part in cleaned.split("_") if part)[:60] or "Mandant"
