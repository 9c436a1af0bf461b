"""Conversations in three browsers: private thread with attachment, live inbox, read tick, close rule."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from portal.services import conversations, talks
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_login import log_in

LIVE = 5_000


@pytest.fixture
def people(tmp_path):
    anna = factories.staff(name="Anna Schmidt")
    account = factories.client(name="Müller Lohn GmbH", accountants=(anna,))
    maria = factories.contact(account=account, first="Maria", last="Müller")
    thomas = factories.contact(account=account, first="Thomas", last="Müller")
    attachment = tmp_path / "lohnzettel.png"
    Image.new("RGB", (400, 500), (220, 230, 250)).save(attachment)
    return {"anna": anna, "maria": maria, "thomas": thomas, "attachment": attachment, "account_id": account.id}


def test_conversation_journey(new_page, people):
    staff = new_page(DESKTOP)
    staff.goto("/login")
    log_in(staff, people["anna"].email)
    staff.get_by_role("link", name="Posteingang").first.click()
    expect(staff.get_by_role("heading", name="Posteingang", level=1)).to_be_visible()
    inbox_link = staff.get_by_role("navigation", name="Hauptnavigation").first.get_by_role("link", name="Posteingang")

    maria = new_page(PHONE)
    maria.goto("/login")
    log_in(maria, people["maria"].email)
    maria.get_by_role("link", name="Nachrichten").last.click()
    expect(maria.get_by_role("heading", name="Nachrichten", level=1)).to_be_visible()

    # Maria starts a private conversation and attaches a file.
    maria.get_by_role("button", name="Neue Unterhaltung").click()
    dialog = maria.get_by_role("dialog", name="Neue Unterhaltung")
    dialog.get_by_label("Wer soll die Unterhaltung sehen?").click()
    maria.get_by_role("option", name="Nur die Kanzlei und ich (privat)").click()
    dialog.get_by_label("Betreff").fill("Frage zur Lohnabrechnung <Oktober>")
    dialog.get_by_label("Nachricht").fill("Anbei mein Lohnzettel. Stimmt die Steuerklasse?")
    dialog.get_by_role("button", name="Unterhaltung starten").click()
    sheet = maria.get_by_role("dialog", name="Frage zur Lohnabrechnung <Oktober>")  # named by its subject
    expect(sheet).to_be_visible()
    sheet.locator("#thread-attachment input[type=file]").set_input_files(str(people["attachment"]))
    maria_log = sheet.get_by_role("log", name="Nachrichten")
    expect(maria_log.get_by_role("link", name="lohnzettel.png")).to_be_visible(timeout=LIVE)
    screenshot(maria, "conversation-client-started-phone")

    # The accountant's inbox shows it live, with the counter.
    row = staff.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Frage zur Lohnabrechnung")
    expect(row).to_be_visible(timeout=LIVE)
    expect(row).to_contain_text("Müller Lohn GmbH")
    expect(row).to_contain_text("Wartet auf Sie")
    expect(inbox_link).to_contain_text("1", timeout=LIVE)
    screenshot(staff, "inbox-live-desktop")

    # Opening it turns Maria's tick to read; the answer reaches her live.
    expect(maria_log).not_to_contain_text("Gelesen")
    row.click()
    staff_sheet = staff.get_by_role("dialog", name="Frage zur Lohnabrechnung <Oktober>")
    expect(staff_sheet.get_by_role("log", name="Nachrichten")).to_contain_text("Stimmt die Steuerklasse?")
    expect(staff_sheet.get_by_role("link", name="lohnzettel.png")).to_be_visible()
    expect(staff_sheet.get_by_role("button", name="Unterhaltung schließen")).to_have_count(0)  # client started it
    expect(maria_log).to_contain_text("Gelesen", timeout=LIVE)
    staff_sheet.get_by_label("Ihre Antwort").fill("Ja, Steuerklasse I ist richtig.")
    staff_sheet.get_by_role("button", name="Senden").click()
    expect(maria_log).to_contain_text("Ja, Steuerklasse I ist richtig.", timeout=LIVE)
    screenshot(staff, "conversation-staff-answered-desktop")

    # Maria edits her message, then closes the conversation she started.
    maria_log.get_by_role("button", name="Aktionen zur Nachricht").first.click()
    maria.get_by_role("menuitem", name="Bearbeiten").click()
    sheet.get_by_label("Bearbeiten").fill("Anbei mein Lohnzettel für Oktober. Stimmt die Steuerklasse?")
    sheet.get_by_role("button", name="Speichern").click()
    expect(maria_log).to_contain_text("bearbeitet")
    expect(staff_sheet).to_contain_text("Lohnzettel für Oktober", timeout=LIVE)
    sheet.get_by_role("button", name="Unterhaltung schließen").click()
    expect(sheet).to_contain_text("Geschlossen am")
    sheet.get_by_role("button", name="Schließen").click()
    expect(maria.get_by_role("button", name="Unterhaltung öffnen")).to_have_count(0, timeout=LIVE)
    maria.get_by_role("radio", name="Geschlossen").click()
    closed = maria.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Frage zur Lohnabrechnung")
    expect(closed).to_contain_text("Geschlossen am")
    maria.wait_for_timeout(400)  # segmented control animation, for the picture only
    screenshot(maria, "conversation-client-closed-phone")
    staff.keyboard.press("Escape")
    expect(inbox_link).not_to_contain_text("1", timeout=LIVE)  # answered: nothing waits for the firm

    # The firm starts a conversation for all users: Maria may not close it.
    staff.get_by_role("button", name="Neue Unterhaltung").click()
    new = staff.get_by_role("dialog", name="Neue Unterhaltung")
    new.get_by_label("Betreff").fill("Unterlagen Jahresabschluss")
    new.get_by_label("Nachricht").fill("Bitte senden Sie uns die Inventurliste.")
    new.get_by_role("button", name="Unterhaltung starten").click()
    expect(staff.get_by_role("dialog", name="Unterlagen Jahresabschluss")).to_be_visible()
    expect(staff.get_by_role("button", name="Unterhaltung schließen")).to_be_visible()
    maria.get_by_role("radio", name="Offen").click()
    firm_row = maria.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Unterlagen Jahresabschluss")
    expect(firm_row).to_be_visible(timeout=LIVE)
    expect(maria.get_by_role("link", name="Nachrichten").last).to_contain_text("1")  # counter in the menu
    firm_row.click()
    expect(maria.get_by_role("dialog", name="Unterlagen Jahresabschluss")).to_contain_text("Inventurliste")
    expect(maria.get_by_role("button", name="Unterhaltung schließen")).to_have_count(0)
    maria.wait_for_timeout(600)  # let the sheet finish sliding in, for the picture only
    screenshot(maria, "conversation-firm-started-phone")

    # Another user of the same account sees the firm's conversation, never Maria's private one.
    thomas = new_page(DESKTOP)
    thomas.goto("/login")
    log_in(thomas, people["thomas"].email)
    thomas.get_by_role("link", name="Nachrichten").first.click()
    thomas.get_by_role("radio", name="Alle").click()
    expect(thomas.get_by_role("button", name="Unterhaltung öffnen").filter(
        has_text="Unterlagen Jahresabschluss")).to_be_visible()
    expect(thomas.get_by_text("Frage zur Lohnabrechnung")).to_have_count(0)
    screenshot(thomas, "conversation-other-user-desktop")


def test_admin_switches_read_marks_off(new_page):
    from portal.domain.enums import Role

    admin = factories.staff(role=Role.ADMIN, name="Katrin Berger")
    accountant = factories.staff(name="Nur Buchhaltung")
    page = new_page(DESKTOP)
    page.goto("/login")
    log_in(page, admin.email)
    page.get_by_role("link", name="Einstellungen").first.click()
    switch = page.get_by_role("switch", name="Lesebestätigungen anzeigen")
    expect(switch).to_be_checked()
    switch.click()
    expect(switch).not_to_be_checked()
    page.reload()
    expect(page.get_by_role("switch", name="Lesebestätigungen anzeigen")).not_to_be_checked()
    screenshot(page, "settings-desktop")
    page.get_by_role("switch", name="Lesebestätigungen anzeigen").click()  # back on for the other tests
    expect(page.get_by_role("switch", name="Lesebestätigungen anzeigen")).to_be_checked()

    other = new_page(DESKTOP)
    other.goto("/login")
    log_in(other, accountant.email)
    expect(other.get_by_role("link", name="Einstellungen")).to_have_count(0)
    other.goto("/staff/settings")
    expect(other).to_have_url(re.compile(r"/staff/clients/?$"))


def test_a_long_thread_opens_at_its_newest_messages_and_loads_older_ones(new_page, people):
    anna, maria = factories.actor(people["anna"]), factories.actor(people["maria"])
    thread_id = conversations.start_conversation(actor=anna, account_id=people["account_id"],
                                                 subject="Langer Verlauf", body="Nachricht 0")
    for n in range(1, talks.MESSAGE_PAGE + 5):
        talks.post_message(actor=maria if n % 2 else anna, thread_id=thread_id, body=f"Nachricht {n}")

    page = new_page(PHONE)
    page.goto("/login")
    log_in(page, people["maria"].email)
    page.get_by_role("link", name="Nachrichten").last.click()
    page.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Langer Verlauf").click()
    chat = page.get_by_role("dialog", name="Langer Verlauf").get_by_role("log", name="Nachrichten")
    expect(chat.get_by_text(f"Nachricht {talks.MESSAGE_PAGE + 4}", exact=True)).to_be_visible()
    expect(chat.get_by_text("Nachricht 4", exact=True)).to_have_count(0)  # only the newest hundred at first
    older = chat.get_by_role("button", name="Ältere Nachrichten laden")
    older.scroll_into_view_if_needed()
    screenshot(page, "conversation-long-thread-phone", full_page=False)
    older.click()
    expect(chat.get_by_text("Nachricht 0", exact=True)).to_be_attached()
    expect(chat.get_by_role("button", name="Ältere Nachrichten laden")).to_have_count(0)
