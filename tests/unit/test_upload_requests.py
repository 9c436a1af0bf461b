"""Upload request links and the guest account: creating, sending, the public page's
checks, files arriving in the folder and the staff inbox, and who may do what."""

import asyncio
import dataclasses
import datetime as dt
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from portal import realtime, routes
from portal.api.upload_links import UploadLinkGate
from portal.domain.clock import utcnow
from portal.domain.enums import AccountKind, Role, SubjectKind, ThreadKind, ThreadStatus
from portal.domain.tokens import derive_token, hash_token
from portal.models import Assignment, ClientAccount, Document, Folder, Message, Outbox, Receipt, Thread, UploadRequest
from portal.services import conversations, db, documents, folders, magic_links, notifications, outbox, talks
from portal.services import upload_requests as ur
from portal.services.access import AccessDenied, NotFound
from portal.services.upload_requests import RequestError, RequestProblem, RequestStatus
from portal.services.uploads import UploadRefused
from portal.settings import get_settings
from portal.storage import get_store
from tests import factories

PDF = b"%PDF-1.4\n" + b"x" * 700
CLIENT = "198.51.100.23"


class RecordingSender:
    """Stands in for SMTP and keeps what it was asked to send."""

    def __init__(self):
        self.sent = []

    def send(self, email, *, mail_from):
        self.sent.append(email)


async def _chunks(data: bytes, size: int = 128):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def receive(token: str, data: bytes = PDF, name: str = "Kontoauszug.pdf", uploader: str = "Erika Muster"):
    return asyncio.run(ur.receive_upload(token=token, filename=name, chunks=_chunks(data), uploader_name=uploader))


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[-1]


def blob_count() -> int:
    root = get_settings().blob_root
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


@pytest.fixture
def office(fresh_db, monkeypatch):
    published = []
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: published.append(set(rooms)))
    factories.firm(name="Steuerkanzlei Berger")
    anna = factories.staff(name="Anna Schmidt")
    other = factories.staff(name="Otto Fremd")
    admin = factories.staff(role=Role.ADMIN, name="Katrin Berger")
    account = factories.client(name="Anfrage GmbH", accountants=(anna,))
    maria = factories.contact(account=account, first="Maria", last="Hofmann")
    uploads = next(c for c in ur.folder_choices(actor=factories.actor(anna), account_id=account.id)
                   if c.uploads_default)
    return {"anna": factories.actor(anna), "other": factories.actor(other), "admin": factories.actor(admin),
            "account": account, "maria": maria, "folder": uploads.id, "published": published}


def create(office, **kwargs):
    args = {"account_id": office["account"].id, "folder_id": office["folder"], "message": "Bitte Kontoauszüge 2026"}
    return ur.create_request(actor=office["anna"], **(args | kwargs))


def stored(request_id: int) -> UploadRequest:
    with db.session() as s:
        return s.get(UploadRequest, request_id)


# Creating


def test_create_defaults_to_30_days_and_stores_no_link(office):
    created = create(office)
    row = stored(created.id)
    today = utcnow().astimezone(ur.FIRM_TZ).date()
    assert ur.last_day(row) == today + timedelta(days=30)
    assert created.link.startswith(get_settings().base_url + "/u/") and not created.sent
    token = token_of(created.link)
    assert row.token_hash == hash_token(token) and token not in row.token_hash and token != row.token_salt
    assert ur.request_link(actor=office["anna"], request_id=created.id) == created.link  # copy again, same link
    [listed] = ur.list_requests(actor=office["anna"], account_id=office["account"].id)
    assert listed.status == RequestStatus.ACTIVE and listed.files == 0 and listed.created_by == "Anna Schmidt"
    assert listed.folder_name == folders.UPLOADS_FOLDER_NAME and listed.message == "Bitte Kontoauszüge 2026"


def test_the_list_shows_the_newest_links_a_step_at_a_time(office):
    ids = [create(office, message=f"Bitte {i}").id for i in range(3)]
    listed = ur.list_requests(actor=office["anna"], account_id=office["account"].id, limit=2)
    assert [r.id for r in listed] == [ids[2], ids[1]]


