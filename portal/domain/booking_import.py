"""Read bookings from an uploaded CSV file or a DATEV "Buchungsstapel" (EXTF/DTVF).

Pure functions: bytes in, :class:`ImportResult` out. No DB, Reflex or storage imports.
The parser never raises on bad user input; it collects every problem it finds (up to
:data:`MAX_PROBLEMS`) with the line and column a user sees in Excel or an editor. Whether
a file with problems is rejected as a whole is the caller's decision.

Problems carry a message key (``import.*``, texts in ``portal/i18n/booking_import/``).
Render them with ``translate(locale, p.message_key, line=p.line, column=p.column,
value=p.value)``; every text uses only these three placeholders.

Reading the bytes
-----------------
* UTF-8 with or without BOM; if that fails, Windows-1252 (what German Excel writes for
  "CSV (Trennzeichen-getrennt)"). UTF-16 with BOM is accepted too: Excel's "Unicode-Text".
* NUL bytes or many control characters mean the file is no text (an .xlsx, a PDF...).
* Line breaks CRLF, LF or CR. Lines are counted the way an editor counts them, so a quoted
  field that spans two lines makes the next record start two lines further on; a problem
  is reported on the line where its record starts.
* Quotes are read strictly (``csv`` ``strict=True``): an unclosed quote or text after a
  closing quote is reported as ``import.bad_quotes`` instead of quietly merging the
  following lines into one cell.
* The separator (``;``, ``,`` or tab) is the one found most often outside quotes in the
  header line. Excel's ``sep=;`` first line is honoured.

Generic CSV
-----------
A header row is required. It is normally the first line; bank exports often put a few
lines of account data first, so the first of the first 20 non-empty lines that names a
date and an amount column is taken as the header. Column names are matched ignoring case,
surrounding spaces and a trailing unit in parentheses ("Betrag (EUR)"); see
:data:`_CSV_ALIASES`. Required: a date column and either an amount column or ``Soll``
and/or ``Haben`` (``Debit``/``Credit``) columns.

* ``Soll``/``Haben`` follow the bank statement: ``Soll`` is money out, ``Haben`` money
  in, so amount = Haben - Soll. Signs written in these columns are ignored (some banks
  write ``-12,00`` under Soll), the column decides the direction.
* Receipt: a ``Beleg fehlt``/``Receipt missing`` column holds a yes/no flag (ja/nein,
  yes/no, true/false, 1/0, x; empty = no). A ``Beleg``/``Beleg vorhanden``/``Receipt``
  column says the opposite: yes (or any reference such as a file name, as in our own
  ``Buchungen.csv`` export) means a receipt exists; no or empty means it is missing.
  Without either column every booking is marked "receipt missing": importing a booking
  list does not import receipts, so nothing is on file yet.
* ``Belegkreis`` values: Lieferanten/Kreditoren/suppliers, Kunden/Debitoren/customers,
  Bank, Sonstige/other (also singular and French forms); empty means ``default_ledger``.
* Currency: 3 letters, default EUR. Text cells are trimmed, runs of white space (also
  line breaks) become one space, and the apostrophe our CSV export puts before cells
  starting with ``= + - @`` (OWASP "CSV injection") is removed again.
* Rows may carry extra empty fields at the end (Excel writes them after touched cells);
  any other difference to the header's field count is a problem.

DATEV-Format "Buchungsstapel"
-----------------------------
Recognised by ``EXTF`` or ``DTVF`` (quoted or not) at the start of line 1.

* Line 1 is the header record. Used fields: 3 Formatkategorie (must be 21 =
  Buchungsstapel), 13 WJ-Beginn (``YYYYMMDD``), 14 Sachkontenlänge (default 4), 22 WKZ
  (default currency) and 27 Sachkontenrahmen (``03``/``04``). Line 2 holds the column
  names, data starts on line 3. Columns are found by name, not position.
* Amount: ``Umsatz (ohne Soll/Haben-Kz)`` (always positive in the format) signed by
  ``Soll/Haben-Kennzeichen``, which "bezieht sich auf das Feld #7 Konto". We show the
  booking from the point of view of that account: ``S`` (Soll, the default) is
  positive, ``H`` (Haben) negative. For a bank account (Konto 1200) that is money in
  positive and money out negative, like the generic CSV; a supplier invoice on a
  Kreditor account (``H``) is negative. ``Generalumkehr (GU)`` = 1 (a reversal) flips
  the sign. Our own export (``portal/domain/datev.py``) writes ``H`` for negative
  amounts, so its files read back unchanged.
* Date: ``Belegdatum`` is ``TTMM`` (3 digits when Excel dropped the leading zero). "Das
  Jahr wird immer aus dem Feld 13 des Headers ermittelt": the date is placed in the
  12 months starting at WJ-Beginn, so with WJ-Beginn 01.07.2026 ``3101`` is 31.01.2027.
  ``TTMMJJ`` and ``TTMMJJJJ`` are accepted as written.
* Ledger from ``Konto``: personal accounts are one digit longer than Sachkontenlänge L;
  10^L..7*10^L-1 are Debitoren (customers), 7*10^L..10^(L+1)-1 Kreditoren (suppliers),
  i.e. 10000-69999 / 70000-99999 for L = 4. Sachkonten 1200-1299 (SKR03) or 1800-1899
  (SKR04; both when the header names no chart) are bank. Otherwise a ``Beleginfo`` pair
  with Art "Belegkreis" (written by our export, whose Konto stays empty) decides, else
  ``default_ledger``.
* Counterparty: the ``Beleginfo - Inhalt`` whose Art is "Gegenpartei", else
  ``Beleginfo - Inhalt 1``, else empty. Text: ``Buchungstext``. Currency: ``WKZ Umsatz``,
  else the header's WKZ, else EUR.
* Receipt missing: false when ``Beleglink`` is filled; otherwise true for supplier and
  customer bookings (an invoice is expected) and false for the rest.
* Short rows are padded: third-party writers often stop after the last filled column.

Sources (read 2026-12):

* DATEV Developer Portal, DATEV-Format "Einstieg", "Header" and "Buchungsstapel"
  (https://developer.datev.de/datev/platform/de/dtvf/einstieg, .../formate/header,
  .../formate/buchungsstapel): the sample file ``"EXTF";700;21;"Buchungsstapel";13;...``,
  header field order and meaning (21 = Buchungsstapel, 13 WJ-Beginn, 14
  Sachkontenlänge, 22 WKZ, 27 Sachkontenrahmen), the column names of line 2, Umsatz
  ``^\\d{1,10}[,]\\d{2}$`` positive, S/H referring to Konto, Belegdatum ``TTMM`` with the
  year from header field 13, personal accounts one digit longer than Sachkonten.
* Column names of Formatversion 13 as used by our exporter (``portal/domain/datev.py``),
  taken from DATEV's sample files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from portal.domain.csv_text import (
    MAX_PROBLEMS,  # noqa: F401 (part of this module's interface: the report's cap)
    SEP_LINE as _SEP_LINE,
    LineProblem,
    Problems as _Problems,
    Progress,
    TooManyProblems as _TooManyProblems,
    clean_cell as _clean_text,
    data_records as _data_records,
    decode as _decode,
    detect_separator,
    map_columns as _map_columns,
    parse_flag as _parse_flag,
    report_end as _report_end,
    split_lines as _split_lines,
    split_one as _split_one,
)
from portal.domain.enums import Ledger

MAX_COUNTERPARTY = 200
MAX_TEXT = 500
MAX_AMOUNT_CENTS = 10**12 - 1
"""9.999.999.999,99: DATEV's 10 digits before the comma, and our export's limit."""
HEADER_SEARCH_LINES = 20

FORMAT_CSV = "csv"
FORMAT_DATEV = "datev"

@dataclass(frozen=True)
class BookingDraft:
    """A booking read from the file, ready to become a ``Booking`` row."""

    ledger: Ledger
    date: dt.date
    amount_cents: int
    currency: str
    counterparty: str
    text: str
    receipt_missing: bool


@dataclass(frozen=True)
class ImportResult:
    """What :func:`parse_bookings` found: the format, the rows and all problems."""

    format: str
    rows: tuple[BookingDraft, ...]
    problems: tuple[LineProblem, ...]

    @property
    def ok(self) -> bool:
        """True when there is at least one row and no problem at all."""
        return not self.problems and bool(self.rows)


# ---------------------------------------------------------------- problems


# ---------------------------------------------------------------- entry point


def parse_bookings(
    data: bytes,
    *,
    default_ledger: Ledger = Ledger.OTHER,
    progress: Progress | None = None,
) -> ImportResult:
    """Parse an uploaded bookings file (generic CSV or DATEV Buchungsstapel).

    Args:
        data: The raw file content.
        default_ledger: Ledger for rows that do not name one.
        progress: Called as ``progress(done_lines, total_lines)`` every
            :data:`PROGRESS_EVERY` data records and once at the end with equal numbers.

    Returns:
        The detected format, the rows that parsed cleanly and every problem found
        (capped at :data:`MAX_PROBLEMS` plus one ``import.too_many_problems``).
    """
    problems = _Problems()
    rows: list[BookingDraft] = []
    text = _decode(data)
    if text is None:
        problems.add(1, "", "import.not_text")
        _report_end(progress, 0)
        return ImportResult(FORMAT_CSV, (), tuple(problems.items))
    lines = _split_lines(text)
    fmt = FORMAT_DATEV if _is_datev(lines) else FORMAT_CSV
    parse = _parse_datev if fmt == FORMAT_DATEV else _parse_csv
    with contextlib.suppress(_TooManyProblems):  # the report is full: stop reading
        parse(lines, default_ledger, problems, rows, progress)
    _report_end(progress, len(lines))
    return ImportResult(fmt, tuple(rows), tuple(problems.items))


# ---------------------------------------------------------------- bytes to lines


# ---------------------------------------------------------------- values


_AMOUNT_AFFIX = re.compile(r"^(?:€|eur)|(?:€|eur)$", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")
_DIGITS = re.compile(r"\d*")
_DOT_DECIMAL = re.compile(r"\d*\.\d{1,2}")
_MAX_INT_DIGITS = 15  # beyond any limit; also keeps int() away from huge strings


def parse_amount(value: str) -> int | None:
    """Parse a German or English amount into signed cents.

    ``,`` is the decimal mark and ``.`` groups thousands, unless the value has no comma
    and exactly one dot followed by one or two digits (``12.5``, ``-1234.56``). Spaces,
    a leading/trailing ``€``/``EUR``, a leading ``+``/``-`` or a trailing ``-`` are
    allowed; more than two decimals or badly grouped thousands are not.

    Args:
        value: The cell as written, e.g. ``"-1.234,56"`` or ``"1.234,5 €"``.

    Returns:
        The amount in cents, or None when the value is no amount.
    """
    text = "".join(value.split()).replace("\u2212", "-")  # also NBSP, U+2212 minus
    text = _AMOUNT_AFFIX.sub("", text)
    sign = 1
    if text[:1] in ("-", "+"):
        sign, text = (-1 if text[0] == "-" else 1), text[1:]
    elif text.endswith("-"):
        sign, text = -1, text[:-1]  # "1.234,56-" as SAP and some banks write it
    integer, fraction = _split_amount(text)
    if integer is None or fraction is None or len(integer) > _MAX_INT_DIGITS:
        return None
    return sign * (int(integer or "0") * 100 + int(fraction.ljust(2, "0")))


def _split_amount(text: str) -> tuple[str | None, str | None]:
    """Split into integer digits and up to two decimals; None parts when invalid."""
    if "," in text:
        integer, _, fraction = text.partition(",")
        if not re.fullmatch(r"\d{1,2}", fraction):
            return None, None
    elif _DOT_DECIMAL.fullmatch(text):
        integer, _, fraction = text.partition(".")
        return integer, fraction
    else:
        integer, fraction = text, ""
        if not integer:
            return None, None
    if "." in integer:
        if not _GROUPED.fullmatch(integer):
            return None, None
        integer = integer.replace(".", "")
    elif not _DIGITS.fullmatch(integer):
        return None, None
    return integer, fraction


_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(value: str) -> dt.date | None:
    """Parse ``31.12.2026``, ``31.12.26`` (meaning 2026) or ``2026-12-31``.

    Args:
        value: The cell as written.

    Returns:
        The date, or None when the value is no valid date (``31.02.2026``).
    """
    text = value.strip()
    if match := _DOTTED_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        year += 2000 if len(match.group(3)) == 2 else 0
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    return _date_or_none(year, month, day)


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    """``date(year, month, day)``, or None when there is no such day."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_LEDGER_NAMES: dict[str, Ledger] = {
    **dict.fromkeys(
        ("lieferanten", "lieferant", "kreditoren", "kreditor", "suppliers", "supplier",
         "fournisseurs", "fournisseur"),
        Ledger.SUPPLIERS,
    ),
    **dict.fromkeys(
        ("kunden", "kunde", "debitoren", "debitor", "customers", "customer", "clients",
         "client"),
        Ledger.CUSTOMERS,
    ),
    **dict.fromkeys(("bank", "banken", "banque"), Ledger.BANK),
    **dict.fromkeys(("sonstige", "sonstiges", "other", "others", "autres", "autre"), Ledger.OTHER),
}


