"""Client accounts: name rules and defaults, contacts and their toggles, several accounts per
contact, the clients page's tabs by role, and search/filter/sort/paging on 10,000 clients."""

import datetime as dt

import pytest
from sqlalchemy import event, insert

from portal.domain import clients as rules
from portal.domain.enums import AccountKind, AccountStatus, ClientTab, CustomFieldKind, Ledger, Role
from portal.domain.errors import UserError
from portal.models import AccountContact, Assignment, Booking, ClientAccount, Outbox
from portal.services import clients, db, onboarding, reminders
from portal.services.access import AccessDenied, NotFound
from portal.services.clients import AccountDraft, ContactDraft, DuplicateEmail
from tests import factories


@pytest.fixture
def firm(fresh_db):
    factories.firm()
    return {
        "admin": factories.actor(factories.staff(name="Katrin Berger", role=Role.ADMIN)),
        "anna": factories.actor(factories.staff(name="Anna Schmidt")),
        "jonas": factories.actor(factories.staff(name="Jonas Weber")),
    }


def _new(actor, *, kind="company", name="", company="", first="Maria", last="Hofmann", email=None, login=True,
         **more):
    return clients.create_account(
        actor=actor, draft=AccountDraft(kind=kind, name=name, company_name=company, **more),
        contacts=[ContactDraft(first_name=first, last_name=last, email=email or factories.unique_email("c"),
                               login=login)])


# Names


@pytest.mark.parametrize("char", list(':"/\\|?*'))
def test_forbidden_characters_are_named(char):
    with pytest.raises(UserError) as err:
        rules.account_name(f"Bäckerei {char} Hofmann", kind=AccountKind.COMPANY)
    assert err.value.key == "clients.error.name_char" and err.value.params == {"char": char}


def test_name_defaults_to_company_then_contact():
    assert rules.account_name("", kind=AccountKind.COMPANY, company_name="Hofmann GmbH",
                              first_name="Maria", last_name="Hofmann") == "Hofmann GmbH"
    assert rules.account_name("  ", kind=AccountKind.INDIVIDUAL, company_name="ignored",
                              first_name="Maria", last_name="Hofmann") == "Maria Hofmann"
    assert rules.account_name("Eigener  Name", kind=AccountKind.INDIVIDUAL) == "Eigener Name"
    with pytest.raises(UserError, match="name_missing"):
        rules.account_name("", kind=AccountKind.COMPANY)


def test_bidi_overrides_and_control_characters_are_dropped():
    assert rules.clean_text("Evil\u202egpj.exe\x00", 100) == "Evilgpj.exe"


def test_tags_are_trimmed_and_deduplicated():
    assert rules.clean_tags(" Lohn, lohn ,Bau,, ") == ["Lohn", "Bau"]
    with pytest.raises(UserError):
        rules.clean_tags(",".join(f"t{i}" for i in range(rules.MAX_TAGS + 1)))


def test_custom_values_parse_by_type():
    specs = [rules.FieldSpec(1, "Umsatz", CustomFieldKind.NUMBER), rules.FieldSpec(2, "Gründung", CustomFieldKind.DATE),
             rules.FieldSpec(3, "Rechtsform", CustomFieldKind.CHOICE, ("GmbH", "UG")), rules.FieldSpec(4, "Notiz", CustomFieldKind.TEXT)]
    values = rules.custom_values(specs, {1: "1.234,50", 2: "01.02.2020", 3: "gmbh", 4: " hallo "})
    assert values == {"1": 1234.5, "2": "2020-02-01", "3": "GmbH", "4": "hallo"}
    for raw, key in (({1: "viel"}, "field_number"), ({2: "30.02.2020"}, "field_date"), ({3: "AG"}, "field_choice")):
        with pytest.raises(UserError, match=key):
            rules.custom_values(specs, raw)


# Creating accounts and contacts


def test_company_account_takes_company_name_and_folders_and_creator(firm):
    created = _new(firm["anna"], company="Bäckerei Hofmann GmbH", tags="Bäcker, Lohn", address="Hauptstr. 1")
    details = clients.account_details(actor=firm["anna"], account_id=created.id)
    assert details.name == "Bäckerei Hofmann GmbH" and details.tags == ("Bäcker", "Lohn")
    assert details.address == "Hauptstr. 1"
    assert [a[1] for a in details.accountants] == ["Anna Schmidt"]
    assert details.status == AccountStatus.ONBOARDING  # LOGIN on, nobody invited yet
    assert created.invitable == (details.contacts[0].id,)


