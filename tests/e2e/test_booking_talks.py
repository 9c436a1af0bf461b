"""Mandanten-Talk in two browsers: the accountant asks, the client answers live, export closes."""

import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from portal.models import ClientAccount
from portal.services import db
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_login import log_in

LIVE = 5_000  # ms: a live update must arrive well within this, without reload


@pytest.fixture
def talk_setup(tmp_path):
    factories.ensure_firm()
    anna = factories.staff(name="Anna Schmidt")
    account = factories.client(name="Bäckerei Talk GmbH", accountants=(anna,), missing_receipts=4)
    with db.session() as s:
        row = s.get(ClientAccount, account.id)
        row.datev_client_number = 10001
        s.add(row)
        s.commit()
    maria = factories.contact(account=account, first="Maria", last="Hofmann")
    receipt = tmp_path / "beleg.png"
    Image.new("RGB", (600, 800), (250, 236, 190)).save(receipt)
    return {"anna": anna, "maria": maria, "account": account, "receipt": receipt}


def open_booking(page: Page, counterparty: str) -> None:
    page.get_by_role("table").get_by_role("button", name="Buchung öffnen").filter(has_text=counterparty).click()
    expect(page.get_by_role("dialog")).to_be_visible()


def row_of(page: Page, counterparty: str):
    return page.get_by_role("table").get_by_role("row").filter(has_text=counterparty)


