"""Questionnaires in two browsers: the accountant builds a template and sends it; the client
opens the emailed link on a phone, answers as they go (text, yes/no, date, a file), reloads,
submits; the accountant watches the answers arrive and reopens."""

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from portal import routes
from portal.services import db, magic_links, questionnaires
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_login import log_in

LIVE = 8_000
_SERIAL = itertools.count(1)


@pytest.fixture
def office(tmp_path):
    serial = next(_SERIAL)
    anna = factories.staff(name="Anna Schmidt")
    name = f"Fragebogen Bäckerei {serial} GmbH"
    account = factories.client(name=name, accountants=(anna,))
    maria = factories.contact(account=account, first="Maria", last="Fragebogen")
    payslip = tmp_path / "Lohnsteuerbescheinigung.pdf"
    payslip.write_bytes(b"%PDF-1.4\n" + b"l" * 3000)
    return {"anna": anna, "account": account, "maria": maria, "name": name, "serial": serial,
            "payslip": str(payslip)}


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_staff_build_a_template(new_page, office):
    staff = new_page(DESKTOP)
    staff.goto("/login")
    log_in(staff, office["anna"].email)
    staff.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Fragebögen").first.click()
    expect(staff.get_by_role("heading", name="Fragebogen-Vorlagen")).to_be_visible()

    title = f"Vermietung {office['serial']}"
    staff.get_by_label("Neue Vorlage").fill(title)
    staff.get_by_role("button", name="Anlegen").click()
    expect(staff.get_by_label("Titel", exact=True)).to_have_value(title)

    staff.get_by_label("Frage", exact=True).fill("Welche Wohnung vermieten Sie?")
    staff.get_by_role("switch").click()
    staff.get_by_role("button", name="Frage hinzufügen").click()
    questions = staff.get_by_role("list", name="Fragen")
    expect(questions.get_by_role("listitem")).to_have_count(1)
    expect(staff.get_by_label("Frage", exact=True)).to_have_value("")

    staff.get_by_label("Frage", exact=True).fill("Mietvertrag")
    staff.get_by_label("Antwortart").click()
    staff.get_by_role("option", name="Datei-Upload").click()
    staff.get_by_role("button", name="Frage hinzufügen").click()
    expect(questions.get_by_role("listitem")).to_have_count(2)
    expect(questions.get_by_role("listitem").nth(1)).to_contain_text("Datei-Upload")

    questions.get_by_role("button", name="Nach oben: Mietvertrag").click()
    expect(questions.get_by_role("listitem").first).to_contain_text("Mietvertrag")
    questions.get_by_role("button", name="Frage bearbeiten: Welche Wohnung vermieten Sie?").click()
    dialog = staff.get_by_role("dialog", name="Frage bearbeiten")
    dialog.get_by_label("Frage", exact=True).fill("Welche Wohnungen vermieten Sie?")
    dialog.get_by_role("button", name="Speichern").click()
    expect(dialog).to_have_count(0)
    expect(questions).to_contain_text("Welche Wohnungen vermieten Sie?")
    expect(staff.get_by_role("button", name=f"Vorlage bearbeiten: {title}")).to_contain_text("2 Fragen")
    screenshot(staff, "questionnaire-templates-desktop")

    staff.set_viewport_size(PHONE)
    _no_sideways_scroll(staff)
    screenshot(staff, "questionnaire-templates-phone")


