"""The email link in a real browser: the batched email carries it, it opens the talk area
without a password, and everything else (conversations, settings) asks for the password.
Staff can revoke a user's links; a client's answer reaches the accountant by email."""

import itertools
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal.domain.enums import Role
from portal.models import Booking, Firm, StaffUser
from portal.services import db, magic_links, talks
from tests import factories
from tests.e2e.conftest import PHONE, screenshot


_SERIAL = itertools.count(1)


@pytest.fixture
def question():
    anna = factories.staff(name="Anna Schmidt")
    admin = factories.staff(role=Role.ADMIN, name="Katrin Berger")
    # The app's database lives for the whole test session: each test gets its own client name.
    name = f"Link Bäckerei {next(_SERIAL)} GmbH"
    account = factories.client(name=name, accountants=(anna,), missing_receipts=1)
    maria = factories.contact(account=account, first="Maria", last="Link")
    with db.session() as s:
        booking_id = s.exec(select(Booking.id).where(Booking.account_id == account.id)).one()
    talks.start_talk(actor=factories.actor(anna), booking_id=booking_id, recipient_contact_id=None, internal=False,
                     sender_name="Anna aus der Kanzlei", body="Bitte den Beleg zu Lieferant 1 hochladen.")
    return {"maria": maria, "admin": factories.actor(admin), "anna_email": anna.email, "name": name}


def _link(contact_id: int) -> str:
    with db.session() as s:
        token = magic_links.issue_talk_link(s, contact_id=contact_id)
        s.commit()
    return token


def test_link_opens_the_talk_area_without_password(new_page, question):
    page = new_page(PHONE)
    page.goto(f"/t/{_link(question['maria'].id)}")
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    card = page.get_by_role("button", name="Frage öffnen")
    expect(card).to_contain_text("Lieferant 1")
    expect(page.get_by_text("Offene Belege")).to_have_count(0)  # not the talk area
    card.click()
    expect(page.get_by_role("log", name="Nachrichten")).to_contain_text("Bitte den Beleg zu Lieferant 1 hochladen.")
    screenshot(page, "magic-link-talk-phone")
    page.get_by_role("button", name="Schließen").click()

    page.get_by_role("link", name="Nachrichten").last.click()
    expect(page).to_have_url(re.compile(r"/login/?\?next=%2Fportal%2Fmessages"))
    expect(page.get_by_role("status")).to_contain_text("mit Ihrem Passwort an")
    screenshot(page, "magic-link-password-needed-phone")

    page.goto("/portal/documents")  # documents need the password too
    expect(page).to_have_url(re.compile(r"/login/?\?next=%2Fportal%2Fdocuments"))


def test_used_link_and_talk_password(new_page, question):
    token = _link(question["maria"].id)
    first = new_page(PHONE)
    first.goto(f"/t/{token}")
    expect(first).to_have_url(re.compile(r"/portal/?$"))
    again = new_page(PHONE)
    again.goto(f"/t/{token}")
    expect(again.get_by_role("alert")).to_contain_text("bereits verwendet")

    magic_links.set_talk_password(actor=question["admin"], enabled=True)
    try:
        locked = new_page(PHONE)
        locked.goto(f"/t/{_link(question['maria'].id)}")
        expect(locked).to_have_url(re.compile(r"/login/?\?next=%2Fportal&notice=talk_password"))
        expect(locked.get_by_role("status")).to_contain_text("auch die offenen Fragen")
        expect(locked.get_by_label("Passwort", exact=True)).to_be_visible()
    finally:
        magic_links.set_talk_password(actor=question["admin"], enabled=False)

    unknown = new_page(PHONE)
    response = unknown.goto("/t/not-a-real-token")
    assert response.status == 404
    expect(unknown.get_by_role("heading", name="Link ungültig")).to_be_visible()


