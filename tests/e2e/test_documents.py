"""Documents in two browsers: staff folders and uploads, the client's shared folders, and a
client task ticked and answered with a file while the accountant watches."""

import itertools
import re

import pytest
from playwright.sync_api import expect

from portal.services import conversations
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_login import log_in

LIVE = 8_000
_SERIAL = itertools.count(1)


@pytest.fixture
def office(tmp_path):
    anna = factories.staff(name="Anna Schmidt")
    name = f"Ordner Bäckerei {next(_SERIAL)} GmbH"
    account = factories.client(name=name, accountants=(anna,))
    maria = factories.contact(account=account, first="Maria", last="Ordner")
    files = {}
    for filename, data in [("Bescheid.pdf", b"%PDF-1.4\n" + b"b" * 4000), ("Konten.csv", b"Datum;Betrag\n1;2\n"),
                           ("tool.pdf", b"MZ\x90\x00 windows program" * 10),
                           ("Auszug.pdf", b"%PDF-1.4\n" + b"a" * 2000)]:
        path = tmp_path / filename
        path.write_bytes(data)
        files[filename] = str(path)
    return {"anna": anna, "account": account, "maria": maria, "name": name, "files": files}


def _open_documents(staff, office):
    staff.goto("/login")
    log_in(staff, office["anna"].email)
    staff.get_by_role("link", name=office["name"]).click()
    staff.get_by_role("navigation", name="Bereiche des Mandanten").get_by_role("link", name="Dokumente").click()
    expect(staff).to_have_url(re.compile(r"/documents$"))


def test_staff_folders_uploads_and_the_clients_shared_view(new_page, office):
    staff = new_page(DESKTOP)
    _open_documents(staff, office)

    # A private folder for the firm next to the shared uploads folder.
    staff.get_by_role("button", name="Neuer Ordner").click()
    dialog = staff.get_by_role("dialog", name="Neuer Ordner")
    dialog.get_by_label("Name").fill("Steuer: 2026")
    dialog.get_by_role("button", name="Speichern").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Zeichen :")  # names the refused character
    dialog.get_by_label("Name").fill("Kalkulation intern")
    dialog.get_by_role("button", name="Speichern").click()
    expect(staff.get_by_role("button", name="Ordner öffnen: Kalkulation intern")).to_be_visible()

    staff.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente").click()
    staff.locator("#staff-documents input[type=file]").set_input_files(
        [office["files"]["Bescheid.pdf"], office["files"]["Konten.csv"], office["files"]["tool.pdf"]])
    uploads = staff.get_by_role("list", name="Dateien dieses Uploads")
    expect(uploads.get_by_text("Gespeichert", exact=True)).to_have_count(2, timeout=LIVE)
    expect(uploads).to_contain_text("Dieser Dateityp wird nicht angenommen")
    listing = staff.get_by_role("list", name="Ordner und Dateien")
    expect(listing.get_by_role("link", name="Herunterladen: Bescheid.pdf")).to_be_visible()
    expect(listing.get_by_role("link", name="Herunterladen: tool.pdf")).to_have_count(0)
    screenshot(staff, "documents-staff-desktop")

    # The client sees the shared folder only, downloads as attachment, and uploads live to the firm.
    client = new_page(PHONE)
    client.goto("/login")
    log_in(client, office["maria"].email)
    client.get_by_role("link", name="Dokumente").last.click()
    expect(client.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente")).to_be_visible()
    expect(client.get_by_role("button", name="Ordner öffnen: Kalkulation intern")).to_have_count(0)
    client.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente").click()
    link = client.get_by_role("link", name="Herunterladen: Bescheid.pdf")
    response = client.request.get(link.get_attribute("href"))
    assert response.status == 200 and "attachment" in response.headers["content-disposition"]
    assert response.headers["x-content-type-options"] == "nosniff"
    client.locator("#client-documents input[type=file]").set_input_files(office["files"]["Auszug.pdf"])
    expect(client.get_by_role("list", name="Dateien dieses Uploads").get_by_text("Gespeichert", exact=True)).to_be_visible(
        timeout=LIVE)
    screenshot(client, "documents-client-phone")
    expect(listing.get_by_role("link", name="Herunterladen: Auszug.pdf")).to_be_visible(timeout=LIVE)  # live
    expect(listing).to_contain_text("Maria Ordner")


def test_client_ticks_a_task_and_uploads_against_it(new_page, office):
    anna = factories.actor(office["anna"])
    conversations.start_conversation(actor=anna, account_id=office["account"].id, subject="Jahresabschluss 2026",
                                     body="Bitte reichen Sie noch folgende Unterlagen ein.")
    staff = new_page(DESKTOP)
    staff.goto("/login")
    log_in(staff, office["anna"].email)
    staff.get_by_role("link", name="Posteingang").first.click()
    staff.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Jahresabschluss 2026").click()
    sheet = staff.get_by_role("dialog", name="Jahresabschluss 2026")
    sheet.get_by_label("Neue Aufgabe für den Mandanten").fill("Kontoauszüge Dezember")
    sheet.get_by_role("button", name="Hinzufügen").click()
    expect(sheet.get_by_role("checkbox", name="Kontoauszüge Dezember")).to_be_visible()
    expect(sheet.get_by_label("Neue Aufgabe für den Mandanten")).to_have_value("")
    sheet.get_by_label("Neue Aufgabe für den Mandanten").fill("Lohnjournal 2026")
    sheet.get_by_role("button", name="Hinzufügen").click()
    expect(sheet.get_by_text("0 / 2 erledigt")).to_be_visible()

    client = new_page(PHONE)
    client.goto("/login")
    log_in(client, office["maria"].email)
    client.get_by_role("link", name="Nachrichten").last.click()
    client.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Jahresabschluss 2026").click()
    client_sheet = client.get_by_role("dialog", name="Jahresabschluss 2026")
    client_sheet.get_by_role("checkbox", name="Lohnjournal 2026").click()
    expect(sheet.get_by_text("1 / 2 erledigt")).to_be_visible(timeout=LIVE)  # the accountant sees it live

    client_sheet.get_by_role("button", name="Datei hochladen: Kontoauszüge Dezember").click()
    client_sheet.locator("#task-upload input[type=file]").set_input_files(office["files"]["Auszug.pdf"])
    expect(client_sheet.get_by_role("link", name="Herunterladen: Auszug.pdf")).to_be_visible(timeout=LIVE)
    expect(client_sheet.get_by_role("checkbox", name="Kontoauszüge Dezember")).to_be_checked()
    screenshot(client, "tasks-client-phone")
    expect(sheet.get_by_text("2 / 2 erledigt")).to_be_visible(timeout=LIVE)
    expect(sheet.get_by_role("link", name="Herunterladen: Auszug.pdf")).to_be_visible()
    screenshot(staff, "tasks-staff-desktop")
