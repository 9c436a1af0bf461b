"""Retention and data protection: how long documents are kept, the trash with its purge,
and a contact's export (Art. 15/20 DSGVO) and erasure (Art. 17 DSGVO)."""

import asyncio
import datetime as dt
import io
import json
import zipfile

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from portal import realtime, routes
from portal.api import build_api
from portal.domain import retention as rules
from portal.domain.enums import RetentionClass, Role, SubjectKind
from portal.models import AccountContact, AuthSession, Booking, Contact, Document, Folder, Message, PushSubscription
from portal.services import auth, clients, conversations, db, documents, folders, gdpr, receipts, retention, talks, tasks
from portal.services.access import AccessDenied, NotFound
from portal.settings import SettingsError, load_settings
from portal.storage import BlobNotFound, get_store
from tests import factories

PDF = b"%PDF-1.4\n" + b"r" * 600
UTC = dt.UTC


def at(year, month, day, hour=12, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


# The rule: to the end of the calendar year


@pytest.mark.parametrize("created, kind, expected", [
    (at(2026, 3, 5), RetentionClass.RECEIPT, dt.date(2034, 12, 31)),
    (at(2026, 1, 1, 9), RetentionClass.RECEIPT, dt.date(2034, 12, 31)),
    (at(2026, 12, 31, 20), RetentionClass.RECEIPT, dt.date(2034, 12, 31)),
    (at(2026, 3, 5), RetentionClass.BUSINESS_LETTER, dt.date(2032, 12, 31)),
    (at(2026, 3, 5), RetentionClass.NONE, None),
    (at(2026, 3, 5), "unknown", None),
])
def test_retention_ends_on_31_december_of_the_years_after_the_year_it_came_in(created, kind, expected):
    assert rules.retention_until(created, kind) == expected


def test_the_year_is_berlins():
    # 23:30 in Berlin on New Year's Eve is still the old year; 00:30 is the new one.
    assert rules.retention_until(at(2026, 12, 31, 22, 30), RetentionClass.RECEIPT) == dt.date(2034, 12, 31)
    assert rules.retention_until(at(2026, 12, 31, 23, 30), RetentionClass.RECEIPT) == dt.date(2035, 12, 31)


def test_configured_periods_replace_the_legal_defaults():
    periods = rules.RetentionPeriods(receipt_years=10, business_letter_years=7)
    assert rules.retention_until(at(2026, 5, 1), RetentionClass.RECEIPT, periods) == dt.date(2036, 12, 31)
    assert rules.retention_until(at(2026, 5, 1), RetentionClass.BUSINESS_LETTER, periods) == dt.date(2033, 12, 31)
    settings = load_settings({"RETENTION_RECEIPT_YEARS": "10", "RETENTION_LETTER_YEARS": "7", "TRASH_DAYS": "14"})
    assert (settings.retention_receipt_years, settings.retention_letter_years, settings.trash_days) == (10, 7, 14)
    defaults = load_settings({})
    assert (defaults.retention_receipt_years, defaults.retention_letter_years, defaults.trash_days) == (8, 6, 30)
    for env in ({"RETENTION_RECEIPT_YEARS": "0"}, {"RETENTION_LETTER_YEARS": "acht"}, {"TRASH_DAYS": "-1"}):
        with pytest.raises(SettingsError):
            load_settings(env)


def test_kept_through_the_last_day_then_purgeable_after_30_days_in_the_trash():
    until = dt.date(2034, 12, 31)
    assert rules.under_retention(until, dt.date(2034, 12, 31))
    assert not rules.under_retention(until, dt.date(2035, 1, 1)) and not rules.under_retention(None, dt.date(2026, 1, 1))
    trashed = at(2026, 6, 1, 10)
    assert not rules.purge_due(trashed, None, trashed + dt.timedelta(days=29, hours=23))
    assert rules.purge_due(trashed, None, trashed + dt.timedelta(days=30))
    assert not rules.purge_due(trashed, until, at(2034, 12, 31, 22))  # 23:00 in Berlin: still the last day
    assert rules.purge_due(trashed, until, at(2034, 12, 31, 23, 30))
    assert rules.purge_on(trashed, None) == dt.date(2026, 7, 1)
    assert rules.purge_on(trashed, until) == dt.date(2035, 1, 1)


# The trash


async def _chunks(data: bytes, size: int = 100):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def upload(actor, folder_id: int, name: str = "Bescheid.pdf", data: bytes = PDF) -> int:
    return asyncio.run(documents.upload_document(actor=actor, folder_id=folder_id, filename=name,
                                                 chunks=_chunks(data)))


def stored(doc_id: int) -> Document | None:
    with db.session() as s:
        return s.get(Document, doc_id)


def blob_exists(key: str) -> bool:
    try:
        get_store().open(key).close()
    except BlobNotFound:
        return False
    return True


@pytest.fixture
def office(fresh_db, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    anna = factories.staff()
    account = factories.client(name="Archiv GmbH", accountants=(anna,), missing_receipts=1)
    maria = factories.contact(account=account)
    view = documents.browse(actor=factories.actor(anna), account_id=account.id)
    return {"anna": factories.actor(anna), "maria": factories.actor(maria), "maria_row": maria, "account": account,
            "uploads": view.subfolders[0].id, "stranger": factories.actor(factories.staff(name="Fremd"))}


def listed(actor, account_id, folder_id) -> list[str]:
    return [d.filename for d in documents.browse(actor=actor, account_id=account_id, folder_id=folder_id).documents]


def test_deleting_a_document_moves_it_to_the_trash_and_restore_brings_it_back(office):
    anna, account_id, uploads = office["anna"], office["account"].id, office["uploads"]
    doc_id = upload(anna, uploads)
    key = stored(doc_id).blob_key
    documents.delete_document(actor=anna, document_id=doc_id)
    assert listed(anna, account_id, uploads) == [] and blob_exists(key)
    (item,) = retention.list_trash(actor=anna, account_id=account_id)
    assert (item.kind, item.name, item.location, item.trashed_by) == (
        "document", "Bescheid.pdf", folders.UPLOADS_FOLDER_NAME, "Anna Schmidt")
    assert item.retained_until is None and item.purge_on == rules.firm_date(item.trashed_at) + dt.timedelta(days=30)
    assert retention.trash_count(actor=anna, account_id=account_id) == 1
    with pytest.raises(NotFound):
        documents.rename_document(actor=anna, document_id=doc_id, name="x")  # in the trash: restore first
    with pytest.raises(NotFound):
        retention.list_trash(actor=office["stranger"], account_id=account_id)
    with pytest.raises(NotFound):
        retention.restore_document(actor=office["stranger"], document_id=doc_id)
    with pytest.raises(AccessDenied):
        retention.restore_document(actor=office["maria"], document_id=doc_id)
    retention.restore_document(actor=anna, document_id=doc_id)
    assert listed(anna, account_id, uploads) == ["Bescheid.pdf"]
    assert retention.list_trash(actor=anna, account_id=account_id) == []


def test_a_deleted_folder_takes_its_contents_along_and_comes_back_whole(office):
    anna, account_id = office["anna"], office["account"].id
    steuern = folders.create_folder(actor=anna, account_id=account_id, parent_id=None, name="Steuern", shared=True)
    jahr = folders.create_folder(actor=anna, account_id=account_id, parent_id=steuern, name="2026")
    upload(anna, steuern, "Bescheid.pdf")
    upload(anna, jahr, "Erklärung.pdf")
    alone = upload(anna, jahr, "Alt.pdf")
    documents.delete_document(actor=anna, document_id=alone)  # in the trash on its own before
    folders.delete_folder(actor=anna, folder_id=steuern)
    assert [f.name for f in documents.browse(actor=anna, account_id=account_id).subfolders] == [
        folders.UPLOADS_FOLDER_NAME]
    with pytest.raises(NotFound):
        documents.browse(actor=anna, account_id=account_id, folder_id=jahr)
    trash = retention.list_trash(actor=anna, account_id=account_id)
    assert [(i.kind, i.name, i.documents) for i in trash] == [("folder", "Steuern", 2), ("document", "Alt.pdf", 1)]
    with pytest.raises(retention.TrashError) as refused:
        retention.restore_document(actor=anna, document_id=alone)
    assert refused.value.key == "trash.error.folder_in_trash"
    # Meanwhile a new folder took the name: restoring says so instead of making two.
    other = folders.create_folder(actor=anna, account_id=account_id, parent_id=None, name="steuern")
    with pytest.raises(retention.TrashError) as taken:
        retention.restore_folder(actor=anna, folder_id=steuern)
    assert taken.value.key == "folder.error.exists"
    folders.rename_folder(actor=anna, folder_id=other, name="Neu")
    retention.restore_folder(actor=anna, folder_id=steuern)
    assert listed(anna, account_id, jahr) == ["Erklärung.pdf"] and listed(anna, account_id, steuern) == ["Bescheid.pdf"]
    assert [i.name for i in retention.list_trash(actor=anna, account_id=account_id)] == ["Alt.pdf"]
    with pytest.raises(folders.FolderError) as uploads_folder:
        folders.delete_folder(actor=anna, folder_id=office["uploads"])
    assert uploads_folder.value.key == "folder.error.uploads_folder"


def test_purge_destroys_row_and_blob_after_30_days_only(office):
    anna, account_id = office["anna"], office["account"].id
    doc_id = upload(anna, office["uploads"])
    kept_id = upload(anna, office["uploads"], "Bleibt.pdf")
    key = stored(doc_id).blob_key
    documents.delete_document(actor=anna, document_id=doc_id)
    trashed_at = stored(doc_id).trashed_at
    assert retention.purge(now=trashed_at + dt.timedelta(days=29)).documents == 0
    assert stored(doc_id) is not None and blob_exists(key)
    result = retention.purge(now=trashed_at + dt.timedelta(days=30, minutes=1))
    assert result.documents == 1 and stored(doc_id) is None and not blob_exists(key)
    assert stored(kept_id) is not None and blob_exists(stored(kept_id).blob_key)  # never deleted: not in the trash
    assert retention.list_trash(actor=anna, account_id=account_id) == []


def test_a_document_under_retention_waits_in_the_trash_until_its_period_ends(office):
    anna, account_id = office["anna"], office["account"].id
    folder = folders.create_folder(actor=anna, account_id=account_id, parent_id=None, name="Belege 2026")
    receipt = upload(anna, folder, "Rechnung.pdf")
    letter = upload(anna, folder, "Brief.pdf")
    retention.set_retention_class(actor=anna, document_id=receipt, retention_class=RetentionClass.RECEIPT)
    created = stored(receipt).created_at
    until = dt.date(rules.firm_date(created).year + 8, 12, 31)
    folders.delete_folder(actor=anna, folder_id=folder)
    (item,) = retention.list_trash(actor=anna, account_id=account_id)
    assert item.retained_until == until and item.purge_on == until + dt.timedelta(days=1)
    key = stored(receipt).blob_key
    result = retention.purge(now=created + dt.timedelta(days=40))
    assert (result.documents, result.retained, result.folders) == (1, 1, 0)
    assert stored(letter) is None and stored(receipt) is not None and blob_exists(key)
    with db.session() as s:
        assert s.get(Folder, folder) is not None  # still holds the receipt
    after = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(12), tzinfo=UTC)
    result = retention.purge(now=after)
    assert (result.documents, result.folders) == (1, 1) and stored(receipt) is None and not blob_exists(key)
    with db.session() as s:
        assert s.get(Folder, folder) is None


def test_a_restore_at_the_moment_of_the_purge_wins(office, monkeypatch):
    anna = office["anna"]
    doc_id = upload(anna, office["uploads"])
    documents.delete_document(actor=anna, document_id=doc_id)
    later = stored(doc_id).trashed_at + dt.timedelta(days=31)
    real_due = rules.purge_due

    def restored_meanwhile(*args, **kwargs):
        retention.restore_document(actor=anna, document_id=doc_id)  # another tab, between look and delete
        return real_due(*args, **kwargs)

    monkeypatch.setattr(rules, "purge_due", restored_meanwhile)
    assert retention.purge(now=later).documents == 0
    assert stored(doc_id) is not None and blob_exists(stored(doc_id).blob_key)


def test_staff_set_the_retention_class_and_see_the_date(office):
    anna, account_id, uploads = office["anna"], office["account"].id, office["uploads"]
    doc_id = upload(anna, uploads)
    (row,) = documents.browse(actor=anna, account_id=account_id, folder_id=uploads).documents
    assert (row.retention_class, row.retained_until) == ("none", None)
    retention.set_retention_class(actor=anna, document_id=doc_id, retention_class="business_letter")
    (row,) = documents.browse(actor=anna, account_id=account_id, folder_id=uploads).documents
    assert row.retention_class == "business_letter"
    assert row.retained_until == dt.date(rules.firm_date(row.created_at).year + 6, 12, 31)
    with pytest.raises(retention.TrashError):
        retention.set_retention_class(actor=anna, document_id=doc_id, retention_class="forever")
    with pytest.raises(AccessDenied):
        retention.set_retention_class(actor=office["maria"], document_id=doc_id, retention_class="none")
    with pytest.raises(NotFound):
        retention.set_retention_class(actor=office["stranger"], document_id=doc_id, retention_class="none")


def test_a_receipt_sent_in_a_booking_talk_is_a_receipt(office):
    with db.session() as s:
        booking_id = s.exec(select(Booking.id).where(Booking.account_id == office["account"].id)).one()
    thread_id = talks.start_talk(actor=office["anna"], booking_id=booking_id, recipient_contact_id=None,
                                 internal=False, sender_name="", body="Beleg bitte")
    asyncio.run(receipts.upload_receipt(actor=office["maria"], thread_id=thread_id, filename="beleg.pdf",
                                        chunks=_chunks(PDF)))
    with db.session() as s:
        doc = s.exec(select(Document).where(Document.booking_id == booking_id)).one()
    assert doc.retention_class == RetentionClass.RECEIPT
    assert retention.until(doc) == dt.date(rules.firm_date(doc.created_at).year + 8, 12, 31)


def test_clients_see_and_download_nothing_of_the_trash(office):
    anna, maria, account_id, uploads = office["anna"], office["maria"], office["account"].id, office["uploads"]
    doc_id = upload(anna, uploads, "Geteilt.pdf")
    key = stored(doc_id).blob_key
    # The same file is also the answer to a task in a conversation.
    thread_id = conversations.start_conversation(actor=anna, account_id=account_id, subject="Unterlagen",
                                                 body="Bitte hochladen")
    task_id = tasks.add_task(actor=anna, thread_id=thread_id, text="Lohnjournal")
    with db.session() as s:
        doc = s.get(Document, doc_id)
        doc.task_id = task_id
        s.add(doc)
        s.commit()
    http = TestClient(build_api(), base_url="http://127.0.0.1")
    token = auth.login(email=office["maria_row"].email, password=factories.PASSWORD).token
    http.cookies.set(auth.SESSION_COOKIE, auth.sign_session_token(token))
    assert http.get(routes.file(key)).status_code == 200
    assert listed(maria, account_id, uploads) == ["Geteilt.pdf"]

    documents.delete_document(actor=anna, document_id=doc_id)
    assert listed(maria, account_id, uploads) == []
    with pytest.raises(NotFound):
        documents.readable_document(actor=maria, key=key)
    assert http.get(routes.file(key)).status_code == 404
    assert http.get(routes.file_preview(key)).status_code == 404
    assert [t.files for t in tasks.list_tasks(actor=maria, thread_id=thread_id)] == [()]
    # Staff may still look at what they are about to restore.
    assert documents.readable_document(actor=anna, key=key).filename == "Geteilt.pdf"
    # A deleted folder hides its documents too.
    retention.restore_document(actor=anna, document_id=doc_id)
    shared = folders.create_folder(actor=anna, account_id=account_id, parent_id=None, name="Steuern", shared=True)
    documents.move_document(actor=anna, document_id=doc_id, folder_id=shared)
    assert documents.readable_document(actor=maria, key=key)
    folders.delete_folder(actor=anna, folder_id=shared)
    assert [f.name for f in documents.browse(actor=maria, account_id=account_id).subfolders] == [
        folders.UPLOADS_FOLDER_NAME]
    assert http.get(routes.file(key)).status_code == 404


# Export (Art. 15/20 DSGVO)


@pytest.fixture
def person(office):
    """Maria with messages, uploads, a session and a push device."""
    anna, maria, account_id = office["anna"], office["maria"], office["account"].id
    thread_id = conversations.start_conversation(actor=anna, account_id=account_id, subject="Jahresabschluss",
                                                 body="Haben Sie die Belege?")
    talks.post_message(actor=maria, thread_id=thread_id, body="Ja, anbei.")
    talks.post_message(actor=maria, thread_id=thread_id, body="=SUMME(A1)")
    with db.session() as s:
        booking_id = s.exec(select(Booking.id).where(Booking.account_id == account_id)).one()
    talk_id = talks.start_talk(actor=anna, booking_id=booking_id, recipient_contact_id=None, internal=False,
                               sender_name="", body="Beleg bitte")
    asyncio.run(receipts.upload_receipt(actor=maria, thread_id=talk_id, filename="tankbeleg.pdf",
                                        chunks=_chunks(PDF)))
    letter = upload(maria, office["uploads"], "Brief.pdf", b"%PDF-1.4\n" + b"l" * 700)
    retention.set_retention_class(actor=anna, document_id=letter, retention_class=RetentionClass.BUSINESS_LETTER)
    scan = upload(maria, office["uploads"], "Scan.pdf", b"%PDF-1.4\n" + b"s" * 800)
    token = auth.login(email=office["maria_row"].email, password=factories.PASSWORD).token
    with db.session() as s:
        s.add(PushSubscription(subject_kind=SubjectKind.CONTACT, subject_id=maria.id, endpoint="https://push.test/1",
                               p256dh="k", auth="a", device="Pixel"))
        s.commit()
    return {**office, "thread_id": thread_id, "talk_id": talk_id, "letter": letter, "scan": scan, "token": token,
            "email": office["maria_row"].email}


def _zip(export: gdpr.ContactExport) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(gdpr.zip_stream(export))))


