"""Accessibility in Chromium: axe-core finds nothing serious on each main screen of both sides,
dialogs trap focus and close on Escape, the chat log is a named live region, status marks
carry words, focus is visible, and the main journeys work with the keyboard alone."""

import itertools
import re
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal import routes
from portal.domain.enums import Role
from portal.models import Booking, Outbox
from portal.services import conversations, db, onboarding, questionnaires, talks, upload_requests
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_login import log_in

LIVE = 8_000
# axe-core as shipped (MPL-2.0) inside the pinned PyPI package; injected into each page.
AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
BLOCKING = {"serious", "critical"}
_SERIAL = itertools.count(1)


class AxeFindings:
    """Serious and critical axe violations, collected over many screens and reported at once."""

    def __init__(self):
        self.lines: list[str] = []

    def scan(self, page: Page, screen: str) -> None:
        """Run axe on the page once its data has arrived and note what blocks users."""
        expect(page.locator('[aria-busy="true"]')).to_have_count(0)  # the loading spinners are gone
        page.wait_for_timeout(400)  # dialogs and sheets finish their fade-in (contrast is measured)
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
        for v in violations:
            if v["impact"] in BLOCKING:
                self.lines.append(f"[{screen}] {v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']}")
                self.lines.extend(f"    {' '.join(node['target'])}: {_first_message(node)}" for node in v["nodes"][:5])

    def scan_both_sizes(self, page: Page, screen: str) -> None:
        """Scan at desktop and at phone size, leaving the page at desktop size."""
        self.scan(page, f"{screen} desktop")
        page.set_viewport_size(PHONE)
        self.scan(page, f"{screen} phone")
        page.set_viewport_size(DESKTOP)

    def assert_none(self) -> None:
        assert not self.lines, "axe found serious/critical violations:\n" + "\n".join(self.lines)


def _first_message(node: dict) -> str:
    checks = node["any"] or node["all"] or node["none"]
    return checks[0]["message"] if checks else ""


