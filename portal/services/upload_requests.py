"""Upload request links ("Dateien anfordern") and the firm's guest account.

Staff ask for files with a link to a public upload page (``/u/<token>``) that drops
files into one folder of one client account and shows nothing of that folder.

The token is derived from a stored salt and the server secret
(:func:`portal.domain.tokens.derive_token`): staff can copy a link again at any time,
while the database alone (salt and the token's hash) opens nothing. Emails are composed
when the outbox sends them, so the outbox holds no link either, and a link revoked
meanwhile is not sent.

The public side finds a request by the token's hash, counts unknown tokens against
the caller's address like email links do, and answers revoked or expired links with a
problem instead of an upload page. A file that arrives becomes a document in the
request's folder and a guest's message in a staff-only thread per request, which the
staff inbox shows like a client's answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from portal import realtime, routes
from portal.domain.actor import Actor
from portal.domain.addresses import clean_address
from portal.domain.clock import utcnow
from portal.domain.enums import AccountKind, AccountStatus, Audience, SubjectKind, ThreadKind, ThreadStatus
from portal.domain.errors import UserError
from portal.domain.files import DOCUMENT_TYPES
from portal.domain.talks import FIRM_RECIPIENT, MAX_SENDER_NAME_CHARS
from portal.domain.text import clean_block, clean_line
from portal.domain.tokens import derive_token, hash_token, new_token
from portal.i18n import DEFAULT_LOCALE, normalize_locale, translate
from portal.i18n import format as fmt
from portal.models import (
    AccountContact,
    Assignment,
    ClientAccount,
    Contact,
    Document,
    Firm,
    Folder,
    Outbox,
    StaffUser,
    Thread,
    UploadRequest,
)
from portal.notify import emails
from portal.services import access, db, folders, magic_links, talks
from portal.services.uploads import StoredUpload, UploadRefused, save_upload
from portal.settings import get_settings

TOKEN_PURPOSE = "upload-request:"
DEFAULT_VALID_DAYS = 30
MAX_VALID_DAYS = 366
MAX_MESSAGE_CHARS = 2000
MAX_SUBJECT_CHARS = 120
GUEST_ACCOUNT_NAME = "Gastkonto"
EMAIL_TEMPLATE = "upload_request"
# Links per step of a client's list ("load more" asks for the next step).
PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
# Links are valid through the whole chosen day where the firm works.
FIRM_TZ = ZoneInfo(fmt.DEFAULT_TIMEZONE)


class RequestError(UserError):
    """Refused input or step; ``key`` is the catalog key of the message to show."""


class RequestStatus(StrEnum):
    """Where a request link stands."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class RequestProblem(StrEnum):
    """Why a link shows no upload page: unknown and limited answer 404, the others 410."""

    UNKNOWN = "unknown"
    LIMITED = "limited"  # too many wrong tokens from this address
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class FolderChoice:
    """A folder a request may upload into, with its path for the select."""

    id: int
    label: str
    uploads_default: bool


@dataclass(frozen=True)
class RecipientChoice:
    """A portal user of the account the link can be emailed to."""

    email: str
    name: str


@dataclass(frozen=True)
class RequestRow:
    """One request in the staff list."""

    id: int
    folder_name: str
    message: str
    status: RequestStatus
    recipient_email: str
    expires_on: dt.date | None
    created_at: dt.datetime
    created_by: str
    files: int
    last_upload_at: dt.datetime | None
    last_sent_at: dt.datetime | None


@dataclass(frozen=True)
class CreatedRequest:
    """A new request: its id, the link to hand out, and whether it went out by email."""

    id: int
    link: str
    sent: bool


@dataclass(frozen=True)
class PublicRequest:
    """What the upload page shows: who asks, what for, until when."""

    firm_name: str
    message: str
    expires_on: dt.date | None


@dataclass(frozen=True)
class OpenResult:
    """Outcome of opening a link: the page's content, or the problem."""

    request: PublicRequest | None = None
    problem: RequestProblem | None = None


@dataclass(frozen=True)
class ReceivedFile:
    """A file that arrived through a link."""

    document_id: int
    filename: str
    size: int


# Rules


