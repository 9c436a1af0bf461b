"""The client CSV import: encodings and separators like the bookings import, grouping lines
into accounts, linking known contacts, all or nothing with a per-line report, progress,
custom fields, assignments and optional invitations."""

import pytest
from sqlmodel import func, select

from portal.domain.client_import import mixed_encoding_lines, parse_clients
from portal.domain.enums import AccountKind, AccountStatus, Role
from portal.i18n import CATALOGS
from portal.models import AccountContact, Assignment, ClientAccount, Contact, Folder, Outbox
from portal.services import clients, db
from portal.services.access import AccessDenied
from portal.services.client_import import import_clients, problem_text
from portal.services.clients import AccountDraft, ContactDraft
from tests import factories

HEADER = "Kontoname;Firmenname;Vorname;Nachname;E-Mail;Telefon;Schlagwörter;LOGIN"


def csv(*lines: str, encoding: str = "utf-8", sep: str = ";") -> bytes:
    return ("\r\n".join(line.replace(";", sep) for line in lines) + "\r\n").encode(encoding)


@pytest.fixture
def office(fresh_db):
    factories.firm()
    admin = factories.staff(name="Katrin Berger", role=Role.ADMIN, email="katrin@kanzlei.test")
    anna = factories.staff(name="Anna Schmidt", email="anna@kanzlei.test")
    return {"admin": factories.actor(admin), "anna": factories.actor(anna), "anna_id": anna.id}


def _count(model) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def _keys(report) -> list[tuple[int, str]]:
    return [(p.line, p.key) for p in report.problems]


# Reading the file


@pytest.mark.parametrize("encoding,sep", [("utf-8", ";"), ("utf-8-sig", ","), ("cp1252", ";"), ("utf-16", "\t")])
def test_encodings_and_separators_of_excel_exports(encoding, sep):
    data = csv(HEADER, ";Bäckerei Hofmann GmbH;Maria;Hofmann;maria@hofmann.test;;Lohn, Bau;ja",
               encoding=encoding, sep=sep)
    if sep == ",":  # the tags cell holds a comma: Excel quotes it
        data = data.replace(b"Lohn, Bau", b'"Lohn, Bau"')
    result = parse_clients(data)
    assert result.problems == ()
    (row,) = result.rows
    assert (row.company_name, row.kind, row.first_name, row.tags, row.login) == \
        ("Bäckerei Hofmann GmbH", AccountKind.COMPANY, "Maria", "Lohn, Bau", True)


def test_mixed_encodings_are_refused_with_the_lines():
    data = ("Firmenname;Vorname;Nachname\r\nBäckerei Müller;Jörg;Müller\r\n".encode() +
            "Café Größe;Zoë;Weiß\r\n".encode("cp1252"))
    assert mixed_encoding_lines(data) == [3]
    result = parse_clients(data)
    assert [(p.line, p.message_key) for p in result.problems] == [(3, "import.mixed_encoding")]
    # One encoding throughout is fine, whichever it is.
    assert mixed_encoding_lines("Firma\r\nMüller\r\n".encode("cp1252")) == []
    assert mixed_encoding_lines("Firma\r\nMüller\r\n".encode()) == []


def test_missing_name_columns_and_bad_cells_are_reported():
    assert [(p.line, p.message_key) for p in parse_clients(csv("E-Mail;Telefon", "a@b.test;1")).problems] == \
        [(1, "import.missing_column")]
    result = parse_clients(csv("Firmenname;Kontotyp;E-Mail;LOGIN;Mandantennummer",
                               "Alpha GmbH;Verein;alpha@@x;vielleicht;12a",
                               "Beta GmbH;Unternehmen;beta@x.test;ja"))
    assert [(p.line, p.column, p.message_key) for p in result.problems] == [
        (2, "Kontotyp", "import.bad_kind"), (2, "E-Mail", "import.bad_email"), (2, "LOGIN", "import.bad_flag"),
        (2, "Mandantennummer", "import.bad_client_number"), (3, "", "import.wrong_field_count")]
    assert [(p.message_key) for p in parse_clients(b"").problems] == ["import.no_clients"]
    assert [(p.message_key) for p in parse_clients(b"\x00\x01PK").problems] == ["import.not_text"]


