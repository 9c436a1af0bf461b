"""Language and time zone: the browser's language until the user chooses, then the choice,
and dates and times in the user's zone."""

import re

from playwright.sync_api import Page, expect

from portal.services import digests
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_login import log_in


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option).click()


def test_client_gets_the_browsers_language_until_choosing_one(new_page):
    factories.ensure_firm()
    account = factories.client(name="Hofmann Imports Ltd")
    claire = factories.contact(account=account, first="Claire", last="Hofmann")

    page = new_page(PHONE, locale="en-GB")
    page.goto("/login")
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    page.get_by_label("Email address").fill(claire.email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    expect(page.get_by_role("link", name="Overview").last).to_be_visible()

    page.get_by_role("link", name="Profile").last.click()
    expect(page.get_by_role("heading", name="Profile", level=1)).to_be_visible()
    expect(page.get_by_label("Language", exact=True)).to_have_text("Same as the browser")
    _choose(page, "Language", "Français")
    expect(page.get_by_role("heading", name="Profil", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Aperçu").last).to_be_visible()
    screenshot(page, "profile-french-phone")

    # The choice is stored: it outlasts a reload and beats the browser's English.
    page.reload()
    expect(page.get_by_label("Langue", exact=True)).to_have_text("Français")
    _choose(page, "Langue", "Comme le navigateur")
    expect(page.get_by_role("heading", name="Profile", level=1)).to_be_visible()
    page.reload()
    expect(page.get_by_label("Language", exact=True)).to_have_text("Same as the browser")


def test_accountant_sees_times_in_the_chosen_zone(new_page):
    factories.ensure_firm()
    anna = factories.staff(name="Anna Zeitzone")
    # Daily digests go out at 10:00 in Berlin: that moment is what the profile shows.
    digests.subscribe(actor=factories.actor(anna), account_id=None, frequency="daily")

    page = new_page(DESKTOP)
    page.goto("/login")
    log_in(page, anna.email)
    page.goto("/staff/profile")
    next_digest = page.get_by_text(re.compile(r"^Nächste Zusammenfassung: "))
    expect(next_digest).to_contain_text("10:00")
    # Offsets depend on the season (summer time), the zones' names do not.
    expect(page.get_by_label("Zeitzone", exact=True)).to_have_text(re.compile(r"^Berlin \(GMT\+0[12]:00\)$"))

    page.get_by_label("Zeitzone", exact=True).click()
    page.get_by_role("option", name=re.compile(r"^New York \(GMT-0[45]:00\)$")).click()
    # Five or six hours earlier (the two sides change to summer time on different Sundays).
    expect(next_digest).to_contain_text(re.compile(r", 0[45]:00$"))
    screenshot(page, "profile-time-zone-desktop")
    page.reload()
    expect(page.get_by_label("Zeitzone", exact=True)).to_have_text(re.compile(r"^New York"))
    expect(page.get_by_text(re.compile(r"^Nächste Zusammenfassung: "))).to_contain_text(re.compile(r", 0[45]:00$"))