@pytest.fixture
def office():
    """An admin working a client with bookings, an open question, a conversation, a
    questionnaire, a request link, and an invited contact who has not activated yet."""
    n = next(_SERIAL)
    factories.ensure_firm()
    admin = factories.staff(role=Role.ADMIN, name="Katrin Barrierefrei")
    account = factories.client(name=f"Zugang Bäckerei {n} GmbH", accountants=(admin,), missing_receipts=3)
    maria = factories.contact(account=account, first="Maria", last="Zugang")
    newcomer = factories.contact(account=account, first="Nora", last="Neu")
    staff = factories.actor(admin)
    with db.session() as s:
        booking_ids = s.exec(select(Booking.id).where(Booking.account_id == account.id).order_by(Booking.id)).all()
    talks.start_talk(actor=staff, booking_id=booking_ids[0], recipient_contact_id=None, internal=False,
                     sender_name="Katrin aus der Kanzlei", body="Bitte laden Sie die Rechnung hoch.")
    conversations.start_conversation(actor=staff, account_id=account.id, subject="Jahresabschluss",
                                     body="Bitte senden Sie uns die Inventurliste.")
    template = questionnaires.create_template(actor=staff, title=f"Einkommensteuer {n}")
    questionnaires.add_question(actor=staff, template_id=template, text="Wo arbeiten Sie?", kind="text",
                                required=True)
    questionnaires.add_question(actor=staff, template_id=template, text="Sind Sie verheiratet?", kind="yes_no")
    sent = questionnaires.send_questionnaire(actor=staff, template_id=template, account_id=account.id, notify=False)
    folder = next(f for f in upload_requests.folder_choices(actor=staff, account_id=account.id) if f.uploads_default)
    request = upload_requests.create_request(actor=staff, account_id=account.id, folder_id=folder.id,
                                             message="Bitte die Kontoauszüge hochladen.")
    onboarding.invite(actor=staff, account_id=account.id, contact_ids=[newcomer.id])
    with db.session() as s:
        activation = s.exec(select(Outbox).where(Outbox.to == newcomer.email,
                                            Outbox.template == "invitation")).one().context["link"]
    return {"n": n, "admin": admin, "account": account, "maria": maria, "name": account.name,
            "questionnaire": routes.portal_questionnaire(questionnaires.public_ref(sent.questionnaire_id)),
            "upload": _path(request.link), "activation": _path(activation)}


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_public_and_client_screens_have_no_serious_violations(new_page, office):
    axe = AxeFindings()
    page = new_page(DESKTOP)
    page.goto(routes.LOGIN)
    expect(page.get_by_role("heading", name="Anmelden", level=1)).to_be_visible()
    axe.scan_both_sizes(page, "login")
    page.goto(routes.FORGOT_PASSWORD)
    expect(page.get_by_role("heading", name="Passwort vergessen")).to_be_visible()
    axe.scan_both_sizes(page, "forgot password")
    page.goto(routes.SIGNUP)
    expect(page.get_by_role("heading", name="Registrieren", level=1)).to_be_visible()
    axe.scan_both_sizes(page, "sign-up")
    page.goto(office["activation"])
    expect(page.get_by_role("heading", name="Zugang aktivieren")).to_be_visible()
    axe.scan_both_sizes(page, "activation")
    page.goto(office["upload"])
    expect(page.get_by_text("Bitte die Kontoauszüge hochladen.")).to_be_visible()
    axe.scan_both_sizes(page, "upload link")

    page.goto(routes.LOGIN)
    log_in(page, office["maria"].email)
    expect(page.get_by_role("heading", name="Maria Zugang", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Frage öffnen")).to_have_count(1)
    axe.scan_both_sizes(page, "client home")
    page.get_by_role("button", name="Frage öffnen").click()
    expect(page.get_by_role("dialog").get_by_role("log", name="Nachrichten")).to_contain_text("Rechnung hoch")
    axe.scan_both_sizes(page, "booking talk sheet")
    page.keyboard.press("Escape")

    page.goto(routes.PORTAL_CONVERSATIONS)
    expect(page.get_by_role("heading", name="Nachrichten", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Unterhaltung öffnen")).to_have_count(1)
    axe.scan_both_sizes(page, "conversations")
    page.get_by_role("button", name="Unterhaltung öffnen").click()
    expect(page.get_by_role("dialog", name="Jahresabschluss")).to_contain_text("Inventurliste")
    axe.scan_both_sizes(page, "conversation open")
    page.keyboard.press("Escape")

    page.goto(routes.PORTAL_DOCUMENTS)
    page.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente").click()
    expect(page.get_by_role("navigation", name="Ordnerpfad")).to_contain_text("Vom Kunden hochgeladene Dokumente")
    axe.scan_both_sizes(page, "documents folder")

    page.goto(routes.PORTAL_PROFILE)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe.scan_both_sizes(page, "profile")

    page.goto(office["questionnaire"])
    expect(page.get_by_role("heading", name=f"Einkommensteuer {office['n']}", level=1)).to_be_visible()
    axe.scan_both_sizes(page, "questionnaire")
    axe.assert_none()

    # Screen readers choose their voice by <html lang>, which follows the user's language.
    expect(page.locator("html")).to_have_attribute("lang", "de")
    french = new_page(PHONE, locale="fr-FR")
    french.goto(routes.LOGIN)
    expect(french.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(french.locator("html")).to_have_attribute("lang", "fr")


def test_staff_screens_have_no_serious_violations(new_page, office):
    axe = AxeFindings()
    page = new_page(DESKTOP)
    page.goto(routes.STAFF_CLIENTS)
    log_in(page, office["admin"].email)
    expect(page.get_by_role("heading", name="Mandanten", level=1)).to_be_visible()
    axe.scan(page, "clients")
    page.get_by_role("button", name="Neu").click()
    expect(page.get_by_role("dialog").get_by_label("Firmenname")).to_be_visible()
    axe.scan(page, "new client dialog")
    page.keyboard.press("Escape")

    public_id = page.get_by_role("link", name=office["name"]).get_attribute("href").rstrip("/").split("/")[-1]
    page.goto(routes.staff_client(public_id))
    expect(page.get_by_role("heading", name=office["name"], level=1)).to_be_visible()
    page.get_by_role("table").get_by_role("button", name="Buchung öffnen").filter(has_text="Lieferant 1").click()
    expect(page.get_by_role("dialog").get_by_role("log", name="Nachrichten")).to_contain_text("Rechnung hoch")
    axe.scan(page, "bookings with talk flyout")
    page.keyboard.press("Escape")
    axe.scan(page, "bookings")

    for tab in (routes.STAFF_CLIENT_DOCUMENTS, routes.STAFF_CLIENT_INFO, routes.STAFF_CLIENT_REQUESTS,
                routes.STAFF_CLIENT_QUESTIONNAIRES, routes.STAFF_CLIENT_PROTOCOL):
        page.goto(routes.staff_client(public_id, tab))
        expect(page.get_by_role("heading", name=office["name"], level=1)).to_be_visible()
        axe.scan(page, tab.rsplit("/", 1)[-1])
    page.goto(routes.staff_client(public_id, routes.STAFF_CLIENT_DOCUMENTS))
    page.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente").click()
    expect(page.get_by_role("navigation", name="Ordnerpfad")).to_contain_text("Vom Kunden hochgeladene Dokumente")
    axe.scan(page, "documents folder")

    for path, title in [(routes.STAFF_QUESTIONNAIRES, "Fragebogen-Vorlagen"), (routes.STAFF_INBOX, "Posteingang"),
                        (routes.STAFF_SETTINGS, "Einstellungen"), (routes.STAFF_PROFILE, None),
                        (routes.STAFF_OUTBOX, None), (routes.STAFF_CLIENT_IMPORT, "Mandanten importieren")]:
        page.goto(path)
        heading = page.get_by_role("heading", level=1)
        expect(heading if title is None else page.get_by_role("heading", name=title, level=1)).to_be_visible()
        axe.scan(page, path)
    axe.assert_none()


# Keyboard


def tab_to(page: Page, target, limit: int = 60) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("(e) => e === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached with {limit} Tab presses")


def focus_ring(control) -> bool:
    """Whether the focused control shows an outline or a focus shadow."""
    return control.evaluate("""(e) => {
        const s = getComputedStyle(e);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
    }""")


def assert_focus_trapped(page: Page, dialog, presses: int = 60) -> None:
    """Tab and Shift+Tab keep the focus inside ``dialog`` and cycle through its controls."""
    seen = []
    for key in ["Tab"] * presses + ["Shift+Tab"] * 5:
        page.keyboard.press(key)
        inside = dialog.evaluate("(d) => d.contains(document.activeElement)")
        assert inside, f"{key} moved the focus out of the dialog"
        seen.append(page.evaluate("document.activeElement.outerHTML.slice(0, 120)"))
    assert len(set(seen[:presses])) < presses, "Tab never came back round: the focus is not cycling"


def close_with_escape_returns_focus(page: Page, dialog, opener) -> None:
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()


def test_dialogs_trap_focus_close_on_escape_and_return_focus(new_page, office):
    staff = new_page(DESKTOP)
    staff.goto(routes.STAFF_CLIENTS)
    log_in(staff, office["admin"].email)
    # The list has loaded: the page is ready for keys, as it is when a person starts typing.
    expect(staff.get_by_role("link", name=office["name"])).to_be_visible()
    opener = staff.get_by_role("button", name="Neu")
    opener.focus()
    staff.keyboard.press("Enter")
    dialog = staff.get_by_role("dialog", name="Mandant anlegen")
    expect(dialog).to_be_visible()
    assert_focus_trapped(staff, dialog)
    close_with_escape_returns_focus(staff, dialog, opener)

    staff.get_by_role("link", name=office["name"]).click()
    opener = staff.get_by_role("button", name="Buchung öffnen: Lieferant 1").first
    opener.focus()
    staff.keyboard.press("Enter")
    flyout = staff.get_by_role("dialog")
    expect(flyout.get_by_role("log", name="Nachrichten")).to_contain_text("Rechnung hoch")
    assert_focus_trapped(staff, flyout)
    close_with_escape_returns_focus(staff, flyout, opener)

    client = new_page(PHONE)
    client.goto(routes.LOGIN)
    log_in(client, office["maria"].email)
    opener = client.get_by_role("button", name="Frage öffnen")
    opener.focus()
    client.keyboard.press("Enter")
    sheet = client.get_by_role("dialog")
    expect(sheet.get_by_role("log", name="Nachrichten")).to_contain_text("Rechnung hoch")
    assert_focus_trapped(client, sheet)
    close_with_escape_returns_focus(client, sheet, opener)

    client.get_by_role("link", name="Nachrichten").last.click()
    opener = client.get_by_role("button", name="Neue Unterhaltung")
    opener.focus()
    client.keyboard.press("Enter")
    dialog = client.get_by_role("dialog", name="Neue Unterhaltung")
    expect(dialog.get_by_label("Betreff")).to_be_visible()
    assert_focus_trapped(client, dialog)
    close_with_escape_returns_focus(client, dialog, opener)


def test_chat_log_is_a_named_live_region_and_status_marks_have_words(new_page, office):
    staff = new_page(DESKTOP)
    staff.goto(routes.STAFF_CLIENTS)
    log_in(staff, office["admin"].email)
    staff.get_by_role("link", name=office["name"]).click()
    row = staff.get_by_role("table").get_by_role("row").filter(has_text="Lieferant 1")
    # The talk icon and the receipt badge say in words what their colours say.
    expect(row.get_by_text("Wartet auf Antwort des Mandanten")).to_have_count(1)
    expect(row).to_contain_text("Beleg fehlt")
    staff.get_by_role("button", name="Buchung öffnen: Lieferant 1").click()
    staff_log = staff.get_by_role("dialog").get_by_role("log", name="Nachrichten")
    expect(staff_log).to_have_attribute("aria-live", "polite")
    expect(staff_log).to_contain_text(re.compile("Gesendet|Zugestellt"))

    client = new_page(PHONE)
    client.goto(routes.LOGIN)
    log_in(client, office["maria"].email)
    # The unread mark is a coloured dot: its word is there for screen readers.
    question = client.get_by_role("button", name="Frage öffnen")
    expect(question.get_by_text("Neu", exact=True)).to_have_count(1)
    # The menu counter says what it counts.
    counted = client.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Nachrichten")
    expect(counted).to_have_accessible_name(re.compile(r"\b2 warten auf Sie\b"))
    question.click()
    client_log = client.get_by_role("dialog").get_by_role("log", name="Nachrichten")
    expect(client_log).to_have_attribute("aria-live", "polite")
    expect(staff_log).to_contain_text("Gelesen", timeout=LIVE)
    client.get_by_label("Ihre Antwort").fill("Die Rechnung kommt heute.")
    client.get_by_role("button", name="Senden").click()
    # A message arriving in the open log is what a screen reader announces.
    expect(staff_log).to_contain_text("Die Rechnung kommt heute.", timeout=LIVE)
    expect(client_log.get_by_text(re.compile("^(Gesendet|Zugestellt|Gelesen)$"))).to_have_count(1)


def type_login(page: Page, email: str) -> None:
    """Open the login page and fill it by keyboard alone, leaving the focus in the password."""
    page.goto(routes.LOGIN)
    expect(page.get_by_role("heading", name="Anmelden", level=1)).to_be_visible()
    tab_to(page, page.get_by_label("E-Mail-Adresse"))
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Passwort", exact=True))
    page.keyboard.type(factories.PASSWORD)


def test_keyboard_only_journeys_of_both_sides(new_page, office):
    client = new_page(DESKTOP)
    type_login(client, office["maria"].email)
    login = client.get_by_role("button", name="Anmelden")
    tab_to(client, login)
    assert focus_ring(login)
    client.keyboard.press("Enter")
    expect(client).to_have_url(re.compile(r"/portal/?$"))
    question = client.get_by_role("button", name="Frage öffnen")
    tab_to(client, question)
    assert focus_ring(question), "the clickable card shows no focus ring"
    client.keyboard.press("Enter")
    sheet = client.get_by_role("dialog")
    tab_to(client, sheet.get_by_label("Ihre Antwort"))
    client.keyboard.type("Per Tastatur: Rechnung folgt.")
    send = sheet.get_by_role("button", name="Senden")
    tab_to(client, send)
    assert focus_ring(send)
    client.keyboard.press("Enter")
    expect(sheet.get_by_role("log", name="Nachrichten")).to_contain_text("Per Tastatur: Rechnung folgt.")
    screenshot(client, "a11y-keyboard-client-desktop")

    staff = new_page(DESKTOP)
    type_login(staff, office["admin"].email)
    staff.keyboard.press("Enter")
    expect(staff.get_by_role("heading", name="Mandanten", level=1)).to_be_visible()
    tab_to(staff, staff.get_by_role("table").get_by_role("link", name=office["name"]), limit=80)
    staff.keyboard.press("Enter")
    expect(staff.get_by_role("heading", name=office["name"], level=1)).to_be_visible()
    booking = staff.get_by_role("button", name="Buchung öffnen: Lieferant 2").first
    tab_to(staff, booking)
    assert focus_ring(booking), "the booking row shows no focus ring"
    staff.keyboard.press("Enter")
    flyout = staff.get_by_role("dialog")
    tab_to(staff, flyout.get_by_label("Nachricht", exact=True))
    staff.keyboard.type("Per Tastatur gefragt: Wofür war diese Zahlung?")
    tab_to(staff, flyout.get_by_role("button", name="Senden"))
    staff.keyboard.press("Enter")
    expect(flyout.get_by_role("log", name="Nachrichten")).to_contain_text("Per Tastatur gefragt")
    screenshot(staff, "a11y-keyboard-staff-desktop")
