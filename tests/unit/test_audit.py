"""The audit trail: what each action records, who may read a client's protocol, paging,
and the CSV and PDF exports."""

import asyncio
import csv
import datetime as dt
import io
import json

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from portal import realtime, routes
from portal.api import build_api
from portal.domain.actor import Actor
from portal.domain.audit import Action
from portal.domain.clock import utcnow
from portal.domain.enums import Role, SubjectKind, ThreadStatus
from portal.i18n import format as fmt
from portal.models import AccountContact, AuditEvent, Booking, Message, Thread
from portal.services import (
    audit,
    audit_export,
    auth,
    booking_transfer,
    clients,
    conversations,
    db,
    magic_links,
    receipts,
    talks,
)
from portal.services.access import AccessDenied, NotFound
from tests import factories

WRONG_PASSWORD = "Falsch-und-geheim-4711"


@pytest.fixture
def office(fresh_db, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    factories.firm(name="Steuerkanzlei Grün & Partner")
    anna = factories.staff(name="Anna Schmidt")
    jonas = factories.staff(name="Jonas Weber")
    admin = factories.staff(role=Role.ADMIN, name="Katrin Berger")
    bakery = factories.client(name="Bäckerei Hofmann GmbH", accountants=(anna,), missing_receipts=2)
    other = factories.client(name="Fremde GmbH", accountants=(jonas,))
    maria = factories.contact(account=bakery, first="Maria", last="Hofmann")
    thomas = factories.contact(account=bakery, first="Thomas", last="Hofmann")
    stranger = factories.contact(account=other, first="Fritz", last="Fremd")
    with db.session() as s:
        booking_ids = s.exec(select(Booking.id).where(Booking.account_id == bakery.id).order_by(Booking.id)).all()
    return {"anna": anna, "jonas": jonas, "admin": admin, "bakery": bakery, "other": other, "maria": maria,
            "thomas": thomas, "stranger": stranger, "bookings": booking_ids}


@pytest.fixture
def http(fresh_db):
    return TestClient(build_api(), base_url="http://127.0.0.1", follow_redirects=False)


def _events(**where) -> list[AuditEvent]:
    with db.session() as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return list(s.exec(query).all())


def _count() -> int:
    return len(_events())


def _logged_in(http: TestClient, user) -> None:
    """A session cookie for ``user``, opened without a login (which would be recorded)."""
    kind = SubjectKind.STAFF if hasattr(user, "role") else SubjectKind.CONTACT
    with db.session() as s:
        token = auth.open_session(s, kind, user.id, utcnow())
        s.commit()
    http.cookies.clear()  # also a cookie an earlier response set
    http.cookies.set(auth.SESSION_COOKIE, auth.sign_session_token(token))


def _only(rows: list[AuditEvent]) -> AuditEvent:
    assert len(rows) == 1, [(r.action, r.account_id) for r in rows]
    return rows[0]


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 120, 100)).save(out, format="PNG")
    return out.getvalue()


async def _chunks(data: bytes):
    yield data


def _talk_with_receipt(office) -> tuple[int, str, int]:
    """A talk on the first booking with Maria's uploaded receipt: (thread id, blob key, message id)."""
    thread_id = talks.start_talk(actor=factories.actor(office["anna"]), booking_id=office["bookings"][0],
                                 recipient_contact_id=None, internal=False, sender_name="", body="Beleg bitte")
    message_id = asyncio.run(receipts.upload_receipt(actor=factories.actor(office["maria"]), thread_id=thread_id,
                                                     filename="Kassenbon März.png", chunks=_chunks(_png())))
    view = talks.thread_view(actor=factories.actor(office["anna"]), thread_id=thread_id)
    return thread_id, view.receipts[0].key, message_id


# Logins


