"""Phone layouts: every client screen, the upload page and the staff inbox and talk flyout on
touch phones of 390x844 and 360x740 CSS px, walked as journeys.

After each screen one check: nothing scrolls sideways or is cut off, every visible control is at least
44x44 px, and a screenshot (tests/e2e/artifacts/mobile-*.png) to look at.
"""

import itertools
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal.models import Booking
from portal.services import conversations, db, questionnaires, talks, tasks, upload_requests
from tests import factories
from tests.e2e.conftest import PHONE, SMALL_PHONE, screenshot
from tests.e2e.test_login import log_in

LIVE = 8_000
TAP = 44
# A phone in portrait with the on-screen keyboard open takes about half the height.
KEYBOARD_HEIGHT = 420
_SERIAL = itertools.count(1)
PHONES = pytest.mark.parametrize("phone", [PHONE, SMALL_PHONE], ids=["390x844", "360x740"])

# Every visible control and its hit box, by accessible name; and how wide the page and its layout are.
_MEASURE = """(tap) => {
  const controls = 'button, a[href], input:not([type=hidden]), textarea, select, [role=button], [role=link],'
    + ' [role=tab], [role=combobox], [role=checkbox], [role=switch], [role=radio], [role=menuitem]';
  const nameOf = (el) => (el.getAttribute('aria-label')
    || (el.getAttribute('aria-labelledby') || '').split(' ').map((id) => document.getElementById(id)?.innerText || '')
         .join(' ').trim()
    || [...(el.labels || [])].map((l) => l.innerText).join(' ').trim()
    || el.innerText?.trim() || el.getAttribute('title') || el.getAttribute('placeholder') || el.id
    || el.tagName).replace(/\\s+/g, ' ').slice(0, 60);
  const small = [], cut = [];
  for (const el of document.querySelectorAll(controls)) {
    // Behind an open dialog (aria-hidden) or not shown at all.
    if (el.closest('[aria-hidden=true], [inert]') || !el.checkVisibility({visibilityProperty: true})) continue;
    // The inline exception of WCAG 2.5.8: a link inside a sentence.
    if (el.tagName === 'A' && el.closest('p')) continue;
    const own = el.getBoundingClientRect();
    // Visually hidden helpers (the file input behind an upload zone) are never tapped themselves.
    if (own.width <= 1 || own.height <= 1) continue;
    // Cut off at the screen's edge, unless it sits in a row that scrolls sideways (the staff tab bar);
    // a sheet's or dialog's scrolling body is no such row, however it computes its overflow.
    let scroller = el.parentElement;
    while (scroller && !(['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX)
                         && scroller.clientHeight < 100)) {
      scroller = scroller.parentElement;
    }
    if (!scroller && (own.left < -0.5 || own.right > innerWidth + 0.5)) {
      cut.push(`${el.getAttribute('role') || el.tagName.toLowerCase()} "${nameOf(el)}"`);
    }
    // A checkbox or switch is also hit through the label around it, a text field through its
    // frame (Radix focuses the input on a press anywhere in it).
    const boxes = [own, ...[...(el.labels || []), el.closest('label'), el.closest('.rt-TextFieldRoot')]
      .filter(Boolean).map((l) => l.getBoundingClientRect())];
    const fits = boxes.some((b) => b.width >= tap - 0.5 && b.height >= tap - 0.5);
    if (!fits) small.push(`${el.getAttribute('role') || el.tagName.toLowerCase()} "${nameOf(el)}"`
      + ` ${Math.round(own.width)}x${Math.round(own.height)}`);
  }
  // Sheets and dialogs are fixed: the page's width cannot show that they run off the screen.
  for (const dialog of document.querySelectorAll('[role=dialog], [role=alertdialog]')) {
    const box = dialog.getBoundingClientRect();
    if (box.left < -0.5 || box.right > innerWidth + 0.5) cut.push(`dialog "${nameOf(dialog)}"`);
  }
  return {width: document.scrollingElement.scrollWidth, inner: innerWidth, small, cut};
}"""