def parse_ledger(value: str) -> Ledger | None:
    """Map a ledger name (German, English or French, any case) to :class:`Ledger`.

    Args:
        value: The cell as written; must not be empty.

    Returns:
        The ledger, or None for an unknown name.
    """
    return _LEDGER_NAMES.get(value.strip().casefold())


def _parse_currency(value: str, default: str = "EUR") -> str | None:
    """ISO code in capitals; empty gives ``default``, ``€`` means EUR; None if invalid."""
    text = value.strip().upper()
    if not text:
        return default
    if text == "€":
        return "EUR"
    return text if re.fullmatch(r"[A-Z]{3}", text) else None


# ---------------------------------------------------------------- generic CSV


_CSV_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("datum", "belegdatum", "buchungsdatum", "buchungstag", "date"),
    "amount": ("betrag", "umsatz", "amount"),
    "debit": ("soll", "debit"),
    "credit": ("haben", "credit"),
    "counterparty": (
        "gegenpartei", "name", "empfänger", "empfaenger", "auftraggeber", "lieferant",
        "kunde", "begünstigter/zahlungspflichtiger", "beguenstigter/zahlungspflichtiger",
        "zahlungsempfänger", "counterparty", "payee",
    ),
    "text": ("buchungstext", "verwendungszweck", "text", "beschreibung", "description"),
    "ledger": ("belegkreis", "kreis", "ledger"),
    "currency": ("währung", "waehrung", "currency"),
    "receipt_missing": ("beleg fehlt", "receipt missing", "fehlender beleg"),
    "receipt": ("beleg", "beleg vorhanden", "receipt"),
}
"""Accepted column names per field, best first, in :func:`portal.domain.csv_text.normalize_header` form."""