def test_client_fills_in_and_submits_while_staff_watch(new_page, office, mailbox):
    anna = factories.actor(office["anna"])
    title = f"Einkommensteuer 2026 ({office['serial']})"
    template_id = questionnaires.create_template(actor=anna, title=title,
                                                 intro="Bitte beantworten Sie die Fragen bis Ende Mai.")
    for text, kind, required in [("Wo arbeiten Sie?", "text", True), ("Sind Sie verheiratet?", "yes_no", True),
                                 ("Umzugsdatum", "date", False), ("Lohnsteuerbescheinigung", "file", True),
                                 ("Spendenquittungen", "file", False)]:
        questionnaires.add_question(actor=anna, template_id=template_id, text=text, kind=kind, required=required)

    # The accountant sends it from the client's Questionnaires tab.
    staff = new_page(DESKTOP)
    staff.goto("/login")
    log_in(staff, office["anna"].email)
    staff.get_by_role("link", name=office["name"]).click()
    staff.get_by_role("navigation", name="Bereiche des Mandanten").get_by_role("link", name="Fragebögen").click()
    expect(staff).to_have_url(re.compile(r"/questionnaires$"))
    staff.get_by_role("button", name="Fragebogen senden").click()
    dialog = staff.get_by_role("dialog", name="Fragebogen senden")
    dialog.get_by_label("Vorlage").click()
    staff.get_by_role("option", name=f"{title} (5)").click()
    expect(dialog.get_by_label("Mandanten per E-Mail benachrichtigen")).to_be_checked()
    dialog.get_by_role("button", name="Senden").click()
    expect(staff.get_by_role("status").filter(has_text="Fragebogen gesendet")).to_contain_text(
        "Per E-Mail benachrichtigt: 1")
    answers = staff.get_by_role("list", name=f"Antworten: {title}")
    expect(answers.get_by_text("Noch nicht beantwortet")).to_have_count(5)

    # The client opens the emailed link on the phone and logs in with the password.
    mail = mailbox[0].wait_for(office["maria"].email)
    assert title in mail["Subject"]
    link = re.search(r"https?://\S+/portal/questionnaires/\S+", mail.get_body(("plain",)).get_content()).group(0)
    client = new_page(PHONE)
    client.goto(link)
    log_in(client, office["maria"].email)
    expect(client.get_by_role("heading", name=title, level=1)).to_be_visible()
    cards = client.get_by_role("list", name="Fragen").get_by_role("listitem")

    client.get_by_label("Wo arbeiten Sie?").fill("Bäckerei Hofmann, Köln")
    client.get_by_label("Wo arbeiten Sie?").press("Tab")
    expect(cards.nth(0).get_by_text("Gespeichert")).to_be_visible()
    cards.nth(1).get_by_role("radio", name="Nein").click()
    expect(cards.nth(1).get_by_text("Gespeichert")).to_be_visible()
    client.get_by_label("Umzugsdatum").fill("2026-03-01")
    client.get_by_label("Umzugsdatum").blur()  # Tab would only move to the date's next part
    expect(cards.nth(2).get_by_text("Gespeichert")).to_be_visible()
    expect(answers).to_contain_text("Bäckerei Hofmann, Köln", timeout=LIVE)  # the accountant sees it arrive
    expect(answers).to_contain_text("01.03.2026", timeout=LIVE)
    expect(staff.get_by_text("3 / 5 beantwortet")).to_be_visible()

    # Submitting too early names what is missing.
    client.get_by_role("button", name="Fragebogen einreichen").click()
    expect(client.get_by_role("alert").filter(has_text="Pflichtfragen")).to_contain_text("4. Lohnsteuerbescheinigung")
    expect(cards.nth(3)).to_contain_text("Bitte beantworten Sie diese Pflichtfrage.")

    # Not the last file question: each question's button picks for its own question.
    with client.expect_file_chooser() as chooser:
        cards.nth(3).get_by_role("button", name="Datei auswählen: Lohnsteuerbescheinigung").click()
    chooser.value.set_files(office["payslip"])
    expect(cards.nth(3).get_by_role("link", name="Herunterladen: Lohnsteuerbescheinigung.pdf")).to_be_visible(
        timeout=LIVE)
    expect(cards.nth(3).get_by_text("Gespeichert")).to_be_visible()
    expect(cards.nth(4).get_by_role("link")).to_have_count(0)
    _no_sideways_scroll(client)
    screenshot(client, "questionnaire-client-phone")

    # Everything is still there after a reload.
    client.reload()
    expect(client.get_by_label("Wo arbeiten Sie?")).to_have_value("Bäckerei Hofmann, Köln")
    expect(cards.nth(1).get_by_role("radio", name="Nein")).to_be_checked()
    expect(client.get_by_label("Umzugsdatum")).to_have_value("2026-03-01")
    expect(client.get_by_text("4 / 5 beantwortet")).to_be_visible()

    file_link = answers.get_by_role("link", name="Herunterladen: Lohnsteuerbescheinigung.pdf")
    expect(file_link).to_be_visible(timeout=LIVE)
    response = staff.request.get(file_link.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF-1.4")
    expect(answers).to_contain_text("Nein")
    expect(answers).to_contain_text("Maria Fragebogen")
    screenshot(staff, "questionnaire-staff-desktop")

    client.get_by_role("button", name="Fragebogen einreichen").click()
    expect(client.get_by_role("status").filter(has_text="Eingereicht – vielen Dank!")).to_be_visible()
    expect(client.get_by_label("Wo arbeiten Sie?")).to_have_count(0)  # read-only now
    expect(client.get_by_text("Bäckerei Hofmann, Köln")).to_be_visible()
    screenshot(client, "questionnaire-client-submitted-phone")

    # The accountant sees the submit live and opens it again for a change.
    reopen = staff.get_by_role("button", name=f"Wieder zur Bearbeitung freigeben: {title}")
    expect(reopen).to_be_visible(timeout=LIVE)
    reopen.click()
    expect(client.get_by_role("button", name="Fragebogen einreichen")).to_be_visible(timeout=LIVE)
    expect(client.get_by_label("Wo arbeiten Sie?")).to_have_value("Bäckerei Hofmann, Köln")

    # The client's home lists it; the desktop layout of the page.
    client.get_by_role("link", name="Zur Übersicht").click()
    expect(client.get_by_role("link", name=f"Fragebogen ausfüllen: {title}")).to_be_visible()
    _no_sideways_scroll(client)
    screenshot(client, "questionnaire-home-phone")
    client.set_viewport_size(DESKTOP)
    client.get_by_role("link", name=f"Fragebogen ausfüllen: {title}").click()
    expect(client.get_by_role("heading", name=title, level=1)).to_be_visible()
    screenshot(client, "questionnaire-client-desktop")
    staff.set_viewport_size(PHONE)
    _no_sideways_scroll(staff)
    screenshot(staff, "questionnaire-staff-phone")


def test_an_email_link_session_is_asked_for_the_password(new_page, office):
    anna = factories.actor(office["anna"])
    template_id = questionnaires.create_template(actor=anna, title=f"Kurzer Fragebogen {office['serial']}")
    questionnaires.add_question(actor=anna, template_id=template_id, text="Alles in Ordnung?", kind="yes_no")
    sent = questionnaires.send_questionnaire(actor=anna, template_id=template_id, account_id=office["account"].id,
                                             notify=False)
    with db.session() as s:
        token = magic_links.issue_talk_link(s, contact_id=office["maria"].id)
        s.commit()
    page = new_page(PHONE)
    page.goto(routes.talk_link(token))
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    expect(page.get_by_role("heading", name="Maria Fragebogen", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Fragebögen")).to_have_count(0)  # not on the link's home page
    page.goto(routes.portal_questionnaire(questionnaires.public_ref(sent.questionnaire_id)))
    expect(page).to_have_url(re.compile(r"/login/?\?next=%2Fportal%2Fquestionnaires%2F"))
    expect(page.get_by_role("status")).to_contain_text("mit Ihrem Passwort an")
    expect(page.get_by_text("Alles in Ordnung?")).to_have_count(0)