def test_export_holds_profile_messages_documents_and_logins(person):
    export = gdpr.export_contact(actor=person["anna"], account_id=person["account"].id, contact_id=person["maria"].id)
    archive = _zip(export)
    assert set(archive.namelist()) == {"profile.json", "messages.json", "messages.csv", "sessions.json",
                                       "answers.json", "documents.json", "documents/tankbeleg.pdf",
                                       "documents/Brief.pdf", "documents/Scan.pdf"}
    profile = json.loads(archive.read("profile.json"))
    assert profile["contact"]["email"] == person["email"] and profile["contact"]["last_name"] == "Hofmann"
    assert profile["accounts"] == [{"account": "Archiv GmbH", "login": True, "notify": True, "sync": False,
                                    "full_access": True}]
    assert [d["device"] for d in profile["push_devices"]] == ["Pixel"]
    messages = json.loads(archive.read("messages.json"))
    assert [m["body"] for m in messages] == ["Ja, anbei.", "=SUMME(A1)", ""]  # the receipt came without text
    assert messages[0]["thread"] == "Jahresabschluss"
    lines = archive.read("messages.csv").decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(gdpr.MESSAGE_COLUMNS) and len(lines) == 4
    assert lines[2].endswith(";'=SUMME(A1)")  # a spreadsheet shows it, never runs it
    assert archive.read("documents/Scan.pdf") == b"%PDF-1.4\n" + b"s" * 800
    assert [s["scope"] for s in json.loads(archive.read("sessions.json"))["sessions"]] == ["full"]
    assert {d["filename"] for d in json.loads(archive.read("documents.json"))} == {
        "tankbeleg.pdf", "Brief.pdf", "Scan.pdf"}
    assert export.filename.startswith("Datenauskunft Maria-Hofmann ") and export.filename.endswith(".zip")


