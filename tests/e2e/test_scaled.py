"""Two workers on PostgreSQL, Redis and S3: live messages cross workers, and the tabs of a
killed worker reconnect to the other one without losing what was sent."""

import os
import signal

import pytest
from playwright.sync_api import Page, expect

from tests import factories, stack
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_login import log_in

pytestmark = pytest.mark.skipif(not stack.SCALED, reason="needs the scaled stack: PORTAL_TEST_STACK=scaled "
                                                          "(scripts/test runs this file that way)")
LIVE = 5_000
# Reflex's client retries the websocket with a growing pause; a few seconds at most here.
RECONNECT = 30_000
PLACEMENT_TRIES = 12


def worker_of(page: Page) -> str:
    """The worker process holding the tab's websocket, as the page shell names it."""
    shell = page.locator("[data-served-by]:not([data-served-by=''])").first
    expect(shell).to_be_attached()
    return shell.get_attribute("data-served-by")


def _pid(worker: str) -> int:
    return int(worker.rsplit("/", 1)[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def people():
    anna = factories.staff(name="Anna Schmidt")
    account = factories.client(name="Skalierung Nord GmbH", accountants=(anna,))
    maria = factories.contact(account=account, first="Maria", last="Nord")
    return {"anna": anna, "maria": maria}


def _client_on_conversations(new_page, email: str) -> Page:
    page = new_page(PHONE)
    page.goto("/login")
    log_in(page, email)
    page.get_by_role("link", name="Nachrichten").last.click()
    expect(page.get_by_role("heading", name="Nachrichten", level=1)).to_be_visible()
    return page


def _staff_on_other_worker(new_page, email: str, taken: str) -> Page:
    """Staff inbox in a tab whose websocket another worker than ``taken`` holds.

    The kernel spreads connections over the workers; new tabs are opened until one
    lands elsewhere.
    """
    for _ in range(PLACEMENT_TRIES):
        page = new_page(DESKTOP)
        page.goto("/login")
        log_in(page, email)
        page.get_by_role("link", name="Posteingang").first.click()
        expect(page.get_by_role("heading", name="Posteingang", level=1)).to_be_visible()
        if worker_of(page) != taken:
            return page
        page.context.close()
    raise AssertionError(f"every tab of {PLACEMENT_TRIES} landed on {taken}")


def _start_conversation(page: Page, subject: str, text: str):
    page.get_by_role("button", name="Neue Unterhaltung").click()
    dialog = page.get_by_role("dialog", name="Neue Unterhaltung")
    dialog.get_by_label("Betreff").fill(subject)
    dialog.get_by_label("Nachricht").fill(text)
    dialog.get_by_role("button", name="Unterhaltung starten").click()
    sheet = page.get_by_role("dialog", name=subject)
    expect(sheet).to_be_visible()
    return sheet


def test_message_crosses_workers_live(new_page, people, app):
    maria = _client_on_conversations(new_page, people["maria"].email)
    anna = _staff_on_other_worker(new_page, people["anna"].email, taken=worker_of(maria))
    assert {_pid(worker_of(maria)), _pid(worker_of(anna))} <= set(app.pids())

    sheet = _start_conversation(maria, "Quartalszahlen Q3", "Die Zahlen für das dritte Quartal sind hochgeladen.")
    row = anna.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Quartalszahlen Q3")
    expect(row).to_be_visible(timeout=LIVE)  # pushed from Maria's worker to Anna's
    row.click()
    staff_sheet = anna.get_by_role("dialog", name="Quartalszahlen Q3")
    expect(staff_sheet.get_by_role("log", name="Nachrichten")).to_contain_text("dritte Quartal")
    staff_sheet.get_by_label("Ihre Antwort").fill("Danke, wir sehen sie uns morgen an.")
    staff_sheet.get_by_role("button", name="Senden").click()
    expect(sheet.get_by_role("log", name="Nachrichten")).to_contain_text("wir sehen sie uns morgen an",
                                                                         timeout=LIVE)
    assert worker_of(maria) != worker_of(anna)


def test_killed_worker_tabs_reconnect_and_lose_nothing(new_page, people, app):
    maria = _client_on_conversations(new_page, people["maria"].email)
    doomed = worker_of(maria)
    anna = _staff_on_other_worker(new_page, people["anna"].email, taken=doomed)

    sheet = _start_conversation(maria, "Umsatzsteuer November", "Vor dem Ausfall geschickt.")
    maria_log = sheet.get_by_role("log", name="Nachrichten")
    row = anna.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Umsatzsteuer November")
    expect(row).to_be_visible(timeout=LIVE)
    row.click()
    staff_log = anna.get_by_role("dialog", name="Umsatzsteuer November").get_by_role("log", name="Nachrichten")
    expect(staff_log).to_contain_text("Vor dem Ausfall geschickt.")

    # Maria's worker dies; she keeps typing and sends while her tab has no connection.
    os.kill(_pid(doomed), signal.SIGKILL)
    sheet.get_by_label("Ihre Antwort").fill("Während des Ausfalls geschickt.")
    sheet.get_by_role("button", name="Senden").click()

    # Her tab reconnects to a living worker, the queued message goes out and reaches Anna live.
    expect(staff_log).to_contain_text("Während des Ausfalls geschickt.", timeout=RECONNECT)
    expect(maria_log).to_contain_text("Während des Ausfalls geschickt.")
    expect(maria_log).to_contain_text("Vor dem Ausfall geschickt.")
    sheet.get_by_label("Ihre Antwort").fill("Nach dem Ausfall geschickt.")
    sheet.get_by_role("button", name="Senden").click()
    expect(staff_log).to_contain_text("Nach dem Ausfall geschickt.", timeout=LIVE)

    # The server replaced the dead worker; a page load shows Maria is served by a living one.
    maria.get_by_role("button", name="Schließen", exact=True).click()
    maria.get_by_role("link", name="Übersicht").last.click()
    maria.get_by_role("link", name="Nachrichten").last.click()
    expect(maria.get_by_role("heading", name="Nachrichten", level=1)).to_be_visible()
    now = worker_of(maria)
    assert now != doomed and _alive(_pid(now))
    assert len(app.pids()) == stack.WORKERS + 1  # the supervisor and a full set of workers

    # Each message is stored exactly once; the reloaded tab reopens the conversation from Redis.
    anna.reload()
    for text in ("Vor dem Ausfall", "Während des Ausfalls", "Nach dem Ausfall"):
        expect(staff_log.get_by_text(text)).to_have_count(1)


def _conversation_on_two_workers(new_page, people, subject: str):
    """Maria's conversation open in her tab and, on the other worker, in Anna's."""
    maria = _client_on_conversations(new_page, people["maria"].email)
    anna = _staff_on_other_worker(new_page, people["anna"].email, taken=worker_of(maria))
    sheet = _start_conversation(maria, subject, "Erste Nachricht.")
    row = anna.get_by_role("button", name="Unterhaltung öffnen").filter(has_text=subject)
    expect(row).to_be_visible(timeout=LIVE)
    row.click()
    staff_log = anna.get_by_role("dialog", name=subject).get_by_role("log", name="Nachrichten")
    expect(staff_log).to_contain_text("Erste Nachricht.")
    return maria, sheet, anna, staff_log


def test_database_outage_fails_in_words_and_recovers(new_page, people):
    maria, sheet, anna, staff_log = _conversation_on_two_workers(new_page, people, "Lohnsteuer Dezember")
    stack.services.postgres.stop()
    try:
        sheet.get_by_label("Ihre Antwort").fill("Gesendet, während die Datenbank steht.")
        sheet.get_by_role("button", name="Senden").click()
        expect(maria.get_by_text("Gerade nicht erreichbar")).to_be_visible(timeout=LIVE)
        # A login needs the database too: a page in words with 503, not a bare error.
        visitor = new_page(DESKTOP)
        visitor.goto("/login")
        with visitor.expect_response(lambda r: r.request.method == "POST") as answer:
            log_in(visitor, people["maria"].email)
        assert answer.value.status == 503 and answer.value.headers["retry-after"]
        expect(visitor.get_by_role("heading", name="Gerade nicht erreichbar", level=1)).to_be_visible()
    finally:
        stack.services.postgres.start()

    # Back up: the same send works, reaches Anna live, and the failed attempt left nothing behind.
    sheet.get_by_label("Ihre Antwort").fill("Gesendet, als die Datenbank wieder lief.")
    sheet.get_by_role("button", name="Senden").click()
    expect(staff_log).to_contain_text("als die Datenbank wieder lief", timeout=LIVE)
    expect(staff_log).not_to_contain_text("während die Datenbank steht")


def test_redis_restart_keeps_sessions_and_messages_after_a_reload(new_page, people):
    maria, sheet, anna, staff_log = _conversation_on_two_workers(new_page, people, "Reisekosten")
    stack.services.redis.stop()
    stack.services.redis.start()  # empty: every tab's state is gone

    # Logins and messages live in the database: a reload brings both tabs back as they were.
    for page in (maria, anna):
        page.reload()
    expect(maria.get_by_role("heading", name="Nachrichten", level=1)).to_be_visible()
    maria.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Reisekosten").click()
    sheet = maria.get_by_role("dialog", name="Reisekosten")
    expect(sheet.get_by_role("log", name="Nachrichten")).to_contain_text("Erste Nachricht.")
    anna.get_by_role("button", name="Unterhaltung öffnen").filter(has_text="Reisekosten").click()
    expect(staff_log).to_contain_text("Erste Nachricht.")

    # Live updates cross the workers again.
    sheet.get_by_label("Ihre Antwort").fill("Nach dem Neustart von Redis.")
    sheet.get_by_role("button", name="Senden").click()
    expect(staff_log).to_contain_text("Nach dem Neustart von Redis.", timeout=LIVE)