def test_login_through_the_route_records_who_where_and_for_which_client(office, http):
    maria = office["maria"]
    response = http.post(routes.API_LOGIN, data={"email": maria.email, "password": factories.PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == routes.PORTAL
    row = _only(_events())
    assert (row.action, row.actor_kind, row.actor_id, row.actor_name) == ("login.succeeded", "contact", maria.id,
                                                                          "Maria Hofmann")
    assert (row.account_id, row.object_kind, row.object_id) == (office["bakery"].id, "contact", maria.id)
    assert row.ip == "testclient" and row.detail == {"name": "Maria Hofmann", "method": "password"}

    http.cookies.clear()
    http.post(routes.API_LOGIN, data={"email": office["anna"].email, "password": factories.PASSWORD})
    staff_row = _events()[-1]
    assert (staff_row.action, staff_row.actor_kind, staff_row.actor_id, staff_row.account_id) == (
        "login.succeeded", "staff", office["anna"].id, None)  # a staff login belongs to no client


def test_a_contact_on_two_clients_shows_in_both_protocols(office, http):
    second = factories.client(name="Zweite GmbH", accountants=(office["anna"],))
    person = factories.contact(account=office["bakery"], first="Doppel", also_on=(second,))
    http.post(routes.API_LOGIN, data={"email": person.email, "password": factories.PASSWORD})
    assert sorted(r.account_id for r in _events(action="login.succeeded")) == sorted([office["bakery"].id, second.id])


def test_failed_login_keeps_the_typed_email_but_never_the_password(office, http):
    maria = office["maria"]
    response = http.post(routes.API_LOGIN, data={"email": f" {maria.email.upper()} ", "password": WRONG_PASSWORD})
    assert "error=invalid" in response.headers["location"]
    row = _only(_events())
    assert (row.action, row.actor_kind, row.actor_id, row.actor_name) == ("login.failed", "anonymous", None, "")
    assert row.account_id == office["bakery"].id and row.object_id == maria.id
    assert row.detail == {"method": "password", "email": maria.email, "name": "Maria Hofmann"}
    assert row.ip == "testclient"

    http.post(routes.API_LOGIN, data={"email": "nobody@example.test", "password": WRONG_PASSWORD})
    unknown = _events()[-1]
    assert (unknown.action, unknown.account_id, unknown.detail["email"]) == ("login.failed", None,
                                                                             "nobody@example.test")
    with db.session() as s:
        stored = json.dumps([r.model_dump(mode="json") for r in s.exec(select(AuditEvent)).all()])
    assert WRONG_PASSWORD not in stored and factories.PASSWORD not in stored


def test_lockout_is_recorded_once_and_attempts_while_locked_add_nothing(office, http, monkeypatch):
    monkeypatch.setattr(auth, "MAX_FAILURES", 3)
    maria = office["maria"]
    for _ in range(3):
        http.post(routes.API_LOGIN, data={"email": maria.email, "password": WRONG_PASSWORD})
    actions = [r.action for r in _events()]
    assert actions == ["login.failed", "login.failed", "login.failed", "login.locked"]
    locked = _events(action="login.locked")[0]
    assert locked.account_id == office["bakery"].id and locked.detail["email"] == maria.email
    assert 1 <= locked.detail["minutes"] <= 15
    # Even the right password is refused now, and hammering writes no more rows.
    for password in (WRONG_PASSWORD, factories.PASSWORD):
        response = http.post(routes.API_LOGIN, data={"email": maria.email, "password": password})
        assert "error=locked" in response.headers["location"]
    assert _count() == 4


def test_magic_link_login_is_recorded_with_its_method(office, http):
    maria = office["maria"]
    with db.session() as s:
        token = magic_links.issue_talk_link(s, contact_id=maria.id)
        s.commit()
    assert http.get(routes.talk_link(token)).status_code == 303
    row = _only(_events())
    assert (row.action, row.actor_kind, row.actor_id, row.account_id) == ("login.succeeded", "contact", maria.id,
                                                                          office["bakery"].id)
    assert row.detail == {"name": "Maria Hofmann", "method": "magic_link"} and row.ip == "testclient"
    assert http.get(routes.talk_link(token)).status_code == 303  # used: no second login
    assert _count() == 1


def test_sso_logins_and_refusals_are_recorded(office):
    anna = office["anna"]
    result = auth.login_sso(issuer="https://idp.example", subject="sub-1", email=anna.email, email_verified=True,
                            client="203.0.113.9")
    assert result.actor is not None
    row = _only(_events())
    assert (row.action, row.actor_kind, row.actor_id, row.account_id, row.ip) == (
        "login.succeeded", "staff", anna.id, None, "203.0.113.9")
    assert row.detail == {"name": "Anna Schmidt", "method": "sso"}
    refused = auth.login_sso(issuer="https://idp.example", subject="sub-2", email="ghost@example.test",
                             email_verified=True, client="203.0.113.9")
    assert refused.error == "sso_unknown"
    failure = _events()[-1]
    assert (failure.action, failure.actor_kind) == ("login.failed", "anonymous")
    assert failure.detail == {"method": "sso", "reason": "sso_unknown", "email": "ghost@example.test"}


def test_logout_password_change_and_reset_are_recorded(office, http):
    maria = office["maria"]
    _logged_in(http, maria)
    new_password = "Neues-Passwort-2026!"
    response = http.post(routes.API_PASSWORD, data={"current": factories.PASSWORD, "password": new_password,
                                                    "repeat": new_password})
    assert "password.changed" in response.headers["location"]
    changed = _only(_events())
    assert (changed.action, changed.actor_id, changed.account_id, changed.ip) == (
        "password.changed", maria.id, office["bakery"].id, "testclient")
    assert new_password not in json.dumps(changed.detail)

    assert http.post(routes.API_LOGOUT).status_code == 303
    logout = _events()[-1]
    assert (logout.action, logout.actor_kind, logout.actor_id, logout.account_id) == (
        "logout", "contact", maria.id, office["bakery"].id)

    auth.request_password_reset(email=maria.email, locale="de")
    from portal.models import Outbox

    with db.session() as s:
        link = s.exec(select(Outbox).where(Outbox.to == maria.email).order_by(Outbox.id.desc())).first()
    token = link.context["link"].rsplit("/", 1)[-1]
    http.post(routes.API_RESET, data={"token": token, "password": new_password + "x", "repeat": new_password + "x"})
    reset = _events()[-1]
    assert (reset.action, reset.actor_id, reset.account_id) == ("password.reset", maria.id, office["bakery"].id)
    assert [r.action for r in _events()] == ["password.changed", "logout", "password.reset"]


def test_a_login_replaced_on_the_same_browser_is_no_logout(office, http):
    _logged_in(http, office["maria"])
    http.post(routes.API_LOGIN, data={"email": office["anna"].email, "password": factories.PASSWORD})
    assert [r.action for r in _events()] == ["login.succeeded"]


# Documents and exports


def test_download_and_preview_through_the_files_route(office, http):
    _thread_id, key, _message_id = _talk_with_receipt(office)
    with db.session() as s:
        from portal.models import Document

        doc = s.exec(select(Document).where(Document.blob_key == key)).one()
    before = _count()
    _logged_in(http, office["maria"])
    response = http.get(routes.file(key))
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    row = _events()[-1]
    assert (row.action, row.actor_kind, row.actor_id, row.account_id) == ("document.downloaded", "contact",
                                                                          office["maria"].id, office["bakery"].id)
    assert (row.object_kind, row.object_id, row.detail, row.ip) == ("document", doc.id,
                                                                    {"name": "Kassenbon März.png"}, "testclient")
    _logged_in(http, office["anna"])
    assert http.get(routes.file_preview(key)).status_code == 200
    viewed = _events()[-1]
    assert (viewed.action, viewed.actor_kind, viewed.actor_id, viewed.object_id) == ("document.viewed", "staff",
                                                                                     office["anna"].id, doc.id)
    assert _count() == before + 2


def test_refused_downloads_record_nothing(office, http):
    _thread_id, key, _message_id = _talk_with_receipt(office)
    before = _count()
    assert http.get(routes.file(key)).status_code == 404  # anonymous
    for outsider in (office["jonas"], office["stranger"]):
        _logged_in(http, outsider)
        assert http.get(routes.file(key)).status_code == 404
        assert http.get(routes.file_preview(key)).status_code == 404
    assert http.get(routes.file("no-such-key-000000000000")).status_code == 404
    assert _count() == before


def test_bookings_export_and_its_download(office, http):
    anna = factories.actor(office["anna"])
    thread_id = talks.start_talk(actor=anna, booking_id=office["bookings"][0], recipient_contact_id=None,
                                 internal=False, sender_name="", body="Beleg?")
    before = _count()
    result = booking_transfer.export_bookings(actor=anna, account_id=office["bakery"].id, fmt="csv", year=2026)
    row = _only(_events()[before:])
    assert (row.action, row.actor_id, row.account_id, row.object_kind) == ("bookings.exported", anna.id,
                                                                           office["bakery"].id, "export")
    assert row.detail == {"name": result.filename, "format": "csv", "year": 2026, "bookings": 2, "closed_talks": 1}
    # Closing the talk by exporting is part of that row, not a row of its own.
    assert _events(action="talk.closed") == []
    with db.session() as s:
        assert s.get(Thread, thread_id).status == ThreadStatus.CLOSED

    _logged_in(http, office["jonas"])
    assert http.get(routes.export(result.key)).status_code == 404
    assert _count() == before + 1
    _logged_in(http, office["anna"])
    assert http.get(routes.export(result.key)).status_code == 200
    download = _events()[-1]
    assert (download.action, download.actor_id, download.object_id, download.detail) == (
        "export.downloaded", anna.id, row.object_id, {"name": result.filename, "format": "csv"})


def test_refused_export_records_nothing_and_exports_nothing(office):
    before = _count()
    with pytest.raises(NotFound):
        booking_transfer.export_bookings(actor=factories.actor(office["jonas"]), account_id=office["bakery"].id,
                                         fmt="csv", year=2026)
    assert _count() == before
    with db.session() as s:
        assert all(b.exported_at is None for b in s.exec(select(Booking)).all())


# Messages and talks


def test_deleting_a_message_is_recorded_once(office):
    anna = factories.actor(office["anna"])
    thread_id = talks.start_talk(actor=anna, booking_id=office["bookings"][1], recipient_contact_id=None,
                                 internal=False, sender_name="", body="Bitte den Beleg")
    message_id = talks.post_message(actor=anna, thread_id=thread_id, body="Tippfehler")
    before = _count()
    talks.delete_message(actor=anna, message_id=message_id)
    row = _only(_events()[before:])
    assert (row.action, row.actor_kind, row.actor_id, row.account_id) == ("message.deleted", "staff", anna.id,
                                                                          office["bakery"].id)
    assert (row.object_kind, row.object_id) == ("message", message_id)
    assert row.detail == {"name": "Lieferant 2 · Rechnung 1001", "thread_id": thread_id, "kind": "booking_talk"}
    talks.delete_message(actor=anna, message_id=message_id)  # already deleted: nothing new
    assert _count() == before + 1


def test_deleting_someone_elses_message_records_and_changes_nothing(office):
    anna = factories.actor(office["anna"])
    thread_id = talks.start_talk(actor=anna, booking_id=office["bookings"][1], recipient_contact_id=None,
                                 internal=False, sender_name="", body="Bitte den Beleg")
    message_id = talks.post_message(actor=anna, thread_id=thread_id, body="Meine Nachricht")
    before = _count()
    for intruder in (office["maria"], office["jonas"]):
        with pytest.raises(NotFound):
            talks.delete_message(actor=factories.actor(intruder), message_id=message_id)
    assert _count() == before
    with db.session() as s:
        assert s.get(Message, message_id).deleted_at is None


def test_closing_a_talk_and_a_conversation(office):
    anna = factories.actor(office["anna"])
    thread_id = talks.start_talk(actor=anna, booking_id=office["bookings"][0], recipient_contact_id=None,
                                 internal=False, sender_name="", body="Bitte den Beleg")
    before = _count()
    with pytest.raises((AccessDenied, NotFound)):
        talks.close_talk(actor=factories.actor(office["maria"]), thread_id=thread_id)
    with pytest.raises(NotFound):
        talks.close_talk(actor=factories.actor(office["jonas"]), thread_id=thread_id)
    assert _count() == before
    with db.session() as s:
        assert s.get(Thread, thread_id).status == ThreadStatus.OPEN
    talks.close_talk(actor=anna, thread_id=thread_id)
    row = _only(_events()[before:])
    assert (row.action, row.actor_id, row.account_id, row.object_kind, row.object_id) == (
        "talk.closed", anna.id, office["bakery"].id, "thread", thread_id)
    assert row.detail["name"] == "Lieferant 1 · Rechnung 1000"
    talks.close_talk(actor=anna, thread_id=thread_id)  # already closed
    assert _count() == before + 1

    maria = factories.actor(office["maria"])
    chat = conversations.start_conversation(actor=maria, account_id=office["bakery"].id, subject="Frage zur USt",
                                            body="Hallo")
    conversations.close_conversation(actor=maria, thread_id=chat)
    closed = _events()[-1]
    assert (closed.action, closed.actor_kind, closed.actor_id, closed.object_kind, closed.object_id) == (
        "conversation.closed", "contact", maria.id, "conversation", chat)
    assert closed.detail["name"] == "Frage zur USt"


# Contacts and access


def test_changing_a_contacts_access_records_old_and_new(office):
    anna = factories.actor(office["anna"])
    maria = office["maria"]
    before = _count()
    clients.set_link(actor=anna, account_id=office["bakery"].id, contact_id=maria.id, full_access=False)
    row = _only(_events()[before:])
    assert (row.action, row.actor_id, row.account_id, row.object_kind, row.object_id) == (
        "contact.access_changed", anna.id, office["bakery"].id, "contact", maria.id)
    assert row.detail == {"name": "Maria Hofmann", "changes": {"full_access": [True, False]}}
    clients.set_link(actor=anna, account_id=office["bakery"].id, contact_id=maria.id, full_access=False)
    assert _count() == before + 1  # nothing changed, nothing recorded
    clients.set_link(actor=anna, account_id=office["bakery"].id, contact_id=maria.id, login=False, notify=False)
    assert _events()[-1].detail["changes"] == {"login": [True, False], "notify": [True, False]}


def test_an_access_change_without_access_records_and_changes_nothing(office):
    maria = office["maria"]
    before = _count()
    with pytest.raises(NotFound):
        clients.set_link(actor=factories.actor(office["jonas"]), account_id=office["bakery"].id,
                         contact_id=maria.id, login=False)
    with pytest.raises((AccessDenied, NotFound)):
        clients.unlink_contact(actor=factories.actor(office["maria"]), account_id=office["bakery"].id,
                               contact_id=office["thomas"].id)
    assert _count() == before
    with db.session() as s:
        assert s.get(AccountContact, (office["bakery"].id, maria.id)).login


def test_adding_and_removing_contacts(office):
    anna = factories.actor(office["anna"])
    draft = clients.ContactDraft(first_name="Lena", last_name="Neu", email=factories.unique_email("lena"),
                                 full_access=False)
    contact_id = clients.add_contact(actor=anna, account_id=office["bakery"].id, draft=draft)
    added = _events()[-1]
    assert (added.action, added.object_id, added.account_id) == ("contact.added", contact_id, office["bakery"].id)
    assert added.detail == {"name": "Lena Neu", "flags": {"login": True, "full_access": False, "notify": True,
                                                          "sync": False}}
    clients.unlink_contact(actor=anna, account_id=office["bakery"].id, contact_id=contact_id)
    removed = _events()[-1]
    assert (removed.action, removed.object_id, removed.detail["name"]) == ("contact.removed", contact_id, "Lena Neu")
    assert [r.action for r in _events()] == ["contact.added", "contact.removed"]


def test_a_new_client_records_its_contacts(office):
    created = clients.create_account(actor=factories.actor(office["anna"]), draft=clients.AccountDraft(kind="company",
                                     company_name="Neu GmbH"),
                                     contacts=[clients.ContactDraft(first_name="Nina", last_name="Neu",
                                                                    email=factories.unique_email("nina"))])
    row = _only(_events())
    assert (row.action, row.account_id, row.detail["name"]) == ("contact.added", created.id, "Nina Neu")


def test_invitation_and_activation_are_recorded(office, http):
    from portal.models import Outbox
    from portal.services import onboarding

    anna = factories.actor(office["anna"])
    draft = clients.ContactDraft(first_name="Ina", last_name="Vite", email=factories.unique_email("ina"))
    contact_id = clients.add_contact(actor=anna, account_id=office["bakery"].id, draft=draft)
    onboarding.invite(actor=anna, account_id=office["bakery"].id, contact_ids=[contact_id])
    invited = _events()[-1]
    assert (invited.action, invited.object_id, invited.detail["email"]) == ("contact.invited", contact_id,
                                                                            draft.email)
    with db.session() as s:
        mail = s.exec(select(Outbox).where(Outbox.to == draft.email)).one()
    token = mail.context["link"].rsplit("/", 1)[-1]
    password = "Aktiviert-2026-sicher"
    assert http.post(routes.API_ACTIVATE, data={"token": token, "password": password,
                                                "repeat": password}).status_code == 303
    activated = _events()[-1]
    assert (activated.action, activated.actor_kind, activated.actor_id, activated.account_id) == (
        "contact.activated", "contact", contact_id, office["bakery"].id)
    assert activated.ip == "testclient"


# The protocol


def _fill(account_id: int, count: int, actor: Actor | None = None) -> list[int]:
    ids = []
    with db.session() as s:
        for i in range(count):
            row = audit.record(s, actor=actor, action=Action.DOCUMENT_DOWNLOADED, account_id=account_id,
                               object_kind="document", object_id=i, detail={"name": f"Datei {i}.pdf"})
            s.flush()
            ids.append(row.id)
        s.commit()
    return ids


def test_protocol_shows_only_the_clients_events_to_admins_and_assigned_staff(office):
    bakery, other = office["bakery"], office["other"]
    mine = _fill(bakery.id, 2)
    _fill(other.id, 3)
    _fill(None, 1)  # firm-wide
    for reader in (office["anna"], office["admin"]):
        page = audit.protocol(actor=factories.actor(reader), account_id=bakery.id)
        assert [e.id for e in page.entries] == sorted(mine, reverse=True) and not page.has_more
    with pytest.raises(NotFound):
        audit.protocol(actor=factories.actor(office["jonas"]), account_id=bakery.id)
    with pytest.raises(AccessDenied):
        audit.protocol(actor=factories.actor(office["maria"]), account_id=bakery.id)
    with pytest.raises(NotFound):
        audit.protocol(actor=factories.actor(office["anna"]), account_id=999_999)


def test_the_guest_account_protocol_is_not_open_to_every_accountant(office):
    from portal.domain.enums import AccountKind

    guest = factories.client(name="Gäste", kind=AccountKind.GUEST)
    _fill(guest.id, 1)
    with pytest.raises(NotFound):
        audit.protocol(actor=factories.actor(office["anna"]), account_id=guest.id)
    assert len(audit.protocol(actor=factories.actor(office["admin"]), account_id=guest.id).entries) == 1


def test_protocol_pages_newest_first_without_gaps_or_repeats(office):
    ids = _fill(office["bakery"].id, 7)
    anna = factories.actor(office["anna"])
    seen, before, steps = [], None, 0
    while True:
        page = audit.protocol(actor=anna, account_id=office["bakery"].id, before=before, limit=3)
        seen.extend(e.id for e in page.entries)
        steps += 1
        if not page.has_more:
            assert page.next_before is None
            break
        before = page.next_before
    assert seen == sorted(ids, reverse=True) and steps == 3
    assert len(audit.protocol(actor=anna, account_id=office["bakery"].id, limit=10_000).entries) == 7


def test_protocol_filters_by_kind_of_action(office):
    anna = factories.actor(office["anna"])
    clients.set_link(actor=anna, account_id=office["bakery"].id, contact_id=office["maria"].id, sync=True)
    _fill(office["bakery"].id, 2)
    by_kind = {kind: [e.action for e in audit.protocol(actor=anna, account_id=office["bakery"].id,
                                                       kind=kind).entries]
               for kind in ("contacts", "documents", "exports", "", "nonsense")}
    assert by_kind["contacts"] == ["contact.access_changed"]
    assert by_kind["documents"] == ["document.downloaded"] * 2
    assert by_kind["exports"] == []
    assert len(by_kind[""]) == len(by_kind["nonsense"]) == 3


def test_lines_read_in_the_users_language_and_zone(office):
    anna = factories.actor(office["anna"])
    clients.set_link(actor=anna, account_id=office["bakery"].id, contact_id=office["maria"].id, full_access=False)
    entry = audit.protocol(actor=anna, account_id=office["bakery"].id).entries[0]
    german = audit.line(entry, fmt.Formats("de"))
    assert (german.who, german.side, german.what) == ("Anna Schmidt", "Kanzlei", "Zugriff geändert")
    assert german.object == "Kontakt: Maria Hofmann" and german.details == "Vollzugriff: an → aus"
    english = audit.line(entry, fmt.Formats("en", "Asia/Tokyo"))
    assert (english.what, english.details) == ("Access changed", "Full access: on → off")
    assert english.at == fmt.precise_datetime(entry.at, "en", "Asia/Tokyo")
    system = audit.Entry(id=1, at=entry.at, actor_kind="system", actor_name="", action="login.failed",
                         object_kind="", object_id=None, ip="198.51.100.4",
                         detail={"method": "password", "email": "x@example.test"})
    shown = audit.line(system, fmt.Formats("de"))
    assert shown.who == "System" and shown.what == "Anmeldung fehlgeschlagen"
    assert shown.details == "per Passwort · E-Mail: x@example.test · IP 198.51.100.4"


def test_details_stay_small(office):
    with db.session() as s:
        row = audit.record(s, actor=None, action=Action.CONTACT_ADDED, account_id=office["bakery"].id,
                           detail={"name": "x" * 5000, "list": list(range(100)), "deep": {"a": {"b": {"c": 1}}}})
        s.commit()
    assert len(row.detail["name"]) == 300 and len(row.detail["list"]) == 20
    assert row.detail["deep"] == {"a": {"b": "{'c': 1}"}}


# Exports of the protocol


def _export(http: TestClient, office, file_format: str, **query):
    return http.get(routes.audit_export(office["bakery"].public_id, file_format, **query))


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_export_streams_the_protocol_and_is_itself_recorded(office, http):
    http.post(routes.API_LOGIN, data={"email": office["maria"].email, "password": factories.PASSWORD})
    http.cookies.clear()
    _thread_id, key, _ = _talk_with_receipt(office)
    _logged_in(http, office["maria"])
    http.get(routes.file(key))
    _logged_in(http, office["anna"])
    response = _export(http, office, "csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "Protokoll_B" in response.headers["content-disposition"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(response)
    assert rows[0] == ["Zeitpunkt (Europe/Berlin)", "Wer", "Seite", "Aktion", "Aktionskennung", "Objekt", "Details"]
    actions = [r[4] for r in rows[1:]]
    # Newest first; the export's own record comes before it is built, so it is in it too.
    assert actions == ["audit.exported", "document.downloaded", "login.succeeded"]
    download = rows[2]
    assert download[1:4] == ["Maria Hofmann", "Mandant", "Dokument heruntergeladen"]
    assert download[5] == "Dokument: Kassenbon März.png" and "IP testclient" in download[6]
    dt.datetime.strptime(download[0], "%Y-%m-%d %H:%M:%S")
    exported = _events()[-1]
    assert (exported.action, exported.actor_id, exported.account_id, exported.ip) == (
        "audit.exported", office["anna"].id, office["bakery"].id, "testclient")
    assert exported.detail == {"name": "Bäckerei Hofmann GmbH", "format": "csv", "filter": "", "since": "",
                               "until": ""}


def test_csv_cells_are_neutralised_against_formulas(office, http):
    hostile = ["=HYPERLINK(\"http://evil.example\")", "+49 123", "-1+1", "@SUM(A1)", "\tTab", "\rWagenrücklauf"]
    with db.session() as s:
        for name in hostile:
            actor = Actor(kind=SubjectKind.CONTACT, id=99, name=name, email="x@example.test")
            audit.record(s, actor=actor, action=Action.DOCUMENT_DOWNLOADED, account_id=office["bakery"].id,
                         object_kind="document", object_id=1, detail={"name": "=1+1"})
        s.commit()
    _logged_in(http, office["admin"])
    rows = _csv_rows(_export(http, office, "csv", kind="documents"))
    who = [r[1] for r in rows[1:]]
    assert who == ["'" + name for name in reversed(hostile)]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    assert audit_export.csv_row(["=1", "ok", "-2"]) == "'=1;ok;'-2\r\n"


def test_export_filters_by_kind_and_period(office, http):
    old, _new = _fill(office["bakery"].id, 2)
    with db.session() as s:
        row = s.get(AuditEvent, old)
        row.at = dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC)  # 1 April in Berlin (summer time)
        s.add(row)
        s.commit()
    _logged_in(http, office["anna"])
    rows = _csv_rows(_export(http, office, "csv", kind="documents", since="2026-04-01", until="2026-04-01"))
    assert [r[0] for r in rows[1:]] == ["2026-04-01 00:30:00"]
    everything = _csv_rows(_export(http, office, "csv", kind="documents"))
    assert len(everything) == 3
    recorded = _events(action="audit.exported")[0]
    assert (recorded.detail["filter"], recorded.detail["since"], recorded.detail["until"]) == (
        "documents", "2026-04-01", "2026-04-01")


def test_export_is_refused_without_access_and_then_records_nothing(office, http):
    _fill(office["bakery"].id, 1)
    before = _count()
    assert _export(http, office, "csv").status_code == 404  # anonymous
    for outsider in (office["jonas"], office["maria"]):
        _logged_in(http, outsider)
        for file_format in ("csv", "pdf"):
            assert _export(http, office, file_format).status_code == 404
    _logged_in(http, office["anna"])
    assert _export(http, office, "xlsx").status_code == 404
    assert http.get(routes.audit_export("no-such-client", "csv")).status_code == 404
    assert _count() == before


def _pdf_text(data: bytes) -> tuple[int, str]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        pages = len(pdf)
        text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(pages))
    finally:
        pdf.close()
    return pages, text


def test_pdf_export_is_a_real_pdf_with_heading_events_and_page_numbers(office, http):
    anna = factories.actor(office["anna"])
    clients.set_link(actor=anna, account_id=office["bakery"].id, contact_id=office["maria"].id, full_access=False)
    _logged_in(http, office["maria"])
    new_password = "Ganz-neues-Passwort-1"
    http.post(routes.API_PASSWORD, data={"current": factories.PASSWORD, "password": new_password,
                                         "repeat": new_password})
    _logged_in(http, office["anna"])
    response = _export(http, office, "pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content.startswith(b"%PDF")
    pages, text = _pdf_text(response.content)
    assert pages == 1
    assert "Protokoll: Bäckerei Hofmann GmbH" in text
    assert "Kanzlei: Steuerkanzlei Grün & Partner" in text
    assert "Zeitraum: gesamter Zeitraum" in text and "von Anna Schmidt" in text
    assert "Zugriff geändert" in text and "Passwort geändert" in text and "Vollzugriff: an → aus" in text
    assert "Seite 1 von 1" in text
    assert _events()[-1].action == "audit.exported" and _events()[-1].detail["format"] == "pdf"


def test_a_long_pdf_numbers_its_pages(office, http):
    _fill(office["bakery"].id, 120, actor=factories.actor(office["anna"]))
    _logged_in(http, office["admin"])
    pages, text = _pdf_text(_export(http, office, "pdf").content)
    assert pages >= 3
    assert f"Seite 1 von {pages}" in text and f"Seite {pages} von {pages}" in text
    assert text.count("Dokument heruntergeladen") == 120


def test_pdf_without_a_unicode_font_still_shows_umlauts(office, http, monkeypatch):
    monkeypatch.setattr(audit_export, "FONT_CANDIDATES", ())
    _logged_in(http, office["anna"])
    data = _export(http, office, "pdf").content
    assert data.startswith(b"%PDF")
    _pages, text = _pdf_text(data)
    assert "Bäckerei Hofmann GmbH" in text and "Protokoll exportiert" in text
