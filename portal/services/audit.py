"""The audit trail: writing events inside the caller's transaction, and each client's
protocol ("Protokoll") for the staff who may see it.

An action and its audit row commit together: :func:`record` only adds the row to the
caller's session. Rows are never changed afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from portal.domain.actor import Actor
from portal.domain.audit import ACCESS_FLAGS, CATEGORIES, Action, ActorKind, Category, category, small_detail
from portal.domain.enums import SubjectKind
from portal.i18n import format as fmt
from portal.i18n import CATALOGS, DEFAULT_LOCALE, translate
from portal.models import AccountContact, Assignment, AuditEvent, Booking, ClientAccount, Contact, StaffUser, Thread
from portal.services import access, db

# Events per step of the protocol ("Mehr laden" asks for the next step).
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_IP_CHARS = 64
MAX_EMAIL_CHARS = 320


def _actor_fields(actor: Actor | None) -> dict:
    if actor is None:
        return {"actor_kind": ActorKind.SYSTEM, "actor_id": None, "actor_name": ""}
    return {"actor_kind": actor.kind.value, "actor_id": actor.id, "actor_name": actor.name[:200]}


def record(s: Session, *, actor: Actor | None, action: Action, account_id: int | None, object_kind: str = "",
           object_id: int | None = None, detail: dict | None = None, ip: str = "") -> AuditEvent:
    """Add one event to the caller's transaction (the caller commits it with its action).

    Args:
        s: The caller's session.
        actor: Who acted; None for the portal itself ("System").
        action: What happened.
        account_id: The client the event belongs to; None for firm-wide events.
        object_kind: What was acted on (``document``, ``message``, ``thread``, ``contact``...).
        object_id: Its id.
        detail: Small facts at the time: names, changed fields old→new, counts. Never
            secrets; long texts are cut.
        ip: The requester's address, where the caller knows it.

    Returns:
        The new row (not yet flushed).
    """
    row = AuditEvent(**_actor_fields(actor), action=action.value, object_kind=object_kind[:30],
                     object_id=object_id, account_id=account_id, ip=(ip or "")[:MAX_IP_CHARS],
                     detail=small_detail(detail or {}))
    s.add(row)
    return row


def login_accounts(s: Session, contact_id: int) -> list[int]:
    """The accounts a contact has portal login on: where their logins are recorded."""
    return list(s.exec(select(AccountContact.account_id).where(
        AccountContact.contact_id == contact_id, AccountContact.login == True)  # noqa: E712
        .order_by(AccountContact.account_id)).all())


def _subject_name(subject: StaffUser | Contact) -> str:
    if isinstance(subject, StaffUser):
        return subject.name
    return f"{subject.first_name} {subject.last_name}".strip() or (subject.email or "")


def record_for_subject(s: Session, *, subject: StaffUser | Contact, action: Action, ip: str = "",
                       detail: dict | None = None) -> None:
    """Record what a user did to their own login (logged in, out, changed the password).

    A staff user's event is firm-wide; a contact's goes into the protocol of every client
    they may log in to, so each client's staff see it.
    """
    name = _subject_name(subject)
    if isinstance(subject, StaffUser):
        actor = Actor(kind=SubjectKind.STAFF, id=subject.id, name=name, email=subject.email)
        accounts: list[int | None] = [None]
    else:
        actor = Actor(kind=SubjectKind.CONTACT, id=subject.id, name=name, email=subject.email or "")
        accounts = login_accounts(s, subject.id) or [None]
    kind = "staff" if isinstance(subject, StaffUser) else "contact"
    for account_id in accounts:
        record(s, actor=actor, action=action, account_id=account_id, object_kind=kind, object_id=subject.id,
               detail={"name": name, **(detail or {})}, ip=ip)


def record_login(s: Session, *, action: Action, email: str, subject: StaffUser | Contact | None, ip: str,
                 method: str = "password", detail: dict | None = None) -> None:
    """The login route's events: success, failure and lockout, with the requester's address.

    A failure keeps the address that was typed (never the password) and is attributed to
    nobody: who typed it is not known. It still lands in the protocol of the clients of the
    contact that address belongs to, if any.

    Args:
        s: The login's session (the caller commits).
        action: ``login.succeeded``, ``login.failed`` or ``login.locked``.
        email: The address as typed (normalised).
        subject: The user the address belongs to, if any.
        ip: The requester's address (:func:`portal.api.client_ip.client_ip`).
        method: ``password``, ``magic_link``, ``sso`` or ``activation``.
        detail: More facts (e.g. the minutes of a lockout).
    """
    facts = {"method": method, **(detail or {})}
    if action == Action.LOGIN_SUCCEEDED and subject is not None:
        record_for_subject(s, subject=subject, action=action, ip=ip, detail=facts)
        return
    facts["email"] = email[:MAX_EMAIL_CHARS]
    # Only a contact's failures go to clients' protocols; staff and unknown addresses stay firm-wide.
    contact = subject if isinstance(subject, Contact) else None
    if contact is not None:
        facts["name"] = _subject_name(contact)
    accounts: list[int | None] = (login_accounts(s, contact.id) if contact else []) or [None]
    for account_id in accounts:
        s.add(AuditEvent(actor_kind=ActorKind.ANONYMOUS, actor_id=None, actor_name="", action=action.value,
                         object_kind="contact" if contact else "", object_id=contact.id if contact else None,
                         account_id=account_id, ip=(ip or "")[:MAX_IP_CHARS], detail=small_detail(facts)))


def contact_name(contact: Contact) -> str:
    """A contact as the protocol names them."""
    return _subject_name(contact)


def link_flags(link: AccountContact) -> dict[str, bool]:
    """A contact's switches on one account, for the protocol."""
    return {flag: bool(getattr(link, flag)) for flag in ACCESS_FLAGS}


