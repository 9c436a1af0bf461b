"""Bookings import: generic CSV in its Excel variants and DATEV Buchungsstapel."""

import datetime as dt
import re
from pathlib import Path

import pytest

from portal.domain.booking_import import (
    MAX_PROBLEMS,
    BookingDraft,
    LineProblem,
    detect_separator,
    parse_amount,
    parse_bookings,
    parse_date,
)
from portal.domain.enums import Ledger
from portal.i18n.booking_import import de, en, fr

HEADER = "Datum;Betrag;Gegenpartei;Buchungstext"


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    """A file as Excel would write it: one line per argument, CRLF by default."""
    return (newline.join(lines) + newline).encode(encoding)


def problems(result) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, p.message_key) for p in result.problems]


# ---------------------------------------------------------------- formats and encodings


def test_german_excel_semicolon_cp1252_with_umlauts_and_euro():
    data = csv_bytes(
        "Datum;Betrag;Gegenpartei;Buchungstext;Belegkreis",
        "31.12.2026;-1.234,56 €;Müller GmbH;Büromaterial „Spezial“;Lieferanten",
        "02.01.2027;99,90;Bäckerei Größer;Brötchen €;Kunden",
        encoding="cp1252",
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really an Excel cp1252 file
    result = parse_bookings(data)
    assert result.ok, result.problems
    assert result.format == "csv"
    assert result.rows == (
        BookingDraft(Ledger.SUPPLIERS, dt.date(2026, 12, 31), -123456, "EUR", "Müller GmbH",
                     "Büromaterial „Spezial“", True),
        BookingDraft(Ledger.CUSTOMERS, dt.date(2027, 1, 2), 9990, "EUR", "Bäckerei Größer",
                     "Brötchen €", True),
    )


def test_comma_separated_utf8_with_bom_and_english_headings():
    data = "\ufeffDate,Amount,Payee,Description,Currency\n2026-03-01,-1234.56,Acme Ltd.,Licence,usd"
    result = parse_bookings(data.encode("utf-8"))
    assert result.ok, result.problems
    (row,) = result.rows
    assert (row.date, row.amount_cents, row.counterparty, row.text, row.currency) == (
        dt.date(2026, 3, 1), -123456, "Acme Ltd.", "Licence", "USD")


def test_tab_separated_and_utf16_unicode_text_from_excel():
    text = "Datum\tBetrag\tName\r\n15.01.2026\t1.000,00\tMüller\r\n"
    for data in (text.encode("utf-8"), text.encode("utf-16")):  # utf-16 writes a BOM
        result = parse_bookings(data)
        assert result.ok, result.problems
        assert result.rows[0].amount_cents == 100000
        assert result.rows[0].counterparty == "Müller"


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_endings_keep_line_numbers(newline):
    data = csv_bytes(HEADER, "01.01.2026;1;A;x", "", "xx;1;B;y", newline=newline)
    result = parse_bookings(data)
    assert problems(result) == [(4, "Datum", "import.bad_date")]
    assert len(result.rows) == 1


@pytest.mark.parametrize(
    ("line", "separator"),
    [
        ("Datum;Betrag;Text", ";"),
        ("Datum,Betrag,Text", ","),
        ("Datum\tBetrag\tText", "\t"),
        ('"Datum, Wert";Betrag', ";"),  # the comma is inside quotes
        ('"a;b";"c;d",x,y', ","),
        ("Datum", ";"),
    ],
)
def test_separator_is_counted_outside_quotes(line, separator):
    assert detect_separator(line) == separator


def test_excel_sep_hint_line_and_bank_preamble_are_skipped():
    data = csv_bytes(
        "sep=;",
        "Kontonummer:;DE12 3456 7890",
        "Zeitraum:;01.01.2026 - 31.01.2026",
        "",
        "Buchungstag;Wertstellung;Beguenstigter/Zahlungspflichtiger;Verwendungszweck;Betrag (EUR)",
        "05.01.2026;05.01.2026;Stadtwerke;Abschlag Strom;-80,00",
    )
    result = parse_bookings(data)
    assert result.ok, result.problems
    row = result.rows[0]
    assert (row.date, row.counterparty, row.text, row.amount_cents) == (
        dt.date(2026, 1, 5), "Stadtwerke", "Abschlag Strom", -8000)


def test_quoted_fields_with_separator_quotes_and_newline_keep_line_numbers():
    data = csv_bytes(
        HEADER,
        '01.02.2026;"1.234,50";"Meyer; Söhne";"Zeile eins',
        'Zeile zwei mit ""Zitat"""',
        "31.02.2026;5,00;X;y",
    )
    result = parse_bookings(data)
    assert result.rows[0].counterparty == "Meyer; Söhne"
    assert result.rows[0].text == 'Zeile eins Zeile zwei mit "Zitat"'
    assert result.rows[0].amount_cents == 123450
    # The bad record starts on physical line 4: the quoted newline took lines 2-3.
    assert problems(result) == [(4, "Datum", "import.bad_date")]


def test_unclosed_quote_is_reported_where_the_record_starts():
    data = csv_bytes(HEADER, "01.01.2026;1;A;x", '02.01.2026;2;B;"y', *["03.01.2026;3;C;z"] * 3)
    result = parse_bookings(data)
    # Not silently merged into one long text: the rows after it would vanish.
    assert problems(result) == [(3, "", "import.bad_quotes")]
    assert len(result.rows) == 1


def test_text_after_a_closing_quote_is_reported_and_reading_goes_on():
    data = csv_bytes(HEADER, '01.01.2026;1;"A" GmbH;x', "02.01.2026;2;B;y", 'xx;3;C;"z"')
    result = parse_bookings(data)
    assert problems(result) == [(2, "", "import.bad_quotes"), (4, "Datum", "import.bad_date")]
    assert [row.counterparty for row in result.rows] == ["B"]


def test_not_text_files_are_rejected():
    xlsx, pdf = b"PK\x03\x04\x14\x00\x00\x00\x08\x00", b"%PDF-1.7\n\x00\x01"
    for junk in (xlsx, pdf, bytes(range(256)) * 4, bytes(range(1, 32)) * 40):
        result = parse_bookings(junk)
        assert problems(result) == [(1, "", "import.not_text")]
        assert result.rows == () and not result.ok


def test_cp1252_bytes_without_utf8_meaning_fall_back():
    data = "Datum;Betrag;Text\n01.01.2026;1,00;Gebühr…\n".encode("cp1252")  # "…" is byte 0x85
    assert parse_bookings(data).rows[0].text == "Gebühr…"


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        ("-1.234,56", -123456),
        ("1234,56", 123456),
        ("1.234", 123400),
        ("12.5", 1250),
        ("-1234.56", -123456),
        ("1.234,5 €", 123450),
        ("1.234.567,89", 123456789),
        ("0", 0),
        ("0,00", 0),
        ("-0,01", -1),
        ("+12", 1200),
        ("12,-", None),
        ("1.234,56-", -123456),
        ("EUR 12,00", 1200),
        ("12 EUR", 1200),
        ("1\u00a0234,56", 123456),
        ("\u2212 5,00", -500),
        (",5", 50),
        ("12,345", None),
        ("abc", None),
        ("1,2,3", None),
        ("1.2.3", None),
        ("12.34.56", None),
        ("1.23,45", None),
        ("12.345", 1234500),
        ("12.3456", None),
        ("", None),
        ("-", None),
        ("€", None),
        ("--5", None),
        ("5e3", None),
        ("9" * 4000, None),
    ],
)
def test_amounts(value, cents):
    assert parse_amount(value) == cents


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("31.12.2026", dt.date(2026, 12, 31)),
        ("31.12.26", dt.date(2026, 12, 31)),
        ("1.2.2026", dt.date(2026, 2, 1)),
        ("2026-12-31", dt.date(2026, 12, 31)),
        (" 29.02.2028 ", dt.date(2028, 2, 29)),
        ("31.02.2026", None),
        ("29.02.2026", None),
        ("2026-13-01", None),
        ("12/31/2026", None),
        ("31.12.202", None),
        ("", None),
    ],
)
def test_dates(value, date):
    assert parse_date(value) == date