def _capture(page: Page, name: str) -> None:
    # Chromium's full-page capture drops the touch emulation (and with it the coarse-pointer CSS):
    # stretch the viewport to the page's height instead, unless a sheet or dialog covers the screen.
    size = page.viewport_size
    if page.get_by_role("dialog").count():
        screenshot(page, name, full_page=False)
        return
    page.set_viewport_size({"width": size["width"], "height": page.evaluate("document.scrollingElement.scrollHeight")})
    screenshot(page, name, full_page=False)
    page.set_viewport_size(size)


def check_screen(page: Page, name: str) -> None:
    """No sideways scroll, thumb-sized controls, and a screenshot named after the screen and size."""
    # Sheets slide in and dialogs fade in: measure them where they come to rest.
    page.wait_for_function("document.getAnimations().every((a) => a.playState !== 'running')")
    size = page.viewport_size
    found = page.evaluate(_MEASURE, TAP)
    _capture(page, f"mobile-{name}-{size['width']}x{size['height']}")
    # A phone browser widens its layout to fit content that is too wide, so innerWidth alone proves nothing.
    assert found["width"] <= found["inner"] == size["width"], \
        f"{name}: page is {max(found['width'], found['inner'])} px wide on a {size['width']} px screen"
    assert not found["cut"], f"{name}: controls cut off at the screen's edge: " + "; ".join(found["cut"])
    assert not found["small"], f"{name}: controls smaller than {TAP}x{TAP} px: " + "; ".join(found["small"])


def assert_above_keyboard(page: Page, name: str, box_label: str, send_name: str, scope=None) -> None:
    """With the message box focused and the keyboard open (a shorter viewport), box and send button stay visible."""
    scope = scope or page
    size = page.viewport_size
    box = scope.get_by_label(box_label, exact=True)
    box.focus()
    page.set_viewport_size({"width": size["width"], "height": KEYBOARD_HEIGHT})
    page.wait_for_timeout(300)
    screenshot(page, f"mobile-keyboard-{name}-{size['width']}", full_page=False)
    for control in (box, scope.get_by_role("button", name=send_name, exact=True)):
        rect = control.bounding_box()
        assert rect is not None
        assert rect["y"] >= 0 and rect["y"] + rect["height"] <= KEYBOARD_HEIGHT, f"{name}: {rect}"
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= size["width"], f"{name}: {rect}"
    page.set_viewport_size(size)


def waiting_badge(page: Page):
    """The counter on the bottom navigation's messages entry (its words are for screen readers)."""
    return page.get_by_role("navigation", name="Hauptnavigation").last.get_by_title("warten auf Sie", exact=True)


@pytest.fixture
def office(tmp_path):
    """An accountant asking about a booking, a conversation with a task, a questionnaire and a request link."""
    factories.ensure_firm()
    anna = factories.staff(name="Anna Schmidt")
    staff = factories.actor(anna)
    serial = next(_SERIAL)
    name = f"Handy Bäckerei {serial} GmbH"
    account = factories.client(name=name, accountants=(anna,), missing_receipts=2)
    maria = factories.contact(account=account, first="Maria", last="Handy")
    with db.session() as s:
        booking_id = s.exec(select(Booking.id).where(Booking.account_id == account.id,
                                                     Booking.counterparty == "Lieferant 2")).one()
    talks.start_talk(actor=staff, booking_id=booking_id, recipient_contact_id=None, internal=False,
                     sender_name="Anna aus der Kanzlei", body="Was wurde bei Lieferant 2 gekauft?")
    subject = f"Jahresabschluss {serial}"
    thread_id = conversations.start_conversation(actor=staff, account_id=account.id, subject=subject,
                                                 body="Bitte reichen Sie noch die Kontoauszüge ein.")
    tasks.add_task(actor=staff, thread_id=thread_id, text="Kontoauszüge Dezember")
    title = f"Einkommensteuer {serial}"
    template_id = questionnaires.create_template(actor=staff, title=title, intro="Bitte kurz beantworten.")
    questionnaires.add_question(actor=staff, template_id=template_id, text="Wo arbeiten Sie?", kind="text",
                                required=True)
    questionnaires.add_question(actor=staff, template_id=template_id, text="Sind Sie verheiratet?",
                                kind="yes_no")
    questionnaires.send_questionnaire(actor=staff, template_id=template_id, account_id=account.id, notify=False)
    folder = next(f for f in upload_requests.folder_choices(actor=staff, account_id=account.id) if f.uploads_default)
    link = upload_requests.create_request(actor=staff, account_id=account.id, folder_id=folder.id,
                                          message="Bitte die Lohnabrechnung Dezember.").link
    payslip = tmp_path / "Lohnabrechnung.pdf"
    payslip.write_bytes(b"%PDF-1.4\n" + b"l" * 3000)
    return {"anna": anna, "maria": maria, "name": name, "subject": subject, "title": title,
            "upload_path": urlparse(link).path, "payslip": str(payslip)}