def test_links_differ_per_request_and_need_the_server_secret(office):
    first, second = create(office), create(office)
    assert first.link != second.link
    salt = stored(first.id).token_salt
    # The salt alone (a database dump) does not give the link: the secret is part of it.
    assert derive_token("another-secret-key-that-is-long-enough-0123", ur.TOKEN_PURPOSE, salt) != token_of(first.link)
    assert derive_token(get_settings().secret_key, ur.TOKEN_PURPOSE, salt) == token_of(first.link)


def test_expiry_is_the_end_of_the_chosen_day(office):
    day = utcnow().astimezone(ur.FIRM_TZ).date() + timedelta(days=3)
    row = stored(create(office, expires_on=day).id)
    assert ur.last_day(row) == day
    assert row.expires_at == dt.datetime.combine(day + timedelta(days=1), dt.time.min,
                                                 tzinfo=ur.FIRM_TZ).astimezone(dt.UTC)
    today = utcnow().astimezone(ur.FIRM_TZ).date()
    assert ur.last_day(stored(create(office, expires_on=today).id)) == today  # still works until midnight


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"message": "x" * 2001}, "request.error.message_too_long"),
    ({"expires_on": dt.date(2020, 1, 1)}, "request.error.expiry_past"),
    ({"expires_on": dt.date.today() + timedelta(days=400)}, "request.error.expiry_far"),
    ({"recipient_email": "nicht-gueltig"}, "request.error.email"),
    ({"recipient_email": "a@b.de\r\nBcc: x@y.de"}, "request.error.email"),
])
def test_bad_input_is_refused(office, kwargs, key):
    with pytest.raises(RequestError) as err:
        create(office, **kwargs)
    assert err.value.key == key
    with db.session() as s:
        assert s.exec(select(UploadRequest)).all() == []


def test_message_of_2000_characters_and_empty_message_are_fine(office):
    assert stored(create(office, message="x" * 2000).id).message == "x" * 2000
    assert stored(create(office, message="  ").id).message == ""


def test_folder_of_another_client_is_refused(office):
    other = factories.client(name="Andere KG")
    with db.session() as s:
        s.add(Assignment(staff_id=office["anna"].id, account_id=other.id))
        s.commit()
    foreign = ur.folder_choices(actor=office["anna"], account_id=other.id)[0].id
    with pytest.raises(NotFound):
        create(office, folder_id=foreign)


# Access


def test_accountant_of_another_client_is_refused_everywhere(office):
    created = create(office)
    other = office["other"]
    for call in (lambda: ur.create_request(actor=other, account_id=office["account"].id, folder_id=office["folder"],
                                           message=""),
                 lambda: ur.list_requests(actor=other, account_id=office["account"].id),
                 lambda: ur.folder_choices(actor=other, account_id=office["account"].id),
                 lambda: ur.recipient_choices(actor=other, account_id=office["account"].id),
                 lambda: ur.request_link(actor=other, request_id=created.id),
                 lambda: ur.send_request(actor=other, request_id=created.id, recipient_email="x@example.test"),
                 lambda: ur.edit_message(actor=other, request_id=created.id, message="Hallo"),
                 lambda: ur.revoke(actor=other, request_id=created.id)):
        with pytest.raises(NotFound):
            call()
    assert ur.list_requests(actor=office["admin"], account_id=office["account"].id)  # admins work every client


def test_client_users_may_not_use_the_staff_side(office):
    maria = factories.actor(office["maria"])
    created = create(office)
    with pytest.raises(AccessDenied):
        ur.list_requests(actor=maria, account_id=office["account"].id)
    with pytest.raises(AccessDenied):
        ur.request_link(actor=maria, request_id=created.id)
    with pytest.raises(AccessDenied):
        ur.ensure_guest_account(actor=maria)


# The guest account