def record_contact(s: Session, *, actor: Actor | None, action: Action, account_id: int, contact: Contact,
                   detail: dict | None = None) -> None:
    """Record something done to a contact of a client (added, removed, access changed, invited)."""
    record(s, actor=actor, action=action, account_id=account_id, object_kind="contact", object_id=contact.id,
           detail={"name": contact_name(contact), **(detail or {})})


def thread_name(s: Session, thread: Thread) -> str:
    """A thread as the protocol names it: a booking talk by its booking's counterparty and
    text, anything else by its subject."""
    booking = s.get(Booking, thread.booking_id) if thread.booking_id else None
    if booking is not None:
        return " · ".join(part for part in (booking.counterparty, booking.text) if part) or thread.subject
    return thread.subject


def record_thread(s: Session, *, actor: Actor | None, action: Action, thread: Thread, object_kind: str = "thread",
                  object_id: int | None = None, detail: dict | None = None) -> None:
    """Record something done in or to a thread (a message deleted, the talk closed)."""
    record(s, actor=actor, action=action, account_id=thread.account_id, object_kind=object_kind,
           object_id=thread.id if object_id is None else object_id,
           detail={"name": thread_name(s, thread), "thread_id": thread.id, "kind": thread.kind, **(detail or {})})


# The protocol of one client


def protocol_account(s: Session, actor: Actor, account_id: int) -> ClientAccount:
    """The client if the actor may read its protocol: admins, and staff assigned to it.

    Stricter than :func:`portal.services.access.staff_account`: the shared guest account
    does not open its protocol to every accountant.

    Raises:
        NotFound: Otherwise (also for contacts and email-link sessions).
    """
    access.require_staff(actor)
    access.require_full_login(actor)
    account = access.staff_account(s, actor, account_id)
    if not actor.is_admin and s.get(Assignment, (actor.id, account.id)) is None:
        raise access.NotFound("account")
    return account


def protocol_account_by_public_id(s: Session, actor: Actor, public_id: str) -> ClientAccount:
    """:func:`protocol_account` looked up by the id used in URLs."""
    access.require_staff(actor)
    account_id = s.exec(select(ClientAccount.id).where(ClientAccount.public_id == public_id)).first()
    if account_id is None:
        raise access.NotFound("account")
    return protocol_account(s, actor, account_id)


