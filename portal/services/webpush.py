"""Web Push: the installation's VAPID key, users' devices, and notices about new messages.

A notice says only that something new is waiting and where (the firm's name, "new
message about your booking of 03.11.2026" or the conversation's subject, and the
portal link); the message text stays in the portal. Payloads are encrypted for the
device (RFC 8291), so the browser vendor's push service cannot read them either.

Dispatch: :func:`talks.add_message` hands its pushes to :func:`send_after_commit`,
which keeps them on the database session. Only when that session commits are they
passed to a small module-level thread pool that talks to the push services; a
rollback drops them. So a push never announces a message that was not stored, never
runs inside the transaction, and never holds up the event handler that wrote the
message. The pool is in-process and best effort: pushes queued when a worker stops
are lost, which is acceptable because the batched email remains the durable channel.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from sqlalchemy import and_, delete, event, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal import routes
from portal.domain import push
from portal.domain.actor import Actor
from portal.domain.clock import utcnow
from portal.domain.enums import SubjectKind, ThreadKind
from portal.domain.errors import UserError
from portal.i18n import format as fmt
from portal.i18n import translate
from portal.models import (
    AccountContact,
    Booking,
    ClientAccount,
    Contact,
    Firm,
    Message,
    PushSubscription,
    ServerKey,
    Thread,
)
from portal.services import access, db
from portal.settings import get_settings

log = logging.getLogger("portal.webpush")

VAPID_KEY = "vapid"  # ServerKey.name of the PEM private key
# A notice older than a day is stale: the email has told the user by then.
TTL_SECONDS = 24 * 3600
# (connect, read): a slow push service must not tie up the pool for long.
TIMEOUT = (5, 10)
# Pushes sent per message are bounded, and so is what a user can store.
MAX_DEVICES = 20
FALLBACK_TITLE = "Kanzleiportal"
_PENDING = "webpush.pending"  # Session.info key

# Two threads: sending is network-bound, and messages are rare enough that two
# push services answering slowly at once is the worst case worth planning for.
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="webpush")


class PushError(UserError):
    """A subscription the browser sent is refused; ``key`` is the catalog key."""


@dataclass(frozen=True)
class Device:
    """One of the user's devices that receive pushes."""

    id: int
    device: str
    endpoint: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class Push:
    """One notice, already in its recipients' language."""

    recipients: tuple[tuple[str, int], ...]
    title: str
    body: str
    url: str
    tag: str


# Keys


def public_key() -> str:
    """The VAPID public key, as the browser's ``applicationServerKey``.

    Returns:
        The uncompressed P-256 point, URL-safe base64 without padding.
    """
    point = _vapid().public_key.public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
    return push.b64url_encode(point)


def _vapid() -> Vapid:
    # Read on every use rather than cached: one primary-key lookup per batch, and
    # every worker agrees on the key even after an operator replaced it.
    key = serialization.load_pem_private_key(_stored_key().encode("ascii"), password=None)
    return Vapid(private_key=key)


def _stored_key() -> str:
    """The installation's VAPID private key (PEM), created on first use."""
    with db.session() as s:
        row = s.get(ServerKey, VAPID_KEY)
        if row is not None:
            return row.value
    pem = _new_private_pem()
    with db.session() as s:
        s.add(ServerKey(name=VAPID_KEY, value=pem))
        try:
            s.commit()
            return pem
        except IntegrityError:
            # Another worker stored its key first; everybody uses that one, or
            # devices subscribed through one worker would be refused by the other.
            s.rollback()
    with db.session() as s:
        return s.get(ServerKey, VAPID_KEY).value


def _new_private_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


# Devices


def subscribe(*, actor: Actor, endpoint: str, p256dh: str, auth: str, device: str) -> int:
    """Store this browser's push subscription for the actor.

    The endpoint identifies the browser profile: subscribing it again updates its
    keys, and when another user logs in on the same browser and subscribes, the
    endpoint moves to them (the previous user stops getting pushes there).

    Args:
        actor: A user with a password login.
        endpoint: The push service URL from ``PushSubscription.endpoint``.
        p256dh: The browser's public key (base64url).
        auth: The authentication secret (base64url).
        device: A label for the device list.

    Returns:
        The subscription's id.

    Raises:
        PushError: For an endpoint or keys that cannot be valid.
        AccessDenied: For a session opened by an email link.
    """
    access.require_full_login(actor)
    # A local stand-in for the push service runs on http://127.0.0.1 in development and tests.
    problem = (push.endpoint_problem(endpoint, allow_loopback_http=get_settings().env != "production")
               or push.key_problem(p256dh, auth))
    if problem:
        log.info("Refused a push subscription of %s %s: %s", actor.kind.value, actor.id, problem)
        raise PushError("push.error.subscription")
    try:
        return _upsert(actor, endpoint, p256dh, auth, push.clean_label(device))
    except IntegrityError:
        # The same browser subscribed twice at once (a double click): the other
        # request inserted the row, this one updates it.
        return _upsert(actor, endpoint, p256dh, auth, push.clean_label(device))