def test_guest_account_is_one_per_firm_without_contacts_and_never_shared(office):
    public_id = ur.ensure_guest_account(actor=office["other"])
    assert ur.ensure_guest_account(actor=office["admin"]) == public_id
    with db.session() as s:
        [guest] = s.exec(select(ClientAccount).where(ClientAccount.kind == AccountKind.GUEST)).all()
        assert guest.name == "Gastkonto" and guest.public_id == public_id
        assert all(not f.shared for f in s.exec(select(Folder).where(Folder.account_id == guest.id)).all())
    # Any staff member works the guest account; creating a link there makes them hear about arrivals.
    choices = ur.folder_choices(actor=office["other"], account_id=guest.id)
    created = ur.create_request(actor=office["other"], account_id=guest.id, folder_id=choices[0].id, message="")
    with db.session() as s:
        assert s.get(Assignment, (office["other"].id, guest.id)) is not None
    with pytest.raises(folders.FolderError):
        folders.set_shared(actor=office["admin"], folder_id=choices[0].id, shared=True)
    with pytest.raises(folders.FolderError):
        folders.create_folder(actor=office["other"], account_id=guest.id, parent_id=None, name="Offen", shared=True)
    received = receive(token_of(created.link))
    # Only staff read what arrived.
    with db.session() as s:
        doc = s.get(Document, received.document_id)
    assert documents.readable_document(actor=office["other"], key=doc.blob_key).filename == received.filename
    with pytest.raises(NotFound):
        documents.readable_document(actor=factories.actor(office["maria"]), key=doc.blob_key)
    assert [t.account_name for t in conversations.inbox(actor=office["other"])] == ["Gastkonto"]


# Sending


def deliver():
    sender = RecordingSender()
    outbox.deliver_due(sender=sender, mail_from="portal@test", now=utcnow() + timedelta(seconds=1))
    return sender.sent


def test_email_goes_to_a_portal_user_in_their_language_with_the_link(office):
    with db.session() as s:
        contact = s.get(type(office["maria"]), office["maria"].id)
        contact.locale = "fr"
        s.add(contact)
        s.commit()
    [choice] = ur.recipient_choices(actor=office["anna"], account_id=office["account"].id)
    assert choice.name == "Maria Hofmann"
    created = create(office, recipient_email=choice.email)
    assert created.sent
    with db.session() as s:
        [row] = s.exec(select(Outbox).where(Outbox.template == ur.EMAIL_TEMPLATE)).all()
    assert created.link not in str(row.context) and token_of(created.link) not in str(row.context)
    [email] = deliver()
    assert email.to == choice.email and "Steuerkanzlei Berger" in email.subject
    assert created.link in email.text and created.link in email.html
    assert "Bitte Kontoauszüge 2026" in email.text and "Maria Hofmann" in email.text
    assert "Déposer des fichiers" in email.html  # the button, in French
    assert ur.last_day(stored(created.id)).strftime("%Y") in email.text
    assert stored(created.id).last_sent_at is not None


def test_resend_to_any_address_in_german(office):
    created = create(office)
    ur.send_request(actor=office["anna"], request_id=created.id, recipient_email="Steuer@Example.COM")
    assert stored(created.id).recipient_email == "Steuer@example.com"
    [email] = deliver()
    assert email.subject == "Steuerkanzlei Berger bittet Sie um Dateien" and created.link in email.text


def test_a_link_revoked_before_the_email_went_out_is_not_sent(office):
    created = create(office, recipient_email="x@example.test")
    ur.revoke(actor=office["anna"], request_id=created.id)
    assert deliver() == []
    with db.session() as s:
        assert s.exec(select(Outbox)).one().sent_at is not None  # settled, not retried


def test_inactive_links_cannot_be_sent_copied_or_edited(office):
    created = create(office)
    ur.revoke(actor=office["anna"], request_id=created.id)
    ur.revoke(actor=office["anna"], request_id=created.id)  # twice is fine
    for call in (lambda: ur.send_request(actor=office["anna"], request_id=created.id, recipient_email="x@example.test"),
                 lambda: ur.request_link(actor=office["anna"], request_id=created.id),
                 lambda: ur.edit_message(actor=office["anna"], request_id=created.id, message="neu")):
        with pytest.raises(RequestError) as err:
            call()
        assert err.value.key == "request.error.inactive"
    assert ur.list_requests(actor=office["anna"], account_id=office["account"].id)[0].status == RequestStatus.REVOKED


def test_edit_message_shows_on_the_page(office):
    created = create(office)
    ur.edit_message(actor=office["anna"], request_id=created.id, message="  Bitte auch die Lohnabrechnung  ")
    result = ur.open_request(token=token_of(created.link), client=CLIENT)
    assert result.request.message == "Bitte auch die Lohnabrechnung"
    assert result.request.firm_name == "Steuerkanzlei Berger"


# Opening


