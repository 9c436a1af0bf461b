"""DATEV Buchungsstapel, Excel CSV and export ZIP (portal/domain/datev.py)."""

import csv
import datetime as dt
import importlib.util
import io
import zipfile

import pytest

from portal.domain import datev
from portal.domain.datev import (
    BUCHUNGSSTAPEL_COLUMNS,
    DatevHeader,
    ExportBooking,
    buchungsstapel,
    bookings_csv,
    receipt_entry_names,
    write_export_zip,
)

# The first 20 headings exactly as in DATEV's Formatversion 13 sample files.
OFFICIAL_FIRST_20 = [
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
]

# 1-based field numbers of the Buchungsstapel columns we fill.
UMSATZ, SH, WKZ, KONTO, GEGENKONTO, BELEGDATUM, BELEGFELD1, BUCHUNGSTEXT = 1, 2, 3, 7, 8, 10, 11, 14
BELEGLINK, ART1, INHALT1, ART2, INHALT2 = 20, 21, 22, 23, 24


def make_header(**overrides) -> DatevHeader:
    values = {
        "consultant_number": 29098,
        "client_number": 55003,
        "fiscal_year_start": dt.date(2026, 1, 1),
        "created_at": dt.datetime(2026, 11, 22, 14, 4, 5, 678_000),
        "exported_by": "Anna Berater",
        "period_from": dt.date(2026, 1, 1),
        "period_to": dt.date(2026, 12, 31),
    }
    values.update(overrides)
    return DatevHeader(**values)


def make_booking(**overrides) -> ExportBooking:
    values = {
        "id": 12,
        "ledger": "suppliers",
        "date": dt.date(2026, 3, 5),
        "amount_cents": -123_456,
        "currency": "EUR",
        "counterparty": "Büro & Mehr GmbH",
        "text": "Druckerpapier",
        "receipt_filenames": ("rechnung.pdf",),
    }
    values.update(overrides)
    return ExportBooking(**values)


def split_raw(line: str) -> list[str]:
    """Split one DATEV record on semicolons outside quotes, keeping the quotes."""
    fields, current, quoted = [], [], False
    for char in line:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return fields


def datev_lines(data: bytes) -> list[str]:
    text = data.decode("cp1252")
    assert text.endswith("\r\n")
    return text[: -len("\r\n")].split("\r\n")


def row_of(booking: ExportBooking) -> list[str]:
    """The raw fields of the single data row for ``booking``."""
    lines = datev_lines(buchungsstapel([booking], header=make_header()))
    assert len(lines) == 3
    fields = split_raw(lines[2])
    assert len(fields) == len(BUCHUNGSSTAPEL_COLUMNS)
    return fields


def field(fields: list[str], number: int) -> str:
    return fields[number - 1]


# ---------------------------------------------------------------- header record


def test_header_record_field_by_field():
    header_line = datev_lines(buchungsstapel([], header=make_header()))[0]
    fields = split_raw(header_line)
    assert len(fields) == 31
    expected = {
        1: '"EXTF"',
        2: "700",
        3: "21",
        4: '"Buchungsstapel"',
        5: "13",
        6: "20261122140405678",
        7: "",
        8: '"RE"',
        9: '"Anna Berater"',
        10: '""',
        11: "29098",
        12: "55003",
        13: "20260101",
        14: "4",
        15: "20260101",
        16: "20261231",
        17: '"Mandantenportal"',
        18: '""',
        19: "1",
        20: "0",
        21: "0",
        22: '"EUR"',
        23: "",
        24: '""',
        25: "",
        26: "",
        27: '""',
        28: "",
        29: "",
        30: '""',
        31: '""',
    }
    assert {number: field(fields, number) for number in expected} == expected


def test_header_matches_datev_example_shape():
    # DATEV's own example header, with our values: same quoting of every field.
    official = (
        '"EXTF";700;21;"Buchungsstapel";13;20240130140440439;;"RE";"";"";29098;55003;'
        '20240101;4;20240101;20240831;"Buchungsstapel";"WD";1;0;0;"EUR";;"";;;"03";;;"";""'
    )
    ours = datev_lines(buchungsstapel([], header=make_header()))[0]
    quoted = [f.startswith('"') for f in split_raw(ours)]
    assert quoted == [f.startswith('"') for f in split_raw(official)]