_MISSING_NAMES = {
    "date": ("Datum", "Datum, Belegdatum, Buchungsdatum, Buchungstag, Date"),
    "amount": ("Betrag", "Betrag, Umsatz, Amount, Soll/Haben, Debit/Credit"),
}
"""Name and accepted spellings reported for a missing required column."""

def _is_csv_header(columns: dict[str, int]) -> bool:
    """A header names a date and an amount (or Soll/Haben) column."""
    return "date" in columns and bool({"amount", "debit", "credit"} & columns.keys())


def _find_header(lines: Sequence[str]) -> tuple[int, str] | None:
    """Index and separator of the header line; None when the file has no content.

    The first non-empty line is the header unless one of the next few lines looks more
    like one (bank exports start with account details).
    """
    forced: str | None = None
    first: tuple[int, str] | None = None
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if seen == 0 and forced is None and (match := _SEP_LINE.fullmatch(line.strip())):
            forced = match.group(1)  # Excel's "sep=;" hint line
            continue
        separator = forced or detect_separator(line)
        first = first or (index, separator)
        if _is_csv_header(_map_columns(_split_one(line, separator), _CSV_ALIASES)):
            return index, separator
        seen += 1
        if seen >= HEADER_SEARCH_LINES:
            break
    return first


@dataclass(frozen=True)
class _CsvLayout:
    """Where the fields are in a generic CSV file."""

    header: tuple[str, ...]
    columns: dict[str, int]

    def name(self, field: str) -> str:
        """The column name as written in the file."""
        return self.header[self.columns[field]]