def test_defaults_of_kind_and_toggles():
    (person, firm) = parse_clients(csv("Firmenname;Vorname;Nachname;E-Mail",
                                       ";Paul;Kern;", "Kern GmbH;Paula;Kern;paula@kern.test")).rows
    assert person.kind == AccountKind.INDIVIDUAL and not person.login  # no email: no portal access
    assert firm.kind == AccountKind.COMPANY and firm.login and firm.notify and not firm.sync and firm.full_access


def test_progress_is_reported_to_the_end():
    calls = []
    lines = [HEADER] + [f";Firma {i} GmbH;Vor;Nach {i};;;;nein" for i in range(1200)]
    parse_clients(csv(*lines), progress=lambda done, total: calls.append((done, total)))
    assert len(calls) >= 3 and calls[-1][0] == calls[-1][1] == 1201


# Importing


def test_import_groups_lines_into_accounts_links_known_contacts_and_makes_folders(office):
    known = factories.unique_email("known")
    clients.create_account(actor=office["anna"], draft=AccountDraft(kind="individual"),
                           contacts=[ContactDraft(first_name="Karl", last_name="Bekannt", email=known)])
    data = csv(HEADER,
               ";Bäckerei Hofmann GmbH;Maria;Hofmann;maria@hofmann.test;0171 1;Bäckerei;ja",
               ";bäckerei hofmann gmbh;Peter;Hofmann;peter@hofmann.test;;;nein",
               "Hofmann privat;;Maria;Hofmann;maria@hofmann.test;;;ja",
               f";Bekannt KG;Karl;Bekannt;{known};;;ja",
               ";;Paul;Kern;;;;")
    report = import_clients(actor=office["anna"], data=data)
    assert report.problems == ()
    assert (report.accounts, report.contacts, report.linked) == (4, 3, 1)
    with db.session() as s:
        hofmann = s.exec(select(ClientAccount).where(ClientAccount.name == "Bäckerei Hofmann GmbH")).one()
        links = s.exec(select(AccountContact).where(AccountContact.account_id == hofmann.id)).all()
        maria = s.exec(select(Contact).where(Contact.email == "maria@hofmann.test")).one()
        maria_accounts = s.exec(select(AccountContact).where(AccountContact.contact_id == maria.id)).all()
        kern = s.exec(select(ClientAccount).where(ClientAccount.name == "Paul Kern")).one()
        assert s.exec(select(func.count()).select_from(Folder).where(Folder.account_id == hofmann.id)).one() > 0
        assert s.exec(select(Assignment).where(Assignment.account_id == hofmann.id)).one().staff_id == \
            office["anna_id"]
    assert hofmann.tags == ["Bäckerei"] and hofmann.status == AccountStatus.ONBOARDING
    assert sorted(link.login for link in links) == [False, True]
    assert len(maria_accounts) == 2  # one person, two accounts
    assert kern.kind == AccountKind.INDIVIDUAL and kern.status == AccountStatus.ACTIVE  # nobody to invite


def test_any_bad_line_writes_nothing_and_each_is_reported(office):
    accounts_before, contacts_before = _count(ClientAccount), _count(Contact)
    data = csv(HEADER,
               ";Gut GmbH;Gerd;Gut;gerd@gut.test;;;ja",
               ";Schlecht: GmbH;Sara;Schlecht;sara@schlecht.test;;;ja",
               ";Ohne Mail GmbH;Otto;Ohne;;;;ja",
               ";Staff GmbH;Anna;Staff;anna@kanzlei.test;;;ja")
    report = import_clients(actor=office["anna"], data=data)
    assert _keys(report) == [(3, "clients.error.name_char"), (4, "clients.error.login_needs_email"),
                             (5, "clients.error.email_staff")]
    assert report.problems[0].column == "Firmenname" and report.problems[0].params == {"char": ":"}
    assert (_count(ClientAccount), _count(Contact)) == (accounts_before, contacts_before)
    text = problem_text("de", report.problems[0])
    assert text.startswith("Zeile 3:") and "„:“" in text


def test_an_accountant_imports_no_link_to_another_accountants_contact(office):
    known = factories.unique_email("known")
    clients.create_account(actor=office["anna"], draft=AccountDraft(kind="individual"),
                           contacts=[ContactDraft(first_name="Karl", last_name="Bekannt", email=known)])
    jonas = factories.actor(factories.staff(name="Jonas Weber", email="jonas@kanzlei.test"))
    before = _count(AccountContact)
    report = import_clients(actor=jonas, data=csv(HEADER, f";Fremd KG;Karl;Bekannt;{known};;;ja"))
    assert [p.key for p in report.problems] == ["clients.error.contact_elsewhere"]
    assert report.accounts == 0 and _count(AccountContact) == before