def _upsert(actor: Actor, endpoint: str, p256dh: str, auth: str, device: str) -> int:
    with db.session() as s:
        row = s.exec(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()
        if row is None or (row.subject_kind, row.subject_id) != (actor.kind.value, actor.id):
            if row is None:
                row = PushSubscription(endpoint=endpoint, subject_kind=actor.kind.value, subject_id=actor.id,
                                       p256dh=p256dh, auth=auth)
            # New to this user: it is listed as added now, not when someone else added it.
            row.created_at, row.last_used_at = utcnow(), None
        row.subject_kind, row.subject_id = actor.kind.value, actor.id
        row.p256dh, row.auth, row.device = p256dh, auth, device
        s.add(row)
        s.flush()
        _drop_surplus(s, actor, keep=row.id)
        s.commit()
        return row.id


def _drop_surplus(s: Session, actor: Actor, keep: int) -> None:
    """Beyond :data:`MAX_DEVICES`, the devices unused for longest go."""
    rows = s.exec(_own(actor)).all()
    if len(rows) <= MAX_DEVICES:
        return
    rows = sorted(rows, key=lambda r: (r.id == keep, r.last_used_at or r.created_at), reverse=True)
    s.exec(delete(PushSubscription).where(PushSubscription.id.in_([r.id for r in rows[MAX_DEVICES:]])))


def unsubscribe(*, actor: Actor, subscription_id: int) -> None:
    """Remove one of the actor's devices.

    Raises:
        NotFound: If it does not exist or belongs to someone else.
        AccessDenied: For a session opened by an email link.
    """
    access.require_full_login(actor)
    with db.session() as s:
        row = s.get(PushSubscription, subscription_id)
        if row is None or (row.subject_kind, row.subject_id) != (actor.kind.value, actor.id):
            raise access.NotFound("push_subscription")
        s.delete(row)
        s.commit()


def list_devices(*, actor: Actor) -> list[Device]:
    """The actor's devices, newest first.

    Raises:
        AccessDenied: For a session opened by an email link.
    """
    access.require_full_login(actor)
    with db.session() as s:
        rows = s.exec(_own(actor).order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())).all()
        return [Device(id=r.id, device=r.device, endpoint=r.endpoint, created_at=r.created_at,
                       last_used_at=r.last_used_at) for r in rows]


def _own(actor: Actor):
    return select(PushSubscription).where(PushSubscription.subject_kind == actor.kind.value,
                                          PushSubscription.subject_id == actor.id)


# Notices about messages


def message_pushes(s: Session, *, thread: Thread, message: Message,
                   recipients: list[tuple[str, int]]) -> list[Push]:
    """The pushes a new message causes (read inside the writer's transaction).

    A firm message reaches the thread's client readers whose account link has NOTIFY
    on; a client message reaches the account's assigned accountants, or the admins
    when nobody is assigned. Internal threads reach nobody. While none of them has a
    device, this costs one or two small queries.

    Args:
        s: The session that wrote the message.
        thread: Its thread.
        message: The new message.
        recipients: The message's receipt recipients (``talks._recipients_of_message``).
    """
    if thread.kind == ThreadKind.INTERNAL or not recipients:
        return []
    if message.author_kind == SubjectKind.STAFF:
        contact_ids = [rid for kind, rid in recipients if kind == SubjectKind.CONTACT]
        contact_ids = _with_devices(s, SubjectKind.CONTACT, contact_ids)
        if contact_ids:
            notified = set(s.exec(select(AccountContact.contact_id).where(
                AccountContact.account_id == thread.account_id, AccountContact.contact_id.in_(contact_ids),
                AccountContact.notify == True)).all())  # noqa: E712
            people = s.exec(select(Contact.id, Contact.locale).where(Contact.id.in_(notified))
                            .order_by(Contact.id)).all()
        else:
            people = []
        kind = SubjectKind.CONTACT.value
    else:
        staff = {u.id: u.locale for u in access.responsible_staff(s, thread.account_id)}
        people = [(sid, staff[sid]) for sid in _with_devices(s, SubjectKind.STAFF, list(staff))]
        kind = SubjectKind.STAFF.value
    if not people:
        return []
    by_locale: dict[str, list[tuple[str, int]]] = {}
    for person_id, locale in people:
        by_locale.setdefault(locale or "de", []).append((kind, person_id))
    firm = s.exec(select(Firm)).first()
    title = (firm.name if firm else "") or FALLBACK_TITLE
    booking = s.get(Booking, thread.booking_id) if thread.booking_id else None
    if kind == SubjectKind.CONTACT:
        page = routes.PORTAL if booking is not None else routes.PORTAL_CONVERSATIONS
        client = ""
    else:
        page = routes.STAFF_INBOX
        account = s.get(ClientAccount, thread.account_id)
        client = account.name if account else ""
    url = routes.with_thread(page, thread.id)
    return [Push(recipients=tuple(people_of_locale), title=title, url=url, tag=f"thread-{thread.id}",
                 body=_body(locale, side=kind, booking=booking, subject=thread.subject, client=client))
            for locale, people_of_locale in sorted(by_locale.items())]