def test_individual_without_portal_is_active(firm):
    created = _new(firm["admin"], kind="individual", first="Peter", last="Schneider", login=False)
    details = clients.account_details(actor=firm["admin"], account_id=created.id)
    assert details.name == "Peter Schneider" and details.status == AccountStatus.ACTIVE
    assert details.accountants == ()  # admins assign explicitly
    assert created.invitable == ()


def test_bad_names_and_emails_are_refused(firm):
    with pytest.raises(UserError) as err:
        _new(firm["anna"], name="A/B")
    assert err.value.params["char"] == "/"
    with pytest.raises(UserError, match="email_invalid"):
        _new(firm["anna"], company="X", email="maria@@example")
    with pytest.raises(UserError, match="login_needs_email"):
        clients.create_account(actor=firm["anna"], draft=AccountDraft(kind="company", company_name="Y"),
                               contacts=[ContactDraft(first_name="Ohne", last_name="Mail", login=True)])
    with db.session() as s:
        assert s.query(ClientAccount).count() == 0  # nothing half-written


def test_duplicate_email_offers_the_existing_contact(firm):
    first = _new(firm["anna"], company="Erste GmbH", email="maria@hofmann.test")
    with pytest.raises(DuplicateEmail) as err:
        _new(firm["anna"], company="Zweite GmbH", email="Maria@Hofmann.test")
    existing = clients.account_details(actor=firm["anna"], account_id=first.id).contacts[0]
    assert err.value.contact_id == existing.id and err.value.contact_name == "Maria Hofmann"
    second = clients.create_account(actor=firm["anna"], draft=AccountDraft(kind="company", company_name="Zweite GmbH"),
                                    contacts=[ContactDraft(existing_id=err.value.contact_id)])
    contact = clients.account_details(actor=firm["anna"], account_id=second.id).contacts[0]
    assert contact.id == existing.id and contact.other_accounts == 1


def test_an_accountant_links_only_contacts_of_clients_they_work(firm):
    annas = _new(firm["anna"], company="Annas GmbH", email="maria@hofmann.test")
    maria = annas.invitable[0]
    # Neither by id (sent by the browser) nor by typing her address does Jonas reach Anna's client's contact.
    with pytest.raises(UserError, match="contact_elsewhere"):
        clients.create_account(actor=firm["jonas"], draft=AccountDraft(kind="company", company_name="Jonas GmbH"),
                               contacts=[ContactDraft(existing_id=maria)])
    with pytest.raises(UserError) as err:
        _new(firm["jonas"], company="Jonas GmbH", email="Maria@Hofmann.test")
    assert err.value.key == "clients.error.email_elsewhere" and not isinstance(err.value, DuplicateEmail)
    assert "Hofmann" not in str(err.value.params)
    jonas_own = _new(firm["jonas"], company="Jonas Eigene GmbH")
    with pytest.raises(UserError, match="contact_elsewhere"):
        clients.add_contact(actor=firm["jonas"], account_id=jonas_own.id, draft=ContactDraft(existing_id=maria))
    with pytest.raises(UserError, match="email_elsewhere"):
        clients.update_contact(actor=firm["jonas"], account_id=jonas_own.id, contact_id=jonas_own.invitable[0],
                               draft=ContactDraft(first_name="X", last_name="Y", email="maria@hofmann.test"))
    with db.session() as s:
        assert s.query(AccountContact).filter_by(contact_id=maria).count() == 1
    # An admin may link anyone.
    clients.add_contact(actor=firm["admin"], account_id=jonas_own.id, draft=ContactDraft(existing_id=maria))


def test_toggles_are_stored_and_login_off_ends_sessions(firm):
    created = _new(firm["anna"], company="Toggle GmbH")
    contact_id = created.invitable[0]
    clients.set_link(actor=firm["anna"], account_id=created.id, contact_id=contact_id, notify=False, sync=True,
                     full_access=False)
    view = clients.account_details(actor=firm["anna"], account_id=created.id).contacts[0]
    assert (view.login, view.notify, view.sync, view.full_access) == (True, False, True, False)
    clients.set_link(actor=firm["anna"], account_id=created.id, contact_id=contact_id, login=False)
    details = clients.account_details(actor=firm["anna"], account_id=created.id)
    assert details.status == AccountStatus.ACTIVE and not details.contacts[0].login