def link_for(row: UploadRequest) -> str:
    """The absolute link of a request (derived again, never stored)."""
    token = derive_token(get_settings().secret_key, TOKEN_PURPOSE, row.token_salt)
    return get_settings().base_url + routes.upload_link(token)


def status_of(row: UploadRequest, now: dt.datetime) -> RequestStatus:
    """Active, expired or revoked (revoked wins: it was a decision)."""
    if row.revoked_at is not None:
        return RequestStatus.REVOKED
    if row.expires_at is not None and row.expires_at <= now:
        return RequestStatus.EXPIRED
    return RequestStatus.ACTIVE


def last_day(row: UploadRequest) -> dt.date | None:
    """The last day the link works, as people say it ("valid until 31.12.2026"); None: no end."""
    if row.expires_at is None:
        return None
    return (row.expires_at.astimezone(FIRM_TZ) - dt.timedelta(seconds=1)).date()


def default_expiry_date(now: dt.datetime | None = None) -> dt.date:
    """The last day a new link works when staff choose none: 30 days from today."""
    return (now or utcnow()).astimezone(FIRM_TZ).date() + dt.timedelta(days=DEFAULT_VALID_DAYS)


def _expires_at(expires_on: dt.date | None, now: dt.datetime) -> dt.datetime:
    """End of the chosen day in the firm's time zone, as UTC.

    Raises:
        RequestError: The day is over already, or more than a year ahead.
    """
    day = expires_on or default_expiry_date(now)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=FIRM_TZ).astimezone(dt.UTC)
    if end <= now:
        raise RequestError("request.error.expiry_past")
    if end - now > dt.timedelta(days=MAX_VALID_DAYS + 1):
        raise RequestError("request.error.expiry_far")
    return end


def _clean_message(message: str) -> str:
    cleaned = clean_block(message)
    if len(cleaned) > MAX_MESSAGE_CHARS:
        raise RequestError("request.error.message_too_long")
    return cleaned


def _clean_recipient(address: str) -> str:
    cleaned = clean_address(address)
    if cleaned is None:
        raise RequestError("request.error.email")
    return cleaned


def _clean_uploader_name(name: str) -> str:
    # Shown to staff as the sender: no control or direction characters, one line.
    return clean_line(name)[:MAX_SENDER_NAME_CHARS]


# Staff side


def _staff_request(s: Session, actor: Actor, request_id: int) -> UploadRequest:
    row = s.get(UploadRequest, request_id)
    if row is None:
        raise access.NotFound("upload request")
    access.staff_account(s, actor, row.account_id)
    return row


def _active(row: UploadRequest) -> UploadRequest:
    if status_of(row, utcnow()) != RequestStatus.ACTIVE:
        raise RequestError("request.error.inactive")
    return row


def folder_choices(*, actor: Actor, account_id: int) -> list[FolderChoice]:
    """The account's folders as paths, in tree order (staff working the account).

    Raises:
        NotFound: If the actor does not work the account.
    """
    access.require_staff(actor)
    with db.session() as s:
        nodes = folders.tree(s, actor, account_id)
        s.commit()  # folders are created from the template on first look
    by_id = {n.id: n for n in nodes}
    choices = []
    for node in nodes:
        parts, cursor = [], node
        while cursor is not None:
            parts.insert(0, cursor.name)
            cursor = by_id.get(cursor.parent_id) if cursor.parent_id is not None else None
        choices.append(FolderChoice(id=node.id, label=" / ".join(parts), uploads_default=node.uploads_default))
    return choices


def recipient_choices(*, actor: Actor, account_id: int) -> list[RecipientChoice]:
    """The account's portal users with an email address (staff working the account).

    Raises:
        NotFound: If the actor does not work the account.
    """
    with db.session() as s:
        access.staff_account(s, actor, account_id)
        contacts = s.exec(
            select(Contact).join(AccountContact, AccountContact.contact_id == Contact.id)
            .where(AccountContact.account_id == account_id, AccountContact.login == True,  # noqa: E712
                   Contact.email.is_not(None))
            .order_by(Contact.last_name, Contact.first_name)).all()
        return [RecipientChoice(email=c.email, name=f"{c.first_name} {c.last_name}".strip() or c.email)
                for c in contacts]


