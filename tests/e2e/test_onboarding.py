"""Onboarding in a real browser: an admin creates a company account with a contact and
invites them; the contact activates from the emailed link and lands in the portal; the
account turns active. An accountant sees only assigned clients, the right tabs, search and
the missing-receipts filter, and is refused an unassigned client by URL."""

import itertools
import re

import pytest
from playwright.sync_api import expect

from portal.domain.enums import Role
from portal.services import clients
from portal.services.clients import AccountDraft, ContactDraft
from tests import factories
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_login import log_in

_SERIAL = itertools.count(1)


@pytest.fixture
def office():
    n = next(_SERIAL)
    factories.ensure_firm()
    admin = factories.staff(role=Role.ADMIN, name="Katrin Berger")
    anna = factories.staff(name=f"Anna Onboarding {n}")
    jonas = factories.staff(name=f"Jonas Onboarding {n}")
    return {"n": n, "admin": admin, "anna": anna, "jonas": jonas}


def test_admin_creates_invites_and_the_contact_activates(new_page, office, mailbox):
    n = office["n"]
    email = f"leonie.{n}@brunner-onboarding.test"
    name = f"Brunner Holzbau {n} GmbH"
    staff = new_page()
    staff.goto("/staff/clients")
    log_in(staff, office["admin"].email)
    expect(staff.get_by_role("heading", name="Mandanten", level=1)).to_be_visible()
    staff.get_by_role("button", name="Neu").click()
    dialog = staff.get_by_role("dialog")
    expect(dialog.get_by_role("radio", name="Unternehmen")).to_be_checked()
    dialog.get_by_label("Firmenname").fill(f"Brunner: Holzbau {n}")
    dialog.get_by_label("Firmenadresse").fill("Sägewerkstraße 3, 83022 Rosenheim")
    dialog.get_by_label("Schlagwörter", exact=True).first.fill("Handwerk, Bau")
    dialog.get_by_label("Vorname").fill("Leonie")
    dialog.get_by_label("Nachname").fill("Brunner")
    dialog.get_by_label("E-Mail", exact=True).fill("leonie@@brunner")
    dialog.get_by_label(office["anna"].name).check()
    screenshot(staff, "onboarding-new-client")
    dialog.get_by_role("button", name="Anlegen").click()
    expect(dialog.get_by_role("alert")).to_contain_text("„:“")  # the forbidden character is named
    dialog.get_by_label("Firmenname").fill(name)
    dialog.get_by_role("button", name="Anlegen").click()
    expect(dialog.get_by_role("alert")).to_contain_text("keine gültige E-Mail-Adresse")
    dialog.get_by_label("E-Mail", exact=True).fill(email)
    dialog.get_by_role("button", name="Anlegen").click()

    dialog.get_by_label("Persönliche Nachricht (optional)").fill("Herzlich willkommen bei uns!")
    screenshot(staff, "onboarding-invite-step")
    dialog.get_by_role("button", name="Einladung senden").click()
    expect(staff).to_have_url(re.compile(r"/staff/clients/[^/]+/info$"))
    expect(staff.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(staff.get_by_text("Sägewerkstraße 3, 83022 Rosenheim")).to_be_visible()
    # Account status and the contact's state both say "invited".
    expect(staff.get_by_text("Eingeladen", exact=True)).to_have_count(2)
    screenshot(staff, "onboarding-info-invited")

    mail = mailbox[0].wait_for(email)
    assert "Herzlich willkommen bei uns!" in mail.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/activate/\S+", mail.get_body(("plain",)).get_content()).group(0)
    path = "/" + link.split("/", 3)[3]

    client = new_page(PHONE)
    client.goto(path)
    expect(client.get_by_role("heading", name="Zugang aktivieren")).to_be_visible()
    screenshot(client, "onboarding-activate-phone")
    client.get_by_label("Passwort", exact=True).fill("holz-und-span-2026")
    client.get_by_label("Passwort wiederholen").fill("holz-und-span-2026")
    client.get_by_role("button", name="Zugang aktivieren").click()
    expect(client).to_have_url(re.compile(r"/portal/?$"))
    expect(client.get_by_text(name).first).to_be_visible()
    screenshot(client, "onboarding-portal-phone")

    # The staff tab follows live: the account is active now.
    expect(staff.get_by_text("Aktiv", exact=True)).to_have_count(2)
    expect(staff.get_by_text("Eingeladen", exact=True)).to_have_count(0)

    # The link works once.
    again = new_page(PHONE)
    again.goto(path)
    expect(again.get_by_role("alert")).to_contain_text("bereits verwendet")
    expect(again.get_by_label("Passwort", exact=True)).to_have_count(0)


def _company(actor, name: str, *, login: bool = True) -> int:
    return clients.create_account(
        actor=actor, draft=AccountDraft(kind="company", company_name=name),
        contacts=[ContactDraft(first_name="Kim", last_name="Kontakt", email=factories.unique_email("kim"),
                               login=login)]).id


def test_accountant_sees_assigned_clients_tabs_search_and_filter(new_page, office):
    n = office["n"]
    anna, jonas = factories.actor(office["anna"]), factories.actor(office["jonas"])
    _company(anna, f"Anna Alpha {n} GmbH", login=False)
    _company(anna, f"Anna Beta {n} GmbH", login=False)
    _company(anna, f"Anna Neu {n} GmbH")  # LOGIN on, not invited yet: Onboarding
    missing = factories.client(name=f"Anna Fehlbeleg {n} KG", accountants=(office["anna"],), missing_receipts=2)
    other = _company(jonas, f"Jonas Geheim {n} GmbH", login=False)
    other_public = clients.account_details(actor=jonas, account_id=other).public_id

    page = new_page()
    page.goto("/staff/clients")
    log_in(page, office["anna"].email)
    tabs = page.get_by_role("tablist")
    expect(tabs.get_by_role("tab")).to_have_count(2)
    expect(tabs.get_by_role("tab", name=re.compile("Meine Mandanten"))).to_be_visible()
    expect(tabs.get_by_role("tab", name=re.compile("Onboarding"))).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name=f"Anna Alpha {n} GmbH")).to_be_visible()
    expect(page.get_by_text(f"Jonas Geheim {n} GmbH")).to_have_count(0)
    screenshot(page, "onboarding-accountant-clients")

    page.get_by_label("Mandanten suchen").fill(f"beta {n}")
    expect(table.get_by_role("row")).to_have_count(2)  # header + one client
    expect(table.get_by_role("link", name=f"Anna Beta {n} GmbH")).to_be_visible()
    page.get_by_label("Mandanten suchen").fill(f"{n} ")
    page.get_by_label("Mandanten suchen").fill("")
    # A controlled checkbox: its state arrives from the server after the click.
    page.get_by_label("Fehlende Belege").click()
    expect(page.get_by_label("Fehlende Belege")).to_be_checked()
    expect(table.get_by_role("link", name=missing.name)).to_be_visible()
    expect(table.get_by_role("link", name=f"Anna Alpha {n} GmbH")).to_have_count(0)
    page.get_by_label("Fehlende Belege").click()
    expect(page.get_by_label("Fehlende Belege")).not_to_be_checked()

    tabs.get_by_role("tab", name=re.compile("Onboarding")).click()
    expect(table.get_by_role("link", name=f"Anna Neu {n} GmbH")).to_be_visible()
    expect(table.get_by_role("link", name=f"Anna Alpha {n} GmbH")).to_have_count(0)

    page.goto(f"/staff/clients/{other_public}/info")
    expect(page.get_by_role("heading", name="Mandant nicht gefunden")).to_be_visible()
    expect(page.get_by_text(f"Jonas Geheim {n} GmbH")).to_have_count(0)