@PHONES
def test_client_screens_on_a_phone(new_page, office, phone):
    page = new_page(phone, touch=True)
    page.goto("/login")
    expect(page.get_by_role("heading", name="Anmelden", level=1)).to_be_visible()
    check_screen(page, "login")
    log_in(page, office["maria"].email)

    # Home: two things wait for her, and the bottom navigation says so.
    expect(page.get_by_role("heading", name="Maria Handy")).to_be_visible()
    expect(waiting_badge(page)).to_have_text("2 warten auf Sie")
    check_screen(page, "home")

    # The open item: she answers the accountant's question in the talk sheet.
    page.get_by_role("button", name="Frage öffnen").filter(has_text="Lieferant 2").click()
    sheet = page.get_by_role("dialog")
    expect(sheet.get_by_role("log", name="Nachrichten")).to_contain_text("Was wurde bei Lieferant 2 gekauft?")
    check_screen(page, "talk")
    assert_above_keyboard(page, "talk", "Ihre Antwort", "Senden", sheet)
    sheet.get_by_label("Ihre Antwort").fill("Mehl und Hefe für die Weihnachtsbäckerei.")
    sheet.get_by_role("button", name="Senden").click()
    expect(sheet.get_by_role("log", name="Nachrichten")).to_contain_text("Mehl und Hefe")
    sheet.get_by_role("button", name="Schließen").click()
    expect(waiting_badge(page)).to_have_text("1 warten auf Sie", timeout=LIVE)  # her answer leaves the conversation

    # The questionnaire from the home page: one step answered and saved.
    page.get_by_role("link", name=f"Fragebogen ausfüllen: {office['title']}").click()
    expect(page.get_by_role("heading", name=office["title"], level=1)).to_be_visible()
    page.get_by_label("Wo arbeiten Sie?").fill("Bäckerei Handy, Köln")
    page.get_by_label("Wo arbeiten Sie?").blur()
    expect(page.get_by_role("list", name="Fragen").get_by_role("listitem").first.get_by_text("Gespeichert")
           ).to_be_visible()
    check_screen(page, "questionnaire")

    # Conversations: the list, then the conversation with its checklist; she writes back.
    page.get_by_role("navigation", name="Hauptnavigation").last.get_by_role("link", name="Nachrichten").click()
    expect(page.get_by_role("heading", name="Nachrichten", level=1)).to_be_visible()
    row = page.get_by_role("button", name="Unterhaltung öffnen").filter(has_text=office["subject"])
    expect(row).to_be_visible()
    check_screen(page, "conversations")
    page.get_by_role("button", name="Neue Unterhaltung").click()
    expect(page.get_by_role("dialog", name="Neue Unterhaltung").get_by_label("Betreff")).to_be_visible()
    check_screen(page, "new-conversation")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    row.click()
    sheet = page.get_by_role("dialog", name=office["subject"])
    expect(sheet.get_by_role("checkbox", name="Kontoauszüge Dezember")).to_be_visible()
    check_screen(page, "conversation")
    assert_above_keyboard(page, "conversation", "Ihre Antwort", "Senden", sheet)
    sheet.get_by_label("Ihre Antwort").fill("Die Auszüge kommen morgen.")
    sheet.get_by_role("button", name="Senden").click()
    expect(sheet.get_by_role("log", name="Nachrichten")).to_contain_text("Die Auszüge kommen morgen.")
    expect(waiting_badge(page)).to_have_count(0, timeout=LIVE)  # nothing waits for her any more
    sheet.get_by_role("button", name="Schließen").click()

    # Documents: she opens the uploads folder.
    page.get_by_role("navigation", name="Hauptnavigation").last.get_by_role("link", name="Dokumente").click()
    folder = page.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente")
    expect(folder).to_be_visible()
    check_screen(page, "documents")
    folder.click()
    expect(page.get_by_role("navigation", name="Ordnerpfad")).to_contain_text("Vom Kunden hochgeladene Dokumente")
    check_screen(page, "documents-folder")

    page.get_by_role("navigation", name="Hauptnavigation").last.get_by_role("link", name="Profil").click()
    expect(page.get_by_role("heading", name="Profil", level=1)).to_be_visible()
    check_screen(page, "profile")