def create_request(*, actor: Actor, account_id: int, folder_id: int, message: str,
                   expires_on: dt.date | None = None, recipient_email: str = "") -> CreatedRequest:
    """Create a request link for a folder; with a recipient it is emailed at once.

    On the guest account the creator becomes one of its workers, so arrivals reach
    their inbox and their email notices.

    Args:
        actor: Staff working the account.
        account_id: The account whose folder receives the files.
        folder_id: The folder.
        message: What is asked for (up to 2000 characters; may be empty).
        expires_on: The last day the link works; default 30 days from today.
        recipient_email: A portal user's or any address; empty to hand the link out by hand.

    Raises:
        RequestError: Too long message, expiry in the past or over a year ahead, bad address.
        NotFound: Not the actor's account, or the folder is not the account's.
    """
    message = _clean_message(message)
    recipient = _clean_recipient(recipient_email) if recipient_email.strip() else ""
    now = utcnow()
    expires_at = _expires_at(expires_on, now)
    with db.session() as s:
        account = access.staff_account(s, actor, account_id)
        folder = s.get(Folder, folder_id)
        if folder is None or folder.account_id != account_id:
            raise access.NotFound("folder")
        salt = new_token()
        row = UploadRequest(account_id=account_id, folder_id=folder_id, message=message,
                            token_hash=hash_token(derive_token(get_settings().secret_key, TOKEN_PURPOSE, salt)),
                            token_salt=salt, recipient_email=recipient, expires_at=expires_at, created_by=actor.id,
                            created_at=now)
        s.add(row)
        s.flush()
        if account.kind == AccountKind.GUEST and s.get(Assignment, (actor.id, account_id)) is None:
            s.add(Assignment(staff_id=actor.id, account_id=account_id))
        if recipient:
            _queue_email(s, row, recipient, now)
        s.commit()
        created = CreatedRequest(id=row.id, link=link_for(row), sent=bool(recipient))
    realtime.publish({realtime.account_room(account_id)})
    return created


def send_request(*, actor: Actor, request_id: int, recipient_email: str) -> None:
    """Email an active link (again), to its recipient or another address.

    Raises:
        RequestError: Bad address, or the link is expired or revoked.
        NotFound: Not the actor's request.
    """
    recipient = _clean_recipient(recipient_email)
    now = utcnow()
    with db.session() as s:
        row = _active(_staff_request(s, actor, request_id))
        row.recipient_email = recipient
        _queue_email(s, row, recipient, now)
        s.add(row)
        s.commit()
        account_id = row.account_id
    realtime.publish({realtime.account_room(account_id)})


def request_link(*, actor: Actor, request_id: int) -> str:
    """The link of an active request, to copy (staff working the account).

    Raises:
        RequestError: The link is expired or revoked.
        NotFound: Not the actor's request.
    """
    with db.session() as s:
        return link_for(_active(_staff_request(s, actor, request_id)))


def edit_message(*, actor: Actor, request_id: int, message: str) -> None:
    """Change what an active request asks for; the page shows it at once.

    Raises:
        RequestError: Too long, or the link is expired or revoked.
        NotFound: Not the actor's request.
    """
    message = _clean_message(message)
    with db.session() as s:
        row = _active(_staff_request(s, actor, request_id))
        row.message = message
        s.add(row)
        s.commit()
        account_id = row.account_id
    realtime.publish({realtime.account_room(account_id)})


def revoke(*, actor: Actor, request_id: int) -> None:
    """Stop a link: its page says so, and uploads under way are refused before they are recorded.

    Raises:
        NotFound: Not the actor's request.
    """
    with db.session() as s:
        row = _staff_request(s, actor, request_id)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            s.add(row)
            s.commit()
        account_id = row.account_id
    realtime.publish({realtime.account_room(account_id)})