def _parse_csv(
    lines: list[str],
    default_ledger: Ledger,
    problems: _Problems,
    rows: list[BookingDraft],
    progress: Progress | None,
) -> None:
    """Parse a generic CSV file into ``rows``, recording problems."""
    found = _find_header(lines)
    if found is None:
        problems.add(1, "", "import.no_rows")
        return
    index, separator = found
    header = [name.strip() for name in _split_one(lines[index], separator)]
    while header and not header[-1]:
        header.pop()  # trailing separators after the last heading
    layout = _CsvLayout(tuple(header), _map_columns(header, _CSV_ALIASES))
    if not _check_csv_columns(layout, index + 1, problems):
        return
    for line, fields in _data_records(lines, index + 1, separator, width=len(header), pad=False,
                                      problems=problems, progress=progress):
        draft = _csv_row(fields, line, layout, default_ledger, problems)
        if draft is not None:
            rows.append(draft)


def _check_csv_columns(layout: _CsvLayout, line: int, problems: _Problems) -> bool:
    """Report each missing required column; True when all are there."""
    missing = []
    if "date" not in layout.columns:
        missing.append("date")
    if not {"amount", "debit", "credit"} & layout.columns.keys():
        missing.append("amount")
    for field in missing:
        name, accepted = _MISSING_NAMES[field]
        problems.add(line, name, "import.missing_column", accepted)
    return not missing


