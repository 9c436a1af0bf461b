"""Data protection requests of a contact: access and portability (Art. 15/20 DSGVO) as a
ZIP of everything the portal holds about them, and erasure (Art. 17 DSGVO).

Erasure anonymises instead of deleting the row: the contact becomes "Gelöschter Kontakt"
without email, phone, address, password, sessions, devices or portal login; their
messages stay (the firm's correspondence) under that name; documents they uploaded that
the law still makes the firm keep (§147 AO, §257 HGB; Art. 17 Abs. 3 lit. b DSGVO) stay
and are marked, the others go to the trash and are destroyed by its purge.

Staff reach a contact through a client account they work. An accountant may act only on
a contact whose every account they work: the export would otherwise hand them another
client's messages, and the erasure would change another team's client.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import Session, select

from portal import realtime
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.datev import neutralise_formula
from portal.domain.enums import CustomFieldTarget, SubjectKind
from portal.domain.errors import UserError
from portal.models import (
    AccountContact,
    Answer,
    AuthSession,
    ClientAccount,
    Contact,
    CustomField,
    Document,
    Folder,
    LoginFailure,
    LoginToken,
    Message,
    Outbox,
    PushSubscription,
    Question,
    Questionnaire,
    Thread,
    UploadRequest,
)
from portal.services import access, clients, db, retention
from portal.storage import BlobNotFound, get_store

ERASED_NAME = "Gelöschter Kontakt"
CHUNK = 64 * 1024
MESSAGE_COLUMNS = ("id", "account", "thread", "thread_kind", "created_at", "edited_at", "deleted_at", "body")


class PrivacyError(UserError):
    """A data protection step that is not possible; ``key`` is the catalog key."""


def _contact_for(s: Session, actor: Actor, account_id: int, contact_id: int) -> tuple[Contact, list[ClientAccount]]:
    """The contact on the actor's account and every account it is linked to.

    Raises:
        NotFound: The actor does not work the account, or the contact is not on it.
        PrivacyError: An accountant who does not work every account of the contact.
    """
    access.require_staff(actor)
    account = access.staff_account(s, actor, account_id)
    if s.get(AccountContact, (account.id, contact_id)) is None:
        raise access.NotFound("contact")
    contact = s.get(Contact, contact_id)
    accounts = list(s.exec(select(ClientAccount).join(AccountContact, AccountContact.account_id == ClientAccount.id)
                           .where(AccountContact.contact_id == contact_id).order_by(ClientAccount.name)).all())
    if access.staff_account_ids(s, actor, accounts) != {a.id for a in accounts}:
        raise PrivacyError("privacy.error.other_accounts")
    return contact, accounts


def check_access(*, actor: Actor, account_id: int, contact_id: int) -> None:
    """Refuse an export or erasure the actor may not do (same rules as both).

    Raises:
        NotFound: Not a contact of a client the actor works.
        PrivacyError: The contact is also on clients the accountant does not work.
    """
    with db.session() as s:
        _contact_for(s, actor, account_id, contact_id)


def staff_account_id(*, actor: Actor, public_id: str) -> int:
    """The id of a client the staff actor works, from the id used in URLs.

    Raises:
        NotFound: Unknown, or not the actor's.
    """
    with db.session() as s:
        return access.staff_account_by_public_id(s, actor, public_id).id


# Export (Art. 15/20)


@dataclass(frozen=True)
class ContactExport:
    """What goes into a contact's ZIP: small files made now, stored documents streamed later."""

    filename: str
    files: tuple[tuple[str, bytes], ...]
    # (name in the ZIP, blob key)
    documents: tuple[tuple[str, str], ...]


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _unique(name: str, taken: set[str]) -> str:
    """``name`` or ``name (2).ext``... so two uploads of "Scan.pdf" both land in the ZIP."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
    taken.add(candidate.casefold())
    return candidate


def export_contact(*, actor: Actor, account_id: int, contact_id: int) -> ContactExport:
    """Everything the portal holds about a contact, for a ZIP (staff of all its clients).

    The ZIP holds ``profile.json`` (person, account links, devices), ``messages.json`` and
    ``messages.csv`` (what they wrote), ``sessions.json`` (login history and email
    links), ``answers.json`` (questionnaires), ``documents.json`` and the files they
    uploaded under ``documents/`` (also those in the trash).

    Raises:
        NotFound: Not a contact of a client the actor works.
        PrivacyError: The contact is also on clients the accountant does not work.
    """
    with db.session() as s:
        contact, accounts = _contact_for(s, actor, account_id, contact_id)
        names = {a.id: a.name for a in accounts}
        links = s.exec(select(AccountContact).where(AccountContact.contact_id == contact.id)).all()
        labels = {str(f.id): f.label for f in s.exec(select(CustomField).where(
            CustomField.target == CustomFieldTarget.CONTACT)).all()}
        devices = s.exec(select(PushSubscription).where(PushSubscription.subject_kind == SubjectKind.CONTACT,
                                                        PushSubscription.subject_id == contact.id)
                         .order_by(PushSubscription.id)).all()
        profile = {
            "exported_at": _iso(utcnow()),
            "contact": {
                "id": contact.id, "first_name": contact.first_name, "last_name": contact.last_name,
                "email": contact.email, "phone": contact.phone, "address": contact.address,
                "tags": list(contact.tags or ()),
                "custom_fields": {labels.get(k, k): v for k, v in (contact.custom_fields or {}).items()},
                "language": contact.locale, "timezone": contact.timezone, "email_notices": contact.email_notices,
                "created_at": _iso(contact.created_at), "invited_at": _iso(contact.invited_at),
                "activated_at": _iso(contact.activated_at), "erased_at": _iso(contact.erased_at),
            },
            "accounts": [{"account": names.get(link.account_id, ""), "login": link.login, "notify": link.notify,
                          "sync": link.sync, "full_access": link.full_access} for link in links],
            "push_devices": [{"device": d.device, "created_at": _iso(d.created_at),
                              "last_used_at": _iso(d.last_used_at)} for d in devices],
        }
        rows = s.exec(select(Message, Thread).join(Thread, Thread.id == Message.thread_id).where(
            Message.author_kind == SubjectKind.CONTACT, Message.author_id == contact.id)
            .order_by(Message.created_at, Message.id)).all()
        messages = [{"id": m.id, "account": names.get(t.account_id, ""), "thread": t.subject,
                     "thread_kind": t.kind, "created_at": _iso(m.created_at), "edited_at": _iso(m.edited_at),
                     "deleted_at": _iso(m.deleted_at), "body": m.body} for m, t in rows]
        sessions = {
            "sessions": [{"scope": r.scope, "created_at": _iso(r.created_at), "last_seen_at": _iso(r.last_seen_at),
                          "expires_at": _iso(r.expires_at), "revoked_at": _iso(r.revoked_at)}
                         for r in s.exec(select(AuthSession).where(
                             AuthSession.subject_kind == SubjectKind.CONTACT, AuthSession.subject_id == contact.id)
                             .order_by(AuthSession.created_at)).all()],
            "email_links": [{"purpose": r.scope, "created_at": _iso(r.created_at), "expires_at": _iso(r.expires_at),
                             "used_at": _iso(r.used_at), "revoked_at": _iso(r.revoked_at)}
                            for r in s.exec(select(LoginToken).where(
                                LoginToken.subject_kind == SubjectKind.CONTACT, LoginToken.subject_id == contact.id)
                                .order_by(LoginToken.created_at)).all()],
        }
        answers = [{"questionnaire": q.title, "question": question.text, "value": a.value,
                    "answered_at": _iso(a.answered_at)}
                   for a, question, q in s.exec(
                       select(Answer, Question, Questionnaire).join(Question, Question.id == Answer.question_id)
                       .join(Questionnaire, Questionnaire.id == Question.questionnaire_id)
                       .where(Answer.contact_id == contact.id).order_by(Answer.answered_at)).all()]
        docs = s.exec(select(Document).where(Document.uploaded_by_kind == SubjectKind.CONTACT,
                                             Document.uploaded_by_id == contact.id)
                      .order_by(Document.created_at, Document.id)).all()
        folder_names = dict(s.exec(select(Folder.id, Folder.name).where(
            Folder.id.in_({d.folder_id for d in docs if d.folder_id}))).all()) if docs else {}
        taken: set[str] = set()
        files: list[tuple[str, str]] = []
        index = []
        for doc in docs:
            name = "documents/" + _unique(doc.filename, taken)
            files.append((name, doc.blob_key))
            index.append({"file": name, "filename": doc.filename, "account": names.get(doc.account_id, ""),
                          "folder": folder_names.get(doc.folder_id, ""), "size": doc.size,
                          "content_type": doc.content_type, "sha256": doc.sha256, "uploaded_at": _iso(doc.created_at),
                          "in_trash": doc.trashed_at is not None})
    csv_text = io.StringIO()
    writer = csv.writer(csv_text, delimiter=";", lineterminator="\r\n")
    writer.writerow(MESSAGE_COLUMNS)
    for m in messages:
        writer.writerow([neutralise_formula(str(m[c] if m[c] is not None else "")) for c in MESSAGE_COLUMNS])
    stamp = utcnow().strftime("%Y-%m-%d")
    person = "-".join(filter(None, (contact.first_name, contact.last_name))) or f"kontakt-{contact.id}"
    return ContactExport(
        filename=f"Datenauskunft {person} {stamp}.zip",
        files=(("profile.json", _json(profile)), ("messages.json", _json(messages)),
               # BOM: Excel opens the semicolon CSV in UTF-8 only with it.
               ("messages.csv", ("\ufeff" + csv_text.getvalue()).encode("utf-8")),
               ("sessions.json", _json(sessions)), ("answers.json", _json(answers)),
               ("documents.json", _json(index))),
        documents=tuple(files),
    )


class _Sink(io.RawIOBase):
    """A write-only, unseekable buffer the ZIP writer fills and the stream empties."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def zip_stream(export: ContactExport) -> Iterator[bytes]:
    """The export as ZIP bytes, piece by piece: stored files are read a chunk at a time,
    so a contact with gigabytes of uploads never sits in memory.

    A file that is gone from the store (listed in ``documents.json`` still) is left out
    rather than breaking the download halfway.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in export.files:
            archive.writestr(name, data)
            if chunk := sink.take():
                yield chunk
        for name, key in export.documents:
            try:
                source = get_store().open(key)
            except BlobNotFound:
                continue
            with source, archive.open(name, "w", force_zip64=True) as target:
                while block := source.read(CHUNK):
                    target.write(block)
                    if chunk := sink.take():
                        yield chunk
    if chunk := sink.take():
        yield chunk


# Erasure (Art. 17)


@dataclass(frozen=True)
class ErasureResult:
    """What the erasure did with the contact's records."""

    messages: int
    kept_documents: int
    trashed_documents: int