def test_booking_talk_journey(new_page, talk_setup):
    client = new_page(PHONE)
    client.goto("/login")
    log_in(client, talk_setup["maria"].email)
    expect(client.get_by_role("heading", name="Maria Hofmann")).to_be_visible()
    expect(client.get_by_role("button", name="Frage öffnen")).to_have_count(0)

    staff = new_page(DESKTOP)
    staff.goto("/login")
    log_in(staff, talk_setup["anna"].email)
    staff.get_by_role("link", name="Bäckerei Talk GmbH").click()
    expect(staff.get_by_role("heading", name="Bäckerei Talk GmbH")).to_be_visible()
    expect(row_of(staff, "Lieferant 4")).to_contain_text("Beleg fehlt")

    # The accountant asks about a booking with a missing receipt.
    open_booking(staff, "Lieferant 4")
    staff.get_by_label("Absender").fill("Anna aus der Kanzlei")
    staff.get_by_label("Nachricht", exact=True).fill("Bitte laden Sie die Rechnung von Lieferant 4 hoch.")
    staff.get_by_role("button", name="Senden").click()
    staff_log = staff.get_by_role("log", name="Nachrichten")
    expect(staff_log).to_contain_text("Bitte laden Sie die Rechnung von Lieferant 4 hoch.")
    expect(staff_log).to_contain_text(re.compile("Gesendet|Zugestellt"))  # her open portal may be quicker
    screenshot(staff, "talk-staff-asked-desktop")

    # The client, already on the portal, sees the question without reload.
    question = client.get_by_role("button", name="Frage öffnen")
    expect(question).to_have_count(1, timeout=LIVE)
    expect(question).to_contain_text("Lieferant 4")
    screenshot(client, "talk-client-question-phone")
    expect(staff_log).to_contain_text("Zugestellt", timeout=LIVE)  # her portal received it

    # She answers and uploads the receipt photo.
    question.click()
    client_log = client.get_by_role("log", name="Nachrichten")
    expect(client_log).to_contain_text("Anna aus der Kanzlei")
    expect(staff_log).to_contain_text("Gelesen", timeout=LIVE)
    client.get_by_label("Ihre Antwort").fill("Hier ist die Rechnung <b>sofort</b>.")
    client.get_by_role("button", name="Senden").click()
    expect(client_log).to_contain_text("Hier ist die Rechnung <b>sofort</b>.")  # HTML shows as text
    client.locator("#thread-attachment input[type=file]").set_input_files(str(talk_setup["receipt"]))
    expect(client_log.get_by_role("link", name="beleg.png")).to_be_visible(timeout=LIVE)
    screenshot(client, "talk-client-answered-phone")

    # The accountant sees answer, receipt and the changed icon without reload.
    expect(staff_log).to_contain_text("Hier ist die Rechnung <b>sofort</b>.", timeout=LIVE)
    expect(staff.get_by_role("img", name="beleg.png")).to_be_visible(timeout=LIVE)
    expect(staff.get_by_role("dialog")).to_contain_text("Beleg da")
    screenshot(staff, "talk-staff-answered-desktop")
    staff.keyboard.press("Escape")
    expect(row_of(staff, "Lieferant 4")).to_contain_text("Mandant hat geantwortet")
    expect(row_of(staff, "Lieferant 4")).to_contain_text("Beleg da")

    # The talk filter shows only bookings with that state.
    staff.get_by_label("Talk-Filter").click()
    staff.get_by_role("option", name="Mandant hat geantwortet").click()
    expect(staff.get_by_role("table").get_by_role("row")).to_have_count(2)  # header + one booking
    staff.get_by_label("Talk-Filter").click()
    staff.get_by_role("option", name="Alle Buchungen").click()

    # Closing the talk: the client sees it closed, live.
    open_booking(staff, "Lieferant 4")
    staff.get_by_role("button", name="Talk schließen").click()
    expect(staff.get_by_role("dialog")).to_contain_text("Geschlossen")
    expect(client.get_by_text("Dieser Talk ist abgeschlossen")).to_be_visible(timeout=LIVE)
    client.get_by_role("button", name="Schließen").click()
    expect(client.get_by_role("button", name="Frage öffnen")).to_have_count(0, timeout=LIVE)
    staff.keyboard.press("Escape")

    # An internal talk is never visible to the client.
    open_booking(staff, "Lieferant 3")
    staff.get_by_label("Ansprechpartner").click()
    staff.get_by_role("option", name="intern (nur Kanzlei)").click()
    staff.get_by_label("Nachricht", exact=True).fill("Intern: doppelt gebucht?")
    staff.get_by_role("button", name="Senden").click()
    expect(staff_log).to_contain_text("Intern: doppelt gebucht?")
    staff.keyboard.press("Escape")
    expect(row_of(staff, "Lieferant 3")).to_contain_text("Intern")

    # A second question, closed by the export.
    open_booking(staff, "Lieferant 2")
    expect(staff.get_by_label("Absender")).to_have_value("Anna aus der Kanzlei")  # remembered
    staff.get_by_label("Nachricht", exact=True).fill("Wofür war diese Zahlung?")
    staff.get_by_role("button", name="Senden").click()
    expect(staff_log).to_contain_text("Wofür war diese Zahlung?")
    expect(client.get_by_role("button", name="Frage öffnen")).to_have_count(1, timeout=LIVE)
    expect(client.get_by_text("Intern: doppelt gebucht?")).to_have_count(0)

    # The client deletes her own message; both sides see it as deleted.
    client.get_by_role("button", name="Frage öffnen").click()
    client.get_by_label("Ihre Antwort").fill("Tippfehler, bitte ignorieren")
    client.get_by_role("button", name="Senden").click()
    expect(staff_log).to_contain_text("Tippfehler, bitte ignorieren", timeout=LIVE)
    expect(client_log.get_by_role("button", name="Aktionen zur Nachricht")).to_have_count(1)  # only her own
    client_log.get_by_role("button", name="Aktionen zur Nachricht").click()
    client.get_by_role("menuitem", name="Löschen").click()
    expect(client_log).to_contain_text("Diese Nachricht wurde gelöscht.")
    expect(staff_log).to_contain_text("Diese Nachricht wurde gelöscht.", timeout=LIVE)
    expect(staff_log).not_to_contain_text("Tippfehler")
    client.get_by_role("button", name="Schließen").click()
    staff.keyboard.press("Escape")

    staff.get_by_role("button", name="Exportieren", exact=True).click()
    export = staff.get_by_role("dialog", name="Buchungen exportieren")
    expect(export.get_by_label("Mandantennummer")).to_have_value("10001")
    screenshot(staff, "talk-export-desktop")
    with staff.expect_download() as download:
        export.get_by_role("button", name="Exportieren und herunterladen").click()
    assert re.fullmatch(r"Buchungen_Bäckerei_Talk_GmbH_\d{4}_DATEV\.zip", download.value.suggested_filename)
    expect(staff.get_by_role("status").filter(has_text="Talks geschlossen")).to_contain_text("4 Buchungen exportiert")
    expect(row_of(staff, "Lieferant 2")).to_contain_text("Geschlossen")
    expect(row_of(staff, "Lieferant 2")).to_contain_text("Exportiert")
    expect(client.get_by_role("button", name="Frage öffnen")).to_have_count(0, timeout=LIVE)
    expect(client.get_by_text("Intern: doppelt gebucht?")).to_have_count(0)
    screenshot(staff, "talk-after-export-desktop")
    screenshot(client, "talk-client-after-export-phone")


    # The staff side works on a phone too: cards instead of the table, full-width flyout.
    staff.set_viewport_size(PHONE)
    staff.get_by_role("button", name="Buchung öffnen").filter(has_text="Lieferant 4").last.click()
    expect(staff.get_by_role("dialog")).to_contain_text("Hier ist die Rechnung")
    staff.wait_for_timeout(600)  # let the slide-in finish before the picture
    screenshot(staff, "talk-staff-flyout-phone")
    staff.keyboard.press("Escape")
    expect(staff.get_by_role("dialog")).to_have_count(0)
    screenshot(staff, "talk-staff-bookings-phone")