class _Row:
    """One record's cells by field name, reporting problems with line and column."""

    def __init__(self, fields: Sequence[str], line: int, header: Sequence[str],
                 columns: dict[str, int], problems: _Problems) -> None:
        self.fields = fields
        self.line = line
        self.header = header
        self.columns = columns
        self.problems = problems
        self.failed = False

    def has(self, field: str) -> bool:
        """Whether the file has this column."""
        return field in self.columns

    def raw(self, field: str) -> str:
        """The trimmed cell, "" when the column is absent."""
        return self.fields[self.columns[field]].strip() if field in self.columns else ""

    def fail(self, field: str, key: str, value: str | None = None) -> None:
        """Record a problem in this field's column."""
        self.failed = True
        column = self.header[self.columns[field]] if field in self.columns else ""
        self.problems.add(self.line, column, key, self.raw(field) if value is None else value)

    def date(self, field: str) -> dt.date | None:
        """The cell as a date, reporting empty or invalid values."""
        value = self.raw(field)
        if not value:
            self.fail(field, "import.empty_value")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(field, "import.bad_date")
        return parsed

    def amount(self, field: str, *, required: bool = True) -> int | None:
        """The cell in cents, reporting invalid, too large and (if required) empty values."""
        value = self.raw(field)
        if not value:
            if required:
                self.fail(field, "import.empty_value")
            return None
        cents = parse_amount(value)
        if cents is None:
            self.fail(field, "import.bad_amount")
        elif abs(cents) > MAX_AMOUNT_CENTS:
            self.fail(field, "import.amount_too_large")
            return None
        return cents

    def text(self, field: str, limit: int) -> str:
        """The cleaned text cell, reporting texts longer than ``limit``."""
        value = _clean_text(self.raw(field))
        if len(value) > limit:
            self.fail(field, "import.too_long", value)
        return value

    def currency(self, field: str, default: str = "EUR") -> str:
        """The ISO currency code, reporting invalid ones."""
        code = _parse_currency(self.raw(field), default)
        if code is None:
            self.fail(field, "import.bad_currency")
            return default
        return code