def test_bad_values_are_reported_with_line_column_and_value():
    data = csv_bytes(
        "Datum;Betrag;Währung;Belegkreis;Beleg fehlt",
        "31.02.2026;12,345;EURO;Lager;vielleicht",
        ";;EUR;;",
        "01.01.2026;99999999999,99;€;bank;x",
    )
    result = parse_bookings(data)
    assert [(p.line, p.column, p.message_key, p.value) for p in result.problems] == [
        (2, "Datum", "import.bad_date", "31.02.2026"),
        (2, "Betrag", "import.bad_amount", "12,345"),
        (2, "Belegkreis", "import.bad_ledger", "Lager"),
        (2, "Währung", "import.bad_currency", "EURO"),
        (2, "Beleg fehlt", "import.bad_flag", "vielleicht"),
        (3, "Datum", "import.empty_value", ""),
        (3, "Betrag", "import.empty_value", ""),
        (4, "Betrag", "import.amount_too_large", "99999999999,99"),
    ]
    assert result.rows == ()


def test_largest_amount_is_accepted():
    result = parse_bookings(csv_bytes("Datum;Betrag", "01.01.2026;-9.999.999.999,99"))
    assert result.rows[0].amount_cents == -(10**12 - 1)


def test_soll_and_haben_columns():
    data = csv_bytes(
        "Buchungsdatum;Empfänger;Soll;Haben",
        "01.03.2026;Telekom;49,99;",
        "02.03.2026;Kunde A;;1.000,00",
        "03.03.2026;Bank;-5,00;",  # a sign inside the Soll column does not turn it around
        "04.03.2026;Leer;;",
    )
    result = parse_bookings(data)
    assert [row.amount_cents for row in result.rows] == [-4999, 100000, -500]
    assert problems(result) == [(5, "Soll", "import.empty_value")]