def expire(request_id: int) -> None:
    with db.session() as s:
        row = s.get(UploadRequest, request_id)
        row.expires_at = utcnow() - timedelta(minutes=1)
        s.add(row)
        s.commit()


def test_open_unknown_expired_revoked(office):
    created = create(office)
    token = token_of(created.link)
    assert ur.open_request(token=token, client=CLIENT).request is not None
    assert ur.open_request(token=token + "x", client=CLIENT).problem == RequestProblem.UNKNOWN
    expire(created.id)
    assert ur.open_request(token=token, client=CLIENT).problem == RequestProblem.EXPIRED
    ur.revoke(actor=office["anna"], request_id=created.id)
    assert ur.open_request(token=token, client=CLIENT).problem == RequestProblem.REVOKED


def test_guessing_is_limited_per_address_together_with_email_links(office):
    token = token_of(create(office).link)
    for i in range(magic_links.MAX_MISSES - 1):
        assert ur.open_request(token=f"guess-{i}", client=CLIENT).problem == RequestProblem.UNKNOWN
    # A wrong talk link from the same address spends the same budget.
    assert magic_links.open_talk_link(token="wrong", client=CLIENT).problem == magic_links.LinkProblem.UNKNOWN
    assert ur.open_request(token=token, client=CLIENT).problem == RequestProblem.LIMITED
    assert ur.open_request(token=token, client="198.51.100.99").request is not None


# Receiving files


def test_file_lands_in_the_folder_with_a_clean_name(office):
    created = create(office)
    received = receive(token_of(created.link), name="../../Konto\u202eauszug.pdf.exe")
    assert received.filename == "Kontoauszug.pdf.exe.pdf"
    with db.session() as s:
        doc = s.get(Document, received.document_id)
    assert doc.folder_id == office["folder"] and doc.upload_request_id == created.id
    assert doc.uploaded_by_kind == SubjectKind.GUEST and doc.uploaded_by_name == "Erika Muster"
    with get_store().open(doc.blob_key) as handle:
        assert handle.read() == PDF
    view = documents.browse(actor=office["anna"], account_id=office["account"].id, folder_id=office["folder"])
    assert [(d.filename, d.uploaded_by) for d in view.documents] == [("Kontoauszug.pdf.exe.pdf", "Erika Muster")]
    [listed] = ur.list_requests(actor=office["anna"], account_id=office["account"].id)
    assert listed.files == 1 and listed.last_upload_at is not None and listed.last_upload_at.tzinfo is not None


def test_files_in_a_shared_folder_follow_its_sharing(office):
    received = receive(token_of(create(office).link))  # the client's uploads folder is shared
    with db.session() as s:
        key = s.get(Document, received.document_id).blob_key
    maria = factories.actor(office["maria"])
    assert documents.readable_document(actor=maria, key=key).filename == received.filename
    intern = folders.create_folder(actor=office["anna"], account_id=office["account"].id, parent_id=None,
                                   name="Intern")
    hidden = receive(token_of(create(office, folder_id=intern).link), name="Intern.pdf")
    with db.session() as s:
        hidden_key = s.get(Document, hidden.document_id).blob_key
    with pytest.raises(NotFound):
        documents.readable_document(actor=maria, key=hidden_key)


@pytest.mark.parametrize(("data", "key"), [
    (b"MZ\x90\x00" + b"\x00" * 600, "upload.error.document_type"),
    (b"", "upload.error.empty"),
])
def test_refused_files_leave_no_blob_and_no_row(office, data, key):
    token = token_of(create(office).link)
    before = blob_count()
    with pytest.raises(UploadRefused) as err:
        receive(token, data=data)
    assert err.value.key in (key, "upload.error.type")
    assert blob_count() == before
    with db.session() as s:
        assert s.exec(select(Document)).all() == [] and s.exec(select(Message)).all() == []


def test_oversize_file_is_refused_while_streaming(office, monkeypatch):
    token = token_of(create(office).link)
    small = dataclasses.replace(get_settings(), max_upload_mb=1)
    monkeypatch.setattr("portal.services.uploads.get_settings", lambda: small)
    before = blob_count()
    with pytest.raises(UploadRefused) as err:
        receive(token, data=PDF + b"y" * (1024 * 1024))
    assert err.value.key == "upload.error.too_large" and blob_count() == before