def _csv_row(
    fields: Sequence[str], line: int, layout: _CsvLayout, default_ledger: Ledger,
    problems: _Problems,
) -> BookingDraft | None:
    """Turn one generic CSV record into a draft; None when a cell had a problem."""
    row = _Row(fields, line, layout.header, layout.columns, problems)
    date = row.date("date")
    amount = _csv_amount(row)
    ledger = _csv_ledger(row, default_ledger)
    currency = row.currency("currency")
    counterparty = row.text("counterparty", MAX_COUNTERPARTY)
    text = row.text("text", MAX_TEXT)
    receipt_missing = _csv_receipt_missing(row)
    if row.failed or date is None or amount is None:
        return None
    return BookingDraft(ledger, date, amount, currency, counterparty, text, receipt_missing)


def _csv_ledger(row: _Row, default_ledger: Ledger) -> Ledger:
    """The Belegkreis cell; empty means ``default_ledger``, unknown names are reported."""
    value = row.raw("ledger")
    if not value:
        return default_ledger
    ledger = parse_ledger(value)
    if ledger is None:
        row.fail("ledger", "import.bad_ledger")
        return default_ledger
    return ledger


def _csv_amount(row: _Row) -> int | None:
    """Amount column, or Haben - Soll when the file splits the directions."""
    if row.has("amount"):
        return row.amount("amount")
    debit = row.amount("debit", required=False) if row.has("debit") else None
    credit = row.amount("credit", required=False) if row.has("credit") else None
    if row.failed:
        return None
    if debit is None and credit is None:
        row.fail("debit" if row.has("debit") else "credit", "import.empty_value")
        return None
    # The column gives the direction; a sign written inside it is ignored.
    return abs(credit or 0) - abs(debit or 0)


def _csv_receipt_missing(row: _Row) -> bool:
    """Receipt flag from a "Beleg fehlt" or "Beleg" column; True without either."""
    if row.has("receipt_missing"):
        flag = _parse_flag(row.raw("receipt_missing"))
        if flag is None:
            row.fail("receipt_missing", "import.bad_flag")
            return True
        return flag
    if row.has("receipt"):
        flag = _parse_flag(row.raw("receipt"))  # empty counts as "no"
        # Anything that is not a yes/no word is a reference to the receipt (a file name).
        return not (flag if flag is not None else True)
    return True


# ---------------------------------------------------------------- DATEV


_DATEV_MARKERS = ("EXTF", "DTVF")


def _is_datev(lines: Sequence[str]) -> bool:
    """DATEV-Format files start with ``"EXTF"`` or ``"DTVF"`` (quoted or not)."""
    first = lines[0].lstrip().lstrip('"') if lines else ""
    return first.upper().startswith(_DATEV_MARKERS)