def test_debit_credit_columns_in_english():
    data = csv_bytes("Date,Counterparty,Debit,Credit", "2026-01-01,X,10.00,", "2026-01-02,Y,,2.5")
    assert [row.amount_cents for row in parse_bookings(data).rows] == [-1000, 250]


@pytest.mark.parametrize(
    ("value", "ledger"),
    [
        ("Lieferanten", Ledger.SUPPLIERS),
        ("kreditoren", Ledger.SUPPLIERS),
        ("Suppliers", Ledger.SUPPLIERS),
        ("Kunden", Ledger.CUSTOMERS),
        ("DEBITOREN", Ledger.CUSTOMERS),
        ("customers", Ledger.CUSTOMERS),
        ("Bank", Ledger.BANK),
        ("bank", Ledger.BANK),
        ("Sonstige", Ledger.OTHER),
        ("other", Ledger.OTHER),
        ("", Ledger.BANK),  # empty: the default ledger
    ],
)
def test_ledger_aliases(value, ledger):
    data = csv_bytes("Datum;Betrag;Kreis", f"01.01.2026;1;{value}")
    result = parse_bookings(data, default_ledger=Ledger.BANK)
    assert result.ok, result.problems
    assert result.rows[0].ledger == ledger


def test_default_ledger_applies_without_a_ledger_column():
    data = csv_bytes("Datum;Betrag", "01.01.2026;1")
    assert parse_bookings(data).rows[0].ledger == Ledger.OTHER
    assert parse_bookings(data, default_ledger=Ledger.CUSTOMERS).rows[0].ledger == Ledger.CUSTOMERS


@pytest.mark.parametrize(
    ("heading", "value", "missing"),
    [
        ("Beleg fehlt", "ja", True),
        ("Beleg fehlt", "X", True),
        ("Beleg fehlt", "1", True),
        ("Beleg fehlt", "nein", False),
        ("Beleg fehlt", "", False),
        ("Receipt missing", "true", True),
        ("Receipt missing", "no", False),
        ("Beleg", "ja", False),
        ("Beleg", "nein", True),
        ("Beleg", "", True),
        ("Beleg", "Belege/P12_rechnung.pdf", False),  # our Buchungen.csv export
    ],
)
def test_receipt_columns(heading, value, missing):
    data = csv_bytes(f"Datum;Betrag;{heading}", f"01.01.2026;1;{value}")
    result = parse_bookings(data)
    assert result.ok, result.problems
    assert result.rows[0].receipt_missing is missing


def test_receipt_missing_defaults_to_true_without_a_column():
    assert parse_bookings(csv_bytes("Datum;Betrag", "01.01.2026;1")).rows[0].receipt_missing