def test_header_created_at_aware_is_german_local_time():
    created = dt.datetime(2026, 7, 1, 10, 0, 0, 5_000, tzinfo=dt.UTC)  # CEST = UTC+2
    header_line = datev_lines(buchungsstapel([], header=make_header(created_at=created)))[0]
    assert field(split_raw(header_line), 6) == "20260701120000005"


def test_header_accepts_a_fiscal_year_from_the_previous_calendar_year():
    header = make_header(
        fiscal_year_start=dt.date(2025, 7, 1), period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 6, 30)
    )
    fields = split_raw(datev_lines(buchungsstapel([], header=header))[0])
    assert [field(fields, n) for n in (13, 15, 16)] == ["20250701", "20260101", "20260630"]


def test_header_texts_are_cut_and_account_length_passed():
    header = make_header(description="X" * 40, exported_by="Y" * 40, account_length=6)
    fields = split_raw(datev_lines(buchungsstapel([], header=header))[0])
    assert field(fields, 17) == '"' + "X" * 30 + '"'
    assert field(fields, 9) == '"' + "Y" * 25 + '"'
    assert field(fields, 14) == "6"


@pytest.mark.parametrize(
    "overrides",
    [
        {"consultant_number": 1000},
        {"client_number": 100_000},
        {"account_length": 9},
        {"period_from": dt.date(2026, 5, 1), "period_to": dt.date(2026, 4, 30)},
        {"period_from": dt.date(2026, 12, 1), "period_to": dt.date(2027, 1, 31)},
        {"fiscal_year_start": dt.date(2026, 7, 1)},
        {"fiscal_year_start": dt.date(2025, 7, 1), "period_from": dt.date(2026, 1, 1)},
        {"currency": "euro"},
    ],
)
def test_header_rejects_values_datev_refuses(overrides):
    with pytest.raises(ValueError):
        make_header(**overrides)


# ---------------------------------------------------------------- column headings


def test_column_headings_line():
    headings = split_raw(datev_lines(buchungsstapel([], header=make_header()))[1])
    assert len(headings) == 125
    assert headings[:20] == OFFICIAL_FIRST_20
    assert headings.index("Beleglink") == BELEGLINK - 1
    assert headings[ART1 - 1 : INHALT2] == [
        "Beleginfo - Art 1",
        "Beleginfo - Inhalt 1",
        "Beleginfo - Art 2",
        "Beleginfo - Inhalt 2",
    ]
    assert headings[47:49] == ["Zusatzinformation - Art 1", "Zusatzinformation- Inhalt 1"]
    assert headings[-6:] == [
        "Land",
        "Abrechnungsreferenz",
        "BVV-Position",
        "EU-Land u. UStID (Ursprung)",
        "EU-Steuersatz (Ursprung)",
        "Abw. Skontokonto",
    ]


# ---------------------------------------------------------------- data rows


def test_row_for_money_out_field_by_field():
    fields = row_of(make_booking())
    assert field(fields, UMSATZ) == "1234,56"
    assert field(fields, SH) == '"H"'
    assert field(fields, WKZ) == '"EUR"'
    assert field(fields, KONTO) == ""
    assert field(fields, GEGENKONTO) == ""
    assert field(fields, BELEGDATUM) == "0503"
    assert field(fields, BELEGFELD1) == '"P12"'
    assert field(fields, BUCHUNGSTEXT) == '"Druckerpapier"'
    assert field(fields, BELEGLINK) == '"Belege/P12_rechnung.pdf"'
    assert field(fields, ART1) == '"Gegenpartei"'
    assert field(fields, INHALT1) == '"Büro & Mehr GmbH"'
    assert field(fields, ART2) == '"Belegkreis"'
    assert field(fields, INHALT2) == '"Lieferanten"'
    filled = {UMSATZ, SH, WKZ, BELEGDATUM, BELEGFELD1, BUCHUNGSTEXT, BELEGLINK, ART1, INHALT1, ART2, INHALT2}
    assert all(value == "" for number, value in enumerate(fields, 1) if number not in filled)


@pytest.mark.parametrize(
    ("cents", "amount", "side"),
    [
        (123_456, "1234,56", '"S"'),
        (-5, "0,05", '"H"'),
        (100, "1,00", '"S"'),
        (-999_999_999_999, "9999999999,99", '"H"'),
    ],
)
def test_amount_is_positive_with_side_flag(cents, amount, side):
    fields = row_of(make_booking(amount_cents=cents))
    assert (field(fields, UMSATZ), field(fields, SH)) == (amount, side)


