"""Import writes all bookings or none; export needs access and DATEV numbers."""

import pytest
from sqlmodel import func, select

from portal.models import Booking, BookingExport
from portal.services import booking_transfer, db
from portal.services.access import NotFound
from tests import factories

GOOD = "Datum;Betrag;Gegenpartei;Buchungstext\r\n31.10.2026;-1.234,56;Metro;Wareneinkauf\r\n02.11.2026;99,00;Kunde A;Rechnung 7\r\n"
BAD = "Datum;Betrag;Gegenpartei;Buchungstext\r\n31.10.2026;-1.234,56;Metro;ok\r\n31.02.2026;12;X;bad date\r\n01.11.2026;abc;Y;bad amount\r\n"


@pytest.fixture
def setup(fresh_db):
    anna = factories.staff()
    jonas = factories.staff(name="Jonas Weber")
    account = factories.client(name="Import GmbH", accountants=(anna,))
    return factories.actor(anna), factories.actor(jonas), account


def _count(account_id: int) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(Booking).where(Booking.account_id == account_id)).one()


def test_good_file_imports_every_row(setup):
    anna, _jonas, account = setup
    ticks = []
    report = booking_transfer.import_bookings(actor=anna, account_id=account.id, data=GOOD.encode("cp1252"),
                                              progress=lambda done, total: ticks.append((done, total)))
    assert report.imported == 2 and report.problems == () and _count(account.id) == 2
    assert ticks and ticks[-1][0] == ticks[-1][1]


def test_bad_file_writes_nothing_and_reports_lines(setup):
    anna, _jonas, account = setup
    report = booking_transfer.import_bookings(actor=anna, account_id=account.id, data=BAD.encode())
    assert report.imported == 0 and _count(account.id) == 0
    assert [(p.line, p.column) for p in report.problems] == [(3, "Datum"), (4, "Betrag")]


def test_import_needs_access(setup):
    _anna, jonas, account = setup
    with pytest.raises(NotFound):
        booking_transfer.import_bookings(actor=jonas, account_id=account.id, data=GOOD.encode())
    assert _count(account.id) == 0


def test_datev_export_requires_numbers_and_keeps_bookings_open_without_them(setup):
    anna, _jonas, account = setup
    booking_transfer.import_bookings(actor=anna, account_id=account.id, data=GOOD.encode())
    with pytest.raises(booking_transfer.TransferError, match="export.error.numbers"):
        booking_transfer.export_bookings(actor=anna, account_id=account.id, fmt="datev", year=2026)
    with db.session() as s:
        assert s.exec(select(Booking).where(Booking.exported_at.is_not(None))).all() == []
        assert s.exec(select(BookingExport)).all() == []


def test_csv_export_and_download_access(setup):
    anna, jonas, account = setup
    booking_transfer.import_bookings(actor=anna, account_id=account.id, data=GOOD.encode())
    options = booking_transfer.export_options(actor=anna, account_id=account.id)
    assert options.years == (2026,)
    result = booking_transfer.export_bookings(actor=anna, account_id=account.id, fmt="csv", year=2026)
    assert result.filename == "Buchungen_Import_GmbH_2026.csv" and result.bookings == 2
    assert booking_transfer.readable_export(actor=anna, key=result.key).filename == result.filename
    with pytest.raises(NotFound):
        booking_transfer.readable_export(actor=jonas, key=result.key)
    assert booking_transfer.export_options(actor=anna, account_id=account.id).years == ()


async def _chunks(parts):
    for part in parts:
        yield part


def test_read_upload_caps_size():
    import asyncio

    assert asyncio.run(booking_transfer.read_upload(_chunks([b"a", b"b"]))) == b"ab"
    with pytest.raises(booking_transfer.TransferError, match="import.too_large"):
        asyncio.run(booking_transfer.read_upload(_chunks([b"x" * booking_transfer.MAX_IMPORT_BYTES, b"y"])))