def list_requests(*, actor: Actor, account_id: int, limit: int = PAGE_SIZE) -> list[RequestRow]:
    """The account's request links, newest first, with what arrived through each.

    Args:
        actor: Staff working the account.
        account_id: The account.
        limit: Most links returned (the list pages by asking for more).

    Raises:
        NotFound: If the actor does not work the account.
    """
    now = utcnow()
    with db.session() as s:
        access.staff_account(s, actor, account_id)
        rows = s.exec(select(UploadRequest).where(UploadRequest.account_id == account_id)
                      .order_by(UploadRequest.created_at.desc(), UploadRequest.id.desc())
                      .limit(max(1, min(limit, MAX_PAGE_SIZE)))).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        arrivals = {request_id: (count, last) for request_id, count, last in s.exec(
            select(Document.upload_request_id, func.count(), func.max(Document.created_at))
            .where(Document.upload_request_id.in_(ids)).group_by(Document.upload_request_id)).all()}
        folder_names = dict(s.exec(select(Folder.id, Folder.name).where(
            Folder.id.in_({r.folder_id for r in rows}))).all())
        staff_names = dict(s.exec(select(StaffUser.id, StaffUser.name).where(
            StaffUser.id.in_({r.created_by for r in rows}))).all())
        return [RequestRow(id=r.id, folder_name=folder_names.get(r.folder_id, ""),
                           message=r.message, status=status_of(r, now), recipient_email=r.recipient_email,
                           expires_on=last_day(r), created_at=r.created_at,
                           created_by=staff_names.get(r.created_by, ""), files=arrivals.get(r.id, (0, None))[0],
                           last_upload_at=arrivals.get(r.id, (0, None))[1], last_sent_at=r.last_sent_at)
                for r in rows]


def ensure_guest_account(*, actor: Actor) -> str:
    """The firm's guest account, created on first use: no contacts, folders never shared.

    Anyone holding one of its request links can upload; only staff see what arrived.

    Returns:
        Its public id (for the staff URL).

    Raises:
        AccessDenied: If the actor is not staff.
    """
    access.require_staff(actor)
    with db.session() as s:
        # FOR UPDATE on the firm row: two staff clicking at once must not create two guest accounts.
        s.exec(select(Firm).with_for_update()).first()
        account = s.exec(select(ClientAccount).where(ClientAccount.kind == AccountKind.GUEST)
                         .order_by(ClientAccount.id)).first()
        if account is None:
            account = ClientAccount(kind=AccountKind.GUEST, name=GUEST_ACCOUNT_NAME, status=AccountStatus.ACTIVE)
            s.add(account)
            s.flush()
            folders.ensure_folders(s, account)
            s.commit()
        return account.public_id


# Email


def _queue_email(s: Session, row: UploadRequest, to: str, now: dt.datetime) -> None:
    """Queue the link's email; only the request id is stored, the link is derived when sent."""
    contact = s.exec(select(Contact).where(func.lower(Contact.email) == to.lower())).first()
    locale = normalize_locale(contact.locale) if contact else DEFAULT_LOCALE
    name = f"{contact.first_name} {contact.last_name}".strip() if contact else ""
    s.add(Outbox(to=to, template=EMAIL_TEMPLATE, context={"request_id": row.id, "locale": locale, "name": name},
                 created_at=now, not_before=now, next_attempt_at=now))
    row.last_sent_at = now
    s.add(row)


def compose_email(row: Outbox) -> emails.Email | None:
    """The email of a queued link, or None when the link was revoked or expired meanwhile."""
    with db.session() as s:
        request = s.get(UploadRequest, row.context["request_id"])
        if request is None or status_of(request, utcnow()) != RequestStatus.ACTIVE:
            return None
        firm = s.exec(select(Firm)).first()
    locale = row.context.get("locale", DEFAULT_LOCALE)
    day = last_day(request)
    return emails.upload_request(to=row.to, locale=locale, name=row.context.get("name", ""),
                                 firm_name=firm.name if firm else "", message=request.message,
                                 link=link_for(request), expires=fmt.date(day, locale) if day else "")


# Public side


def open_request(*, token: str, client: str) -> OpenResult:
    """What the upload page for ``token`` shows, or why it shows none.

    The token is looked up by its hash, and unknown tokens count against the caller's
    address in the same budget as email links.

    Args:
        token: The token from the URL.
        client: The requester's address, for the guessing limit.
    """
    now = utcnow()
    with db.session() as s:
        if magic_links.guessing_limited(s, client, now):
            return OpenResult(problem=RequestProblem.LIMITED)
        row = s.exec(select(UploadRequest).where(UploadRequest.token_hash == hash_token(token))).first()
        if row is None:
            magic_links.record_miss(s, client, now)
            s.commit()
            return OpenResult(problem=RequestProblem.UNKNOWN)
        status = status_of(row, now)
        if status != RequestStatus.ACTIVE:
            return OpenResult(problem=RequestProblem(status.value))
        firm = s.exec(select(Firm)).first()
        return OpenResult(request=PublicRequest(firm_name=firm.name if firm else "", message=row.message,
                                                expires_on=last_day(row)))