def test_amount_too_large_for_datev():
    with pytest.raises(ValueError):
        buchungsstapel([make_booking(amount_cents=10**12)], header=make_header())


def test_zero_amount_rows_are_left_out():
    data = buchungsstapel([make_booking(amount_cents=0), make_booking(id=13)], header=make_header())
    lines = datev_lines(data)
    assert len(lines) == 3
    assert field(split_raw(lines[2]), BELEGFELD1) == '"P13"'


def test_foreign_currency_and_dates():
    fields = row_of(make_booking(currency="usd", date=dt.date(2026, 12, 31)))
    assert field(fields, WKZ) == '"USD"'
    assert field(fields, BELEGDATUM) == "3112"


def test_booking_outside_the_header_year_is_refused():
    with pytest.raises(ValueError, match="one file per year"):
        buchungsstapel([make_booking(date=dt.date(2025, 12, 31))], header=make_header())


def test_text_is_cut_to_60_characters():
    fields = row_of(make_booking(text="A" * 59 + "BCDEF"))
    assert field(fields, BUCHUNGSTEXT) == '"' + "A" * 59 + 'B"'


def test_counterparty_is_cut_to_210_characters_and_omitted_when_empty():
    fields = row_of(make_booking(counterparty="C" * 300))
    assert field(fields, INHALT1) == '"' + "C" * 210 + '"'
    fields = row_of(make_booking(counterparty=""))
    assert (field(fields, ART1), field(fields, INHALT1)) == ("", "")


def test_quotes_are_doubled_and_semicolons_stay_inside_the_field():
    fields = row_of(make_booking(text='Say "hi"; then pay', counterparty='"Q"; GmbH'))
    assert field(fields, BUCHUNGSTEXT) == '"Say ""hi""; then pay"'
    assert field(fields, INHALT1) == '"""Q""; GmbH"'


def test_line_breaks_and_tabs_in_text_become_spaces():
    fields = row_of(make_booking(text="Zeile 1\r\nZeile\t2"))
    assert field(fields, BUCHUNGSTEXT) == '"Zeile 1 Zeile 2"'


def test_no_receipt_means_no_beleglink():
    assert field(row_of(make_booking(receipt_filenames=())), BELEGLINK) == ""


def test_ledgers_in_german():
    names = [field(row_of(make_booking(ledger=ledger)), INHALT2) for ledger in ("customers", "bank", "other")]
    assert names == ['"Kunden"', '"Bank"', '"Sonstige"']


# ---------------------------------------------------------------- encoding


def test_windows_1252_encoding_with_question_mark_for_the_rest():
    data = buchungsstapel([make_booking(text="Müller € Straße 😀", counterparty="Łódź")], header=make_header())
    assert "Müller € Straße ?".encode("cp1252") in data
    assert b"M\xfcller \x80 Stra\xdfe ?" in data
    assert b'"?\xf3d?"' in data  # Ł and ź are not in Windows-1252, ó is
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_crlf_line_endings_only():
    data = buchungsstapel([make_booking(), make_booking(id=13)], header=make_header())
    assert data.count(b"\n") == 4
    assert data.count(b"\r\n") == 4
    assert data.endswith(b"\r\n")
    assert not data.startswith(b"\xef\xbb\xbf")


# ---------------------------------------------------------------- CSV for Excel


def csv_lines(data: bytes) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    return text[: -len("\r\n")].split("\r\n")


def test_bookings_csv_german_formats():
    lines = csv_lines(
        bookings_csv(
            [
                make_booking(date=dt.date(2026, 12, 31), receipt_filenames=("a.pdf", "b.jpg")),
                make_booking(
                    id=13,
                    ledger="customers",
                    amount_cents=100_000_050,
                    counterparty="",
                    text="",
                    receipt_filenames=(),
                ),
            ]
        )
    )
    assert lines[0] == "Datum;Betrag;Währung;Belegkreis;Gegenpartei;Buchungstext;Beleg"
    assert lines[1] == "31.12.2026;-1.234,56;EUR;Lieferanten;Büro & Mehr GmbH;Druckerpapier;a.pdf, b.jpg"
    assert lines[2] == "05.03.2026;1.000.000,50;EUR;Kunden;;;"