_DATEV_ALIASES: dict[str, tuple[str, ...]] = {
    "amount": ("umsatzohnesollhabenkz", "umsatz"),
    "sign": ("sollhabenkennzeichen", "sollhabenkz"),
    "currency": ("wkzumsatz",),
    "account": ("konto",),
    "date": ("belegdatum",),
    "text": ("buchungstext",),
    "link": ("beleglink",),
    "reversal": ("generalumkehrgu", "generalumkehr"),
    **{f"info_kind_{n}": (f"beleginfoart{n}",) for n in range(1, 9)},
    **{f"info_value_{n}": (f"beleginfoinhalt{n}",) for n in range(1, 9)},
}
"""DATEV column names in :func:`_datev_key` form (spacing and dashes vary by writer)."""

_DATEV_REQUIRED = {"amount": "Umsatz (ohne Soll/Haben-Kz)", "date": "Belegdatum"}


def _datev_key(name: str) -> str:
    """Lower-case letters and digits only: ``Soll-/Haben-Kennzeichen`` matches too."""
    return re.sub(r"[^0-9a-zäöüß]", "", name.casefold())


@dataclass(frozen=True)
class _DatevHeader:
    """What we use from line 1 of a DATEV file."""

    fiscal_year_start: dt.date | None
    account_length: int
    currency: str
    chart: str


def _datev_header(fields: Sequence[str], problems: _Problems) -> _DatevHeader | None:
    """Check line 1; None when the file is not a Buchungsstapel (then nothing else matters)."""
    def field(number: int) -> str:
        return fields[number - 1].strip() if len(fields) >= number else ""

    if field(3) != "21":
        problems.add(1, "Formatkategorie", "import.datev_not_buchungsstapel", field(3))
        return None
    start = _date_or_none(*_yyyymmdd(field(13)))
    if start is None:
        problems.add(1, "WJ-Beginn", "import.datev_bad_header", field(13))
    length = 4
    if field(14):
        if field(14).isdigit() and 4 <= int(field(14)) <= 9:
            length = int(field(14))
        else:
            problems.add(1, "Sachkontenlänge", "import.datev_bad_header", field(14))
    currency = _parse_currency(field(22)) or "EUR"
    return _DatevHeader(start, length, currency, field(27))


def _yyyymmdd(value: str) -> tuple[int, int, int]:
    """Split ``YYYYMMDD``; (0, 0, 0) (never a date) when malformed."""
    if not re.fullmatch(r"\d{8}", value):
        return 0, 0, 0
    return int(value[:4]), int(value[4:6]), int(value[6:])


def _parse_datev(
    lines: list[str],
    default_ledger: Ledger,
    problems: _Problems,
    rows: list[BookingDraft],
    progress: Progress | None,
) -> None:
    """Parse a DATEV Buchungsstapel into ``rows``, recording problems."""
    separator = detect_separator(lines[0])
    header = _datev_header(_split_one(lines[0], separator), problems)
    if header is None:
        return
    if len(lines) < 2 or not lines[1].strip():
        problems.add(1, "", "import.no_rows")
        return
    names = tuple(name.strip() for name in _split_one(lines[1], separator))
    columns = _map_columns_datev(names)
    missing = [name for field, name in _DATEV_REQUIRED.items() if field not in columns]
    for name in missing:
        problems.add(2, name, "import.missing_column", name)
    if missing:
        return
    for line, fields in _data_records(lines, 2, separator, width=len(names), pad=True, problems=problems,
                                      progress=progress):
        draft = _datev_row(_Row(fields, line, names, columns, problems), header, default_ledger)
        if draft is not None:
            rows.append(draft)


def _map_columns_datev(names: Sequence[str]) -> dict[str, int]:
    """Field name to index for DATEV's column names."""
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        positions.setdefault(_datev_key(name), index)
    found: dict[str, int] = {}
    for field, keys in _DATEV_ALIASES.items():
        index = next((positions[key] for key in keys if key in positions), None)
        if index is not None:
            found[field] = index
    return found