def _active_by_token(s: Session, token: str, *, lock: bool = False) -> UploadRequest:
    query = select(UploadRequest).where(UploadRequest.token_hash == hash_token(token))
    row = s.exec(query.with_for_update() if lock else query).first()
    if row is None:
        raise access.NotFound("upload request")
    if status_of(row, utcnow()) != RequestStatus.ACTIVE:
        raise UploadRefused("request.error.closed")
    return row


def _check_token(token: str) -> None:
    with db.session() as s:
        _active_by_token(s, token)


async def receive_upload(*, token: str, filename: str, chunks: AsyncIterator[bytes],
                         uploader_name: str = "") -> ReceivedFile:
    """Store a file sent through a link in the request's folder and tell the firm.

    The link is checked before the first byte is stored and again, locked, before the
    rows are written, so a link revoked or expired meanwhile records nothing (the blob
    is deleted again). The file shows up in the staff inbox as a guest's message in the
    request's thread, opened on the first arrival and reopened if staff had closed it.

    Args:
        token: The link's token, as the server holds it for this page (never a value
            the browser may change).
        filename: The name the browser sent (cleaned).
        chunks: The file's bytes as they arrive.
        uploader_name: What the uploader typed into "Ihr Name" (may be empty).

    Raises:
        UploadRefused: Too large, empty, a type documents do not take, or the link no
            longer takes files (``request.error.closed``).
        NotFound: Unknown token.
    """
    await asyncio.to_thread(_check_token, token)
    name = _clean_uploader_name(uploader_name)
    published: list[set[str]] = []

    def write(upload: StoredUpload) -> ReceivedFile:
        with db.session() as s:
            row = _active_by_token(s, token, lock=True)
            folder = s.get(Folder, row.folder_id)
            thread = _arrivals_thread(s, row, folder)
            message = talks.record_message(
                s, thread, author_kind=SubjectKind.GUEST, author_id=row.id,
                sender_name=name or translate(DEFAULT_LOCALE, "request.thread.guest"),
                body=translate(DEFAULT_LOCALE, "request.thread.arrived", folder=folder.name, filename=upload.filename),
                recipients=[FIRM_RECIPIENT])
            doc = Document(account_id=row.account_id, folder_id=row.folder_id, blob_key=upload.key,
                           filename=upload.filename, size=upload.size, content_type=upload.content_type,
                           sha256=upload.sha256, uploaded_by_kind=SubjectKind.GUEST, uploaded_by_name=name,
                           message_id=message.id, upload_request_id=row.id)
            s.add(doc)
            published.append(talks.rooms_for(s, [thread]))
            s.commit()
            return ReceivedFile(document_id=doc.id, filename=doc.filename, size=doc.size)

    received = await save_upload(chunks, filename=filename, allowed=DOCUMENT_TYPES, write=write)
    realtime.publish(published[0])
    return received


def _arrivals_thread(s: Session, row: UploadRequest, folder: Folder) -> Thread:
    """The request's staff-only thread: created on the first arrival, reopened after a close."""
    thread = s.get(Thread, row.thread_id) if row.thread_id else None
    if thread is None:
        first_line = row.message.strip().splitlines()[0] if row.message.strip() else ""
        subject = first_line[:MAX_SUBJECT_CHARS] or folder.name
        thread = Thread(account_id=row.account_id, kind=ThreadKind.UPLOADS, subject=subject, audience=Audience.ALL,
                        started_by_side=SubjectKind.GUEST)
        s.add(thread)
        s.flush()
        row.thread_id = thread.id
        s.add(row)
    elif thread.status != ThreadStatus.OPEN:
        # New files need a look again, as a client's answer would.
        thread.status, thread.closed_at, thread.closed_by = ThreadStatus.OPEN, None, None
        s.add(thread)
    return thread