@pytest.mark.parametrize("ledger, name", [("bank", "Bank"), ("other", "Sonstige")])
def test_bookings_csv_ledgers(ledger, name):
    assert csv_lines(bookings_csv([make_booking(ledger=ledger)]))[1].split(";")[3] == name


def test_bookings_csv_neutralises_formulas_but_not_the_amount():
    booking = make_booking(
        amount_cents=-200, counterparty="+1", text="=SUM(A1)", receipt_filenames=("-2.pdf", "@x.pdf")
    )
    line = csv_lines(bookings_csv([booking]))[1]
    assert line == "05.03.2026;-2,00;EUR;Lieferanten;'+1;'=SUM(A1);'-2.pdf, @x.pdf"


@pytest.mark.parametrize("text", ["-2", "@cmd", "\tx", "\rx", "=1+1", "+49 30"])
def test_bookings_csv_every_formula_start_gets_an_apostrophe(text):
    data = bookings_csv([make_booking(text=text)])
    cell = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))[1][5]
    assert cell == "'" + text


def test_bookings_csv_quotes_semicolons():
    line = csv_lines(bookings_csv([make_booking(text='a;b "c"')]))[1]
    assert line.split(";Lieferanten;", 1)[1] == 'Büro & Mehr GmbH;"a;b ""c""";rechnung.pdf'


# ---------------------------------------------------------------- receipt names


def test_receipt_names_are_safe_and_unique():
    booking = make_booking(
        receipt_filenames=(
            "../../etc/passwd",
            "a/b.pdf",
            "C:\\Users\\x\\Rechnung März.pdf",
            "b.pdf",
            "B.PDF",
            "..",
            "",
            "😀.png",
        )
    )
    assert receipt_entry_names(booking) == (
        "Belege/P12_passwd",
        "Belege/P12_b.pdf",
        "Belege/P12_Rechnung_Maerz.pdf",
        "Belege/P12_b_2.pdf",
        "Belege/P12_B_3.PDF",
        "Belege/P12_beleg",
        "Belege/P12_beleg_2",
        "Belege/P12_beleg.png",
    )
    for name in receipt_entry_names(booking):
        entry = name.removeprefix("Belege/")
        assert "/" not in entry and "\\" not in entry and ".." not in entry
        assert entry.isascii()


def test_receipt_names_are_bounded():
    (name,) = receipt_entry_names(make_booking(receipt_filenames=("x" * 500 + ".pdf",)))
    assert name.endswith(".pdf")
    assert len(name.removeprefix("Belege/P12_")) <= datev.MAX_SAFE_NAME


# ---------------------------------------------------------------- ZIP


class ChunkRecordingFile(io.RawIOBase):
    """A large readable file that records how much each read asked for."""

    def __init__(self, size: int):
        self.remaining = size
        self.requests: list[int] = []
        self.closed_by_export = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.requests.append(size)
        if size < 0:
            size = self.remaining
        size = min(size, self.remaining)
        self.remaining -= size
        return b"\x00" * size

    def close(self) -> None:
        self.closed_by_export = True
        super().close()


def opener_for(data: bytes):
    return lambda: io.BytesIO(data)


def build_zip(bookings, receipts, out=None) -> tuple[zipfile.ZipFile, list[str]]:
    out = out or io.BytesIO()
    written = write_export_zip(out, bookings, header=make_header(), receipts=receipts)
    return zipfile.ZipFile(io.BytesIO(out.getvalue())), written


