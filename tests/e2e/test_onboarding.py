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