def test_revoked_or_expired_links_take_nothing(office):
    created = create(office)
    token = token_of(created.link)
    ur.revoke(actor=office["anna"], request_id=created.id)
    with pytest.raises(UploadRefused) as err:
        receive(token)
    assert err.value.key == "request.error.closed"
    other = create(office)
    expire(other.id)
    with pytest.raises(UploadRefused):
        receive(token_of(other.link))
    with pytest.raises(NotFound):
        receive("unknown-token")
    with db.session() as s:
        assert s.exec(select(Document)).all() == []


def test_revoked_after_the_page_opened_refuses_before_the_row_is_written(office):
    created = create(office)
    token = token_of(created.link)
    before = blob_count()

    async def revoke_midway():
        async def chunks():
            yield PDF[:600]
            # Staff revoke the link while the file is still on its way.
            await asyncio.to_thread(ur.revoke, actor=office["anna"], request_id=created.id)
            yield PDF[600:]

        return await ur.receive_upload(token=token, filename="spät.pdf", chunks=chunks())

    with pytest.raises(UploadRefused) as err:
        asyncio.run(revoke_midway())
    assert err.value.key == "request.error.closed" and blob_count() == before
    with db.session() as s:
        assert s.exec(select(Document)).all() == []


def test_arrivals_reach_the_staff_inbox_and_never_client_users(office):
    created = create(office)
    token = token_of(created.link)
    maria = factories.actor(office["maria"])
    before = conversations.action_count(actor=office["anna"])
    receive(token, name="Auszug Januar.pdf")
    receive(token, name="Auszug Februar.pdf", uploader="")
    arrival_rooms = office["published"][-1]
    with db.session() as s:
        thread = s.get(Thread, stored(created.id).thread_id)
        messages = s.exec(select(Message).where(Message.thread_id == thread.id).order_by(Message.id)).all()
        receipts = s.exec(select(Receipt).where(Receipt.message_id.in_([m.id for m in messages]))).all()
        docs = s.exec(select(Document).order_by(Document.id)).all()
    assert thread.kind == ThreadKind.UPLOADS and thread.subject == "Bitte Kontoauszüge 2026"
    assert [m.author_kind for m in messages] == [SubjectKind.GUEST, SubjectKind.GUEST]
    assert [m.sender_name for m in messages] == ["Erika Muster", "Gast"]
    assert "Auszug Januar.pdf" in messages[0].body and folders.UPLOADS_FOLDER_NAME in messages[0].body
    assert [d.message_id for d in docs] == [m.id for m in messages]  # each file is its message's attachment
    assert {(r.recipient_kind, r.recipient_id) for r in receipts} == {("staff", 0)}
    [row] = conversations.inbox(actor=office["anna"])
    assert row.id == thread.id and row.needs_action and row.kind == ThreadKind.UPLOADS
    assert "Auszug Februar.pdf" in row.last_preview
    assert thread.last_message_at == row.last_at == messages[-1].created_at  # the inbox sorts by it
    assert conversations.action_count(actor=office["anna"]) == before + 1
    view = talks.thread_view(actor=office["anna"], thread_id=thread.id)
    assert [a.filename for m in view.messages for a in m.attachments] == ["Auszug Januar.pdf", "Auszug Februar.pdf"]
    # Client users see nothing of it: not in lists, counters or by id.
    assert conversations.list_for_client(actor=maria, view="all") == []
    assert conversations.action_count(actor=maria) == 0
    assert talks.open_items(actor=maria) == []
    with pytest.raises(NotFound):
        talks.thread_view(actor=maria, thread_id=thread.id)
    # The account's staff views, its accountant, the admins and the thread are told; no client
    # user's room, and no other accountant's.
    assert {realtime.thread_room(thread.id), realtime.account_room(office["account"].id),
            realtime.user_room("staff", office["anna"].id), realtime.FIRM_WIDE_ROOM} == arrival_rooms
    # Staff answering in the thread (a note) writes to nobody outside the firm.
    talks.post_message(actor=office["anna"], thread_id=thread.id, body="Erledigt, abgelegt.")
    assert conversations.action_count(actor=office["anna"]) == before
    with db.session() as s:
        note = s.exec(select(Message).order_by(Message.id.desc())).first()
        assert s.exec(select(Receipt).where(Receipt.message_id == note.id)).all() == []


