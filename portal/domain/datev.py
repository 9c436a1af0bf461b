"""Bookings export: DATEV-Format "Buchungsstapel", a plain CSV for Excel, and a ZIP of both.

Pure functions, no DB, Reflex or storage imports: services load the bookings, turn them
into :class:`ExportBooking` values and hand over openers for the receipt blobs.

DATEV-Format (EXTF), Buchungsstapel, header version 700, Formatversion 13:

* Line 1 is the header record, 31 fields in DATEV's order (see ``_header_fields``).
  Text fields are quoted, numbers and dates are not. The example header on DATEV's page
  reads ``"EXTF";700;21;"Buchungsstapel";13;20240130140440439;;"RE";"";"";29098;55003;
  20240101;4;20240101;20240831;"Buchungsstapel";"WD";1;0;0;"EUR";;"";;;"03";;;"";""``.
* Line 2 holds the 125 column headings of Formatversion 13 (:data:`BUCHUNGSSTAPEL_COLUMNS`),
  spelled as in line 2 of DATEV's own sample files. DATEV reads the rows by position.
* Then one row per booking, 125 fields each.
* Windows-1252 ("ANSI"), CRLF, semicolons; text fields in double quotes with inner quotes
  doubled; characters Windows-1252 cannot hold become ``?``. Line breaks and tabs inside
  text are replaced by spaces: DATEV rejects control characters in fields.

Which fields we fill, per booking:

* ``Umsatz (ohne Soll/Haben-Kz)``: the absolute amount, ``1234,56`` (no thousands
  separator, always two decimals; DATEV allows at most 10 digits before the comma).
* ``Soll/Haben-Kennzeichen``: ``"H"`` for ``amount_cents < 0`` (money out), else ``"S"``.
  The flag refers to the (here empty) ``Konto`` field, and it is the convention our own
  importer uses when reading such files back (``S`` positive, ``H`` negative).
* ``WKZ Umsatz``: the booking's currency. Foreign-currency rows also need ``Kurs`` and a
  ``Basis-Umsatz`` in DATEV; we have no rates, so the accountant adds them.
* ``Konto`` and ``Gegenkonto (ohne BU-Schlüssel)`` stay EMPTY: the portal knows no
  accounts (SKR03/SKR04). The accountant assigns them in DATEV; until then DATEV's import
  reports the rows as incomplete. ``Beleginfo - Art 2``/``Inhalt 2`` carry the ledger
  ("Belegkreis", e.g. "Lieferanten") to help with that.
* ``Belegdatum``: ``DDMM``. DATEV takes the year from the header's period, so every
  booking must fall into ``period_from``'s calendar year (checked; ``ValueError`` else).
* ``Belegfeld 1``: ``P<booking id>`` (DATEV allows ``A-Z a-z 0-9 $ & % * + - /``, max 36).
* ``Buchungstext``: the booking text, cut to 60 characters.
* ``Beleginfo - Art 1`` ``"Gegenpartei"`` / ``Beleginfo - Inhalt 1``: the counterparty,
  cut to 210 characters (left empty when there is no counterparty).
* ``Beleglink``: the ZIP entry of the first receipt, e.g. ``Belege/P12_rechnung.pdf``.
  Note: DATEV itself only resolves links of the form ``BEDI "<GUID>"`` / ``DDMS "<id>"``
  (documents already in DATEV); our link is a pointer for the accountant into the ZIP.

Rows with amount 0 are left out of the Buchungsstapel: DATEV rejects ``0,00``. They still
appear in ``Buchungen.csv``.

Sources (checked 2026-11):

* DATEV Developer Portal, DATEV-Format: "Header" and "Buchungsstapel"
  (https://developer.datev.de/datev/platform/de/dtvf/formate/header,
  https://developer.datev.de/datev/platform/de/dtvf/formate/buchungsstapel): field order,
  regexes (amount ``^\\d{1,10}[,]\\d{2}$``, S/H, ISO currency, DDMM, Belegfeld 1).
* Column headings of Formatversion 13 as listed from DATEV's sample files ("Musterdaten
  DATEV-Format") in seamless-engineering/datev-extf ``src/columns.ts``.
* Beleglink syntax: DATEV Hilfe-Center Dok.-Nr. 1003221 (quoted on forum.kivitendo.de).
* Spreadsheet formula injection: OWASP "CSV Injection" (prefix ``'`` for cells starting
  with ``= + - @``, tab or carriage return). Applied per column: every free-text field
  of both files (Buchungstext, Gegenpartei, Belegkreis, Exportiert von, Bezeichnung,
  receipt names) is neutralised; the amounts are numbers and stay as they are, so
  ``-12,50`` in ``Buchungen.csv`` remains a negative number and DATEV's ``12,50`` with
  ``H`` remains valid for DATEV's import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO
from zoneinfo import ZoneInfo

EXTF_FILENAME = "EXTF_Buchungsstapel.csv"
"""Name of the DATEV file in the ZIP; DATEV imports only files named ``EXTF_*.csv``."""
CSV_FILENAME = "Buchungen.csv"
RECEIPTS_DIR = "Belege"
COPY_CHUNK_BYTES = 64 * 1024

DATEV_ENCODING = "cp1252"
DATEV_TZ = ZoneInfo("Europe/Berlin")

MAX_TEXT = 60
MAX_BELEGINFO_INHALT = 210
MAX_BELEGFELD_1 = 36
MAX_DESCRIPTION = 30
MAX_EXPORTED_BY = 25
MAX_AMOUNT_CENTS = 10**12 - 1  # 10 digits before the comma
MAX_SAFE_NAME = 100

LEDGER_NAMES_DE = {
    "suppliers": "Lieferanten",
    "customers": "Kunden",
    "bank": "Bank",
    "other": "Sonstige",
}

BUCHUNGSSTAPEL_COLUMNS: tuple[str, ...] = (
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
    "Postensperre",
    "Diverse Adressnummer",
    "Geschäftspartnerbank",
    "Sachverhalt",
    "Zinssperre",
    "Beleglink",
    *(f"Beleginfo - {kind} {n}" for n in range(1, 9) for kind in ("Art", "Inhalt")),
    "KOST1 - Kostenstelle",
    "KOST2 - Kostenstelle",
    "Kost-Menge",
    "EU-Land u. UStID (Bestimmung)",
    "EU-Steuersatz (Bestimmung)",
    "Abw. Versteuerungsart",
    "Sachverhalt L+L",
    "Funktionsergänzung L+L",
    "BU 49 Hauptfunktionstyp",
    "BU 49 Hauptfunktionsnummer",
    "BU 49 Funktionsergänzung",
    # DATEV's samples really write "Zusatzinformation- Inhalt" without the space.
    *(f"Zusatzinformation{sep} {n}" for n in range(1, 21) for sep in (" - Art", "- Inhalt")),
    "Stück",
    "Gewicht",
    "Zahlweise",
    "Forderungsart",
    "Veranlagungsjahr",
    "Zugeordnete Fälligkeit",
    "Skontotyp",
    "Auftragsnummer",
    "Buchungstyp",
    "USt-Schlüssel (Anzahlungen)",
    "EU-Land (Anzahlungen)",
    "Sachverhalt L+L (Anzahlungen)",
    "EU-Steuersatz (Anzahlungen)",
    "Erlöskonto (Anzahlungen)",
    "Herkunft-Kz",
    "Buchungs GUID",
    "KOST-Datum",
    "SEPA-Mandatsreferenz",
    "Skontosperre",
    "Gesellschaftername",
    "Beteiligtennummer",
    "Identifikationsnummer",
    "Zeichnernummer",
    "Postensperre bis",
    "Bezeichnung SoBil-Sachverhalt",
    "Kennzeichen SoBil-Buchung",
    "Festschreibung",
    "Leistungsdatum",
    "Datum Zuord. Steuerperiode",
    "Fälligkeit",
    "Generalumkehr (GU)",
    "Steuersatz",
    "Land",
    "Abrechnungsreferenz",
    "BVV-Position",
    "EU-Land u. UStID (Ursprung)",
    "EU-Steuersatz (Ursprung)",
    "Abw. Skontokonto",
)
"""The 125 column headings of Buchungsstapel Formatversion 13, in order."""

_COL = {name: index for index, name in enumerate(BUCHUNGSSTAPEL_COLUMNS)}

CSV_COLUMNS = ("Datum", "Betrag", "Währung", "Belegkreis", "Gegenpartei", "Buchungstext", "Beleg")
_GERMAN_TO_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportBooking:
    """One booking as the export sees it.

    Attributes:
        id: Booking id; becomes ``Belegfeld 1`` (``P<id>``) and the receipt name prefix.
        ledger: ``suppliers``, ``customers``, ``bank`` or ``other``.
        date: Document date (Belegdatum).
        amount_cents: Signed amount in cents; negative means money out.
        currency: ISO 4217 code, e.g. ``EUR``.
        counterparty: Supplier, customer or bank counterparty.
        text: Booking text.
        receipt_filenames: Original file names of the receipts, first one is linked.
    """

    id: int
    ledger: str
    date: dt.date
    amount_cents: int
    currency: str
    counterparty: str
    text: str
    receipt_filenames: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DatevHeader:
    """The firm's and client's DATEV settings for one Buchungsstapel (keyword-only).

    Attributes:
        consultant_number: Beraternummer, 1001..9999999.
        client_number: Mandantennummer, 1..99999.
        fiscal_year_start: WJ-Beginn.
        created_at: Erzeugt am; aware datetimes are shown in German local time.
        exported_by: Exportiert von (user name, cut to 25 characters).
        period_from: Datum vom; all bookings must lie in this date's calendar year.
        period_to: Datum bis; same calendar year as ``period_from``.
        account_length: Sachkontenlänge, 4..8.
        description: Bezeichnung of the batch (cut to 30 characters).
        currency: WKZ of the batch.

    Raises:
        ValueError: On numbers or dates DATEV would reject.
    """

    consultant_number: int
    client_number: int
    fiscal_year_start: dt.date
    created_at: dt.datetime
    exported_by: str
    period_from: dt.date
    period_to: dt.date
    account_length: int = 4
    description: str = "Mandantenportal"
    currency: str = "EUR"

    def __post_init__(self) -> None:
        """Reject values DATEV's import would refuse."""
        if not 1001 <= self.consultant_number <= 9_999_999:
            raise ValueError("Beraternummer must be between 1001 and 9999999")
        if not 1 <= self.client_number <= 99_999:
            raise ValueError("Mandantennummer must be between 1 and 99999")
        if not 4 <= self.account_length <= 8:
            raise ValueError("Sachkontenlänge must be between 4 and 8")
        if self.period_from > self.period_to:
            raise ValueError("period_from must not be after period_to")
        if self.period_from.year != self.period_to.year:
            raise ValueError("a Buchungsstapel covers one calendar year only")
        if self.period_from < self.fiscal_year_start:
            raise ValueError("period_from must not be before the fiscal year start")
        if self.period_to > _fiscal_year_end(self.fiscal_year_start):
            raise ValueError("period_to must not be after the fiscal year's last day")
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise ValueError("currency must be an ISO 4217 code")