def test_phone_clients_page_has_no_horizontal_scroll(new_page, office):
    _company(factories.actor(office["anna"]), f"Anna Telefon {office['n']} GmbH")
    page = new_page(PHONE)
    page.goto("/staff/clients")
    log_in(page, office["anna"].email)
    expect(page.get_by_role("link", name=f"Anna Telefon {office['n']} GmbH").first).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(page, "onboarding-clients-phone")


def test_admin_imports_a_client_list_with_invitations(new_page, office, mailbox, tmp_path):
    n = office["n"]
    header = "Kontoname;Firmenname;Vorname;Nachname;E-Mail;Buchhalter;LOGIN"
    bad = tmp_path / "mandanten-fehler.csv"
    bad.write_bytes((f"{header}\r\n;Import Gut {n} GmbH;Gerd;Gut;gerd.{n}@import.test;;ja\r\n"
                     f";Import: Schlecht {n};Sara;Schlecht;sara.{n}@import.test;;ja\r\n").encode("cp1252"))
    good = tmp_path / "mandanten.csv"
    good.write_bytes((f"{header}\r\n;Import Gut {n} GmbH;Gerd;Gut;gerd.{n}@import.test;{office['anna'].email};ja\r\n"
                      f";Import Gut {n} GmbH;Gisela;Gut;gisela.{n}@import.test;;nein\r\n"
                      f"Import Privat {n};;Paula;Privat;paula.{n}@import.test;;ja\r\n").encode("cp1252"))
    page = new_page()
    page.goto("/staff/clients")
    log_in(page, office["admin"].email)
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Mandanten importieren", level=1)).to_be_visible()
    page.locator("#client-import input[type=file]").set_input_files(str(bad))
    expect(page.get_by_role("alert")).to_contain_text("Es wurde nichts gespeichert")
    report = page.get_by_role("table").filter(has_text="Problem")
    expect(report.get_by_role("row")).to_have_count(2)  # header + the one bad line
    expect(report).to_contain_text("Zeile 3:")
    expect(report).to_contain_text("„:“")
    screenshot(page, "onboarding-import-report")

    page.get_by_text("Einladungen an importierte Kontakte mit LOGIN senden").click()
    page.locator("#client-import input[type=file]").set_input_files(str(good))
    expect(page.get_by_role("status").filter(has_text="Importiert")).to_contain_text(
        "2 Mandanten mit 3 neuen Kontakten", timeout=30_000)
    expect(page.get_by_role("status").filter(has_text="Importiert")).to_contain_text("2 Einladungen")
    screenshot(page, "onboarding-import-done")
    assert "/activate/" in mailbox[0].wait_for(f"gerd.{n}@import.test").get_body(("plain",)).get_content()
    mailbox[0].wait_for(f"paula.{n}@import.test")

    page.get_by_role("link", name="Zur Mandantenliste").click()
    page.get_by_label("Mandanten suchen").fill(f"Import Gut {n}")
    expect(page.get_by_role("table").get_by_role("link", name=f"Import Gut {n} GmbH")).to_be_visible()

    phone = new_page(PHONE)
    phone.goto("/staff/clients/import")
    log_in(phone, office["admin"].email)
    expect(phone.get_by_role("heading", name="Mandanten importieren", level=1)).to_be_visible()
    assert phone.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "onboarding-import-phone")