def test_export_route_streams_an_attachment_to_the_clients_staff_only(person):
    account, maria = person["account"], person["maria"]
    path = routes.contact_export(account.public_id, maria.id)
    http = TestClient(build_api(), base_url="http://127.0.0.1")

    def as_user(email):
        http.cookies.clear()
        if email:
            token = auth.login(email=email, password=factories.PASSWORD).token
            http.cookies.set(auth.SESSION_COOKIE, auth.sign_session_token(token))

    assert http.get(path).status_code == 404  # anonymous
    other = factories.client(name="Fremd KG")
    otto = factories.contact(account=other, first="Otto")
    stranger = factories.staff(name="Fremde Buchhalterin")
    factories.client(name="Ihre GmbH", accountants=(stranger,))
    for email in (person["email"], otto.email, stranger.email):
        as_user(email)
        assert http.get(path).status_code == 404, email
    as_user(factories.staff(role=Role.ADMIN, name="Chefin").email)
    assert http.get(routes.contact_export(other.public_id, maria.id)).status_code == 404  # not on that client
    response = http.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "no-store"
    assert "profile.json" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_an_accountant_acts_only_on_contacts_of_clients_they_all_work(person):
    anna, maria = person["anna"], person["maria"]
    elsewhere = factories.client(name="Zweitfirma GmbH")
    with db.session() as s:
        s.add(AccountContact(account_id=elsewhere.id, contact_id=maria.id, login=True))
        s.commit()
    for call in (gdpr.export_contact, gdpr.erase_contact):
        with pytest.raises(gdpr.PrivacyError) as refused:
            call(actor=anna, account_id=person["account"].id, contact_id=maria.id)
        assert refused.value.key == "privacy.error.other_accounts"
    with pytest.raises(NotFound):
        gdpr.export_contact(actor=person["stranger"], account_id=person["account"].id, contact_id=maria.id)
    with pytest.raises(AccessDenied):
        gdpr.erase_contact(actor=maria, account_id=person["account"].id, contact_id=maria.id)
    admin = factories.actor(factories.staff(role=Role.ADMIN, name="Chefin"))
    assert gdpr.export_contact(actor=admin, account_id=elsewhere.id, contact_id=maria.id).documents


