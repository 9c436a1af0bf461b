"""The app under its Content-Security-Policy in Chromium: it works, and it is hardened."""

import re

from playwright.sync_api import expect

from portal.api.hardening import content_security_policy
from portal.domain.enums import SubjectKind
from portal.services import auth
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_login import log_in


def _watch_csp(page) -> list[str]:
    """Collect the page's Content-Security-Policy violations (console and events)."""
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text else None)
    page.add_init_script("document.addEventListener('securitypolicyviolation',"
                         " e => console.error('Content Security Policy violation: ' + e.violatedDirective"
                         " + ' ' + e.blockedURI))")
    return violations


def test_the_app_works_under_its_policy_with_hardened_responses(new_page):
    anna = factories.staff(name="Anna Sicher")
    factories.client(name="Header Test GmbH", accountants=(anna,))
    page = new_page()
    violations = _watch_csp(page)
    response = page.goto("/login")
    headers = response.headers
    port = response.url.split(":")[2].split("/")[0]
    assert headers["content-security-policy"] == content_security_policy(f"http://localhost:{port}")
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    log_in(page, anna.email)
    # The live page renders and talks over its websocket: the list comes from the server.
    expect(page.get_by_role("heading", name="Mandanten", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Header Test GmbH").first).to_be_visible()
    page.get_by_role("link", name="Posteingang").first.click()
    expect(page.get_by_role("heading", name="Posteingang", level=1)).to_be_visible()
    # The session cookie never reaches scripts.
    assert auth.SESSION_COOKIE not in page.evaluate("document.cookie")
    cookie = next(c for c in page.context.cookies() if c["name"] == auth.SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert violations == []


def test_another_site_cannot_frame_or_post_to_the_portal(new_page, app_url):
    anna = factories.staff(name="Anna Gerahmt")
    page = new_page()
    # A page of another origin (a data: URL) frames the login page and posts the login form to it.
    page.goto("data:text/html," + (
        f'<iframe id="f" src="{app_url}/login"></iframe>'
        f'<form id="evil" method="post" action="{app_url}/auth/login">'
        f'<input name="email" value="{anna.email}"><input name="password" value="{factories.PASSWORD}"></form>'))
    page.wait_for_timeout(2000)
    [framed] = page.main_frame.child_frames
    # Chromium shows its own error page instead of the portal in the frame.
    assert framed.url.startswith("chrome-error://"), framed.url
    assert "Anmelden" not in framed.evaluate("document.body ? document.body.innerText : ''")
    with page.expect_navigation():
        page.evaluate("document.getElementById('evil').submit()")
    assert "Cross-site request refused" in page.content()
    assert auth.live_session_count(kind=SubjectKind.STAFF, subject_id=anna.id) == 0


def test_changing_the_password_logs_out_the_other_devices(new_page):
    maria_account = factories.client(name="Passwort GmbH")
    maria = factories.contact(account=maria_account, first="Maria", last="Wechsel")
    phone = new_page(viewport=PHONE, touch=True)
    desk = new_page(viewport=DESKTOP)
    for page in (phone, desk):
        page.goto("/login")
        log_in(page, maria.email)
        expect(page).to_have_url(re.compile(r"/portal/?$"))

    desk.goto("/portal/profile")
    form = desk.get_by_role("heading", name="Passwort ändern").locator("xpath=ancestor::form")
    form.get_by_label("Aktuelles Passwort").fill("nicht-das-richtige")
    form.get_by_label("Neues Passwort", exact=True).fill("ein-ganz-neues-passwort")
    form.get_by_label("Neues Passwort wiederholen").fill("ein-ganz-neues-passwort")
    form.get_by_role("button", name="Passwort ändern").click()
    expect(desk.get_by_role("alert")).to_contain_text("Das aktuelle Passwort stimmt nicht.")

    form = desk.get_by_role("heading", name="Passwort ändern").locator("xpath=ancestor::form")
    form.get_by_label("Aktuelles Passwort").fill(factories.PASSWORD)
    form.get_by_label("Neues Passwort", exact=True).fill("ein-ganz-neues-passwort")
    form.get_by_label("Neues Passwort wiederholen").fill("ein-ganz-neues-passwort")
    form.get_by_role("button", name="Passwort ändern").click()
    expect(desk.get_by_role("status").filter(has_text="Ihr Passwort wurde geändert")).to_be_visible()
    screenshot(desk, "password-changed-desktop")
    # This browser stays logged in with its new session; the phone's session has ended.
    desk.reload()
    expect(desk.get_by_role("heading", name="Profil", level=1)).to_be_visible()
    phone.goto("/portal/profile")
    expect(phone).to_have_url(re.compile(r"/login"))
    log_in(phone, maria.email, "ein-ganz-neues-passwort")
    expect(phone).to_have_url(re.compile(r"/portal/profile/?$"))
    expect(phone.get_by_role("heading", name="Passwort ändern")).to_be_visible()
    screenshot(phone, "password-change-phone")