def test_self_sign_up_reaches_the_staff_and_can_be_switched_off(new_page, office):
    n = office["n"]
    visitor = new_page(PHONE)
    visitor.goto("/login")
    # A click while the page's scripts still load can be lost on a busy machine.
    visitor.wait_for_load_state("networkidle")
    visitor.get_by_role("link", name="Neu hier? Als Mandant registrieren").click()
    expect(visitor.get_by_role("heading", name="Registrieren", level=1)).to_be_visible()
    visitor.get_by_label("Vorname").fill("Paul")
    visitor.get_by_label("Nachname").fill("Kern")
    visitor.get_by_label("E-Mail").fill(f"paul.{n}@kern-signup.test")
    visitor.get_by_label("Firma (optional)").fill(f"Tischlerei Kern {n}")
    screenshot(visitor, "onboarding-signup-phone")
    assert visitor.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    visitor.get_by_role("button", name="Registrieren").click()
    expect(visitor.get_by_role("heading", name="Vielen Dank!")).to_be_visible()

    staff = new_page()
    staff.goto("/staff/clients")
    log_in(staff, office["admin"].email)
    staff.get_by_role("tablist").get_by_role("tab", name=re.compile("Onboarding")).click()
    staff.get_by_label("Mandanten suchen").fill(f"Tischlerei Kern {n}")
    row = staff.get_by_role("row").filter(has_text=f"Tischlerei Kern {n}")
    expect(row).to_contain_text("Selbstregistrierung")

    staff.goto("/staff/settings")
    switch = staff.get_by_role("switch", name="Selbstregistrierung")
    expect(switch).to_be_checked()
    switch.click()
    expect(switch).not_to_be_checked()
    closed = new_page(PHONE)
    closed.goto("/signup")
    expect(closed.get_by_text("nimmt derzeit keine Registrierungen")).to_be_visible()
    expect(closed.get_by_label("Vorname")).to_have_count(0)
    switch.click()
    expect(switch).to_be_checked()


def test_contact_on_two_accounts_chooses_after_login_and_switches(new_page, office):
    n = office["n"]
    first = factories.client(name=f"Hofmann Bäckerei {n} GmbH", missing_receipts=1)
    second = factories.client(name=f"Hofmann Privat {n}", missing_receipts=2)
    maria = factories.contact(account=first, also_on=(second,))
    page = new_page(PHONE)
    page.goto("/portal")
    log_in(page, maria.email)
    expect(page.get_by_role("heading", name="Konto wählen")).to_be_visible()
    screenshot(page, "onboarding-choose-account-phone")
    page.get_by_role("button", name=second.name).click()
    expect(page.get_by_role("heading", name=second.name, level=2)).to_be_visible()
    expect(page.get_by_role("heading", name=first.name, level=2)).to_have_count(0)
    expect(page.get_by_text("Lieferant 2")).to_be_visible()

    # The choice holds on the next visit and on the documents page; the switch changes it.
    page.reload()
    expect(page.get_by_role("heading", name=second.name, level=2)).to_be_visible()
    page.get_by_label("Konto", exact=True).click()
    page.get_by_role("option", name=first.name).click()
    expect(page.get_by_role("heading", name=first.name, level=2)).to_be_visible()
    expect(page.get_by_role("heading", name=second.name, level=2)).to_have_count(0)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(page, "onboarding-switched-account-phone")
    page.goto("/portal/documents")
    expect(page.get_by_role("combobox").first).to_contain_text(first.name)