def test_email_after_session_end_carries_a_link_into_the_talk(new_page, mailbox):
    from tests.e2e.test_login import log_in

    anna = factories.staff(name="Anna Schmidt")
    account = factories.client(name="Mail Bäckerei GmbH", accountants=(anna,), missing_receipts=1)
    maria = factories.contact(account=account, first="Maria", last="Mail")
    staff = new_page()
    staff.goto("/login")
    log_in(staff, anna.email)
    staff.get_by_role("link", name="Mail Bäckerei GmbH").click()
    staff.get_by_role("table").get_by_role("button", name="Buchung öffnen").first.click()
    staff.get_by_label("Nachricht", exact=True).fill("Bitte die Rechnung hochladen – vertraulich.")
    staff.get_by_role("button", name="Senden").click()
    expect(staff.get_by_role("log", name="Nachrichten")).to_contain_text("vertraulich")
    staff.keyboard.press("Escape")
    assert _last_seen(anna.id) is not None  # the open tab's heartbeat keeps the batch waiting
    staff.get_by_role("button", name="Abmelden").first.click()  # the working session ends
    expect(staff).to_have_url(re.compile(r"/login"))
    assert _last_seen(anna.id) is None

    message = mailbox[0].wait_for(maria.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "vertraulich" not in text  # no message text by default
    link = re.search(r"http://127\.0\.0\.1:\d+/t/[A-Za-z0-9_-]+", text).group(0)

    page = new_page(PHONE)
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    page.get_by_role("button", name="Frage öffnen").click()
    expect(page.get_by_role("log", name="Nachrichten")).to_contain_text("vertraulich")


def _last_seen(staff_id: int):
    with db.session() as s:
        return s.get(StaffUser, staff_id).last_seen_at


def _quiet_minutes(minutes: int) -> None:
    with db.session() as s:
        firm = s.exec(select(Firm)).first()
        firm.mail_quiet_minutes = minutes
        s.add(firm)
        s.commit()


def test_staff_revoke_links_logs_out_the_link_session(new_page, question):
    from tests.e2e.test_login import log_in

    client = new_page(PHONE)
    client.goto(f"/t/{_link(question['maria'].id)}")
    expect(client.get_by_role("button", name="Frage öffnen")).to_be_visible()

    staff = new_page()
    staff.goto("/login")
    log_in(staff, question["admin"].email)
    staff.get_by_role("link", name=question["name"]).click()
    staff.get_by_role("button", name="Zugänge").click()
    dialog = staff.get_by_role("dialog", name="Portalzugänge des Mandanten")
    dialog.get_by_role("button", name="E-Mail-Links widerrufen: Maria Link").click()
    expect(dialog.get_by_role("status")).to_contain_text("wurden widerrufen")
    screenshot(staff, "revoke-links-desktop")

    client.reload()
    expect(client).to_have_url(re.compile(r"/login"))


def test_client_answer_reaches_the_accountant_by_email(new_page, mailbox, question):
    from tests.e2e.test_login import log_in

    anna_email = question["anna_email"]
    _quiet_minutes(0)  # no quiet period, so the test need not wait ten minutes
    try:
        client = new_page(PHONE)
        client.goto(f"/t/{_link(question['maria'].id)}")
        client.get_by_role("button", name="Frage öffnen").click()
        client.get_by_label("Ihre Antwort").fill("Der Beleg kommt morgen – Betrag 1.234,00 €.")
        client.get_by_role("button", name="Senden").click()
        expect(client.get_by_role("log", name="Nachrichten")).to_contain_text("kommt morgen")

        message = mailbox[0].wait_for(anna_email)
    finally:
        _quiet_minutes(10)
    assert message["Subject"].startswith("Neues von Mandanten")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"{question['name']}: 1 ungelesen" in text and "kommt morgen" not in text
    inbox = re.search(r"http://127\.0\.0\.1:\d+/staff/inbox", text).group(0)

    staff = new_page()
    staff.goto(inbox)
    log_in(staff, anna_email)
    expect(staff).to_have_url(re.compile(r"/staff/inbox"))
    expect(staff.get_by_role("main")).to_contain_text(question["name"])


def test_admin_sees_outgoing_email(new_page):
    from tests.e2e.test_login import log_in

    from portal.notify.outbox import queue

    admin = factories.staff(role=Role.ADMIN, name="Katrin Berger")
    address = factories.unique_email("outbox")
    with db.session() as s:
        queue(s, to=address, template="password_reset", context={
            "locale": "de", "name": "Kunde", "firm_name": "Kanzlei", "link": "http://127.0.0.1/reset/x",
            "valid_minutes": 60})
        s.commit()
    page = new_page()
    page.goto("/login")
    log_in(page, admin.email)
    page.get_by_role("link", name="E-Mails").first.click()
    expect(page.get_by_role("heading", name="Ausgehende E-Mails")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=address)
    for _ in range(20):  # the app's sender runs every few seconds
        if "Versendet" in (row.inner_text() if row.count() else ""):
            break
        page.get_by_role("button", name="Aktualisieren").click()
        page.wait_for_timeout(500)
    expect(row).to_contain_text("Versendet")
    screenshot(page, "outbox-desktop")
