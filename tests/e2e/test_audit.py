"""The client's "Protokoll" tab: a client logs in and downloads a document; the accountant
sees both in the protocol, filters it, and exports it as CSV and as PDF."""

import asyncio
import concurrent.futures
import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal import routes
from portal.models import Document
from portal.services import db, documents, folders
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_login import log_in

_SERIAL = itertools.count(1)
PDF = b"%PDF-1.4\n" + b"j" * 3000


async def _one_chunk(data: bytes):
    yield data


def _upload(actor, folder_id: int, filename: str, data: bytes) -> int:
    # Playwright's sync API runs an event loop in this thread: the upload gets its own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, documents.upload_document(actor=actor, folder_id=folder_id, filename=filename,
                                                                  chunks=_one_chunk(data))).result()


@pytest.fixture
def office():
    anna = factories.staff(name="Anna Schmidt")
    name = f"Protokoll Bäckerei {next(_SERIAL)} GmbH"
    account = factories.client(name=name, accountants=(anna,))
    maria = factories.contact(account=account, first="Maria", last="Protokoll")
    with db.session() as s:
        folder_id = folders.uploads_folder(s, account.id).id
        s.commit()
    document_id = _upload(factories.actor(anna), folder_id, "Jahresabschluss 2026.pdf", PDF)
    with db.session() as s:
        key = s.exec(select(Document.blob_key).where(Document.id == document_id)).one()
    return {"anna": anna, "maria": maria, "name": name, "key": key}


def _open_protocol(page, office) -> None:
    page.goto("/login")
    log_in(page, office["anna"].email)
    page.get_by_role("link", name=office["name"]).click()
    page.get_by_role("navigation", name="Bereiche des Mandanten").get_by_role("link", name="Protokoll").click()
    expect(page).to_have_url(re.compile(r"/protocol$"))
    expect(page.get_by_role("heading", name=office["name"], level=1)).to_be_visible()


def test_staff_read_filter_and_export_the_protocol(new_page, office):
    # The client logs in and downloads a document from the portal.
    client = new_page(PHONE)
    client.goto("/login")
    log_in(client, office["maria"].email)
    expect(client).to_have_url(re.compile(r"/portal/?$"))
    download = client.request.get(routes.file(office["key"]))
    assert download.status == 200 and download.body() == PDF

    staff = new_page(DESKTOP)
    _open_protocol(staff, office)
    table = staff.get_by_role("table", name="Protokolleinträge")
    login_row = table.get_by_role("row").filter(has_text="Anmeldung").filter(has_text="Maria Protokoll")
    expect(login_row).to_have_count(1)
    expect(login_row).to_contain_text("per Passwort")
    download_row = table.get_by_role("row").filter(has_text="Dokument heruntergeladen")
    expect(download_row).to_contain_text("Maria Protokoll")
    expect(download_row).to_contain_text("Dokument: Jahresabschluss 2026.pdf")
    expect(download_row).to_contain_text(re.compile(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d:\d\d"))  # local time, seconds
    screenshot(staff, "protocol-staff-desktop")

    # Only documents.
    staff.get_by_label("Art der Aktion").click()
    staff.get_by_role("option", name="Dokumente").click()
    expect(table.get_by_role("row").filter(has_text="Anmeldung")).to_have_count(0)
    expect(table.get_by_role("row").filter(has_text="Dokument heruntergeladen")).to_have_count(1)

    # Export what is shown, as CSV and as PDF.
    staff.get_by_role("button", name="Protokoll exportieren").click()
    dialog = staff.get_by_role("dialog", name="Protokoll exportieren")
    expect(dialog).to_contain_text("Art der Aktion: Dokumente")
    expect(dialog.get_by_label("Von")).to_be_visible()
    staff.wait_for_timeout(400)  # the dialog's opening animation
    screenshot(staff, "protocol-export-desktop", full_page=False)
    with staff.expect_download() as csv_download:
        dialog.get_by_role("button", name="CSV herunterladen").click()
    assert re.fullmatch(r"Protokoll_Protokoll_Bäckerei_\d+_GmbH_\d{4}-\d\d-\d\d\.csv",
                        csv_download.value.suggested_filename)
    text = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
    assert text.startswith("Zeitpunkt (Europe/Berlin);Wer;Seite;Aktion;")
    assert "Maria Protokoll;Mandant;Dokument heruntergeladen;document.downloaded" in text
    assert "login.succeeded" not in text  # the filter applies to the export too
    with staff.expect_download() as pdf_download:
        dialog.get_by_role("button", name="PDF herunterladen").click()
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")
    dialog.get_by_role("button", name="Schließen").click()

    # Both exports are in the protocol themselves.
    staff.get_by_label("Art der Aktion").click()
    staff.get_by_role("option", name="Exporte").click()
    expect(table.get_by_role("row").filter(has_text="Protokoll exportiert")).to_have_count(2)
    expect(table).to_contain_text("Format PDF")

    # On a phone the entries are cards, and nothing scrolls sideways.
    phone = new_page(PHONE)
    _open_protocol(phone, office)
    cards = phone.get_by_role("list", name="Protokolleinträge")
    expect(cards.get_by_role("listitem").filter(has_text="Dokument heruntergeladen")).to_be_visible()
    expect(phone.get_by_role("table", name="Protokolleinträge")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "protocol-staff-phone")
    phone.get_by_role("button", name="Protokoll exportieren").click()
    expect(phone.get_by_role("dialog", name="Protokoll exportieren")).to_be_visible()
    phone.wait_for_timeout(400)
    screenshot(phone, "protocol-export-phone", full_page=False)