@dataclass(frozen=True)
class Entry:
    """One event as it was stored."""

    id: int
    at: dt.datetime
    actor_kind: str
    actor_name: str
    action: str
    object_kind: str
    object_id: int | None
    ip: str
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProtocolPage:
    """A step of a client's protocol, newest first."""

    entries: tuple[Entry, ...]
    has_more: bool
    # Pass as ``before`` for the next step.
    next_before: int | None


def _entry(row: AuditEvent) -> Entry:
    return Entry(id=row.id, at=row.at, actor_kind=row.actor_kind, actor_name=row.actor_name, action=row.action,
                 object_kind=row.object_kind, object_id=row.object_id, ip=row.ip, detail=dict(row.detail or {}))


def _clauses(account_id: int, kind: Category | None, since: dt.datetime | None = None,
             until: dt.datetime | None = None) -> list:
    clauses = [AuditEvent.account_id == account_id]
    if kind is not None:
        clauses.append(col(AuditEvent.action).in_([a.value for a in CATEGORIES[kind]]))
    if since is not None:
        clauses.append(AuditEvent.at >= since)
    if until is not None:
        clauses.append(AuditEvent.at < until)
    return clauses


def fetch(s: Session, *, account_id: int, kind: Category | None = None, before: int | None = None,
          limit: int = PAGE_SIZE, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[Entry]:
    """Up to ``limit`` events of a client older than id ``before``, newest first (no access check)."""
    clauses = _clauses(account_id, kind, since, until)
    if before is not None:
        clauses.append(col(AuditEvent.id) < before)
    rows = s.exec(select(AuditEvent).where(*clauses).order_by(col(AuditEvent.id).desc()).limit(limit)).all()
    return [_entry(r) for r in rows]


def protocol(*, actor: Actor, account_id: int, kind: str = "", before: int | None = None,
             limit: int = PAGE_SIZE) -> ProtocolPage:
    """A step of a client's protocol for the staff who may read it.

    Args:
        actor: An admin, or staff assigned to the client.
        account_id: The client.
        kind: A :class:`~portal.domain.audit.Category` value; anything else shows all.
        before: Only events older than this id (from the previous step).
        limit: Events per step (at most :data:`MAX_PAGE_SIZE`).

    Raises:
        NotFound: If the actor may not read this client's protocol.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    with db.session() as s:
        protocol_account(s, actor, account_id)
        entries = fetch(s, account_id=account_id, kind=category(kind), before=before, limit=limit + 1)
    shown = tuple(entries[:limit])
    more = len(entries) > limit
    return ProtocolPage(entries=shown, has_more=more, next_before=shown[-1].id if more and shown else None)


# How an event reads


@dataclass(frozen=True)
class Line:
    """An event in words, in one user's language and time zone."""

    id: int
    action: str
    at: str
    who: str
    side: str
    what: str
    object: str
    details: str


def _flag_text(locale: str, value: object) -> str:
    return translate(locale, "audit.value.on" if value else "audit.value.off")


def _detail_parts(entry: Entry, locale: str) -> list[str]:
    d = entry.detail
    parts: list[str] = []
    if entry.action in (Action.LOGIN_SUCCEEDED, Action.LOGIN_FAILED, Action.LOGIN_LOCKED) and d.get("method"):
        method = str(d["method"])
        key = f"audit.method.{method}"
        parts.append(translate(locale, "audit.detail.method",
                               method=translate(locale, key) if _known(key) else method))
    if d.get("email"):
        parts.append(translate(locale, "audit.detail.email", email=d["email"]))
    if d.get("reason"):
        key = f"audit.reason.{d['reason']}"
        parts.append(translate(locale, key) if _known(key) else str(d["reason"]))
    if d.get("minutes"):
        parts.append(translate(locale, "audit.detail.minutes", minutes=d["minutes"]))
    changes = d.get("changes")
    if isinstance(changes, dict):
        for flag, pair in changes.items():
            if isinstance(pair, list) and len(pair) == 2:
                parts.append(translate(locale, "audit.detail.change", field=_flag_label(locale, flag),
                                       old=_flag_text(locale, pair[0]), new=_flag_text(locale, pair[1])))
    flags = d.get("flags")
    if isinstance(flags, dict):
        parts.extend(f"{_flag_label(locale, flag)}: {_flag_text(locale, value)}" for flag, value in flags.items())
    if d.get("format"):
        parts.append(translate(locale, "audit.detail.format", format=str(d["format"]).upper()))
    if d.get("year"):
        parts.append(translate(locale, "audit.detail.year", year=d["year"]))
    if "bookings" in d:
        parts.append(translate(locale, "audit.detail.bookings", count=d["bookings"]))
    if d.get("closed_talks"):
        parts.append(translate(locale, "audit.detail.closed_talks", count=d["closed_talks"]))
    if d.get("filter"):
        key = f"audit.filter.{d['filter']}"
        parts.append(translate(locale, "audit.detail.filter", filter=translate(locale, key) if _known(key)
                               else str(d["filter"])))
    if d.get("since") or d.get("until"):
        parts.append(translate(locale, "audit.detail.period", period=period_text(
            locale, _iso_date(d.get("since")), _iso_date(d.get("until")))))
    if entry.ip:
        parts.append(translate(locale, "audit.detail.ip", ip=entry.ip))
    return parts


def _iso_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def period_text(locale: str, since: dt.date | None, until: dt.date | None) -> str:
    """A period in words: both ends, one end, or "everything"."""
    if since and until:
        return translate(locale, "audit.period.range", since=fmt.date(since, locale), until=fmt.date(until, locale))
    if since:
        return translate(locale, "audit.period.since", since=fmt.date(since, locale))
    if until:
        return translate(locale, "audit.period.until", until=fmt.date(until, locale))
    return translate(locale, "audit.period.all")


def _known(key: str) -> bool:
    # Stored values (methods, reasons, actions of a newer version) may have no text here.
    return key in CATALOGS[DEFAULT_LOCALE]


def _flag_label(locale: str, flag: str) -> str:
    key = f"audit.flag.{flag}"
    return translate(locale, key) if _known(key) else flag


def _who(entry: Entry, locale: str) -> tuple[str, str]:
    """Who acted, and on which side ("Kanzlei", "Mandant"); the portal itself has no side."""
    if entry.actor_kind == ActorKind.SYSTEM:
        return translate(locale, "audit.who.system"), ""
    side_key = f"audit.side.{entry.actor_kind}"
    side = translate(locale, side_key) if _known(side_key) else entry.actor_kind
    if entry.actor_kind == ActorKind.ANONYMOUS:
        return translate(locale, "audit.who.anonymous"), side
    return entry.actor_name or "?", side


def _object(entry: Entry, locale: str) -> str:
    if not entry.object_kind:
        return ""
    key = f"audit.object.{entry.object_kind}"
    label = translate(locale, key) if _known(key) else entry.object_kind
    name = str(entry.detail.get("name") or "")
    return f"{label}: {name}" if name else label


def line(entry: Entry, formats: fmt.Formats) -> Line:
    """An event in the words and time zone of one user."""
    locale = formats.locale
    what_key = f"audit.action.{entry.action}"
    who, side = _who(entry, locale)
    return Line(id=entry.id, action=entry.action, at=fmt.precise_datetime(entry.at, locale, formats.timezone),
                who=who, side=side, what=translate(locale, what_key) if _known(what_key) else entry.action,
                object=_object(entry, locale), details=" · ".join(_detail_parts(entry, locale)))


def lines(entries: Iterable[Entry], formats: fmt.Formats) -> list[Line]:
    """:func:`line` for a list."""
    return [line(e, formats) for e in entries]


def day_bounds(since: dt.date | None, until: dt.date | None, timezone: str) -> tuple[dt.datetime | None,
                                                                                     dt.datetime | None]:
    """A period of whole local days as UTC moments: from the start of ``since`` to the end of ``until``."""
    zone = ZoneInfo(timezone)

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)

    return (start(since) if since else None, start(until + dt.timedelta(days=1)) if until else None)