def test_guest_account_takes_no_contacts(firm):
    with db.session() as s:
        guest = ClientAccount(kind=AccountKind.GUEST, name="Gastkonto")
        s.add(guest)
        s.commit()
        guest_id = guest.id
    with pytest.raises(UserError, match="guest_contacts"):
        clients.add_contact(actor=firm["admin"], account_id=guest_id,
                            draft=ContactDraft(first_name="X", last_name="Y", email="x@y.test"))


def test_unassigned_accountant_cannot_open_or_edit(firm):
    created = _new(firm["anna"], company="Annas GmbH")
    for call in (lambda: clients.account_details(actor=firm["jonas"], account_id=created.id),
                 lambda: clients.update_account(actor=firm["jonas"], account_id=created.id,
                                                draft=AccountDraft(kind="company", name="Hack")),
                 lambda: onboarding.invite(actor=firm["jonas"], account_id=created.id)):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(AccessDenied):
        clients.set_assignments(actor=firm["anna"], account_id=created.id, staff_ids=[firm["anna"].id])


def test_last_contact_stays(firm):
    created = _new(firm["anna"], company="Einzel GmbH")
    with pytest.raises(UserError, match="last_contact"):
        clients.unlink_contact(actor=firm["anna"], account_id=created.id, contact_id=created.invitable[0])


def test_custom_fields_on_account(firm):
    field_id = clients.add_custom_field(actor=firm["admin"], target="account", label="Rechtsform", kind="choice",
                                        options="GmbH\nUG")
    with pytest.raises(AccessDenied):
        clients.add_custom_field(actor=firm["anna"], target="account", label="X", kind="text")
    created = _new(firm["anna"], company="Feld GmbH", custom={field_id: "ug"})
    assert clients.account_details(actor=firm["anna"], account_id=created.id).custom == {str(field_id): "UG"}


# Several accounts per contact


def test_contact_on_two_accounts(firm):
    a = _new(firm["anna"], company="Firma A", email="two@accounts.test")
    b = clients.create_account(actor=firm["anna"], draft=AccountDraft(kind="company", company_name="Firma B"),
                               contacts=[ContactDraft(existing_id=a.invitable[0])])
    with db.session() as s:
        links = s.query(AccountContact).filter_by(contact_id=a.invitable[0]).count()
    assert links == 2 and b.invitable == a.invitable


# Tabs by role


def test_tabs_by_role_hide_empty_ones(firm):
    assert clients.visible_tabs(is_admin=True, counts={}) == (ClientTab.ALL,)
    assert clients.visible_tabs(is_admin=True, counts={"invitations": 1, "onboarding": 2, "mine": 3}) == \
        (ClientTab.INVITATIONS, ClientTab.ONBOARDING, ClientTab.MINE, ClientTab.ALL)
    assert clients.visible_tabs(is_admin=False, counts={"invitations": 5, "all": 9}) == (ClientTab.MINE,)
    assert clients.visible_tabs(is_admin=False, counts={"onboarding": 1}) == (ClientTab.ONBOARDING, ClientTab.MINE)


def test_accountant_sees_assigned_clients_and_their_onboarding(firm):
    mine = _new(firm["anna"], company="Anna Onboarding GmbH")
    _new(firm["jonas"], company="Jonas GmbH")
    page = clients.list_clients(actor=firm["anna"], tab="all")
    assert page.tab == ClientTab.MINE and page.tabs == (ClientTab.ONBOARDING, ClientTab.MINE)
    assert [r.name for r in page.rows] == ["Anna Onboarding GmbH"]
    onboarding.invite(actor=firm["anna"], account_id=mine.id)
    page = clients.list_clients(actor=firm["anna"])
    assert page.tabs == (ClientTab.MINE,)  # invited now; Invitations is an admin tab
    admin = clients.list_clients(actor=firm["admin"], tab="invitations")
    assert ClientTab.INVITATIONS in admin.tabs and admin.counts["invitations"] == 1
    assert admin.counts["all"] == 2