# Erasure (Art. 17 DSGVO)


def test_erasure_removes_personal_data_keeps_what_the_law_requires(person):
    anna, maria, account_id = person["anna"], person["maria"], person["account"].id
    result = gdpr.erase_contact(actor=anna, account_id=account_id, contact_id=maria.id)
    assert (result.messages, result.kept_documents, result.trashed_documents) == (3, 2, 1)
    with db.session() as s:
        row = s.get(Contact, maria.id)
        assert (row.first_name, row.last_name, row.email, row.phone, row.address, row.password_hash) == (
            gdpr.ERASED_NAME, "", None, "", "", None)
        assert row.erased_at is not None
        assert s.get(AccountContact, (account_id, maria.id)).login is False
        assert s.exec(select(AuthSession).where(AuthSession.subject_kind == SubjectKind.CONTACT,
                                                AuthSession.subject_id == maria.id)).all() == []
        assert s.exec(select(PushSubscription)).all() == []
        docs = {d.filename: d for d in s.exec(select(Document)).all()}
        assert {m.sender_name for m in s.exec(select(Message).where(Message.author_kind == SubjectKind.CONTACT))} == {
            gdpr.ERASED_NAME}
    # Receipt and business letter stay (marked), the scan without a period goes to the trash.
    assert docs["tankbeleg.pdf"].kept_after_erasure_at is not None and docs["tankbeleg.pdf"].trashed_at is None
    assert docs["Brief.pdf"].kept_after_erasure_at is not None and docs["Brief.pdf"].trashed_at is None
    assert docs["Scan.pdf"].trashed_at is not None and docs["Scan.pdf"].kept_after_erasure_at is None
    rows = {d.filename: d for d in documents.browse(actor=anna, account_id=account_id,
                                                     folder_id=person["uploads"]).documents}
    assert set(rows) == {"Brief.pdf"} and rows["Brief.pdf"].kept_after_erasure
    assert rows["Brief.pdf"].uploaded_by == gdpr.ERASED_NAME
    # Staff still read the conversation; the author is the erased contact.
    view = talks.thread_view(actor=anna, thread_id=person["thread_id"])
    answer = next(m for m in view.messages if m.author_kind == SubjectKind.CONTACT)
    assert (answer.body, answer.sender_name) == ("Ja, anbei.", gdpr.ERASED_NAME)
    # No way back in: neither the old session nor the old password.
    assert auth.resolve_session(person["token"]) is None
    assert auth.login(email=person["email"], password=factories.PASSWORD).token is None
    detail = next(c for c in clients.account_details(actor=anna, account_id=account_id).contacts if c.id == maria.id)
    assert detail.erased and detail.name == gdpr.ERASED_NAME and detail.email == ""
    with pytest.raises(gdpr.PrivacyError) as twice:
        gdpr.erase_contact(actor=anna, account_id=account_id, contact_id=maria.id)
    assert twice.value.key == "privacy.error.erased"


def test_an_erased_contact_cannot_be_edited_back_into_a_person(person):
    anna, maria, account_id = person["anna"], person["maria"], person["account"].id
    gdpr.erase_contact(actor=anna, account_id=account_id, contact_id=maria.id)
    with pytest.raises(clients.ClientError) as refused:
        clients.update_contact(actor=anna, account_id=account_id, contact_id=maria.id,
                               draft=clients.ContactDraft(first_name="Maria", email=person["email"]))
    assert refused.value.key == "clients.error.erased"
    with pytest.raises(clients.ClientError):
        clients.set_link(actor=anna, account_id=account_id, contact_id=maria.id, login=True)
    assert clients.find_contacts(actor=anna, query="Gelöscht") == []