def test_headings_are_matched_loosely_and_reported_as_written():
    data = csv_bytes("  DATUM ;betrag (EUR);Verwendungszweck", "01.01.2026;x;Miete")
    result = parse_bookings(data)
    assert problems(result) == [(2, "betrag (EUR)", "import.bad_amount")]


def test_text_is_trimmed_collapsed_and_formula_quote_removed():
    data = csv_bytes(
        "Datum;Betrag;Gegenpartei;Buchungstext",
        "01.01.2026;1;  '=Formel GmbH  ;'-Storno   Januar  ",
        "02.01.2026;1;O'Brien;'Zitat'",
    )
    rows = parse_bookings(data).rows
    assert (rows[0].counterparty, rows[0].text) == ("=Formel GmbH", "-Storno Januar")
    assert (rows[1].counterparty, rows[1].text) == ("O'Brien", "'Zitat'")


def test_too_long_texts():
    data = csv_bytes(
        "Datum;Betrag;Gegenpartei;Buchungstext",
        f"01.01.2026;1;{'a' * 200};{'b' * 500}",
        f"01.01.2026;1;{'a' * 201};{'b' * 501}",
    )
    result = parse_bookings(data)
    assert len(result.rows) == 1
    assert problems(result) == [
        (3, "Gegenpartei", "import.too_long"),
        (3, "Buchungstext", "import.too_long"),
    ]
    assert len(result.problems[0].value) <= 80


# ---------------------------------------------------------------- structure problems


def test_missing_required_column_gives_one_problem_naming_it():
    result = parse_bookings(csv_bytes("Datum;Gegenpartei", "01.01.2026;X", "02.01.2026;Y"))
    assert problems(result) == [(1, "Betrag", "import.missing_column")]
    assert "Umsatz" in result.problems[0].value
    result = parse_bookings(csv_bytes("Betrag;Text", "1;X"))
    assert problems(result) == [(1, "Datum", "import.missing_column")]


def test_wrong_field_count_but_extra_empty_fields_are_fine():
    data = csv_bytes(HEADER, "01.01.2026;1;A", "01.01.2026;1;A;x;;", "01.01.2026;1;A;x;extra")
    result = parse_bookings(data)
    assert [(p.line, p.message_key, p.value) for p in result.problems] == [
        (2, "import.wrong_field_count", "3/4"),
        (4, "import.wrong_field_count", "5/4"),
    ]
    assert len(result.rows) == 1


def test_all_problems_are_reported_on_the_right_lines():
    data = csv_bytes(
        HEADER,
        "01.01.2026;1,00;A;ok",
        "01.01.2026;zwölf;B;bad amount",
        "02.01.2026;2,00;C;ok",
        "32.01.2026;3,00;D;bad date",
        ";;;",  # Excel's empty row: skipped, not a problem
        "03.01.2026;3,00;E;ok",
    )
    result = parse_bookings(data)
    assert problems(result) == [(3, "Betrag", "import.bad_amount"), (5, "Datum", "import.bad_date")]
    assert [row.counterparty for row in result.rows] == ["A", "C", "E"]
    assert not result.ok


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", "\ufeff".encode(), b"   \n"])
def test_empty_file_has_no_rows(data):
    result = parse_bookings(data)
    assert problems(result) == [(1, "", "import.no_rows")]


def test_header_without_rows():
    result = parse_bookings(csv_bytes(HEADER, "", ";;;"))
    assert problems(result) == [(1, "", "import.no_rows")]
    assert not result.ok


def test_problem_report_is_capped():
    data = csv_bytes(HEADER, *[f"xx;yy;A;{n}" for n in range(300)])
    result = parse_bookings(data)
    assert len(result.problems) == MAX_PROBLEMS + 1
    last = result.problems[-1]
    assert (last.message_key, last.value) == ("import.too_many_problems", str(MAX_PROBLEMS))
    assert last.line == 2 + MAX_PROBLEMS // 2  # two problems per line
    assert result.problems[0] == LineProblem(2, "Datum", "import.bad_date", "xx")


def test_progress_is_reported_every_500_records_and_at_the_end():
    calls: list[tuple[int, int]] = []
    data = csv_bytes(HEADER, *["01.01.2026;1;A;x"] * 1200)
    result = parse_bookings(data, progress=lambda done, total: calls.append((done, total)))
    assert len(result.rows) == 1200
    assert calls == [(501, 1201), (1001, 1201), (1201, 1201)]