def _fiscal_year_end(start: dt.date) -> dt.date:
    """The last day of the fiscal year beginning on ``start``."""
    try:
        next_start = start.replace(year=start.year + 1)
    except ValueError:  # started on 29 February
        next_start = dt.date(start.year + 1, 3, 1)
    return next_start - dt.timedelta(days=1)


# ---------------------------------------------------------------- formatting helpers


def _datev_amount(cents: int) -> str:
    """Format an absolute amount as DATEV wants it: ``1234,56``."""
    cents = abs(cents)
    if cents > MAX_AMOUNT_CENTS:
        raise ValueError("amount exceeds DATEV's 10 digits before the comma")
    return f"{cents // 100},{cents % 100:02d}"


def _german_amount(cents: int) -> str:
    """Format a signed amount the German way: ``-1.234,56``."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d}"


def debit_credit(amount_cents: int) -> str:
    """Return the Soll/Haben-Kennzeichen: ``H`` for money out (negative), else ``S``."""
    return "H" if amount_cents < 0 else "S"


def _clean(text: str, limit: int) -> str:
    """Single-line text without control characters, cut to ``limit`` characters."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())[:limit]


def _text(text: str, limit: int) -> str:
    """A free-text field of the DATEV file: cleaned, formula-neutralised, at most ``limit`` long.

    The Buchungsstapel is a CSV file too, and accountants open it in Excel to check it
    before the import: a counterparty ``=HYPERLINK(...)`` must not run there. Numeric
    and coded fields (Umsatz, S/H, Belegdatum, Belegfeld 1) are written by us, never
    start with a formula character and stay exactly as DATEV's format wants them.
    """
    cleaned = neutralise_formula(_clean(text, limit))
    return cleaned[:limit]