def _body(locale: str, *, side: str, booking: Booking | None, subject: str, client: str) -> str:
    if side == SubjectKind.CONTACT:
        if booking is not None:
            return translate(locale, "push.body.booking", date=fmt.date(booking.date, locale))
        return translate(locale, "push.body.conversation", subject=subject)
    if booking is not None:
        return translate(locale, "push.body.client_booking", client=client, date=fmt.date(booking.date, locale))
    return translate(locale, "push.body.client_conversation", client=client, subject=subject)


def _with_devices(s: Session, kind: str, ids: list[int]) -> list[int]:
    if not ids:
        return []
    have = set(s.exec(select(PushSubscription.subject_id).where(
        PushSubscription.subject_kind == kind, PushSubscription.subject_id.in_(ids))).all())
    return [i for i in ids if i in have]


def send_after_commit(s: Session, pushes: Iterable[Push]) -> None:
    """Send ``pushes`` in the background once ``s`` commits; forget them if it rolls back."""
    pushes = list(pushes)
    if not pushes:
        return
    pending = s.info.get(_PENDING)
    if pending is None:
        pending = s.info[_PENDING] = []
        event.listen(s, "after_commit", _dispatch_pending)
        # "Soft" also covers a rollback before any SQL ran, and savepoints: after any
        # rollback, better to miss a push than to announce a message that is gone.
        event.listen(s, "after_soft_rollback", _drop_pending)
    pending.extend(pushes)


def _dispatch_pending(s: Session) -> None:
    pending = s.info.get(_PENDING, [])
    pushes, pending[:] = list(pending), []
    if pushes:
        _executor.submit(_send_all, pushes)


def _drop_pending(s: Session, _previous_transaction) -> None:
    s.info.get(_PENDING, []).clear()


def _send_all(pushes: list[Push]) -> None:
    for item in pushes:
        try:
            notify(recipients=item.recipients, title=item.title, body=item.body, url=item.url, tag=item.tag)
        except Exception:  # the pool would keep the error to itself; the log must show it
            log.exception("Sending pushes failed")


# Sending


def notify(*, recipients: Iterable[tuple[str, int]], title: str, body: str, url: str, tag: str = "") -> int:
    """Send one notice to every device of ``recipients`` (blocking; network calls).

    A device the push service no longer knows (404/410) is removed; other failures
    are logged and the device kept. Nothing raises into the caller.

    Args:
        recipients: ``(kind, id)`` of staff users or contacts.
        title: The notification's title (the firm's name).
        body: One line without message text.
        url: The portal path the notification opens.
        tag: Notices with the same tag replace each other (one per thread).

    Returns:
        How many devices accepted the notice.
    """
    subjects = list(dict.fromkeys(recipients))
    if not subjects:
        return 0
    with db.session() as s:
        rows = s.exec(select(PushSubscription).where(or_(*[
            and_(PushSubscription.subject_kind == kind, PushSubscription.subject_id == sid)
            for kind, sid in subjects]))).all()
    if not rows:
        return 0
    vapid = _vapid()
    payload = json.dumps({"title": title, "body": body, "url": url, "tag": tag}, ensure_ascii=False)
    sender = f"mailto:{get_settings().mail_from}"
    delivered: list[int] = []
    gone: list[int] = []
    with requests.Session() as http:
        # A push service answers directly; a redirect would send the payload somewhere else.
        http.max_redirects = 0
        for row in rows:
            outcome = _send_one(http, vapid, sender, row, payload)
            if outcome == "sent":
                delivered.append(row.id)
            elif outcome == "gone":
                gone.append(row.id)
    if delivered or gone:
        with db.session() as s:
            if gone:
                s.exec(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
            if delivered:
                s.exec(update(PushSubscription).where(PushSubscription.id.in_(delivered))
                       .values(last_used_at=utcnow()))
            s.commit()
    return len(delivered)


def _send_one(http: requests.Session, vapid: Vapid, sender: str, row: PushSubscription, payload: str) -> str:
    """``sent``, ``gone`` (the push service forgot the device) or ``failed``."""
    # The endpoint's path is a capability: logs name the push service's host only.
    host = urlsplit(row.endpoint).hostname
    try:
        # Fresh claims per device: pywebpush fills in "aud" from the first endpoint it sees.
        webpush(subscription_info={"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}},
                data=payload, vapid_private_key=vapid, vapid_claims={"sub": sender}, ttl=TTL_SECONDS,
                headers={"Urgency": "normal"}, timeout=TIMEOUT, requests_session=http)
        return "sent"
    except WebPushException as err:
        if err.status_code in (404, 410):
            log.info("Push service %s no longer knows device %s; removed", host, row.id)
            return "gone"
        log.warning("Push to device %s via %s failed: HTTP %s", row.id, host, err.status_code)
    except requests.RequestException as err:
        log.warning("Push to device %s via %s failed: %s", row.id, host, type(err).__name__)
    except Exception:  # a push is best effort: one broken device must not stop the others
        log.exception("Push to device %s via %s failed", row.id, host)
    return "failed"