def test_progress_ends_even_for_rejected_files():
    calls: list[tuple[int, int]] = []
    parse_bookings(b"\x00\x01", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 0)]


# ---------------------------------------------------------------- DATEV

DATEV_HEADER = (
    '"EXTF";700;21;"Buchungsstapel";13;20260130140440439;;"RE";"";"";29098;55003;{start};4;'
    '20260101;20261231;"Buchungsstapel";"WD";1;0;0;"EUR";;"";;;"03";;;"";""'
)
DATEV_COLUMNS = (
    "Umsatz (ohne Soll/Haben-Kz);Soll/Haben-Kennzeichen;WKZ Umsatz;Kurs;Basis-Umsatz;"
    "WKZ Basis-Umsatz;Konto;Gegenkonto (ohne BU-Schlüssel);BU-Schlüssel;Belegdatum;Belegfeld 1;"
    "Belegfeld 2;Skonto;Buchungstext;Postensperre;Diverse Adressnummer;Geschäftspartnerbank;"
    "Sachverhalt;Zinssperre;Beleglink;Beleginfo - Art 1;Beleginfo - Inhalt 1;Beleginfo - Art 2;"
    "Beleginfo - Inhalt 2"
)


def datev_row(amount: str, flag: str, konto: str, gegenkonto: str, belegdatum: str, text: str,
              *, currency: str = "EUR", link: str = "", info: tuple[str, ...] = ()) -> str:
    """One Buchungsstapel data row, quoted the way DATEV writes text fields."""
    infos = [f'"{value}"' for value in info] + ['""'] * (4 - len(info))
    fields = [amount, f'"{flag}"', f'"{currency}"', "", "", '""', konto, gegenkonto, '""',
              belegdatum, '"RE-1"', '""', "", f'"{text}"', "", '""', "", "", "", f'"{link}"',
              *infos]
    return ";".join(fields)


def datev_file(*rows: str, start: str = "20260101") -> bytes:
    return csv_bytes(DATEV_HEADER.format(start=start), DATEV_COLUMNS, *rows, encoding="cp1252")


def test_datev_buchungsstapel_signs_dates_and_ledgers():
    data = datev_file(
        datev_row("1190,00", "H", "70001", "4930", "1503", "Rechnung Bürobedarf Müller"),
        datev_row("500,00", "S", "1200", "10001", "3112", "Zahlung Kunde"),
        datev_row("12,50", "S", "10001", "8400", "105", "Rechnung", link="BEDI \"\"ABC\"\""),
        datev_row("7,00", "H", "4930", "1200", "0201", "Sachkonto"),
    )
    result = parse_bookings(data, default_ledger=Ledger.OTHER)
    assert result.format == "datev"
    assert result.ok, result.problems
    assert [(r.ledger, r.date, r.amount_cents, r.receipt_missing) for r in result.rows] == [
        (Ledger.SUPPLIERS, dt.date(2026, 3, 15), -119000, True),
        (Ledger.BANK, dt.date(2026, 12, 31), 50000, False),
        (Ledger.CUSTOMERS, dt.date(2026, 5, 1), 1250, False),  # "105" lost its zero; has a link
        (Ledger.OTHER, dt.date(2026, 1, 2), -700, False),
    ]
    assert result.rows[0].text == "Rechnung Bürobedarf Müller"
    assert result.rows[0].currency == "EUR"


def test_datev_dates_follow_a_fiscal_year_starting_in_july():
    data = datev_file(
        datev_row("1,00", "S", "1200", "8400", "0107", "Beginn"),
        datev_row("1,00", "S", "1200", "8400", "3112", "Silvester"),
        datev_row("1,00", "S", "1200", "8400", "3101", "Januar"),
        datev_row("1,00", "S", "1200", "8400", "3006", "Ende"),
        datev_row("1,00", "S", "1200", "8400", "15032027", "voll"),
        start="20260701",
    )
    result = parse_bookings(data)
    assert result.ok, result.problems
    assert [row.date for row in result.rows] == [
        dt.date(2026, 7, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 31), dt.date(2027, 6, 30),
        dt.date(2027, 3, 15)]