@PHONES
def test_upload_page_on_a_phone(new_page, office, phone):
    page = new_page(phone, touch=True)
    page.goto(office["upload_path"])
    expect(page.get_by_role("heading", name="Dateien hochladen", level=1)).to_be_visible()
    check_screen(page, "upload-link")
    page.locator("#request-upload input[type=file]").set_input_files(office["payslip"])
    expect(page.get_by_role("list", name="Dateien dieses Uploads").get_by_text("Gespeichert", exact=True)
           ).to_be_visible(timeout=LIVE)
    check_screen(page, "upload-link-done")


@PHONES
def test_account_choice_on_a_phone(new_page, phone):
    serial = next(_SERIAL)
    first = factories.client(name=f"Handy Hofmann Bäckerei {serial} GmbH", missing_receipts=1)
    second = factories.client(name=f"Handy Hofmann Privat {serial}", missing_receipts=1)
    maria = factories.contact(account=first, first="Maria", last="Zwei", also_on=(second,))
    page = new_page(phone, touch=True)
    page.goto("/portal")
    log_in(page, maria.email)
    expect(page.get_by_role("heading", name="Konto wählen")).to_be_visible()
    check_screen(page, "account-choice")
    page.get_by_role("button", name=second.name).click()
    expect(page.get_by_role("heading", name=second.name, level=2)).to_be_visible()
    check_screen(page, "account-switch")
    page.get_by_label("Konto", exact=True).click()
    page.get_by_role("option", name=first.name).click()
    expect(page.get_by_role("heading", name=first.name, level=2)).to_be_visible()


@PHONES
def test_staff_inbox_and_talk_flyout_on_a_phone(new_page, office, phone):
    # The client's answer puts the conversation into the accountant's inbox.
    maria = factories.actor(office["maria"])
    thread = next(row for row in conversations.list_for_client(actor=maria) if row.subject == office["subject"])
    talks.post_message(actor=maria, thread_id=thread.id, body="Die Auszüge kommen morgen.")
    page = new_page(phone, touch=True)
    page.goto("/login")
    log_in(page, office["anna"].email)
    expect(page.get_by_role("heading", name="Mandanten", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Posteingang").click()
    row = page.get_by_role("button", name="Unterhaltung öffnen").filter(has_text=office["subject"])
    expect(row).to_be_visible()
    check_screen(page, "staff-inbox")
    row.click()
    sheet = page.get_by_role("dialog", name=office["subject"])
    expect(sheet.get_by_role("log", name="Nachrichten")).to_contain_text("Die Auszüge kommen morgen.")
    check_screen(page, "staff-conversation")
    page.keyboard.press("Escape")

    # The talk flyout on the client's bookings, with the message box above the keyboard.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Mandanten").click()
    page.get_by_role("link", name=office["name"]).click()
    expect(page.get_by_role("heading", name=office["name"])).to_be_visible()
    check_screen(page, "staff-bookings")
    page.get_by_role("button", name="Buchung öffnen").filter(has_text="Lieferant 1").last.click()
    flyout = page.get_by_role("dialog")
    expect(flyout.get_by_label("Nachricht", exact=True)).to_be_visible()
    check_screen(page, "staff-flyout")
    assert_above_keyboard(page, "staff-flyout", "Nachricht", "Senden", flyout)
    flyout.get_by_label("Absender").fill("Anna am Handy")  # above the pinned box, still part of its form
    flyout.get_by_label("Nachricht", exact=True).fill("Bitte den Beleg zu Lieferant 1 hochladen.")
    flyout.get_by_role("button", name="Senden").click()
    log = flyout.get_by_role("log", name="Nachrichten")
    expect(log).to_contain_text("Bitte den Beleg", timeout=LIVE)
    expect(log).to_contain_text("Anna am Handy")
    check_screen(page, "staff-flyout-asked")
