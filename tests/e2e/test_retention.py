"""Retention and data protection in the browser: a deleted document goes to the trash and
comes back, a receipt under retention waits there marked; a contact's data is exported and
the contact erased after typing the name."""

import asyncio
import concurrent.futures
import itertools
import re

import pytest
from playwright.sync_api import expect

from portal.domain import retention as rules
from portal.domain.clock import utcnow
from portal.domain.enums import RetentionClass
from portal.i18n import format as fmt
from portal.services import documents, retention
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_a11y import AxeFindings
from tests.e2e.test_login import log_in

LIVE = 8_000
_SERIAL = itertools.count(1)


async def _chunks(data: bytes):
    yield data


def _upload(user, folder_id: int, name: str) -> int:
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    coroutine = documents.upload_document(actor=factories.actor(user), folder_id=folder_id, filename=name,
                                          chunks=_chunks(b"%PDF-1.4\n" + name.encode() * 200))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def office():
    anna = factories.staff(name="Anna Schmidt")
    name = f"Archiv Tresor {next(_SERIAL)} GmbH"
    account = factories.client(name=name, accountants=(anna,))
    maria = factories.contact(account=account, first="Maria", last="Tresor")
    uploads = documents.browse(actor=factories.actor(anna), account_id=account.id).subfolders[0].id
    _upload(anna, uploads, "Kontoauszug Juni.pdf")
    receipt = _upload(anna, uploads, "Rechnung Büromaterial.pdf")
    retention.set_retention_class(actor=factories.actor(anna), document_id=receipt,
                                  retention_class=RetentionClass.RECEIPT)
    _upload(maria, uploads, "Notiz.pdf")
    until = fmt.date(rules.retention_until(utcnow(), RetentionClass.RECEIPT), "de")
    return {"anna": anna, "account": account, "maria": maria, "name": name, "until": until}


def _open_tab(staff, office, tab: str):
    staff.get_by_role("navigation", name="Bereiche des Mandanten").get_by_role("link", name=tab).click()


def test_trash_restore_and_erasing_a_contact(new_page, office):
    staff = new_page(DESKTOP)
    staff.goto("/login")
    log_in(staff, office["anna"].email)
    staff.get_by_role("link", name=office["name"]).click()
    _open_tab(staff, office, "Dokumente")
    expect(staff).to_have_url(re.compile(r"/documents$"))
    staff.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente").click()
    listing = staff.get_by_role("list", name="Ordner und Dateien")
    receipt_row = listing.get_by_role("listitem").filter(has_text="Rechnung Büromaterial.pdf")
    expect(receipt_row).to_contain_text(f"Buchungsbeleg · aufzubewahren bis {office['until']}")
    screenshot(staff, "documents-retention-desktop")

    # Delete both: the statement can come back, the receipt must stay until its period ends.
    for name in ("Kontoauszug Juni.pdf", "Rechnung Büromaterial.pdf"):
        listing.get_by_role("button", name=f"Aktionen: {name}").click()
        staff.get_by_role("menuitem", name="Löschen").click()
        dialog = staff.get_by_role("dialog", name="Löschen")
        expect(dialog).to_contain_text("In den Papierkorb verschieben:")
        dialog.get_by_role("button", name="Löschen").click()
        expect(listing.get_by_role("link", name=f"Herunterladen: {name}")).to_have_count(0)
    expect(listing.get_by_role("link", name="Herunterladen: Notiz.pdf")).to_be_visible()

    staff.get_by_role("tab", name=re.compile(r"^Papierkorb")).click()
    trash = staff.get_by_role("list", name="Inhalt des Papierkorbs")
    expect(trash.get_by_role("listitem")).to_have_count(2)
    kept = trash.get_by_role("listitem").filter(has_text="Rechnung Büromaterial.pdf")
    expect(kept).to_contain_text(f"Aufbewahrungspflicht bis {office['until']}")
    expect(trash.get_by_role("listitem").filter(has_text="Kontoauszug Juni.pdf")).to_contain_text(
        "Gelöscht am")
    expect(trash).to_contain_text("Endgültige Löschung ab")
    screenshot(staff, "trash-staff-desktop")
    staff.set_viewport_size(PHONE)
    expect(trash.get_by_role("button", name="Wiederherstellen: Kontoauszug Juni.pdf")).to_be_visible()
    screenshot(staff, "trash-staff-phone")
    staff.set_viewport_size(DESKTOP)
    axe = AxeFindings()
    axe.scan_both_sizes(staff, "trash")

    trash.get_by_role("button", name="Wiederherstellen: Kontoauszug Juni.pdf").click()
    expect(staff.get_by_role("status").filter(has_text="wurde wiederhergestellt")).to_be_visible()
    expect(trash.get_by_role("listitem")).to_have_count(1)
    staff.get_by_role("tab", name="Ordner").click()  # back in the folder it showed before
    expect(listing.get_by_role("link", name="Herunterladen: Kontoauszug Juni.pdf")).to_be_visible()

    # The contact's data as a ZIP, then the erasure, which asks for the name first.
    _open_tab(staff, office, "Info")
    expect(staff).to_have_url(re.compile(r"/info$"))
    staff.get_by_role("button", name="Datenschutz: Maria Tresor").click()
    with staff.expect_download() as download:
        staff.get_by_role("menuitem", name="Daten exportieren (ZIP)").click()
    assert re.fullmatch(r"Datenauskunft Maria-Tresor \d{4}-\d\d-\d\d\.zip", download.value.suggested_filename)

    staff.get_by_role("button", name="Datenschutz: Maria Tresor").click()
    staff.get_by_role("menuitem", name="Kontakt löschen (DSGVO)").click()
    confirm = staff.get_by_role("alertdialog", name="Kontakt endgültig löschen")
    expect(confirm).to_contain_text("nicht rückgängig")
    confirm.get_by_label("Zur Bestätigung den Namen eingeben").fill("Maria")
    confirm.get_by_role("button", name="Endgültig löschen").click()
    expect(confirm.get_by_role("alert")).to_contain_text("stimmt nicht")
    confirm.get_by_label("Zur Bestätigung den Namen eingeben").fill("Maria Tresor")
    screenshot(staff, "erase-contact-desktop", full_page=False)
    axe.scan(staff, "erase dialog")
    axe.assert_none()
    confirm.get_by_role("button", name="Endgültig löschen").click()
    expect(confirm).to_have_count(0)
    expect(staff.get_by_role("status").filter(has_text="Der Kontakt wurde gelöscht")).to_contain_text(
        "1 in den Papierkorb verschoben")
    expect(staff.get_by_text("Gelöschter Kontakt", exact=True)).to_be_visible()
    expect(staff.get_by_text("Gelöscht (DSGVO)")).to_be_visible()
    expect(staff.get_by_role("button", name="Datenschutz: Maria Tresor")).to_have_count(0)
    screenshot(staff, "erased-contact-desktop")

    # Her note went to the trash; she cannot log in any more.
    _open_tab(staff, office, "Dokumente")
    staff.get_by_role("tab", name=re.compile(r"^Papierkorb")).click()
    expect(staff.get_by_role("list", name="Inhalt des Papierkorbs")).to_contain_text("Notiz.pdf")
    client = new_page(PHONE)
    client.goto("/login")
    log_in(client, office["maria"].email)
    expect(client.get_by_role("alert")).to_be_visible()
    expect(client).to_have_url(re.compile(r"/login"))