def test_datev_counterparty_and_ledger_from_beleginfo_as_our_export_writes_them():
    data = datev_file(
        datev_row("80,00", "H", "", "", "0502", "Strom", currency="CHF",
                  info=("Gegenpartei", "Stadtwerke AG", "Belegkreis", "Lieferanten")),
        datev_row("3,00", "S", "", "", "0602", "ohne Art", info=("", "Nur Inhalt 1")),
    )
    result = parse_bookings(data, default_ledger=Ledger.BANK)
    assert result.ok, result.problems
    first, second = result.rows
    assert (first.ledger, first.counterparty, first.currency, first.amount_cents) == (
        Ledger.SUPPLIERS, "Stadtwerke AG", "CHF", -8000)
    assert (second.ledger, second.counterparty) == (Ledger.BANK, "Nur Inhalt 1")


def test_datev_problems():
    data = datev_file(
        datev_row("abc", "S", "1200", "8400", "0101", "Betrag"),
        datev_row("1,00", "X", "1200", "8400", "0101", "Kennzeichen"),
        datev_row("1,00", "S", "1200", "8400", "3002", "Datum"),
        datev_row("1,00", "S", "1200", "8400", "", "leer"),
    )
    assert problems(parse_bookings(data)) == [
        (3, "Umsatz (ohne Soll/Haben-Kz)", "import.bad_amount"),
        (4, "Soll/Haben-Kennzeichen", "import.datev_bad_debit_credit"),
        (5, "Belegdatum", "import.bad_date"),
        (6, "Belegdatum", "import.empty_value"),
    ]


def test_datev_other_format_category_is_rejected():
    header = '"EXTF";700;16;"Debitoren/Kreditoren";5;20240130140659583;;"RE";"";"";29098;55003'
    result = parse_bookings(csv_bytes(header, "Konto;Name", "10000;Müller"))
    assert result.format == "datev"
    assert [(p.line, p.message_key, p.value) for p in result.problems] == [
        (1, "import.datev_not_buchungsstapel", "16")]


def test_datev_bad_fiscal_year_is_reported_once():
    data = datev_file(*[datev_row("1,00", "S", "1200", "8400", "0101", "x")] * 3, start="2026")
    result = parse_bookings(data)
    assert problems(result) == [(1, "WJ-Beginn", "import.datev_bad_header")]
    assert result.rows == ()


def test_datev_missing_column_and_no_rows():
    header = DATEV_HEADER.format(start="20260101")
    result = parse_bookings(csv_bytes(header, "Umsatz (ohne Soll/Haben-Kz);Konto", "1,00;1200"))
    assert problems(result) == [(2, "Belegdatum", "import.missing_column")]
    assert problems(parse_bookings(csv_bytes(header, DATEV_COLUMNS))) == [(2, "", "import.no_rows")]
    assert problems(parse_bookings(csv_bytes(header))) == [(1, "", "import.no_rows")]


def test_datev_unquoted_dtvf_with_short_rows_and_generalumkehr():
    header = "DTVF;700;21;Buchungsstapel;13;;;;;;1;2;20260101;5"
    columns = "Umsatz;Soll-/Haben-Kennzeichen;Konto;Belegdatum;Generalumkehr (GU);Buchungstext"
    data = csv_bytes(header, columns, "10,00;S;700001;0101;1", "20,00;H;12000;0201")
    result = parse_bookings(data)
    assert result.ok, result.problems
    assert [(row.ledger, row.amount_cents) for row in result.rows] == [
        (Ledger.SUPPLIERS, -1000), (Ledger.BANK, -2000)]


# ---------------------------------------------------------------- messages


def test_every_problem_key_has_a_message_in_every_language():
    domain = Path(__file__).parents[2] / "portal/domain"
    source = "".join((domain / name).read_text("utf-8") for name in ("booking_import.py", "csv_text.py"))
    used = set(re.findall(r'"(import\.[a-z_]+)"', source))
    for catalog in (de.MESSAGES, en.MESSAGES, fr.MESSAGES):
        assert set(catalog) == used
        for key, text in catalog.items():
            assert set(re.findall(r"{(\w+)}", text)) <= {"line", "column", "value"}, key
            assert text.format(line=3, column="Betrag", value="x")