def _datev_row(row: _Row, header: _DatevHeader, default_ledger: Ledger) -> BookingDraft | None:
    """Turn one Buchungsstapel record into a draft; None when a cell had a problem."""
    amount = row.amount("amount")
    sign = _datev_sign(row)
    date = _datev_date(row, header.fiscal_year_start)
    currency = row.currency("currency", header.currency)
    text = row.text("text", MAX_TEXT)
    counterparty = row.text(_beleginfo(row, "gegenpartei") or "info_value_1", MAX_COUNTERPARTY)
    ledger = _datev_ledger(row, header) or default_ledger
    if row.failed or amount is None or date is None:
        return None
    receipt_missing = not row.raw("link") and ledger in (Ledger.SUPPLIERS, Ledger.CUSTOMERS)
    return BookingDraft(ledger, date, sign * amount, currency, counterparty, text, receipt_missing)


def _datev_sign(row: _Row) -> int:
    """+1 for Soll (the default), -1 for Haben, seen from ``Konto``; GU flips it."""
    flag = row.raw("sign").upper()
    if flag not in ("", "S", "H"):
        row.fail("sign", "import.datev_bad_debit_credit")
    sign = -1 if flag == "H" else 1
    return -sign if row.raw("reversal") == "1" else sign


def _datev_date(row: _Row, fiscal_year_start: dt.date | None) -> dt.date | None:
    """Belegdatum: ``TTMM`` completed from WJ-Beginn, or ``TTMMJJ(JJ)`` as written."""
    value = row.raw("date")
    if not value:
        row.fail("date", "import.empty_value")
        return None
    if not value.isdigit() or len(value) not in (3, 4, 6, 8):
        row.fail("date", "import.bad_date")
        return None
    if len(value) >= 6:
        year = int(value[4:]) + (2000 if len(value) == 6 else 0)
        parsed = _date_or_none(year, int(value[2:4]), int(value[:2]))
    elif fiscal_year_start is None:
        return None  # the header problem already says why; one report is enough
    else:
        parsed = _in_fiscal_year(int(value[:-2]), int(value[-2:]), fiscal_year_start)
    if parsed is None:
        row.fail("date", "import.bad_date")
    return parsed


def _in_fiscal_year(day: int, month: int, start: dt.date) -> dt.date | None:
    """The day/month inside the 12 months from ``start`` (a fiscal year may begin in July)."""
    year = start.year if (month, day) >= (start.month, start.day) else start.year + 1
    return _date_or_none(year, month, day)


def _beleginfo(row: _Row, kind: str) -> str | None:
    """Field name of the ``Beleginfo - Inhalt n`` whose ``Art n`` is ``kind``, if any."""
    for n in range(1, 9):
        if row.raw(f"info_kind_{n}").casefold() == kind:
            return f"info_value_{n}"
    return None


_BANK_ACCOUNTS = {"03": (1200, 1299), "04": (1800, 1899)}


def _datev_ledger(row: _Row, header: _DatevHeader) -> Ledger | None:
    """Ledger from the account number, else from a "Belegkreis" Beleginfo; None if neither."""
    account = row.raw("account")
    if account.isdigit():
        ledger = _ledger_of_account(int(account), header)
        if ledger is not None:
            return ledger
    field = _beleginfo(row, "belegkreis")
    # Free text: a name we do not know is no error, the default ledger applies.
    return parse_ledger(row.raw(field)) if field else None


def _ledger_of_account(account: int, header: _DatevHeader) -> Ledger | None:
    """Debitor, Kreditor or bank account? None for other Sachkonten."""
    base = 10**header.account_length
    if base <= account < 7 * base:
        return Ledger.CUSTOMERS
    if 7 * base <= account < 10 * base:
        return Ledger.SUPPLIERS
    # Sachkonten longer than 4 digits extend the 4-digit chart: 12000 is 1200's range.
    leading = account // 10 ** (header.account_length - 4)
    charts = [header.chart] if header.chart in _BANK_ACCOUNTS else list(_BANK_ACCOUNTS)
    if any(low <= leading <= high for low, high in (_BANK_ACCOUNTS[c] for c in charts)):
        return Ledger.BANK
    return None