def test_contacts_are_refused(firm, fresh_db):
    account = factories.client(name="Alpha")
    person = factories.contact(account=account)
    with pytest.raises(AccessDenied):
        clients.list_clients(actor=factories.actor(person))


# 10,000 clients


@pytest.fixture
def many(firm):
    rows = [{"public_id": f"p{i:05d}", "kind": "company", "name": f"Mandant {i:05d}", "company_name": "",
             "address": "", "status": "active", "tags": [], "custom_fields": {}, "self_signup": False,
             "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)} for i in range(10_000)]
    with db.session() as s:
        s.execute(insert(ClientAccount), rows)
        ids = [i for (i,) in s.execute(ClientAccount.__table__.select().with_only_columns(ClientAccount.id)
                                        .order_by(ClientAccount.id))]
        s.execute(insert(Assignment), [{"staff_id": firm["anna"].id, "account_id": i} for i in ids[::2]])
        s.execute(insert(Booking), [{"account_id": i, "ledger": Ledger.SUPPLIERS, "date": dt.date(2026, 11, 1),
                                     "amount_cents": -100, "currency": "EUR", "counterparty": "", "text": "",
                                     "receipt_missing": True, "created_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)}
                                    for i in ids[::7]])
        s.commit()
    return ids


def test_search_filter_sort_and_pages_on_10000_clients(firm, many, fresh_db):
    admin = firm["admin"]
    page = clients.list_clients(actor=admin, tab="all")
    assert page.total == 10_000 and page.pages == 400 and len(page.rows) == 25
    assert page.rows[0].name == "Mandant 00000"
    last = clients.list_clients(actor=admin, tab="all", descending=True, page=2)
    assert last.rows[0].name == "Mandant 09974"
    found = clients.list_clients(actor=admin, tab="all", query="mandant 0999")
    assert found.total == 10 and [r.name for r in found.rows][:2] == ["Mandant 09990", "Mandant 09991"]
    missing = clients.list_clients(actor=admin, tab="all", missing_only=True)
    assert missing.total == len(many[::7]) and all(r.missing_receipts == 1 for r in missing.rows)
    assert clients.list_clients(actor=admin, tab="all", query="%").total == 0  # LIKE wildcards are literal
    anna = clients.list_clients(actor=firm["anna"], missing_only=True, page=9999)
    assert anna.total == len(set(many[::2]) & set(many[::7])) and anna.page == anna.pages

    statements = []
    event.listen(fresh_db, "before_cursor_execute", lambda *a: statements.append(a[2]))
    clients.list_clients(actor=admin, tab="all", query="mandant", missing_only=True)
    # tab counts (3), pending contacts, page total, rows, contacts, missing, talks, accountants: none per row
    assert len(statements) == 10


# Reminders


def test_admin_reminds_every_assigned_accountant(firm):
    created = _new(firm["anna"], company="Erinnerung GmbH")
    clients.set_assignments(actor=firm["admin"], account_id=created.id, staff_ids=[firm["anna"].id, firm["jonas"].id])
    with pytest.raises(AccessDenied):
        reminders.remind_accountants(actor=firm["anna"], account_id=created.id, kinds=["open_talks"])
    with pytest.raises(UserError, match="kinds"):
        reminders.remind_accountants(actor=firm["admin"], account_id=created.id, kinds=[])
    sent = reminders.remind_accountants(actor=firm["admin"], account_id=created.id,
                                        kinds=["missing_receipts", "open_talks"], comment="Bitte bis Freitag")
    assert sent == 2
    with db.session() as s:
        rows = s.query(Outbox).filter_by(template="reminder").all()
        assert sorted(r.to for r in rows) == sorted([firm["anna"].email, firm["jonas"].email])
        assert rows[0].context["comment"] == "Bitte bis Freitag"
        assert [k for k, _ in rows[0].context["kinds"]] == ["missing_receipts", "open_talks"]


def test_reminder_needs_an_accountant(firm):
    created = _new(firm["admin"], company="Niemand GmbH")
    with pytest.raises(UserError, match="nobody"):
        reminders.remind_accountants(actor=firm["admin"], account_id=created.id, kinds=["export_ready"])