def erase_contact(*, actor: Actor, account_id: int, contact_id: int) -> ErasureResult:
    """Erase a contact's personal data (staff of all its clients); cannot be undone.

    Raises:
        NotFound: Not a contact of a client the actor works.
        PrivacyError: Already erased, or the contact is also on clients the accountant
            does not work.
    """
    now = utcnow()
    with db.session() as s:
        contact, accounts = _contact_for(s, actor, account_id, contact_id)
        if contact.erased_at is not None:
            raise PrivacyError("privacy.error.erased")
        email = contact.email
        contact.first_name, contact.last_name = ERASED_NAME, ""
        contact.email, contact.phone, contact.address = None, "", ""
        contact.tags, contact.custom_fields = [], {}
        contact.password_hash, contact.invited_at, contact.activated_at = None, None, None
        contact.locale, contact.timezone, contact.email_notices = "", "", False
        contact.erased_at = now
        s.add(contact)
        # Login off everywhere, which also refuses any session or email link that survived.
        s.exec(update(AccountContact).where(AccountContact.contact_id == contact.id)
               .values(login=False, notify=False, sync=False))
        for model in (AuthSession, LoginToken, PushSubscription):
            s.exec(delete(model).where(model.subject_kind == SubjectKind.CONTACT, model.subject_id == contact.id))
        if email:
            s.exec(delete(LoginFailure).where(LoginFailure.email == email))
            # Queued and sent emails to them (the outbox view would show the address).
            s.exec(delete(Outbox).where(Outbox.to == email))
            s.exec(update(UploadRequest).where(UploadRequest.recipient_email == email).values(recipient_email=""))
        messages = s.exec(update(Message).where(Message.author_kind == SubjectKind.CONTACT,
                                                Message.author_id == contact.id)
                          .values(sender_name=ERASED_NAME)).rowcount
        docs = s.exec(select(Document).where(Document.uploaded_by_kind == SubjectKind.CONTACT,
                                             Document.uploaded_by_id == contact.id)).all()
        configured = retention.periods()
        kept = [d for d in docs if retention.is_retained(d, now, configured)]
        for doc in kept:
            doc.kept_after_erasure_at = now
            s.add(doc)
        kept_ids = {d.id for d in kept}
        trashed = [d for d in docs if d.id not in kept_ids and d.trashed_at is None]
        retention.trash_documents(s, trashed, by=actor.id, now=now)
        s.flush()
        for account in accounts:
            clients.refresh_status(s, account)
        s.commit()
    realtime.publish({realtime.STAFF_CLIENTS_ROOM, realtime.user_room(SubjectKind.CONTACT, contact_id),
                      *(realtime.account_room(a.id) for a in accounts)})
    return ErasureResult(messages=messages, kept_documents=len(kept), trashed_documents=len(trashed))
