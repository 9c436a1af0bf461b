"""A request link in three browsers: staff create and email it, a guest without login uploads
two files by drag and drop, the staff inbox shows the arrival live, staff revoke, the link
answers 410."""

import base64
import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_login import log_in

LIVE = 10_000
_SERIAL = itertools.count(1)
# Big enough that a throttled upload shows its progress bars for a moment.
STATEMENT = b"%PDF-1.4\n" + b"s" * (1536 * 1024)
PAYSLIP = b"%PDF-1.4\n" + b"p" * 4000


@pytest.fixture
def office():
    firm_name = factories.ensure_firm().name
    anna = factories.staff(name="Anna Schmidt")
    name = f"Anfrage Bäckerei {next(_SERIAL)} GmbH"
    account = factories.client(name=name, accountants=(anna,))
    maria = factories.contact(account=account, first="Maria", last="Anfrage")
    return {"anna": anna, "account": account, "maria": maria, "name": name, "firm": firm_name}


def drop_files(page: Page, selector: str, files: list[tuple[str, bytes]]) -> None:
    """Drag files from the desktop onto a drop zone (a DataTransfer with real File objects)."""
    transfer = page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const [name, data] of files) {
                const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], name, {type: "application/pdf"}));
            }
            return transfer;
        }""",
        [[name, base64.b64encode(data).decode()] for name, data in files])
    zone = page.locator(selector)
    for event in ("dragenter", "dragover", "drop"):
        zone.dispatch_event(event, {"dataTransfer": transfer})


def test_request_link_journey(new_page, office, mailbox):
    staff = new_page(DESKTOP)
    staff.context.grant_permissions(["clipboard-read", "clipboard-write"])
    staff.goto("/login")
    log_in(staff, office["anna"].email)
    staff.get_by_role("link", name=office["name"]).click()
    staff.get_by_role("navigation", name="Bereiche des Mandanten").get_by_role("link", name="Dateianfragen").click()
    expect(staff).to_have_url(re.compile(r"/requests$"))
    expect(staff.get_by_role("heading", name="Noch keine Dateianfragen")).to_be_visible()

    # "Dateien anfordern": the uploads folder, a message, 30 days, by email to the client's user.
    staff.get_by_role("button", name="Dateien anfordern").click()
    dialog = staff.get_by_role("dialog", name="Dateien anfordern")
    expect(dialog.get_by_label("Ordner")).to_contain_text("Vom Kunden hochgeladene Dokumente")
    dialog.get_by_label("Nachricht").fill("Bitte laden Sie die Kontoauszüge Januar bis März hoch.\nDanke!")
    dialog.get_by_text("Per E-Mail senden").click()
    expect(dialog.get_by_label("Empfänger")).to_contain_text(office["maria"].email)
    screenshot(staff, "requests-create-desktop")
    dialog.get_by_role("button", name="Erstellen").click()
    created = staff.get_by_role("dialog", name="Link erstellt")
    expect(created.get_by_role("status")).to_contain_text(f"an {office['maria'].email} gesendet")
    link = created.get_by_label("Link zur Upload-Seite").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/u/[A-Za-z0-9_-]{43}", link)
    created.get_by_role("button", name="Link kopieren").click()
    expect(staff.get_by_text("Link kopiert")).to_be_visible()
    assert staff.evaluate("navigator.clipboard.readText()") == link
    created.get_by_role("button", name="Schließen").click()
    row = staff.get_by_role("table").get_by_role("row").filter(has_text="Kontoauszüge Januar")
    expect(row).to_contain_text("Aktiv")
    expect(row).to_contain_text(office["maria"].email)
    screenshot(staff, "requests-staff-desktop")

    message = mailbox[0].wait_for(office["maria"].email)
    assert message["Subject"] == f"{office['firm']} bittet Sie um Dateien"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert link in text and "Kontoauszüge Januar bis März" in text and "gültig" in text

    # The accountant waits in the inbox.
    staff.get_by_role("link", name="Posteingang").first.click()
    expect(staff.get_by_role("heading", name="Posteingang", level=1)).to_be_visible()

    # A guest on a phone, without login, drags two files onto the page.
    guest = new_page(PHONE)
    response = guest.goto(link)
    assert response.status == 200 and response.headers["referrer-policy"] == "no-referrer"
    expect(guest.get_by_role("heading", name="Dateien hochladen", level=1)).to_be_visible()
    expect(guest.get_by_role("banner")).to_contain_text(office["firm"])
    expect(guest.get_by_role("main")).to_contain_text("Kontoauszüge Januar bis März")
    expect(guest.get_by_role("main")).to_contain_text("gültig bis einschließlich")
    expect(guest.get_by_role("main")).not_to_contain_text("Vom Kunden hochgeladene Dokumente")
    guest.get_by_label("Ihr Name (optional)").fill("Erika Muster")
    cdp = guest.context.new_cdp_session(guest)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20, "downloadThroughput": -1,
                                                  "uploadThroughput": 256 * 1024})
    drop_files(guest, "#request-upload", [("Kontoauszug Januar.pdf", STATEMENT), ("Lohnzettel.pdf", PAYSLIP)])
    uploads = guest.get_by_role("list", name="Dateien dieses Uploads")
    expect(uploads.get_by_role("progressbar", name="Kontoauszug Januar.pdf")).to_be_visible()
    expect(uploads.get_by_role("button", name="Upload abbrechen")).to_have_count(0)  # the cancel sits below the list
    expect(guest.get_by_role("button", name="Upload abbrechen")).to_be_visible()
    screenshot(guest, "request-upload-progress-phone")
    expect(uploads.get_by_text("Gespeichert", exact=True)).to_have_count(2, timeout=60_000)
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})
    arrived = guest.get_by_role("list", name="Bei der Kanzlei angekommen")
    expect(arrived.get_by_role("listitem")).to_have_count(2)
    expect(arrived).to_contain_text("Kontoauszug Januar.pdf")
    expect(arrived).to_contain_text("Lohnzettel.pdf")
    screenshot(guest, "request-upload-phone")
    guest.set_viewport_size(DESKTOP)
    screenshot(guest, "request-upload-desktop")

    # The staff inbox shows the arrival live, waiting for the firm.
    arrival = staff.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Bitte laden Sie die Kontoauszüge")
    expect(arrival).to_be_visible(timeout=LIVE)
    expect(arrival).to_contain_text(office["name"])
    expect(arrival).to_contain_text("Lohnzettel.pdf")
    screenshot(staff, "requests-inbox-desktop")
    arrival.click()
    sheet = staff.get_by_role("dialog", name="Bitte laden Sie die Kontoauszüge Januar bis März hoch.")
    log = sheet.get_by_role("log", name="Nachrichten")
    expect(log.get_by_role("link", name="Kontoauszug Januar.pdf")).to_be_visible()
    expect(log).to_contain_text("Erika Muster")

    # Staff revoke the link on the client's requests tab.
    staff.goto(f"/staff/clients/{office['account'].public_id}/requests")
    row = staff.get_by_role("table").get_by_role("row").filter(has_text="Kontoauszüge Januar")
    expect(row.get_by_role("cell").nth(3)).to_contain_text("2")
    row.get_by_role("button", name="Aktionen für diese Dateianfrage").click()
    staff.get_by_role("menuitem", name="Widerrufen").click()
    confirm = staff.get_by_role("dialog", name="Link widerrufen?")
    confirm.get_by_role("button", name="Widerrufen").click()
    expect(staff.get_by_text("Der Link wurde widerrufen.")).to_be_visible()
    expect(row).to_contain_text("Widerrufen")
    expect(row.get_by_role("button", name="Aktionen für diese Dateianfrage")).to_have_count(0)
    staff.set_viewport_size(PHONE)
    screenshot(staff, "requests-staff-phone")

    # The link now answers 410 with a page that says so.
    guest.set_viewport_size(PHONE)
    response = guest.goto(link)
    assert response.status == 410
    expect(guest.get_by_role("heading", name="Link widerrufen")).to_be_visible()
    screenshot(guest, "request-revoked-phone")
    assert guest.request.get(link.rsplit("/", 1)[0] + "/not-a-real-token").status == 404


def test_guest_account_from_the_clients_page(new_page, office):
    staff = new_page(DESKTOP)
    staff.goto("/login")
    log_in(staff, office["anna"].email)
    staff.get_by_role("button", name="Gastkonto").click()
    expect(staff).to_have_url(re.compile(r"/staff/clients/[A-Za-z0-9_-]+/requests$"))
    expect(staff.get_by_role("heading", name="Gastkonto", level=1)).to_be_visible()
    expect(staff.get_by_role("main")).to_contain_text("Nur die Kanzlei sieht, was dort hochgeladen wird.")
    staff.get_by_role("button", name="Dateien anfordern").click()
    dialog = staff.get_by_role("dialog", name="Dateien anfordern")
    dialog.get_by_label("Nachricht").fill("Unterlagen für die Erbschaftsteuer")
    dialog.get_by_role("button", name="Erstellen").click()
    link = staff.get_by_role("dialog", name="Link erstellt").get_by_label("Link zur Upload-Seite").input_value()
    staff.get_by_role("dialog", name="Link erstellt").get_by_role("button", name="Schließen").click()
    expect(staff.get_by_role("dialog")).to_have_count(0)
    screenshot(staff, "requests-guest-desktop")

    # The guest account is no client: the clients list leaves it out (its button opens it), while
    # creating a link there made the accountant one of its workers, so arrivals reach the inbox.
    staff.get_by_role("link", name="Mandanten").first.click()
    expect(staff.get_by_role("table").get_by_role("link", name=office["name"])).to_be_visible()
    expect(staff.get_by_role("table").get_by_role("row").filter(has_text="Gastkonto")).to_have_count(0)

    uploader = new_page(PHONE)
    uploader.goto(link)
    uploader.locator("#request-upload input[type=file]").set_input_files(
        files=[{"name": "Testament.pdf", "mimeType": "application/pdf", "buffer": PAYSLIP}])
    expect(uploader.get_by_role("list", name="Bei der Kanzlei angekommen")).to_contain_text("Testament.pdf")