def test_a_closed_arrivals_thread_opens_again_on_new_files(office):
    token = token_of(create(office).link)
    receive(token)
    [row] = conversations.inbox(actor=office["anna"])
    talks.close_talk(actor=office["anna"], thread_id=row.id)
    assert conversations.inbox(actor=office["anna"]) == []
    receive(token, name="Nachtrag.pdf")
    [again] = conversations.inbox(actor=office["anna"])
    assert again.id == row.id and again.status == ThreadStatus.OPEN and again.needs_action


def test_arrivals_notify_the_responsible_staff_by_batched_email(office):
    receive(token_of(create(office).link))
    with db.session() as s:
        [pending] = s.exec(select(Outbox).where(Outbox.template == notifications.STAFF_TEMPLATE)).all()
    assert pending.to.startswith("staff-") and pending.context["staff_id"] == office["anna"].id
    sender = RecordingSender()
    outbox.deliver_due(sender=sender, mail_from="portal@test", now=utcnow() + timedelta(hours=1))
    [email] = sender.sent
    assert "Anfrage GmbH" in email.text and routes.STAFF_INBOX in email.text


def test_subject_falls_back_to_the_folder_name(office):
    created = create(office, message="")
    receive(token_of(created.link))
    [row] = conversations.inbox(actor=office["anna"])
    assert row.subject == folders.UPLOADS_FOLDER_NAME


def test_folder_with_requests_cannot_be_deleted(office):
    choices = ur.folder_choices(actor=office["anna"], account_id=office["account"].id)
    folder_id = folders.create_folder(actor=office["anna"], account_id=office["account"].id, parent_id=None,
                                      name="Belege Dritte")
    assert len(ur.folder_choices(actor=office["anna"], account_id=office["account"].id)) == len(choices) + 1
    create(office, folder_id=folder_id)
    with pytest.raises(folders.FolderError) as err:
        folders.delete_folder(actor=office["anna"], folder_id=folder_id)
    assert err.value.key == "folder.error.has_requests"


# The /u/<token> gate in front of the Reflex page


@pytest.fixture
def gate():
    async def page(request):
        return PlainTextResponse("upload page", headers={"Cache-Control": "max-age=3600"})

    inner = Starlette(routes=[Route("/u/{token}", page), Route("/login", page)])
    return TestClient(UploadLinkGate(inner), client=(CLIENT, 1234))


def test_gate_lets_valid_links_through_privately(office, gate):
    created = create(office)
    response = gate.get(routes.upload_link(token_of(created.link)))
    assert response.status_code == 200 and response.text == "upload page"
    assert response.headers["cache-control"] == "no-store" and response.headers["referrer-policy"] == "no-referrer"
    assert gate.get("/login").headers["cache-control"] == "max-age=3600"  # other paths untouched


def test_gate_answers_404_for_unknown_and_410_for_revoked_or_expired(office, gate):
    created = create(office)
    token = token_of(created.link)
    unknown = gate.get("/u/no-such-token", headers={"accept-language": "en"})
    assert unknown.status_code == 404 and "Link not found" in unknown.text
    expire(created.id)
    expired = gate.get(routes.upload_link(token))
    assert expired.status_code == 410 and "Link abgelaufen" in expired.text
    ur.revoke(actor=office["anna"], request_id=created.id)
    revoked = gate.get(routes.upload_link(token), headers={"accept-language": "fr"})
    assert revoked.status_code == 410 and "Lien révoqué" in revoked.text
    assert revoked.headers["cache-control"] == "no-store"


def test_gate_rate_limits_guessing(office, gate):
    token = token_of(create(office).link)
    for i in range(magic_links.MAX_MISSES):
        assert gate.get(f"/u/guess{i}").status_code == 404
    assert gate.get(routes.upload_link(token)).status_code == 404


def test_built_api_carries_the_gate(office):
    from portal.api import build_api

    assert any(m.cls is UploadLinkGate for m in build_api().user_middleware)
    assert routes.upload_link_token("/u/abc") == "abc" and routes.upload_link_token("/u/abc/") == "abc"
    assert routes.upload_link_token("/u/") is None and routes.upload_link_token("/u/a/b") is None
    assert routes.upload_link_token("/upload") is None
