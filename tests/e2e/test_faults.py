"""A server SIGKILLed at the worst moments, then started again on the same data (issue 10):
while a large upload streams and a message is being sent, and in the middle of a client
import. Afterwards no partial rows, no partial or orphaned blobs, and every message the
sender's tab showed as sent is there.

This test runs an app of its own (its own DATA_DIR, SQLite database and blob store),
never the session's shared one: it kills it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from portal.models import ClientAccount, Document, Message, Outbox
from portal.services import conversations, db, documents
from portal.serve import build_frontend
from tests import factories
from tests.app_process import RunningApp, free_port, running_app
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, page_factory, screenshot
from tests.e2e.test_login import log_in

INVITE = "Einladungen an importierte Kontakte mit LOGIN senden"
BIG_MB = 40
# The browser sends at most this fast, so the upload is still streaming when the server dies.
UPLOAD_BYTES_PER_S = 2 * 1024 * 1024
IMPORT_CLIENTS = 150


@pytest.fixture
def instance(app, tmp_path, monkeypatch):
    """A portal installation of this test's own; the test's own writes go to its database.

    Its server builds the one frontend of the checkout for its own port, the backend's
    address being baked in: afterwards the build is made again for the shared app's port,
    or every later browser test would talk to this dead server.
    """
    data = tmp_path / "data"
    url = f"sqlite:///{data / 'portal.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    anna = factories.staff(name="Anna Schmidt")
    account = factories.client(name="Absturz Bäckerei GmbH", accountants=(anna,))
    maria = factories.contact(account=account, first="Maria", last="Absturz")
    conversations.start_conversation(actor=factories.actor(anna), account_id=account.id, subject="Belege Dezember",
                                     body="Bitte senden Sie uns die Belege.")
    documents.browse(actor=factories.actor(anna), account_id=account.id)  # the folders, from the template
    big = tmp_path / "Jahresordner.pdf"
    with open(big, "wb") as out:
        out.write(b"%PDF-1.4\n")
        out.truncate(BIG_MB * 1024 * 1024)
    rows = ["Kontoname;Firmenname;Vorname;Nachname;E-Mail;LOGIN"] + [
        f";Import {i:03d} GmbH;Ina;Import{i:03d};ina{i:03d}@import.test;ja" for i in range(IMPORT_CLIENTS)]
    clients_csv = tmp_path / "mandanten.csv"
    clients_csv.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    env = {"DATA_DIR": str(data), "DATABASE_URL": url, "STORAGE_URL": f"file://{data / 'blobs'}",
           "MAX_UPLOAD_MB": str(BIG_MB * 2), "REFLEX_REDIS_URL": "", "GRANIAN_WORKERS": "1", "SMTP_URL": ""}
    try:
        yield {"env": env, "blobs": data / "blobs", "anna": anna, "maria": maria, "account": account, "big": big,
               "csv": clients_csv, "port": free_port()}
    finally:
        engine.dispose()
        build_frontend(urlsplit(app.url).port)


@contextlib.contextmanager
def _app(instance, *, first: bool = False):
    with running_app(instance["env"], ARTIFACTS / "app-faults.log", port=instance["port"], build=first) as app:
        yield app


def _kill(app: RunningApp) -> None:
    """SIGKILL the server and its workers at once: no shutdown code runs, as in a crash."""
    os.killpg(app.pgid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while app.live_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not app.live_pids()


def _partials(blobs: Path) -> list[Path]:
    return [p for p in blobs.rglob(".*") if p.is_file() and p.name.endswith((".part", ".new"))]


def _blob_files(blobs: Path) -> set[str]:
    return {p.name for p in blobs.rglob("*") if p.is_file() and not p.name.startswith(".")}


def _named_blobs() -> set[str]:
    with db.session() as s:
        return set(s.exec(select(Document.blob_key)).all())


def _open_thread(page: Page, subject: str):
    page.get_by_role("button", name="Unterhaltung öffnen").filter(has_text=subject).click()
    return page.get_by_role("dialog", name=subject)


def _throttle_uploads(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": UPLOAD_BYTES_PER_S})


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout}s: {what}")


def test_a_killed_server_loses_nothing_acknowledged_and_leaves_nothing_half_done(browser, instance):
    blobs = instance["blobs"]
    with page_factory(browser, f"http://127.0.0.1:{instance['port']}") as new_page:
        with _app(instance, first=True) as app:
            staff = new_page(DESKTOP)
            staff.goto("/login")
            log_in(staff, instance["anna"].email)
            expect(staff).to_have_url(re.compile(r"/staff/clients/?$"))
            maria = new_page(PHONE)
            maria.goto("/login")
            log_in(maria, instance["maria"].email)
            maria.get_by_role("link", name="Nachrichten").last.click()
            maria_sheet = _open_thread(maria, "Belege Dezember")
            maria_log = maria_sheet.get_by_role("log", name="Nachrichten")

            # Acknowledged: the tab shows the answer as sent.
            maria_sheet.get_by_label("Ihre Antwort").fill("Die Belege kommen heute.")
            maria_sheet.get_by_role("button", name="Senden").click()
            expect(maria_log).to_contain_text("Die Belege kommen heute.")

            # A large upload streams into the documents folder, slowly...
            staff.get_by_role("link", name=instance["account"].name).click()
            staff.get_by_role("navigation", name="Bereiche des Mandanten").get_by_role("link",
                                                                                     name="Dokumente").click()
            staff.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente").click()
            _throttle_uploads(staff)
            staff.locator("#staff-documents input[type=file]").set_input_files(str(instance["big"]))
            _wait_for(lambda: any(p.stat().st_size > 1024 * 1024 for p in _partials(blobs)), 60,
                      "the upload streaming into a partial file")
            # ...and a message is on its way when the server dies.
            maria_sheet.get_by_label("Ihre Antwort").fill("Und der Kontoauszug folgt.")
            maria_sheet.get_by_role("button", name="Senden").click()
            _kill(app)
            shown_as_sent = maria_log.inner_text()
            still_typed = maria_sheet.get_by_label("Ihre Antwort").input_value()
            screenshot(maria, "faults-killed-client-phone")
            assert _partials(blobs), "killed mid-stream: a partial file must be there for the sweep"

        with _app(instance) as app:
            # The start-up sweep removes the partial file of the upload that died with the server.
            _wait_for(lambda: not _partials(blobs), 30, "the start-up sweep removing the partial file")
            with db.session() as s:
                sent = set(s.exec(select(Message.body)).all())
                assert s.exec(select(Document).where(Document.filename == "Jahresordner.pdf")).all() == []
            assert "Die Belege kommen heute." in sent
            # Every message the tab showed as sent is there; one it did not show is still in the box.
            if "Und der Kontoauszug folgt." in shown_as_sent:
                assert "Und der Kontoauszug folgt." in sent
            elif "Und der Kontoauszug folgt." not in sent:
                assert still_typed == "Und der Kontoauszug folgt."
            assert _blob_files(blobs) <= _named_blobs()  # no blob without its row

            maria.reload()  # the address names the open thread: the sheet opens with it, read afresh
            maria_sheet = maria.get_by_role("dialog", name="Belege Dezember")
            expect(maria_sheet.get_by_role("log", name="Nachrichten")).to_contain_text("Die Belege kommen heute.")
            screenshot(maria, "faults-restarted-client-phone")
            staff.reload()
            staff.get_by_role("button", name="Ordner öffnen: Vom Kunden hochgeladene Dokumente").click()
            expect(staff.locator("#staff-documents")).to_be_visible()
            expect(staff.get_by_role("link", name="Herunterladen: Jahresordner.pdf")).to_have_count(0)

            # A client import dies while it writes the accounts.
            staff.goto("/staff/clients/import")
            staff.get_by_role("switch", name=INVITE).click()
            expect(staff.get_by_role("switch", name=INVITE)).to_be_checked()
            staff.locator("#client-import input[type=file]").set_input_files(str(instance["csv"]))
            expect(staff.get_by_role("status").filter(has_text="Mandanten werden angelegt")).to_be_visible(
                timeout=30_000)
            _kill(app)

        with _app(instance):
            with db.session() as s:
                imported = s.exec(select(func.count()).select_from(ClientAccount).where(
                    ClientAccount.name.like("Import %"))).one()
                invitations = s.exec(select(func.count()).select_from(Outbox).where(
                    Outbox.to.like("%@import.test"))).one()
            assert (imported, invitations) == (0, 0)  # the transaction died with the server

            # Nothing half there: the same file imports whole now. The tab's choices may have
            # outlived the server (Reflex keeps tab state on disk), so the switch is set, not toggled.
            staff.goto("/staff/clients/import")
            invite = staff.get_by_role("switch", name=INVITE)
            expect(invite).to_be_visible()
            if invite.get_attribute("aria-checked") != "true":
                invite.click()
            expect(invite).to_be_checked()
            staff.locator("#client-import input[type=file]").set_input_files(str(instance["csv"]))
            expect(staff.get_by_role("status").filter(has_text=f"Importiert: {IMPORT_CLIENTS} Mandanten")).to_be_visible(
                timeout=120_000)
            screenshot(staff, "faults-import-after-restart-desktop")
            with db.session() as s:
                assert s.exec(select(func.count()).select_from(ClientAccount).where(
                    ClientAccount.name.like("Import %"))).one() == IMPORT_CLIENTS
                assert s.exec(select(func.count()).select_from(Outbox).where(
                    Outbox.to.like("%@import.test"))).one() == IMPORT_CLIENTS