def test_zip_holds_datev_file_csv_and_receipts_with_matching_links():
    bookings = [make_booking(), make_booking(id=13, receipt_filenames=()), make_booking(id=14)]
    receipts = {
        12: [("rechnung.pdf", opener_for(b"%PDF-12")), ("lieferschein.pdf", opener_for(b"%PDF-12b"))],
        14: [("foto.jpg", opener_for(b"JPEG14"))],
    }
    archive, written = build_zip(bookings, receipts)
    assert archive.namelist() == written == [
        "EXTF_Buchungsstapel.csv",
        "Buchungen.csv",
        "Belege/P12_rechnung.pdf",
        "Belege/P12_lieferschein.pdf",
        "Belege/P14_foto.jpg",
    ]
    assert archive.testzip() is None
    assert archive.read("Belege/P12_lieferschein.pdf") == b"%PDF-12b"
    assert archive.read("Belege/P14_foto.jpg") == b"JPEG14"

    rows = [split_raw(line) for line in datev_lines(archive.read("EXTF_Buchungsstapel.csv"))[2:]]
    links = [field(row, BELEGLINK).strip('"') for row in rows]
    assert links == ["Belege/P12_rechnung.pdf", "", "Belege/P14_foto.jpg"]
    assert all(link in archive.namelist() for link in links if link)

    csv_rows = csv_lines(archive.read("Buchungen.csv"))[1:]
    assert [row.split(";")[-1] for row in csv_rows] == [
        "Belege/P12_rechnung.pdf, Belege/P12_lieferschein.pdf",
        "",
        "Belege/P14_foto.jpg",
    ]


def test_zip_receipts_mapping_decides_the_names():
    # The booking claims another file name; the ZIP and its links follow `receipts`.
    booking = make_booking(receipt_filenames=("stale.pdf",))
    archive, _ = build_zip([booking], {12: [("neu.pdf", opener_for(b"x"))]})
    row = split_raw(datev_lines(archive.read("EXTF_Buchungsstapel.csv"))[2])
    assert field(row, BELEGLINK) == '"Belege/P12_neu.pdf"'
    assert "Belege/P12_stale.pdf" not in archive.namelist()


def test_zip_makes_unsafe_and_duplicate_names_safe():
    receipts = {
        12: [
            ("../../etc/passwd", opener_for(b"1")),
            ("a/b.pdf", opener_for(b"2")),
            ("b.pdf", opener_for(b"3")),
            ("b.pdf", opener_for(b"4")),
        ]
    }
    archive, _ = build_zip([make_booking()], receipts)
    names = archive.namelist()[2:]
    assert names == ["Belege/P12_passwd", "Belege/P12_b.pdf", "Belege/P12_b_2.pdf", "Belege/P12_b_3.pdf"]
    assert [archive.read(name) for name in names] == [b"1", b"2", b"3", b"4"]
    assert len(set(name.lower() for name in archive.namelist())) == len(archive.namelist())


def test_zip_streams_large_receipts_in_chunks():
    size = 5 * 1024 * 1024
    big = ChunkRecordingFile(size)
    archive, _ = build_zip([make_booking()], {12: [("gross.pdf", lambda: big)]})
    assert archive.getinfo("Belege/P12_gross.pdf").file_size == size
    assert len(big.requests) > 1
    assert all(0 < request <= datev.COPY_CHUNK_BYTES for request in big.requests)
    assert big.closed_by_export


def test_zip_can_be_written_to_an_unseekable_stream():
    class Unseekable(io.RawIOBase):
        def __init__(self):
            self.buffer = bytearray()

        def writable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def write(self, data) -> int:
            self.buffer += data
            return len(data)

        def getvalue(self) -> bytes:
            return bytes(self.buffer)

    archive, _ = build_zip([make_booking()], {12: [("r.pdf", opener_for(b"abc"))]}, out=Unseekable())
    assert archive.read("Belege/P12_r.pdf") == b"abc"
    assert archive.testzip() is None


def test_zip_refuses_duplicate_booking_ids():
    with pytest.raises(ValueError, match="unique"):
        write_export_zip(io.BytesIO(), [make_booking(), make_booking()], header=make_header(), receipts={})


# ---------------------------------------------------------------- round trip


@pytest.mark.skipif(
    importlib.util.find_spec("portal.domain.booking_import") is None,
    reason="portal/domain/booking_import.py not written yet",
)
def test_round_trip_through_the_importer():
    from portal.domain.booking_import import parse_bookings

    bookings = [
        make_booking(),
        make_booking(id=13, amount_cents=98_765, text='Honorar "März"; Teil 1', counterparty="Kunde AG"),
    ]
    result = parse_bookings(buchungsstapel(bookings, header=make_header()))
    assert not result.problems
    assert len(result.rows) == len(bookings)
    for row, booking in zip(result.rows, bookings, strict=True):
        values = row if isinstance(row, dict) else vars(row)
        if "amount_cents" in values:
            assert values["amount_cents"] == booking.amount_cents
        if "date" in values:
            assert values["date"] == booking.date
        if "text" in values:
            assert values["text"] == booking.text
