"""Hostile input in Chromium: markup put in through the services shows as text on every
page it reaches, no script runs, no link goes to ``javascript:``; a 10,000-message
thread opens at its newest messages; an oversized websocket event closes only its socket.

The data goes in through the services (and one bulk insert for the long thread), as a
hostile client or CSV file would leave it; the pages are then opened as users would.
"""

import asyncio
import itertools
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal.domain.enums import SubjectKind
from portal.models import Booking
from portal.services import booking_transfer, clients, conversations, db, documents, folders, talks, tasks
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_login import log_in

LIVE = 8_000
_SERIAL = itertools.count(1)
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
JS_URL = "javascript:alert(1)"
TEMPLATES = "{{7*7}} ${7*7} #{7*7}"
DATA_URL = "data:text/html,<script>alert(1)</script>"
PAYLOADS = [SCRIPT, IMG, SVG, JS_URL, TEMPLATES]
# Elements the payloads would create if anything rendered them as HTML.
INJECTED = "img[src='x'], svg[onload], [onerror], [onload], iframe, a[href^='javascript:' i], a[href^='data:' i]"


async def _chunks(data: bytes):
    yield data


def _upload(**kwargs) -> None:
    """documents.upload_document in a thread of its own: Playwright's sync API keeps an
    event loop running in this one, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, documents.upload_document(**kwargs)).result()


PDF = b"%PDF-1.4\n" + b"0" * 600  # the bytes stay plain: markup inside a PDF is refused as a polyglot


@pytest.fixture
def hostile():
    """A client whose names, bookings, talk, conversation, tasks, folder and files all carry markup."""
    n = next(_SERIAL)
    factories.ensure_firm()
    anna_user = factories.staff(name="Anna Schmidt")
    anna = factories.actor(anna_user)
    account_name = f"{IMG} {n}"  # account names refuse : " / (so no <script>...</script> here)
    account = factories.client(name=account_name, accountants=(anna_user,))
    maria_user = factories.contact(account=account, first=SVG, last=SCRIPT)
    maria = factories.actor(maria_user)
    clients.add_contact(actor=anna, account_id=account.id, draft=clients.ContactDraft(
        first_name=TEMPLATES, last_name=JS_URL, address=DATA_URL, login=False))
    bookings = ("Datum;Betrag;Gegenpartei;Buchungstext\r\n"
                f"02.11.2026;-12,50;\"{SVG.replace(chr(34), chr(34) * 2)}\";{SCRIPT}\r\n"
                f"03.11.2026;99,00;{IMG};{TEMPLATES}\r\n"
                f"04.11.2026;-1,00;\"=HYPERLINK(\"\"http://evil.test\"\")\";{JS_URL}\r\n")
    report = booking_transfer.import_bookings(actor=anna, account_id=account.id, data=bookings.encode())
    assert report.problems == ()
    with db.session() as s:
        booking_id = s.exec(select(Booking.id).where(Booking.account_id == account.id, Booking.text == SCRIPT)).one()
    thread_id = talks.start_talk(actor=anna, booking_id=booking_id, recipient_contact_id=None, internal=False,
                                 sender_name=IMG, body="\n".join(PAYLOADS))
    talks.post_message(actor=maria, thread_id=thread_id, body=f"{JS_URL}\n{DATA_URL}\nhttps://example.test/x")
    tasks.add_task(actor=anna, thread_id=thread_id, text=SCRIPT)
    subject = f"{SVG} Betreff {n}"
    conversation_id = conversations.start_conversation(actor=maria, account_id=account.id, subject=subject,
                                                       body=SCRIPT)
    talks.post_message(actor=anna, thread_id=conversation_id, body=f"{IMG} {TEMPLATES}")
    uploads = next(f for f in documents.browse(actor=anna, account_id=account.id).subfolders if f.uploads_default)
    folder_name = "{{7+7}} ${7+7} #{7+7}"  # folder names refuse < > : " / * (checked in the unit tests)
    folder_id = folders.create_folder(actor=anna, account_id=account.id, parent_id=None, name=folder_name,
                                      shared=True)
    for name in (f"{IMG}.pdf", f"{SCRIPT}.pdf", f"{SVG}.pdf"):
        _upload(actor=anna, folder_id=uploads.id, filename=name, chunks=_chunks(PDF))
    _upload(actor=anna, folder_id=folder_id, filename=f"{TEMPLATES}.pdf", chunks=_chunks(PDF))
    return {"anna": anna_user, "maria": maria_user, "account": account_name, "subject": subject,
            "folder": folder_name}


class Watch:
    """Dialogs a page opened (alert, confirm, prompt), and the check that nothing was injected."""

    def __init__(self, page: Page):
        self.page, self.dialogs = page, []
        page.on("dialog", self._seen)

    def _seen(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def clean(self, where: str) -> None:
        self.page.wait_for_timeout(300)  # an onerror fires right after the image fails to load
        assert self.dialogs == [], f"{where}: a dialog opened: {self.dialogs}"
        assert self.page.locator(INJECTED).count() == 0, f"{where}: an injected element exists"
        assert self.page.locator("script:not([src])").evaluate_all(
            "els => els.filter(e => e.textContent.includes('alert(')).length") == 0, where


def _shows(scope, text: str) -> None:
    expect(scope.get_by_text(text, exact=False).first).to_be_visible()


def test_markup_shows_as_text_and_never_runs(new_page, hostile):
    staff = new_page(DESKTOP)
    watch = Watch(staff)
    staff.goto("/login")
    log_in(staff, hostile["anna"].email)

    # The clients list.
    expect(staff.get_by_role("heading", name="Mandanten", level=1)).to_be_visible()
    expect(staff.get_by_role("link", name=hostile["account"])).to_be_visible()
    watch.clean("clients list")
    screenshot(staff, "hostile-clients-desktop")

    # The bookings, and the booking talk with every payload in one message.
    staff.get_by_role("link", name=hostile["account"]).click()
    expect(staff.get_by_role("heading", name=hostile["account"])).to_be_visible()
    table = staff.get_by_role("table")
    for text in (SVG, SCRIPT, IMG, TEMPLATES, JS_URL, '=HYPERLINK("http://evil.test")'):
        _shows(table, text)
    watch.clean("bookings")
    table.get_by_role("button", name="Buchung öffnen").filter(has_text=SVG).click()
    sheet = staff.get_by_role("dialog")
    log = sheet.get_by_role("log", name="Nachrichten")
    for text in (*PAYLOADS, DATA_URL, "https://example.test/x"):
        _shows(log, text)
    _shows(log, IMG)  # the sender name
    expect(log.get_by_role("link")).to_have_count(0)  # no address in a message becomes a link
    watch.clean("booking talk")
    screenshot(staff, "hostile-talk-desktop")
    staff.keyboard.press("Escape")

    # The client's info tab: contact names and addresses.
    staff.get_by_role("navigation", name="Bereiche des Mandanten").get_by_role("link", name="Info").click()
    expect(staff).to_have_url(re.compile(r"/info$"))
    for text in (f"{SVG} {SCRIPT}", f"{TEMPLATES} {JS_URL}"):
        _shows(staff, text)
    watch.clean("client info")
    screenshot(staff, "hostile-info-desktop")

    # Documents: folder and file names.
    staff.get_by_role("navigation", name="Bereiche des Mandanten").get_by_role("link", name="Dokumente").click()
    expect(staff).to_have_url(re.compile(r"/documents$"))
    expect(staff.get_by_role("button", name=f"Ordner öffnen: {hostile['folder']}")).to_be_visible()
    staff.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente").click()
    listing = staff.get_by_role("list", name="Ordner und Dateien")
    # "/" ends a path: "<script>alert(1)</script>.pdf" is stored as "script>.pdf".
    for name in (f"{IMG}.pdf", "script>.pdf", f"{SVG}.pdf"):
        link = listing.get_by_role("link", name=f"Herunterladen: {name}", exact=True)
        expect(link).to_be_visible()
        assert link.get_attribute("href").startswith("/files/")
    watch.clean("documents")
    screenshot(staff, "hostile-documents-desktop")

    # The inbox and the conversation sheet, named by its subject.
    staff.get_by_role("link", name="Posteingang").first.click()
    row = staff.get_by_role("button", name="Unterhaltung öffnen").filter(has_text=hostile["subject"])
    expect(row).to_be_visible()
    row.click()
    conversation = staff.get_by_role("dialog", name=hostile["subject"])
    _shows(conversation.get_by_role("log", name="Nachrichten"), SCRIPT)
    _shows(conversation.get_by_role("log", name="Nachrichten"), f"{IMG} {TEMPLATES}")
    watch.clean("conversation (staff)")

    # The client sees her own name, the answer and the task the same way.
    client = new_page(PHONE)
    client_watch = Watch(client)
    client.goto("/login")
    log_in(client, hostile["maria"].email)
    expect(client.get_by_role("heading", name=f"{SVG} {SCRIPT}")).to_be_visible()
    client_watch.clean("client home")
    client.get_by_role("button", name="Frage öffnen").first.click()
    client_log = client.get_by_role("log", name="Nachrichten")
    _shows(client_log, SCRIPT)
    expect(client_log.get_by_role("link")).to_have_count(0)
    expect(client.get_by_role("checkbox", name=SCRIPT)).to_be_visible()  # the task, named by its text
    client_watch.clean("client talk")
    screenshot(client, "hostile-client-talk-phone")
    # The watch itself can fail: markup put into the page on purpose is caught.
    client.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=alert(1)>')")
    with pytest.raises(AssertionError, match="a dialog opened"):
        client_watch.clean("self-check")


def test_a_thread_of_10000_messages_opens_at_the_newest_and_loads_older(new_page):
    anna_user = factories.staff(name="Anna Schmidt")
    account = factories.client(name=f"Langer Verlauf {next(_SERIAL)} GmbH", accountants=(anna_user,))
    maria_user = factories.contact(account=account, first="Maria", last="Lang")
    thread_id = conversations.start_conversation(actor=factories.actor(anna_user), account_id=account.id,
                                                 subject="Zehntausend", body="Nachricht 0")
    factories.bulk_messages(thread_id=thread_id, count=10_000, author=anna_user,
                            recipients=[(SubjectKind.CONTACT.value, maria_user.id)])

    page = new_page(PHONE)
    page.goto("/login")
    log_in(page, maria_user.email)
    page.get_by_role("link", name="Nachrichten").last.click()
    page.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Zehntausend").click()
    chat = page.get_by_role("dialog", name="Zehntausend").get_by_role("log", name="Nachrichten")
    expect(chat.get_by_text("Nachricht 10000", exact=True)).to_be_visible(timeout=15_000)
    expect(chat.get_by_text("Nachricht 9901", exact=True)).to_be_attached()
    expect(chat.get_by_text("Nachricht 9900", exact=True)).to_have_count(0)
    assert chat.locator(":scope > div").count() <= talks.MESSAGE_PAGE + 1  # bubbles (+ the "older" row)
    older = chat.get_by_role("button", name="Ältere Nachrichten laden")
    older.scroll_into_view_if_needed()
    screenshot(page, "hostile-10000-messages-phone", full_page=False)
    older.click()
    expect(chat.get_by_text("Nachricht 9801", exact=True)).to_be_attached(timeout=15_000)
    expect(chat.get_by_text("Nachricht 9800", exact=True)).to_have_count(0)
    expect(chat.get_by_role("button", name="Ältere Nachrichten laden")).to_be_visible()


def test_an_oversized_websocket_event_closes_only_its_own_socket(new_page, app_url):
    """Past the portal's event size limit (portal.portal.MAX_EVENT_BYTES), the server drops
    that socket; the worker stays up and the tab that sent nothing odd keeps working."""
    from portal.portal import MAX_EVENT_BYTES

    anna_user = factories.staff(name="Anna Schmidt")
    factories.client(name=f"Websocket {next(_SERIAL)} GmbH", accountants=(anna_user,))
    page = new_page(DESKTOP)
    page.goto("/login")
    log_in(page, anna_user.email)
    expect(page.get_by_role("heading", name="Mandanten", level=1)).to_be_visible()

    url = re.sub(r"^http", "ws", app_url) + "/_event/?EIO=4&transport=websocket"
    outcome = page.evaluate("""([url, size]) => new Promise((resolve) => {
        const ws = new WebSocket(url);
        let opened = false;
        ws.onmessage = (e) => {
            if (opened || !String(e.data).startsWith("0")) return;
            opened = true;  // Engine.IO's open packet: now one message past the limit
            ws.send('42/_event,' + JSON.stringify(["event", "x".repeat(size)]));
        };
        ws.onclose = (e) => resolve({opened, code: e.code});
        setTimeout(() => resolve({opened, code: "still open"}), 20000);
    })""", [url, MAX_EVENT_BYTES + 1024])
    assert outcome["opened"] and outcome["code"] != "still open", outcome

    with urllib.request.urlopen(f"{app_url}/ping", timeout=10) as response:
        assert response.status == 200
    # The page's own socket still answers: each search is an event, its result comes back.
    search = page.get_by_label("Mandanten suchen")
    search.fill("nicht vorhanden")
    expect(page.get_by_text("Keine Treffer")).to_be_visible(timeout=LIVE)
    search.fill("Websocket")
    expect(page.get_by_role("link", name=re.compile(r"^Websocket \d+ GmbH$"))).to_be_visible(timeout=LIVE)
