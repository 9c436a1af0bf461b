"""Login journeys in Chromium: staff and client areas, redirects, logout, errors."""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.domain.enums import Role, SubjectKind
from portal.services import auth
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot


@pytest.fixture
def firm_people():
    """An accountant with two clients, a colleague's client, and a client contact."""
    anna = factories.staff(name="Anna Schmidt")
    jonas = factories.staff(name="Jonas Weber")
    bakery = factories.client(name="Bäckerei Hofmann GmbH", accountants=(anna,), missing_receipts=3)
    factories.client(name="Müller Elektrotechnik KG", accountants=(anna,), missing_receipts=1)
    factories.client(name="Café Sonnenschein UG", accountants=(jonas,))
    maria = factories.contact(account=bakery, first="Maria", last="Hofmann")
    return {"anna": anna, "maria": maria}


def log_in(page: Page, email: str, password: str = factories.PASSWORD) -> None:
    expect(page.get_by_role("heading", name="Anmelden", level=1)).to_be_visible()
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_accountant_sees_assigned_clients_only(new_page, firm_people):
    page = new_page()
    page.goto("/staff/clients")
    expect(page).to_have_url(re.compile(r"/login/?\?next=%2Fstaff%2Fclients"))
    screenshot(page, "login-desktop")
    log_in(page, firm_people["anna"].email)
    expect(page).to_have_url(re.compile(r"/staff/clients/?$"))
    expect(page.get_by_role("heading", name="Mandanten", level=1)).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_text("Bäckerei Hofmann GmbH")).to_be_visible()
    expect(table.get_by_text("Müller Elektrotechnik KG")).to_be_visible()
    expect(page.get_by_text("Café Sonnenschein UG")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Hauptnavigation").first).to_be_visible()
    screenshot(page, "staff-clients-desktop")

    page.set_viewport_size(PHONE)
    expect(page.get_by_text("Bäckerei Hofmann GmbH").last).to_be_visible()
    screenshot(page, "staff-clients-phone")


def test_client_contact_sees_portal_and_not_staff_area(new_page, firm_people):
    page = new_page(PHONE)
    page.goto("/login")
    screenshot(page, "login-phone")
    log_in(page, firm_people["maria"].email)
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    expect(page.get_by_role("heading", name="Maria Hofmann")).to_be_visible()
    expect(page.get_by_text("Lieferant 1", exact=True)).to_be_visible()
    expect(page.get_by_text("-123,45 €")).to_be_visible()
    expect(page.get_by_role("link", name="Profil")).to_be_visible()
    screenshot(page, "client-home-phone")

    page.set_viewport_size(DESKTOP)
    screenshot(page, "client-home-desktop")

    page.goto("/staff/clients")
    expect(page).to_have_url(re.compile(r"/login/?\?next=%2Fstaff%2Fclients"))
    expect(page.get_by_role("status")).to_contain_text("Mit Ihrem aktuellen Zugang")
    expect(page.get_by_role("heading", name="Anmelden", level=1)).to_be_visible()
    page.wait_for_timeout(1000)  # stays on the login page, no bounce back to the portal
    expect(page).to_have_url(re.compile(r"/login/?\?next=%2Fstaff%2Fclients"))
    expect(page.get_by_text("Bäckerei Hofmann GmbH")).to_have_count(0)

    # Staff logging in on the same device replaces the client's session.
    log_in(page, firm_people["anna"].email)
    expect(page).to_have_url(re.compile(r"/staff/clients/?$"))
    assert auth.live_session_count(kind=SubjectKind.CONTACT, subject_id=firm_people["maria"].id) == 0


def test_logout_revokes_the_session(new_page, firm_people):
    anna = firm_people["anna"]
    page = new_page()
    page.goto("/login")
    log_in(page, anna.email)
    expect(page).to_have_url(re.compile(r"/staff/clients/?$"))
    assert auth.live_session_count(kind=SubjectKind.STAFF, subject_id=anna.id) == 1
    cookie = next(c for c in page.context.cookies() if c["name"] == auth.SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.get_by_role("button", name="Abmelden").first.click()
    expect(page).to_have_url(re.compile(r"/login/?\?notice=logged_out"))
    expect(page.get_by_role("status")).to_contain_text("abgemeldet")
    assert auth.live_session_count(kind=SubjectKind.STAFF, subject_id=anna.id) == 0

    # The old cookie is dead server-side even if a browser replays it.
    replay = page.context.browser.new_context(base_url=page.url.split("/login")[0])
    replay.add_cookies([{**cookie, "expires": -1}])
    other = replay.new_page()
    other.goto("/staff/clients")
    expect(other).to_have_url(re.compile(r"/login"))
    replay.close()

    page.goto("/staff/clients")
    expect(page).to_have_url(re.compile(r"/login/?\?next="))
    expect(page.get_by_text("Bäckerei Hofmann GmbH")).to_have_count(0)


def test_wrong_password_shows_error(new_page, firm_people):
    page = new_page()
    page.goto("/login")
    log_in(page, firm_people["anna"].email, password="not-the-password")
    expect(page).to_have_url(re.compile(r"/login/?\?error=invalid"))
    expect(page.get_by_role("alert")).to_have_text("E-Mail-Adresse oder Passwort ist nicht korrekt.")
    screenshot(page, "login-error-desktop")

    log_in(page, "nobody@example.test", password="whatever-it-is")
    expect(page.get_by_role("alert")).to_have_text("E-Mail-Adresse oder Passwort ist nicht korrekt.")


def test_admin_sees_all_clients(new_page, firm_people):
    admin = factories.staff(role=Role.ADMIN, name="Katrin Berger")
    page = new_page()
    page.goto("/login")
    log_in(page, admin.email)
    expect(page.get_by_text("Alle Mandanten der Kanzlei")).to_be_visible()
    expect(page.get_by_role("table").get_by_text("Café Sonnenschein UG").first).to_be_visible()
    expect(page.get_by_text("Administrator")).to_be_visible()


def test_forgotten_password_journey(new_page, firm_people):
    from sqlmodel import select

    from portal.models import Outbox
    from portal.services import db

    maria = firm_people["maria"]
    page = new_page(PHONE)
    page.goto("/login")
    page.get_by_role("link", name="Passwort vergessen?").click()
    # Client-side navigation: the login form (same field label) is still there for a moment.
    expect(page.get_by_role("heading", name="Passwort vergessen")).to_be_visible()
    page.get_by_label("E-Mail-Adresse").fill(maria.email)
    page.get_by_role("button", name="Link senden").click()
    expect(page.get_by_role("status")).to_contain_text("Link zum Zurücksetzen")

    with db.session() as s:
        link = s.exec(select(Outbox).where(Outbox.to == maria.email)).one().context["link"]
    page.goto(link)
    page.get_by_label("Neues Passwort", exact=True).fill("mein-neues-passwort")
    page.get_by_label("Neues Passwort wiederholen").fill("etwas-anderes-123")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_role("alert")).to_have_text("Die beiden Passwörter stimmen nicht überein.")
    page.get_by_label("Neues Passwort", exact=True).fill("mein-neues-passwort")
    page.get_by_label("Neues Passwort wiederholen").fill("mein-neues-passwort")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Ihr Passwort wurde geändert")

    log_in(page, maria.email, password="mein-neues-passwort")
    expect(page).to_have_url(re.compile(r"/portal/?$"))

    page.goto(link)  # single use
    expect(page.get_by_role("heading", name="Link nicht mehr gültig")).to_be_visible()