def test_existing_account_names_are_refused_so_a_second_run_doubles_nothing(office):
    data = csv(HEADER, ";Wieder GmbH;Wim;Wieder;wim@wieder.test;;;ja")
    assert import_clients(actor=office["anna"], data=data).accounts == 1
    again = import_clients(actor=office["anna"], data=data)
    assert _keys(again) == [(2, "import.client.exists")]
    assert _count(ClientAccount) == 1


def test_accountants_column_is_for_admins_and_names_must_be_staff(office):
    data = csv("Firmenname;Vorname;Nachname;Buchhalter", "Zu GmbH;Zora;Zu;anna@kanzlei.test, Katrin Berger")
    assert _keys(import_clients(actor=office["anna"], data=data)) == [(2, "import.client.assign_admins")]
    report = import_clients(actor=office["admin"], data=data)
    assert report.accounts == 1
    with db.session() as s:
        assert len(s.exec(select(Assignment)).all()) == 2
    unknown = csv("Firmenname;Vorname;Nachname;Buchhalter", "Neu GmbH;Nina;Neu;niemand@kanzlei.test")
    assert _keys(import_clients(actor=office["admin"], data=unknown)) == [(2, "import.client.unknown_staff")]


def test_custom_fields_are_read_by_label(office):
    clients.add_custom_field(actor=office["admin"], target="account", label="Rechtsform", kind="choice",
                             options="GmbH\nUG")
    clients.add_custom_field(actor=office["admin"], target="account", label="Gründung", kind="date")
    good = csv("Firmenname;Vorname;Nachname;Rechtsform;Gründung", "Feld GmbH;Fe;Ld;gmbh;01.02.2020")
    assert import_clients(actor=office["admin"], data=good).accounts == 1
    with db.session() as s:
        account = s.exec(select(ClientAccount)).one()
    assert sorted(account.custom_fields.values()) == ["2020-02-01", "GmbH"]
    bad = csv("Firmenname;Vorname;Nachname;Rechtsform", "Feld2 GmbH;Fe;Ld;AG")
    assert _keys(import_clients(actor=office["admin"], data=bad)) == [(2, "clients.error.field_choice")]


def test_invitations_go_out_only_when_asked(office):
    data = csv(HEADER, ";Einlad GmbH;Eva;Einlad;eva@einlad.test;;;ja", ";Still GmbH;Sven;Still;sven@still.test;;;nein")
    stages = []
    report = import_clients(actor=office["anna"], data=data, invite=True,
                            progress=lambda stage, done, total: stages.append(stage))
    assert report.invited == 1
    assert {"check", "write", "invite"} <= set(stages)
    with db.session() as s:
        assert [row.to for row in s.exec(select(Outbox).where(Outbox.template == "invitation")).all()] == \
            ["eva@einlad.test"]
        assert s.exec(select(ClientAccount.status).where(ClientAccount.name == "Einlad GmbH")).one() == \
            AccountStatus.INVITED
    quiet = csv(HEADER, ";Leise GmbH;Lea;Leise;lea@leise.test;;;ja")
    assert import_clients(actor=office["anna"], data=quiet).invited == 0
    assert _count(Outbox) == 1


def test_only_staff_import(office):
    account = factories.client(name="Mandant GmbH")
    contact = factories.contact(account=account)
    with pytest.raises(AccessDenied):
        import_clients(actor=factories.actor(contact), data=csv(HEADER))


def test_every_client_import_key_has_a_text_in_every_language():
    keys = {k for k in CATALOGS["de"] if k.startswith(("import.client.", "import.mixed", "import.no_clients",
                                                        "import.bad_kind", "import.bad_email",
                                                        "import.bad_client_number"))}
    assert keys and all(keys <= set(CATALOGS[locale]) for locale in ("en", "fr"))


def test_structure_problems_name_their_line_once(office):
    report = import_clients(actor=office["anna"], data=csv("Firmenname;E-Mail", "Alpha GmbH;alpha@@x"))
    assert problem_text("de", report.problems[0]) == \
        "Zeile 2, Spalte „E-Mail“: „alpha@@x“ ist keine gültige E-Mail-Adresse."