def _quote(text: str) -> str:
    """A DATEV text field: in double quotes, inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def _line(fields: Iterable[str]) -> bytes:
    """One DATEV record, Windows-1252 with CRLF; unencodable characters become ``?``."""
    return (";".join(fields) + "\r\n").encode(DATEV_ENCODING, errors="replace")


def _created_stamp(created_at: dt.datetime) -> str:
    """``YYYYMMDDHHMMSSFFF`` in German local time."""
    local = created_at.astimezone(DATEV_TZ) if created_at.tzinfo else created_at
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"


# ---------------------------------------------------------------- receipt names


def _safe_stem_and_suffix(filename: str) -> tuple[str, str]:
    """Reduce a user-supplied file name to ASCII ``[A-Za-z0-9._-]``, no path parts."""
    base = re.split(r"[\\/]", filename)[-1]
    base = base.translate(_GERMAN_TO_ASCII)
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9._-]+", "_", base))
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.strip("._-") or "beleg"
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix)[:10]
    return stem[: MAX_SAFE_NAME - len(suffix) - 1], f".{suffix}" if suffix else ""


def receipt_entry_names(booking: ExportBooking) -> tuple[str, ...]:
    """The ZIP entry names of a booking's receipts, in the order of its file names.

    Names are ``Belege/P<id>_<safe name>``: no path separators, no ``..``, ASCII only
    (so they survive Windows-1252 in the Beleglink), unique within the booking even when
    compared case-insensitively (``_2``, ``_3``... before the extension). The booking id
    prefix makes them unique across bookings.

    Args:
        booking: The booking whose ``receipt_filenames`` are named.

    Returns:
        One entry name per receipt file name.
    """
    names: list[str] = []
    seen: set[str] = set()
    for filename in booking.receipt_filenames:
        stem, suffix = _safe_stem_and_suffix(filename)
        candidate, n = f"P{booking.id}_{stem}{suffix}", 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"P{booking.id}_{stem}_{n}{suffix}"
        seen.add(candidate.lower())
        names.append(f"{RECEIPTS_DIR}/{candidate}")
    return tuple(names)


# ---------------------------------------------------------------- DATEV Buchungsstapel


def _header_fields(header: DatevHeader) -> list[str]:
    """The 31 fields of the EXTF header record, version 700."""
    return [
        _quote("EXTF"),  # 1 Kennzeichen
        "700",  # 2 Versionsnummer
        "21",  # 3 Formatkategorie: Buchungsstapel
        _quote("Buchungsstapel"),  # 4 Formatname
        "13",  # 5 Formatversion
        _created_stamp(header.created_at),  # 6 Erzeugt am
        "",  # 7 Importiert (DATEV fills it)
        _quote("RE"),  # 8 Herkunft (Rechnungswesen)
        _quote(_text(header.exported_by, MAX_EXPORTED_BY)),  # 9 Exportiert von
        _quote(""),  # 10 Importiert von
        str(header.consultant_number),  # 11 Beraternummer
        str(header.client_number),  # 12 Mandantennummer
        header.fiscal_year_start.strftime("%Y%m%d"),  # 13 WJ-Beginn
        str(header.account_length),  # 14 Sachkontenlänge
        header.period_from.strftime("%Y%m%d"),  # 15 Datum vom
        header.period_to.strftime("%Y%m%d"),  # 16 Datum bis
        _quote(_text(header.description, MAX_DESCRIPTION)),  # 17 Bezeichnung
        _quote(""),  # 18 Diktatkürzel
        "1",  # 19 Buchungstyp: Finanzbuchführung
        "0",  # 20 Rechnungslegungszweck: unabhängig
        "0",  # 21 Festschreibung: no, the accountant checks first
        _quote(header.currency),  # 22 WKZ
        "",  # 23 reserviert
        _quote(""),  # 24 Derivatskennzeichen
        "",  # 25 reserviert
        "",  # 26 reserviert
        _quote(""),  # 27 Sachkontenrahmen (unknown to the portal)
        "",  # 28 ID der Branchenlösung
        "",  # 29 reserviert
        _quote(""),  # 30 reserviert
        _quote(""),  # 31 Anwendungsinformation
    ]


def _booking_fields(booking: ExportBooking) -> list[str]:
    """The 125 fields of one Buchungsstapel row."""
    fields = [""] * len(BUCHUNGSSTAPEL_COLUMNS)

    def put(column: str, value: str) -> None:
        fields[_COL[column]] = value

    put("Umsatz (ohne Soll/Haben-Kz)", _datev_amount(booking.amount_cents))
    put("Soll/Haben-Kennzeichen", _quote(debit_credit(booking.amount_cents)))
    put("WKZ Umsatz", _quote(booking.currency.upper()))
    put("Belegdatum", booking.date.strftime("%d%m"))
    put("Belegfeld 1", _quote(f"P{booking.id}"[:MAX_BELEGFELD_1]))
    put("Buchungstext", _quote(_text(booking.text, MAX_TEXT)))
    links = receipt_entry_names(booking)
    if links:
        put("Beleglink", _quote(links[0]))
    counterparty = _text(booking.counterparty, MAX_BELEGINFO_INHALT)
    if counterparty:
        put("Beleginfo - Art 1", _quote("Gegenpartei"))
        put("Beleginfo - Inhalt 1", _quote(counterparty))
    put("Beleginfo - Art 2", _quote("Belegkreis"))
    put("Beleginfo - Inhalt 2", _quote(LEDGER_NAMES_DE.get(booking.ledger) or _text(booking.ledger, 40)))
    return fields


def _check_year(bookings: Sequence[ExportBooking], header: DatevHeader) -> None:
    """Belegdatum is DDMM: a booking from another year would be booked in the wrong one."""
    for booking in bookings:
        if booking.date.year != header.period_from.year:
            raise ValueError(
                f"booking {booking.id} is dated {booking.date.isoformat()}, outside the "
                f"Buchungsstapel's year {header.period_from.year}; export one file per year"
            )


def buchungsstapel(bookings: Sequence[ExportBooking], *, header: DatevHeader) -> bytes:
    """Render bookings as a DATEV-Format Buchungsstapel (EXTF 700, Formatversion 13).

    Args:
        bookings: The bookings, in the order they should appear.
        header: Consultant/client numbers, fiscal year and period of the batch.

    Returns:
        The file's bytes: Windows-1252, CRLF line ends, semicolon separated.

    Raises:
        ValueError: If a booking is dated outside ``header.period_from``'s year or its
            amount has more than 10 digits before the comma.
    """
    _check_year(bookings, header)
    out = io.BytesIO()
    out.write(_line(_header_fields(header)))
    out.write(_line(BUCHUNGSSTAPEL_COLUMNS))
    for booking in bookings:
        if booking.amount_cents != 0:
            out.write(_line(_booking_fields(booking)))
    return out.getvalue()


# ---------------------------------------------------------------- CSV for Excel


def neutralise_formula(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_row(booking: ExportBooking, receipts: Sequence[str]) -> list[str]:
    """One row of ``Buchungen.csv``; every free-text cell is neutralised."""
    ledger = LEDGER_NAMES_DE.get(booking.ledger, booking.ledger)
    texts = (booking.currency, ledger, booking.counterparty, booking.text, ", ".join(receipts))
    return [
        booking.date.strftime("%d.%m.%Y"),
        _german_amount(booking.amount_cents),  # a number: "-12,00" must stay negative
        *(neutralise_formula(text) for text in texts),
    ]


def bookings_csv(bookings: Sequence[ExportBooking], *, zip_names: bool = False) -> bytes:
    """Render bookings as a CSV file Excel opens correctly in German locales.

    UTF-8 with BOM (so Excel detects the encoding), semicolons, CRLF, German dates
    (``31.12.2026``) and amounts (``-1.234,56``). Text cells starting with ``=``, ``+``,
    ``-``, ``@``, tab or CR get a leading apostrophe so Excel does not run them as
    formulas; the amount column is a number and stays as it is.

    Args:
        bookings: The bookings, in the order they should appear.
        zip_names: List receipts by their entry names in the export ZIP (``Belege/...``)
            instead of their original file names.

    Returns:
        The file's bytes.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for booking in bookings:
        receipts = receipt_entry_names(booking) if zip_names else booking.receipt_filenames
        writer.writerow(_csv_row(booking, receipts))
    return buffer.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------- ZIP