def test_import_refuses_a_bad_file_then_imports_a_good_one(new_page, tmp_path):
    anna = factories.staff(name="Anna Schmidt")
    factories.client(name="Import Test KG", accountants=(anna,))
    bad = tmp_path / "buchungen_fehler.csv"
    bad.write_bytes("Datum;Betrag;Gegenpartei;Buchungstext\r\n31.10.2026;-1.234,56;Müller Bau;Material\r\n"
                    "31.02.2026;12,00;Falsch;Datum\r\n".encode("cp1252"))
    good = tmp_path / "buchungen.csv"
    good.write_bytes("Datum;Betrag;Gegenpartei;Buchungstext\r\n31.10.2026;-1.234,56;Müller Bau;Material\r\n"
                     "02.11.2026;99,00;Café Süd;Rechnung 7\r\n".encode("cp1252"))
    staff = new_page(DESKTOP)
    staff.goto("/login")
    log_in(staff, anna.email)
    staff.get_by_role("link", name="Import Test KG").click()
    expect(staff.get_by_role("heading", name="Keine Buchungen")).to_be_visible()

    staff.get_by_role("button", name="Importieren").click()
    dialog = staff.get_by_role("dialog", name="Buchungen importieren")
    dialog.locator("#booking-import input[type=file]").set_input_files(str(bad))
    expect(dialog.get_by_role("alert")).to_contain_text("Es wurde nichts gespeichert")
    report = dialog.get_by_role("table")
    expect(report.get_by_role("row")).to_have_count(2)  # header + the one bad line
    expect(report).to_contain_text("3")
    expect(report).to_contain_text("Datum")
    screenshot(staff, "import-refused-desktop")
    dialog.get_by_role("button", name="Schließen").click()
    expect(staff.get_by_role("heading", name="Keine Buchungen")).to_be_visible()  # nothing was written

    staff.get_by_role("button", name="Importieren").click()
    dialog.locator("#booking-import input[type=file]").set_input_files(str(good))
    expect(dialog.get_by_role("status")).to_contain_text("Buchungen importiert: 2")
    dialog.get_by_role("button", name="Schließen").click()
    expect(row_of(staff, "Café Süd")).to_contain_text("99,00 €")
    expect(row_of(staff, "Müller Bau")).to_contain_text("-1.234,56 €")