ReceiptOpener = Callable[[], BinaryIO]
"""Returns a fresh readable binary file (used as a context manager, then closed)."""


def _zip_info(name: str, when: dt.datetime) -> zipfile.ZipInfo:
    """A deflated ZIP entry stamped with the export time (DOS times are local)."""
    local = when.astimezone(DATEV_TZ) if when.tzinfo else when
    info = zipfile.ZipInfo(name, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _with_zip_receipts(
    bookings: Sequence[ExportBooking],
    receipts: Mapping[int, Sequence[tuple[str, ReceiptOpener]]],
) -> list[ExportBooking]:
    """Bookings whose receipt names are exactly the files that go into the ZIP."""
    ids = [booking.id for booking in bookings]
    if len(set(ids)) != len(ids):
        raise ValueError("booking ids must be unique within one export")
    return [
        replace(booking, receipt_filenames=tuple(name for name, _ in receipts.get(booking.id, ())))
        for booking in bookings
    ]


def write_export_zip(
    out: BinaryIO,
    bookings: Sequence[ExportBooking],
    *,
    header: DatevHeader,
    receipts: Mapping[int, Sequence[tuple[str, ReceiptOpener]]],
) -> list[str]:
    """Write the export ZIP: DATEV file, Excel CSV and the receipts, streamed.

    The ZIP holds ``EXTF_Buchungsstapel.csv``, ``Buchungen.csv`` and
    ``Belege/P<id>_<safe name>`` per receipt. ``receipts`` is the source of truth for
    the receipt names: each booking's ``receipt_filenames`` is replaced by the names given
    there, so the Beleglink and the ``Beleg`` column always point at entries that exist.
    Receipts are copied in chunks of :data:`COPY_CHUNK_BYTES`, never read whole. ``out``
    may be unseekable (e.g. a pipe); the entries then carry data descriptors.

    Args:
        out: A binary file opened for writing; left open.
        bookings: The bookings to export (unique ids).
        header: DATEV settings for the Buchungsstapel.
        receipts: Per booking id, ``(original file name, opener)`` pairs.

    Returns:
        The names of all entries written, in order.

    Raises:
        ValueError: On duplicate booking ids, or as :func:`buchungsstapel` does.
    """
    zipped = _with_zip_receipts(bookings, receipts)
    written: list[str] = []
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in (
            (EXTF_FILENAME, buchungsstapel(zipped, header=header)),
            (CSV_FILENAME, bookings_csv(zipped, zip_names=True)),
        ):
            archive.writestr(_zip_info(name, header.created_at), data)
            written.append(name)
        for booking in zipped:
            openers = [opener for _, opener in receipts.get(booking.id, ())]
            for entry, opener in zip(receipt_entry_names(booking), openers, strict=True):
                with opener() as source, archive.open(_zip_info(entry, header.created_at), "w") as target:
                    shutil.copyfileobj(source, target, COPY_CHUNK_BYTES)
                written.append(entry)
    return written
